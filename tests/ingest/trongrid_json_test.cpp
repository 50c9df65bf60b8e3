// TronGrid v1 page parsers: the REAL page in ../shared/data/trongrid-json/blockatlas (values checked by hand
// against the file: base58 of the hex addresses computed independently, sha256 of every raw_data_hex), the
// edited trc20 page (only for negative and robustness tests: its queried address fails base58check and one
// record is duplicated), and small hostile variants that must fail with a message naming the URL.
#include "fundtrail/ingest/trongrid_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"
#include "support/error_matchers.hpp"
#include "support/shared_data.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;
using test::ThrowsError;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

const std::filesystem::path kDir = test::shared_data("trongrid-json/blockatlas");
constexpr const char* kTxsUrl = "https://api.trongrid.io/v1/accounts/TM1zzNDZD2DPASbKcgdVoTYhfmYgtfwx9R/transactions";
constexpr const char* kTrc20Url =
    "https://api.trongrid.io/v1/accounts/TM1zzNDZD2DPASbKcgdVoTYhfmYgtfwx9R/transactions/trc20";

// The account the real page was fetched for (its links.next names it) and its hex form inside raw_data.
constexpr const char* kAccount = "TM1zzNDZD2DPASbKcgdVoTYhfmYgtfwx9R";
constexpr const char* kAccountHex = "4179309abcff2cf531070ca9222a1f72c4a5136874";
constexpr const char* kUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
constexpr const char* kUsdtHex = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c";
// Fails base58check: the address the blockatlas authors edited into the trc20 page.
constexpr const char* kEditedAccount = "TM1zzNDZD2DPASbKcgdVoTYhfmYgtfwx9D";

HttpResponse ok(std::string body) {
  HttpResponse response;
  response.status = 200;
  response.body = std::move(body);
  return response;
}

HttpResponse ok(const json& body) { return ok(body.dump()); }

const AccountTransaction* find_tx(const TronGridPage& page, const std::string& hash) {
  const auto it = std::find_if(page.transactions.begin(), page.transactions.end(),
                               [&](const AccountTransaction& tx) { return tx.hash == hash; });
  return it == page.transactions.end() ? nullptr : &*it;
}

std::string sha256_hex(const std::string& bytes) { return core::to_hex(core::sha256(bytes)); }

// A synthetic TransferContract record. With `with_hex`, raw_data_hex is made up and txID is its real SHA-256.
json transfer_record(const std::string& from_hex, const std::string& to_hex, json amount, bool with_hex = true,
                     const std::string& seed = "a") {
  const std::string raw_hex = core::to_hex(core::sha256("raw-data-" + seed)) + "0a02";
  json record = {
      {"txID", sha256_hex(core::hex_to_bytes(raw_hex))},
      {"blockNumber", 60000000},
      {"block_timestamp", 1709251203000},
      {"ret", json::array({{{"contractRet", "SUCCESS"}, {"fee", 1100000}}})},
      {"raw_data",
       {{"contract",
         json::array({{{"type", "TransferContract"},
                       {"parameter",
                        {{"type_url", "type.googleapis.com/protocol.TransferContract"},
                         {"value", {{"owner_address", from_hex}, {"to_address", to_hex}, {"amount", amount}}}}}}})}}},
      {"internal_transactions", json::array()}};
  if (with_hex) record["raw_data_hex"] = raw_hex;
  return record;
}

json trigger_record(const std::string& owner_hex, const std::string& contract_hex, std::uint64_t call_value,
                    const std::string& txid = std::string(64, 'c')) {
  return {{"txID", txid},
          {"blockNumber", 60000001},
          {"block_timestamp", 1709251206000},
          {"ret", json::array({{{"contractRet", "SUCCESS"}, {"fee", 345000}}})},
          {"raw_data",
           {{"contract", json::array({{{"type", "TriggerSmartContract"},
                                       {"parameter",
                                        {{"value",
                                          {{"owner_address", owner_hex},
                                           {"contract_address", contract_hex},
                                           {"call_value", call_value},
                                           {"data", "a9059cbb"}}}}}}})}}}};
}

