// `fundtrail ingest --chain tron --provider trongrid` end to end: the real binary against
// tests/ingest/fake_trongrid_server.py (a TronGrid-v1-shaped server on 127.0.0.1, ephemeral port, serving a
// synthetic multi-hop scenario described in its docstring, with fingerprint paging forced by a small page cap
// and fault injection). Nothing but 127.0.0.1 is contacted.
//
// What a crawl must store is computed from the server's /__scenario (account_crawl_support.hpp), independently
// of the crawler: a breadth-first search over counterparties (both directions; zero-value and self-transfers
// are not followed); every wallet at hop < --hops has its whole history fetched, and a history holds every
// confirmed transfer the wallet sent or received (TRX payments, TRX sent into contract calls, internal TRX,
// USDT). Stored transfers are read back through the CLI only: per wallet `trace W --direction out --hops 1
// --no-time-order --format json` (together: every stored transfer exactly once), the seed's forward trace, and
// `address W --format json` (counts and exact totals per asset).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/account_crawl_support.hpp"
#include "cli/cli_runner.hpp"

namespace fundtrail::cli {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kApiKey = "tron-S3CRET-key-0042";
constexpr int kHops = 2;
constexpr unsigned kDecimals = 6;    // TRX (sun) and USDT alike
constexpr std::size_t kPageCap = 3;  // the server's default page cap

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---------------------------------------------------------------------------------------------------------

class TronGridCliTest : public AccountCrawlTest {
 protected:
  TronGridCliTest()
      : AccountCrawlTest("fundtrail-trongrid-cli", {"fake_trongrid_server.py", "TronGrid", "TRONGRID_API_KEY",
                                                    "ingested tron via trongrid", "S", kDecimals}) {}

  // fundtrail --db DB ingest --chain tron --provider trongrid --endpoint <server> --hops 2 --rate 200
  // --concurrency 1 [extra] SEED (one request at a time, so fault positions are deterministic);
  // TRONGRID_API_KEY = `key` (removed when nullopt).
  CliResult ingest(const std::string& db, const std::optional<std::string>& key = std::nullopt,
                   const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--db",
                                  db,
                                  "ingest",
                                  "--chain",
                                  "tron",
                                  "--provider",
                                  "trongrid",
                                  "--endpoint",
                                  server_->endpoint(),
                                  "--hops",
                                  std::to_string(kHops),
                                  "--rate",
                                  "200",
                                  "--concurrency",
                                  "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(seed());
    return run_ingest(args, key);
  }

