// EtherscanSource over the scripted ReplayTransport: a real txlist answer, block-range walking over the three
// phases (cursors, the restart at the last block, a block with a full page of records), the empty answer,
// the API key kept out of locators and messages, rate-limit answers retried by PoliteClient, the window,
// malformed answers.
#include "fundtrail/ingest/etherscan_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "ingest/etherscan_records.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace fundtrail::ingest::test;
using fundtrail::test::ThrowsError;

const std::string kEndpoint = "https://api.example/v2/api";
const std::string kWallet = address_n(0xa11ce);
const std::string kOther = address_n(0xb0b);

// Time stands still except when someone sleeps; sleeps are recorded and return at once.
class FakeClock final : public Clock {
 public:
  double now() override {
    const std::lock_guard lock(mutex_);
    return now_;
  }
  double unix_now() override { return 1700000000 + now(); }
  bool sleep_for(double seconds, std::stop_token stop) override {
    const std::lock_guard lock(mutex_);
    ++sleeps_;
    now_ += seconds;
    return !stop.stop_requested();
  }
  int sleeps() const {
    const std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  mutable std::mutex mutex_;
  double now_ = 0;
  int sleeps_ = 0;
};

// The URL the source must ask for.
std::string url(const std::string& action, const std::string& address, std::int64_t start, unsigned page,
                unsigned offset, const std::string& tail = "", std::int64_t end = 9999999999) {
  return kEndpoint + "?module=account&action=" + action + "&address=" + address +
         "&chainid=1&startblock=" + std::to_string(start) + "&endblock=" + std::to_string(end) +
         "&page=" + std::to_string(page) + "&offset=" + std::to_string(offset) + "&sort=asc" + tail;
}

class EtherscanSourceTest : public ::testing::Test {
 protected:
  EtherscanSourceTest() { client_ = make_client(PolitenessOptions{}); }

  std::unique_ptr<PoliteClient> make_client(PolitenessOptions options) {
    options.base_backoff_s = 1;
    return std::make_unique<PoliteClient>(
        "etherscan", [this] { return replay_.make_handle(); }, options, clock_);
  }
  EtherscanSource source(unsigned page_size, AccountWindow window = {}, std::optional<std::string> key = {}) {
    EtherscanOptions options;
    options.endpoint = kEndpoint;
    options.page_size = page_size;
    options.window = window;
    options.api_key = std::move(key);
    return EtherscanSource(*client_, options);
  }