json envelope(json data, std::optional<std::string> fingerprint = std::nullopt) {
  json meta = {{"at", 1709251300000}, {"page_size", data.size()}};
  if (fingerprint) meta["fingerprint"] = *fingerprint;
  return {{"success", true}, {"meta", meta}, {"data", std::move(data)}};
}

json trc20_record(json value, json decimals = 6, std::string symbol = "USDT") {
  return {{"transaction_id", std::string(64, 'e')},
          {"token_info", {{"symbol", symbol}, {"address", kUsdt}, {"decimals", decimals}, {"name", "Tether USD"}}},
          {"block_timestamp", 1709251209000},
          {"from", kAccount},
          {"to", "TVmkAmaQrY6raatYozLtcQCGqWP6VaPnHU"},
          {"type", "Transfer"},
          {"value", value}};
}

// ---------------------------------------------------------------------------------------------------------
// The real transactions page

TEST(TronGridJsonFixture, RealPageGivesEveryTransactionButTheTrc10One) {
  LOAD_OR_SKIP(body, kDir / "accounts_txs_response.json");
  const TronGridPage page = parse_trongrid_transactions_page(ok(body), kTxsUrl);
  EXPECT_EQ(page.records, 25u);
  EXPECT_EQ(page.transactions.size(), 24u);  // 79010512... is a TransferAssetContract (TRC-10): skipped
  EXPECT_EQ(find_tx(page, "79010512f8e58574cbd066d1a1bd1c7f46f65e59e3b7733010047ff8350f15f1"), nullptr);
  ASSERT_TRUE(page.fingerprint.has_value());
  EXPECT_EQ(*page.fingerprint,
            "4CwRecxbH99eRRkU2FFkGRCvoQGwphNyRcTTiM1GfUrkoQ1fG9Kcc8ADZo7pSCYXja28JWKUACy2Xt6UG1Fa5tSZh5dqpUEuTi1W");
  std::size_t transfers = 0;
  for (const AccountTransaction& tx : page.transactions) {
    EXPECT_EQ(tx.evidence, 0u);
    EXPECT_FALSE(tx.failed) << tx.hash;
    for (const AccountTransfer& transfer : tx.transfers) EXPECT_EQ(transfer.evidence, 0u);
    transfers += tx.transfers.size();
  }
  EXPECT_EQ(transfers, 7u);  // the seven TransferContract payments; the 17 USDT calls carry no TRX
}

TEST(TronGridJsonFixture, OutgoingTrxPaymentHasItsValuesFromTheFile) {
  LOAD_OR_SKIP(body, kDir / "accounts_txs_response.json");
  const TronGridPage page = parse_trongrid_transactions_page(ok(body), kTxsUrl);
  const AccountTransaction* tx = find_tx(page, "3fca53c08ccb48bb625439a58998713d8ecc3dc1348cc3cfab912e0815b62b1a");
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(tx->type, "TransferContract");
  EXPECT_EQ(tx->block_height, 20829716);
  EXPECT_EQ(tx->timestamp, 1592755098);  // block_timestamp 1592755098000 ms: 2020-06-21T15:58:18Z
  ASSERT_TRUE(tx->fee.has_value());
  EXPECT_EQ(tx->fee->to_base_units(), "2690");
  EXPECT_EQ(tx->from, kAccount);                            // 4179309abcff...
  EXPECT_EQ(tx->to, "TVmkAmaQrY6raatYozLtcQCGqWP6VaPnHU");  // 41d9378a9849...
  ASSERT_EQ(tx->transfers.size(), 1u);
  const AccountTransfer& transfer = tx->transfers[0];
  EXPECT_EQ(transfer.kind, TransferKind::Native);
  EXPECT_EQ(transfer.from, kAccount);
  EXPECT_EQ(transfer.to, "TVmkAmaQrY6raatYozLtcQCGqWP6VaPnHU");
  EXPECT_EQ(transfer.amount.to_base_units(), "13195916000");  // sun: 13,195.916 TRX
  EXPECT_EQ(transfer.asset.contract, "");
  EXPECT_EQ(transfer.asset.symbol, "TRX");
  EXPECT_EQ(transfer.asset.decimals, 6u);
}

