// `fundtrail ingest --chain eth --provider etherscan` end to end: the real binary against
// tests/ingest/fake_etherscan_server.py (an Etherscan-V2-shaped server on 127.0.0.1, ephemeral port, serving
// a synthetic multi-hop scenario described in its docstring, with fault injection). Nothing but 127.0.0.1 is
// contacted.
//
// What a crawl must store is computed from the server's /__scenario (account_crawl_support.hpp), independently
// of the crawler: a breadth-first search over counterparties (both directions, non-zero transfers,
// self-transfers ignored); every wallet at hop < --hops has its whole history fetched, and a history holds
// every transfer the wallet sent or received. Stored transfers are read back through the CLI only: `trace
// --format json` (compared with the forward trace of docs/trace-semantics.md computed over the expected
// transfers) and `address --format json` (counts and totals per asset).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
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

const std::string kApiKey = "S3CRET-etherscan-key-42";
constexpr int kHops = 2;

bool has_control_bytes(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\n') || byte == 0x7f) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------

class EtherscanCliTest : public AccountCrawlTest {
 protected:
  EtherscanCliTest()
      : AccountCrawlTest("fundtrail-etherscan-cli", {"fake_etherscan_server.py", "Etherscan", "ETHERSCAN_API_KEY",
                                                     "ingested eth via etherscan", "seed", 18}) {}

  // fundtrail --db DB ingest --chain eth --provider etherscan --endpoint <server>/v2/api --evm-chain-id 1
  // --hops 2 --rate 200 --concurrency 1 SEED (one request at a time, so fault positions are deterministic);
  // ETHERSCAN_API_KEY = `key` (removed when nullopt).
  CliResult ingest(const std::string& db, const std::optional<std::string>& key = std::nullopt) {
    return run_ingest({"--db", db, "ingest", "--chain", "eth", "--provider", "etherscan", "--endpoint",
                       server_->endpoint() + "/v2/api", "--evm-chain-id", "1", "--hops", std::to_string(kHops),
                       "--rate", "200", "--concurrency", "1", seed()},
                      key);
  }

  // The store holds exactly the expected transfers, as far as the forward trace shows them.
  void expect_trace_matches(const std::string& db) { expect_forward_trace(db, scenario_.stored(seed(), kHops)); }
};

TEST_F(EtherscanCliTest, IngestStoresExactlyTheExpectedTransfersAndARerunAddsNothing) {
  const std::vector<Transfer> expected = scenario_.stored(seed(), kHops);
  ASSERT_GT(expected.size(), 1600u) << "the scenario changed: alice's 1,600 payouts expected";

  std::optional<Summary> summary;
  ASSERT_NO_FATAL_FAILURE(read_summary(ingest(db_), summary));
  EXPECT_EQ(summary->addresses, static_cast<long>(scenario_.fetched(seed(), kHops).size()));
  EXPECT_EQ(summary->new_transfers, static_cast<long>(expected.size()));
  EXPECT_EQ(summary->retries, 0);
  EXPECT_EQ(summary->requests, server_stats().at("total").get<long>());
  expect_trace_matches(db_);

  // Per wallet: transfer counts and exact totals per asset, for every wallet whose history was fetched.
  for (const std::string& wallet : scenario_.fetched(seed(), kHops)) {
    ASSERT_NO_FATAL_FAILURE(expect_address_shows(db_, wallet, expected));
  }

  // The reverted transaction is kept as evidence.
  expect_failed_kept_as_evidence(db_);

  std::optional<Summary> second;
  ASSERT_NO_FATAL_FAILURE(read_summary(ingest(db_), second));
  EXPECT_EQ(second->new_transfers, 0);
  EXPECT_EQ(second->transactions, 0);
  expect_trace_matches(db_);
}

TEST_F(EtherscanCliTest, ApiKeyFromTheEnvironmentReachesTheServerAndNoOutput) {
  start_server({"--require-key", kApiKey});
  const CliResult keyed = ingest(db_, kApiKey);
  ASSERT_EQ(keyed.exit_code, 0) << keyed.describe();
  EXPECT_EQ(server_stats().at("apikeys"), json::array({kApiKey}));
  EXPECT_THAT(keyed.out + keyed.err, Not(HasSubstr(kApiKey)));
  expect_trace_matches(db_);

  const CliResult keyless = ingest(dir_.file("keyless.db"));
  EXPECT_EQ(keyless.exit_code, 1) << keyless.describe();
  EXPECT_THAT(keyless.err, HasSubstr("Invalid API Key"));
}

TEST_F(EtherscanCliTest, RateLimitAnswersAreRetried) {
  start_server({"--rate-limit-first", "3"});
  std::optional<Summary> summary;
  ASSERT_NO_FATAL_FAILURE(read_summary(ingest(db_), summary));
  EXPECT_EQ(summary->retries, 3);
  EXPECT_EQ(server_stats().at("rate_limited"), 3);
  EXPECT_EQ(summary->new_transfers, static_cast<long>(scenario_.stored(seed(), kHops).size()));
  expect_trace_matches(db_);
}

TEST_F(EtherscanCliTest, MalformedPageStopsNamingTheRedactedUrlAndARerunResumes) {
  // A clean crawl's request count, to show that the rerun resumes instead of starting over.
  ASSERT_EQ(ingest(dir_.file("clean.db")).exit_code, 0);
  const long clean_requests = server_stats().at("total");
  constexpr int kFaultyRequest = 8;

  for (const std::string fault : {"--html-once", "--truncate-once"}) {
    SCOPED_TRACE(fault);
    start_server({"--require-key", kApiKey, fault, std::to_string(kFaultyRequest)});
    const std::string db = dir_.file("resume" + fault + ".db");
    const CliResult failed = ingest(db, kApiKey);
    EXPECT_EQ(failed.exit_code, 1) << failed.describe();
    EXPECT_THAT(failed.err, AllOf(HasSubstr(server_->endpoint() + "/v2/api?module=account"),
                                  HasSubstr("apikey=REDACTED"), HasSubstr("not JSON")));
    EXPECT_THAT(failed.out + failed.err, Not(HasSubstr(kApiKey)));
    EXPECT_EQ(server_stats().at("total"), kFaultyRequest);

    std::optional<Summary> summary;
    ASSERT_NO_FATAL_FAILURE(read_summary(ingest(db, kApiKey), summary));
    // Everything committed before the bad page stays: only the rest is asked again.
    EXPECT_EQ(summary->requests, clean_requests - (kFaultyRequest - 1));
    expect_trace_matches(db);
  }
}

TEST_F(EtherscanCliTest, HostileTokenSymbolIsEscapedInTablesAndExactInJson) {
  ASSERT_EQ(ingest(db_).exit_code, 0);
  const Transfer* hostile = nullptr;
  for (const Transfer& t : scenario_.transfers) {
    if (t.contract == scenario_.wallet("hostile_token")) hostile = &t;
  }
  ASSERT_NE(hostile, nullptr);
  ASSERT_TRUE(has_control_bytes(hostile->symbol)) << "the scenario's hostile symbol lost its control characters";

  const CliResult table = ft(db_, {"trace", seed(), "--direction", "out", "--hops", "2"});
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_THAT(table.out, HasSubstr("<img src=x onerror=alert(1)>\\x1b"));  // the escape shown, not sent
  EXPECT_FALSE(has_control_bytes(table.out)) << table.out;

  bool found = false;
  const json trace = trace_json(db_);
  for (const json& edge : trace.at("edges")) {
    if (edge.at("contract") == hostile->contract) {
      found = true;
      EXPECT_EQ(edge.at("asset").get<std::string>(), hostile->symbol);
      EXPECT_EQ(edge.at("amount"), "7");
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace fundtrail::cli
