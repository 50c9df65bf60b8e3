// Reading Etherscan answers (etherscan_json.hpp): the envelope (records, the empty answer, error answers,
// bodies that are not answers) and the validation of every string-typed record field.
#include "fundtrail/ingest/etherscan_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "ingest/etherscan_records.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::ingest {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace fundtrail::ingest::test;
using fundtrail::test::ThrowsError;

const std::string kContext = "etherscan GET https://api.example/v2/api?action=txlist";
const std::string kWallet = address_n(0xa11ce);
const std::string kOther = address_n(0xb0b);

std::vector<AccountTransaction> parse(EtherscanAction action, const std::vector<nlohmann::json>& records) {
  return parse_etherscan_answer(action, records_answer(records), kContext);
}

TEST(EtherscanJson, PaymentIsANativeTransferWithAnExactFee) {
  const auto txs = parse(EtherscanAction::TxList, {txlist_record(7, 100, kWallet, kOther, "1500000000000000000")});
  ASSERT_EQ(txs.size(), 1u);
  const AccountTransaction& tx = txs[0];
  EXPECT_EQ(tx.hash, hash_n(7));
  EXPECT_EQ(tx.block_height, 100);
  EXPECT_EQ(tx.timestamp, 1700001200);
  EXPECT_EQ(tx.type, "call");
  EXPECT_EQ(tx.from, kWallet);
  EXPECT_EQ(tx.to, kOther);
  EXPECT_FALSE(tx.failed);
  EXPECT_EQ(tx.fee, core::Amount::parse_base_units("630000000000000"));  // 21000 x 30 gwei
  ASSERT_EQ(tx.transfers.size(), 1u);
  EXPECT_EQ(tx.transfers[0].kind, TransferKind::Native);
  EXPECT_EQ(tx.transfers[0].from, kWallet);
  EXPECT_EQ(tx.transfers[0].to, kOther);
  EXPECT_EQ(tx.transfers[0].amount, core::Amount::parse_base_units("1500000000000000000"));
  EXPECT_TRUE(tx.transfers[0].asset.contract.empty());
}

TEST(EtherscanJson, UpperCaseHexIsNormalisedAndZeroValueCallMovesNothing) {
  auto record = txlist_record(7, 100, "0x52908400098527886E0F7030069857D2E4169EE7", kOther, "0");
  record["hash"] = "0x" + std::string(64, 'A');
  const auto txs = parse(EtherscanAction::TxList, {record});
  EXPECT_EQ(txs[0].hash, "0x" + std::string(64, 'a'));
  EXPECT_EQ(txs[0].from, "0x52908400098527886e0f7030069857d2e4169ee7");
  EXPECT_TRUE(txs[0].transfers.empty());
}

TEST(EtherscanJson, FailedTransactionIsKeptWithItsFeeAndNoTransfers) {
  auto reverted = txlist_record(1, 100, kWallet, kOther, "5000000000000000000");
  reverted["isError"] = "1";
  auto receipt_failed = txlist_record(2, 101, kWallet, kOther, "5");
  receipt_failed["txreceipt_status"] = "0";
  auto pre_byzantium = txlist_record(3, 102, kWallet, kOther, "5");
  pre_byzantium["txreceipt_status"] = "";
  const auto txs = parse(EtherscanAction::TxList, {reverted, receipt_failed, pre_byzantium});
  ASSERT_EQ(txs.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(txs[i].failed) << i;
    EXPECT_TRUE(txs[i].transfers.empty()) << i;
    EXPECT_EQ(txs[i].fee, core::Amount::parse_base_units("630000000000000")) << i;
  }
  EXPECT_FALSE(txs[2].failed);
  EXPECT_EQ(txs[2].transfers.size(), 1u);
}

TEST(EtherscanJson, ContractCreationPaysTheNewContract) {
  auto record = txlist_record(1, 100, kWallet, "", "42");
  record["contractAddress"] = address_n(0xc0de);
  const auto txs = parse(EtherscanAction::TxList, {record});
  EXPECT_EQ(txs[0].type, "create");
  EXPECT_EQ(txs[0].to, std::nullopt);
  ASSERT_EQ(txs[0].transfers.size(), 1u);
  EXPECT_EQ(txs[0].transfers[0].to, address_n(0xc0de));
}