  void expect_store_holds(const std::string& db, const std::vector<Transfer>& expected) {
    EXPECT_PRED_FORMAT2(same_edges, keys(expected), stored_edges(db));
    expect_forward_trace(db, expected);
  }
};

TEST_F(TronGridCliTest, IngestStoresExactlyTheExpectedTransfersAndARerunAddsNothing) {
  const std::vector<Transfer> expected = scenario_.stored(seed(), kHops);
  const std::set<std::string> fetched = scenario_.fetched(seed(), kHops);
  // The scenario as its docstring tells it: S, its payers V1 V2, mules A B, exchange HUB, contract K.
  ASSERT_EQ(fetched.size(), 7u);
  ASSERT_TRUE(fetched.count(scenario_.wallet("HUB")) && fetched.count(scenario_.wallet("K")));
  ASSERT_FALSE(fetched.count(scenario_.wallet("P")));  // zero-value poisoning is stored, not followed
  ASSERT_EQ(expected.size(), 35u);                     // all 36 confirmed transfers but C -> D (C is at hop 2)

  std::optional<Summary> summary;
  ASSERT_NO_FATAL_FAILURE(read_summary(ingest(db_), summary));
  EXPECT_EQ(summary->addresses, static_cast<long>(fetched.size()));
  EXPECT_EQ(summary->new_transfers, static_cast<long>(expected.size()));
  EXPECT_EQ(summary->retries, 0);
  const json stats = server_stats();
  EXPECT_EQ(summary->requests, stats.at("total").get<long>());
  EXPECT_EQ(stats.at("only_confirmed"), stats.at("total"));  // every request asked for confirmed records only
  EXPECT_EQ(stats.at("bad_requests"), 0);                    // no parameter changed along a fingerprint chain
  // Paging happened: the hub's 26 transfers cannot fit in pages of 3.
  const std::string hub_tokens = "/v1/accounts/" + scenario_.wallet("HUB") + "/transactions/trc20";
  EXPECT_GT(stats.at("paths").at(hub_tokens).get<int>(), 3);
  expect_store_holds(db_, expected);
  // The crawl brought the label index up to date: a trace labels its answer from it, not from the store.
  EXPECT_TRUE(std::filesystem::exists(db_ + ".labels"));
  const CliResult traced = ft(db_, {"--verbose", "trace", seed(), "--chain", "tron", "--hops", "2"});
  ASSERT_EQ(traced.exit_code, 0) << traced.describe();
  EXPECT_THAT(traced.err, Not(HasSubstr("labels come from the store")));

  // Nothing unconfirmed, the poisoning transfer and the contract's internal payment are there.
  for (const Transfer& t : scenario_.unconfirmed) EXPECT_FALSE(keys(expected).count(t.key()));
  bool internal = false;
  bool zero = false;
  for (const Transfer& t : expected) {
    internal = internal || t.kind == "internal";
    zero = zero || t.amount == "0";
  }
  EXPECT_TRUE(internal && zero);

  // Per fetched wallet: transfer counts and exact totals per asset.
  for (const std::string& wallet : fetched) ASSERT_NO_FATAL_FAILURE(expect_address_shows(db_, wallet, expected));

  // The failed transaction is kept as evidence.
  expect_failed_kept_as_evidence(db_);

  std::optional<Summary> second;
  ASSERT_NO_FATAL_FAILURE(read_summary(ingest(db_), second));
  EXPECT_EQ(second->new_transfers, 0);
  EXPECT_EQ(second->transactions, 0);
  expect_store_holds(db_, expected);
}

TEST_F(TronGridCliTest, ApiKeyFromTheEnvironmentIsSentAsHeaderAndStoredNowhere) {
  start_server({"--require-key", kApiKey});
  const CliResult keyed = ingest(db_, kApiKey);
  ASSERT_EQ(keyed.exit_code, 0) << keyed.describe();
  const json stats = server_stats();
  EXPECT_EQ(stats.at("keyed"), stats.at("total"));
  EXPECT_EQ(stats.at("faults"), 0);
  EXPECT_THAT(keyed.out + keyed.err, Not(HasSubstr(kApiKey)));
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_THAT(file_bytes(entry.path()), Not(HasSubstr(kApiKey))) << entry.path();
  }
  expect_store_holds(db_, scenario_.stored(seed(), kHops));
}

TEST_F(TronGridCliTest, KeylessRequestsToAKeyedServerFailAfterRetries) {
  start_server({"--require-key", kApiKey});
  const CliResult keyless = ingest(db_);
  EXPECT_EQ(keyless.exit_code, 1) << keyless.describe();
  EXPECT_THAT(keyless.err, AllOf(HasSubstr(server_->endpoint() + "/v1/accounts/" + seed()), HasSubstr("403")));
  EXPECT_GT(server_stats().at("faults").get<int>(), 1);  // 403 is retried for TronGrid
}

TEST_F(TronGridCliTest, SuspensionAnswersAreRetried) {
  start_server({"--fail-first", "3", "--fail-status", "mixed"});  // 429, 403, 429
  std::optional<Summary> summary;
  ASSERT_NO_FATAL_FAILURE(read_summary(ingest(db_), summary));
  EXPECT_EQ(summary->retries, 3);
  EXPECT_EQ(server_stats().at("faults"), 3);
  const std::vector<Transfer> expected = scenario_.stored(seed(), kHops);
  EXPECT_EQ(summary->new_transfers, static_cast<long>(expected.size()));
  expect_store_holds(db_, expected);
}

