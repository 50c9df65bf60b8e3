// `fundtrail ingest --chain eth --provider etherscan` end to end: the real binary against
// tests/ingest/fake_etherscan_server.py (an Etherscan-V2-shaped server on 127.0.0.1, ephemeral port, serving
// a synthetic multi-hop scenario described in its docstring, with fault injection). Nothing but 127.0.0.1 is
// contacted.
//
// What a crawl must store is computed here from the server's /__scenario, independently of the crawler: a
// breadth-first search over counterparties (both directions, non-zero transfers, self-transfers ignored);
// every wallet at hop < --hops has its whole history fetched, and a history holds every transfer the wallet
// sent or received. Stored transfers are read back through the CLI only: `trace --format json` (compared
// with the forward trace of docs/trace-semantics.md computed over the expected transfers) and
// `address --format json` (counts and totals per asset).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"
#include "cli/local_server.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::cli {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kServerScript = std::string(FUNDTRAIL_SOURCE_DIR) + "/tests/ingest/fake_etherscan_server.py";
const std::string kApiKey = "S3CRET-etherscan-key-42";
constexpr int kHops = 2;

// ---------------------------------------------------------------------------------------------------------
// Exact decimal arithmetic on base-unit digit strings (amounts exceed 64 bits; never floating point).

std::string add_decimal(const std::string& a, const std::string& b) {
  std::string sum;
  int carry = 0;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    const int digit_a = i < a.size() ? a[a.size() - 1 - i] - '0' : 0;
    const int digit_b = i < b.size() ? b[b.size() - 1 - i] - '0' : 0;
    const int digit = carry + digit_a + digit_b;
    sum.insert(sum.begin(), static_cast<char>('0' + digit % 10));
    carry = digit / 10;
  }
  const auto first = sum.find_first_not_of('0');
  return first == std::string::npos ? "0" : sum.substr(first);
}

// Base units -> display units as fundtrail prints them: "1.5", "0.000001", "25000" (no trailing zeros).
std::string display(const std::string& base_units, unsigned decimals) {
  std::string digits = base_units;
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - decimals);
  std::string fraction = digits.substr(digits.size() - decimals);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : whole + "." + fraction;
}

// ---------------------------------------------------------------------------------------------------------
// The scenario and what a crawl of it must store

struct Transfer {
  std::string tx_hash, kind, from, to, contract, symbol;
  unsigned decimals = 18;
  std::string amount = "0";  // base units, canonical decimal digits
  std::int64_t timestamp = 0;

  // How trace JSON edges are compared: everything but the store's transfer index.
  std::string key() const {
    return tx_hash + " " + from + "->" + to + " " + display(amount, decimals) + " " +
           (contract.empty() ? std::string("native") : contract);
  }
};

struct Scenario {
  std::map<std::string, std::string> wallets;
  std::vector<Transfer> transfers;
  std::vector<std::string> failed;

  static Scenario from_json(const json& document) {
    Scenario scenario;
    for (const auto& [name, address] : document.at("wallets").items()) scenario.wallets[name] = address;
    for (const json& item : document.at("transfers")) {
      Transfer transfer;
      transfer.tx_hash = item.at("tx_hash");
      transfer.kind = item.at("kind");
      transfer.from = item.at("from");
      transfer.to = item.at("to");
      transfer.contract = item.at("contract");
      transfer.symbol = item.at("symbol");
      transfer.decimals = item.at("decimals");
      transfer.amount = item.at("amount").get<std::string>();
      transfer.timestamp = item.at("timestamp");
      scenario.transfers.push_back(transfer);
    }
    scenario.failed = document.at("failed").get<std::vector<std::string>>();
    return scenario;
  }

  const std::string& wallet(const std::string& name) const { return wallets.at(name); }

  // Wallets whose history a crawl from `seed` with `hops` fetches (direction both).
  std::set<std::string> fetched(const std::string& seed, int hops) const {
    std::set<std::string> done{seed};
    std::set<std::string> frontier{seed};
    for (int hop = 1; hop < hops; ++hop) {
      std::set<std::string> next;
      for (const Transfer& t : transfers) {
        if (t.amount == "0" || t.from == t.to) continue;  // poisoning and self-transfers are not followed
        if (frontier.count(t.from) && !done.count(t.to)) next.insert(t.to);
        if (frontier.count(t.to) && !done.count(t.from)) next.insert(t.from);
      }
      done.insert(next.begin(), next.end());
      frontier = next;
    }
    return done;
  }

  std::vector<Transfer> stored(const std::string& seed, int hops) const {
    const auto wallets_fetched = fetched(seed, hops);
    std::vector<Transfer> result;
    for (const Transfer& t : transfers) {
      if (wallets_fetched.count(t.from) || wallets_fetched.count(t.to)) result.push_back(t);
    }
    return result;
  }
};

