// `fundtrail ingest --chain tron --provider trongrid` end to end: the real binary against
// tests/ingest/fake_trongrid_server.py (a TronGrid-v1-shaped server on 127.0.0.1, ephemeral port, serving a
// synthetic multi-hop scenario described in its docstring, with fingerprint paging forced by a small page cap
// and fault injection). Nothing but 127.0.0.1 is contacted.
//
// What a crawl must store is computed here from the server's /__scenario, independently of the crawler: a
// breadth-first search over counterparties (both directions; zero-value and self-transfers are not followed);
// every wallet at hop < --hops has its whole history fetched, and a history holds every confirmed transfer
// the wallet sent or received (TRX payments, TRX sent into contract calls, internal TRX, USDT). Stored
// transfers are read back through the CLI only: per wallet `trace W --direction out --hops 1 --no-time-order
// --format json` (together: every stored transfer exactly once), the seed's forward trace, and `address W
// --format json` (counts and exact totals per asset).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
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

const std::string kServerScript = std::string(FUNDTRAIL_SOURCE_DIR) + "/tests/ingest/fake_trongrid_server.py";
const std::string kApiKey = "tron-S3CRET-key-0042";
constexpr int kHops = 2;
constexpr unsigned kDecimals = 6;    // TRX (sun) and USDT alike
constexpr std::size_t kPageCap = 3;  // the server's default page cap

// ---------------------------------------------------------------------------------------------------------
// Exact decimal arithmetic (the scenario's sums stay far below 2^128)

__extension__ using Units = unsigned __int128;