TEST(TronGridJsonFixture, IncomingPaymentAndUsdtCall) {
  LOAD_OR_SKIP(body, kDir / "accounts_txs_response.json");
  const TronGridPage page = parse_trongrid_transactions_page(ok(body), kTxsUrl);
  const AccountTransaction* incoming =
      find_tx(page, "008ebda5749c38e26a69717faa66e6f4fd8a0d358c9b947192765cc9843cff5a");
  ASSERT_NE(incoming, nullptr);
  ASSERT_EQ(incoming->transfers.size(), 1u);
  EXPECT_EQ(incoming->transfers[0].from, "TGkLtfPuPhkG4RzewwkgNHfPxTwb5YRq6b");  // 414a5a0f19fd...
  EXPECT_EQ(incoming->transfers[0].to, kAccount);
  EXPECT_EQ(incoming->transfers[0].amount.to_base_units(), "511000000");
  EXPECT_EQ(incoming->fee->to_base_units(), "0");

  const AccountTransaction* call = find_tx(page, "18f5908a7e208e16bfb892a5b06df75675d3142d03a0d99d270ac46143b78d06");
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->type, "TriggerSmartContract");
  EXPECT_EQ(call->from, kAccount);
  EXPECT_EQ(call->to, kUsdt);
  EXPECT_EQ(call->block_height, 20829763);
  EXPECT_EQ(call->timestamp, 1592755239);
  EXPECT_EQ(call->fee->to_base_units(), "299770");
  EXPECT_TRUE(call->transfers.empty());  // the USDT it moves comes from the trc20 endpoint
}

TEST(TronGridJsonFixture, Trc10TransferIsSkippedWithAWarningNamingIt) {
  LOAD_OR_SKIP(body, kDir / "accounts_txs_response.json");
  std::ostringstream captured;
  auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  parse_trongrid_transactions_page(ok(body), kTxsUrl);
  spdlog::set_default_logger(previous);
  EXPECT_THAT(captured.str(), AllOf(HasSubstr("79010512f8e58574cbd066d1a1bd1c7f46f65e59e3b7733010047ff8350f15f1"),
                                    HasSubstr("TRC-10")));
}

TEST(TronGridJsonFixture, EveryTxidIsTheSha256OfItsRawDataHex) {
  LOAD_OR_SKIP(body, kDir / "accounts_txs_response.json");
  const json document = json::parse(body);
  ASSERT_EQ(document.at("data").size(), 25u);
  for (const json& record : document.at("data")) {
    const std::string txid = record.at("txID").get<std::string>();
    EXPECT_NO_THROW(verify_tron_txid(txid, record.at("raw_data_hex").get<std::string>(), kTxsUrl)) << txid;
    EXPECT_EQ(sha256_hex(core::hex_to_bytes(record.at("raw_data_hex").get<std::string>())), txid);
  }
}

TEST(TronGridJsonFixture, AlteredRawDataHexIsRefusedNamingTxidAndUrl) {
  LOAD_OR_SKIP(body, kDir / "accounts_txs_response.json");
  json document = json::parse(body);
  json& record = document.at("data").at(6);  // 3fca53c0...: the outgoing TransferContract
  std::string hex = record.at("raw_data_hex").get<std::string>();
  // The amount's last varint byte: an attacker raising the amount by one sun.
  hex[hex.size() - 20] = hex[hex.size() - 20] == '0' ? '1' : '0';
  record["raw_data_hex"] = hex;
  EXPECT_THAT([&] { parse_trongrid_transactions_page(ok(document), kTxsUrl); },
              ThrowsError(ErrorKind::InvalidArgument,
                          AllOf(HasSubstr(kTxsUrl), HasSubstr("data[6]"),
                                HasSubstr("3fca53c08ccb48bb625439a58998713d8ecc3dc1348cc3cfab912e0815b62b1a"),
                                HasSubstr("SHA-256"))));
}