// The edges of `trace SEED --direction out --hops N` over `transfers` (docs/trace-semantics.md, no filters,
// time order): arr_0(seed) = -inf; arr_k(v) = min(arr_{k-1}(v), min{t : u -> v at t, t >= arr_{k-1}(u)});
// edges: u -> v at t with t >= arr_{N-1}(u).
std::multiset<std::string> forward_trace(const std::vector<Transfer>& transfers, const std::string& seed, int hops) {
  constexpr std::int64_t kMinusInfinity = std::numeric_limits<std::int64_t>::min();
  std::map<std::string, std::int64_t> arrival{{seed, kMinusInfinity}};
  for (int k = 1; k < hops; ++k) {
    auto next = arrival;
    for (const Transfer& t : transfers) {
      const auto from = arrival.find(t.from);
      if (from == arrival.end() || t.timestamp < from->second) continue;
      const auto to = next.find(t.to);
      if (to == next.end() || t.timestamp < to->second) next[t.to] = t.timestamp;
    }
    arrival = next;
  }
  std::multiset<std::string> edges;
  for (const Transfer& t : transfers) {
    const auto from = arrival.find(t.from);
    if (from != arrival.end() && t.timestamp >= from->second) edges.insert(t.key());
  }
  return edges;
}

std::multiset<std::string> edges_of(const json& trace) {
  std::multiset<std::string> edges;
  for (const json& edge : trace.at("edges")) {
    edges.insert(edge.at("tx_hash").get<std::string>() + " " + edge.at("from").get<std::string>() + "->" +
                 edge.at("to").get<std::string>() + " " + edge.at("amount").get<std::string>() + " " +
                 (edge.at("contract").is_null() ? std::string("native") : edge.at("contract").get<std::string>()));
  }
  return edges;
}

// EXPECT_PRED_FORMAT2(same_edges, expected, actual): prints only the difference.
::testing::AssertionResult same_edges(const char* expected_text, const char* actual_text,
                                      const std::multiset<std::string>& expected,
                                      const std::multiset<std::string>& actual) {
  if (expected == actual) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  failure << actual_text << " (" << actual.size() << ") differs from " << expected_text << " (" << expected.size()
          << ")";
  int shown = 0;
  for (const auto& item : expected) {
    if (expected.count(item) != actual.count(item) && shown++ < 20) failure << "\n  missing: " << item;
  }
  for (const auto& item : actual) {
    if (expected.count(item) != actual.count(item) && shown++ < 40) failure << "\n  unexpected: " << item;
  }
  return failure;
}

struct Summary {
  long addresses = 0, transactions = 0, new_transfers = 0, requests = 0, retries = 0;
};

// "ingested eth via etherscan: N addresses, N transactions, N new transfers, N requests, N retries, ..."
std::optional<Summary> parse_summary(const std::string& out) {
  static const std::regex line(R"(ingested eth via etherscan: (\d+) addresses, (\d+) transactions, )"
                               R"((\d+) new transfers, (\d+) requests, (\d+) retries)");
  std::smatch match;
  if (!std::regex_search(out, match, line)) return std::nullopt;
  return Summary{std::stol(match[1]), std::stol(match[2]), std::stol(match[3]), std::stol(match[4]),
                 std::stol(match[5])};
}

