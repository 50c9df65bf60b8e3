#pragma once
// Parsers for TronGrid v1 account-history pages (../shared/docs/API-FORMATS.md section 3). Pure functions of
// one response: TronGridSource performs the requests.
//   GET /v1/accounts/{a}/transactions        TRON transactions: TRX payments (TransferContract), contract
//                                            calls (TriggerSmartContract, with the TRX they carry) and, with
//                                            search_internal=true, the TRX that contracts moved internally
//   GET /v1/accounts/{a}/transactions/trc20  TRC-20 Transfer events (USDT ...), one record per event
//
// Everything is untrusted input. The body must be TronGrid's envelope {"success": true, "data": [...],
// "meta": {...}}: an HTML error page, a truncated body, {"success": false, ...} or a non-200 status is refused.
// Every field used must be present with its type; integers must be whole and non-negative (JSON numbers or, for
// token values, decimal strings), amounts < 2^256, timestamps within the years 1970-9999, txids 64 hex digits
// (returned lower-case), addresses valid TRON addresses (41-prefixed hex inside raw_data, Base58Check
// elsewhere; returned as Base58Check). Where a record carries raw_data_hex, its txID must be the SHA-256 of
// those bytes (TRON's transaction id), so a record altered in transit or by the provider is never stored.
// Token symbols and names are kept verbatim (attacker-controlled text: the store and the reports escape it).
//
// Errors are fundtrail::Error(InvalidArgument) whose message starts with `context` (the redacted URL) and names
// the record and the field: "https://api.trongrid.io/v1/...: data[3]: ret[0].fee: not an integer: 1.5".
// Quoted response text goes through printable_excerpt.
//
// Units: amounts and fees in base units (sun: 1 TRX = 10^6 sun; token units); timestamps UTC seconds (TronGrid
// gives milliseconds; the fraction of a second is dropped).
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/ingest/account_source.hpp"
#include "fundtrail/ingest/http_transport.hpp"

namespace fundtrail::ingest {

// TRC-20 decimals beyond this cannot be represented (core::Amount::kMaxDecimals).
inline constexpr unsigned kTronMaxTokenDecimals = 77;

struct TronGridPage {
  // One entry per transaction hash, in the order of first appearance. Every `evidence` is 0 (the page is one
  // response). A page may hold several records of one transaction (a TRC-20 transaction with two Transfer
  // events, an internal-transaction record next to its parent): their transfers are gathered in one entry.
  // Duplicated records give duplicated transfers; the store keeps one row per distinct transfer.
  std::vector<AccountTransaction> transactions;
  std::size_t records = 0;                 // entries of `data`, skipped ones included (0 = an empty page)
  std::optional<std::string> fingerprint;  // meta.fingerprint: another page may follow (see TronGridSource)
};

// A page of GET /v1/accounts/{a}/transactions. Records:
//  * {"txID": ...}: a transaction. block_height = blockNumber, failed = ret[0].contractRet != "SUCCESS" (then no
//    transfers), fee = ret[0].fee, type = raw_data.contract[0].type, from = owner_address. TransferContract:
//    one Native transfer owner -> to_address of `amount` sun (zero kept: address poisoning is evidence).
//    TriggerSmartContract: to = contract_address; a Native transfer owner -> contract when call_value > 0 (the
//    tokens it moves come from the trc20 endpoint, not from decoding `data`). TransferAssetContract (TRC-10)
//    is skipped with a warning: its token's decimals would need another request. internal_transactions[]
//    entries that move TRX (> 0, not rejected) become Internal transfers caller -> recipient.
//  * {"internal_tx_id", "tx_id", "from_address", "to_address", "data": {"call_value": {"_": sun}, "rejected"}}:
//    an internal transaction listed on its own (what search_internal=true adds). Its TRX transfer joins the
//    parent transaction when that is in the page; otherwise it stands alone with only hash, timestamp and the
//    transfer known (block_height, from, to, fee unset; type empty).
// Both internal shapes are read: TronGrid's (from_address/to_address/data.call_value, TRC-10 values keyed by
// token id, TRX by "_") and the full node's (caller_address/transferTo_address/callValueInfo[{callValue,
// tokenId}]). Internal TRC-10 values are skipped with a warning.
TronGridPage parse_trongrid_transactions_page(const HttpResponse& response, std::string_view context);

// A page of GET /v1/accounts/{a}/transactions/trc20. Each {"type": "Transfer"} record is a Token transfer
// from -> to of `value` (decimal string) with asset contract = token_info.address and symbol, name, decimals
// (a number or a decimal string, 0..77) from token_info. Records with "_unconfirmed": true and other types
// ("Approval") are skipped. The transaction carries only hash and timestamp: TronGrid gives no block number
// there (block_height, from, to, fee unset; type empty); the transactions endpoint has the rest.
TronGridPage parse_trongrid_trc20_page(const HttpResponse& response, std::string_view context);

// One record of each endpoint, as above; std::nullopt for a skipped record. `context` prefixes messages.
std::optional<AccountTransaction> parse_trongrid_transaction(const nlohmann::json& record, std::string_view context);
std::optional<AccountTransaction> parse_trongrid_trc20_transfer(const nlohmann::json& record, std::string_view context);

// TRON's transaction id is SHA-256 of the serialized raw_data. Throws fundtrail::Error(InvalidArgument) naming
// `context` and the txid when `raw_data_hex` is not hex or its digest differs from `txid` (compared without
// regard to case).
void verify_tron_txid(std::string_view txid, std::string_view raw_data_hex, std::string_view context);

}  // namespace fundtrail::ingest
