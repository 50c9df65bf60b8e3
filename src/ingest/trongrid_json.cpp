#include "fundtrail/ingest/trongrid_json.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <unordered_map>
#include <utility>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/amount.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;

// 9999-12-31T23:59:59.999Z: later times cannot be printed as ISO-8601 (core::format_iso8601).
constexpr std::uint64_t kMaxMillis = 253402300799999ULL;
constexpr std::size_t kTxidLength = 64;
// Fingerprints seen in the wild are ~100 Base58 characters; anything far longer is not a cursor.
constexpr std::size_t kMaxFingerprintLength = 2048;
constexpr unsigned kTrxDecimals = 6;
constexpr std::string_view kValuePath = "raw_data.contract[0].parameter.value";

[[noreturn]] void fail(std::string_view context, std::string_view field, const std::string& problem) {
  std::string message(context);
  if (!field.empty()) message += ": " + std::string(field);
  throw invalid_argument(message + ": " + problem);
}

std::string excerpt(const json& value) {
  return printable_excerpt(value.dump(-1, ' ', false, json::error_handler_t::replace), 80);
}

std::string path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

// The member `key` of `object`; nullptr when absent or null (TronGrid writes optional fields either way).
const json* find(const json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

const json& require(const json& object, std::string_view key, std::string_view context, std::string_view parent) {
  const json* value = find(object, key);
  if (value == nullptr) fail(context, path(parent, key), "missing");
  return *value;
}

const json& object_at(const json& value, std::string_view context, std::string_view field) {
  if (!value.is_object()) fail(context, field, "not an object: " + excerpt(value));
  return value;
}

const json& array_at(const json& value, std::string_view context, std::string_view field) {
  if (!value.is_array()) fail(context, field, "not an array: " + excerpt(value));
  return value;
}

const std::string& string_at(const json& value, std::string_view context, std::string_view field) {
  if (!value.is_string()) fail(context, field, "not a string: " + excerpt(value));
  return value.get_ref<const std::string&>();
}

bool bool_at(const json& value, std::string_view context, std::string_view field) {
  if (!value.is_boolean()) fail(context, field, "not true or false: " + excerpt(value));
  return value.get<bool>();
}

// A JSON number that is a whole, non-negative integer within 64 bits. nlohmann reads integers beyond 2^64 - 1
// and anything with a fraction or exponent as floating point: both are refused, never rounded.
std::uint64_t unsigned_at(const json& value, std::string_view context, std::string_view field) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  // The parser stores non-negative integers as unsigned, but a json built in code may hold them signed.
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  if (value.is_number_integer()) fail(context, field, "negative: " + excerpt(value));
  if (value.is_number_float()) fail(context, field, "not an integer (or beyond 64 bits): " + excerpt(value));
  fail(context, field, "not a number: " + excerpt(value));
}

std::int64_t int64_at(const json& value, std::string_view context, std::string_view field) {
  const std::uint64_t number = unsigned_at(value, context, field);
  if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    fail(context, field, "out of range: " + excerpt(value));
  }
  return static_cast<std::int64_t>(number);
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// TronGrid's block_timestamp (milliseconds) as UTC seconds.
core::UnixSeconds seconds_at(const json& value, std::string_view context, std::string_view field) {
  const std::uint64_t millis = unsigned_at(value, context, field);
  if (millis == 0 || millis > kMaxMillis) fail(context, field, "not a time between 1970 and 9999: " + excerpt(value));
  return static_cast<core::UnixSeconds>(millis / 1000);
}

// A token value: a decimal string (TRC-20 values exceed 64 bits) or a JSON integer, < 2^256.
core::Amount base_units_at(const json& value, std::string_view context, std::string_view field) {
  if (!value.is_string()) return core::Amount(unsigned_at(value, context, field));
  const std::string& text = value.get_ref<const std::string&>();
  // parse_base_units also reads 0x-hex; TronGrid's values are decimal, so anything else is not what we expect.
  if (!all_digits(text)) {
    fail(context, field,
         "not a non-negative decimal integer: " + printable_excerpt(text, 80, ExcerptStyle::QuotedUtf8));
  }
  try {
    return core::Amount::parse_base_units(text);
  } catch (const Error& error) {
    fail(context, field, error.what());  // adds where the value came from; the reason is kept
  }
}

