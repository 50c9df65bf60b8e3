// Bitcoin UTXO model: validation, and the derivation of address-level transfers with exact proportional
// splitting (Hamilton / largest remainder), pseudo-addresses, coinbase and OP_RETURN handling.
#include "fundtrail/core/btc_transfers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fundtrail/core/btc_transaction.hpp"
#include "fundtrail/core/error.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::core {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Real mainnet addresses (from the Esplora fixtures), one per script type.
constexpr const char* kA = "bc1ql4k3tlur9sf0rlcy5hxd2qulwgnmyc9akehvth";
constexpr const char* kB = "1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Rd";
constexpr const char* kC = "38Jht2bzmJL4EwoFvvyFzejhfEb4J7KxLb";
constexpr const char* kX = "bc1q0hhg573c4wlmqrdlhgm9ert8z2f5e3y3lf9hvx";
constexpr const char* kY = "1DJKJGApgX4W8BSQ8FRPLqX78UaCskT4r2";
constexpr const char* kZ = "bc1p5t79edz9w4fcnmkjjk4e6k2tp7kd8cqggz37gal60sp9gyk9x72sk4mk0f";
// A P2PK script from block 850000 and its pseudo-address (first 20 bytes of SHA-256, computed with Python's
// hashlib independently of fundtrail).
constexpr const char* kP2pkScript = "210261542eb020b36c1da48e2e607b90a8c1f2ccdbd06eaf5fb4bb0d7cc34293d32aac";
constexpr const char* kP2pkNode = "script:5916305f9ed013844e38404ec778e9d1c072af7a";
constexpr const char* kMultisigScript = "5121028b45a50f795be0413680036665d17a3eca099648ea80637bc3a70a7d2b52ae2851ae";
constexpr const char* kMultisigNode = "script:65d48bf6ec0f163201167a40c0a5314944a250f5";
constexpr UnixSeconds kBlockTime = 1719689674;
constexpr UnixSeconds kFirstSeen = 1719600000;

std::string txid_of(char fill) { return std::string(64, fill); }

BtcInput input(std::optional<std::string> address, std::uint64_t value, char prev = 'a', std::uint32_t vout = 0) {
  BtcInput in;
  in.prev_txid = txid_of(prev);
  in.prev_vout = vout;
  in.address = std::move(address);
  in.script_type = in.address ? "p2pkh" : "p2pk";
  in.value = value;
  in.sequence = 0xfffffffd;
  return in;
}

BtcOutput output(std::optional<std::string> address, std::uint64_t value, std::string type = "p2pkh",
                 std::string script = "") {
  BtcOutput out;
  out.address = std::move(address);
  out.script_type = std::move(type);
  out.value = value;
  out.script_hex = std::move(script);
  return out;
}

// Numbers outputs, computes the fee and marks the transaction confirmed at kBlockTime.
BtcTransaction make_tx(std::vector<BtcInput> inputs, std::vector<BtcOutput> outputs, bool confirmed = true) {
  BtcTransaction tx;
  tx.txid = txid_of('f');
  tx.confirmed = confirmed;
  if (confirmed) {
    tx.block_height = 850000;
    tx.block_hash = txid_of('0');
    tx.block_time = kBlockTime;
  }
  tx.version = 2;
  tx.inputs = std::move(inputs);
  tx.outputs = std::move(outputs);
  std::uint64_t in = 0;
  std::uint64_t out = 0;
  for (const auto& i : tx.inputs) in += i.value;
  for (std::size_t n = 0; n < tx.outputs.size(); ++n) {
    tx.outputs[n].n = static_cast<std::uint32_t>(n);
    out += tx.outputs[n].value;
  }
  tx.fee = tx.inputs.front().coinbase ? 0 : in - out;
  return tx;
}

struct Edge {
  std::uint32_t index;
  std::string from;
  std::string to;
  std::string amount;
  bool operator==(const Edge&) const = default;
};
void PrintTo(const Edge& e, std::ostream* os) {
  *os << "#" << e.index << " " << e.from << " -> " << e.to << " " << e.amount;
}

std::vector<Edge> edges(const std::vector<Transfer>& transfers) {
  std::vector<Edge> result;
  for (const auto& t : transfers) result.push_back({t.index, t.from, t.to, t.amount.to_base_units()});
  return result;
}

