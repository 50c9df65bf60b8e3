// Ethereum JSON-RPC: the node-JSON helpers (quantities, topics, ABI strings, "range too large" errors),
// EvmRpc batches over a scripted ReplayTransport (id matching, bodies that are not JSON-RPC answers, HTTP
// errors), and EvmJsonRpcSource against a small fake node that answers per method (chain id check, the
// trace_filter probe, block ranges split while the node refuses them, ERC-20 logs with token metadata,
// failed receipts, internal transfers inside reverted calls). No real sleeping: the clock is fake.
#include "fundtrail/ingest/evm_rpc.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/evm_jsonrpc_source.hpp"
#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/ingest/polite_client.hpp"
#include "support/error_matchers.hpp"
#include "support/instant_clock.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using fundtrail::test::ThrowsError;
using fundtrail::test::InstantClock;
using fundtrail::test::response;

constexpr const char* kMaxUint256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";  // 2^256 - 1
const std::string kEndpoint = "https://eth.example.org/rpc?apikey=SECRET123";
const std::string kRedacted = "https://eth.example.org/rpc?apikey=REDACTED";

PolitenessOptions politeness() {
  PolitenessOptions options;
  options.max_attempts = 2;
  options.base_backoff_s = 0.01;
  return options;
}

// ---- helpers: quantities ----

TEST(EvmRpcHelpers, QuantityI64ReadsHexStringsAndJsonNumbers) {
  EXPECT_EQ(evm_quantity_i64(json("0x0"), "q"), 0);
  EXPECT_EQ(evm_quantity_i64(json("0x1a"), "q"), 26);
  EXPECT_EQ(evm_quantity_i64(json("0x65f1a0c0"), "q"), 1710334144);
  EXPECT_EQ(evm_quantity_i64(json("0x000000000000000000000000000000000000000000000000000000000000000a"), "q"), 10)
      << "leading zeros (an ABI word) are not significant";
  EXPECT_EQ(evm_quantity_i64(json(19342000), "q"), 19342000);
}

// The function returns an int64: every value up to INT64_MAX fits (0x1bc16d674ec80000 = 2 * 10^18 needs 16 hex
// digits, as does 0x7fffffffffffffff).
TEST(EvmRpcHelpers, QuantityI64AcceptsEverySignedSixtyFourBitValue) {
  std::int64_t value = -1;
  auto error = fundtrail::test::error_from([&] { value = evm_quantity_i64(json("0x1bc16d674ec80000"), "gas"); });
  EXPECT_FALSE(error.has_value()) << "2 * 10^18 refused: " << error->what();
  EXPECT_EQ(value, 2000000000000000000);
  error = fundtrail::test::error_from([&] { value = evm_quantity_i64(json("0x7fffffffffffffff"), "gas"); });
  EXPECT_FALSE(error.has_value()) << "INT64_MAX refused: " << error->what();
  EXPECT_EQ(value, std::numeric_limits<std::int64_t>::max());
}

TEST(EvmRpcHelpers, QuantityI64RefusesMalformedAndOversizedValues) {
  for (const json& bad : {json("12"), json("0xzz"), json("0x"), json(""), json("0x8000000000000000"),
                          json("0x" + std::string(65, 'f')), json(-1), json(nullptr), json("0x1 ")}) {
    EXPECT_THAT([&] { evm_quantity_i64(bad, "block number"); },
                ThrowsError(ErrorKind::InvalidArgument, HasSubstr("block number")))
        << bad.dump();
  }
}

TEST(EvmRpcHelpers, QuantityAmountIsExactUpTo256Bits) {
  EXPECT_EQ(evm_quantity_amount(json("0x0"), "value").to_base_units(), "0");
  EXPECT_EQ(evm_quantity_amount(json("0x1bc16d674ec80000"), "value").to_base_units(), "2000000000000000000");
  EXPECT_EQ(evm_quantity_amount(json("0x16e360"), "value").to_base_units(), "1500000");
  EXPECT_EQ(evm_quantity_amount(json("0x" + std::string(64, 'f')), "value").to_base_units(), kMaxUint256);
  EXPECT_EQ(evm_quantity_amount(json("0x" + std::string(64, 'F')), "value").to_base_units(), kMaxUint256);
}

