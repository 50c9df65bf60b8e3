// TronGridSource over the scripted ReplayTransport: the two phases and their fingerprint paging (exact URLs,
// cursor round trip, the empty page that still carries a fingerprint, the last page without one), the API key
// header that never reaches a locator, option checks, and a real TronGrid page served through the source.
#include "fundtrail/ingest/trongrid_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"
#include "support/error_matchers.hpp"
#include "support/shared_data.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;
using test::ThrowsError;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

constexpr const char* kEndpoint = "https://tron.example";
constexpr const char* kAccount = "TM1zzNDZD2DPASbKcgdVoTYhfmYgtfwx9R";
constexpr const char* kAccountHex = "4179309abcff2cf531070ca9222a1f72c4a5136874";
constexpr const char* kUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
constexpr const char* kOther = "TVmkAmaQrY6raatYozLtcQCGqWP6VaPnHU";
constexpr const char* kOtherHex = "41d9378a9849912a41ec1f0e4677c074edf0516241";

const std::string kTxsPath = std::string(kEndpoint) + "/v1/accounts/" + kAccount + "/transactions";
const std::string kTrc20Path = kTxsPath + "/trc20";

HttpResponse ok(const json& body) {
  HttpResponse response;
  response.status = 200;
  response.body = body.dump();
  return response;
}

json page(json data, std::optional<std::string> fingerprint = std::nullopt) {
  json meta = {{"at", 1709251300000}, {"page_size", data.size()}};
  if (fingerprint) {
    meta["fingerprint"] = *fingerprint;
    meta["links"] = {{"next", "https://api.trongrid.io/v1/accounts/x/transactions?fingerprint=" + *fingerprint}};
  }
  return {{"success", true}, {"meta", meta}, {"data", std::move(data)}};
}

json trx_payment(const std::string& seed, std::int64_t millis, std::uint64_t sun) {
  const std::string raw_hex = core::to_hex(core::sha256("raw-" + seed));
  return {{"txID", core::to_hex(core::sha256(core::hex_to_bytes(raw_hex)))},
          {"raw_data_hex", raw_hex},
          {"blockNumber", 60000000},
          {"block_timestamp", millis},
          {"ret", json::array({{{"contractRet", "SUCCESS"}, {"fee", 0}}})},
          {"raw_data",
           {{"contract",
             json::array(
                 {{{"type", "TransferContract"},
                   {"parameter",
                    {{"value", {{"owner_address", kOtherHex}, {"to_address", kAccountHex}, {"amount", sun}}}}}}})}}}};
}

json usdt_transfer(char id, std::int64_t millis, const std::string& value) {
  return {{"transaction_id", std::string(64, id)},
          {"token_info", {{"symbol", "USDT"}, {"address", kUsdt}, {"decimals", 6}, {"name", "Tether USD"}}},
          {"block_timestamp", millis},
          {"from", kAccount},
          {"to", kOther},
          {"type", "Transfer"},
          {"value", value}};
}

class TronGridSourceTest : public ::testing::Test {
 protected:
  TronGridOptions options() const {
    TronGridOptions result;
    result.endpoint = std::string(kEndpoint) + "/";
    return result;
  }

  ReplayTransport replay_;
  PoliteClient client_{"trongrid", [this] { return replay_.make_handle(); }, PolitenessOptions{}};
};

TEST_F(TronGridSourceTest, WalksBothPhasesByFingerprintWithUnchangedParameters) {
  TronGridOptions opts = options();
  opts.page_size = 2;
  opts.window.since = 1709251200;  // 2024-03-01T00:00:00Z
  opts.window.until = 1709337599;  // 2024-03-01T23:59:59Z, inclusive
  TronGridSource source(client_, opts);
  const std::string query =
      "?only_confirmed=true&limit=2&order_by=block_timestamp,asc&min_timestamp=1709251200000"
      "&max_timestamp=1709337599999";
  const std::string tx_first = kTxsPath + query + "&search_internal=true";
  const std::string trc20_first = kTrc20Path + query;
  replay_.enqueue(
      tx_first, ok(page(json::array({trx_payment("1", 1709251203000, 5), trx_payment("2", 1709251206000, 6)}), "FP1")));
  replay_.enqueue(tx_first + "&fingerprint=FP1", ok(page(json::array({trx_payment("3", 1709251209000, 7)}))));
  replay_.enqueue(trc20_first, ok(page(json::array({usdt_transfer('a', 1709251212000, "100")}), "FP2")));
  // TronGrid's empty page that still carries a (new) fingerprint: followed ...
  replay_.enqueue(trc20_first + "&fingerprint=FP2", ok(page(json::array(), "FP3")));
  // ... and one repeating the fingerprint just used: the end.
  replay_.enqueue(trc20_first + "&fingerprint=FP3", ok(page(json::array(), "FP3")));

  std::vector<std::optional<std::string>> cursors{std::nullopt};
  std::vector<std::size_t> sizes;
  for (int guard = 0; guard < 10; ++guard) {
    const AccountPage result = source.fetch_page(kAccount, cursors.back());
    ASSERT_EQ(result.responses.size(), 1u);
    EXPECT_EQ(result.responses[0].locator, replay_.requests().back().url);
    EXPECT_EQ(result.responses[0].response.status, 200);
    sizes.push_back(result.transactions.size());
    cursors.push_back(result.next_cursor);
    if (!result.next_cursor) break;
  }
  const std::vector<std::optional<std::string>> expected{
      std::nullopt, "tx:FP1", "trc20:", "trc20:FP2", "trc20:FP3", std::nullopt};
  EXPECT_EQ(cursors, expected);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 1, 1, 0, 0}));
  EXPECT_EQ(replay_.pending(), 0u);
  EXPECT_EQ(replay_.request_count(), 5u);
}