bool has_control_bytes(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\n') || byte == 0x7f) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------

class EtherscanCliTest : public ::testing::Test {
 protected:
  EtherscanCliTest() : dir_("fundtrail-etherscan-cli"), db_(dir_.file("case.db")) {}

  void SetUp() override {
    if (find_in_path("python3").empty()) GTEST_SKIP() << "python3 not found: the fake Etherscan cannot run";
    start_server({});
    scenario_ = Scenario::from_json(json::parse(server_->request("GET", "/__scenario")));
  }

  void start_server(const std::vector<std::string>& args) {
    server_.reset();  // kills the previous one
    server_ = LocalServer::python(kServerScript, args);
  }
  json server_stats() const { return json::parse(server_->request("GET", "/__stats")); }

  const std::string& seed() const { return scenario_.wallet("seed"); }

  // fundtrail --db DB ingest --chain eth --provider etherscan --endpoint <server>/v2/api --evm-chain-id 1
  // --hops 2 --rate 200 --concurrency 1 SEED (one request at a time, so fault positions are deterministic);
  // ETHERSCAN_API_KEY = `key` (removed when nullopt).
  CliResult ingest(const std::string& db, const std::optional<std::string>& key = std::nullopt) {
    CliOptions options;
    options.timeout = 120'000ms;
    if (key) {
      options.set_env.push_back("ETHERSCAN_API_KEY=" + *key);
    } else {
      options.unset_env.push_back("ETHERSCAN_API_KEY");
    }
    return run_fundtrail({"--db", db, "ingest", "--chain", "eth", "--provider", "etherscan", "--endpoint",
                          server_->endpoint() + "/v2/api", "--evm-chain-id", "1", "--hops", std::to_string(kHops),
                          "--rate", "200", "--concurrency", "1", seed()},
                         options);
  }

  CliResult ft(const std::string& db, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    return run_fundtrail(args);
  }

  json trace_json(const std::string& db) {
    const CliResult result = ft(db, {"trace", seed(), "--direction", "out", "--hops", "3", "--format", "json"});
    if (result.exit_code != 0) throw std::runtime_error("trace failed: " + result.describe());
    return json::parse(result.out);
  }

  // The store holds exactly the expected transfers, as far as the forward trace shows them.
  void expect_trace_matches(const std::string& db) {
    const auto expected = forward_trace(scenario_.stored(seed(), kHops), seed(), 3);
    EXPECT_PRED_FORMAT2(same_edges, expected, edges_of(trace_json(db)));
  }

  test::TempDir dir_;
  std::string db_;
  std::unique_ptr<LocalServer> server_;
  Scenario scenario_;
};

TEST_F(EtherscanCliTest, IngestStoresExactlyTheExpectedTransfersAndARerunAddsNothing) {
  const std::vector<Transfer> expected = scenario_.stored(seed(), kHops);
  ASSERT_GT(expected.size(), 1600u) << "the scenario changed: alice's 1,600 payouts expected";

  const CliResult result = ingest(db_);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto summary = parse_summary(result.out);
  ASSERT_TRUE(summary) << result.out;
  EXPECT_EQ(summary->addresses, static_cast<long>(scenario_.fetched(seed(), kHops).size()));
  EXPECT_EQ(summary->new_transfers, static_cast<long>(expected.size()));
  EXPECT_EQ(summary->retries, 0);
  EXPECT_EQ(summary->requests, server_stats().at("total").get<long>());
  expect_trace_matches(db_);

  // Per wallet: transfer counts and exact totals per asset, for every wallet whose history was fetched.
  for (const std::string& wallet : scenario_.fetched(seed(), kHops)) {
    std::uint64_t in = 0, out = 0;
    std::map<std::string, std::pair<std::string, std::string>> totals;  // contract ("" = ether) -> received, sent
    std::map<std::string, unsigned> decimals;
    for (const Transfer& t : expected) {
      if (t.to != wallet && t.from != wallet) continue;
      decimals[t.contract] = t.decimals;
      totals.try_emplace(t.contract, "0", "0");
      if (t.to == wallet) {
        ++in;
        totals[t.contract].first = add_decimal(totals[t.contract].first, t.amount);
      }
      if (t.from == wallet) {
        ++out;
        totals[t.contract].second = add_decimal(totals[t.contract].second, t.amount);
      }
    }
    const CliResult shown = ft(db_, {"address", wallet, "--format", "json"});
    ASSERT_EQ(shown.exit_code, 0) << shown.describe();
    const json summary_json = json::parse(shown.out);
    EXPECT_EQ(summary_json.at("transfers").at("in"), in) << wallet;
    EXPECT_EQ(summary_json.at("transfers").at("out"), out) << wallet;
    std::map<std::string, std::pair<std::string, std::string>> shown_totals;
    for (const json& asset : summary_json.at("assets")) {
      const std::string contract = asset.at("contract").is_null() ? "" : asset.at("contract").get<std::string>();
      shown_totals[contract] = {asset.at("received"), asset.at("sent")};
    }
    std::map<std::string, std::pair<std::string, std::string>> expected_totals;
    for (const auto& [contract, sums] : totals) {
      expected_totals[contract] = {display(sums.first, decimals[contract]), display(sums.second, decimals[contract])};
    }
    EXPECT_EQ(shown_totals, expected_totals) << wallet;
  }

  // The reverted transaction is kept as evidence.
  for (const std::string& hash : scenario_.failed) {
    const CliResult evidence = ft(db_, {"evidence", hash});
    EXPECT_EQ(evidence.exit_code, 0) << evidence.describe();
  }

  const CliResult again = ingest(db_);
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  const auto second = parse_summary(again.out);
  ASSERT_TRUE(second) << again.out;
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
  const CliResult result = ingest(db_);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto summary = parse_summary(result.out);
  ASSERT_TRUE(summary) << result.out;
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

    const CliResult resumed = ingest(db, kApiKey);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
    const auto summary = parse_summary(resumed.out);
    ASSERT_TRUE(summary) << resumed.out;
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
