#include "json_fields.hpp"

#include <array>

#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {

using nlohmann::json;

std::string describe_json(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "the string '" + printable_excerpt(value.get_ref<const std::string&>(), 40) + "'";
    case json::value_t::binary: {  // exact number text kept by parse_bitcoind_json
      const auto& bytes = value.get_binary();
      return printable_excerpt(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), 40);
    }
    default:
      return printable_excerpt(value.dump(), 40);
  }
}

std::string lower_hex(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool is_hex_text(std::string_view text) {
  // A table and no early exit: the loop vectorises, and scripts and txids are checked on every field read.
  static constexpr std::array<bool, 256> kHex = [] {
    std::array<bool, 256> table{};
    for (const char* digits : {"0123456789", "abcdef", "ABCDEF"}) {
      for (const char* c = digits; *c != '\0'; ++c) table[static_cast<unsigned char>(*c)] = true;
    }
    return table;
  }();
  bool all = true;
  for (const char c : text) all &= kHex[static_cast<unsigned char>(c)];
  return all;
}

void FieldErrors::fail(const std::string& path, const std::string& reason) const {
  std::string message(context_);
  if (!txid_.empty()) message += ": tx " + txid_;
  message += ": " + path + ": " + reason;
  throw invalid_argument(message);
}

const json& JsonFields::require(const json& object, const char* key, const std::string& path) const {
  if (!object.is_object())
    fail(path.empty() ? "transaction" : path, "expected an object, got " + describe_json(object));
  const auto it = object.find(key);
  if (it == object.end() || (null_is_missing_ && it->is_null())) fail(path + key, "missing");
  return *it;
}

const json* JsonFields::optional(const json& object, const char* key) const {
  const auto it = object.find(key);
  return (it == object.end() || it->is_null()) ? nullptr : &*it;
}

const std::string& JsonFields::string(const json& value, const std::string& path) const {
  if (!value.is_string()) fail(path, "expected a string, got " + describe_json(value));
  return value.get_ref<const std::string&>();
}

bool JsonFields::boolean(const json& value, const std::string& path) const {
  if (!value.is_boolean()) fail(path, "expected true or false, got " + describe_json(value));
  return value.get<bool>();
}

std::string JsonFields::hash(const json& value, const std::string& path) const {
  const std::string& text = string(value, path);
  if (text.size() != 64 || !is_hex_text(text)) fail(path, "expected 64 hex digits, got " + describe_json(value));
  return lower_hex(text);
}

std::string JsonFields::hex(const json& value, const std::string& path, std::string_view what) const {
  const std::string& text = string(value, path);
  if (text.size() % 2 != 0 || !is_hex_text(text))
    fail(path, "expected " + std::string(what) + ", got " + describe_json(value));
  return lower_hex(text);
}

}  // namespace fundtrail::ingest
