#pragma once
// Shared by the account-crawl CLI tests (etherscan_cli_test.cpp, trongrid_cli_test.cpp, evm_jsonrpc_cli_test.cpp):
// exact decimal amounts, what a crawl must store (computed from a fake server's /__scenario, independently of
// the crawler: a breadth-first search over counterparties), the forward trace of docs/trace-semantics.md,
// stored transfers read back through `trace` / `address --format json`, and AccountCrawlTest, the fixture that
// runs `fundtrail ingest` against a fake API server (tests/ingest/fake_*_server.py) on 127.0.0.1.
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
#include <utility>
#include <vector>

#include "cli/cli_runner.hpp"
#include "cli/local_server.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::cli {

// ---------------------------------------------------------------------------------------------------------
// Exact decimal arithmetic on base-unit digit strings (amounts exceed 64 bits; never floating point).

inline std::string add_decimal(const std::string& a, const std::string& b) {
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
inline std::string display(const std::string& base_units, unsigned decimals) {
  std::string digits = base_units;
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - decimals);
  std::string fraction = digits.substr(digits.size() - decimals);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? whole : whole + "." + fraction;
}

// Display units -> base units (the inverse of display()): "1.5" with 18 decimals -> "1500000000000000000".
inline std::string to_base_units(const std::string& display, unsigned decimals) {
  const auto point = display.find('.');
  std::string whole = display.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : display.substr(point + 1);
  fraction.resize(decimals, '0');
  std::string digits = whole + fraction;
  const auto first = digits.find_first_not_of('0');
  return first == std::string::npos ? "0" : digits.substr(first);
}

// ---------------------------------------------------------------------------------------------------------
// A fake server's scenario and what a crawl of it must store

struct Transfer {
  std::string tx, kind, from, to, contract, symbol;  // contract "" for the native coin
  unsigned decimals = 18;
  std::string amount = "0";  // base units, canonical decimal digits
  std::int64_t timestamp = 0;
  bool confirmed = true;

  // How trace JSON edges are compared (edges_of): everything but the store's transfer index.
  std::string key() const {
    return tx + " " + from + "->" + to + " " + display(amount, decimals) + " " +
           (contract.empty() ? std::string("native") : contract);
  }
};

struct Window {
  std::int64_t since = std::numeric_limits<std::int64_t>::min();
  std::int64_t until = std::numeric_limits<std::int64_t>::max();
  bool contains(std::int64_t t) const { return t >= since && t <= until; }
};

struct Scenario {
  std::map<std::string, std::string> wallets;
  std::vector<Transfer> transfers;  // confirmed ones only: a server asked for confirmed records leaves the others out
  std::vector<Transfer> unconfirmed;
  std::vector<std::string> failed;

  // /__scenario of fake_etherscan_server.py (transfers with tx_hash, symbol, decimals) or of
  // fake_trongrid_server.py (transfers with tx and confirmed; all of `decimals`).
  static Scenario from_json(const nlohmann::json& document, unsigned decimals) {
    Scenario scenario;
    for (const auto& [name, address] : document.at("wallets").items()) scenario.wallets[name] = address;
    for (const nlohmann::json& item : document.at("transfers")) {
      Transfer t;
      t.tx = item.at(item.contains("tx_hash") ? "tx_hash" : "tx").get<std::string>();
      t.kind = item.at("kind");
      t.from = item.at("from");
      t.to = item.at("to");
      t.contract = item.at("contract");
      t.symbol = item.value("symbol", "");
      t.decimals = item.value("decimals", decimals);
      t.amount = item.at("amount").get<std::string>();
      t.timestamp = item.at("timestamp");
      t.confirmed = item.value("confirmed", true);
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
        if (t.amount == "0" || t.from == t.to) continue;  // poisoning and self-transfers are not followed
        if (frontier.count(t.from) && !done.count(t.to)) next.insert(t.to);
        if (frontier.count(t.to) && !done.count(t.from)) next.insert(t.from);
      }
      done.insert(next.begin(), next.end());
      frontier = next;
    }
    return done;
  }

  // Every transfer a fetched wallet sent or received.
  std::vector<Transfer> stored(const std::string& seed, int hops, const Window& window = {}) const {
    const auto wallets_fetched = fetched(seed, hops, window);
    std::vector<Transfer> result;
    for (const Transfer& t : in(window)) {
      if (wallets_fetched.count(t.from) || wallets_fetched.count(t.to)) result.push_back(t);
    }
    return result;
  }
};

inline std::multiset<std::string> keys(const std::vector<Transfer>& transfers) {
  std::multiset<std::string> result;
  for (const Transfer& t : transfers) result.insert(t.key());
  return result;
}