TEST(TronGridJsonFixture, AlteredTxidIsRefused) {
  LOAD_OR_SKIP(body, kDir / "accounts_txs_response.json");
  json document = json::parse(body);
  document.at("data").at(0)["txID"] = std::string(64, 'a');
  EXPECT_THAT([&] { parse_trongrid_transactions_page(ok(document), kTxsUrl); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(kTxsUrl), HasSubstr(std::string(64, 'a')))));
}

TEST(TronGridJsonFixture, Base58AndHexFormsFromTheFixtureAgree) {
  LOAD_OR_SKIP(account, kDir / "accounts_response.json");
  // GET /v1/accounts/TM1zz...x9R answered with the hex form of the same account.
  EXPECT_EQ(json::parse(account).at("data").at(0).at("address").get<std::string>(), kAccountHex);
  EXPECT_EQ(core::tron_hex_to_base58(kAccountHex), kAccount);
  EXPECT_EQ(core::tron_base58_to_hex(kAccount), kAccountHex);
  EXPECT_EQ(core::tron_hex_to_base58(kUsdtHex), kUsdt);  // contract_address of the USDT calls
  EXPECT_EQ(core::tron_base58_to_hex(kUsdt), kUsdtHex);
  EXPECT_EQ(core::tron_hex_to_base58("41d9378a9849912a41ec1f0e4677c074edf0516241"),
            "TVmkAmaQrY6raatYozLtcQCGqWP6VaPnHU");
  EXPECT_FALSE(core::is_valid_address(core::Chain::Tron, kEditedAccount));
}

// ---------------------------------------------------------------------------------------------------------
// The edited trc20 page

TEST(TronGridJsonFixture, EditedTrc20PageFailsOnItsBadAddress) {
  LOAD_OR_SKIP(body, kDir / "txs_trc20_response.json");
  EXPECT_THAT([&] { parse_trongrid_trc20_page(ok(body), kTrc20Url); },
              ThrowsError(ErrorKind::InvalidArgument,
                          AllOf(HasSubstr(kTrc20Url), HasSubstr(kEditedAccount), HasSubstr("checksum"))));
}

TEST(TronGridJsonFixture, Trc20PageWithTheAddressRepairedGivesTokenTransfers) {
  LOAD_OR_SKIP(body, kDir / "txs_trc20_response.json");
  std::string repaired = body;
  for (std::size_t at = repaired.find(kEditedAccount); at != std::string::npos; at = repaired.find(kEditedAccount)) {
    repaired.replace(at, std::string(kEditedAccount).size(), kAccount);
  }
  const TronGridPage page = parse_trongrid_trc20_page(ok(repaired), kTrc20Url);
  EXPECT_EQ(page.records, 20u);
  EXPECT_EQ(page.transactions.size(), 18u);  // two records are _unconfirmed
  EXPECT_EQ(page.fingerprint, "2tmLC90HQEnpnJ02w3n");
  EXPECT_EQ(find_tx(page, "fb078403adfee637608c3906d9d21dd158611aba149b9993f43d0f292ce543a0"), nullptr);
  const AccountTransaction* tx = find_tx(page, "0b52a4ef9fb8c13fbfae2b8c3506333ec1d718f307062a15f170562818a01d0a");
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(tx->timestamp, 1592756784);
  EXPECT_FALSE(tx->block_height.has_value());  // the trc20 endpoint gives no block number
  EXPECT_FALSE(tx->fee.has_value());
  ASSERT_EQ(tx->transfers.size(), 1u);
  const AccountTransfer& transfer = tx->transfers[0];
  EXPECT_EQ(transfer.kind, TransferKind::Token);
  EXPECT_EQ(transfer.from, kAccount);
  EXPECT_EQ(transfer.to, "TFNEJYAKBVgc17X6fPppZ8ayaf9yswmMYV");
  EXPECT_EQ(transfer.amount.to_base_units(), "3988000000");
  EXPECT_EQ(transfer.asset.contract, kUsdt);
  EXPECT_EQ(transfer.asset.symbol, "USDT");
  EXPECT_EQ(transfer.asset.name, "Tether USD");
  EXPECT_EQ(transfer.asset.decimals, 6u);
}