Units parse_units(const std::string& digits) {
  Units value = 0;
  for (const char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
  return value;
}

std::string units_text(Units value) {
  if (value == 0) return "0";
  std::string text;
  while (value > 0) {
    text.insert(text.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  return text;
}

// Base units -> display units as fundtrail prints them: "1.5", "0.000001", "25000".
std::string display(Units value) {
  std::string digits = units_text(value);
  if (digits.size() <= kDecimals) digits.insert(0, kDecimals + 1 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - kDecimals);
  std::string fraction = digits.substr(digits.size() - kDecimals);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : whole + "." + fraction;
}

// ---------------------------------------------------------------------------------------------------------
// The scenario and what a crawl of it must store

struct Transfer {
  std::string tx, kind, from, to, contract;
  Units amount = 0;
  std::int64_t timestamp = 0;
  bool confirmed = true;

  // How trace JSON edges are compared: everything but the store's transfer index.
  std::string key() const {
    return tx + " " + from + "->" + to + " " + display(amount) + " " + (contract.empty() ? "TRX" : contract);
  }
};

struct Window {
  std::int64_t since = std::numeric_limits<std::int64_t>::min();
  std::int64_t until = std::numeric_limits<std::int64_t>::max();
  bool contains(std::int64_t t) const { return t >= since && t <= until; }
};

struct Scenario {
  std::map<std::string, std::string> wallets;
  std::string usdt;
  std::vector<Transfer> transfers;  // confirmed ones only: the server leaves the others out (only_confirmed)
  std::vector<Transfer> unconfirmed;
  std::vector<std::string> failed;

  static Scenario from_json(const json& document) {
    Scenario scenario;
    for (const auto& [name, address] : document.at("wallets").items()) scenario.wallets[name] = address;
    scenario.usdt = document.at("usdt");
    for (const json& item : document.at("transfers")) {
      Transfer t;
      t.tx = item.at("tx");
      t.kind = item.at("kind");
      t.from = item.at("from");
      t.to = item.at("to");
      t.contract = item.at("contract");
      t.amount = parse_units(item.at("amount").get<std::string>());
      t.timestamp = item.at("timestamp");
      t.confirmed = item.at("confirmed");
      (t.confirmed ? scenario.transfers : scenario.unconfirmed).push_back(t);
    }
    scenario.failed = document.at("failed").get<std::vector<std::string>>();
    return scenario;
  }

  const std::string& wallet(const std::string& name) const { return wallets.at(name); }

  std::vector<Transfer> in(const Window& window) const {
    std::vector<Transfer> result;
    for (const Transfer& t : transfers) {
      if (window.contains(t.timestamp)) result.push_back(t);
    }
    return result;
  }

  // Wallets whose history a crawl from `seed` with `hops` fetches (direction both).
  std::set<std::string> fetched(const std::string& seed, int hops, const Window& window = {}) const {
    std::set<std::string> done{seed};
    std::set<std::string> frontier{seed};
    for (int hop = 1; hop < hops; ++hop) {
      std::set<std::string> next;
      for (const Transfer& t : in(window)) {
        if (t.amount == 0 || t.from == t.to) continue;  // poisoning and self-transfers are not followed
        if (frontier.count(t.from) && !done.count(t.to)) next.insert(t.to);
        if (frontier.count(t.to) && !done.count(t.from)) next.insert(t.from);
      }
      done.insert(next.begin(), next.end());
      frontier = next;
    }
    return done;
  }

  std::vector<Transfer> stored(const std::string& seed, int hops, const Window& window = {}) const {
    const auto wallets_fetched = fetched(seed, hops, window);
    std::vector<Transfer> result;
    for (const Transfer& t : in(window)) {
      if (wallets_fetched.count(t.from) || wallets_fetched.count(t.to)) result.push_back(t);
    }
    return result;
  }
};

std::multiset<std::string> keys(const std::vector<Transfer>& transfers) {
  std::multiset<std::string> result;
  for (const Transfer& t : transfers) result.insert(t.key());
  return result;
}

// The edges of `trace SEED --direction out --hops N` (docs/trace-semantics.md, time order, no filters):
// arr_0(seed) = -inf; arr_k(v) = min(arr_{k-1}(v), min{t : u -> v at t, t >= arr_{k-1}(u)}); the edges are the
// u -> v at t with t >= arr_{N-1}(u).
std::multiset<std::string> forward_trace(const std::vector<Transfer>& transfers, const std::string& seed, int hops) {
  std::map<std::string, std::int64_t> arrival{{seed, std::numeric_limits<std::int64_t>::min()}};
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
                 (edge.at("contract").is_null() ? std::string("TRX") : edge.at("contract").get<std::string>()));
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
    if (expected.count(item) > actual.count(item) && shown++ < 20) failure << "\n  missing: " << item;
  }
  for (const auto& item : actual) {
    if (expected.count(item) < actual.count(item) && shown++ < 40) failure << "\n  unexpected: " << item;
  }
  return failure;
}

struct Summary {
  long addresses = 0, transactions = 0, new_transfers = 0, requests = 0, retries = 0;
};

// "ingested tron via trongrid: N addresses, N transactions, N new transfers, N requests, N retries, ..."
std::optional<Summary> parse_summary(const std::string& out) {
  static const std::regex line(
      R"(ingested tron via trongrid: (\d+) addresses, (\d+) transactions, (\d+) new transfers, (\d+) requests, (\d+) retries)");
  std::smatch match;
  if (!std::regex_search(out, match, line)) return std::nullopt;
  return Summary{std::stol(match[1]), std::stol(match[2]), std::stol(match[3]), std::stol(match[4]),
                 std::stol(match[5])};
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---------------------------------------------------------------------------------------------------------

class TronGridCliTest : public ::testing::Test {
 protected:
  TronGridCliTest() : dir_("fundtrail-trongrid-cli"), db_(dir_.file("case.db")) {}

  void SetUp() override {
    if (find_in_path("python3").empty()) GTEST_SKIP() << "python3 not found: the fake TronGrid cannot run";
    start_server({});
    scenario_ = Scenario::from_json(json::parse(server_->request("GET", "/__scenario")));
  }

  void start_server(const std::vector<std::string>& args) {
    server_.reset();  // kills the previous one
    server_ = LocalServer::python(kServerScript, args);
  }
  json server_stats() const { return json::parse(server_->request("GET", "/__stats")); }

  const std::string& seed() const { return scenario_.wallet("S"); }

  // fundtrail --db DB ingest --chain tron --provider trongrid --endpoint <server> --hops 2 --rate 200
  // --concurrency 1 [extra] SEED (one request at a time, so fault positions are deterministic);
  // TRONGRID_API_KEY = `key` (removed when nullopt).
  CliResult ingest(const std::string& db, const std::optional<std::string>& key = std::nullopt,
                   const std::vector<std::string>& extra = {}) {
    CliOptions options;
    options.timeout = 120'000ms;
    if (key) {
      options.set_env.push_back("TRONGRID_API_KEY=" + *key);
    } else {
      options.unset_env.push_back("TRONGRID_API_KEY");
    }
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
    return run_fundtrail(args, options);
  }

  CliResult ft(const std::string& db, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    return run_fundtrail(args);
  }

  // Every stored transfer, read back as each scenario wallet's own outgoing edges. A wallet the store does not
  // know (the trace refuses it) has sent nothing stored.
  std::multiset<std::string> stored_edges(const std::string& db) {
    std::multiset<std::string> all;
    for (const auto& [name, address] : scenario_.wallets) {
      const CliResult result =
          ft(db, {"trace", address, "--direction", "out", "--hops", "1", "--no-time-order", "--format", "json"});
      if (result.exit_code != 0) {
        EXPECT_THAT(result.err, HasSubstr("not in the store")) << name << ": " << result.describe();
        continue;
      }
      const auto edges = edges_of(json::parse(result.out));
      all.insert(edges.begin(), edges.end());
    }
    return all;
  }

  void expect_store_holds(const std::string& db, const std::vector<Transfer>& expected) {
    EXPECT_PRED_FORMAT2(same_edges, keys(expected), stored_edges(db));
    const CliResult trace = ft(db, {"trace", seed(), "--direction", "out", "--hops", "3", "--format", "json"});
    ASSERT_EQ(trace.exit_code, 0) << trace.describe();
    EXPECT_PRED_FORMAT2(same_edges, forward_trace(expected, seed(), 3), edges_of(json::parse(trace.out)));
  }

  test::TempDir dir_;
  std::string db_;
  std::unique_ptr<LocalServer> server_;
  Scenario scenario_;
};

TEST_F(TronGridCliTest, IngestStoresExactlyTheExpectedTransfersAndARerunAddsNothing) {
  const std::vector<Transfer> expected = scenario_.stored(seed(), kHops);
  const std::set<std::string> fetched = scenario_.fetched(seed(), kHops);
  // The scenario as its docstring tells it: S, its payers V1 V2, mules A B, exchange HUB, contract K.
  ASSERT_EQ(fetched.size(), 7u);
  ASSERT_TRUE(fetched.count(scenario_.wallet("HUB")) && fetched.count(scenario_.wallet("K")));
  ASSERT_FALSE(fetched.count(scenario_.wallet("P")));  // zero-value poisoning is stored, not followed
  ASSERT_EQ(expected.size(), 35u);                     // all 36 confirmed transfers but C -> D (C is at hop 2)

  const CliResult result = ingest(db_);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto summary = parse_summary(result.out);
  ASSERT_TRUE(summary) << result.out;
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

  // Nothing unconfirmed, the poisoning transfer and the contract's internal payment are there.
  for (const Transfer& t : scenario_.unconfirmed) EXPECT_FALSE(keys(expected).count(t.key()));
  bool internal = false;
  bool zero = false;
  for (const Transfer& t : expected) {
    internal = internal || t.kind == "internal";
    zero = zero || t.amount == 0;
  }
  EXPECT_TRUE(internal && zero);

  // Per fetched wallet: transfer counts and exact totals per asset.
  for (const std::string& wallet : fetched) {
    long in = 0, out = 0;
    std::map<std::string, std::pair<Units, Units>> totals;  // contract ("" = TRX) -> received, sent
    for (const Transfer& t : expected) {
      if (t.to == wallet) {
        ++in;
        totals[t.contract].first += t.amount;
      }
      if (t.from == wallet) {
        ++out;
        totals[t.contract].second += t.amount;
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
    for (const auto& [contract, sums] : totals) expected_totals[contract] = {display(sums.first), display(sums.second)};
    EXPECT_EQ(shown_totals, expected_totals) << wallet;
  }

  // The failed transaction is kept as evidence.
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
  const CliResult result = ingest(db_);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto summary = parse_summary(result.out);
  ASSERT_TRUE(summary) << result.out;
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

    const CliResult resumed = ingest(db);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
    const auto summary = parse_summary(resumed.out);
    ASSERT_TRUE(summary) << resumed.out;
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

  const CliResult result =
      ingest(db_, std::nullopt, {"--since", std::to_string(since), "--until", std::to_string(until)});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto summary = parse_summary(result.out);
  ASSERT_TRUE(summary) << result.out;
  EXPECT_EQ(summary->new_transfers, static_cast<long>(expected.size()));
  // The adapter asked the server for the window (ms, until inclusive), not only filtered afterwards.
  EXPECT_EQ(server_stats().at("windows"),
            json::array({json::array({std::to_string(since * 1000), std::to_string(until * 1000 + 999)})}));
  EXPECT_PRED_FORMAT2(same_edges, keys(expected), stored_edges(db_));
}

}  // namespace
}  // namespace fundtrail::cli
