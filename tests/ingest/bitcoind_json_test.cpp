// Bitcoin Core RPC transaction JSON: the real getrawtransaction outputs (testnet3) in
// ../shared/data/bitcoin-core-rpc-json, exact BTC decimals, verbosity 2 / getblock 3 shapes, and hostile input.
#include "fundtrail/ingest/bitcoind_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
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

const std::filesystem::path kDir = test::shared_data("bitcoin-core-rpc-json");
constexpr const char* kContext = "http://127.0.0.1:18332/ getrawtransaction";

using test::error_from;

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("fixture text not found: " + from);
  return text.replace(at, from.size(), to);
}

const std::vector<std::string> kTxFiles{
    "getRawTransactionVerboseReceived.json",
    "getRawTransactionVerboseSent.json",
    "getRawTransactionVerboseWitness.json",
    "rawTxVerbose-2ba6da53badd14349c5d6379e88c345e88193598aad714815d4b57c691a9fbdf.json",
    "rawTxVerbose-586c51dc94452aed9a373b0f52936c3e343c0db90f1155e985fd60e3c2e5c2b2.json",
    "rawTxVerbose-da28401c76d618e8c3b1c3e15dfe1c10d4b24875f23768f30bcc26c99b9c82d4.json",
    "rawTxVerbose-fda421ccdff7324a382067d1746f6a387132435de6af336a0ebbf3f720eaae4d.json",
};

TEST(BitcoindJson, ParsesTheRealReceivedTransactionExactly) {
  LOAD_OR_SKIP(body, kDir / "getRawTransactionVerboseReceived.json");
  const auto tx = parse_bitcoind_tx_body(body, kContext);
  EXPECT_EQ(tx.txid, "9f0706c2717fc77bf0f225a4223933a7decb8d36902ddbb0accab8ea894f8b29");
  EXPECT_EQ(tx.version, 2);
  EXPECT_EQ(tx.size, 372u);
  EXPECT_EQ(tx.weight, 1488u);
  EXPECT_EQ(tx.locktime, 2582723u);
  EXPECT_TRUE(tx.confirmed);
  EXPECT_EQ(tx.block_hash, "00000000001e94d85c3e736aa4071d36d26547713820a27af9edbe97489c696f");
  EXPECT_EQ(tx.block_time, 1710931198);
  EXPECT_FALSE(tx.block_height);  // getrawtransaction does not report it
  ASSERT_EQ(tx.inputs.size(), 2u);
  EXPECT_EQ(tx.inputs[0].prev_txid, "2e4428f122341d770a9074b3f62040f2d48b78a253ad0c46eabaf3732ac2f7eb");
  EXPECT_EQ(tx.inputs[1].prev_vout, 0u);
  EXPECT_EQ(tx.inputs[0].sequence, 4294967293u);
  EXPECT_FALSE(tx.inputs[0].prevout_known);  // verbosity 1
  EXPECT_FALSE(core::prevouts_known(tx));
  ASSERT_EQ(tx.outputs.size(), 2u);
  EXPECT_EQ(tx.outputs[0].value, 488600u);  // 0.00488600
  EXPECT_EQ(tx.outputs[0].address, "mr5FSft4PQvoWbf9Sf5iQXbw1u445iNksp");
  EXPECT_EQ(tx.outputs[0].script_type, "p2pkh");
  EXPECT_EQ(tx.outputs[0].script_hex, "76a91473cce22e78ec61cd54a6438ca1210b88561ebcdd88ac");
  EXPECT_EQ(tx.outputs[1].value, 500000u);  // 0.00500000
  EXPECT_EQ(tx.outputs[1].address, "mjaGtyj74LYn7gApr17prZxDPDnfuUnRa5");
}