unsigned decimals_at(const json& value, std::string_view context, std::string_view field) {
  std::uint64_t decimals = 0;
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (!all_digits(text) || text.size() > 3) {
      fail(context, field, "not a small decimal integer: " + printable_excerpt(text, 80, ExcerptStyle::QuotedUtf8));
    }
    decimals = std::stoull(text);
  } else {
    decimals = unsigned_at(value, context, field);
  }
  if (decimals > kTronMaxTokenDecimals) {
    fail(context, field, "out of range 0.." + std::to_string(kTronMaxTokenDecimals) + ": " + excerpt(value));
  }
  return static_cast<unsigned>(decimals);
}

std::string txid_at(const json& value, std::string_view context, std::string_view field) {
  std::string text = string_at(value, context, field);
  const bool hex = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (text.size() != kTxidLength || !hex) {
    fail(context, field, "not a 64-digit hex transaction id: " + printable_excerpt(text));
  }
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
  return text;
}

// A TRON address in either spelling (41-prefixed hex inside raw_data, Base58Check elsewhere) as Base58Check.
std::string address_at(const json& value, std::string_view context, std::string_view field) {
  const std::string& text = string_at(value, context, field);
  try {
    return core::normalize_address(core::Chain::Tron, text);
  } catch (const Error& error) {
    fail(context, field, error.what());
  }
}

std::optional<std::string> optional_text(const json& object, std::string_view key, std::string_view context,
                                         std::string_view parent) {
  const json* value = find(object, key);
  if (value == nullptr) return std::nullopt;
  return string_at(*value, context, path(parent, key));
}

AccountAsset trx() {
  AccountAsset asset;
  asset.symbol = "TRX";
  asset.decimals = kTrxDecimals;
  return asset;
}

AccountTransfer transfer(TransferKind kind, std::string from, std::string to, AccountAsset asset, core::Amount amount) {
  AccountTransfer result;
  result.kind = kind;
  result.from = std::move(from);
  result.to = std::move(to);
  result.asset = std::move(asset);
  result.amount = std::move(amount);
  return result;
}

void warn_trc10(std::string_view context, std::string_view txid, std::string_view what) {
  // A TRC-10 token is named by a numeric id whose decimals only GET /v1/assets/{id} tells: storing the raw
  // units without them would misstate amounts by orders of magnitude.
  spdlog::warn("trongrid: {}: transaction {}: skipping a TRC-10 {} (token decimals unknown)", context, txid, what);
}

// The TRX moved by one internal transaction, in TronGrid's shape (from_address, to_address, data.call_value:
// {"_": sun, "<token id>": units} or a number, data.rejected) or the full node's (caller_address,
// transferTo_address, callValueInfo: [{callValue, tokenId}], rejected). Empty when rejected or nothing moved.
std::vector<AccountTransfer> internal_transfers(const json& entry, std::string_view context, std::string_view field,
                                                std::string_view txid) {
  object_at(entry, context, field);
  const bool full_node_shape = find(entry, "caller_address") != nullptr || find(entry, "callValueInfo") != nullptr;
  std::string from;
  std::string to;
  bool rejected = false;
  std::vector<core::Amount> values;
  if (full_node_shape) {
    from = address_at(require(entry, "caller_address", context, field), context, path(field, "caller_address"));
    to = address_at(require(entry, "transferTo_address", context, field), context, path(field, "transferTo_address"));
    if (const json* flag = find(entry, "rejected")) rejected = bool_at(*flag, context, path(field, "rejected"));
    if (const json* infos = find(entry, "callValueInfo")) {
      const std::string infos_path = path(field, "callValueInfo");
      array_at(*infos, context, infos_path);
      for (std::size_t i = 0; i < infos->size(); ++i) {
        const std::string info_path = infos_path + "[" + std::to_string(i) + "]";
        const json& info = object_at((*infos)[i], context, info_path);
        const json* value = find(info, "callValue");
        if (value == nullptr) continue;  // a call without value
        const core::Amount amount(unsigned_at(*value, context, path(info_path, "callValue")));
        const std::optional<std::string> token = optional_text(info, "tokenId", context, info_path);
        if (token && !token->empty() && *token != "_") {
          if (!amount.is_zero()) warn_trc10(context, txid, "internal transfer");
          continue;
        }
        values.push_back(amount);
      }
    }
  } else {
    from = address_at(require(entry, "from_address", context, field), context, path(field, "from_address"));
    to = address_at(require(entry, "to_address", context, field), context, path(field, "to_address"));
    const std::string data_path = path(field, "data");
    const json& data = object_at(require(entry, "data", context, field), context, data_path);
    if (const json* flag = find(data, "rejected")) rejected = bool_at(*flag, context, path(data_path, "rejected"));
    if (const json* call_value = find(data, "call_value")) {
      const std::string value_path = path(data_path, "call_value");
      if (call_value->is_object()) {
        for (const auto& [key, value] : call_value->items()) {
          const core::Amount amount(unsigned_at(value, context, path(value_path, key)));
          if (key != "_") {
            if (!amount.is_zero()) warn_trc10(context, txid, "internal transfer");
            continue;
          }
          values.push_back(amount);
        }
      } else {
        values.emplace_back(unsigned_at(*call_value, context, value_path));
      }
    }
  }
  std::vector<AccountTransfer> result;
  if (rejected) return result;  // reverted inside the call: nothing moved
  for (core::Amount& amount : values) {
    // A zero-value internal call is a call, not a payment (unlike a top-level 0 TRX transfer, nobody chose to
    // send it, so it is no poisoning evidence either).
    if (!amount.is_zero()) result.push_back(transfer(TransferKind::Internal, from, to, trx(), std::move(amount)));
  }
  return result;
}