TEST_F(TronGridSourceTest, PagesCarryTheirTransfersWithEvidenceZero) {
  TronGridSource source(client_, options());
  replay_.enqueue(kTrc20Path, ok(page(json::array({usdt_transfer('b', 1709251212000, "2500000")}))), 1,
                  ReplayTransport::Match::Prefix);
  const AccountPage result = source.fetch_page(kAccount, "trc20:");
  ASSERT_EQ(result.transactions.size(), 1u);
  const AccountTransaction& tx = result.transactions[0];
  EXPECT_EQ(tx.hash, std::string(64, 'b'));
  EXPECT_EQ(tx.timestamp, 1709251212);
  EXPECT_EQ(tx.evidence, 0u);
  ASSERT_EQ(tx.transfers.size(), 1u);
  EXPECT_EQ(tx.transfers[0].kind, TransferKind::Token);
  EXPECT_EQ(tx.transfers[0].evidence, 0u);
  EXPECT_EQ(tx.transfers[0].amount.to_base_units(), "2500000");
  EXPECT_FALSE(result.next_cursor.has_value());
}

TEST_F(TronGridSourceTest, OpaqueFingerprintIsPercentEncodedAndRoundTrips) {
  TronGridSource source(client_, options());
  const std::string fingerprint = "4Cw+Rec/x=";
  replay_.enqueue(kTxsPath, ok(page(json::array({trx_payment("1", 1709251203000, 5)}), fingerprint)), 1,
                  ReplayTransport::Match::Prefix);
  const AccountPage first = source.fetch_page(kAccount, std::nullopt);
  ASSERT_EQ(first.next_cursor, "tx:" + fingerprint);
  const HttpRequest next = source.page_request(kAccount, first.next_cursor);
  EXPECT_THAT(next.url, HasSubstr("&fingerprint=4Cw%2BRec%2Fx%3D"));
  EXPECT_THAT(next.url, HasSubstr("/transactions?"));
  EXPECT_THAT(next.url, HasSubstr("&search_internal=true"));
  EXPECT_THAT(source.page_request(kAccount, "trc20:" + fingerprint).url,
              AllOf(HasSubstr("/transactions/trc20?"), HasSubstr("&fingerprint=4Cw%2BRec%2Fx%3D"),
                    Not(HasSubstr("search_internal"))));
}

TEST_F(TronGridSourceTest, NoWindowMeansNoTimestampBoundsAndHexAddressesAreNormalised) {
  TronGridSource source(client_, options());
  const HttpRequest request = source.page_request(kAccountHex, std::nullopt);
  EXPECT_EQ(request.url, kTxsPath + "?only_confirmed=true&limit=200&order_by=block_timestamp,asc&search_internal=true");
  EXPECT_TRUE(request.headers.empty());
  EXPECT_THAT([&] { source.page_request("TNotAnAddress", std::nullopt); },
              ThrowsError(ErrorKind::InvalidArgument, HasSubstr("TNotAnAddress")));
}

TEST_F(TronGridSourceTest, ApiKeyGoesInTheHeaderNeverInUrlsOrLocators) {
  TronGridOptions opts = options();
  opts.api_key = "K3Y-5ECRET";
  TronGridSource source(client_, opts);
  replay_.enqueue(kTxsPath, ok(page(json::array())), 1, ReplayTransport::Match::Prefix);
  const AccountPage result = source.fetch_page(kAccount, std::nullopt);
  const std::vector<HttpRequest> requests = replay_.requests();  // a copy: requests() returns by value
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& sent = requests[0];
  EXPECT_THAT(sent.headers, Contains(Pair("TRON-PRO-API-KEY", "K3Y-5ECRET")));
  EXPECT_THAT(sent.url, Not(HasSubstr("K3Y-5ECRET")));
  EXPECT_THAT(result.responses.at(0).locator, Not(HasSubstr("K3Y-5ECRET")));
  EXPECT_EQ(result.next_cursor, "trc20:");
}