TEST(EvmRpcHelpers, QuantityAmountRefusesMalformedAndOversizedValues) {
  // 65 significant hex digits: 2^256, one more than any uint256.
  for (const json& bad : {json("0x1" + std::string(64, '0')), json("12"), json("0xzz"), json("0x"), json(5),
                          json("-0x1")}) {
    EXPECT_THAT([&] { evm_quantity_amount(bad, "log data"); },
                ThrowsError(ErrorKind::InvalidArgument, HasSubstr("log data")))
        << bad.dump();
  }
}

TEST(EvmRpcHelpers, TopicAddressTakesTheLow20Bytes) {
  EXPECT_EQ(evm_topic_address(json("0x000000000000000000000000dac17f958d2ee523a2206206994597c13d831ec7"), "topic"),
            "0xdac17f958d2ee523a2206206994597c13d831ec7");
  EXPECT_EQ(evm_topic_address(json("0x000000000000000000000000DAC17F958D2EE523A2206206994597C13D831EC7"), "topic"),
            "0xdac17f958d2ee523a2206206994597c13d831ec7")
      << "normalised to lower case";
  EXPECT_EQ(evm_topic_address(json("0x" + std::string(64, '0')), "topic"),
            "0x0000000000000000000000000000000000000000");
}

TEST(EvmRpcHelpers, TopicAddressRefusesWordsThatAreNotAddresses) {
  for (const json& bad :
       {json("0x000000000000000000000001dac17f958d2ee523a2206206994597c13d831ec7"),  // upper 12 bytes not zero
        json("0x100000000000000000000000dac17f958d2ee523a2206206994597c13d831ec7"),
        json("0x00000000000000000000000dac17f958d2ee523a2206206994597c13d831ec7"),   // 63 digits
        json("0xdac17f958d2ee523a2206206994597c13d831ec7"),                          // a bare address
        json(42)}) {
    EXPECT_THAT([&] { evm_topic_address(bad, "topic 1"); },
                ThrowsError(ErrorKind::InvalidArgument, HasSubstr("topic 1")))
        << bad.dump();
  }
}

// ---- helpers: ABI strings ----

// symbol() of sUSD: offset 0x20, length 4, "SUSD" padded to a word.
const std::string kAbiSusd =
    "0x"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "5355534400000000000000000000000000000000000000000000000000000000";

TEST(EvmRpcHelpers, AbiStringDecodesStringsAndBytes32) {
  EXPECT_EQ(evm_abi_string(kAbiSusd), std::optional<std::string>("SUSD"));
  // MKR's symbol() returns bytes32: "MKR" right-padded with zeros.
  EXPECT_EQ(evm_abi_string("0x4d4b520000000000000000000000000000000000000000000000000000000000"),
            std::optional<std::string>("MKR"));
  // An empty string: offset 0x20, length 0.
  EXPECT_EQ(evm_abi_string("0x0000000000000000000000000000000000000000000000000000000000000020"
                           "0000000000000000000000000000000000000000000000000000000000000000"),
            std::optional<std::string>(""));
  // Bytes are returned as they are (hostile text is stored verbatim): "<b>" with an ESC.
  EXPECT_EQ(evm_abi_string("0x0000000000000000000000000000000000000000000000000000000000000020"
                           "0000000000000000000000000000000000000000000000000000000000000004"
                           "3c623e1b00000000000000000000000000000000000000000000000000000000"),
            std::optional<std::string>("<b>\x1b"));
}

TEST(EvmRpcHelpers, AbiStringRefusesGarbage) {
  EXPECT_EQ(evm_abi_string("0xzz"), std::nullopt);
  EXPECT_EQ(evm_abi_string("not hex at all"), std::nullopt);
  EXPECT_EQ(evm_abi_string("0x123"), std::nullopt) << "odd number of digits";
  EXPECT_EQ(evm_abi_string("0x"), std::nullopt) << "an empty answer (no such function)";
  EXPECT_EQ(evm_abi_string("0x" + std::string(128, 'f')), std::nullopt) << "an offset word with high bytes set";
  // The offset points past the end.
  EXPECT_EQ(evm_abi_string("0x0000000000000000000000000000000000000000000000000000000000001000"
                           "0000000000000000000000000000000000000000000000000000000000000004"
                           "5355534400000000000000000000000000000000000000000000000000000000"),
            std::nullopt);
}