// Sum of the transfers into each output node, per output order (outputs with distinct nodes).
std::map<std::string, std::uint64_t> received(const std::vector<Transfer>& transfers) {
  std::map<std::string, std::uint64_t> sums;
  for (const auto& t : transfers) sums[t.to] += static_cast<std::uint64_t>(t.amount.value());
  return sums;
}

using test::error_from;

// ---- split_proportionally ----

TEST(SplitProportionally, WorkedExampleFromTheDocs) {
  // 33,333 sat over inputs 50,000 / 30,000 / 20,000: floors 16,666 / 9,999 / 6,666 (sum 33,331);
  // remainders 50,000 / 90,000 / 60,000 (of 100,000): the 2 missing satoshi go to the 2nd and 3rd.
  const std::vector<std::uint64_t> weights{50'000, 30'000, 20'000};
  EXPECT_THAT(split_proportionally(33'333, weights), ElementsAre(16'666, 10'000, 6'667));
  EXPECT_THAT(split_proportionally(66'000, weights), ElementsAre(33'000, 19'800, 13'200));
}

TEST(SplitProportionally, TiesGoToTheEarlierInput) {
  const std::vector<std::uint64_t> weights{1, 1, 1};
  EXPECT_THAT(split_proportionally(2, weights), ElementsAre(1, 1, 0));
  EXPECT_THAT(split_proportionally(1, weights), ElementsAre(1, 0, 0));
  const std::vector<std::uint64_t> uneven{2, 1, 1};
  // 3 * (2,1,1)/4 = 1.5, 0.75, 0.75: floors 1,0,0; remainders 2,3,3 (of 4): the 2nd and 3rd get one each.
  EXPECT_THAT(split_proportionally(3, uneven), ElementsAre(1, 1, 1));
}

TEST(SplitProportionally, ZeroAmountAndZeroWeights) {
  const std::vector<std::uint64_t> zeros{0, 0};
  EXPECT_THAT(split_proportionally(0, zeros), ElementsAre(0, 0));
  const auto error = error_from([&] { split_proportionally(5, zeros); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind(), ErrorKind::InvalidArgument);
  EXPECT_TRUE(error_from([] { split_proportionally(5, {}); }));
  const std::vector<std::uint64_t> some_zero{0, 7, 0};
  EXPECT_THAT(split_proportionally(5, some_zero), ElementsAre(0, 5, 0));
}

TEST(SplitProportionally, ExtremeValuesNeed128Bits) {
  const std::uint64_t max = UINT64_MAX;
  const std::vector<std::uint64_t> weights{max, max, 1};
  // max * max overflows 64 bits by far; exact answer: total = 2*max + 1, share_i = max * max / (2*max + 1).
  const auto parts = split_proportionally(max, weights);
  EXPECT_EQ(parts[0] + parts[1] + parts[2], max);
  EXPECT_EQ(parts[0], parts[1] + (parts[0] > parts[1] ? 1 : 0));
  EXPECT_LE(parts[2], 1u);
  const std::vector<std::uint64_t> money{kMaxMoneySatoshi - 1, 1};
  EXPECT_THAT(split_proportionally(kMaxMoneySatoshi, money), ElementsAre(kMaxMoneySatoshi - 1, 1));
}

// The full specification, checked on random cases: parts sum to the amount, each part is the floor of the
// exact share or one more, and the bumped ones are exactly the largest remainders (ties: lower index).
TEST(SplitProportionally, RandomCasesMeetTheSpecification) {
  __extension__ using uint128 = unsigned __int128;
  std::mt19937_64 rng(20240301);
  for (int round = 0; round < 3000; ++round) {
    const std::size_t n = 1 + rng() % 12;
    std::vector<std::uint64_t> weights(n);
    const std::uint64_t scale = (round % 3 == 0) ? 10 : (round % 3 == 1) ? 1'000'000 : kMaxMoneySatoshi;
    for (auto& w : weights) w = rng() % scale;
    if (std::all_of(weights.begin(), weights.end(), [](auto w) { return w == 0; })) weights[0] = 1;
    const std::uint64_t amount = rng() % (scale + 1);
    const auto parts = split_proportionally(amount, weights);
    ASSERT_EQ(parts.size(), n);
    uint128 total = 0;
    for (auto w : weights) total += w;
    std::uint64_t sum = 0;
    std::vector<uint128> remainder(n);
    std::vector<bool> bumped(n);
    for (std::size_t i = 0; i < n; ++i) {
      const uint128 product = static_cast<uint128>(amount) * weights[i];
      const auto floor = static_cast<std::uint64_t>(product / total);
      remainder[i] = product % total;
      ASSERT_TRUE(parts[i] == floor || parts[i] == floor + 1) << "round " << round << " input " << i;
      bumped[i] = parts[i] == floor + 1;
      sum += parts[i];
    }
    ASSERT_EQ(sum, amount) << "round " << round;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        if (bumped[i] && !bumped[j]) {
          ASSERT_TRUE(remainder[i] > remainder[j] || (remainder[i] == remainder[j] && i < j))
              << "round " << round << ": " << i << " bumped before " << j;
        }
      }
    }
  }
}

