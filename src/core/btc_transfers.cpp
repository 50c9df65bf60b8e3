#include "fundtrail/core/btc_transfers.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"

namespace fundtrail::core {
namespace {

// b_j and a_i are each < 2^64, so b_j * a_i < 2^128: 128 bits hold every product and remainder exactly.
__extension__ using uint128 = unsigned __int128;

struct InputNode {
  std::string node;
  std::uint64_t value = 0;
};

}  // namespace

std::string script_pseudo_address(std::string_view script_hex) {
  const std::string bytes = hex_to_bytes(script_hex);
  const Digest32 digest = sha256(bytes);
  return std::string(kScriptPseudoPrefix) + to_hex(std::span(digest.data(), 20));
}

std::string btc_input_node(const BtcInput& input) {
  if (input.coinbase) return std::string(kCoinbasePseudoAddress);
  if (input.address) return *input.address;
  return script_pseudo_address(input.script_hex);
}

std::string btc_output_node(const BtcOutput& output) {
  if (output.address) return *output.address;
  return script_pseudo_address(output.script_hex);
}

std::vector<std::uint64_t> split_proportionally(std::uint64_t amount, std::span<const std::uint64_t> weights) {
  std::vector<std::uint64_t> parts(weights.size(), 0);
  if (amount == 0) return parts;
  uint128 total = 0;
  for (std::uint64_t weight : weights) total += weight;
  if (total == 0) throw invalid_argument("cannot split " + std::to_string(amount) + " over zero weights");

  std::vector<uint128> remainders(weights.size());
  std::uint64_t assigned = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const uint128 product = static_cast<uint128>(amount) * weights[i];
    parts[i] = static_cast<std::uint64_t>(product / total);  // <= amount because weights[i] <= total
    remainders[i] = product % total;
    assigned += parts[i];  // the floors sum to at most amount: no overflow
  }
  // sum(floor) > amount - n, so fewer than n satoshi are missing: one each to the largest remainders.
  std::uint64_t missing = amount - assigned;
  if (missing == 0) return parts;
  std::vector<std::size_t> order(weights.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto by_remainder = [&](std::size_t lhs, std::size_t rhs) {
    if (remainders[lhs] != remainders[rhs]) return remainders[lhs] > remainders[rhs];
    return lhs < rhs;  // ties: first appearance
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(missing), order.end(), by_remainder);
  for (std::size_t k = 0; k < missing; ++k) ++parts[order[k]];
  return parts;
}

std::vector<Transfer> derive_btc_transfers(const BtcTransaction& tx, UnixSeconds fallback_time) {
  validate(tx);
  if (!prevouts_known(tx)) {
    throw invalid_argument("btc transaction " + tx.txid +
                           ": cannot derive transfers while a prevout is unknown (fetch the spent transactions)");
  }

  // Inputs merged by graph node, in order of first appearance.
  std::vector<InputNode> sources;
  std::unordered_map<std::string, std::size_t> source_index;
  for (const BtcInput& input : tx.inputs) {
    std::string node = btc_input_node(input);
    auto [it, inserted] = source_index.emplace(node, sources.size());
    if (inserted) {
      sources.push_back(InputNode{std::move(node), input.value});
    } else {
      sources[it->second].value += input.value;  // validated: the sum of inputs <= kMaxMoneySatoshi
    }
  }
  std::vector<std::uint64_t> weights;
  weights.reserve(sources.size());
  for (const InputNode& source : sources) weights.push_back(source.value);
  // A coinbase "input" has no value: its single pseudo-address receives each output's whole value.
  const bool coinbase = is_coinbase(tx);
  const std::uint64_t total_in = std::accumulate(weights.begin(), weights.end(), std::uint64_t{0});

  Transfer prototype;
  prototype.chain = Chain::Btc;
  prototype.tx_hash = tx.txid;
  prototype.asset = "BTC";
  prototype.decimals = 8;
  prototype.block_height = tx.block_height;
  prototype.timestamp = tx.confirmed ? *tx.block_time : fallback_time;

  std::vector<Transfer> transfers;
  std::uint32_t index = 0;
  const auto emit = [&](const std::string& from, const std::string& to, std::uint64_t amount) {
    if (transfers.size() >= kMaxBtcTransfersPerTx) {
      throw invalid_argument("btc transaction " + tx.txid + " derives more than " +
                             std::to_string(kMaxBtcTransfersPerTx) + " transfers");
    }
    Transfer& transfer = transfers.emplace_back(prototype);
    transfer.index = index++;
    transfer.from = from;
    transfer.to = to;
    transfer.amount = Amount(amount);
  };

  // validate() guarantees outputs[i].n == i: iterating in order is "output n ascending".
  for (const BtcOutput& output : tx.outputs) {
    if (is_op_return(output) || output.value == 0) continue;
    const std::string to = btc_output_node(output);
    if (coinbase) {
      emit(sources.front().node, to, output.value);
      continue;
    }
    // Inputs of total value 0 cannot fund a positive output (validate() checked inputs >= outputs).
    if (total_in == 0) continue;
    const std::vector<std::uint64_t> parts = split_proportionally(output.value, weights);
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (parts[i] != 0) emit(sources[i].node, to, parts[i]);
    }
  }
  return transfers;
}

}  // namespace fundtrail::core