TEST(EvmRpcHelpers, AbiStringRefusesALengthPastTheEnd) {
  // Length 0x40 (64 bytes) but only one 32-byte word follows.
  EXPECT_EQ(evm_abi_string("0x0000000000000000000000000000000000000000000000000000000000000020"
                           "0000000000000000000000000000000000000000000000000000000000000040"
                           "5355534400000000000000000000000000000000000000000000000000000000"),
            std::nullopt);
  // Length 2^64 - 1: offset + 32 + length must not wrap around to a small number.
  EXPECT_EQ(evm_abi_string("0x0000000000000000000000000000000000000000000000000000000000000020"
                           "000000000000000000000000000000000000000000000000ffffffffffffffff"
                           "5355534400000000000000000000000000000000000000000000000000000000"),
            std::nullopt);
}

// A 32-byte answer that is not text right-padded with zeros (here the uint256 18, as decimals() returns it)
// is neither an ABI string nor a bytes32 string.
TEST(EvmRpcHelpers, AbiStringRefusesAWordThatIsNotRightPaddedText) {
  EXPECT_EQ(evm_abi_string("0x0000000000000000000000000000000000000000000000000000000000000012"), std::nullopt);
}

TEST(EvmRpcHelpers, RangeTooLargeRecognisesProviderMessages) {
  EXPECT_TRUE(evm_range_too_large(-32000, "query returned more than 10000 results"));  // geth
  EXPECT_TRUE(evm_range_too_large(
      -32602,
      "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on "
      "the response size, or you can request any block range with a cap of 10K logs in the response."));  // Alchemy
  EXPECT_TRUE(evm_range_too_large(-32005, ""));                // Infura / EIP-1474 "limit exceeded"
  EXPECT_TRUE(evm_range_too_large(-32005, "limit exceeded"));
  EXPECT_TRUE(evm_range_too_large(-32000, "QUERY RETURNED MORE THAN 10000 RESULTS")) << "case-insensitive";

  EXPECT_FALSE(evm_range_too_large(3, "execution reverted"));
  EXPECT_FALSE(evm_range_too_large(-32000, "execution reverted"));
  EXPECT_FALSE(evm_range_too_large(-32601, "the method trace_filter does not exist/is not available"));
  EXPECT_FALSE(evm_range_too_large(-32000, "header not found"));
}

// ---- EvmRpc::batch over ReplayTransport ----

class EvmRpcBatchTest : public ::testing::Test {
 protected:
  ReplayTransport replay_;
  PoliteClient client_{"jsonrpc", [this] { return replay_.make_handle(); }, politeness(),
                       std::make_shared<InstantClock>()};
  EvmRpc rpc_{client_, kEndpoint};

  void answer(int status, const std::string& body, std::size_t times = 1) {
    replay_.enqueue(kEndpoint, response(status, body), times);
  }
  static std::vector<EvmCall> two_calls() {
    return {EvmCall{"eth_blockNumber", json::array()}, EvmCall{"eth_chainId", json::array()}};
  }
};

TEST_F(EvmRpcBatchTest, AnswersAreMatchedByIdWhenTheNodeAnswersOutOfOrder) {
  answer(200, R"([{"jsonrpc":"2.0","id":3,"result":"0x1"},)"
              R"({"jsonrpc":"2.0","id":1,"result":"0x12a05f200"},)"
              R"({"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"header not found"}}])");
  const EvmBatchReply reply = rpc_.batch(
      {EvmCall{"eth_blockNumber", json::array()},
       EvmCall{"eth_getBlockByNumber", json::array({"0x1234", false})}, EvmCall{"eth_chainId", json::array()}});
  ASSERT_EQ(reply.answers.size(), 3u);
  ASSERT_TRUE(reply.answers[0].ok());
  EXPECT_EQ(*reply.answers[0].result, json("0x12a05f200"));
  EXPECT_FALSE(reply.answers[1].ok());
  EXPECT_EQ(reply.answers[1].error_code, -32000);
  EXPECT_EQ(reply.answers[1].error_message, "header not found");
  ASSERT_TRUE(reply.answers[2].ok());
  EXPECT_EQ(*reply.answers[2].result, json("0x1"));
  EXPECT_EQ(reply.response.status, 200);

  const std::vector<HttpRequest> requests = replay_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  const json body = json::parse(requests[0].body);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 3u);
  EXPECT_EQ(body[0], (json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "eth_blockNumber"}, {"params", json::array()}}));
  EXPECT_EQ(body[1]["id"], 2);
  EXPECT_EQ(body[1]["params"], json::array({"0x1234", false}));
  EXPECT_EQ(body[2]["method"], "eth_chainId");
  EXPECT_THAT(reply.locator, HasSubstr(kRedacted));
  EXPECT_THAT(reply.locator, Not(HasSubstr("SECRET123")));
}