TEST_F(TronGridSourceTest, NonEmptyPageRepeatingItsFingerprintIsAnError) {
  TronGridSource source(client_, options());
  replay_.enqueue(kTxsPath, ok(page(json::array({trx_payment("1", 1709251203000, 5)}), "SAME")), 1,
                  ReplayTransport::Match::Prefix);
  EXPECT_THAT([&] { source.fetch_page(kAccount, "tx:SAME"); },
              ThrowsError(ErrorKind::InvalidArgument,
                          AllOf(HasSubstr(kTxsPath), HasSubstr("fingerprint=SAME"), HasSubstr("refusing to loop"))));
}

TEST_F(TronGridSourceTest, MalformedResponsesNameTheUrl) {
  TronGridSource source(client_, options());
  HttpResponse html;
  html.status = 200;
  html.body = "<html><body>Service Unavailable</body></html>";
  replay_.enqueue(kTxsPath, html, 1, ReplayTransport::Match::Prefix);
  HttpResponse not_found;
  not_found.status = 404;
  not_found.body = R"({"success":false,"error":"not found"})";
  replay_.enqueue(kTrc20Path, not_found, 1, ReplayTransport::Match::Prefix);
  EXPECT_THAT([&] { source.fetch_page(kAccount, std::nullopt); },
              ThrowsError(ErrorKind::InvalidArgument,
                          AllOf(HasSubstr(kTxsPath + "?only_confirmed=true"), HasSubstr("not JSON"))));
  EXPECT_THAT([&] { source.fetch_page(kAccount, "trc20:"); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(kTrc20Path), HasSubstr("HTTP status 404"))));
}

TEST_F(TronGridSourceTest, ForeignCursorIsRefused) {
  TronGridSource source(client_, options());
  EXPECT_THAT([&] { source.fetch_page(kAccount, "0x1a2b:etherscan"); },
              ThrowsError(ErrorKind::InvalidArgument, HasSubstr("not a trongrid paging cursor")));
  EXPECT_EQ(replay_.request_count(), 0u);
}

TEST_F(TronGridSourceTest, IdentityAndOptionChecks) {
  TronGridSource source(client_, TronGridOptions{});
  EXPECT_EQ(source.chain(), core::Chain::Tron);
  EXPECT_EQ(source.provider(), "trongrid");
  EXPECT_EQ(source.network(), 0u);
  EXPECT_THAT(source.page_request(kAccount, std::nullopt).url, HasSubstr("https://api.trongrid.io/v1/accounts/"));

  auto with = [&](auto change) {
    TronGridOptions opts = options();
    change(opts);
    return [this, opts] { TronGridSource bad(client_, opts); };
  };
  EXPECT_THAT(with([](TronGridOptions& o) { o.endpoint = "ftp://tron.example"; }),
              ThrowsError(ErrorKind::Usage, HasSubstr("http(s)")));
  EXPECT_THAT(with([](TronGridOptions& o) { o.endpoint = "api.trongrid.io"; }), ThrowsError(ErrorKind::Usage));
  EXPECT_THAT(with([](TronGridOptions& o) { o.page_size = 0; }), ThrowsError(ErrorKind::Usage, HasSubstr("1..200")));
  EXPECT_THAT(with([](TronGridOptions& o) { o.page_size = 201; }), ThrowsError(ErrorKind::Usage));
  EXPECT_THAT(with([](TronGridOptions& o) {
                o.window.since = 1709251200;
                o.window.until = 1709251199;
              }),
              ThrowsError(ErrorKind::Usage));
}

TEST_F(TronGridSourceTest, RealTronGridPageThroughTheSource) {
  LOAD_OR_SKIP(body, test::shared_data("trongrid-json/blockatlas/accounts_txs_response.json"));
  HttpResponse response;
  response.status = 200;
  response.body = body;
  replay_.enqueue(kTxsPath, response, 1, ReplayTransport::Match::Prefix);
  TronGridSource source(client_, options());
  const AccountPage result = source.fetch_page(kAccount, std::nullopt);
  EXPECT_EQ(result.transactions.size(), 24u);
  EXPECT_EQ(result.next_cursor,
            "tx:4CwRecxbH99eRRkU2FFkGRCvoQGwphNyRcTTiM1GfUrkoQ1fG9Kcc8ADZo7pSCYXja28JWKUACy2Xt6UG1Fa5tSZh5dqpUEuTi1W");
  EXPECT_EQ(result.responses.at(0).response.body, response.body);  // kept whole for the evidence record
}

}  // namespace
}  // namespace fundtrail::ingest