bool is_internal_record(const json& record) {
  return record.is_object() && find(record, "txID") == nullptr && find(record, "tx_id") != nullptr;
}

// A record listing one internal transaction on its own (search_internal=true).
AccountTransaction parse_internal_record(const json& record, std::string_view context) {
  AccountTransaction tx;
  tx.hash = txid_at(require(record, "tx_id", context, ""), context, "tx_id");
  tx.timestamp = seconds_at(require(record, "block_timestamp", context, ""), context, "block_timestamp");
  tx.transfers = internal_transfers(record, context, "", tx.hash);
  return tx;
}

std::optional<AccountTransaction> parse_transaction_record(const json& record, std::string_view context) {
  AccountTransaction tx;
  tx.hash = txid_at(require(record, "txID", context, ""), context, "txID");
  // Checked first, so no field of an altered record is ever used.
  if (const json* hex = find(record, "raw_data_hex")) {
    verify_tron_txid(tx.hash, string_at(*hex, context, "raw_data_hex"), context);
  }
  if (const json* number = find(record, "blockNumber")) tx.block_height = int64_at(*number, context, "blockNumber");
  tx.timestamp = seconds_at(require(record, "block_timestamp", context, ""), context, "block_timestamp");

  const json& ret = array_at(require(record, "ret", context, ""), context, "ret");
  if (ret.empty()) fail(context, "ret", "empty (no execution result)");
  const json& result = object_at(ret[0], context, "ret[0]");
  tx.failed = string_at(require(result, "contractRet", context, "ret[0]"), context, "ret[0].contractRet") != "SUCCESS";
  if (const json* fee = find(result, "fee")) tx.fee = core::Amount(unsigned_at(*fee, context, "ret[0].fee"));

  const json& raw = object_at(require(record, "raw_data", context, ""), context, "raw_data");
  const json& contracts = array_at(require(raw, "contract", context, "raw_data"), context, "raw_data.contract");
  // A transaction holds exactly one contract on TRON today (the list is a protocol relic).
  if (contracts.empty()) fail(context, "raw_data.contract", "empty");
  const json& contract = object_at(contracts[0], context, "raw_data.contract[0]");
  tx.type = string_at(require(contract, "type", context, "raw_data.contract[0]"), context, "raw_data.contract[0].type");
  const json& parameter = object_at(require(contract, "parameter", context, "raw_data.contract[0]"), context,
                                    "raw_data.contract[0].parameter");
  const json& value =
      object_at(require(parameter, "value", context, "raw_data.contract[0].parameter"), context, kValuePath);
  if (const json* owner = find(value, "owner_address"))
    tx.from = address_at(*owner, context, path(kValuePath, "owner_address"));

  if (tx.type == "TransferAssetContract") {
    warn_trc10(context, tx.hash, "transfer (TransferAssetContract)");
    return std::nullopt;
  }
  if (tx.type == "TransferContract") {
    if (!tx.from) fail(context, path(kValuePath, "owner_address"), "missing");
    tx.to = address_at(require(value, "to_address", context, kValuePath), context, path(kValuePath, "to_address"));
    const core::Amount amount(
        unsigned_at(require(value, "amount", context, kValuePath), context, path(kValuePath, "amount")));
    // Zero-value payments are kept: address poisoning sends them, and they are evidence of it.
    tx.transfers.push_back(transfer(TransferKind::Native, *tx.from, *tx.to, trx(), amount));
  } else if (tx.type == "TriggerSmartContract") {
    tx.to = address_at(require(value, "contract_address", context, kValuePath), context,
                       path(kValuePath, "contract_address"));
    if (const json* call_value = find(value, "call_value")) {
      const core::Amount amount(unsigned_at(*call_value, context, path(kValuePath, "call_value")));
      if (!amount.is_zero()) {
        if (!tx.from) fail(context, path(kValuePath, "owner_address"), "missing");
        tx.transfers.push_back(transfer(TransferKind::Native, *tx.from, *tx.to, trx(), amount));
      }
    }
  } else if (const json* to = find(value, "to_address")) {
    tx.to = address_at(*to, context, path(kValuePath, "to_address"));  // staking, votes ...: no payment read
  }

  if (const json* internals = find(record, "internal_transactions")) {
    array_at(*internals, context, "internal_transactions");
    for (std::size_t i = 0; i < internals->size(); ++i) {
      auto moved =
          internal_transfers((*internals)[i], context, "internal_transactions[" + std::to_string(i) + "]", tx.hash);
      std::move(moved.begin(), moved.end(), std::back_inserter(tx.transfers));
    }
  }
  if (tx.failed) tx.transfers.clear();  // a failed transaction moved nothing (its fee was still paid)
  return tx;
}

