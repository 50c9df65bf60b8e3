// Esplora transaction JSON: the real mainnet responses in ../shared/data/esplora-json-mempool (values
// spot-checked against the files by hand), and hostile variants that must fail with a clear message.
#include "fundtrail/ingest/esplora_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fundtrail/core/btc_transfers.hpp"
#include "fundtrail/core/error.hpp"
#include "support/shared_data.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::filesystem::path kDir = test::shared_data("esplora-json-mempool");
constexpr const char* kContext = "https://mempool.example/api/address/x/txs";

using test::error_from;

std::uint64_t sum_in(const core::BtcTransaction& tx) {
  std::uint64_t sum = 0;
  for (const auto& i : tx.inputs) sum += i.value;
  return sum;
}
std::uint64_t sum_out(const core::BtcTransaction& tx) {
  std::uint64_t sum = 0;
  for (const auto& o : tx.outputs) sum += o.value;
  return sum;
}

const core::BtcTransaction& by_txid(const std::vector<core::BtcTransaction>& txs, const std::string& prefix) {
  for (const auto& tx : txs) {
    if (tx.txid.rfind(prefix, 0) == 0) return tx;
  }
  throw std::runtime_error("no tx " + prefix);
}

TEST(EsploraJson, ParsesTheRealRandomTransactionsExactly) {
  LOAD_OR_SKIP(body, kDir / "backend-test-data/transactions-random.json");
  const auto txs = parse_esplora_tx_list(body, kContext);
  ASSERT_EQ(txs.size(), 4u);

  const auto& simple = txs[0];
  EXPECT_EQ(simple.txid, "13f007241d78e8b0b4e57d2ae3fd37bcfe3226534d7cadeba5a549860d960db0");
  EXPECT_FALSE(simple.confirmed);
  EXPECT_FALSE(simple.block_height);
  EXPECT_EQ(simple.version, 2);
  EXPECT_EQ(simple.size, 224u);
  EXPECT_EQ(simple.weight, 572u);
  EXPECT_EQ(simple.fee, 584u);
  ASSERT_EQ(simple.inputs.size(), 1u);
  EXPECT_EQ(simple.inputs[0].prev_txid, "cb8f206f4e88bec97107089f3e9e61d50cde53d4541992ae19759b71103cf75c");
  EXPECT_EQ(simple.inputs[0].prev_vout, 0u);
  EXPECT_EQ(simple.inputs[0].sequence, 2147483648u);
  EXPECT_EQ(simple.inputs[0].address, "bc1ql4k3tlur9sf0rlcy5hxd2qulwgnmyc9akehvth");
  EXPECT_EQ(simple.inputs[0].script_type, "v0_p2wpkh");
  EXPECT_EQ(simple.inputs[0].script_hex, "0014fd6d15ff832c12f1ff04a5ccd5039f7227b260bd");
  EXPECT_EQ(simple.inputs[0].value, 610677u);
  ASSERT_EQ(simple.outputs.size(), 2u);
  EXPECT_EQ(simple.outputs[0].address, "1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Rd");
  EXPECT_EQ(simple.outputs[0].script_type, "p2pkh");
  EXPECT_EQ(simple.outputs[0].value, 344697u);
  EXPECT_EQ(simple.outputs[1].n, 1u);
  EXPECT_EQ(simple.outputs[1].address, "bc1q0hhg573c4wlmqrdlhgm9ert8z2f5e3y3lf9hvx");
  EXPECT_EQ(simple.outputs[1].value, 265396u);

  const auto& runes = by_txid(txs, "20b984492b526416");
  EXPECT_TRUE(runes.confirmed);
  EXPECT_EQ(runes.block_height, 848136);
  EXPECT_EQ(runes.block_hash, "00000000000000000002c69c7a3010fcd596c0c7451c23e7cd1f5e19ebf8ee6d");
  EXPECT_EQ(runes.block_time, 1718517071);
  EXPECT_EQ(runes.fee, 4000u);
  EXPECT_EQ(runes.outputs[0].script_type, "op_return");
  EXPECT_FALSE(runes.outputs[0].address);
  // A witness v1 program of 20 bytes: Esplora's "unknown" type, still a valid address.
  EXPECT_EQ(runes.outputs[1].script_type, "unknown");
  EXPECT_EQ(runes.outputs[1].address, "bc1p6uwxc048hflxaerh5zlastpqc7ye0zpvq7gq2a");
  EXPECT_EQ(runes.outputs[1].value, 546u);

  // b10c's block-850000 transaction spends and creates every script type.
  const auto& zoo = by_txid(txs, "b10c0000004da5a9");
  EXPECT_EQ(zoo.block_height, 850000);
  EXPECT_EQ(zoo.version, 1);
  EXPECT_EQ(zoo.locktime, 1231006505u);
  EXPECT_EQ(zoo.fee, 71294u);
  ASSERT_EQ(zoo.inputs.size(), 10u);
  ASSERT_EQ(zoo.outputs.size(), 9u);
  EXPECT_EQ(zoo.inputs[0].script_type, "p2pk");
  EXPECT_FALSE(zoo.inputs[0].address);
  EXPECT_EQ(zoo.inputs[0].value, 6102u);
  EXPECT_EQ(zoo.inputs[0].sequence, 20090103u);
  EXPECT_EQ(zoo.inputs[2].script_type, "multisig");
  EXPECT_EQ(zoo.inputs[8].address, "bc1pwysjmmg07nymrvx9qhvqzfmjutd7nz3u4ecksdmmj58mdwrx4pysq6m68g");
  EXPECT_EQ(zoo.outputs[7].address, "bc1pfeessrawgf");
  EXPECT_EQ(zoo.outputs[8].script_type, "op_return");

  for (const auto& tx : txs) {
    EXPECT_EQ(tx.fee, sum_in(tx) - sum_out(tx)) << tx.txid;
  }
}

