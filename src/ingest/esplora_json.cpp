#include "fundtrail/ingest/esplora_json.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/error.hpp"
#include "json_fields.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;

// The Esplora rules on top of the shared field reader: satoshi as JSON integers, script types, addresses.
class Fields : public JsonFields {
 public:
  explicit Fields(std::string_view context) : JsonFields(context) {}

  std::uint64_t unsigned_integer(const json& value, const std::string& path, std::uint64_t max) const {
    if (value.is_number_integer() && !value.is_number_unsigned()) {
      if (value.get<std::int64_t>() < 0) fail(path, "negative value " + describe_json(value));
    }
    if (value.is_number_float()) fail(path, "expected a whole number, got " + describe_json(value));
    if (!value.is_number_integer()) fail(path, "expected an integer, got " + describe_json(value));
    const auto result = value.get<std::uint64_t>();
    if (result > max) fail(path, describe_json(value) + " exceeds the maximum " + std::to_string(max));
    return result;
  }

  std::uint64_t satoshi(const json& value, const std::string& path) const {
    if (value.is_number_float()) fail(path, "expected a whole number of satoshi, got " + describe_json(value));
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > core::kMaxMoneySatoshi) {
      fail(path, describe_json(value) + " satoshi exceeds 21,000,000 BTC");
    }
    return unsigned_integer(value, path, core::kMaxMoneySatoshi);
  }

  std::string script_hex(const json& value, const std::string& path) const { return hex(value, path, "a script in hex"); }

  std::string script_type(const json& value, const std::string& path) const {
    const std::string& text = string(value, path);
    const bool ok = !text.empty() && text.size() <= 32 &&
                    text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    if (!ok) fail(path, "unexpected script type " + describe_json(value));
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
  if (!object.is_object()) f.fail("transaction", "expected an object, got " + describe_json(object));
  core::BtcTransaction tx;
  tx.txid = f.hash(f.require(object, "txid", ""), "txid");
  if (expected_txid && lower_hex(std::string(*expected_txid)) != tx.txid) {
    f.fail("txid", "response is for " + tx.txid + ", not the requested " + printable_excerpt(*expected_txid, 64));
  }
  f.set_txid(tx.txid);

  // Esplora shows version as a signed 32-bit number; older software printed it unsigned: accept both.
  const json& version = f.require(object, "version", "");
  if (version.is_number_integer() && !version.is_number_unsigned()) {
    const auto v = version.get<std::int64_t>();
    if (v < std::numeric_limits<std::int32_t>::min()) f.fail("version", describe_json(version) + " is out of range");
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
  if (!vin.is_array()) f.fail("vin", "expected an array, got " + describe_json(vin));
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
  if (!vout.is_array()) f.fail("vout", "expected an array, got " + describe_json(vout));
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
  if (!document.is_object()) fail_body(context, "expected a transaction object, got " + describe_json(document));
  return parse_esplora_tx(document, context, expected_txid);
}

std::vector<core::BtcTransaction> parse_esplora_tx_list(std::string_view body, std::string_view context) {
  const json document = parse_body(body, context);
  if (!document.is_array()) fail_body(context, "expected an array of transactions, got " + describe_json(document));
  std::vector<core::BtcTransaction> result;
  result.reserve(document.size());
  for (std::size_t i = 0; i < document.size(); ++i) {
    const std::string element_context = std::string(context) + ": [" + std::to_string(i) + "]";
    result.push_back(parse_esplora_tx(document[i], element_context));
  }
  return result;
}

}  // namespace fundtrail::ingest
