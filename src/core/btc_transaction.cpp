#include "fundtrail/core/btc_transaction.hpp"

#include <string>
#include <optional>
#include <unordered_map>
#include <utility>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/error.hpp"

namespace fundtrail::core {
namespace {

// The genesis block's time (2009-01-03T18:15:05Z): no Bitcoin network (mainnet, testnet, signet, regtest)
// has an earlier block. Block headers store time as uint32.
constexpr UnixSeconds kGenesisTime = 1231006505;
constexpr UnixSeconds kMaxBlockTime = 0xffffffffLL;

__extension__ using uint128 = unsigned __int128;

bool is_lower_hex(std::string_view text) noexcept {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool is_script_type(std::string_view text) noexcept {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Which input or output a check is about; spelled out only when a check fails (validate() runs twice per
// crawled transaction, and building these strings eagerly was a third of its cost).
struct Where {
  const char* kind;  // "input" | "output"
  std::size_t index;
  std::string text() const { return std::string(kind) + " " + std::to_string(index); }
};

class Checker {
 public:
  explicit Checker(const BtcTransaction& tx) : tx_(tx) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw invalid_argument("invalid btc transaction " + printable_excerpt(tx_.txid, 64) + ": " + problem);
  }

  void value(const Where& where, std::uint64_t value) const {
    if (value > kMaxMoneySatoshi) {
      fail(where.text() + ": value " + std::to_string(value) + " sat exceeds 21,000,000 BTC");
    }
  }

  void address(const Where& where, const std::optional<std::string>& address) const {
    if (!address) return;
    std::string normalized;
    try {
      normalized = normalize_address(Chain::Btc, *address);
    } catch (const Error& error) {
      fail(where.text() + ": " + error.what());
    }
    if (normalized != *address) {
      fail(where.text() + ": address '" + printable_excerpt(*address) + "' is not in normalised form '" + normalized + "'");
    }
  }

  void script(const Where& where, const std::string& script_hex) const {
    if (script_hex.size() % 2 != 0 || !is_lower_hex(script_hex)) {
      fail(where.text() + ": script '" + printable_excerpt(script_hex) + "' is not lower-case hex of whole bytes");
    }
  }

 private:
  const BtcTransaction& tx_;
};

struct OutpointHash {
  std::size_t operator()(const std::pair<std::string_view, std::uint32_t>& outpoint) const noexcept {
    return std::hash<std::string_view>{}(outpoint.first) ^ (std::size_t{outpoint.second} * 0x9E3779B97F4A7C15ULL);
  }
};
// Up to this many inputs, earlier inputs are compared directly: cheaper than hashing for typical transactions.
constexpr std::size_t kLinearOutpointScan = 16;

// The earlier input of `tx` that spends the same output as input i, if any. `seen` holds the outpoints of
// the inputs before i when the transaction has more than kLinearOutpointScan inputs (i is added to it).
std::optional<std::size_t> first_spender(
    const BtcTransaction& tx, std::size_t i,
    std::unordered_map<std::pair<std::string_view, std::uint32_t>, std::size_t, OutpointHash>& seen) {
  const BtcInput& input = tx.inputs[i];
  if (tx.inputs.size() <= kLinearOutpointScan) {
    for (std::size_t j = 0; j < i; ++j) {
      if (tx.inputs[j].prev_vout == input.prev_vout && tx.inputs[j].prev_txid == input.prev_txid) return j;
    }
    return std::nullopt;
  }
  const auto [first, fresh] = seen.emplace(std::pair<std::string_view, std::uint32_t>(input.prev_txid, input.prev_vout), i);
  if (!fresh) return first->second;
  return std::nullopt;
}

}  // namespace

bool is_txid(std::string_view text) noexcept { return text.size() == 64 && is_lower_hex(text); }

bool is_coinbase(const BtcTransaction& tx) noexcept { return tx.inputs.size() == 1 && tx.inputs.front().coinbase; }

bool prevouts_known(const BtcTransaction& tx) noexcept {
  for (const BtcInput& input : tx.inputs) {
    if (!input.coinbase && !input.prevout_known) return false;
  }
  return true;
}

bool is_op_return(const BtcOutput& output) noexcept {
  return output.script_type == kScriptTypeOpReturn || output.script_hex.starts_with("6a");
}

void validate(const BtcTransaction& tx) {
  const Checker check(tx);
  if (!is_txid(tx.txid)) check.fail("txid is not 64 lower-case hex digits");

  if (tx.confirmed) {
    if (!tx.block_hash) check.fail("confirmed without a block hash");
    if (!tx.block_time) check.fail("confirmed without a block time");
  } else if (tx.block_hash || tx.block_time || tx.block_height) {
    check.fail("unconfirmed but carries block fields");
  }
  if (tx.block_hash && !is_txid(*tx.block_hash)) {
    check.fail("block hash '" + printable_excerpt(*tx.block_hash) + "' is not 64 lower-case hex digits");
  }
  if (tx.block_height && *tx.block_height < 0) check.fail("negative block height");
  if (tx.block_time && (*tx.block_time < kGenesisTime || *tx.block_time > kMaxBlockTime)) {
    check.fail("block time " + std::to_string(*tx.block_time) + " outside 2009-01-03 .. 2106-02-07");
  }

  if (tx.inputs.empty()) check.fail("no inputs");
  if (tx.outputs.empty()) check.fail("no outputs");

  const bool coinbase_tx = tx.inputs.front().coinbase;
  const bool known = prevouts_known(tx);
  std::uint64_t in_sum = 0;
  // (prev_txid, prev_vout) -> first input spending it; keys view the transaction's own strings.
  std::unordered_map<std::pair<std::string_view, std::uint32_t>, std::size_t, OutpointHash> outpoints;
  if (tx.inputs.size() > kLinearOutpointScan) outpoints.reserve(tx.inputs.size());
  for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
    const BtcInput& input = tx.inputs[i];
    const Where where{"input", i};
    if (input.coinbase) {
      if (tx.inputs.size() != 1) check.fail(where.text() + ": a coinbase input must be the transaction's only input");
      if (input.prev_txid != kNullTxid || input.prev_vout != kNullVout) {
        check.fail(where.text() + ": a coinbase input must spend the null outpoint");
      }
      if (input.value != 0 || input.address || !input.script_hex.empty()) {
        check.fail(where.text() + ": a coinbase input has no value, address or script");
      }
      continue;
    }
    if (!is_txid(input.prev_txid)) {
      check.fail(where.text() + ": previous txid '" + printable_excerpt(input.prev_txid) +
                 "' is not 64 lower-case hex digits");
    }
    // Consensus rule (the CVE-2018-17144 check): one output cannot be spent twice by a transaction.
    if (const auto first = first_spender(tx, i, outpoints)) {
      check.fail(where.text() + " spends the same output as input " + std::to_string(*first));
    }
    if (!input.prevout_known) {
      if (input.value != 0 || input.address) check.fail(where.text() + ": value or address given for an unknown prevout");
      continue;
    }
    check.value(where, input.value);
    in_sum += input.value;  // both terms <= kMaxMoneySatoshi: no overflow before the check below
    if (in_sum > kMaxMoneySatoshi) check.fail("inputs sum to more than 21,000,000 BTC");
    check.address(where, input.address);
    if (!input.script_type.empty() && !is_script_type(input.script_type)) {
      check.fail(where.text() + ": script type '" + printable_excerpt(input.script_type) + "' is not [a-z0-9_]{1,32}");
    }
    check.script(where, input.script_hex);
  }

  std::uint64_t out_sum = 0;
  for (std::size_t i = 0; i < tx.outputs.size(); ++i) {
    const BtcOutput& output = tx.outputs[i];
    const Where where{"output", i};
    if (output.n != i) check.fail(where.text() + ": index n is " + std::to_string(output.n));
    check.value(where, output.value);
    out_sum += output.value;
    if (out_sum > kMaxMoneySatoshi) check.fail("outputs sum to more than 21,000,000 BTC");
    check.address(where, output.address);
    if (!is_script_type(output.script_type)) {
      check.fail(where.text() + ": script type '" + printable_excerpt(output.script_type) + "' is not [a-z0-9_]{1,32}");
    }
    check.script(where, output.script_hex);
  }

  if (coinbase_tx) {
    if (tx.fee != 0) check.fail("a coinbase transaction has fee 0, not " + std::to_string(tx.fee));
  } else if (known) {
    if (in_sum < out_sum) {
      check.fail("outputs (" + std::to_string(out_sum) + " sat) exceed inputs (" + std::to_string(in_sum) + " sat)");
    }
    if (tx.fee != in_sum - out_sum) {
      check.fail("fee " + std::to_string(tx.fee) +
                 " sat is not inputs - outputs = " + std::to_string(in_sum - out_sum) + " sat");
    }
  }
}

std::size_t fill_prevouts(BtcTransaction& tx, const PrevoutLookup& lookup) {
  std::size_t filled = 0;
  for (BtcInput& input : tx.inputs) {
    if (input.coinbase || input.prevout_known) continue;
    std::optional<BtcOutput> prevout = lookup(input.prev_txid, input.prev_vout);
    if (!prevout) continue;
    if (prevout->n != input.prev_vout) {
      throw invalid_argument("invalid btc transaction " + printable_excerpt(tx.txid, 64) + ": lookup of " +
                             printable_excerpt(input.prev_txid, 64) + ":" + std::to_string(input.prev_vout) +
                             " returned output " + std::to_string(prevout->n));
    }
    input.prevout_known = true;
    input.address = std::move(prevout->address);
    input.script_type = std::move(prevout->script_type);
    input.value = prevout->value;
    input.script_hex = std::move(prevout->script_hex);
    ++filled;
  }
  if (!is_coinbase(tx) && prevouts_known(tx)) {
    // Sums of validated values fit easily; guard anyway so hostile values cannot wrap.
    uint128 in_sum = 0;
    uint128 out_sum = 0;
    for (const BtcInput& input : tx.inputs) in_sum += input.value;
    for (const BtcOutput& output : tx.outputs) out_sum += output.value;
    if (in_sum < out_sum || in_sum - out_sum > kMaxMoneySatoshi) {
      throw invalid_argument("invalid btc transaction " + printable_excerpt(tx.txid, 64) +
                             ": after filling prevouts the inputs do not cover the outputs within 21,000,000 BTC");
    }
    tx.fee = static_cast<std::uint64_t>(in_sum - out_sum);
  }
  return filled;
}

}  // namespace fundtrail::core
