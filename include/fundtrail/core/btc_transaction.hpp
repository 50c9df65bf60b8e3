#pragma once
// The Bitcoin UTXO model: one transaction with its inputs (each naming the output it spends, with that
// output's address, script and value: the "prevout") and its outputs. docs/bitcoin-model.md explains how
// fundtrail turns it into address-level transfers (core/btc_transfers.hpp).
//
// Units: every value is in satoshi (1 BTC = 10^8 sat) as std::uint64_t, never floating point, and at most
// kMaxMoneySatoshi (21,000,000 BTC, Bitcoin Core's MAX_MONEY). Times are UTC seconds.
// Addresses are in core::normalize_address(Chain::Btc, ...) form (Base58 unchanged, Bech32 lower case);
// txids and block hashes are 64 lower-case hex digits in the usual display (byte-reversed) order.
// Script types use Esplora's names (see kBtcScriptTypes); the Bitcoin Core parser maps Core's names to them.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::core {

// 21,000,000 BTC in satoshi: no single value, and no sum of a transaction's inputs or outputs, may exceed it.
inline constexpr std::uint64_t kMaxMoneySatoshi = 21'000'000ULL * 100'000'000ULL;

// What a coinbase input "spends": the null outpoint (Esplora shows it like this too).
inline constexpr std::string_view kNullTxid = "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr std::uint32_t kNullVout = 0xffffffffu;

// Esplora's script type names, for reference (validate() accepts any short [a-z0-9_] name so that a new
// type from an upgraded server does not stop an ingest): "p2pk", "p2pkh", "p2sh", "v0_p2wpkh", "v0_p2wsh",
// "v1_p2tr", "multisig", "op_return", "unknown" (Esplora's name for non-standard and unknown witness
// versions), "empty", "provably_unspendable", "anchor".
inline constexpr std::string_view kScriptTypeOpReturn = "op_return";

struct BtcInput {
  std::string prev_txid;        // the spent output's transaction; kNullTxid for a coinbase input
  std::uint32_t prev_vout = 0;  // its index; kNullVout for a coinbase input
  bool coinbase = false;
  // The spent output (prevout). Only meaningful when `prevout_known`: Bitcoin Core's getrawtransaction
  // verbosity 1 does not include prevouts; fill_prevouts() completes them from the spent transactions.
  bool prevout_known = true;
  std::optional<std::string> address;  // std::nullopt for P2PK, bare multisig, non-standard scripts
  std::string script_type;             // Esplora's name; empty for a coinbase input or an unknown prevout
  std::uint64_t value = 0;             // satoshi; 0 for a coinbase input
  std::uint32_t sequence = 0;
  std::string script_hex;  // the prevout's scriptPubKey, lower-case hex; names address-less inputs
};

struct BtcOutput {
  std::uint32_t n = 0;                 // index in the transaction: outputs[i].n == i
  std::optional<std::string> address;  // std::nullopt for OP_RETURN, P2PK, bare multisig, non-standard
  // p2pkh, p2sh, v0_p2wpkh, v0_p2wsh, v1_p2tr, op_return, p2pk, multisig, unknown ... (Esplora's names).
  std::string script_type;
  std::uint64_t value = 0;  // satoshi
  std::string script_hex;   // scriptPubKey, lower-case hex
};

struct BtcTransaction {
  std::string txid;  // 64 lower-case hex
  bool confirmed = false;
  // Confirmed transactions carry block_hash and block_time; block_height when the source gives it
  // (Esplora does; Bitcoin Core's getrawtransaction does not). Unconfirmed ones carry none of the three.
  std::optional<std::int64_t> block_height;
  std::optional<std::string> block_hash;
  std::optional<core::UnixSeconds> block_time;
  std::int32_t version = 0;
  std::uint32_t locktime = 0;
  std::uint32_t size = 0;    // bytes
  std::uint32_t weight = 0;  // weight units
  // Satoshi: sum(inputs) - sum(outputs); 0 for a coinbase transaction, and 0 (unchecked) while a prevout
  // is unknown.
  std::uint64_t fee = 0;
  std::vector<BtcInput> inputs;
  std::vector<BtcOutput> outputs;
};

// True for 64 lower-case hex digits (a txid or block hash in fundtrail's normal form).
bool is_txid(std::string_view text) noexcept;

// True for a coinbase transaction (its single input is a coinbase input).
bool is_coinbase(const BtcTransaction& tx) noexcept;

// True when every non-coinbase input's prevout is known (always for Esplora data and Bitcoin Core
// verbosity >= 2), i.e. input values and the fee can be checked and transfers derived.
bool prevouts_known(const BtcTransaction& tx) noexcept;

// True for an OP_RETURN (null data) output: script type "op_return" or a script starting with OP_RETURN (6a).
bool is_op_return(const BtcOutput& output) noexcept;

// Checks the transaction's consistency; throws fundtrail::Error(InvalidArgument) naming the txid and the
// problem ("invalid btc transaction <txid>: input 2: value 2100000000000001 sat exceeds 21,000,000 BTC"):
//  * txid (and prev_txid, block_hash) 64 lower-case hex; at least one input and one output;
//  * confirmed <=> block_hash and block_time present (block_height optional, >= 0; unconfirmed: none);
//    block_time between the genesis block (2009-01-03) and 2^32 - 1 (block headers hold 32-bit times);
//  * a coinbase input is the transaction's only input, spends the null outpoint, has value 0 and no prevout
//    data; a coinbase transaction's fee is 0;
//  * no two inputs spend the same output;
//  * every value and both sums (inputs, outputs) <= kMaxMoneySatoshi;
//  * when prevouts_known(): sum(inputs) >= sum(outputs) and fee == sum(inputs) - sum(outputs);
//  * outputs[i].n == i; output script types [a-z0-9_]{1,32} (input script types the same or empty);
//    script_hex even-length lower-case hex;
//  * addresses valid btc addresses already in normalised form (core::normalize_address(Chain::Btc, a) == a).
void validate(const BtcTransaction& tx);

// Looks up an output by (txid, vout); std::nullopt when the caller does not know it.
using PrevoutLookup = std::function<std::optional<BtcOutput>(std::string_view txid, std::uint32_t vout)>;

// Completes inputs whose prevout is unknown (Bitcoin Core verbosity 1) from `lookup`, which usually answers
// from transactions already parsed or stored. When every prevout is known afterwards, sets `fee` to
// sum(inputs) - sum(outputs). Returns how many inputs were filled. Throws fundtrail::Error(InvalidArgument)
// naming the txid when a looked-up output has another index than asked for or when the inputs then sum to
// less than the outputs.
std::size_t fill_prevouts(BtcTransaction& tx, const PrevoutLookup& lookup);

}  // namespace fundtrail::core
