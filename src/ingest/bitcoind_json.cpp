#include "fundtrail/ingest/bitcoind_json.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/error.hpp"
#include "json_fields.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxDepth = 64;
constexpr std::uint64_t kSatoshiPerBtc = 100'000'000;

// Builds a DOM like nlohmann's own parser, except that a number nlohmann would turn into a double (any
// number with a fraction or exponent, and integers beyond 64 bits) is kept as its original text in a binary
// value. Duplicate keys and excessive nesting are refused rather than silently resolved.
class ExactDomBuilder {
 public:
  explicit ExactDomBuilder(json& root) : root_(root) {}

  bool null() { return put(json(nullptr)) != nullptr; }
  bool boolean(bool value) { return put(json(value)) != nullptr; }
  bool number_integer(json::number_integer_t value) { return put(json(value)) != nullptr; }
  bool number_unsigned(json::number_unsigned_t value) { return put(json(value)) != nullptr; }
  bool number_float(json::number_float_t /*double: unused on purpose*/, const json::string_t& text) {
    return put(json::binary(json::binary_t::container_type(text.begin(), text.end()))) != nullptr;
  }
  bool string(json::string_t& value) { return put(json(std::move(value))) != nullptr; }
  bool binary(json::binary_t& value) { return put(json::binary(std::move(value))) != nullptr; }

  bool start_object(std::size_t /*elements*/) { return open(json::object()); }
  bool key(json::string_t& key) {
    if (stack_.back()->contains(key)) {
      error_ = "duplicate key '" + printable_excerpt(key, 40) + "'";
      return false;
    }
    key_ = std::move(key);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*elements*/) { return open(json::array()); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/, const json::exception& error) {
    error_ = printable_excerpt(error.what(), 200);
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  bool open(json container) {
    if (stack_.size() >= kMaxDepth) {
      error_ = "nested deeper than " + std::to_string(kMaxDepth) + " levels";
      return false;
    }
    json* slot = put(std::move(container));
    if (slot == nullptr) return false;
    stack_.push_back(slot);
    return true;
  }

  // Stores `value` in the open container (or as the root). The pointers on the stack stay valid: an array
  // only grows while it is the innermost open container, and object members never move.
  json* put(json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    auto [it, inserted] = parent.get_ref<json::object_t&>().emplace(std::move(key_), std::move(value));
    return &it->second;
  }

  json& root_;
  std::vector<json*> stack_;
  std::string key_;
  std::string error_;
};

// The Bitcoin Core rules on top of the shared field reader: null is missing, exact decimal BTC amounts.
class Fields : public JsonFields {
 public:
  explicit Fields(std::string_view context) : JsonFields(context, /*null_is_missing=*/true) {}

  // A JSON integer in [min, max]; fractions, exponents and integers beyond 64 bits (binary text) are refused.
  std::int64_t integer(const json& value, const std::string& path, std::int64_t min, std::int64_t max) const {
    if (value.is_binary()) fail(path, "expected an integer, got " + describe_json(value));
    if (value.is_number_float()) fail(path, "expected an integer, got " + describe_json(value));
    if (!value.is_number_integer()) fail(path, "expected an integer, got " + describe_json(value));
    if (value.is_number_unsigned()) {
      const auto v = value.get<std::uint64_t>();
      if (v > static_cast<std::uint64_t>(max)) fail(path, describe_json(value) + " is out of range");
      return static_cast<std::int64_t>(v);
    }
    const auto v = value.get<std::int64_t>();
    if (v < min || v > max) fail(path, describe_json(value) + " is out of range");
    return v;
  }

  std::uint32_t uint32(const json& value, const std::string& path) const {
    return static_cast<std::uint32_t>(integer(value, path, 0, 0xffffffffLL));
  }

  // A BTC amount: exact decimal text (binary value from parse_bitcoind_json) or a whole JSON integer.
  std::uint64_t btc(const json& value, const std::string& path) const {
    if (value.is_number_float()) {
      fail(path, "amount was parsed through a double (parse the body with parse_bitcoind_json to keep it exact)");
    }
    std::string text;
    if (value.is_binary()) {
      const auto& bytes = value.get_binary();
      text.assign(bytes.begin(), bytes.end());
    } else if (value.is_number_integer()) {
      if (!value.is_number_unsigned() && value.get<std::int64_t>() < 0) {
        fail(path, "negative amount " + describe_json(value));
      }
      text = std::to_string(value.get<std::uint64_t>());
    } else {
      fail(path, "expected a BTC amount (JSON number), got " + describe_json(value));
    }
    std::string reason;
    const auto satoshi = btc_decimal_to_satoshi(text, reason);
    if (!satoshi) fail(path, reason);
    return *satoshi;
  }