TEST(TronGridJsonFixture, DuplicatedRecordsBothReachTheStore) {
  LOAD_OR_SKIP(body, kDir / "txs_trc20_response.json");
  json document = json::parse(body);
  for (json& record : document.at("data")) {
    record.erase("_unconfirmed");
    for (const char* key : {"from", "to"}) {
      if (record.at(key) == kEditedAccount) record[key] = kAccount;
    }
  }
  const TronGridPage page = parse_trongrid_trc20_page(ok(document), kTrc20Url);
  EXPECT_EQ(page.transactions.size(), 19u);  // 20 records, 19 transaction ids
  const AccountTransaction* tx = find_tx(page, "c4052b526e5cd21e1f023c31cce6b6a13eb9d8aeae3ae80fcefe6038dfbeb022");
  ASSERT_NE(tx, nullptr);
  ASSERT_EQ(tx->transfers.size(), 2u);  // kept twice: the store dedupes by content
  EXPECT_EQ(tx->transfers[0].amount, tx->transfers[1].amount);
  EXPECT_EQ(tx->transfers[0].to, tx->transfers[1].to);
}

// ---------------------------------------------------------------------------------------------------------
// Envelopes that are not a TronGrid page

TEST(TronGridJsonMalformed, BodiesThatAreNotAPageNameTheUrl) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "not JSON"},
      {R"({"success":true,"meta":{"at":1,"page_size":2},"data":[{"txID":"ab)", "not JSON"},
      {R"({"success":false,"error":"Invalid address","statusCode":400})", "did not report success"},
      {R"({"Error":"The key exceeds the frequency limit(15), and the query server is suspended for 30s"})",
       "did not report success"},
      {R"({"success":true,"data":{}})", "data: not an array"},
      {R"({"success":true})", "data: missing"},
      {R"([1,2,3])", "not a TronGrid response object"},
      {R"({"success":true,"data":[],"meta":{"fingerprint":""}})", "meta.fingerprint"},
      {R"({"success":true,"data":[],"meta":{"fingerprint":"a b"}})", "meta.fingerprint"},
  };
  for (const auto& [body, reason] : cases) {
    EXPECT_THAT([&] { parse_trongrid_transactions_page(ok(body), kTxsUrl); },
                ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(kTxsUrl), HasSubstr(reason))))
        << body;
    EXPECT_THAT([&] { parse_trongrid_trc20_page(ok(body), kTrc20Url); },
                ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(kTrc20Url), HasSubstr(reason))))
        << body;
  }
}

TEST(TronGridJsonMalformed, TruncatedRealPageIsRefused) {
  LOAD_OR_SKIP(body, kDir / "accounts_txs_response.json");
  EXPECT_THAT([&] { parse_trongrid_transactions_page(ok(body.substr(0, body.size() / 2)), kTxsUrl); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(kTxsUrl), HasSubstr("not JSON"))));
}

TEST(TronGridJsonMalformed, NonOkStatusIsRefusedWithAnEscapedExcerpt) {
  HttpResponse response;
  response.status = 400;
  response.body = "bad\x1b[31m request";
  EXPECT_THAT([&] { parse_trongrid_transactions_page(response, kTxsUrl); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(kTxsUrl), HasSubstr("HTTP status 400"),
                                                            HasSubstr("\\x1b"), Not(HasSubstr("\x1b")))));
}

