#pragma once
// Address-level transfers derived from one Bitcoin transaction, the edges of the graph for UTXO chains.
// docs/bitcoin-model.md explains the model with a worked example.
//
// A transaction does not say which input paid which output, so every output is split over the inputs in
// proportion to their values: input address A_i (value a_i, several inputs of one address merged, in order
// of first appearance) sends output address B_j (value b_j) the share b_j * a_i / sum(a) satoshi.
// This is the haircut model (Moser, Bohme, Breuker, "Towards Risk Scoring of Bitcoin Transactions", FC 2014).
//
// Rounding (Hamilton's largest-remainder method): each share is floored; the satoshi still missing from
// b_j (fewer than the number of input addresses) go one each to the input addresses with the largest
// remainders b_j * a_i mod sum(a) (compared exactly in 128-bit integers), ties to the earlier address.
// So the parts of every output add up to its value exactly, and the result depends only on the transaction.
//
// Graph nodes: an input or output with an address is that address. One without (P2PK, bare multisig,
// non-standard) is the pseudo-address "script:" + the first 20 bytes of SHA-256(scriptPubKey) in hex, so the
// same script is always the same node. A coinbase transaction's outputs all come from "coinbase".
// OP_RETURN outputs give no transfer, nor does a 0-satoshi share. The fee goes to no one: it is simply the
// part of the inputs that no output receives.
//
// Transfer.index counts the emitted transfers in order (output n ascending, then input address order).
// Transfer.timestamp is the block time, or `fallback_time` (the caller's first-seen time) when unconfirmed.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/btc_transaction.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/core/transfer.hpp"

namespace fundtrail::core {

inline constexpr std::string_view kCoinbasePseudoAddress = "coinbase";
inline constexpr std::string_view kScriptPseudoPrefix = "script:";
// The store's transfer index has 24 bits (store::kMaxTransferIndex); a transaction deriving more is refused.
inline constexpr std::size_t kMaxBtcTransfersPerTx = std::size_t{1} << 24;

// "script:" + 40 lower-case hex digits: the first 20 bytes of SHA-256 over the script's bytes.
// Throws fundtrail::Error(InvalidArgument) when `script_hex` is not hex.
std::string script_pseudo_address(std::string_view script_hex);

// The graph node of an input (its address or script pseudo-address; "coinbase" for a coinbase input) and
// of an output (its address or script pseudo-address).
std::string btc_input_node(const BtcInput& input);
std::string btc_output_node(const BtcOutput& output);

// Splits `amount` over `weights` in proportion (Hamilton / largest remainder, ties to the lower index, as
// described above); the parts sum to `amount` exactly. Throws fundtrail::Error(InvalidArgument) when
// `amount` > 0 and the weights are empty or all zero. Exact for any uint64 values (128-bit arithmetic).
std::vector<std::uint64_t> split_proportionally(std::uint64_t amount, std::span<const std::uint64_t> weights);

// The transfers of `tx` (chain btc, asset BTC, decimals 8, amounts in satoshi), as described above.
// Runs validate(tx) first. Throws fundtrail::Error(InvalidArgument) naming the txid when validation fails,
// when a prevout is unknown (see fill_prevouts) or when more than kMaxBtcTransfersPerTx would result.
std::vector<Transfer> derive_btc_transfers(const BtcTransaction& tx, UnixSeconds fallback_time);

}  // namespace fundtrail::core