TEST_F(TronGridCliTest, MalformedPageStopsNamingTheUrlWritesNothingOfItAndARerunResumes) {
  ASSERT_EQ(ingest(dir_.file("clean.db")).exit_code, 0);
  const long clean_requests = server_stats().at("total");
  const std::vector<Transfer> expected = scenario_.stored(seed(), kHops);
  // The hub's first USDT page: its customers' deposits, which no other fetched wallet's history holds.
  const std::string& hub = scenario_.wallet("HUB");
  const std::string hub_tokens = "/v1/accounts/" + hub + "/transactions/trc20";
  std::vector<Transfer> hub_usdt;
  for (const Transfer& t : expected) {
    if (!t.contract.empty() && (t.from == hub || t.to == hub)) hub_usdt.push_back(t);
  }
  std::sort(hub_usdt.begin(), hub_usdt.end(),
            [](const Transfer& a, const Transfer& b) { return a.timestamp < b.timestamp; });
  ASSERT_GT(hub_usdt.size(), kPageCap);
  hub_usdt.resize(kPageCap);

  for (const std::string fault : {"--html-once", "--truncate-once"}) {
    SCOPED_TRACE(fault);
    start_server({fault, hub_tokens});
    const std::string db = dir_.file("resume" + fault + ".db");
    const CliResult failed = ingest(db);
    EXPECT_EQ(failed.exit_code, 1) << failed.describe();
    EXPECT_THAT(failed.err,
                AllOf(HasSubstr(server_->endpoint() + hub_tokens + "?only_confirmed=true"), HasSubstr("not JSON")));
    const long failed_requests = server_stats().at("total");
    EXPECT_LT(failed_requests, clean_requests);

    // What is stored is expected, and none of the bad page's transfers is.
    const std::multiset<std::string> partial = stored_edges(db);
    for (const std::string& edge : partial) EXPECT_TRUE(keys(expected).count(edge)) << "unexpected: " << edge;
    for (const Transfer& t : hub_usdt) EXPECT_FALSE(partial.count(t.key())) << "half-written: " << t.key();

    std::optional<Summary> summary;
    ASSERT_NO_FATAL_FAILURE(read_summary(ingest(db), summary));
    // Everything committed before the bad page stays: only the bad page and what follows are asked again.
    EXPECT_EQ(summary->requests, clean_requests - (failed_requests - 1));
    EXPECT_EQ(summary->new_transfers, static_cast<long>(expected.size() - partial.size()));
    expect_store_holds(db, expected);
  }
}

TEST_F(TronGridCliTest, TimeWindowNarrowsTheQueriesAndTheStore) {
  // From the S -> A TRX payment to the A -> C USDT payment, both included.
  std::int64_t since = 0, until = 0;
  for (const Transfer& t : scenario_.transfers) {
    if (t.from == seed() && t.to == scenario_.wallet("A") && t.contract.empty()) since = t.timestamp;
    if (t.from == scenario_.wallet("A") && t.to == scenario_.wallet("C")) until = t.timestamp;
  }
  ASSERT_TRUE(since > 0 && until > since);
  const Window window{since, until};
  const std::vector<Transfer> expected = scenario_.stored(seed(), kHops, window);
  ASSERT_LT(expected.size(), scenario_.stored(seed(), kHops).size());

  std::optional<Summary> summary;
  ASSERT_NO_FATAL_FAILURE(read_summary(
      ingest(db_, std::nullopt, {"--since", std::to_string(since), "--until", std::to_string(until)}), summary));
  EXPECT_EQ(summary->new_transfers, static_cast<long>(expected.size()));
  // The adapter asked the server for the window (ms, until inclusive), not only filtered afterwards.
  EXPECT_EQ(server_stats().at("windows"),
            json::array({json::array({std::to_string(since * 1000), std::to_string(until * 1000 + 999)})}));
  EXPECT_PRED_FORMAT2(same_edges, keys(expected), stored_edges(db_));
}

}  // namespace
}  // namespace fundtrail::cli
