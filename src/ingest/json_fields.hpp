#pragma once
// Reading fields of a provider's JSON transaction with errors that say where: every failure names the
// response (context), the transaction when known and the field's path ("vin[2].prevout.value"), and quotes at
// most a short, printable excerpt of the offending value. Shared by the Esplora and Bitcoin Core parsers,
// which add their own amount and address rules on top.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fundtrail::ingest {

// A JSON value as it may appear in a one-line message: short, printable, never the whole (hostile) value.
std::string describe_json(const nlohmann::json& value);

// `text` with A-F lowered (hex digits only are affected).
std::string lower_hex(std::string text);
bool is_hex_text(std::string_view text);

// Where a failing field is: the response (context) and, once read, the transaction. Shared by the readers
// over nlohmann values (JsonFields) and over JsonTape values (TapeFields).
class FieldErrors {
 public:
  explicit FieldErrors(std::string_view context) : context_(context) {}

  void set_txid(const std::string& txid) { txid_ = txid; }

  // Throws fundtrail::Error(InvalidArgument) "<context>: tx <txid>: <path>: <reason>".
  [[noreturn]] void fail(const std::string& path, const std::string& reason) const;

 private:
  std::string_view context_;
  std::string txid_;
};

class JsonFields : public FieldErrors {
 public:
  // `null_is_missing`: a field that is present but null counts as missing in require().
  explicit JsonFields(std::string_view context, bool null_is_missing = false)
      : FieldErrors(context), null_is_missing_(null_is_missing) {}

  const nlohmann::json& require(const nlohmann::json& object, const char* key, const std::string& path) const;
  // The field, or nullptr when absent or null.
  const nlohmann::json* optional(const nlohmann::json& object, const char* key) const;
  const std::string& string(const nlohmann::json& value, const std::string& path) const;
  bool boolean(const nlohmann::json& value, const std::string& path) const;
  // 64 hex digits, returned lower case.
  std::string hash(const nlohmann::json& value, const std::string& path) const;
  // An even number of hex digits, returned lower case; `what` names it in the message ("a script in hex").
  std::string hex(const nlohmann::json& value, const std::string& path, std::string_view what = "hex") const;

 private:
  bool null_is_missing_;
};

}  // namespace fundtrail::ingest