  ReplayTransport replay_;
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::unique_ptr<PoliteClient> client_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(EtherscanSourceTest, RealTxlistAnswerIsAContractCreation) {
  const std::string path = std::string(FUNDTRAIL_SHARED_DATA) + "/etherscan-json/api_v1_accounts_transactions.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  const std::string creator = "0x2d7dc2ef7c6f6a2cbc3dba4db97b2ddb40e20713";
  replay_.enqueue(url("txlist", creator, 0, 1, 1000), http_200(read_file(path)));
  auto etherscan = source(1000);
  const AccountPage page = etherscan.fetch_page(creator, std::nullopt);

  ASSERT_EQ(page.transactions.size(), 1u);
  const AccountTransaction& tx = page.transactions[0];
  EXPECT_EQ(tx.hash, "0x4a03044699c2fbd256e21632a6d8fbfc27655ea711157fa8b2b917f0eb954cea");
  EXPECT_EQ(tx.block_height, 6271590);
  EXPECT_EQ(tx.timestamp, 1536083185);
  EXPECT_EQ(tx.from, creator);
  EXPECT_EQ(tx.to, std::nullopt);
  EXPECT_EQ(tx.type, "create");
  EXPECT_FALSE(tx.failed);
  EXPECT_EQ(tx.fee, core::Amount(core::uint512(6005925) * core::uint512(20000000000ULL)));
  EXPECT_EQ(tx.fee->to_base_units(), "120118500000000000");
  EXPECT_TRUE(tx.transfers.empty());  // value "0": the creation moved no ether
  EXPECT_EQ(tx.evidence, 0u);
  ASSERT_EQ(page.responses.size(), 1u);
  EXPECT_EQ(page.responses[0].locator, url("txlist", creator, 0, 1, 1000));
  EXPECT_EQ(page.next_cursor, "txlistinternal:0:1");  // 1 record < 1000: txlist is done
  EXPECT_EQ(etherscan.chain(), core::Chain::Eth);
  EXPECT_EQ(etherscan.provider(), "etherscan");
  EXPECT_EQ(etherscan.network(), 1u);
}

// Follows next_cursor until the history ends; every page must be one request.
std::vector<AccountPage> walk(EtherscanSource& etherscan, const std::string& address, ReplayTransport& replay) {
  std::vector<AccountPage> pages;
  std::optional<std::string> cursor;
  do {
    const std::size_t before = replay.request_count();
    pages.push_back(etherscan.fetch_page(address, cursor));
    EXPECT_EQ(replay.request_count(), before + 1);
    cursor = pages.back().next_cursor;
  } while (cursor && pages.size() < 100);
  return pages;
}

TEST_F(EtherscanSourceTest, WalksBlockRangesThroughTheThreePhases) {
  // txlist: a full page (3 records) ending in block 12, restarted at block 12, whose records come again.
  replay_.enqueue(url("txlist", kWallet, 0, 1, 3), records_answer({txlist_record(1, 10, kWallet, kOther, "1"),
                                                                   txlist_record(2, 11, kOther, kWallet, "2"),
                                                                   txlist_record(3, 12, kWallet, kOther, "3")}));
  replay_.enqueue(url("txlist", kWallet, 12, 1, 3), records_answer({txlist_record(3, 12, kWallet, kOther, "3"),
                                                                    txlist_record(4, 12, kWallet, kOther, "4"),
                                                                    txlist_record(5, 13, kWallet, kOther, "5")}));
  replay_.enqueue(url("txlist", kWallet, 13, 1, 3), records_answer({txlist_record(5, 13, kWallet, kOther, "5")}));
  replay_.enqueue(url("txlistinternal", kWallet, 0, 1, 3), records_answer({}));
  // tokentx: two identical transfers of one transaction stay two; the restart block's records come again.
  replay_.enqueue(url("tokentx", kWallet, 0, 1, 3),
                  records_answer({token_record(6, 20, kWallet, kOther, "9"), token_record(7, 21, kWallet, kOther, "1"),
                                  token_record(7, 21, kWallet, kOther, "1")}));
  replay_.enqueue(url("tokentx", kWallet, 21, 1, 3), records_answer({token_record(7, 21, kWallet, kOther, "1"),
                                                                     token_record(7, 21, kWallet, kOther, "1")}));
  auto etherscan = source(3);
  const auto pages = walk(etherscan, kWallet, replay_);

  std::vector<std::optional<std::string>> cursors;
  for (const auto& page : pages) cursors.push_back(page.next_cursor);
  EXPECT_THAT(cursors, ElementsAre("txlist:12:1", "txlist:13:1", "txlistinternal:0:1", "tokentx:0:1", "tokentx:21:1",
                                   std::nullopt));
  std::set<std::string> native_hashes;
  for (std::size_t i = 0; i < 3; ++i) {
    for (const auto& tx : pages[i].transactions) native_hashes.insert(tx.hash);
  }
  EXPECT_EQ(native_hashes, (std::set<std::string>{hash_n(1), hash_n(2), hash_n(3), hash_n(4), hash_n(5)}));
  EXPECT_TRUE(pages[3].transactions.empty());  // "No transactions found"
  ASSERT_EQ(pages[4].transactions.size(), 2u);
  EXPECT_EQ(pages[4].transactions[1].hash, hash_n(7));
  EXPECT_EQ(pages[4].transactions[1].transfers.size(), 2u);  // grouped: the store numbers them 0 and 1
  ASSERT_EQ(pages[5].transactions.size(), 1u);
  EXPECT_EQ(pages[5].transactions[0].transfers.size(), 2u);
  for (const auto& page : pages) {
    ASSERT_EQ(page.responses.size(), 1u);
    for (const auto& tx : page.transactions) {
      EXPECT_EQ(tx.evidence, 0u);
      for (const auto& transfer : tx.transfers) EXPECT_EQ(transfer.evidence, 0u);
    }
  }
  EXPECT_EQ(replay_.pending(), 0u);
}

TEST_F(EtherscanSourceTest, FullPageInsideOneBlockPagesDeeperThenRestarts) {
  replay_.enqueue(url("txlist", kWallet, 0, 1, 2), records_answer({txlist_record(1, 5, kWallet, kOther, "1"),
                                                                   txlist_record(2, 5, kWallet, kOther, "1")}));
  replay_.enqueue(url("txlist", kWallet, 5, 1, 2), records_answer({txlist_record(1, 5, kWallet, kOther, "1"),
                                                                   txlist_record(2, 5, kWallet, kOther, "1")}));
  replay_.enqueue(url("txlist", kWallet, 5, 2, 2), records_answer({txlist_record(3, 5, kWallet, kOther, "1"),
                                                                   txlist_record(4, 7, kWallet, kOther, "1")}));
  replay_.enqueue(url("txlist", kWallet, 7, 1, 2), records_answer({txlist_record(4, 7, kWallet, kOther, "1")}));
  auto etherscan = source(2);
  std::optional<std::string> cursor;
  std::set<std::string> hashes;
  std::vector<std::optional<std::string>> cursors;
  for (int i = 0; i < 4; ++i) {
    const AccountPage page = etherscan.fetch_page(kWallet, cursor);
    for (const auto& tx : page.transactions) hashes.insert(tx.hash);
    cursor = page.next_cursor;
    cursors.push_back(cursor);
  }
  EXPECT_THAT(cursors, ElementsAre("txlist:5:1", "txlist:5:2", "txlist:7:1", "txlistinternal:0:1"));
  EXPECT_EQ(hashes, (std::set<std::string>{hash_n(1), hash_n(2), hash_n(3), hash_n(4)}));
}

TEST_F(EtherscanSourceTest, BlockBeyondTheResultWindowIsAnErrorNotALoop) {
  std::vector<json> full;
  for (int i = 0; i < 5000; ++i) full.push_back(txlist_record(i + 1, 5, kWallet, kOther, "1"));
  replay_.enqueue(url("txlist", kWallet, 5, 2, 5000), records_answer(full));
  auto etherscan = source(5000);
  EXPECT_THAT([&] { etherscan.fetch_page(kWallet, "txlist:5:2"); },
              ThrowsError(ErrorKind::IoError, AllOf(HasSubstr("block 5 holds more than 10000 txlist records"),
                                                    HasSubstr(url("txlist", kWallet, 5, 2, 5000)))));
  // A cursor beyond the window was not made by this source.
  EXPECT_THAT([&] { etherscan.fetch_page(kWallet, "txlist:5:3"); },
              ThrowsError(ErrorKind::InvalidArgument, HasSubstr("not a cursor")));
}

TEST_F(EtherscanSourceTest, ForeignCursorsAndAddressesAreRefused) {
  auto etherscan = source(10);
  for (const char* cursor :
       {"", "txlist", "txlist:1", "txlist:x:1", "txlist:1:0", "blocks:1:1", "txlist:-1:1", "txlist:1:1:1"}) {
    EXPECT_THAT([&] { etherscan.fetch_page(kWallet, std::string(cursor)); },
                ThrowsError(ErrorKind::InvalidArgument, HasSubstr("not a cursor")))
        << cursor;
  }
  EXPECT_THAT([&] { etherscan.fetch_page("TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt", std::nullopt); },
              ThrowsError(ErrorKind::InvalidArgument));
  EXPECT_EQ(replay_.request_count(), 0u);
}

TEST_F(EtherscanSourceTest, ApiKeyIsSentButNeverInLocatorsOrMessages) {
  const std::string tail = "&apikey=S3CRET%2B%2Fkey";
  replay_.enqueue(url("txlist", kWallet, 0, 1, 10, tail), records_answer({}));
  replay_.enqueue(url("txlistinternal", kWallet, 0, 1, 10, tail), error_answer("NOTOK", "Invalid API Key"));
  auto etherscan = source(10, {}, "S3CRET+/key");
  const AccountPage page = etherscan.fetch_page(kWallet, std::nullopt);
  EXPECT_EQ(page.responses.at(0).locator, url("txlist", kWallet, 0, 1, 10, "&apikey=REDACTED"));
  EXPECT_THAT([&] { etherscan.fetch_page(kWallet, page.next_cursor); },
              ThrowsError(ErrorKind::IoError, AllOf(HasSubstr("Invalid API Key"), HasSubstr("apikey=REDACTED"),
                                                    HasSubstr("action=txlistinternal"), Not(HasSubstr("S3CRET")))));
}

TEST_F(EtherscanSourceTest, ErrorAnswersNameTheRedactedUrlAndTheMessage) {
  replay_.enqueue(url("txlist", kWallet, 0, 1, 10),
                  error_answer("NOTOK",
                               "Missing or unsupported chainid parameter (required for v2 api), please see "
                               "https://api.etherscan.io/v2/chainlist for the list of supported chainids"));
  auto etherscan = source(10);
  EXPECT_THAT([&] { etherscan.fetch_page(kWallet, std::nullopt); },
              ThrowsError(ErrorKind::IoError, AllOf(HasSubstr("etherscan GET " + url("txlist", kWallet, 0, 1, 10)),
                                                    HasSubstr("Missing or unsupported chainid"))));
}

TEST_F(EtherscanSourceTest, RateLimitAnswersAreRetriedWithBackoff) {
  PolitenessOptions options;
  options.retry_if = etherscan_rate_limited;
  client_ = make_client(options);
  const std::string first = url("txlist", kWallet, 0, 1, 10);
  replay_.enqueue(first, error_answer("NOTOK", "Max rate limit reached"));
  replay_.enqueue(first, error_answer("NOTOK", "Max calls per sec rate limit reached (5/sec)"));
  replay_.enqueue(first, records_answer({txlist_record(1, 5, kWallet, kOther, "1")}));
  auto etherscan = source(10);
  const AccountPage page = etherscan.fetch_page(kWallet, std::nullopt);
  EXPECT_EQ(page.transactions.size(), 1u);
  EXPECT_EQ(client_->stats().retries, 2u);
  EXPECT_EQ(clock_->sleeps(), 2);

  // Once the budget is spent the error says so, without the key.
  options.max_attempts = 2;
  client_ = make_client(options);
  auto keyed = source(10, {}, "S3CRET");
  replay_.enqueue(url("txlist", kWallet, 0, 1, 10, "&apikey=S3CRET"), error_answer("NOTOK", "Max rate limit reached"),
                  2);
  EXPECT_THAT([&] { keyed.fetch_page(kWallet, std::nullopt); },
              ThrowsError(ErrorKind::IoError, AllOf(HasSubstr("failed after 2 attempts"),
                                                    HasSubstr("Max rate limit reached"), Not(HasSubstr("S3CRET")))));
}

TEST(EtherscanRateLimited, OnlyStatusZeroSlowDownAnswers) {
  EXPECT_TRUE(etherscan_rate_limited(error_answer("NOTOK", "Max rate limit reached")));
  EXPECT_TRUE(etherscan_rate_limited(
      error_answer("NOTOK", "Max rate limit reached, please use API Key for higher rate limit")));
  EXPECT_TRUE(etherscan_rate_limited(error_answer("NOTOK", "Max calls per sec rate limit reached (3/sec)")));
  EXPECT_FALSE(etherscan_rate_limited(error_answer("NOTOK", "Max daily rate limit reached")));  // waiting won't help
  EXPECT_FALSE(etherscan_rate_limited(error_answer("NOTOK", "Invalid API Key")));
  // A token named like the message must not make a page retry forever.
  EXPECT_FALSE(etherscan_rate_limited(
      records_answer({token_record(1, 5, kWallet, kOther, "1", address_n(0xbad), "Max rate limit reached", "0")})));
  HttpResponse server_error = error_answer("NOTOK", "Max rate limit reached");
  server_error.status = 500;  // PoliteClient retries a 500 on its own
  EXPECT_FALSE(etherscan_rate_limited(server_error));
}

TEST_F(EtherscanSourceTest, MalformedAnswersNameTheUrl) {
  const std::string first = url("txlist", kWallet, 0, 1, 10);
  const std::vector<std::pair<HttpResponse, std::string>> cases = {
      {http_200("<html><body>Cloudflare: checking your browser</body></html>"), "not JSON"},
      {http_200(R"({"status":"1","message":"OK","result":[{"blockNumber":"12","timeSt)"), "not JSON"},
      {http_200(R"({"status":"1","message":"OK","result":{"hash":"0x"}})"), "not a list"},
      {records_answer({txlist_record(1, 5, kWallet, kOther, "1e18")}), "'value'"},
      {records_answer({txlist_record(1, 5, kWallet, kOther, "-5")}), "'value'"},
      {records_answer({txlist_record(1, 7, kWallet, kOther, "1"), txlist_record(2, 6, kWallet, kOther, "1")}),
       "out of order"},
  };
  auto etherscan = source(10);
  for (const auto& [answer, why] : cases) {
    replay_.enqueue(first, answer);
    EXPECT_THAT([&] { etherscan.fetch_page(kWallet, std::nullopt); },
                ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr("etherscan GET " + first), HasSubstr(why))))
        << answer.body;
  }
}

TEST_F(EtherscanSourceTest, WindowNarrowsBlocksAndFiltersTimes) {
  AccountWindow window;
  window.from_block = 100;
  window.to_block = 200;
  window.since = 1700000000 + 150 * 12;  // record timestamps are 1700000000 + block x 12
  window.until = 1700000000 + 160 * 12;
  replay_.enqueue(
      url("txlist", kWallet, 100, 1, 10, "", 200),
      records_answer({txlist_record(1, 149, kWallet, kOther, "1"), txlist_record(2, 150, kWallet, kOther, "1"),
                      txlist_record(3, 160, kWallet, kOther, "1"), txlist_record(4, 161, kWallet, kOther, "1")}));
  replay_.enqueue(
      url("tokentx", kWallet, 100, 1, 10, "", 200),
      records_answer({token_record(5, 150, kWallet, kOther, "1"), token_record(6, 201, kWallet, kOther, "1")}));
  auto etherscan = source(10, window);
  const AccountPage page = etherscan.fetch_page(kWallet, std::nullopt);
  ASSERT_EQ(page.transactions.size(), 2u);
  EXPECT_EQ(page.transactions[0].hash, hash_n(2));
  EXPECT_EQ(page.transactions[1].hash, hash_n(3));
  EXPECT_EQ(page.next_cursor, "txlistinternal:100:1");  // the next phase starts at from_block again
  // A record beyond endblock is refused rather than stored.
  EXPECT_THAT([&] { etherscan.fetch_page(kWallet, "tokentx:100:1"); },
              ThrowsError(ErrorKind::InvalidArgument, HasSubstr("outside blocks 100 ... 200")));
}

TEST_F(EtherscanSourceTest, FailedTransactionIsKeptAndInternalRecordsWithoutValueAreNot) {
  auto reverted = txlist_record(1, 5, kWallet, kOther, "5000000000000000000");
  reverted["isError"] = "1";
  replay_.enqueue(url("txlist", kWallet, 0, 1, 10), records_answer({reverted}));
  auto failed_call = internal_record(2, 6, kOther, kWallet, "10");
  failed_call["isError"] = "1";
  replay_.enqueue(url("txlistinternal", kWallet, 0, 1, 10),
                  records_answer({failed_call, internal_record(3, 7, kOther, kWallet, "0"),
                                  internal_record(4, 8, kOther, kWallet, "10")}));
  auto etherscan = source(10);
  const AccountPage first = etherscan.fetch_page(kWallet, std::nullopt);
  ASSERT_EQ(first.transactions.size(), 1u);
  EXPECT_TRUE(first.transactions[0].failed);
  EXPECT_TRUE(first.transactions[0].transfers.empty());
  const AccountPage internal = etherscan.fetch_page(kWallet, first.next_cursor);
  ASSERT_EQ(internal.transactions.size(), 1u);
  EXPECT_EQ(internal.transactions[0].hash, hash_n(4));
  EXPECT_EQ(internal.next_cursor, "tokentx:0:1");
}

TEST(EtherscanSourceOptions, BadOptionsAreUsageErrors) {
  ReplayTransport replay;
  PoliteClient client(
      "etherscan", [&] { return replay.make_handle(); }, PolitenessOptions{});
  const auto make = [&](auto change) {
    EtherscanOptions options;
    change(options);
    EtherscanSource source(client, options);
  };
  EXPECT_THAT([&] { make([](EtherscanOptions& o) { o.endpoint = "ftp://api.etherscan.io/v2/api"; }); },
              ThrowsError(ErrorKind::Usage, HasSubstr("http(s)")));
  EXPECT_THAT([&] { make([](EtherscanOptions& o) { o.endpoint = "api.etherscan.io?apikey=S3CRET"; }); },
              ThrowsError(ErrorKind::Usage, Not(HasSubstr("S3CRET"))));
  EXPECT_THAT([&] { make([](EtherscanOptions& o) { o.page_size = 0; }); }, ThrowsError(ErrorKind::Usage));
  EXPECT_THAT([&] { make([](EtherscanOptions& o) { o.page_size = 10001; }); }, ThrowsError(ErrorKind::Usage));
  EXPECT_THAT([&] { make([](EtherscanOptions& o) { o.chain_id = 0; }); }, ThrowsError(ErrorKind::Usage));
  EXPECT_THAT([&] { make([](EtherscanOptions& o) { o.window.from_block = 10, o.window.to_block = 9; }); },
              ThrowsError(ErrorKind::Usage));
  EtherscanOptions bsc;
  bsc.chain_id = 56;
  EXPECT_EQ(EtherscanSource(client, bsc).network(), 56u);
}

}  // namespace
}  // namespace fundtrail::ingest