TEST(EtherscanJson, InternalTransfersSkipFailuresAndZeroValues) {
  auto failed = internal_record(1, 100, kOther, kWallet, "10");
  failed["isError"] = "1";
  auto created = internal_record(2, 101, kOther, "", "20");
  created["type"] = "create";
  created["contractAddress"] = address_n(0xc0de);
  const auto txs = parse(
      EtherscanAction::TxListInternal,
      {failed, created, internal_record(3, 102, kOther, kWallet, "0"), internal_record(4, 103, kOther, kWallet, "30")});
  ASSERT_EQ(txs.size(), 4u);
  EXPECT_TRUE(txs[0].transfers.empty());
  ASSERT_EQ(txs[1].transfers.size(), 1u);
  EXPECT_EQ(txs[1].transfers[0].kind, TransferKind::Internal);
  EXPECT_EQ(txs[1].transfers[0].to, address_n(0xc0de));
  EXPECT_TRUE(txs[2].transfers.empty());
  ASSERT_EQ(txs[3].transfers.size(), 1u);
  EXPECT_EQ(txs[3].transfers[0].amount, core::Amount(30));
  EXPECT_EQ(txs[3].type, "");
  EXPECT_FALSE(txs[3].fee.has_value());
}

TEST(EtherscanJson, TokenTransferCarriesTheAssetAndKeepsZeroValues) {
  auto poison = token_record(2, 101, kWallet, kOther, "0");
  poison["contractAddress"] = "0xDAC17F958D2EE523A2206206994597C13D831EC7";
  const auto txs = parse(EtherscanAction::TokenTx, {token_record(1, 100, kWallet, kOther, "25000000000"), poison});
  ASSERT_EQ(txs.size(), 2u);
  const AccountTransfer& usdt = txs[0].transfers.at(0);
  EXPECT_EQ(usdt.kind, TransferKind::Token);
  EXPECT_EQ(usdt.asset.contract, "0xdac17f958d2ee523a2206206994597c13d831ec7");
  EXPECT_EQ(usdt.asset.symbol, "USDT");
  EXPECT_EQ(usdt.asset.name, "Tether USD");
  EXPECT_EQ(usdt.asset.decimals, 6u);
  EXPECT_EQ(usdt.amount, core::Amount(25000000000));
  ASSERT_EQ(txs[1].transfers.size(), 1u);  // address poisoning is evidence
  EXPECT_TRUE(txs[1].transfers[0].amount.is_zero());
  EXPECT_EQ(txs[1].transfers[0].asset.contract, "0xdac17f958d2ee523a2206206994597c13d831ec7");
}

TEST(EtherscanJson, HostileTokenTextIsCarriedVerbatim) {
  std::string name = "<script>alert('x')</script>\x1b[2J\r\n\x07";
  while (name.size() < 10000) name += "<b>\x1b]0;pwned\x07</b>\t";
  std::string symbol = "<img src=x onerror=alert(1)>\x1b[31m\x01\x7f";
  while (symbol.size() < 10000) symbol += "\xe2\x80\xae<svg/onload=alert(2)>\xc2\x9b";
  auto record = token_record(1, 100, kOther, kWallet, "7", address_n(0xbad), symbol, "18");
  record["tokenName"] = name;
  const auto txs = parse(EtherscanAction::TokenTx, {record});
  EXPECT_EQ(txs[0].transfers.at(0).asset.symbol, symbol);
  EXPECT_EQ(txs[0].transfers.at(0).asset.name, name);
}

TEST(EtherscanJson, TokenDecimalsAreZeroToSeventySevenOrUnknown) {
  const auto decimals_of = [](const std::string& text) {
    return parse(EtherscanAction::TokenTx, {token_record(1, 100, kWallet, kOther, "1", address_n(0xbad), "T", text)})
        .at(0)
        .transfers.at(0)
        .asset.decimals;
  };
  EXPECT_EQ(decimals_of("0"), 0u);
  EXPECT_EQ(decimals_of("77"), 77u);
  EXPECT_EQ(decimals_of(""), std::nullopt);
  for (const char* bad : {"99", "78", "-1", "6.0", "1e1"}) {
    EXPECT_THAT([&] { decimals_of(bad); },
                ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(kContext), HasSubstr("tokenDecimal"))))
        << bad;
  }
}