// ---- derive_btc_transfers ----

TEST(DeriveBtcTransfers, WorkedExampleFromTheDocs) {
  const auto tx = make_tx({input(kA, 50'000, 'a'), input(kB, 30'000, 'b'), input(kC, 20'000, 'c')},
                          {output(kX, 33'333, "v0_p2wpkh"), output(kY, 66'000)});
  EXPECT_EQ(tx.fee, 667u);
  const auto transfers = derive_btc_transfers(tx, kFirstSeen);
  EXPECT_THAT(edges(transfers),
              ElementsAre(Edge{0, kA, kX, "16666"}, Edge{1, kB, kX, "10000"}, Edge{2, kC, kX, "6667"},
                          Edge{3, kA, kY, "33000"}, Edge{4, kB, kY, "19800"}, Edge{5, kC, kY, "13200"}));
  for (const auto& t : transfers) {
    EXPECT_EQ(t.chain, Chain::Btc);
    EXPECT_EQ(t.tx_hash, tx.txid);
    EXPECT_EQ(t.asset, "BTC");
    EXPECT_EQ(t.decimals, 8u);
    EXPECT_EQ(t.timestamp, kBlockTime);
    EXPECT_EQ(t.block_height, 850000);
  }
  // The fee is transferred to no one: the transfers carry exactly the outputs' value.
  EXPECT_EQ(received(transfers)[kX], 33'333u);
  EXPECT_EQ(received(transfers)[kY], 66'000u);
}

TEST(DeriveBtcTransfers, OneInputPaysEveryOutputInFull) {
  const auto tx = make_tx({input(kA, 1'000'000)}, {output(kX, 600'000), output(kY, 399'000), output(kA, 500)});
  EXPECT_THAT(edges(derive_btc_transfers(tx, kFirstSeen)),
              ElementsAre(Edge{0, kA, kX, "600000"}, Edge{1, kA, kY, "399000"}, Edge{2, kA, kA, "500"}));
}

TEST(DeriveBtcTransfers, InputsOfOneAddressAreMergedInFirstAppearanceOrder) {
  // B appears first, then A, then B again: merged B = 30 + 10 = 40, A = 60 (of 100).
  const auto tx = make_tx({input(kB, 30, 'a'), input(kA, 60, 'b'), input(kB, 10, 'c')}, {output(kX, 50)});
  EXPECT_THAT(edges(derive_btc_transfers(tx, kFirstSeen)), ElementsAre(Edge{0, kB, kX, "20"}, Edge{1, kA, kX, "30"}));
}

TEST(DeriveBtcTransfers, PartsOfEveryOutputSumExactlyOnRandomTransactions) {
  const std::vector<std::string> addresses{kA, kB, kC, kX, kY, kZ};
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<BtcInput> inputs;
    const std::size_t n_in = 1 + rng() % 8;
    for (std::size_t i = 0; i < n_in; ++i) {
      inputs.push_back(input(addresses[rng() % addresses.size()], 1 + rng() % 10'000'000,
                             static_cast<char>('a' + i % 6), static_cast<std::uint32_t>(i)));
    }
    std::uint64_t budget = 0;
    for (const auto& i : inputs) budget += i.value;
    std::vector<BtcOutput> outputs;
    const std::size_t n_out = 1 + rng() % 8;
    for (std::size_t j = 0; j < n_out && budget > 0; ++j) {
      const std::uint64_t value = rng() % (budget + 1);
      budget -= value;
      outputs.push_back(output(addresses[rng() % addresses.size()], value));
    }
    if (outputs.empty()) outputs.push_back(output(kX, 0));
    const auto tx = make_tx(inputs, outputs);
    const auto transfers = derive_btc_transfers(tx, kFirstSeen);
    // Group by output: transfers are emitted output by output, and each output's transfers go to its node.
    std::size_t k = 0;
    for (const auto& out : tx.outputs) {
      std::uint64_t sum = 0;
      while (k < transfers.size() && transfers[k].to == *out.address && sum < out.value) {
        EXPECT_FALSE(transfers[k].amount.is_zero());
        sum += static_cast<std::uint64_t>(transfers[k].amount.value());
        ++k;
      }
      ASSERT_EQ(sum, out.value) << "round " << round << " output " << out.n;
    }
    EXPECT_EQ(k, transfers.size());
    for (std::size_t i = 0; i < transfers.size(); ++i) EXPECT_EQ(transfers[i].index, i);
  }
}

TEST(DeriveBtcTransfers, CoinbaseOutputsComeFromTheCoinbasePseudoAddress) {
  BtcInput cb;
  cb.coinbase = true;
  cb.prev_txid = std::string(kNullTxid);
  cb.prev_vout = kNullVout;
  cb.sequence = 0xffffffff;
  const auto tx = make_tx(
      {cb}, {output(kX, 312'500'000 + 1234), output(std::nullopt, 0, "op_return", "6a24aa21a9ed"), output(kY, 0)});
  EXPECT_EQ(tx.fee, 0u);
  EXPECT_THAT(edges(derive_btc_transfers(tx, kFirstSeen)), ElementsAre(Edge{0, "coinbase", kX, "312501234"}));
}

TEST(DeriveBtcTransfers, AddresslessScriptsBecomeStablePseudoAddresses) {
  BtcInput p2pk = input(std::nullopt, 6'000);
  p2pk.script_hex = kP2pkScript;
  const auto tx = make_tx({p2pk, input(kA, 2'000, 'b')}, {output(std::nullopt, 4'000, "multisig", kMultisigScript),
                                                          output(std::nullopt, 3'000, "p2pk", kP2pkScript)});
  EXPECT_EQ(script_pseudo_address(kP2pkScript), kP2pkNode);
  EXPECT_EQ(script_pseudo_address(""), "script:e3b0c44298fc1c149afbf4c8996fb92427ae41e4");
  // The P2PK script spent by the input and paid by output 1 is one node: 3,000 * 6/8 = 2,250 back to itself.
  EXPECT_THAT(edges(derive_btc_transfers(tx, kFirstSeen)),
              ElementsAre(Edge{0, kP2pkNode, kMultisigNode, "3000"}, Edge{1, kA, kMultisigNode, "1000"},
                          Edge{2, kP2pkNode, kP2pkNode, "2250"}, Edge{3, kA, kP2pkNode, "750"}));
}

TEST(DeriveBtcTransfers, OpReturnOutputsAndZeroSharesAreNotTransfers) {
  // An OP_RETURN that burns value (type op_return, and one recognised by its script alone).
  const auto tx = make_tx({input(kA, 1), input(kB, 100'000'000, 'b')},
                          {output(std::nullopt, 1'000, "op_return", "6a0568656c6c6f"),
                           output(std::nullopt, 500, "unknown", "6a00"), output(kX, 10)});
  // A's share of output 2 is 10 * 1 / 100,000,001 = 0 (remainder 10 < B's 99,999,991): no transfer.
  EXPECT_THAT(edges(derive_btc_transfers(tx, kFirstSeen)), ElementsAre(Edge{0, kB, kX, "10"}));
}

TEST(DeriveBtcTransfers, ValuesNear21MillionBtcDoNotOverflow) {
  const std::uint64_t max = kMaxMoneySatoshi;
  const auto tx =
      make_tx({input(kA, max - 3), input(kB, 3, 'b')}, {output(kX, max - 1'000), output(kY, 500), output(kZ, 497)});
  const auto transfers = derive_btc_transfers(tx, kFirstSeen);
  const auto sums = received(transfers);
  EXPECT_EQ(sums.at(kX), max - 1'000);
  EXPECT_EQ(sums.at(kY), 500u);
  EXPECT_EQ(sums.at(kZ), 497u);
  // B's exact share of output 0 is (max - 1000) * 3 / max = 2.9999986: floor 2 with a remainder close to 1;
  // A's is max - 1003 + 0.0000014: floor max - 1003. The one missing satoshi goes to B.
  EXPECT_EQ(edges(transfers)[0], (Edge{0, kA, kX, std::to_string(max - 1'003)}));
  EXPECT_EQ(edges(transfers)[1], (Edge{1, kB, kX, "3"}));
}

TEST(DeriveBtcTransfers, UnconfirmedTransactionsUseTheFallbackTime) {
  const auto tx = make_tx({input(kA, 1'000)}, {output(kX, 900)}, /*confirmed=*/false);
  const auto transfers = derive_btc_transfers(tx, kFirstSeen);
  ASSERT_EQ(transfers.size(), 1u);
  EXPECT_EQ(transfers[0].timestamp, kFirstSeen);
  EXPECT_FALSE(transfers[0].block_height);
}

TEST(DeriveBtcTransfers, RefusesUnknownPrevoutsUntilFilled) {
  auto tx = make_tx({input(kA, 0), input(kB, 0, 'b', 3)}, {output(kX, 900)});
  for (auto& in : tx.inputs) {
    in.prevout_known = false;
    in.address.reset();
    in.script_type.clear();
  }
  tx.fee = 0;
  EXPECT_FALSE(prevouts_known(tx));
  EXPECT_NO_THROW(validate(tx));  // structurally fine, fee unchecked
  const auto error = error_from([&] { derive_btc_transfers(tx, kFirstSeen); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->what(), AllOf(HasSubstr(tx.txid), HasSubstr("prevout")));

  const auto lookup = [](std::string_view txid, std::uint32_t vout) -> std::optional<BtcOutput> {
    if (txid == txid_of('a') && vout == 0) {
      auto out = output(kA, 600);
      out.n = 0;
      return out;
    }
    return std::nullopt;
  };
  EXPECT_EQ(fill_prevouts(tx, lookup), 1u);
  EXPECT_FALSE(prevouts_known(tx));
  EXPECT_EQ(tx.fee, 0u);
  const auto second = [](std::string_view txid, std::uint32_t vout) -> std::optional<BtcOutput> {
    auto out = output(kB, 400);
    out.n = vout;
    return out;
  };
  EXPECT_EQ(fill_prevouts(tx, second), 1u);
  EXPECT_TRUE(prevouts_known(tx));
  EXPECT_EQ(tx.fee, 100u);
  EXPECT_THAT(edges(derive_btc_transfers(tx, kFirstSeen)), ElementsAre(Edge{0, kA, kX, "540"}, Edge{1, kB, kX, "360"}));
}

// ---- validate ----

TEST(ValidateBtcTransaction, RejectsInconsistentTransactionsNamingTxidAndProblem) {
  const auto good = make_tx({input(kA, 50'000)}, {output(kX, 40'000)});
  EXPECT_NO_THROW(validate(good));
  struct Case {
    const char* name;
    std::function<void(BtcTransaction&)> damage;
    const char* message;
  };
  const std::vector<Case> cases{
      {"fee", [](BtcTransaction& tx) { tx.fee = 9'999; }, "fee 9999 sat is not inputs - outputs = 10000"},
      {"outputs exceed inputs", [](BtcTransaction& tx) { tx.outputs[0].value = 60'000; }, "exceed inputs"},
      {"absurd value", [](BtcTransaction& tx) { tx.inputs[0].value = kMaxMoneySatoshi + 1; },
       "input 0: value 2100000000000001 sat exceeds 21,000,000 BTC"},
      {"absurd output", [](BtcTransaction& tx) { tx.outputs[0].value = UINT64_MAX; }, "exceeds 21,000,000 BTC"},
      {"txid upper case", [](BtcTransaction& tx) { tx.txid = std::string(64, 'F'); }, "txid is not 64"},
      {"txid short", [](BtcTransaction& tx) { tx.txid = "abc"; }, "txid is not 64"},
      {"prev txid", [](BtcTransaction& tx) { tx.inputs[0].prev_txid = "xyz"; }, "input 0: previous txid"},
      {"bad address", [](BtcTransaction& tx) { tx.outputs[0].address = "1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Re"; },
       "output 0: invalid btc address"},
      {"eth address", [](BtcTransaction& tx) { tx.inputs[0].address = "0x52908400098527886e0f7030069857d2e4169ee7"; },
       "input 0: invalid btc address"},
      {"not normalised",
       [](BtcTransaction& tx) { tx.outputs[0].address = "BC1Q0HHG573C4WLMQRDLHGM9ERT8Z2F5E3Y3LF9HVX"; },
       "not in normalised form"},
      {"n", [](BtcTransaction& tx) { tx.outputs[0].n = 1; }, "output 0: index n is 1"},
      {"no outputs", [](BtcTransaction& tx) { tx.outputs.clear(); }, "no outputs"},
      {"no inputs", [](BtcTransaction& tx) { tx.inputs.clear(); }, "no inputs"},
      {"script type", [](BtcTransaction& tx) { tx.outputs[0].script_type = "P2PKH\n"; }, "script type"},
      {"script hex", [](BtcTransaction& tx) { tx.outputs[0].script_hex = "abc"; }, "not lower-case hex"},
      {"confirmed without block", [](BtcTransaction& tx) { tx.block_hash.reset(); }, "without a block hash"},
      {"unconfirmed with block", [](BtcTransaction& tx) { tx.confirmed = false; }, "unconfirmed but carries"},
      {"block time", [](BtcTransaction& tx) { tx.block_time = 1000; }, "block time 1000"},
      {"negative height", [](BtcTransaction& tx) { tx.block_height = -1; }, "negative block height"},
      {"outpoint spent twice", [](BtcTransaction& tx) { tx.inputs.push_back(tx.inputs[0]); },
       "input 1 spends the same output as input 0"},
      {"second coinbase input",
       [](BtcTransaction& tx) {
         BtcInput cb;
         cb.coinbase = true;
         cb.prev_txid = std::string(kNullTxid);
         cb.prev_vout = kNullVout;
         tx.inputs.push_back(cb);
       },
       "input 1: a coinbase input must be the transaction's only input"},
  };
  for (const auto& c : cases) {
    auto tx = good;
    c.damage(tx);
    const auto error = error_from([&] { validate(tx); });
    ASSERT_TRUE(error) << c.name;
    EXPECT_EQ(error->kind(), ErrorKind::InvalidArgument) << c.name;
    EXPECT_THAT(error->what(), AllOf(HasSubstr("invalid btc transaction"), HasSubstr(c.message))) << c.name;
    if (std::string(c.name).rfind("txid", 0) != 0) {
      EXPECT_THAT(error->what(), HasSubstr(good.txid)) << c.name;
    }
  }
}

TEST(ValidateBtcTransaction, AnOutpointSpentTwiceIsFoundAmongManyInputs) {
  // Up to 16 inputs are compared pairwise, more through a hash map: both ways must find the repeat.
  for (const std::size_t count : {2u, 16u, 17u, 40u}) {
    std::vector<BtcInput> inputs;
    for (std::size_t i = 0; i < count; ++i) {
      BtcInput in = input(kA, 1'000);
      in.prev_vout = static_cast<std::uint32_t>(i);  // distinct outpoints of one transaction
      inputs.push_back(in);
    }
    auto tx = make_tx(inputs, {output(kX, 1'000)});
    tx.fee = 1'000 * count - 1'000;
    EXPECT_NO_THROW(validate(tx)) << count << " distinct outpoints";
    tx.inputs[count - 1].prev_vout = static_cast<std::uint32_t>((count - 1) / 2);
    const auto error = error_from([&] { validate(tx); });
    ASSERT_TRUE(error) << count;
    EXPECT_THAT(error->what(), HasSubstr("input " + std::to_string(count - 1) + " spends the same output as input " +
                                         std::to_string((count - 1) / 2)));
    // The same vout of another transaction is another outpoint.
    tx.inputs[count - 1].prev_txid = std::string(64, 'e');
    EXPECT_NO_THROW(validate(tx)) << count;
  }
}

TEST(ValidateBtcTransaction, SumsBeyond21MillionBtcAreRefusedEvenWhenEachValueIsValid) {
  const auto tx = make_tx({input(kA, kMaxMoneySatoshi), input(kB, 1, 'b')}, {output(kX, 1)});
  const auto error = error_from([&] { validate(tx); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->what(), HasSubstr("inputs sum to more than 21,000,000 BTC"));
}

TEST(ValidateBtcTransaction, CoinbaseRules) {
  BtcInput cb;
  cb.coinbase = true;
  cb.prev_txid = std::string(kNullTxid);
  cb.prev_vout = kNullVout;
  auto tx = make_tx({cb}, {output(kX, 625'000'000)});
  EXPECT_NO_THROW(validate(tx));
  tx.fee = 1;
  EXPECT_TRUE(error_from([&] { validate(tx); }));
  tx.fee = 0;
  tx.inputs[0].value = 5;
  EXPECT_TRUE(error_from([&] { validate(tx); }));
  tx.inputs[0].value = 0;
  tx.inputs[0].prev_vout = 0;
  EXPECT_TRUE(error_from([&] { validate(tx); }));
}

}  // namespace
}  // namespace fundtrail::core
