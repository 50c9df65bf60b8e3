#pragma once
// JsonFields' checks and messages for values of a JsonTape. Paths are given as prefix + name (views) and
// joined only when a field fails, so reading a valid transaction builds no path strings.
#include <optional>
#include <string>
#include <string_view>

#include "json_fields.hpp"
#include "fundtrail/ingest/json_tape.hpp"

namespace fundtrail::ingest {

// "vin[2].prevout." + "value".
struct FieldPath {
  std::string_view prefix;
  std::string_view name;
  std::string text() const { return std::string(prefix) + std::string(name); }
};

// As describe_json: short, printable, never the whole (hostile) value; numbers as they were written.
std::string describe_json(const JsonValue& value);

class TapeFields : public FieldErrors {
 public:
  explicit TapeFields(std::string_view context) : FieldErrors(context) {}

  [[noreturn]] void fail(const FieldPath& path, const std::string& reason) const { FieldErrors::fail(path.text(), reason); }
  using FieldErrors::fail;

  // `object`'s member `key`; fails "<prefix><key>: missing", or "<prefix>: expected an object" when `object`
  // is not one ("transaction" for the empty prefix).
  JsonValue require(const JsonValue& object, std::string_view key, std::string_view prefix) const;
  // The member, or std::nullopt when absent or null.
  std::optional<JsonValue> optional(const JsonValue& object, std::string_view key) const;
  std::string_view string(const JsonValue& value, const FieldPath& path) const;
  bool boolean(const JsonValue& value, const FieldPath& path) const;
  // 64 hex digits, returned lower case.
  std::string hash(const JsonValue& value, const FieldPath& path) const;
  // An even number of hex digits, returned lower case; `what` names it in the message ("a script in hex").
  std::string hex(const JsonValue& value, const FieldPath& path, std::string_view what = "hex") const;
};

}  // namespace fundtrail::ingest
