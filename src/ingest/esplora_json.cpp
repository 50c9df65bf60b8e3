#include "fundtrail/ingest/esplora_json.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;

// A JSON value as it may appear in a one-line message: short, printable, never the whole (hostile) value.
std::string describe(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "the string '" + printable_excerpt(value.get_ref<const std::string&>(), 40) + "'";
    case json::value_t::binary:
      return "binary data";
    default:
      return printable_excerpt(value.dump(), 40);
  }
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool is_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// Reads fields of one transaction object; every failure names the context, the txid when known, and the
// field's path.
class Fields {
 public:
  explicit Fields(std::string_view context) : context_(context) {}

  void set_txid(const std::string& txid) { txid_ = txid; }

  [[noreturn]] void fail(const std::string& path, const std::string& reason) const {
    std::string message(context_);
    if (!txid_.empty()) message += ": tx " + txid_;
    message += ": " + path + ": " + reason;
    throw invalid_argument(message);
  }

  const json& require(const json& object, const char* key, const std::string& path) const {
    if (!object.is_object()) fail(path, "expected an object, got " + describe(object));
    const auto it = object.find(key);
    if (it == object.end()) fail(path + key, "missing");
    return *it;
  }

  const json* optional(const json& object, const char* key) const {
    const auto it = object.find(key);
    return (it == object.end() || it->is_null()) ? nullptr : &*it;
  }

  std::uint64_t unsigned_integer(const json& value, const std::string& path, std::uint64_t max) const {
    if (value.is_number_integer() && !value.is_number_unsigned()) {
      if (value.get<std::int64_t>() < 0) fail(path, "negative value " + describe(value));
    }
    if (value.is_number_float()) fail(path, "expected a whole number, got " + describe(value));
    if (!value.is_number_integer()) fail(path, "expected an integer, got " + describe(value));
    const auto result = value.get<std::uint64_t>();
    if (result > max) fail(path, describe(value) + " exceeds the maximum " + std::to_string(max));
    return result;
  }

  std::uint64_t satoshi(const json& value, const std::string& path) const {
    if (value.is_number_float()) fail(path, "expected a whole number of satoshi, got " + describe(value));
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > core::kMaxMoneySatoshi) {
      fail(path, describe(value) + " satoshi exceeds 21,000,000 BTC");
    }
    return unsigned_integer(value, path, core::kMaxMoneySatoshi);
  }

  const std::string& string(const json& value, const std::string& path) const {
    if (!value.is_string()) fail(path, "expected a string, got " + describe(value));
    return value.get_ref<const std::string&>();
  }

  bool boolean(const json& value, const std::string& path) const {
    if (!value.is_boolean()) fail(path, "expected true or false, got " + describe(value));
    return value.get<bool>();
  }

  // 64 hex digits, returned lower case.
  std::string hash(const json& value, const std::string& path) const {
    const std::string& text = string(value, path);
    if (text.size() != 64 || !is_hex(text)) fail(path, "expected 64 hex digits, got " + describe(value));
    return lower(text);
  }

  std::string script_hex(const json& value, const std::string& path) const {
    const std::string& text = string(value, path);
    if (text.size() % 2 != 0 || !is_hex(text)) {
      fail(path, "expected a script in hex, got " + describe(value));
    }
    return lower(text);
  }

  std::string script_type(const json& value, const std::string& path) const {
    const std::string& text = string(value, path);
    const bool ok = !text.empty() && text.size() <= 32 &&
                    text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    if (!ok) fail(path, "unexpected script type " + describe(value));
    return text;
  }

  // scriptpubkey_address: absent, null or "" (mempool.space for OP_RETURN) mean no address.
  std::optional<std::string> address(const json& object, const std::string& path) const {
    const json* value = optional(object, "scriptpubkey_address");
    if (value == nullptr) return std::nullopt;
    const std::string& text = string(*value, path + "scriptpubkey_address");
    if (text.empty()) return std::nullopt;
    try {
      return core::normalize_address(core::Chain::Btc, text);
    } catch (const Error& error) {
      fail(path + "scriptpubkey_address", error.what());
    }
  }

 private:
  std::string_view context_;
  std::string txid_;
};

void read_output_fields(const Fields& f, const json& object, const std::string& path,
                        std::optional<std::string>& address, std::string& script_type, std::uint64_t& value,
                        std::string& script_hex) {
  script_hex = f.script_hex(f.require(object, "scriptpubkey", path), path + "scriptpubkey");
  script_type = f.script_type(f.require(object, "scriptpubkey_type", path), path + "scriptpubkey_type");
  address = f.address(object, path);
  value = f.satoshi(f.require(object, "value", path), path + "value");
}

[[noreturn]] void fail_body(std::string_view context, const std::string& reason) {
  throw invalid_argument(std::string(context) + ": " + reason);
}

// Parses a body that must be JSON; HTML error pages, plain-text errors and truncated bodies get a clear message.
json parse_body(std::string_view body, std::string_view context) {
  const auto start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) fail_body(context, "empty response body, expected JSON");
  const char first = body[start];
  if (first != '{' && first != '[') {
    const std::string what = first == '<' ? "an HTML/XML page" : "not JSON";
    fail_body(context, "response is " + what + ", starting '" + printable_excerpt(body.substr(start), 60) + "'");
  }
  try {
    return json::parse(body);
  } catch (const json::exception& error) {
    fail_body(context, "malformed JSON (" + printable_excerpt(error.what(), 200) + ")");
  }
}

}  // namespace