TEST(BitcoindJson, NullDataAndWitnessOutputs) {
  LOAD_OR_SKIP(sent, kDir / "getRawTransactionVerboseSent.json");
  const auto tx = parse_bitcoind_tx_body(sent, kContext);
  ASSERT_EQ(tx.outputs.size(), 3u);
  EXPECT_EQ(tx.outputs[1].script_type, "op_return");  // Core's "nulldata"
  EXPECT_FALSE(tx.outputs[1].address);
  EXPECT_EQ(tx.outputs[1].value, 0u);
  EXPECT_EQ(tx.outputs[2].value, 1956600u);  // 0.01956600
  EXPECT_EQ(tx.outputs[2].address, "mowfvQDraTDvRgZowL4tx5EatL1u78w65v");

  LOAD_OR_SKIP(witness, kDir / "getRawTransactionVerboseWitness.json");
  const auto w = parse_bitcoind_tx_body(witness, kContext);
  EXPECT_EQ(w.txid, "0b9b2c99aa47b7effdd1d945a9ebad5374666ed13883960e80f2e8ff92088687");
  EXPECT_EQ(w.size, 370u);
  EXPECT_EQ(w.weight, 832u);
  EXPECT_EQ(w.outputs[0].script_type, "v0_p2wpkh");
  EXPECT_EQ(w.outputs[0].address, "tb1q5tsjcyz7xmet07yxtumakt739y53hcttmntajq");
  EXPECT_EQ(w.outputs[0].value, 49899u);    // 0.00049899
  EXPECT_EQ(w.outputs[1].value, 3220659u);  // 0.03220659
}

// Every real file parses; prevouts found among the files themselves are filled (fda421cc spends 9f0706c2:0,
// da28401c spends fda421cc:0), with the exact values of the spent outputs.
TEST(BitcoindJson, AllRealFilesParseAndPrevoutsResolveAcrossThem) {
  std::map<std::string, core::BtcTransaction> by_txid;
  for (const auto& file : kTxFiles) {
    LOAD_OR_SKIP(body, kDir / file);
    auto tx = parse_bitcoind_tx_body(body, file);
    if (file.rfind("rawTxVerbose-", 0) == 0) {
      EXPECT_EQ(file.substr(13, 64), tx.txid);
    }
    by_txid.emplace(tx.txid, std::move(tx));
  }
  ASSERT_EQ(by_txid.size(), kTxFiles.size());
  const core::PrevoutLookup lookup = [&](std::string_view txid, std::uint32_t vout) -> std::optional<core::BtcOutput> {
    const auto it = by_txid.find(std::string(txid));
    if (it == by_txid.end() || vout >= it->second.outputs.size()) return std::nullopt;
    return it->second.outputs[vout];
  };
  auto fda = by_txid.at("fda421ccdff7324a382067d1746f6a387132435de6af336a0ebbf3f720eaae4d");
  EXPECT_EQ(core::fill_prevouts(fda, lookup), 1u);
  EXPECT_EQ(fda.inputs[3].value, 488600u);
  EXPECT_EQ(fda.inputs[3].address, "mr5FSft4PQvoWbf9Sf5iQXbw1u445iNksp");
  EXPECT_FALSE(core::prevouts_known(fda));  // its other four inputs are not in the data set
  auto da2 = by_txid.at("da28401c76d618e8c3b1c3e15dfe1c10d4b24875f23768f30bcc26c99b9c82d4");
  EXPECT_EQ(core::fill_prevouts(da2, lookup), 1u);
  EXPECT_EQ(da2.inputs[1].value, 187300u);  // 0.00187300
  EXPECT_EQ(da2.inputs[1].address, "n1sSgnWcHU8AeHTVFez9RQ8HxMdAVHJXui");
  EXPECT_EQ(da2.outputs[0].value, 9300u);  // 0.00009300
}