TEST(EsploraJson, EveryRealFixtureParsesAndBalances) {
  const std::vector<std::string> lists{
      "backend-test-data/transactions-random.json", "backend-test-data/transactions-rbfs.json",
      "backend-test-data/transactions-replaced.json", "backend-test-data/non-standard-txs.json"};
  const std::vector<std::string> singles{"cypress-fixtures/mainnet_tx_cached.json",
                                         "cypress-fixtures/details_rbf_tx01_api_cached.json",
                                         "cypress-fixtures/details_rbf_tx02_api_tx.json"};
  std::size_t count = 0;
  for (const auto& file : lists) {
    LOAD_OR_SKIP(body, kDir / file);
    for (const auto& tx : parse_esplora_tx_list(body, file)) {
      EXPECT_EQ(tx.fee, sum_in(tx) - sum_out(tx)) << tx.txid;
      ++count;
    }
  }
  for (const auto& file : singles) {
    LOAD_OR_SKIP(body, kDir / file);
    const auto tx = parse_esplora_tx_body(body, file);
    EXPECT_EQ(tx.fee, sum_in(tx) - sum_out(tx)) << tx.txid;
    ++count;
  }
  EXPECT_EQ(count, 12u);  // SOURCE.txt: 12 transactions
}

TEST(EsploraJson, SingleTransactionBodyWithExpectedTxid) {
  LOAD_OR_SKIP(body, kDir / "cypress-fixtures/mainnet_tx_cached.json");
  const std::string txid = "21518a98d1aa9df524865d2f88c578499f524eb1d0c4d3e70312ab863508692f";
  std::string upper = txid;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto tx = parse_esplora_tx_body(body, "https://mempool.example/api/tx/" + txid, upper);
  EXPECT_EQ(tx.txid, txid);
  EXPECT_EQ(tx.inputs[0].prev_vout, 144u);
  EXPECT_EQ(tx.inputs[0].value, 253017648u);
  EXPECT_EQ(tx.outputs[0].value, 253008854u);
  EXPECT_EQ(tx.fee, 8794u);
  EXPECT_FALSE(tx.confirmed);

  const auto error =
      error_from([&] { parse_esplora_tx_body(body, "https://mempool.example/api/tx/aa", std::string(64, 'a')); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(error->what(), AllOf(StartsWith("https://mempool.example/api/tx/aa: "), HasSubstr("txid"),
                                   HasSubstr("not the requested " + std::string(64, 'a'))));
}

TEST(EsploraJson, EmptyOpReturnAddressIsNoAddress) {
  LOAD_OR_SKIP(body, kDir / "backend-test-data/non-standard-txs.json");
  const auto txs = parse_esplora_tx_list(body, kContext);
  ASSERT_EQ(txs.size(), 1u);
  EXPECT_FALSE(txs[0].outputs[0].address);  // "scriptpubkey_address": ""
  EXPECT_EQ(txs[0].fee, 11586u);
  EXPECT_EQ(txs[0].block_height, 896088);
  // All its value goes to the fee: no transfers, but the transaction itself is valid.
  EXPECT_TRUE(core::derive_btc_transfers(txs[0], 0).empty());
}

TEST(EsploraJson, RealTransactionDerivesExactTransfersWithPseudoAddresses) {
  LOAD_OR_SKIP(body, kDir / "backend-test-data/transactions-random.json");
  const auto txs = parse_esplora_tx_list(body, kContext);
  const auto& zoo = by_txid(txs, "b10c0000004da5a9");
  const auto transfers = core::derive_btc_transfers(zoo, 0);
  std::map<std::string, std::uint64_t> into;
  std::map<std::string, std::uint64_t> from;
  for (const auto& t : transfers) {
    into[t.to] += static_cast<std::uint64_t>(t.amount.value());
    from[t.from] += static_cast<std::uint64_t>(t.amount.value());
    EXPECT_EQ(t.timestamp, 1719689674);
  }
  // Output 0 is P2PK (pseudo-address from its script, hashed independently with Python), output 2 bare multisig.
  EXPECT_EQ(into["script:5916305f9ed013844e38404ec778e9d1c072af7a"], 576u);
  EXPECT_EQ(into["script:65d48bf6ec0f163201167a40c0a5314944a250f5"], 582u);
  EXPECT_EQ(into["1CuQsdrcgcmPvugo3NqEwh1kDcpeEnuFC"], 546u);
  EXPECT_EQ(into["bc1pfeessrawgf"], 240u);
  // Input 0 (P2PK, uncompressed key) is a node too; everything received equals the outputs (fee excluded).
  EXPECT_GT(from["script:2cb1c0a16f1c05e558e881498eeeb20201a53689"], 0u);
  std::uint64_t total = 0;
  for (const auto& [node, value] : into) total += value;
  EXPECT_EQ(total, sum_out(zoo));
  EXPECT_EQ(total + zoo.fee, sum_in(zoo));
}

// ---- hostile input ----

json real_tx() {
  const auto body = test::read_file(kDir / "backend-test-data/transactions-random.json");
  if (!body) return nullptr;
  return json::parse(*body)[0];
}

std::string expect_error(const std::string& body, const std::string& context = kContext) {
  const auto error = error_from([&] { parse_esplora_tx_list(body, context); });
  if (!error) {
    ADD_FAILURE() << "accepted: " << body.substr(0, 200);
    return {};
  }
  EXPECT_EQ(error->kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(error->what(), StartsWith(context + ": "));
  return error->what();
}

std::string list_of(const json& tx) { return json::array({tx}).dump(); }

TEST(EsploraJsonHostile, NotJsonAtAll) {
  EXPECT_THAT(expect_error("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"),
              AllOf(HasSubstr("HTML"), HasSubstr("502 Bad Gateway")));
  EXPECT_THAT(expect_error("Transaction not found"), HasSubstr("not JSON"));
  EXPECT_THAT(expect_error(""), HasSubstr("empty"));
  EXPECT_THAT(expect_error("  \n"), HasSubstr("empty"));
  EXPECT_THAT(expect_error("\x1b[31m{"), HasSubstr("\\x1b"));  // escapes never reach the terminal
}

TEST(EsploraJsonHostile, TruncatedAndMalformed) {
  const json tx = real_tx();
  if (tx.is_null()) GTEST_SKIP() << "shared data not available";
  const std::string body = list_of(tx);
  EXPECT_THAT(expect_error(body.substr(0, body.size() / 2)), HasSubstr("malformed JSON"));
  EXPECT_THAT(expect_error(body + "]"), HasSubstr("malformed JSON"));
  std::string huge = body;
  huge.replace(huge.find("344697"), 6, "1e400");
  EXPECT_THAT(expect_error(huge), AllOf(HasSubstr("malformed JSON"), HasSubstr("1e400")));
  EXPECT_THAT(expect_error(tx.dump()), HasSubstr("expected an array of transactions, got an object"));
}

TEST(EsploraJsonHostile, BadFieldsAreNamed) {
  const json good = real_tx();
  if (good.is_null()) GTEST_SKIP() << "shared data not available";
  ASSERT_NO_THROW(parse_esplora_tx_list(list_of(good), kContext));
  struct Case {
    const char* name;
    std::function<void(json&)> damage;
    std::vector<std::string> message;
  };
  const std::vector<Case> cases{
      {"negative value", [](json& t) { t["vout"][0]["value"] = -1; }, {"vout[0].value", "negative"}},
      {"absurd value",
       [](json& t) { t["vout"][0]["value"] = 2100000000000001ULL; },
       {"vout[0].value", "exceeds 21,000,000 BTC"}},
      {"beyond 64 bits", [](json& t) { t["vout"][0]["value"] = 1e30; }, {"vout[0].value", "whole number"}},
      {"fractional satoshi",
       [](json& t) { t["vin"][0]["prevout"]["value"] = 610677.5; },
       {"vin[0].prevout.value", "whole number of satoshi"}},
      {"string value", [](json& t) { t["vout"][1]["value"] = "265396"; }, {"vout[1].value", "expected an integer"}},
      {"numeric txid", [](json& t) { t["txid"] = 123; }, {"txid", "expected a string, got 123"}},
      {"short txid", [](json& t) { t["txid"] = "13f007"; }, {"txid", "64 hex digits"}},
      {"missing fee", [](json& t) { t.erase("fee"); }, {"fee: missing"}},
      {"missing prevout", [](json& t) { t["vin"][0].erase("prevout"); }, {"vin[0].prevout", "missing"}},
      {"vin not array", [](json& t) { t["vin"] = json::object(); }, {"vin", "expected an array"}},
      {"status not object", [](json& t) { t["status"] = true; }, {"status", "expected an object"}},
      {"confirmed without height",
       [](json& t) {
         t["status"] = {{"confirmed", true}};
       },
       {"status.block_height"}},
      {"fee mismatch", [](json& t) { t["fee"] = 585; }, {"fee 585 sat is not inputs - outputs = 584"}},
      {"outputs exceed inputs", [](json& t) { t["vout"][0]["value"] = 999999; }, {"exceed inputs"}},
      {"bad address",
       [](json& t) { t["vout"][0]["scriptpubkey_address"] = "1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Re"; },
       {"vout[0].scriptpubkey_address", "invalid btc address", "checksum"}},
      {"eth address",
       [](json& t) { t["vout"][0]["scriptpubkey_address"] = "0x52908400098527886e0f7030069857d2e4169ee7"; },
       {"vout[0].scriptpubkey_address"}},
      {"script not hex", [](json& t) { t["vout"][0]["scriptpubkey"] = "76a9zz"; }, {"vout[0].scriptpubkey", "hex"}},
      {"script type injection",
       [](json& t) { t["vout"][0]["scriptpubkey_type"] = "p2pkh\n\x1b[2J"; },
       {"vout[0].scriptpubkey_type", "\\x0a"}},
      {"coinbase flag wrong type",
       [](json& t) { t["vin"][0]["is_coinbase"] = "false"; },
       {"vin[0].is_coinbase", "true or false"}},
      {"vout index overflow", [](json& t) { t["vin"][0]["vout"] = 4294967296ULL; }, {"vin[0].vout", "maximum"}},
  };
  for (const auto& c : cases) {
    json tx = good;
    c.damage(tx);
    const std::string message = expect_error(list_of(tx));
    EXPECT_THAT(message, HasSubstr(": [0]")) << c.name;
    for (const auto& part : c.message) EXPECT_THAT(message, HasSubstr(part)) << c.name;
    if (std::string(c.name).find("txid") == std::string::npos) {
      EXPECT_THAT(message, HasSubstr(good["txid"].get<std::string>())) << c.name;
    }
  }
}

TEST(EsploraJsonHostile, TheFailingElementOfAListIsNamed) {
  const json good = real_tx();
  if (good.is_null()) GTEST_SKIP() << "shared data not available";
  json bad = good;
  bad["vout"][1]["value"] = -5;
  const std::string message = expect_error(json::array({good, bad}).dump());
  EXPECT_THAT(message, HasSubstr(std::string(kContext) + ": [1]: tx "));
  EXPECT_THAT(message, HasSubstr("vout[1].value"));
}

}  // namespace
}  // namespace fundtrail::ingest