core::BtcTransaction parse_esplora_tx(const json& object, std::string_view context,
                                      std::optional<std::string_view> expected_txid) {
  Fields f(context);
  if (!object.is_object()) f.fail("transaction", "expected an object, got " + describe(object));
  core::BtcTransaction tx;
  tx.txid = f.hash(f.require(object, "txid", ""), "txid");
  if (expected_txid && lower(std::string(*expected_txid)) != tx.txid) {
    f.fail("txid", "response is for " + tx.txid + ", not the requested " + printable_excerpt(*expected_txid, 64));
  }
  f.set_txid(tx.txid);

  // Esplora shows version as a signed 32-bit number; older software printed it unsigned: accept both.
  const json& version = f.require(object, "version", "");
  if (version.is_number_integer() && !version.is_number_unsigned()) {
    const auto v = version.get<std::int64_t>();
    if (v < std::numeric_limits<std::int32_t>::min()) f.fail("version", describe(version) + " is out of range");
    tx.version = static_cast<std::int32_t>(v);
  } else {
    tx.version =
        static_cast<std::int32_t>(static_cast<std::uint32_t>(f.unsigned_integer(version, "version", 0xffffffffu)));
  }
  tx.locktime =
      static_cast<std::uint32_t>(f.unsigned_integer(f.require(object, "locktime", ""), "locktime", 0xffffffffu));
  tx.size = static_cast<std::uint32_t>(f.unsigned_integer(f.require(object, "size", ""), "size", 0xffffffffu));
  tx.weight = static_cast<std::uint32_t>(f.unsigned_integer(f.require(object, "weight", ""), "weight", 0xffffffffu));
  tx.fee = f.satoshi(f.require(object, "fee", ""), "fee");

  const json& status = f.require(object, "status", "");
  tx.confirmed = f.boolean(f.require(status, "confirmed", "status."), "status.confirmed");
  if (tx.confirmed) {
    tx.block_height = static_cast<std::int64_t>(f.unsigned_integer(
        f.require(status, "block_height", "status."), "status.block_height", std::numeric_limits<std::int32_t>::max()));
    tx.block_hash = f.hash(f.require(status, "block_hash", "status."), "status.block_hash");
    tx.block_time = static_cast<core::UnixSeconds>(
        f.unsigned_integer(f.require(status, "block_time", "status."), "status.block_time", 0xffffffffu));
  }

  const json& vin = f.require(object, "vin", "");
  if (!vin.is_array()) f.fail("vin", "expected an array, got " + describe(vin));
  tx.inputs.reserve(vin.size());
  for (std::size_t i = 0; i < vin.size(); ++i) {
    const std::string path = "vin[" + std::to_string(i) + "].";
    const json& in = vin[i];
    core::BtcInput input;
    input.coinbase = f.boolean(f.require(in, "is_coinbase", path), path + "is_coinbase");
    input.prev_txid = f.hash(f.require(in, "txid", path), path + "txid");
    input.prev_vout =
        static_cast<std::uint32_t>(f.unsigned_integer(f.require(in, "vout", path), path + "vout", 0xffffffffu));
    input.sequence =
        static_cast<std::uint32_t>(f.unsigned_integer(f.require(in, "sequence", path), path + "sequence", 0xffffffffu));
    const json* prevout = f.optional(in, "prevout");
    if (input.coinbase) {
      if (prevout != nullptr) f.fail(path + "prevout", "a coinbase input has no prevout");
    } else {
      if (prevout == nullptr) f.fail(path + "prevout", "missing (Esplora always gives the spent output)");
      read_output_fields(f, *prevout, path + "prevout.", input.address, input.script_type, input.value,
                         input.script_hex);
    }
    tx.inputs.push_back(std::move(input));
  }

  const json& vout = f.require(object, "vout", "");
  if (!vout.is_array()) f.fail("vout", "expected an array, got " + describe(vout));
  tx.outputs.reserve(vout.size());
  for (std::size_t n = 0; n < vout.size(); ++n) {
    const std::string path = "vout[" + std::to_string(n) + "].";
    core::BtcOutput output;
    output.n = static_cast<std::uint32_t>(n);
    read_output_fields(f, vout[n], path, output.address, output.script_type, output.value, output.script_hex);
    tx.outputs.push_back(std::move(output));
  }

  try {
    core::validate(tx);
  } catch (const Error& error) {
    throw invalid_argument(std::string(context) + ": " + error.what());
  }
  return tx;
}

core::BtcTransaction parse_esplora_tx_body(std::string_view body, std::string_view context,
                                           std::optional<std::string_view> expected_txid) {
  const json document = parse_body(body, context);
  if (!document.is_object()) fail_body(context, "expected a transaction object, got " + describe(document));
  return parse_esplora_tx(document, context, expected_txid);
}

std::vector<core::BtcTransaction> parse_esplora_tx_list(std::string_view body, std::string_view context) {
  const json document = parse_body(body, context);
  if (!document.is_array()) fail_body(context, "expected an array of transactions, got " + describe(document));
  std::vector<core::BtcTransaction> result;
  result.reserve(document.size());
  for (std::size_t i = 0; i < document.size(); ++i) {
    const std::string element_context = std::string(context) + ": [" + std::to_string(i) + "]";
    result.push_back(parse_esplora_tx(document[i], element_context));
  }
  return result;
}

}  // namespace fundtrail::ingest