// Verbosity 2 (and getblock verbosity 3) add per-input prevouts and the fee: built here from the real
// Received transaction with prevout values chosen so that the fee is checked exactly.
std::string verbosity2(const std::string& body, const std::string& fee) {
  const std::string sequence = R"("sequence": 4294967293)";
  const std::string prevout0 =
      R"("prevout": {"generated": false, "height": 2582700, "value": 0.00600000, "scriptPubKey": {"asm": "", )"
      R"("desc": "", "hex": "76a9146e84f2d601c6742a94bf9ba32bea7e3f3e377fbb88ac", )"
      R"("address": "mqbKtarYKnoEdPheFFDGRjksvEpb2vJGNh", "type": "pubkeyhash"}}, )";
  const std::string prevout1 =
      R"("prevout": {"generated": true, "height": 100, "value": 0.00391234, "scriptPubKey": {"asm": "", "desc": "", )"
      R"("hex": "210261542eb020b36c1da48e2e607b90a8c1f2ccdbd06eaf5fb4bb0d7cc34293d32aac", "type": "pubkey"}}, )";
  std::string text = body;
  const auto first = text.find(sequence);
  text.insert(first, prevout0);
  const auto second = text.find(sequence, first + prevout0.size() + sequence.size());
  text.insert(second, prevout1);
  return replace_once(text, R"("hex": "0200000002)", R"("fee": )" + fee + R"(, "hex": "0200000002)");
}

