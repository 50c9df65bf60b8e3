#include "fundtrail/ingest/esplora_json.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/error.hpp"
#include "json_fields.hpp"
#include "fundtrail/ingest/json_tape.hpp"
#include "json_tape_fields.hpp"

namespace fundtrail::ingest {
namespace {

// The Esplora rules on top of the shared field reader: satoshi as JSON integers, script types, addresses.
class Fields : public TapeFields {
 public:
  explicit Fields(std::string_view context) : TapeFields(context) {}

  std::uint64_t unsigned_integer(const JsonValue& value, const FieldPath& path, std::uint64_t max) const {
    if (value.is_number_integer() && !value.is_number_unsigned()) {
      if (value.signed_value() < 0) fail(path, "negative value " + describe_json(value));
      return 0;  // "-0"
    }
    if (value.is_number_float()) fail(path, "expected a whole number, got " + describe_json(value));
    if (!value.is_number_integer()) fail(path, "expected an integer, got " + describe_json(value));
    const std::uint64_t result = value.unsigned_value();
    if (result > max) fail(path, describe_json(value) + " exceeds the maximum " + std::to_string(max));
    return result;
  }

  std::uint64_t satoshi(const JsonValue& value, const FieldPath& path) const {
    if (value.is_number_float()) fail(path, "expected a whole number of satoshi, got " + describe_json(value));
    if (value.is_number_unsigned() && value.unsigned_value() > core::kMaxMoneySatoshi) {
      fail(path, describe_json(value) + " satoshi exceeds 21,000,000 BTC");
    }
    return unsigned_integer(value, path, core::kMaxMoneySatoshi);
  }

  std::string script_type(const JsonValue& value, const FieldPath& path) const {
    const std::string_view text = string(value, path);
    const bool ok = !text.empty() && text.size() <= 32 &&
                    text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
    if (!ok) fail(path, "unexpected script type " + describe_json(value));
    return std::string(text);
  }