TEST_F(EvmRpcBatchTest, OneCallIsSentAsASingleObject) {
  answer(200, R"({"jsonrpc":"2.0","id":1,"result":"0x38"})");
  EXPECT_EQ(rpc_.call("eth_chainId"), json("0x38"));
  const json body = json::parse(replay_.requests().at(0).body);
  EXPECT_TRUE(body.is_object());
  EXPECT_EQ(body["method"], "eth_chainId");
}

TEST_F(EvmRpcBatchTest, AnAnswerToAnEarlierRequestsIdIsRefused) {
  answer(200, R"([{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":2,"result":"0x2"}])");
  rpc_.batch(two_calls());
  // The next batch has ids 3 and 4; a (cached, replayed) answer with ids 1 and 2 does not belong to it.
  answer(200, R"([{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":2,"result":"0x2"}])");
  EXPECT_THAT([&] { rpc_.batch(two_calls()); }, ThrowsError(ErrorKind::InvalidArgument, HasSubstr(kRedacted)));
}

TEST_F(EvmRpcBatchTest, AMissingAnswerIsAnError) {
  answer(200, R"([{"jsonrpc":"2.0","id":1,"result":"0x1"}])");
  EXPECT_THAT([&] { rpc_.batch(two_calls()); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(kRedacted), HasSubstr("eth_chainId"))));
}