TEST(BitcoindJson, Verbosity2PrevoutsAndFeeAreExact) {
  LOAD_OR_SKIP(body, kDir / "getRawTransactionVerboseReceived.json");
  // Inputs 0.00600000 + 0.00391234 = 991,234 sat; outputs 988,600 sat: fee 0.00002634.
  const auto tx = parse_bitcoind_tx_body(verbosity2(body, "0.00002634"), kContext);
  EXPECT_TRUE(core::prevouts_known(tx));
  EXPECT_EQ(tx.fee, 2634u);
  EXPECT_EQ(tx.inputs[0].value, 600000u);
  EXPECT_EQ(tx.inputs[0].address, "mqbKtarYKnoEdPheFFDGRjksvEpb2vJGNh");
  EXPECT_EQ(tx.inputs[1].script_type, "p2pk");
  EXPECT_FALSE(tx.inputs[1].address);
  const auto transfers = core::derive_btc_transfers(tx, 0);
  std::uint64_t total = 0;
  for (const auto& t : transfers) total += static_cast<std::uint64_t>(t.amount.value());
  EXPECT_EQ(total, 988600u);
  EXPECT_EQ(transfers[1].from, "script:5916305f9ed013844e38404ec778e9d1c072af7a");

  const auto error = error_from([&] { parse_bitcoind_tx_body(verbosity2(body, "0.00002635"), kContext); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->what(), AllOf(StartsWith(kContext), HasSubstr("fee 2635 sat is not inputs - outputs = 2634")));
}

TEST(BitcoindJson, GetblockEntriesTakeTheBlockFromTheCaller) {
  LOAD_OR_SKIP(body, kDir / "getRawTransactionVerboseWitness.json");
  json doc = parse_bitcoind_json(body, kContext);
  for (const char* key : {"blockhash", "blocktime", "time", "confirmations", "hex"}) doc.erase(key);
  const auto unconfirmed = parse_bitcoind_tx(doc, kContext);
  EXPECT_FALSE(unconfirmed.confirmed);
  EXPECT_FALSE(unconfirmed.block_time);

  BitcoindTxContext block;
  block.block_hash = "00000000001E94D85C3E736AA4071D36D26547713820A27AF9EDBE97489C696F";
  block.block_height = 2582724;
  block.block_time = 1710931198;
  const auto tx = parse_bitcoind_tx(doc, "getblock 00000000001e94d8 verbosity 3", block);
  EXPECT_TRUE(tx.confirmed);
  EXPECT_EQ(tx.block_hash, "00000000001e94d85c3e736aa4071d36d26547713820a27af9edbe97489c696f");
  EXPECT_EQ(tx.block_height, 2582724);
  EXPECT_EQ(tx.block_time, 1710931198);

  // The object's own blockhash must agree with the caller's block.
  const json full = parse_bitcoind_json(body, kContext);
  block.block_hash = std::string(64, 'a');
  const auto error = error_from([&] { parse_bitcoind_tx(full, kContext, block); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->what(), AllOf(HasSubstr("blockhash"), HasSubstr("disagrees")));
}

TEST(BitcoindJson, StaleBlockMeansUnconfirmed) {
  LOAD_OR_SKIP(body, kDir / "getRawTransactionVerboseSent.json");
  const auto tx = parse_bitcoind_tx_body(
      replace_once(body, R"("confirmations": 106306)", R"("confirmations": 0, "in_active_chain": false)"), kContext);
  EXPECT_FALSE(tx.confirmed);
  EXPECT_FALSE(tx.block_hash);
}

TEST(BitcoindJson, CoinbaseInput) {
  const std::string body = R"({"txid": "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", "version": 1,
    "size": 204, "weight": 816, "locktime": 0,
    "vin": [{"coinbase": "04ffff001d0104455468652054696d65732030332f4a616e2f32303039", "sequence": 4294967295}],
    "vout": [{"value": 50.00000000, "n": 0, "scriptPubKey": {"asm": "", "hex": "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac", "type": "pubkey"}}],
    "blockhash": "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", "confirmations": 1, "blocktime": 1231006505})";
  const auto tx = parse_bitcoind_tx_body(body, kContext);
  ASSERT_TRUE(core::is_coinbase(tx));
  EXPECT_EQ(tx.inputs[0].prev_txid, core::kNullTxid);
  EXPECT_EQ(tx.outputs[0].value, 5'000'000'000u);
  const auto transfers = core::derive_btc_transfers(tx, 0);
  ASSERT_EQ(transfers.size(), 1u);
  EXPECT_EQ(transfers[0].from, "coinbase");
  EXPECT_EQ(transfers[0].to.rfind("script:", 0), 0u);
}

TEST(BitcoindJson, ExactDecimalsNeverGoThroughDouble) {
  std::string reason;
  EXPECT_EQ(btc_decimal_to_satoshi("0.00488600", reason), 488600u);
  EXPECT_EQ(btc_decimal_to_satoshi("20999999.99999999", reason), 2099999999999999u);  // a double rounds this
  EXPECT_EQ(btc_decimal_to_satoshi("21000000", reason), core::kMaxMoneySatoshi);
  EXPECT_EQ(btc_decimal_to_satoshi("0.30000000", reason), 30000000u);
  EXPECT_EQ(btc_decimal_to_satoshi("0.123456780000", reason), 12345678u);
  EXPECT_EQ(btc_decimal_to_satoshi("0", reason), 0u);
  EXPECT_FALSE(btc_decimal_to_satoshi("21000000.00000001", reason));
  EXPECT_THAT(reason, HasSubstr("exceeds 21,000,000 BTC"));
  EXPECT_FALSE(btc_decimal_to_satoshi("0.000000001", reason));
  EXPECT_THAT(reason, HasSubstr("more than 8 decimal places"));
  EXPECT_FALSE(btc_decimal_to_satoshi("-0.1", reason));
  EXPECT_THAT(reason, HasSubstr("negative"));
  EXPECT_FALSE(btc_decimal_to_satoshi("1e-8", reason));
  EXPECT_THAT(reason, HasSubstr("exponent"));
  EXPECT_FALSE(btc_decimal_to_satoshi("123456789012345678901234567890", reason));
  EXPECT_FALSE(btc_decimal_to_satoshi("1.", reason));
  EXPECT_FALSE(btc_decimal_to_satoshi("", reason));

  // Through the parser: the text of the number is what counts.
  const json doc =
      parse_bitcoind_json(R"({"a": 20999999.99999999, "b": 12, "c": 123456789012345678901234567890})", "t");
  ASSERT_TRUE(doc["a"].is_binary());
  const auto& bytes = doc["a"].get_binary();
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "20999999.99999999");
  EXPECT_TRUE(doc["b"].is_number_unsigned());
  EXPECT_TRUE(doc["c"].is_binary());
}