  // scriptpubkey_address: absent, null or "" (mempool.space for OP_RETURN) mean no address.
  std::optional<std::string> address(const JsonValue& object, std::string_view prefix) const {
    const std::optional<JsonValue> value = optional(object, "scriptpubkey_address");
    if (!value) return std::nullopt;
    const FieldPath path{prefix, "scriptpubkey_address"};
    const std::string_view text = string(*value, path);
    if (text.empty()) return std::nullopt;
    try {
      return core::normalize_address(core::Chain::Btc, text);
    } catch (const Error& error) {
      fail(path, error.what());
    }
  }
};

void read_output_fields(const Fields& f, const JsonValue& object, std::string_view prefix,
                        std::optional<std::string>& address, std::string& script_type, std::uint64_t& value,
                        std::string& script_hex) {
  script_hex = f.hex(f.require(object, "scriptpubkey", prefix), {prefix, "scriptpubkey"}, "a script in hex");
  script_type = f.script_type(f.require(object, "scriptpubkey_type", prefix), {prefix, "scriptpubkey_type"});
  address = f.address(object, prefix);
  value = f.satoshi(f.require(object, "value", prefix), {prefix, "value"});
}

[[noreturn]] void fail_body(std::string_view context, const std::string& reason) {
  throw invalid_argument(std::string(context) + ": " + reason);
}

// Parses a body that must be JSON; HTML error pages, plain-text errors and truncated bodies get a clear message.
JsonValue parse_body(JsonTape& tape, std::string_view body, std::string_view context) {
  const auto start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) fail_body(context, "empty response body, expected JSON");
  const char first = body[start];
  if (first != '{' && first != '[') {
    const std::string what = first == '<' ? "an HTML/XML page" : "not JSON";
    fail_body(context, "response is " + what + ", starting '" + printable_excerpt(body.substr(start), 60) + "'");
  }
  try {
    tape.parse(body);
  } catch (const JsonSyntaxError& error) {
    fail_body(context, "malformed JSON (" + printable_excerpt(error.what(), 200) + ")");
  }
  return tape.root();
}

core::BtcTransaction parse_tx(const JsonValue& object, std::string_view context,
                              std::optional<std::string_view> expected_txid) {
  Fields f(context);
  if (!object.is_object()) f.fail("transaction", "expected an object, got " + describe_json(object));
  core::BtcTransaction tx;
  tx.txid = f.hash(f.require(object, "txid", ""), {"", "txid"});
  if (expected_txid && lower_hex(std::string(*expected_txid)) != tx.txid) {
    f.fail("txid", "response is for " + tx.txid + ", not the requested " + printable_excerpt(*expected_txid, 64));
  }
  f.set_txid(tx.txid);

  // Esplora shows version as a signed 32-bit number; older software printed it unsigned: accept both.
  const JsonValue version = f.require(object, "version", "");
  if (version.is_number_integer() && !version.is_number_unsigned()) {
    const std::int64_t v = version.signed_value();
    if (v < std::numeric_limits<std::int32_t>::min()) f.fail("version", describe_json(version) + " is out of range");
    tx.version = static_cast<std::int32_t>(v);
  } else {
    tx.version = static_cast<std::int32_t>(
        static_cast<std::uint32_t>(f.unsigned_integer(version, {"", "version"}, 0xffffffffu)));
  }
  tx.locktime =
      static_cast<std::uint32_t>(f.unsigned_integer(f.require(object, "locktime", ""), {"", "locktime"}, 0xffffffffu));
  tx.size = static_cast<std::uint32_t>(f.unsigned_integer(f.require(object, "size", ""), {"", "size"}, 0xffffffffu));
  tx.weight =
      static_cast<std::uint32_t>(f.unsigned_integer(f.require(object, "weight", ""), {"", "weight"}, 0xffffffffu));
  tx.fee = f.satoshi(f.require(object, "fee", ""), {"", "fee"});

  const JsonValue status = f.require(object, "status", "");
  tx.confirmed = f.boolean(f.require(status, "confirmed", "status."), {"status.", "confirmed"});
  if (tx.confirmed) {
    tx.block_height = static_cast<std::int64_t>(f.unsigned_integer(f.require(status, "block_height", "status."),
                                                                   {"status.", "block_height"},
                                                                   std::numeric_limits<std::int32_t>::max()));
    tx.block_hash = f.hash(f.require(status, "block_hash", "status."), {"status.", "block_hash"});
    tx.block_time = static_cast<core::UnixSeconds>(
        f.unsigned_integer(f.require(status, "block_time", "status."), {"status.", "block_time"}, 0xffffffffu));
  }

  const JsonValue vin = f.require(object, "vin", "");
  if (!vin.is_array()) f.fail("vin", "expected an array, got " + describe_json(vin));
  tx.inputs.reserve(vin.size());
  std::string prefix;
  for (const JsonValue in : vin.elements()) {
    prefix = "vin[" + std::to_string(tx.inputs.size()) + "].";
    core::BtcInput& input = tx.inputs.emplace_back();
    input.coinbase = f.boolean(f.require(in, "is_coinbase", prefix), {prefix, "is_coinbase"});
    input.prev_txid = f.hash(f.require(in, "txid", prefix), {prefix, "txid"});
    input.prev_vout =
        static_cast<std::uint32_t>(f.unsigned_integer(f.require(in, "vout", prefix), {prefix, "vout"}, 0xffffffffu));
    input.sequence = static_cast<std::uint32_t>(
        f.unsigned_integer(f.require(in, "sequence", prefix), {prefix, "sequence"}, 0xffffffffu));
    const std::optional<JsonValue> prevout = f.optional(in, "prevout");
    if (input.coinbase) {
      if (prevout) f.fail(FieldPath{prefix, "prevout"}, "a coinbase input has no prevout");
    } else {
      if (!prevout) f.fail(FieldPath{prefix, "prevout"}, "missing (Esplora always gives the spent output)");
      read_output_fields(f, *prevout, prefix + "prevout.", input.address, input.script_type, input.value,
                         input.script_hex);
    }
  }

  const JsonValue vout = f.require(object, "vout", "");
  if (!vout.is_array()) f.fail("vout", "expected an array, got " + describe_json(vout));
  tx.outputs.reserve(vout.size());
  for (const JsonValue out : vout.elements()) {
    prefix = "vout[" + std::to_string(tx.outputs.size()) + "].";
    core::BtcOutput& output = tx.outputs.emplace_back();
    output.n = static_cast<std::uint32_t>(tx.outputs.size() - 1);
    read_output_fields(f, out, prefix, output.address, output.script_type, output.value, output.script_hex);
  }

  try {
    core::validate(tx);
  } catch (const Error& error) {
    throw invalid_argument(std::string(context) + ": " + error.what());
  }
  return tx;
}

}  // namespace

core::BtcTransaction parse_esplora_tx_body(std::string_view body, std::string_view context,
                                           std::optional<std::string_view> expected_txid) {
  JsonTape tape;
  const JsonValue document = parse_body(tape, body, context);
  if (!document.is_object()) fail_body(context, "expected a transaction object, got " + describe_json(document));
  return parse_tx(document, context, expected_txid);
}

std::vector<core::BtcTransaction> parse_esplora_tx_list(std::string_view body, std::string_view context) {
  JsonTape tape;
  const JsonValue document = parse_body(tape, body, context);
  if (!document.is_array()) fail_body(context, "expected an array of transactions, got " + describe_json(document));
  std::vector<core::BtcTransaction> result;
  result.reserve(document.size());
  for (const JsonValue element : document.elements()) {
    const std::string element_context = std::string(context) + ": [" + std::to_string(result.size()) + "]";
    result.push_back(parse_tx(element, element_context, std::nullopt));
  }
  return result;
}

}  // namespace fundtrail::ingest