// The edges of `trace SEED --direction out --hops N` over `transfers` (docs/trace-semantics.md, no filters,
// time order): arr_0(seed) = -inf; arr_k(v) = min(arr_{k-1}(v), min{t : u -> v at t, t >= arr_{k-1}(u)});
// edges: u -> v at t with t >= arr_{N-1}(u).
inline std::multiset<std::string> forward_trace(const std::vector<Transfer>& transfers, const std::string& seed,
                                                int hops) {
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

// An edge of a `trace --format json` report, as Transfer::key() writes it.
inline std::string edge_key(const nlohmann::json& edge) {
  return edge.at("tx_hash").get<std::string>() + " " + edge.at("from").get<std::string>() + "->" +
         edge.at("to").get<std::string>() + " " + edge.at("amount").get<std::string>() + " " +
         (edge.at("contract").is_null() ? std::string("native") : edge.at("contract").get<std::string>());
}

inline std::multiset<std::string> edges_of(const nlohmann::json& trace) {
  std::multiset<std::string> edges;
  for (const nlohmann::json& edge : trace.at("edges")) edges.insert(edge_key(edge));
  return edges;
}

// EXPECT_PRED_FORMAT2(same_edges, expected, actual): prints only the difference.
inline ::testing::AssertionResult same_edges(const char* expected_text, const char* actual_text,
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

// Every edge of `fundtrail --db DB trace ACCOUNT OPTIONS... --format json` for each of `accounts`, handed to
// `on_edge`. An account the store does not know makes the trace fail saying `unknown` (checked) and is skipped.
template <class Accounts, class OnEdge>
void for_each_traced_edge(const std::string& db, const Accounts& accounts, const std::vector<std::string>& options,
                          const std::string& unknown, OnEdge on_edge, CliOptions cli_options = {}) {
  for (const std::string& account : accounts) {
    std::vector<std::string> args{"--db", db, "trace", account};
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(), {"--format", "json"});
    const CliResult trace = run_fundtrail(args, cli_options);
    if (trace.exit_code != 0) {
      EXPECT_THAT(trace.err, ::testing::HasSubstr(unknown))
          << "unexpected failure for " << account << ": " << trace.describe();
      continue;  // an account the store has never seen
    }
    // Named: a range-for over a temporary's member would dangle.
    const nlohmann::json report = nlohmann::json::parse(trace.out);
    for (const nlohmann::json& edge : report.at("edges")) on_edge(edge);
  }
}

struct Summary {
  long addresses = 0, transactions = 0, new_transfers = 0, requests = 0, retries = 0;
};

// "<heading>: N addresses, N transactions, N new transfers, N requests, N retries, ..." with a heading like
// "ingested eth via etherscan".
inline std::optional<Summary> parse_summary(const std::string& out, const std::string& heading) {
  const std::regex line(heading + R"(: (\d+) addresses, (\d+) transactions, (\d+) new transfers, (\d+) requests, )"
                                  R"((\d+) retries)");
  std::smatch match;
  if (!std::regex_search(out, match, line)) return std::nullopt;
  return Summary{std::stol(match[1]), std::stol(match[2]), std::stol(match[3]), std::stol(match[4]),
                 std::stol(match[5])};
}

// ---------------------------------------------------------------------------------------------------------
// The fixture: a fake API server (restartable with other flags), its scenario, a temporary directory.

struct FakeApi {
  std::string script;           // under tests/ingest/
  std::string name;             // for the skip message: "Etherscan"
  std::string key_variable;     // the API key's environment variable
  std::string summary_heading;  // of the ingest summary line: "ingested eth via etherscan"
  std::string seed_wallet;      // the scenario's name of the seed
  unsigned decimals;            // of a scenario transfer that names none
};

class AccountCrawlTest : public ::testing::Test {
 protected:
  AccountCrawlTest(const std::string& dir_name, FakeApi api)
      : dir_(dir_name), db_(dir_.file("case.db")), api_(std::move(api)) {}

  void SetUp() override {
    if (find_in_path("python3").empty()) GTEST_SKIP() << "python3 not found: the fake " << api_.name << " cannot run";
    start_server({});
    scenario_ = Scenario::from_json(nlohmann::json::parse(server_->request("GET", "/__scenario")), api_.decimals);
  }

  void start_server(const std::vector<std::string>& args) {
    server_.reset();  // kills the previous one
    server_ = LocalServer::python(std::string(FUNDTRAIL_SOURCE_DIR) + "/tests/ingest/" + api_.script, args);
  }
  nlohmann::json server_stats() const { return nlohmann::json::parse(server_->request("GET", "/__stats")); }

  const std::string& seed() const { return scenario_.wallet(api_.seed_wallet); }

  // fundtrail ARGS with a 120 s timeout and the API key variable set to `key` (removed when nullopt).
  CliResult run_ingest(const std::vector<std::string>& args, const std::optional<std::string>& key) {
    CliOptions options;
    options.timeout = std::chrono::milliseconds(120'000);
    if (key) {
      options.set_env.push_back(api_.key_variable + "=" + *key);
    } else {
      options.unset_env.push_back(api_.key_variable);
    }
    return run_fundtrail(args, options);
  }

  std::optional<Summary> parse_summary(const std::string& out) const {
    return cli::parse_summary(out, api_.summary_heading);
  }

  // The summary line of `result`, a successful ingest; a fatal failure when it failed or printed none:
  // ASSERT_NO_FATAL_FAILURE(read_summary(ingest(db_), summary)).
  void read_summary(const CliResult& result, std::optional<Summary>& summary) const {
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    summary = parse_summary(result.out);
    ASSERT_TRUE(summary) << result.out;
  }

  CliResult ft(const std::string& db, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    return run_fundtrail(args);
  }

  // The seed's forward trace over 3 hops (throws when `trace` fails).
  nlohmann::json trace_json(const std::string& db) {
    const CliResult result = ft(db, {"trace", seed(), "--direction", "out", "--hops", "3", "--format", "json"});
    if (result.exit_code != 0) throw std::runtime_error("trace failed: " + result.describe());
    return nlohmann::json::parse(result.out);
  }

  // The store holds `expected`, as far as the seed's forward trace over 3 hops shows it.
  void expect_forward_trace(const std::string& db, const std::vector<Transfer>& expected) {
    const CliResult trace = ft(db, {"trace", seed(), "--direction", "out", "--hops", "3", "--format", "json"});
    ASSERT_EQ(trace.exit_code, 0) << trace.describe();
    EXPECT_PRED_FORMAT2(same_edges, forward_trace(expected, seed(), 3), edges_of(nlohmann::json::parse(trace.out)));
  }

  // Every stored transfer, read back as each scenario wallet's own outgoing edges. A wallet the store does not
  // know (the trace refuses it) has sent nothing stored.
  std::multiset<std::string> stored_edges(const std::string& db) {
    std::vector<std::string> addresses;
    for (const auto& [name, address] : scenario_.wallets) addresses.push_back(address);
    std::multiset<std::string> all;
    for_each_traced_edge(db, addresses, {"--direction", "out", "--hops", "1", "--no-time-order"}, "not in the store",
                         [&](const nlohmann::json& edge) { all.insert(edge_key(edge)); });
    return all;
  }

  // Every failed transaction of the scenario is stored as evidence.
  void expect_failed_kept_as_evidence(const std::string& db) {
    for (const std::string& hash : scenario_.failed) {
      const CliResult evidence = ft(db, {"evidence", hash});
      EXPECT_EQ(evidence.exit_code, 0) << evidence.describe();
    }
  }

  // `address WALLET --format json` shows the transfer counts and exact totals per asset of the `stored`
  // transfers touching WALLET. Use under ASSERT_NO_FATAL_FAILURE.
  void expect_address_shows(const std::string& db, const std::string& wallet, const std::vector<Transfer>& stored) {
    long in = 0, out = 0;
    std::map<std::string, std::pair<std::string, std::string>> totals;  // contract ("" = native) -> received, sent
    std::map<std::string, unsigned> decimals;
    for (const Transfer& t : stored) {
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
    const CliResult shown = ft(db, {"address", wallet, "--format", "json"});
    ASSERT_EQ(shown.exit_code, 0) << shown.describe();
    const nlohmann::json summary_json = nlohmann::json::parse(shown.out);
    EXPECT_EQ(summary_json.at("transfers").at("in"), in) << wallet;
    EXPECT_EQ(summary_json.at("transfers").at("out"), out) << wallet;
    std::map<std::string, std::pair<std::string, std::string>> shown_totals;
    for (const nlohmann::json& asset : summary_json.at("assets")) {
      const std::string contract = asset.at("contract").is_null() ? "" : asset.at("contract").get<std::string>();
      shown_totals[contract] = {asset.at("received"), asset.at("sent")};
    }
    std::map<std::string, std::pair<std::string, std::string>> expected_totals;
    for (const auto& [contract, sums] : totals) {
      expected_totals[contract] = {display(sums.first, decimals[contract]), display(sums.second, decimals[contract])};
    }
    EXPECT_EQ(shown_totals, expected_totals) << wallet;
  }

  test::TempDir dir_;
  std::string db_;
  FakeApi api_;
  std::unique_ptr<LocalServer> server_;
  Scenario scenario_;
};

}  // namespace fundtrail::cli