  std::string address(const json& value, const std::string& path) const {
    const std::string& text = string(value, path);
    try {
      return core::normalize_address(core::Chain::Btc, text);
    } catch (const Error& error) {
      fail(path, error.what());
    }
  }
};

// scriptPubKey {asm, desc, hex, address?, addresses?, type}: the address from `address` (Core >= 22) or a
// single-entry `addresses` (older Core; multisig listed its keys' addresses, which are not an address of
// the script, so they are ignored).
void read_script_pubkey(const Fields& f, const json& spk, const std::string& path, std::optional<std::string>& address,
                        std::string& script_type, std::string& script_hex) {
  script_hex = f.hex(f.require(spk, "hex", path), path + "hex");
  const std::string& core_type = f.string(f.require(spk, "type", path), path + "type");
  script_type = esplora_script_type(core_type);
  if (const json* single = f.optional(spk, "address")) {
    address = f.address(*single, path + "address");
  } else if (const json* list = f.optional(spk, "addresses")) {
    if (!list->is_array()) f.fail(path + "addresses", "expected an array, got " + describe_json(*list));
    if (list->size() == 1 && core_type != "multisig") address = f.address((*list)[0], path + "addresses[0]");
  }
}

}  // namespace

std::optional<std::uint64_t> btc_decimal_to_satoshi(std::string_view text, std::string& reason) {
  const std::string shown = "'" + printable_excerpt(text, 40) + "'";
  if (text.empty()) {
    reason = "empty amount";
    return std::nullopt;
  }
  if (text.front() == '-') {
    reason = "negative amount " + shown;
    return std::nullopt;
  }
  if (text.find_first_of("eE") != std::string_view::npos) {
    reason = "amount " + shown + " in exponent notation (Bitcoin Core never writes one)";
    return std::nullopt;
  }
  const auto point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  const auto digits_only = [](std::string_view part) {
    return part.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (whole.empty() || !digits_only(whole) || !digits_only(fraction) ||
      (point != std::string_view::npos && fraction.empty())) {
    reason = "malformed amount " + shown;
    return std::nullopt;
  }
  while (fraction.size() > 8 && fraction.back() == '0') fraction.remove_suffix(1);
  if (fraction.size() > 8) {
    reason = "amount " + shown + " has more than 8 decimal places (finer than a satoshi)";
    return std::nullopt;
  }
  std::string_view significant = whole;
  while (significant.size() > 1 && significant.front() == '0') significant.remove_prefix(1);
  if (significant.size() > 8) {  // 21,000,000 has 8 digits
    reason = "amount " + shown + " BTC exceeds 21,000,000 BTC";
    return std::nullopt;
  }
  std::uint64_t btc = 0;
  for (char c : significant) btc = btc * 10 + static_cast<std::uint64_t>(c - '0');
  std::uint64_t sat = 0;
  for (std::size_t i = 0; i < 8; ++i)
    sat = sat * 10 + (i < fraction.size() ? static_cast<std::uint64_t>(fraction[i] - '0') : 0);
  const std::uint64_t total = btc * kSatoshiPerBtc + sat;
  if (total > core::kMaxMoneySatoshi) {
    reason = "amount " + shown + " BTC exceeds 21,000,000 BTC";
    return std::nullopt;
  }
  return total;
}

std::string esplora_script_type(std::string_view core_type) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"pubkey", "p2pk"},
      {"pubkeyhash", "p2pkh"},
      {"scripthash", "p2sh"},
      {"multisig", "multisig"},
      {"nulldata", "op_return"},
      {"witness_v0_keyhash", "v0_p2wpkh"},
      {"witness_v0_scripthash", "v0_p2wsh"},
      {"witness_v1_taproot", "v1_p2tr"},
      {"anchor", "anchor"},
  };
  for (const auto& [core_name, esplora_name] : kNames) {
    if (core_type == core_name) return std::string(esplora_name);
  }
  return "unknown";
}