TEST(TronGridJsonMalformed, WrongTypesAndNumbersThatAreNotWholeAreRefused) {
  const std::string from = kAccountHex;
  const std::string to = "41d9378a9849912a41ec1f0e4677c074edf0516241";
  struct Case {
    json record;
    std::string reason;
  };
  std::vector<Case> cases;
  cases.push_back({transfer_record(from, to, 1.5, false), "amount: not an integer"});
  cases.push_back({transfer_record(from, to, -5, false), "amount: negative"});
  cases.push_back({transfer_record(from, to, "100", false), "amount: not a number"});
  cases.push_back({transfer_record(from, to, 1e30, false), "amount: not an integer"});
  json record = transfer_record(from, to, 1, false);
  record["block_timestamp"] = "1709251203000";
  cases.push_back({record, "block_timestamp: not a number"});
  record = transfer_record(from, to, 1, false);
  record["txID"] = std::string(63, 'a');
  cases.push_back({record, "txID: not a 64-digit hex"});
  record = transfer_record(from, to, 1, false);
  record["raw_data"]["contract"][0]["parameter"]["value"]["to_address"] = "41d9378a98";
  cases.push_back({record, "to_address: invalid tron address"});
  record = transfer_record(from, to, 1, false);
  record["ret"] = json::array();
  cases.push_back({record, "ret: empty"});
  record = transfer_record(from, to, 1, false);
  record["raw_data"]["contract"] = json::array();
  cases.push_back({record, "raw_data.contract: empty"});
  record = transfer_record(from, to, 1, false);
  record["raw_data_hex"] = "0a0zz1";
  cases.push_back({record, "raw_data_hex"});
  record = transfer_record(from, to, 1, false);
  record["ret"][0]["fee"] = -1;
  cases.push_back({record, "ret[0].fee: negative"});
  for (const Case& c : cases) {
    EXPECT_THAT([&] { parse_trongrid_transactions_page(ok(envelope(json::array({c.record}))), kTxsUrl); },
                ThrowsError(ErrorKind::InvalidArgument,
                            AllOf(HasSubstr(std::string(kTxsUrl) + ": data[0]"), HasSubstr(c.reason))))
        << c.record.dump();
  }
}

TEST(TronGridJsonMalformed, TokenValuesOutOfRangeAreRefused) {
  const std::string two_to_256 = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
  const std::vector<std::pair<json, std::string>> cases = {
      {trc20_record("-1"), "value: not a non-negative decimal integer"},
      {trc20_record(two_to_256), "value"},
      {trc20_record("0x10"), "value: not a non-negative decimal integer"},
      {trc20_record("1.5"), "value: not a non-negative decimal integer"},
      {trc20_record(""), "value: not a non-negative decimal integer"},
      {trc20_record(-1), "value: negative"},
      {trc20_record("1", 99), "decimals: out of range 0..77"},
      {trc20_record("1", "99"), "decimals: out of range 0..77"},
      {trc20_record("1", "six"), "decimals: not a small decimal integer"},
      {trc20_record("1", -6), "decimals: negative"},
  };
  for (const auto& [record, reason] : cases) {
    EXPECT_THAT([&] { parse_trongrid_trc20_page(ok(envelope(json::array({record}))), kTrc20Url); },
                ThrowsError(ErrorKind::InvalidArgument,
                            AllOf(HasSubstr(std::string(kTrc20Url) + ": data[0]"), HasSubstr(reason))))
        << record.dump();
  }
}

TEST(TronGridJsonMalformed, LargestTokenValueAndDecimalsAsTextAreAccepted) {
  const std::string max_uint256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  const auto tx = parse_trongrid_trc20_transfer(trc20_record(max_uint256, "77"), kTrc20Url);
  ASSERT_TRUE(tx.has_value());
  EXPECT_EQ(tx->transfers.at(0).amount.to_base_units(), max_uint256);
  EXPECT_EQ(tx->transfers.at(0).asset.decimals, 77u);
}

TEST(TronGridJsonMalformed, HostileTokenSymbolIsCarriedVerbatim) {
  std::string symbol = "<script>alert(1)</script>\x1b[2J\r\n\"'&";
  while (symbol.size() < 10240) symbol += "<b>USDT</b>\x07";
  const auto tx = parse_trongrid_trc20_transfer(trc20_record("5", 6, symbol), kTrc20Url);
  ASSERT_TRUE(tx.has_value());
  EXPECT_EQ(tx->transfers.at(0).asset.symbol, symbol);
  // Even through a whole page (JSON escaping of the control characters undone by the parser).
  const TronGridPage page =
      parse_trongrid_trc20_page(ok(envelope(json::array({trc20_record("5", 6, symbol)}))), kTrc20Url);
  EXPECT_EQ(page.transactions.at(0).transfers.at(0).asset.symbol, symbol);
}