// Checks the status and the envelope; returns the document, whose "data" is an array.
json parse_envelope(const HttpResponse& response, std::string_view context, TronGridPage& page) {
  if (response.status != 200) {
    fail(context, "", "HTTP status " + std::to_string(response.status) + ": " + printable_excerpt(response.body, 200));
  }
  json document = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    fail(context, "", "not JSON (a truncated body or an error page?): " + printable_excerpt(response.body, 120));
  }
  if (!document.is_object())
    fail(context, "", "not a TronGrid response object: " + printable_excerpt(response.body, 120));
  // TronGrid reports some errors with status 200: {"success": false, "error": ...} or {"Error": ...}.
  const json* success = find(document, "success");
  if (success == nullptr || !success->is_boolean() || !success->get<bool>()) {
    fail(context, "", "TronGrid did not report success: " + printable_excerpt(response.body, 200));
  }
  const json& data = require(document, "data", context, "");
  array_at(data, context, "data");
  page.records = data.size();
  if (const json* meta = find(document, "meta")) {
    object_at(*meta, context, "meta");
    if (const json* fingerprint = find(*meta, "fingerprint")) {
      const std::string& text = string_at(*fingerprint, context, "meta.fingerprint");
      const bool printable = std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
      if (text.empty() || text.size() > kMaxFingerprintLength || !printable) {
        fail(context, "meta.fingerprint", "not a paging token: " + printable_excerpt(text));
      }
      page.fingerprint = text;
    }
  }
  return document;
}

// Adds `tx` to the page, or its transfers to the earlier entry of the same hash.
void add(TronGridPage& page, std::unordered_map<std::string, std::size_t>& by_hash, AccountTransaction tx,
         std::string_view where) {
  const auto [it, inserted] = by_hash.emplace(tx.hash, page.transactions.size());
  if (inserted) {
    page.transactions.push_back(std::move(tx));
    return;
  }
  AccountTransaction& known = page.transactions[it->second];
  if (known.timestamp != tx.timestamp) {
    fail(where, "block_timestamp", "transaction " + tx.hash + " has another time in an earlier record of this page");
  }
  if (known.failed) return;
  std::move(tx.transfers.begin(), tx.transfers.end(), std::back_inserter(known.transfers));
}