json parse_bitcoind_json(std::string_view body, std::string_view context) {
  const auto start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos)
    throw invalid_argument(std::string(context) + ": empty response body, expected JSON");
  const char first = body[start];
  if (first != '{' && first != '[') {
    const std::string what = first == '<' ? "an HTML/XML page" : "not JSON";
    throw invalid_argument(std::string(context) + ": response is " + what + ", starting '" +
                           printable_excerpt(body.substr(start), 60) + "'");
  }
  json root;
  ExactDomBuilder builder(root);
  bool ok = false;
  try {
    ok = json::sax_parse(body.begin(), body.end(), &builder);
  } catch (const json::exception& error) {
    throw invalid_argument(std::string(context) + ": malformed JSON (" + printable_excerpt(error.what(), 200) + ")");
  }
  if (!ok) {
    throw invalid_argument(std::string(context) + ": malformed JSON (" +
                           (builder.error().empty() ? std::string("parse error") : builder.error()) + ")");
  }
  return root;
}

core::BtcTransaction parse_bitcoind_tx(const json& object, std::string_view context, const BitcoindTxContext& block) {
  Fields f(context);
  if (!object.is_object()) f.fail("transaction", "expected an object, got " + describe_json(object));
  core::BtcTransaction tx;
  tx.txid = f.hash(f.require(object, "txid", ""), "txid");
  if (block.expected_txid && lower_hex(*block.expected_txid) != tx.txid) {
    f.fail("txid", "response is for " + tx.txid + ", not the requested " + printable_excerpt(*block.expected_txid, 64));
  }
  f.set_txid(tx.txid);

  // Core prints nVersion as a signed 32-bit number (unsigned before 0.13): accept both spellings.
  tx.version = static_cast<std::int32_t>(static_cast<std::uint32_t>(
      f.integer(f.require(object, "version", ""), "version", std::numeric_limits<std::int32_t>::min(), 0xffffffffLL)));
  tx.locktime = f.uint32(f.require(object, "locktime", ""), "locktime");
  tx.size = f.uint32(f.require(object, "size", ""), "size");
  if (const json* weight = f.optional(object, "weight")) tx.weight = f.uint32(*weight, "weight");

  // Block: from the object (getrawtransaction) or the caller (getblock entries, known heights).
  std::optional<std::string> block_hash = block.block_hash;
  if (block_hash) {
    if (block_hash->size() != 64 || !is_hex_text(*block_hash)) f.fail("block hash (caller)", "expected 64 hex digits");
    block_hash = lower_hex(*block_hash);
  }
  if (const json* hash = f.optional(object, "blockhash")) {
    const std::string own = f.hash(*hash, "blockhash");
    if (block_hash && *block_hash != own)
      f.fail("blockhash", own + " disagrees with the enclosing block " + *block_hash);
    block_hash = own;
  }
  bool in_chain = true;
  if (const json* active = f.optional(object, "in_active_chain")) in_chain = f.boolean(*active, "in_active_chain");
  if (const json* confirmations = f.optional(object, "confirmations")) {
    // 0 (or, for wallets, negative) confirmations: the block is not in the active chain.
    if (f.integer(*confirmations, "confirmations", std::numeric_limits<std::int64_t>::min(),
                  std::numeric_limits<std::int64_t>::max()) <= 0) {
      in_chain = false;
    }
  }
  tx.confirmed = block_hash.has_value() && in_chain;
  if (tx.confirmed) {
    tx.block_hash = block_hash;
    tx.block_height = block.block_height;
    if (const json* time = f.optional(object, "blocktime")) {
      tx.block_time = f.integer(*time, "blocktime", 0, 0xffffffffLL);
      if (block.block_time && *block.block_time != *tx.block_time) {
        f.fail("blocktime", std::to_string(*tx.block_time) + " disagrees with the enclosing block's " +
                                std::to_string(*block.block_time));
      }
    } else {
      tx.block_time = block.block_time;
    }
  }

  const json& vin = f.require(object, "vin", "");
  if (!vin.is_array()) f.fail("vin", "expected an array, got " + describe_json(vin));
  tx.inputs.reserve(vin.size());
  for (std::size_t i = 0; i < vin.size(); ++i) {
    const std::string path = "vin[" + std::to_string(i) + "].";
    const json& in = vin[i];
    if (!in.is_object()) f.fail("vin[" + std::to_string(i) + "]", "expected an object, got " + describe_json(in));
    core::BtcInput input;
    input.sequence = f.uint32(f.require(in, "sequence", path), path + "sequence");
    if (const json* coinbase = f.optional(in, "coinbase")) {
      f.hex(*coinbase, path + "coinbase");
      input.coinbase = true;
      input.prev_txid = std::string(core::kNullTxid);
      input.prev_vout = core::kNullVout;
      tx.inputs.push_back(std::move(input));
      continue;
    }
    input.prev_txid = f.hash(f.require(in, "txid", path), path + "txid");
    input.prev_vout = f.uint32(f.require(in, "vout", path), path + "vout");
    if (const json* prevout = f.optional(in, "prevout")) {
      const std::string prevout_path = path + "prevout.";
      input.value = f.btc(f.require(*prevout, "value", prevout_path), prevout_path + "value");
      read_script_pubkey(f, f.require(*prevout, "scriptPubKey", prevout_path), prevout_path + "scriptPubKey.",
                         input.address, input.script_type, input.script_hex);
    } else {
      input.prevout_known = false;  // verbosity 1: core::fill_prevouts completes it
    }
    tx.inputs.push_back(std::move(input));
  }

  const json& vout = f.require(object, "vout", "");
  if (!vout.is_array()) f.fail("vout", "expected an array, got " + describe_json(vout));
  tx.outputs.reserve(vout.size());
  for (std::size_t i = 0; i < vout.size(); ++i) {
    const std::string path = "vout[" + std::to_string(i) + "].";
    core::BtcOutput output;
    output.value = f.btc(f.require(vout[i], "value", path), path + "value");
    output.n = f.uint32(f.require(vout[i], "n", path), path + "n");
    read_script_pubkey(f, f.require(vout[i], "scriptPubKey", path), path + "scriptPubKey.", output.address,
                       output.script_type, output.script_hex);
    tx.outputs.push_back(std::move(output));
  }

  if (const json* fee = f.optional(object, "fee")) {
    tx.fee = f.btc(*fee, "fee");  // core::validate checks it against inputs - outputs
  } else if (!core::is_coinbase(tx) && core::prevouts_known(tx)) {
    std::uint64_t in_sum = 0;
    std::uint64_t out_sum = 0;
    for (const auto& input : tx.inputs) in_sum += input.value;      // each <= 21e6 BTC: no overflow for
    for (const auto& output : tx.outputs) out_sum += output.value;  // any realistic count; validate checks sums
    tx.fee = in_sum >= out_sum ? in_sum - out_sum : 0;
  }

  try {
    core::validate(tx);
  } catch (const Error& error) {
    throw invalid_argument(std::string(context) + ": " + error.what());
  }
  return tx;
}