TEST(EtherscanJson, MalformedValuesAreRefusedNamingRecordAndField) {
  const std::string too_big = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
  for (const std::string& value : std::vector<std::string>{"1e18", "-5", "0x10", " 5", "", "1.5", too_big}) {
    EXPECT_THAT([&] { parse(EtherscanAction::TxList, {txlist_record(1, 100, kWallet, kOther, value)}); },
                ThrowsError(ErrorKind::InvalidArgument,
                            AllOf(HasSubstr(kContext), HasSubstr("txlist record 0"), HasSubstr("'value'"))))
        << value;
  }
  // 2^256 - 1 is the largest uint256.
  const std::string max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  EXPECT_EQ(parse(EtherscanAction::TxList, {txlist_record(1, 100, kWallet, kOther, max)})[0].transfers.at(0).amount,
            core::Amount::parse_base_units(max));

  auto bad_hash = txlist_record(1, 100, kWallet, kOther, "1");
  bad_hash["hash"] = "0x1234";
  auto bad_from = txlist_record(1, 100, "0xnothex", kOther, "1");
  auto bad_block = txlist_record(1, 100, kWallet, kOther, "1");
  bad_block["blockNumber"] = "0x64";
  auto numeric_value = txlist_record(1, 100, kWallet, kOther, "1");
  numeric_value["value"] = 1;
  auto missing = txlist_record(1, 100, kWallet, kOther, "1");
  missing.erase("gasUsed");
  auto bad_flag = txlist_record(1, 100, kWallet, kOther, "1");
  bad_flag["isError"] = "yes";
  for (const auto& [record, field] :
       std::vector<std::pair<nlohmann::json, std::string>>{{bad_hash, "'hash'"},
                                                           {bad_from, "'from'"},
                                                           {bad_block, "'blockNumber'"},
                                                           {numeric_value, "'value' is not a string"},
                                                           {missing, "'gasUsed'"},
                                                           {bad_flag, "'isError'"}}) {
    EXPECT_THAT(
        [&] {
          parse(EtherscanAction::TxList, {txlist_record(9, 99, kWallet, kOther, "1"), record});
        },
        ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr("txlist record 1"), HasSubstr(field))));
  }
}

TEST(EtherscanJson, BodiesThatAreNotAnswersAreRefused) {
  const auto refuse = [](const HttpResponse& response, ErrorKind kind, const std::string& why) {
    EXPECT_THAT([&] { parse_etherscan_answer(EtherscanAction::TxList, response, kContext); },
                ThrowsError(kind, AllOf(HasSubstr(kContext), HasSubstr(why))))
        << response.body;
  };
  refuse(http_200("<!DOCTYPE html><html><body>Just a moment...</body></html>"), ErrorKind::InvalidArgument, "not JSON");
  refuse(http_200(R"({"status":"1","message":"OK","result":[{"blockNumber":"1)"), ErrorKind::InvalidArgument,
         "not JSON");
  refuse(http_200(R"({"status":"1","message":"OK","result":"oops"})"), ErrorKind::InvalidArgument, "not a list");
  refuse(http_200(R"([1,2,3])"), ErrorKind::InvalidArgument, "not an Etherscan answer");
  refuse(http_200(R"({"status":"2","result":[]})"), ErrorKind::InvalidArgument, "unknown status");
  refuse(http_200(R"({"status":"1","message":"OK","result":[42]})"), ErrorKind::InvalidArgument, "not a JSON object");
  HttpResponse bad_gateway = http_200("<html>502 Bad Gateway</html>");
  bad_gateway.status = 502;
  refuse(bad_gateway, ErrorKind::IoError, "HTTP status 502");
}

TEST(EtherscanJson, ErrorAnswersAreReportedWithTheirMessage) {
  const auto message_of = [](const HttpResponse& response) {
    return fundtrail::test::error_message([&] { parse_etherscan_answer(EtherscanAction::TokenTx, response, kContext); },
                                          ErrorKind::IoError);
  };
  EXPECT_THAT(message_of(error_answer("NOTOK", "Invalid API Key (#err2)|v2")),
              AllOf(HasSubstr(kContext), HasSubstr("NOTOK"), HasSubstr("Invalid API Key")));
  EXPECT_THAT(message_of(error_answer("NOTOK", "Missing or unsupported chainid parameter (required for v2 api)")),
              HasSubstr("Missing or unsupported chainid"));
  // Control characters in a provider's message are escaped, never printed raw.
  EXPECT_THAT(message_of(error_answer("NOTOK", "Error!\x1b[2J\n")),
              AllOf(HasSubstr("Error!\\x1b[2J\\x0a"), Not(HasSubstr("\x1b"))));
  // "No transactions found" with a non-empty result is not the empty answer.
  EXPECT_THAT(message_of(http_200(R"({"status":"0","message":"No transactions found","result":"weird"})")),
              HasSubstr("weird"));
  EXPECT_TRUE(parse(EtherscanAction::TokenTx, {}).empty());
}

TEST(EtherscanJson, ErrorTextIsOnlyTheResultOfAStatusZeroAnswer) {
  EXPECT_EQ(etherscan_error_text(R"({"status":"0","message":"NOTOK","result":"Max rate limit reached"})"),
            "Max rate limit reached");
  EXPECT_EQ(etherscan_error_text(R"({"status":"0","message":"No transactions found","result":[]})"), std::nullopt);
  EXPECT_EQ(etherscan_error_text(R"({"status":"1","message":"OK","result":"Max rate limit reached"})"), std::nullopt);
  EXPECT_EQ(etherscan_error_text("<html>Max rate limit reached</html>"), std::nullopt);
}

}  // namespace
}  // namespace fundtrail::ingest