TEST(TronGridJsonMalformed, MessagesQuoteHostileValuesEscaped) {
  json record = trc20_record("1");
  record["from"] = "T\x1b[31mEVIL\n";
  const auto error = test::error_from([&] { parse_trongrid_trc20_transfer(record, kTrc20Url); });
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(std::string(error->what()), AllOf(Not(HasSubstr("\x1b")), Not(HasSubstr("\n")), HasSubstr("from")));
}

// ---------------------------------------------------------------------------------------------------------
// Record semantics

TEST(TronGridJsonRecords, FailedTransactionKeepsItsFeeButMovesNothing) {
  json record = transfer_record(kAccountHex, "41d9378a9849912a41ec1f0e4677c074edf0516241", 5000000);
  record["ret"][0]["contractRet"] = "OUT_OF_ENERGY";
  const auto tx = parse_trongrid_transaction(record, kTxsUrl);
  ASSERT_TRUE(tx.has_value());
  EXPECT_TRUE(tx->failed);
  EXPECT_TRUE(tx->transfers.empty());
  EXPECT_EQ(tx->fee->to_base_units(), "1100000");
  EXPECT_EQ(tx->from, kAccount);
}

TEST(TronGridJsonRecords, ZeroValuePaymentIsKept) {
  const auto tx = parse_trongrid_transaction(
      transfer_record(kAccountHex, "41d9378a9849912a41ec1f0e4677c074edf0516241", 0), kTxsUrl);
  ASSERT_TRUE(tx.has_value());
  ASSERT_EQ(tx->transfers.size(), 1u);
  EXPECT_TRUE(tx->transfers[0].amount.is_zero());
}

TEST(TronGridJsonRecords, ContractCallWithTrxIsANativeTransferToTheContract) {
  const auto tx = parse_trongrid_transaction(trigger_record(kAccountHex, kUsdtHex, 2500000), kTxsUrl);
  ASSERT_TRUE(tx.has_value());
  ASSERT_EQ(tx->transfers.size(), 1u);
  EXPECT_EQ(tx->transfers[0].kind, TransferKind::Native);
  EXPECT_EQ(tx->transfers[0].from, kAccount);
  EXPECT_EQ(tx->transfers[0].to, kUsdt);
  EXPECT_EQ(tx->transfers[0].amount.to_base_units(), "2500000");
  EXPECT_TRUE(parse_trongrid_transaction(trigger_record(kAccountHex, kUsdtHex, 0), kTxsUrl)->transfers.empty());
}

TEST(TronGridJsonRecords, NestedInternalTransactionsInBothShapes) {
  json record = trigger_record(kAccountHex, kUsdtHex, 0);
  const std::string recipient_hex = "41d9378a9849912a41ec1f0e4677c074edf0516241";
  record["internal_transactions"] = json::array({
      // TronGrid's shape: TRX under "_", TRC-10 under its id (skipped)
      {{"internal_tx_id", std::string(64, '1')},
       {"from_address", kUsdtHex},
       {"to_address", recipient_hex},
       {"data", {{"note", "63616c6c"}, {"rejected", false}, {"call_value", {{"_", 7000000}, {"1002000", 5}}}}}},
      // rejected: nothing moved
      {{"internal_tx_id", std::string(64, '2')},
       {"from_address", kUsdtHex},
       {"to_address", recipient_hex},
       {"data", {{"rejected", true}, {"call_value", {{"_", 9000000}}}}}},
      // the full node's shape
      {{"hash", std::string(64, '3')},
       {"caller_address", kUsdtHex},
       {"transferTo_address", kAccountHex},
       {"callValueInfo",
        json::array({{{"callValue", 42}}, {{"callValue", 8}, {"tokenId", "1002000"}}, json::object()})},
       {"note", "63616c6c"}},
      // a zero-value call
      {{"hash", std::string(64, '4')},
       {"caller_address", kUsdtHex},
       {"transferTo_address", kAccountHex},
       {"callValueInfo", json::array({{{"callValue", 0}}})}},
  });
  const auto tx = parse_trongrid_transaction(record, kTxsUrl);
  ASSERT_TRUE(tx.has_value());
  ASSERT_EQ(tx->transfers.size(), 2u);
  EXPECT_EQ(tx->transfers[0].kind, TransferKind::Internal);
  EXPECT_EQ(tx->transfers[0].from, kUsdt);
  EXPECT_EQ(tx->transfers[0].to, "TVmkAmaQrY6raatYozLtcQCGqWP6VaPnHU");
  EXPECT_EQ(tx->transfers[0].amount.to_base_units(), "7000000");
  EXPECT_EQ(tx->transfers[1].kind, TransferKind::Internal);
  EXPECT_EQ(tx->transfers[1].to, kAccount);
  EXPECT_EQ(tx->transfers[1].amount.to_base_units(), "42");

  record["ret"][0]["contractRet"] = "REVERT";
  EXPECT_TRUE(parse_trongrid_transaction(record, kTxsUrl)->transfers.empty());
}