core::BtcTransaction parse_bitcoind_tx_body(std::string_view body, std::string_view context,
                                            const BitcoindTxContext& block) {
  const json document = parse_bitcoind_json(body, context);
  if (!document.is_object()) {
    throw invalid_argument(std::string(context) + ": expected a transaction object, got " + describe_json(document));
  }
  // JSON-RPC envelope: {"result": ..., "error": null | {"code": -5, "message": "..."}, "id": ...}.
  if (document.contains("result") && document.contains("error")) {
    const json& error = document["error"];
    if (!error.is_null()) {
      std::string message = "bitcoind RPC error";
      std::int64_t code = 0;
      if (error.is_object()) {
        if (const auto it = error.find("code"); it != error.end() && it->is_number_integer()) {
          code = it->get<std::int64_t>();
          message += " " + std::to_string(code);
        }
        if (const auto it = error.find("message"); it != error.end() && it->is_string()) {
          message += ": " + printable_excerpt(it->get_ref<const std::string&>(), 200);
        }
      }
      const ErrorKind kind =
          code == -5 ? ErrorKind::NotFound : ErrorKind::InvalidArgument;  // RPC_INVALID_ADDRESS_OR_KEY
      throw Error(kind, std::string(context) + ": " + message);
    }
    return parse_bitcoind_tx(document["result"], context, block);
  }
  return parse_bitcoind_tx(document, context, block);
}

}  // namespace fundtrail::ingest