TEST(BitcoindJson, ScriptTypeNamesMapToEsplora) {
  EXPECT_EQ(esplora_script_type("pubkey"), "p2pk");
  EXPECT_EQ(esplora_script_type("pubkeyhash"), "p2pkh");
  EXPECT_EQ(esplora_script_type("scripthash"), "p2sh");
  EXPECT_EQ(esplora_script_type("multisig"), "multisig");
  EXPECT_EQ(esplora_script_type("nulldata"), "op_return");
  EXPECT_EQ(esplora_script_type("witness_v0_keyhash"), "v0_p2wpkh");
  EXPECT_EQ(esplora_script_type("witness_v0_scripthash"), "v0_p2wsh");
  EXPECT_EQ(esplora_script_type("witness_v1_taproot"), "v1_p2tr");
  EXPECT_EQ(esplora_script_type("witness_unknown"), "unknown");
  EXPECT_EQ(esplora_script_type("nonstandard"), "unknown");
  EXPECT_EQ(esplora_script_type("anchor"), "anchor");
  EXPECT_EQ(esplora_script_type("\x1b[2J"), "unknown");
}

// ---- hostile input ----

std::string expect_error(const std::string& body, ErrorKind kind = ErrorKind::InvalidArgument,
                         const BitcoindTxContext& block = {}) {
  const auto error = error_from([&] { parse_bitcoind_tx_body(body, kContext, block); });
  if (!error) {
    ADD_FAILURE() << "accepted: " << body.substr(0, 300);
    return {};
  }
  EXPECT_EQ(error->kind(), kind);
  EXPECT_THAT(error->what(), StartsWith(std::string(kContext) + ": "));
  return error->what();
}

TEST(BitcoindJsonHostile, BodiesThatAreNotATransaction) {
  EXPECT_THAT(expect_error("<html><head><title>401 Unauthorized</title></head></html>"), HasSubstr("HTML"));
  EXPECT_THAT(expect_error(""), HasSubstr("empty"));
  EXPECT_THAT(expect_error("Work queue depth exceeded"), HasSubstr("not JSON"));
  EXPECT_THAT(expect_error(R"({"txid": "ab", "vout": [)"), HasSubstr("malformed JSON"));
  EXPECT_THAT(expect_error(R"({"a": 1} {"b": 2})"), HasSubstr("malformed JSON"));
  EXPECT_THAT(expect_error(R"({"value": 1e400})"), AllOf(HasSubstr("malformed JSON"), HasSubstr("1e400")));
  EXPECT_THAT(expect_error(R"({"txid": "a", "txid": "b"})"), HasSubstr("duplicate key 'txid'"));
  EXPECT_THAT(expect_error(std::string(100, '[') + std::string(100, ']')), HasSubstr("nested deeper than 64"));
  EXPECT_THAT(expect_error("[1, 2]"), HasSubstr("expected a transaction object, got an array"));
  EXPECT_THAT(
      expect_error(
          R"({"result": null, "error": {"code": -5, "message": "No such mempool or blockchain transaction"}, "id": 1})",
          ErrorKind::NotFound),
      AllOf(HasSubstr("RPC error -5"), HasSubstr("No such mempool")));
  EXPECT_THAT(expect_error(R"({"result": null, "error": {"code": -28, "message": "Loading block index..."}, "id": 1})"),
              HasSubstr("RPC error -28: Loading block index"));
}

TEST(BitcoindJsonHostile, EnvelopeWithResultParses) {
  LOAD_OR_SKIP(body, kDir / "getRawTransactionVerboseSent.json");
  const auto tx = parse_bitcoind_tx_body(R"({"result": )" + body + R"(, "error": null, "id": "fundtrail"})", kContext);
  EXPECT_EQ(tx.txid, "9b0c48b79fe40c67f7a2837e6e59a138a16671caf7685dcd831bd3c51b9f6d21");
}

