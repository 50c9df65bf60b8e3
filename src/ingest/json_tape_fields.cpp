#include "json_tape_fields.hpp"

#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {
std::string describe_json(const JsonValue& value) {
  switch (value.type()) {
    case JsonType::Null:
      return "null";
    case JsonType::True:
      return "true";
    case JsonType::False:
      return "false";
    case JsonType::Object:
      return "an object";
    case JsonType::Array:
      return "an array";
    case JsonType::String:
      return "the string '" + printable_excerpt(value.text(), 40) + "'";
    default:
      return printable_excerpt(value.text(), 40);
  }
}

JsonValue TapeFields::require(const JsonValue& object, std::string_view key, std::string_view prefix) const {
  if (!object.is_object()) {
    fail(prefix.empty() ? std::string("transaction") : std::string(prefix),
         "expected an object, got " + describe_json(object));
  }
  const std::optional<JsonValue> member = object.find(key);
  if (!member) fail(FieldPath{prefix, key}, "missing");
  return *member;
}

std::optional<JsonValue> TapeFields::optional(const JsonValue& object, std::string_view key) const {
  std::optional<JsonValue> member = object.find(key);
  if (member && member->is_null()) return std::nullopt;
  return member;
}

std::string_view TapeFields::string(const JsonValue& value, const FieldPath& path) const {
  if (!value.is_string()) fail(path, "expected a string, got " + describe_json(value));
  return value.text();
}

bool TapeFields::boolean(const JsonValue& value, const FieldPath& path) const {
  if (!value.is_boolean()) fail(path, "expected true or false, got " + describe_json(value));
  return value.boolean();
}

std::string TapeFields::hash(const JsonValue& value, const FieldPath& path) const {
  const std::string_view text = string(value, path);
  if (text.size() != 64 || !is_hex_text(text)) fail(path, "expected 64 hex digits, got " + describe_json(value));
  return lower_hex(std::string(text));
}

std::string TapeFields::hex(const JsonValue& value, const FieldPath& path, std::string_view what) const {
  const std::string_view text = string(value, path);
  if (text.size() % 2 != 0 || !is_hex_text(text)) {
    fail(path, "expected " + std::string(what) + ", got " + describe_json(value));
  }
  return lower_hex(std::string(text));
}

}  // namespace fundtrail::ingest