TEST_F(EvmRpcBatchTest, AnHtmlPageWithStatus200IsAnErrorNamingTheEndpoint) {
  answer(200, "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>checking</body></html>");
  const auto error = fundtrail::test::error_from([&] { rpc_.batch(two_calls()); });
  ASSERT_TRUE(error.has_value()) << "an HTML page was taken for JSON-RPC answers";
  EXPECT_EQ(error->kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(error->what(), HasSubstr(kRedacted));
  EXPECT_THAT(error->what(), Not(HasSubstr("SECRET123")));
}

TEST_F(EvmRpcBatchTest, TruncatedJsonIsAnError) {
  answer(200, R"([{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":2,"resu)");
  EXPECT_THAT([&] { rpc_.batch(two_calls()); }, ThrowsError(ErrorKind::InvalidArgument, HasSubstr(kRedacted)));
}

TEST_F(EvmRpcBatchTest, ANodeRefusingBatchesIsAnError) {
  answer(200, R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch requests are not supported"}})");
  EXPECT_THAT([&] { rpc_.batch(two_calls()); },
              ThrowsError(ErrorKind::InvalidArgument,
                          AllOf(HasSubstr(kRedacted), HasSubstr("batch requests are not supported"))));
}

TEST_F(EvmRpcBatchTest, NonSuccessStatusesAreIoErrors) {
  answer(403, "forbidden: bad api key");
  EXPECT_THAT([&] { rpc_.batch(two_calls()); },
              ThrowsError(ErrorKind::IoError, AllOf(HasSubstr("403"), Not(HasSubstr("SECRET123")))));
  answer(503, "upstream unavailable", 2);  // retried once by PoliteClient, then given up
  EXPECT_THAT([&] { rpc_.batch(two_calls()); }, ThrowsError(ErrorKind::IoError, HasSubstr("503")));
  EXPECT_EQ(replay_.request_count(), 3u);
  EXPECT_EQ(replay_.pending(), 0u);
}

TEST_F(EvmRpcBatchTest, CallThrowsTheNodesErrorWithItsCode) {
  answer(200, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method foo does not exist"}})");
  EXPECT_THAT([&] { rpc_.call("foo"); },
              ThrowsError(ErrorKind::InvalidArgument,
                          AllOf(HasSubstr(kRedacted), HasSubstr("foo"), HasSubstr("-32601"),
                                HasSubstr("the method foo does not exist"))));
}

// ---- EvmJsonRpcSource against a fake node ----

// Answers JSON-RPC requests (single or batch) per method. A handler returns {"result": ...} or {"error": ...};
// a method without a handler answers -32601 as geth does.
class FakeNode {
 public:
  using Handler = std::function<json(const json& params)>;
  std::map<std::string, Handler> methods;
  std::vector<std::vector<std::string>> batches;  // methods of every request

  HttpResponse answer(const HttpRequest& request) {
    const json body = json::parse(request.body);
    const json items = body.is_array() ? body : json::array({body});
    json out = json::array();
    std::vector<std::string> asked;
    for (const json& item : items) {
      const std::string method = item.at("method").get<std::string>();
      asked.push_back(method);
      const auto handler = methods.find(method);
      json reply = handler == methods.end()
                       ? json{{"error", {{"code", -32601},
                                         {"message", "the method " + method + " does not exist/is not available"}}}}
                       : handler->second(item.at("params"));
      reply["jsonrpc"] = "2.0";
      reply["id"] = item.at("id");
      out.push_back(reply);
    }
    batches.push_back(asked);
    return response(200, body.is_array() ? out.dump() : out[0].dump());
  }
};

class NodeTransport final : public HttpTransport {
 public:
  explicit NodeTransport(FakeNode& node) : node_(node) {}
  HttpResponse perform(const HttpRequest& request) override { return node_.answer(request); }

 private:
  FakeNode& node_;
};

json result(json value) { return json{{"result", std::move(value)}}; }
json rpc_error(int code, const std::string& message) {
  return json{{"error", {{"code", code}, {"message", message}}}};
}

std::string hex_word(std::uint64_t value) {
  static const char* digits = "0123456789abcdef";
  std::string word(64, '0');
  for (int i = 63; i >= 0 && value != 0; --i, value >>= 4) word[static_cast<std::size_t>(i)] = digits[value & 0xf];
  return word;
}

// The ABI encoding of a string result: offset, length, the bytes padded to whole words.
std::string abi_string(const std::string& text) {
  static const char* digits = "0123456789abcdef";
  std::string data;
  for (unsigned char c : text) {
    data.push_back(digits[c >> 4]);
    data.push_back(digits[c & 0xf]);
  }
  data.append((64 - data.size() % 64) % 64, '0');
  return "0x" + hex_word(32) + hex_word(text.size()) + data;
}

std::int64_t block_param(const json& value) { return std::stoll(value.get<std::string>().substr(2), nullptr, 16); }

constexpr const char* kWallet = "0x1111111111111111111111111111111111111111";
constexpr const char* kRecipient = "0x2222222222222222222222222222222222222222";
constexpr const char* kContract = "0x3333333333333333333333333333333333333333";  // a token / a called contract
constexpr const char* kStranger = "0x4444444444444444444444444444444444444444";
const std::string kWalletTopic = "0x000000000000000000000000" + std::string(kWallet).substr(2);
const std::string kRecipientTopic = "0x000000000000000000000000" + std::string(kRecipient).substr(2);
const std::string kTxToken = "0x" + std::string(64, 'a');
const std::string kTxFailed = "0x" + std::string(64, 'b');
const std::string kTxInternal = "0x" + std::string(64, 'c');
constexpr std::int64_t kBlockTime = 1710334144;  // 0x65f1a0c0, 2024-03-13T12:49:04Z

class EvmJsonRpcSourceTest : public ::testing::Test {
 protected:
  EvmJsonRpcSourceTest() {
    node_.methods["eth_chainId"] = [](const json&) { return result("0x1"); };
    node_.methods["eth_blockNumber"] = [](const json&) { return result("0xc8"); };
    node_.methods["trace_filter"] = [](const json&) { return result(json::array()); };
    node_.methods["eth_getLogs"] = [](const json&) { return result(json::array()); };
    node_.methods["eth_getBlockByNumber"] = [](const json& params) {
      return result(json{{"number", params[0]}, {"timestamp", "0x65f1a0c0"}, {"transactions", json::array()}});
    };
  }

  EvmJsonRpcOptions options(std::int64_t from_block, std::int64_t to_block,
                            EvmNativeScan scan = EvmNativeScan::TraceFilter) {
    EvmJsonRpcOptions o;
    o.endpoint = kEndpoint;
    o.window.from_block = from_block;
    o.window.to_block = to_block;
    o.native_scan = scan;
    return o;
  }

  // A successful receipt of a call from `from` to `to`: 21000 gas at 1 gwei.
  static json receipt(const std::string& status, const std::string& from, const std::string& to) {
    return json{{"blockNumber", "0x64"}, {"status", status},   {"from", from},
                {"to", to},              {"gasUsed", "0x5208"}, {"effectiveGasPrice", "0x3b9aca00"},
                {"contractAddress", nullptr}};
  }

  FakeNode node_;
  PoliteClient client_{"jsonrpc", [this] { return std::make_unique<NodeTransport>(node_); }, politeness(),
                       std::make_shared<InstantClock>()};
};

TEST_F(EvmJsonRpcSourceTest, ChainIdDisagreeingWithTheNodeIsAUsageError) {
  node_.methods["eth_chainId"] = [](const json&) { return result("0x38"); };  // BSC
  EvmJsonRpcOptions o = options(0, 10);
  o.chain_id = 1;
  EXPECT_THAT([&] { EvmJsonRpcSource source(client_, o); },
              ThrowsError(ErrorKind::Usage, AllOf(HasSubstr("56"), HasSubstr("1"), HasSubstr(kRedacted))));

  o.chain_id = 56;
  EvmJsonRpcSource source(client_, o);
  EXPECT_EQ(source.network(), 56u);
}

TEST_F(EvmJsonRpcSourceTest, AutoPicksBlocksWhenTraceFilterIsNotAMethod) {
  node_.methods.erase("trace_filter");  // answered -32601 "method not found"; no ots_ methods either
  EvmJsonRpcSource source(client_, options(0, 10, EvmNativeScan::Auto));
  EXPECT_EQ(source.native_scan(), EvmNativeScan::Blocks);
  ASSERT_EQ(node_.batches.size(), 3u);
  EXPECT_THAT(node_.batches[1], ElementsAre("trace_filter"));
  EXPECT_THAT(node_.batches[2], ElementsAre("ots_getApiLevel"));
}

TEST_F(EvmJsonRpcSourceTest, AutoPicksOtterscanWhenTraceFilterIsMissingButOtsIsOffered) {
  node_.methods.erase("trace_filter");
  node_.methods["ots_getApiLevel"] = [](const json&) { return result(8); };
  EvmJsonRpcSource source(client_, options(0, 10, EvmNativeScan::Auto));
  EXPECT_EQ(source.native_scan(), EvmNativeScan::Ots);
}

TEST_F(EvmJsonRpcSourceTest, ReadingMoreThanAMillionBlocksOneByOneAsksForAWindow) {
  node_.methods["eth_blockNumber"] = [](const json&) { return result("0x1312d00"); };  // 20,000,000
  EvmJsonRpcOptions whole = options(0, 10, EvmNativeScan::Blocks);
  whole.window.from_block.reset();
  whole.window.to_block.reset();
  EvmJsonRpcSource source(client_, whole);
  EXPECT_THAT([&] { source.fetch_page(kWallet, std::nullopt); },
              ThrowsError(ErrorKind::Usage, HasSubstr("--from-block")));
  // With traces the same window is walked range by range: no objection.
  EvmJsonRpcOptions traced = whole;
  traced.native_scan = EvmNativeScan::TraceFilter;
  EvmJsonRpcSource tracing(client_, traced);
  EXPECT_NO_THROW(tracing.fetch_page(kWallet, std::nullopt));
}

TEST_F(EvmJsonRpcSourceTest, AutoPicksTraceFilterWhenTheNodeAnswersIt) {
  EvmJsonRpcSource source(client_, options(0, 10, EvmNativeScan::Auto));
  EXPECT_EQ(source.native_scan(), EvmNativeScan::TraceFilter);
}

TEST_F(EvmJsonRpcSourceTest, RangesTheNodeRefusesAreSplitAndTheCursorAdvancesByWhatWorked) {
  std::vector<std::pair<std::int64_t, std::int64_t>> asked;   // one per batch (the sender-side log query)
  std::vector<std::pair<std::int64_t, std::int64_t>> served;
  node_.methods["eth_getLogs"] = [&](const json& params) {
    const json& filter = params.at(0);
    const std::int64_t from = block_param(filter.at("fromBlock"));
    const std::int64_t to = block_param(filter.at("toBlock"));
    const bool sender_side = !filter.at("topics").at(1).is_null();
    if (sender_side) asked.emplace_back(from, to);
    if (to - from + 1 > 10) return rpc_error(-32000, "query returned more than 10000 results");
    if (sender_side) served.emplace_back(from, to);
    return result(json::array());
  };
  EvmJsonRpcOptions o = options(100, 199);
  o.max_block_range = 40;
  EvmJsonRpcSource source(client_, o);

  const AccountPage first = source.fetch_page(kWallet, std::nullopt);
  EXPECT_THAT(first.transactions, IsEmpty());
  ASSERT_TRUE(first.next_cursor.has_value()) << "blocks 110..199 are still to do";
  EXPECT_THAT(asked, ElementsAre(std::pair<std::int64_t, std::int64_t>{100, 139}, std::pair<std::int64_t, std::int64_t>{100, 119},
                                 std::pair<std::int64_t, std::int64_t>{100, 109}));
  ASSERT_EQ(first.responses.size(), 1u) << "the evidence is the answer that was used";

  asked.clear();
  const AccountPage second = source.fetch_page(kWallet, first.next_cursor);
  EXPECT_THAT(asked, ElementsAre(std::pair<std::int64_t, std::int64_t>{110, 129}, std::pair<std::int64_t, std::int64_t>{110, 119}))
      << "the next page starts right after the blocks that worked, trying a doubled range";

  // Walked to the end, the pages cover 100..199 exactly once, in order.
  std::optional<std::string> cursor = second.next_cursor;
  for (int guard = 0; cursor && guard < 50; ++guard) cursor = source.fetch_page(kWallet, cursor).next_cursor;
  EXPECT_FALSE(cursor.has_value());
  std::vector<std::pair<std::int64_t, std::int64_t>> expected;
  for (std::int64_t start = 100; start < 200; start += 10) expected.emplace_back(start, start + 9);
  EXPECT_EQ(served, expected);
}

TEST_F(EvmJsonRpcSourceTest, Erc20LogsBecomeTokenTransfersWithTheContractsMetadata) {
  node_.methods["eth_getLogs"] = [](const json& params) {
    const json& topics = params.at(0).at("topics");
    if (topics.at(1) != kWalletTopic) return result(json::array());  // nothing received
    return result(json::array({json{{"address", kContract},
                                    {"topics", {std::string(kErc20TransferTopic), kWalletTopic, kRecipientTopic}},
                                    {"data", "0x" + hex_word(1500000)},
                                    {"blockNumber", "0x64"},
                                    {"transactionHash", kTxToken},
                                    {"logIndex", "0x3"},
                                    {"removed", false}}}));
  };
  node_.methods["eth_getTransactionReceipt"] = [](const json& params) {
    EXPECT_EQ(params.at(0), kTxToken);
    return result(receipt("0x1", kWallet, kContract));
  };
  std::vector<std::string> eth_calls;
  node_.methods["eth_call"] = [&](const json& params) {
    EXPECT_EQ(params.at(0).at("to"), kContract);
    const std::string selector = params.at(0).at("data").get<std::string>();
    eth_calls.push_back(selector);
    if (selector == "0x95d89b41") return result(abi_string("TKN"));         // symbol()
    if (selector == "0x06fdde03") return result(abi_string("Token Name"));  // name()
    if (selector == "0x313ce567") return result("0x" + hex_word(6));        // decimals()
    return rpc_error(3, "execution reverted");
  };
  EvmJsonRpcSource source(client_, options(100, 100));
  const AccountPage page = source.fetch_page(kWallet, std::nullopt);

  EXPECT_FALSE(page.next_cursor.has_value()) << "the one-block window is done";
  EXPECT_THAT(eth_calls, ::testing::UnorderedElementsAre("0x95d89b41", "0x06fdde03", "0x313ce567"));
  ASSERT_EQ(page.transactions.size(), 1u);
  const AccountTransaction& tx = page.transactions[0];
  EXPECT_EQ(tx.hash, kTxToken);
  EXPECT_EQ(tx.block_height, std::optional<std::int64_t>(100));
  EXPECT_EQ(tx.timestamp, kBlockTime);
  EXPECT_FALSE(tx.failed);
  EXPECT_EQ(tx.from, std::optional<std::string>(kWallet));
  EXPECT_EQ(tx.to, std::optional<std::string>(kContract));
  ASSERT_TRUE(tx.fee.has_value());
  EXPECT_EQ(tx.fee->to_base_units(), "21000000000000");  // 21000 gas * 10^9 wei
  ASSERT_EQ(tx.transfers.size(), 1u);
  const AccountTransfer& t = tx.transfers[0];
  EXPECT_EQ(t.kind, TransferKind::Token);
  EXPECT_EQ(t.from, kWallet);
  EXPECT_EQ(t.to, kRecipient);
  EXPECT_EQ(t.amount.to_base_units(), "1500000");
  EXPECT_EQ(t.asset.contract, kContract);
  EXPECT_EQ(t.asset.symbol, std::optional<std::string>("TKN"));
  EXPECT_EQ(t.asset.name, std::optional<std::string>("Token Name"));
  EXPECT_EQ(t.asset.decimals, std::optional<unsigned>(6));
  ASSERT_LT(t.evidence, page.responses.size());
  ASSERT_LT(tx.evidence, page.responses.size());
  EXPECT_THAT(page.responses[tx.evidence].locator, HasSubstr("eth_getTransactionReceipt"));
}

TEST_F(EvmJsonRpcSourceTest, AReceiptWithStatusZeroMakesTheTransactionFailedWithoutTransfers) {
  node_.methods["trace_filter"] = [](const json& params) {
    if (!params.at(0).contains("fromAddress")) return result(json::array());
    return result(json::array({json{{"type", "call"},
                                    {"action", {{"callType", "call"}, {"from", kWallet}, {"to", kRecipient},
                                                {"value", "0xde0b6b3a7640000"}, {"gas", "0x5208"}, {"input", "0x"}}},
                                    {"result", {{"gasUsed", "0x0"}, {"output", "0x"}}},
                                    {"blockNumber", 100},
                                    {"transactionHash", kTxFailed},
                                    {"traceAddress", json::array()},
                                    {"subtraces", 0}}}));
  };
  node_.methods["eth_getTransactionReceipt"] = [](const json&) { return result(receipt("0x0", kWallet, kRecipient)); };
  EvmJsonRpcSource source(client_, options(100, 100));
  const AccountPage page = source.fetch_page(kWallet, std::nullopt);
  ASSERT_EQ(page.transactions.size(), 1u);
  const AccountTransaction& tx = page.transactions[0];
  EXPECT_EQ(tx.hash, kTxFailed);
  EXPECT_TRUE(tx.failed);
  EXPECT_THAT(tx.transfers, IsEmpty()) << "a reverted transaction moved 1 ETH";
  EXPECT_EQ(tx.timestamp, kBlockTime);
  ASSERT_TRUE(tx.fee.has_value()) << "a failed transaction still paid its fee";
  EXPECT_EQ(tx.fee->to_base_units(), "21000000000000");
}

TEST_F(EvmJsonRpcSourceTest, InternalTransfersInsideARevertedCallAreDropped) {
  auto frame = [](json trace_address, const std::string& from, const std::string& to, const std::string& value) {
    return json{{"type", "call"},
                {"action", {{"callType", "call"}, {"from", from}, {"to", to}, {"value", value}, {"input", "0x"}}},
                {"result", {{"gasUsed", "0x0"}, {"output", "0x"}}},
                {"blockNumber", 100},
                {"transactionHash", kTxInternal},
                {"traceAddress", std::move(trace_address)},
                {"subtraces", 0}};
  };
  // The wallet received 5 wei in frame [0, 1], whose parent [0] reverted, and 7 wei in frame [1].
  node_.methods["trace_filter"] = [&](const json& params) {
    if (!params.at(0).contains("toAddress")) return result(json::array());
    return result(json::array({frame(json::array({0, 1}), kContract, kWallet, "0x5"), frame(json::array({1}), kContract, kWallet, "0x7")}));
  };
  int full_traces = 0;
  node_.methods["trace_transaction"] = [&](const json& params) {
    ++full_traces;
    EXPECT_EQ(params.at(0), kTxInternal);
    json reverted = frame(json::array({0}), kContract, kStranger, "0x0");
    reverted.erase("result");
    reverted["error"] = "Reverted";
    return result(json::array({frame(json::array(), kStranger, kContract, "0x0"), reverted,
                               frame(json::array({0, 1}), kContract, kWallet, "0x5"), frame(json::array({1}), kContract, kWallet, "0x7")}));
  };
  node_.methods["eth_getTransactionReceipt"] = [](const json&) { return result(receipt("0x1", kStranger, kContract)); };
  EvmJsonRpcSource source(client_, options(100, 100));
  const AccountPage page = source.fetch_page(kWallet, std::nullopt);
  EXPECT_EQ(full_traces, 1);
  ASSERT_EQ(page.transactions.size(), 1u);
  const AccountTransaction& tx = page.transactions[0];
  EXPECT_EQ(tx.hash, kTxInternal);
  EXPECT_FALSE(tx.failed);
  ASSERT_EQ(tx.transfers.size(), 1u) << "the transfer inside the reverted call was kept";
  EXPECT_EQ(tx.transfers[0].kind, TransferKind::Internal);
  EXPECT_EQ(tx.transfers[0].from, kContract);
  EXPECT_EQ(tx.transfers[0].to, kWallet);
  EXPECT_EQ(tx.transfers[0].amount.to_base_units(), "7");
}

}  // namespace
}  // namespace fundtrail::ingest