std::string record_context(std::string_view context, std::size_t index) {
  return std::string(context) + ": data[" + std::to_string(index) + "]";
}

}  // namespace

void verify_tron_txid(std::string_view txid, std::string_view raw_data_hex, std::string_view context) {
  std::string bytes;
  try {
    bytes = core::hex_to_bytes(raw_data_hex);
  } catch (const Error& error) {
    fail(context, "raw_data_hex", "transaction " + printable_excerpt(txid) + ": " + error.what());
  }
  const std::string digest = core::to_hex(core::sha256(bytes));
  const bool same =
      digest.size() == txid.size() && std::equal(digest.begin(), digest.end(), txid.begin(), [](char a, char b) {
        return a == (b >= 'A' && b <= 'F' ? static_cast<char>(b - 'A' + 'a') : b);
      });
  if (!same) {
    fail(context, "txID",
         "transaction " + printable_excerpt(txid) + " is not the SHA-256 of its raw_data_hex (" + digest +
             "): the record was altered");
  }
}

std::optional<AccountTransaction> parse_trongrid_transaction(const json& record, std::string_view context) {
  object_at(record, context, "");
  if (is_internal_record(record)) return parse_internal_record(record, context);
  return parse_transaction_record(record, context);
}

std::optional<AccountTransaction> parse_trongrid_trc20_transfer(const json& record, std::string_view context) {
  object_at(record, context, "");
  // Unconfirmed events may still vanish in a fork; only_confirmed=true should keep them out anyway.
  if (const json* unconfirmed = find(record, "_unconfirmed")) {
    if (bool_at(*unconfirmed, context, "_unconfirmed")) return std::nullopt;
  }
  // Approvals grant an allowance; no value moves.
  if (string_at(require(record, "type", context, ""), context, "type") != "Transfer") return std::nullopt;

  AccountTransaction tx;
  tx.hash = txid_at(require(record, "transaction_id", context, ""), context, "transaction_id");
  tx.timestamp = seconds_at(require(record, "block_timestamp", context, ""), context, "block_timestamp");
  const json& token = object_at(require(record, "token_info", context, ""), context, "token_info");
  AccountAsset asset;
  asset.contract = address_at(require(token, "address", context, "token_info"), context, "token_info.address");
  asset.symbol = optional_text(token, "symbol", context, "token_info");  // verbatim, however hostile
  asset.name = optional_text(token, "name", context, "token_info");
  if (const json* decimals = find(token, "decimals"))
    asset.decimals = decimals_at(*decimals, context, "token_info.decimals");
  std::string from = address_at(require(record, "from", context, ""), context, "from");
  std::string to = address_at(require(record, "to", context, ""), context, "to");
  core::Amount value = base_units_at(require(record, "value", context, ""), context, "value");
  tx.transfers.push_back(
      transfer(TransferKind::Token, std::move(from), std::move(to), std::move(asset), std::move(value)));
  return tx;
}

TronGridPage parse_trongrid_transactions_page(const HttpResponse& response, std::string_view context) {
  TronGridPage page;
  const json document = parse_envelope(response, context, page);
  const json& data = document.at("data");
  std::unordered_map<std::string, std::size_t> by_hash;
  // Transactions first, so that an internal-transaction record finds its parent wherever it is in the page.
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (is_internal_record(data[i])) continue;
    const std::string where = record_context(context, i);
    if (auto tx = parse_trongrid_transaction(data[i], where)) add(page, by_hash, std::move(*tx), where);
  }
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!is_internal_record(data[i])) continue;
    const std::string where = record_context(context, i);
    if (auto tx = parse_trongrid_transaction(data[i], where)) add(page, by_hash, std::move(*tx), where);
  }
  return page;
}

TronGridPage parse_trongrid_trc20_page(const HttpResponse& response, std::string_view context) {
  TronGridPage page;
  const json document = parse_envelope(response, context, page);
  const json& data = document.at("data");
  std::unordered_map<std::string, std::size_t> by_hash;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::string where = record_context(context, i);
    if (auto tx = parse_trongrid_trc20_transfer(data[i], where)) add(page, by_hash, std::move(*tx), where);
  }
  return page;
}

}  // namespace fundtrail::ingest