TEST(TronGridJsonRecords, InternalRecordsJoinTheirParentOrStandAlone) {
  const std::string parent = std::string(64, 'c');
  const std::string orphan = std::string(64, 'd');
  auto internal_record = [&](const std::string& txid, std::uint64_t sun) {
    return json{{"internal_tx_id", std::string(64, '9')},
                {"tx_id", txid},
                {"block_timestamp", 1709251206000},
                {"from_address", kUsdtHex},
                {"to_address", "41d9378a9849912a41ec1f0e4677c074edf0516241"},
                {"data", {{"note", "63616c6c"}, {"rejected", false}, {"call_value", {{"_", sun}}}}}};
  };
  // The internal record comes first: it still joins the parent listed after it.
  const json data = json::array(
      {internal_record(parent, 11), trigger_record(kAccountHex, kUsdtHex, 0, parent), internal_record(orphan, 22)});
  const TronGridPage page = parse_trongrid_transactions_page(ok(envelope(data)), kTxsUrl);
  ASSERT_EQ(page.transactions.size(), 2u);
  EXPECT_EQ(page.transactions[0].hash, parent);
  EXPECT_EQ(page.transactions[0].type, "TriggerSmartContract");
  ASSERT_EQ(page.transactions[0].transfers.size(), 1u);
  EXPECT_EQ(page.transactions[0].transfers[0].amount.to_base_units(), "11");
  EXPECT_EQ(page.transactions[1].hash, orphan);
  EXPECT_EQ(page.transactions[1].type, "");
  EXPECT_FALSE(page.transactions[1].block_height.has_value());
  EXPECT_EQ(page.transactions[1].timestamp, 1709251206);
  ASSERT_EQ(page.transactions[1].transfers.size(), 1u);
  EXPECT_EQ(page.transactions[1].transfers[0].kind, TransferKind::Internal);
}

TEST(TronGridJsonRecords, UnconfirmedAndApprovalRecordsAreSkipped) {
  json unconfirmed = trc20_record("1");
  unconfirmed["_unconfirmed"] = true;
  json approval = trc20_record("1");
  approval["type"] = "Approval";
  EXPECT_FALSE(parse_trongrid_trc20_transfer(unconfirmed, kTrc20Url).has_value());
  EXPECT_FALSE(parse_trongrid_trc20_transfer(approval, kTrc20Url).has_value());
  const TronGridPage page =
      parse_trongrid_trc20_page(ok(envelope(json::array({unconfirmed, approval}), "FP")), kTrc20Url);
  EXPECT_EQ(page.records, 2u);
  EXPECT_TRUE(page.transactions.empty());
  EXPECT_EQ(page.fingerprint, "FP");
}

TEST(TronGridJsonRecords, UpperCaseTxidIsStoredLowerCase) {
  json record = trc20_record("1");
  record["transaction_id"] = std::string(64, 'E');
  EXPECT_EQ(parse_trongrid_trc20_transfer(record, kTrc20Url)->hash, std::string(64, 'e'));
}

}  // namespace
}  // namespace fundtrail::ingest