TEST(BitcoindJsonHostile, BadFieldsAreNamed) {
  LOAD_OR_SKIP(body, kDir / "getRawTransactionVerboseReceived.json");
  ASSERT_NO_THROW(parse_bitcoind_tx_body(body, kContext));
  const std::string value0 = R"("value": 0.00488600)";
  struct Case {
    const char* name;
    std::string body;
    std::vector<std::string> message;
  };
  const std::vector<Case> cases{
      {"negative",
       replace_once(body, value0, R"("value": -0.00488600)"),
       {"vout[0].value", "negative amount '-0.00488600'"}},
      {"absurd",
       replace_once(body, value0, R"("value": 21000000.00000001)"),
       {"vout[0].value", "exceeds 21,000,000 BTC"}},
      {"huge",
       replace_once(body, value0, R"("value": 184467440737095516160000)"),
       {"vout[0].value", "exceeds 21,000,000 BTC"}},
      {"huge integer", replace_once(body, value0, R"("value": 99999999)"), {"vout[0].value", "exceeds 21,000,000 BTC"}},
      {"sub-satoshi",
       replace_once(body, value0, R"("value": 0.004886001)"),
       {"vout[0].value", "more than 8 decimal places"}},
      {"exponent", replace_once(body, value0, R"("value": 4.886E-3)"), {"vout[0].value", "exponent"}},
      {"string amount",
       replace_once(body, value0, R"("value": "0.00488600")"),
       {"vout[0].value", "expected a BTC amount"}},
      {"missing amount", replace_once(body, value0 + ",", ""), {"vout[0].value: missing"}},
      {"numeric txid",
       replace_once(body, R"("txid": "9f0706c2717fc77bf0f225a4223933a7decb8d36902ddbb0accab8ea894f8b29")",
                    R"("txid": 42)"),
       {"txid", "expected a string, got 42"}},
      {"fractional n", replace_once(body, R"("n": 1)", R"("n": 1.0)"), {"vout[1].n", "expected an integer, got 1.0"}},
      {"wrong n", replace_once(body, R"("n": 1)", R"("n": 7)"), {"output 1: index n is 7"}},
      {"vin wrong type",
       replace_once(body, R"("vin": [)", R"("vin": "x", "ignored": [)"),
       {"vin", "expected an array"}},
      {"bad address",
       replace_once(body, R"("address": "mr5FSft4PQvoWbf9Sf5iQXbw1u445iNksp")",
                    R"("address": "mr5FSft4PQvoWbf9Sf5iQXbw1u445iNksq")"),
       {"vout[0].scriptPubKey.address", "invalid btc address"}},
      {"bad hex",
       replace_once(body, R"("hex": "76a91473cce22e78ec61cd54a6438ca1210b88561ebcdd88ac")", R"("hex": "76a9xx")"),
       {"vout[0].scriptPubKey.hex", "expected hex"}},
      {"sequence overflow",
       replace_once(body, R"("sequence": 4294967293)", R"("sequence": 4294967296)"),
       {"vin[0].sequence", "out of range"}},
  };
  for (const auto& c : cases) {
    const std::string message = expect_error(c.body);
    for (const auto& part : c.message) EXPECT_THAT(message, HasSubstr(part)) << c.name;
    if (std::string(c.name) != "numeric txid") {
      EXPECT_THAT(message, HasSubstr("9f0706c2717fc77bf0f225a4223933a7decb8d36902ddbb0accab8ea894f8b29")) << c.name;
    }
  }
}

TEST(BitcoindJsonHostile, TxidMismatchAndDoubleParsedDocuments) {
  LOAD_OR_SKIP(body, kDir / "getRawTransactionVerboseReceived.json");
  BitcoindTxContext expect;
  expect.expected_txid = "586c51dc94452aed9a373b0f52936c3e343c0db90f1155e985fd60e3c2e5c2b2";
  EXPECT_THAT(expect_error(body, ErrorKind::InvalidArgument, expect),
              AllOf(HasSubstr("9f0706c2717fc77bf0f225a4223933a7decb8d36902ddbb0accab8ea894f8b29"),
                    HasSubstr("not the requested 586c51dc")));
  // A document parsed the ordinary way has doubles where the amounts were: refused, never rounded.
  const auto error = error_from([&] { parse_bitcoind_tx(json::parse(body), kContext); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->what(), AllOf(HasSubstr("vout[0].value"), HasSubstr("parse_bitcoind_json")));
}

}  // namespace
}  // namespace fundtrail::ingest
