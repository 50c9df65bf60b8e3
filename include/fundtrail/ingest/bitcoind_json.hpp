#pragma once
// Parsers for Bitcoin Core RPC transaction objects: getrawtransaction with verbosity 1 or 2 (or the old
// `verbose` true) and the `tx` entries of getblock verbosity 2/3. See ../shared/docs/API-FORMATS.md section 4.
//
// Core prints amounts in BTC as JSON decimals ("value": 0.00488600). Going through a double would lose
// satoshi, so bodies are parsed with parse_bitcoind_json, which keeps the original text of every
// non-integer number (and of integers beyond 64 bits) as a JSON *binary* value holding the digits: JSON
// text never produces binary values, so a number cannot be forged by a string. Amounts are then parsed
// exactly from that text (core::Amount::parse_display with 8 decimals). A document parsed with the plain
// nlohmann::json::parse is refused where an amount is read.
//
// Verbosity 1 has no prevouts: inputs come back with prevout_known = false and fee 0 (core::fill_prevouts
// completes them). Verbosity 2 / getblock 3 include `prevout` per input and `fee`, which must agree with
// inputs - outputs. getrawtransaction has no block height: pass the block context when known.
//
// Every problem is fundtrail::Error(InvalidArgument) whose message starts with `context` (the redacted RPC
// endpoint and method) and names the field: "<context>: tx <txid>: vout[1].value: negative amount '-0.1'".
// A JSON-RPC error envelope gives Error(NotFound) for code -5 (no such transaction), InvalidArgument otherwise.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fundtrail/core/btc_transaction.hpp"
#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::ingest {

// Parses a JSON body keeping numbers exact (see above): integers within 64 bits stay JSON integers, every
// other number becomes a binary value with its original text. Refuses HTML pages, truncated or malformed
// JSON, duplicate object keys, nesting deeper than 64 and numbers like 1e400 with Error(InvalidArgument).
nlohmann::json parse_bitcoind_json(std::string_view body, std::string_view context);

// When the transaction object comes from a getblock response, the block's fields (tx entries have none);
// for getrawtransaction, the caller's knowledge of the block height (Core does not report it).
struct BitcoindTxContext {
  std::optional<std::string> expected_txid;  // any case; a response for another txid is refused
  std::optional<std::string> block_hash;     // must agree with the object's blockhash when both are present
  std::optional<std::int64_t> block_height;
  std::optional<core::UnixSeconds> block_time;
};

// One transaction object from a parse_bitcoind_json document.
core::BtcTransaction parse_bitcoind_tx(const nlohmann::json& tx, std::string_view context,
                                       const BitcoindTxContext& block = {});

// A getrawtransaction body: the bare result object or a JSON-RPC envelope {"result": ..., "error": ..., "id": ...}.
core::BtcTransaction parse_bitcoind_tx_body(std::string_view body, std::string_view context,
                                            const BitcoindTxContext& block = {});

// Core's scriptPubKey.type names mapped to Esplora's (core/btc_transaction.hpp): pubkey -> p2pk,
// pubkeyhash -> p2pkh, scripthash -> p2sh, multisig -> multisig, nulldata -> op_return,
// witness_v0_keyhash -> v0_p2wpkh, witness_v0_scripthash -> v0_p2wsh, witness_v1_taproot -> v1_p2tr,
// anchor -> anchor, nonstandard / witness_unknown / anything else -> unknown (Esplora's name for both).
std::string esplora_script_type(std::string_view core_type);

// An exact BTC decimal ("0.00488600", "21000000", at most 8 decimals, no sign or exponent) in satoshi,
// <= 21,000,000 BTC; std::nullopt otherwise. `reason` says why.
std::optional<std::uint64_t> btc_decimal_to_satoshi(std::string_view text, std::string& reason);

}  // namespace fundtrail::ingest
