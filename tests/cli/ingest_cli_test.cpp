// `fundtrail ingest --provider esplora` end to end: the real binary against tests/ingest/fake_esplora_server.py
// (an Esplora-shaped server on 127.0.0.1, ephemeral port, with fault injection) serving the scenario
// tests/data/esplora_scenario.json (built by tests/ingest/make_esplora_scenario.py; its docstring describes
// the wallets). Nothing but 127.0.0.1 is contacted.
//
// What a crawl must store is computed here from the scenario file, independently of the crawler: a
// breadth-first search over counterparties (out: output addresses of transactions a wallet spent from; in:
// input addresses of transactions that paid it), where every wallet at hop < --hops has its whole history
// fetched unless it has more than --max-txs-per-address transactions (a hub: seen, never paged or expanded).
// Stored transactions are checked through the CLI only (`evidence TXID` succeeds exactly for stored ones,
// `trace` shows the derived transfers).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_runner.hpp"
#include "cli/local_server.hpp"
#include "fundtrail/core/hash.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::cli {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kSourceDir = FUNDTRAIL_SOURCE_DIR;
const std::string kScenarioFile = kSourceDir + "/tests/data/esplora_scenario.json";
const std::string kServerScript = kSourceDir + "/tests/ingest/fake_esplora_server.py";

// Above S's 63 transactions, below the exchange hot wallet H's 74: H is the hub.
constexpr std::size_t kMaxTxs = 70;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---------------------------------------------------------------------------------------------------------
// The scenario, and what a crawl of it must store

class Scenario {
 public:
  explicit Scenario(const std::string& path) {
    const json document = json::parse(read_file(path));
    for (const auto& [name, address] : document.at("wallets").items()) wallets_[name] = address.get<std::string>();
    const json& list = document.at("transactions");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const json& tx = list[i];
      const std::string txid = tx.at("txid").get<std::string>();
      order_.push_back(txid);
      position_[txid] = i;
      txs_[txid] = tx;
      for (const std::string& address : inputs_of(txid)) history_[address].insert(txid);
      for (const std::string& address : outputs_of(txid)) history_[address].insert(txid);
    }
  }

  const std::string& wallet(const std::string& name) const { return wallets_.at(name); }
  const std::vector<std::string>& txids() const { return order_; }
  const json& tx(const std::string& txid) const { return txs_.at(txid); }
  std::set<std::string> history(const std::string& address) const {
    const auto it = history_.find(address);
    return it == history_.end() ? std::set<std::string>{} : it->second;
  }
  bool confirmed(const std::string& txid) const { return tx(txid).at("status").at("confirmed").get<bool>(); }

  // Addresses of the inputs (coinbase and address-less ones left out) and of the outputs.
  std::set<std::string> inputs_of(const std::string& txid) const {
    std::set<std::string> result;
    for (const json& in : tx(txid).at("vin")) {
      if (in.at("is_coinbase").get<bool>() || in.at("prevout").is_null()) continue;
      const auto address = in.at("prevout").value("scriptpubkey_address", std::string());
      if (!address.empty()) result.insert(address);
    }
    return result;
  }
  std::set<std::string> outputs_of(const std::string& txid) const {
    std::set<std::string> result;
    for (const json& out : tx(txid).at("vout")) {
      const auto address = out.value("scriptpubkey_address", std::string());
      if (!address.empty()) result.insert(address);
    }
    return result;
  }

  // out: output addresses of transactions `address` spent from; in: input addresses of those that paid it.
  std::set<std::string> counterparties(const std::string& address, bool out, bool in) const {
    std::set<std::string> result;
    for (const std::string& txid : history(address)) {
      const auto inputs = inputs_of(txid);
      const auto outputs = outputs_of(txid);
      if (out && inputs.count(address)) result.insert(outputs.begin(), outputs.end());
      if (in && outputs.count(address)) result.insert(inputs.begin(), inputs.end());
    }
    result.erase(address);
    return result;
  }

  // Esplora's order of an address's confirmed history: block height descending, later in the file first.
  std::vector<std::string> confirmed_newest_first(const std::string& address) const {
    std::vector<std::string> result;
    for (const std::string& txid : history(address)) {
      if (confirmed(txid)) result.push_back(txid);
    }
    std::sort(result.begin(), result.end(), [&](const std::string& a, const std::string& b) {
      const auto ha = tx(a).at("status").at("block_height").get<std::int64_t>();
      const auto hb = tx(b).at("status").at("block_height").get<std::int64_t>();
      return ha != hb ? ha > hb : position_.at(a) > position_.at(b);
    });
    return result;
  }

 private:
  std::map<std::string, std::string> wallets_;
  std::vector<std::string> order_;
  std::map<std::string, std::size_t> position_;
  std::map<std::string, json> txs_;
  std::map<std::string, std::set<std::string>> history_;
};

const Scenario& scenario() {
  static const Scenario instance(kScenarioFile);
  return instance;
}

struct CrawlExpectation {
  std::map<std::string, int> hop;  // every wallet reached at hop < hops
  std::set<std::string> fetched;   // histories fetched completely
  std::set<std::string> hubs;      // reached, too many transactions: not fetched
  std::set<std::string> txids;     // what the store must hold
};

// Breadth-first from all `seeds` at once (hop 0), level by level.
CrawlExpectation expected_crawl(const Scenario& s, const std::vector<std::string>& seeds, int hops,
                                const std::string& direction, std::size_t max_txs = kMaxTxs) {
  CrawlExpectation e;
  std::vector<std::string> frontier;
  for (const std::string& seed : seeds) {
    if (e.hop.emplace(seed, 0).second) frontier.push_back(seed);
  }
  for (int hop = 0; hop < hops && !frontier.empty(); ++hop) {
    std::vector<std::string> next;
    for (const std::string& address : frontier) {
      if (s.history(address).size() > max_txs) {
        e.hubs.insert(address);
        continue;
      }
      e.fetched.insert(address);
      const auto history = s.history(address);
      e.txids.insert(history.begin(), history.end());
      if (hop + 1 >= hops) continue;
      for (const std::string& other : s.counterparties(address, direction != "in", direction != "out")) {
        if (e.hop.emplace(other, hop + 1).second) next.push_back(other);
      }
    }
    frontier = std::move(next);
  }
  return e;
}

CrawlExpectation expected_crawl(const std::string& seed, int hops, const std::string& direction,
                                std::size_t max_txs = kMaxTxs) {
  return expected_crawl(scenario(), {seed}, hops, direction, max_txs);
}

// ---------------------------------------------------------------------------------------------------------
// Amounts: satoshi <-> the trace's decimal strings, and the proportional split of docs/bitcoin-model.md

std::uint64_t satoshi_of(const std::string& amount) {
  const auto point = amount.find('.');
  std::string whole = amount.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : amount.substr(point + 1);
  if (fraction.size() > 8) throw std::runtime_error("more than 8 decimals: " + amount);
  fraction.resize(8, '0');
  return std::stoull(whole) * 100'000'000ULL + std::stoull(fraction);
}

__extension__ using uint128 = unsigned __int128;

// Hamilton's largest-remainder method: floors, then the missing satoshi to the largest remainders, ties to
// the earlier input address.
std::vector<std::uint64_t> split(std::uint64_t amount, const std::vector<std::uint64_t>& weights) {
  uint128 total = 0;
  for (std::uint64_t w : weights) total += w;
  std::vector<std::uint64_t> parts(weights.size());
  std::vector<uint128> remainders(weights.size());
  std::uint64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const uint128 product = static_cast<uint128>(amount) * weights[i];
    parts[i] = static_cast<std::uint64_t>(product / total);
    remainders[i] = product % total;
    given += parts[i];
  }
  std::vector<std::size_t> order(weights.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  for (std::uint64_t k = 0; k < amount - given; ++k) ++parts[order[k]];
  return parts;
}

struct ExpectedTransfer {
  std::int64_t index;
  std::string from;
  std::string to;
  std::uint64_t satoshi;
  bool operator==(const ExpectedTransfer&) const = default;
};

std::ostream& operator<<(std::ostream& out, const ExpectedTransfer& t) {
  return out << "#" << t.index << " " << t.from << " -> " << t.to << " " << t.satoshi << " sat";
}

// The transfers of a (non-coinbase, address-only) scenario transaction per docs/bitcoin-model.md.
std::vector<ExpectedTransfer> expected_transfers(const json& tx) {
  std::vector<std::string> inputs;
  std::vector<std::uint64_t> values;
  for (const json& in : tx.at("vin")) {
    const std::string address = in.at("prevout").at("scriptpubkey_address").get<std::string>();
    const auto value = in.at("prevout").at("value").get<std::uint64_t>();
    const auto it = std::find(inputs.begin(), inputs.end(), address);
    if (it == inputs.end()) {
      inputs.push_back(address);
      values.push_back(value);
    } else {
      values[static_cast<std::size_t>(it - inputs.begin())] += value;
    }
  }
  std::vector<ExpectedTransfer> result;
  std::int64_t index = 0;
  for (const json& out : tx.at("vout")) {
    if (out.at("scriptpubkey_type").get<std::string>() == "op_return") continue;
    const auto parts = split(out.at("value").get<std::uint64_t>(), values);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (parts[i] == 0) continue;
      result.push_back({index++, inputs[i], out.at("scriptpubkey_address").get<std::string>(), parts[i]});
    }
  }
  return result;
}

// The fake server: started in the constructor, port from its first stdout line, killed in the destructor.
class FakeEsplora {
 public:
  FakeEsplora(const std::string& python, const std::vector<std::string>& extra,
              const std::string& scenario_file = kScenarioFile) {
    std::vector<std::string> args{"-u", kServerScript, scenario_file};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<LocalServer>(python, args);
    port_ = server_->port();
  }

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Requests per path so far.
  std::map<std::string, int> stats() const {
    const json body = json::parse(local_http_request(port_, "GET", "/__stats"));
    return body.at("paths").get<std::map<std::string, int>>();
  }
  int requests_to(const std::string& path) const {
    const auto all = stats();
    const auto it = all.find(path);
    return it == all.end() ? 0 : it->second;
  }
  void reset() const { local_http_request(port_, "POST", "/__reset"); }
  // Waits until the server has received `n` requests in all (true), or `timeout` passed (false).
  bool wait_for_requests(int n, std::chrono::milliseconds timeout = 20'000ms) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (json::parse(local_http_request(port_, "GET", "/__stats")).at("total").get<int>() < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

 private:
  std::unique_ptr<LocalServer> server_;
  int port_ = 0;
};

// "ingested btc via esplora: 12 addresses, 70 transactions, 147 new transfers, 25 requests, 0 retries, 1 hubs
// not expanded, 0 addresses still queued (0.7 s)"
struct Summary {
  long addresses = -1, transactions = -1, transfers = -1, requests = -1, retries = -1, hubs = -1, queued = -1;
  double seconds = -1;
};

std::optional<Summary> parse_summary(const std::string& out) {
  static const std::regex pattern(
      R"(ingested btc via esplora: (\d+) addresses, (\d+) transactions, (-?\d+) new transfers, (\d+) requests, )"
      R"((\d+) retries, (\d+) hubs not expanded, (\d+) addresses still queued \(([0-9.]+) s\))");
  std::smatch m;
  if (!std::regex_search(out, m, pattern)) return std::nullopt;
  Summary s;
  s.addresses = std::stol(m[1]);
  s.transactions = std::stol(m[2]);
  s.transfers = std::stol(m[3]);
  s.requests = std::stol(m[4]);
  s.retries = std::stol(m[5]);
  s.hubs = std::stol(m[6]);
  s.queued = std::stol(m[7]);
  s.seconds = std::stod(m[8]);
  return s;
}

std::set<std::string> edge_txids(const json& trace) {
  std::set<std::string> result;
  for (const json& edge : trace.at("edges")) result.insert(edge.at("tx_hash").get<std::string>());
  return result;
}

// The unconfirmed transaction's transfers carry the time the crawl first saw it (not a block time): replaced
// by a marker so crawls at different moments compare equal. The scenario's block times are all in 2023.
json without_first_seen_times(json trace) {
  for (json& edge : trace.at("edges")) {
    if (edge.at("timestamp").get<std::string>().rfind("2023-", 0) != 0) edge["timestamp"] = "<first seen>";
  }
  for (json& node : trace.at("nodes")) {
    if (node.at("reached").is_string() && node.at("reached").get<std::string>().rfind("2023-", 0) != 0) {
      node["reached"] = "<first seen>";
    }
  }
  return trace;
}

template <typename Set>
std::string describe_difference(const Set& expected, const Set& actual) {
  std::string text;
  for (const auto& item : expected) {
    if (!actual.count(item)) text += "\n  missing:    " + item;
  }
  for (const auto& item : actual) {
    if (!expected.count(item)) text += "\n  unexpected: " + item;
  }
  return text;
}

// EXPECT_PRED_FORMAT2(same_txids, expected, actual): prints only the difference, not two long sets.
::testing::AssertionResult same_txids(const char* expected_text, const char* actual_text,
                                      const std::set<std::string>& expected, const std::set<std::string>& actual) {
  if (expected == actual) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << actual_text << " (" << actual.size() << " transactions) differs from "
                                       << expected_text << " (" << expected.size() << ")"
                                       << describe_difference(expected, actual);
}

// ---------------------------------------------------------------------------------------------------------

class IngestCliTest : public ::testing::Test {
 protected:
  IngestCliTest() : dir_("fundtrail-ingest-cli"), db_(dir_.file("case.db")) {}

  void SetUp() override {
    python_ = find_in_path("python3");
    if (python_.empty()) GTEST_SKIP() << "python3 not found: the fake Esplora server cannot run";
    start_server({});
  }

  // The crawler suspends per-row foreign-key checks for speed, so every store a test crawled into must
  // still hold only resolvable references (checked with the sqlite3 shell, which the deps script installs).
  void TearDown() override {
    if (!std::filesystem::exists(db_)) return;
    const std::string sqlite3 = find_in_path("sqlite3");
    if (sqlite3.empty()) GTEST_FAIL() << "sqlite3 not found: tools/install-deps.sh installs it";
    const CliResult check = run_program(sqlite3, {db_, "PRAGMA foreign_key_check;"});
    EXPECT_EQ(check.exit_code, 0) << check.describe();
    EXPECT_EQ(check.out, "") << "dangling references after a crawl";
  }

  void start_server(const std::vector<std::string>& extra, const std::string& scenario_file = kScenarioFile) {
    server_.reset();  // kills the previous one
    server_ = std::make_unique<FakeEsplora>(python_, extra, scenario_file);
  }

  const std::string& S() const { return scenario().wallet("S"); }

  // fundtrail --db DB ingest SEED --chain btc --provider esplora, fast test defaults for what `options` does
  // not give (--endpoint <server> --rate 1000 --concurrency 4 --max-txs-per-address 70), then `options`.
  std::vector<std::string> ingest_args(const std::string& db, std::vector<std::string> options,
                                       const std::string& seed = {}) const {
    std::vector<std::string> args{"--db",    db,    "ingest",     seed.empty() ? S() : seed,
                                  "--chain", "btc", "--provider", "esplora"};
    const auto given = [&](const std::string& name) {
      return std::find(options.begin(), options.end(), name) != options.end();
    };
    if (!given("--endpoint")) args.insert(args.end(), {"--endpoint", server_->endpoint()});
    if (!given("--rate")) args.insert(args.end(), {"--rate", "1000"});
    if (!given("--concurrency")) args.insert(args.end(), {"--concurrency", "4"});
    if (!given("--max-txs-per-address")) args.insert(args.end(), {"--max-txs-per-address", std::to_string(kMaxTxs)});
    args.insert(args.end(), options.begin(), options.end());
    return args;
  }

  CliResult ingest(const std::string& db, const std::vector<std::string>& options, const std::string& seed = {}) {
    return run_fundtrail(ingest_args(db, options, seed), CliOptions{{}, {}, 120'000ms});
  }
  // Several seeds: the first replaces S, the others follow it.
  CliResult ingest_seeds(const std::string& db, const std::vector<std::string>& seeds,
                         const std::vector<std::string>& options) {
    std::vector<std::string> args = ingest_args(db, options, seeds.at(0));
    args.insert(args.begin() + 4, seeds.begin() + 1, seeds.end());
    return run_fundtrail(args, CliOptions{{}, {}, 120'000ms});
  }

  CliResult ft(const std::string& db, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    return run_fundtrail(args);
  }

  json trace_json(const std::string& db, const std::string& seed, const std::string& direction, int hops,
                  const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"trace",    seed,  "--direction", direction, "--hops", std::to_string(hops),
                                  "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliResult result = ft(db, args);
    if (result.exit_code != 0) throw std::runtime_error("trace failed: " + result.describe());
    return json::parse(result.out);
  }

  // The scenario's transactions that `evidence TXID` finds in `db` (several at once: each is a process).
  std::set<std::string> stored_txids(const std::string& db, const Scenario& from = scenario()) {
    std::set<std::string> stored;
    const auto& all = from.txids();
    constexpr std::size_t kParallel = 12;
    for (std::size_t start = 0; start < all.size(); start += kParallel) {
      std::vector<std::pair<std::string, std::unique_ptr<BackgroundProgram>>> batch;
      for (std::size_t i = start; i < std::min(all.size(), start + kParallel); ++i) {
        batch.emplace_back(all[i], start_fundtrail({"--db", db, "evidence", all[i]}));
      }
      for (auto& [txid, process] : batch) {
        const CliResult result = process->wait(60'000ms);
        if (result.exit_code == 0) {
          stored.insert(txid);
        } else if (result.err.find("neither a wallet nor a transaction") == std::string::npos) {
          throw std::runtime_error("evidence " + txid + " failed: " + result.describe());
        }
      }
    }
    return stored;
  }

  test::TempDir dir_;
  std::string db_;
  std::string python_;
  std::unique_ptr<FakeEsplora> server_;
};

// ---------------------------------------------------------------------------------------------------------
// 1. One hop: the seed's own history, with exact transfers

TEST_F(IngestCliTest, OneHopStoresExactlyTheSeedsHistoryWithExactTransfers) {
  const Scenario& s = scenario();
  const std::set<std::string> history = s.history(S());
  ASSERT_EQ(history.size(), 63u) << "the scenario changed: 62 confirmed + 1 unconfirmed expected";

  const CliResult result = ingest(db_, {"--hops", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto summary = parse_summary(result.out);
  ASSERT_TRUE(summary) << result.out;
  EXPECT_EQ(summary->addresses, 1);
  EXPECT_EQ(summary->transactions, 63);
  EXPECT_EQ(summary->hubs, 0);
  EXPECT_EQ(summary->queued, 0);
  EXPECT_EQ(summary->retries, 0);
  // /address/S, then 3 pages: mempool + 25 confirmed, 25, 12.
  EXPECT_EQ(summary->requests, 4);

  const json trace = trace_json(db_, S(), "both", 1);
  EXPECT_PRED_FORMAT2(same_txids, history, edge_txids(trace));
  EXPECT_PRED_FORMAT2(same_txids, history, stored_txids(db_));
  // The crawl brought the label index up to date: a trace labels its answer from it, not from the store.
  EXPECT_TRUE(std::filesystem::exists(db_ + ".labels"));
  const CliResult traced = ft(db_, {"--verbose", "trace", S(), "--hops", "1"});
  ASSERT_EQ(traced.exit_code, 0) << traced.describe();
  EXPECT_THAT(traced.err, Not(HasSubstr("labels come from the store")));

  // Evidence of one transaction names the page it was read from.
  const std::string newest = s.confirmed_newest_first(S()).front();
  const CliResult evidence = ft(db_, {"evidence", newest});
  ASSERT_EQ(evidence.exit_code, 0) << evidence.describe();
  EXPECT_THAT(evidence.out, AllOf(HasSubstr("esplora"), HasSubstr(server_->endpoint() + "/address/" + S() + "/txs"),
                                  HasSubstr("HTTP 200")));

  // The multi-input transaction (S's inputs merged, and F2's): its transfers split every output over the input
  // addresses in proportion (largest remainder). Forward from S (change to F2) and back, all are in reach.
  const json wide = trace_json(db_, S(), "both", 2, {"--no-time-order"});
  int multi_input = 0;
  for (const std::string& txid : history) {
    const auto inputs = s.inputs_of(txid);
    const bool op_return = s.tx(txid).at("vout").dump().find("\"op_return\"") != std::string::npos;
    if (inputs.size() < 2 && !op_return) continue;
    if (inputs.size() >= 2) ++multi_input;
    std::map<std::int64_t, ExpectedTransfer> actual;
    for (const json& edge : wide.at("edges")) {
      if (edge.at("tx_hash") != txid) continue;
      const ExpectedTransfer transfer{edge.at("index").get<std::int64_t>(), edge.at("from").get<std::string>(),
                                      edge.at("to").get<std::string>(),
                                      satoshi_of(edge.at("amount").get<std::string>())};
      actual.emplace(transfer.index, transfer);
    }
    std::vector<ExpectedTransfer> got;
    for (const auto& [index, transfer] : actual) got.push_back(transfer);
    EXPECT_EQ(got, expected_transfers(s.tx(txid))) << "transaction " << txid;
  }
  EXPECT_EQ(multi_input, 1) << "the scenario has one transaction with inputs of two addresses";
}

// ---------------------------------------------------------------------------------------------------------
// 2. Two hops: exactly the breadth-first set, the hub seen but not expanded, the money followed

TEST_F(IngestCliTest, TwoHopsStoreExactlyTheBreadthFirstSetAndSkipTheHub) {
  const Scenario& s = scenario();
  const std::string& hub = s.wallet("H");
  std::set<std::string> stored_both;
  for (const std::string direction : {"both", "out", "in"}) {
    SCOPED_TRACE("--direction " + direction);
    const CrawlExpectation expected = expected_crawl(S(), 2, direction);
    const std::string db = dir_.file("two-hops-" + direction + ".db");
    server_->reset();
    const CliResult result = ingest(db, {"--hops", "2", "--direction", direction});
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    const auto summary = parse_summary(result.out);
    ASSERT_TRUE(summary) << result.out;
    EXPECT_EQ(summary->transactions, static_cast<long>(expected.txids.size()));
    EXPECT_EQ(summary->addresses, static_cast<long>(expected.fetched.size() + expected.hubs.size()));
    EXPECT_EQ(summary->queued, 0);
    const std::set<std::string> stored = stored_txids(db);
    EXPECT_PRED_FORMAT2(same_txids, expected.txids, stored);
    if (direction == "both") stored_both = stored;

    // H (deposit from S) is reached in directions out and both, and only asked for its size.
    EXPECT_EQ(expected.hubs.count(hub), direction == "in" ? 0u : 1u);
    if (direction != "in") {
      EXPECT_EQ(summary->hubs, 1);
      EXPECT_THAT(result.out, HasSubstr("hub (not expanded): " + hub));
      EXPECT_EQ(server_->requests_to("/address/" + hub), 1);
      EXPECT_EQ(server_->requests_to("/address/" + hub + "/txs"), 0);
    } else {
      EXPECT_THAT(result.out, Not(HasSubstr("hub (not expanded)")));
    }
    // Every fetched wallet's history was asked for once per page, nothing else.
    for (const auto& [path, count] : server_->stats()) EXPECT_EQ(count, 1) << path;
  }

  // Both directions: M (the miner, upstream) was fetched, so the coinbase transaction is stored; the trace
  // follows the money from S to R1 (hop 1) to T1 and T2 (hop 2).
  const std::string db = dir_.file("two-hops-both.db");
  const std::string coinbase = s.txids().front();
  ASSERT_TRUE(s.inputs_of(coinbase).empty());
  EXPECT_TRUE(stored_both.count(coinbase));

  const json trace = trace_json(db, S(), "out", 2);
  std::map<std::string, int> node_hop;
  for (const json& node : trace.at("nodes"))
    node_hop[node.at("address").get<std::string>()] = node.at("hop").get<int>();
  const std::string& r1 = s.wallet("R1");
  EXPECT_EQ(node_hop[r1], 1);
  for (const std::string t : {"T1", "T2"}) {
    EXPECT_EQ(node_hop[s.wallet(t)], 2) << t;
    bool found = false;
    for (const json& edge : trace.at("edges")) {
      found = found || (edge.at("from") == r1 && edge.at("to") == s.wallet(t) && edge.at("hop") == 2);
    }
    EXPECT_TRUE(found) << "no hop-2 edge R1 -> " << t;
  }
  bool seed_to_r1 = false;
  for (const json& edge : trace.at("edges"))
    seed_to_r1 = seed_to_r1 || (edge.at("from") == S() && edge.at("to") == r1 && edge.at("hop") == 1);
  EXPECT_TRUE(seed_to_r1);
  // The hub's other transactions were never fetched: none of its counterparties X01.. is in the store.
  EXPECT_EQ(node_hop.count(s.wallet("X01")), 0u);
}

// ---------------------------------------------------------------------------------------------------------
// 3. Faults the client must ride out

// libcurl is loaded when the first request is made, not linked into the binary (curl_library.hpp): commands
// that make no request never pay for loading it, and a missing libcurl is a clear error of ingest alone.
TEST_F(IngestCliTest, LibcurlIsLoadedOnlyByCommandsThatUseTheNetwork) {
  const std::string ldd = find_in_path("ldd");
  if (!ldd.empty()) {
    const CliResult linked = run_program(ldd, {FUNDTRAIL_BINARY});
    ASSERT_EQ(linked.exit_code, 0) << linked.describe();
    EXPECT_THAT(linked.out, Not(HasSubstr("libcurl"))) << "fundtrail links libcurl at start-up";
  }
  std::vector<std::string> args = ingest_args(db_, {"--hops", "1"});
  const CliResult missing =
      run_fundtrail(args, CliOptions{{"FUNDTRAIL_LIBCURL=/nonexistent/libcurl.so.4"}, {}, 60'000ms});
  EXPECT_EQ(missing.exit_code, 1) << missing.describe();
  EXPECT_THAT(missing.err, HasSubstr("cannot load libcurl /nonexistent/libcurl.so.4 (install the libcurl4 package)"));
  EXPECT_EQ(server_->requests_to("/address/" + S() + "/txs"), 0);
  const CliResult loaded = ingest(db_, {"--hops", "1"});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.describe();
  EXPECT_GE(server_->requests_to("/address/" + S() + "/txs"), 1);
}

TEST_F(IngestCliTest, RateLimitsServerErrorsAndTruncatedBodiesAreRetried) {
  const Scenario& s = scenario();
  start_server({"--fault", "429:/address/" + S() + "/txs:1",               // first page: Retry-After 1
                "--fault", "truncate:/address/" + S() + "/txs/chain/*:1",  // second page: cut off
                "--fault", "500:/address/" + s.wallet("R1") + ":1,2",      // size query, twice
                "--fault", "500:/address/" + s.wallet("F1") + "/txs:1"});  // a hop-1 history page
  const CrawlExpectation expected = expected_crawl(S(), 2, "both");
  const CliResult result = ingest(db_, {"--hops", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto summary = parse_summary(result.out);
  ASSERT_TRUE(summary) << result.out;
  EXPECT_GE(summary->retries, 5);
  EXPECT_GE(summary->seconds, 0.9) << "Retry-After: 1 was not honoured";
  EXPECT_EQ(summary->transactions, static_cast<long>(expected.txids.size()));
  EXPECT_PRED_FORMAT2(same_txids, expected.txids, stored_txids(db_));
  EXPECT_EQ(server_->requests_to("/address/" + S() + "/txs"), 2);
  EXPECT_EQ(server_->requests_to("/address/" + s.wallet("R1")), 3);
}

// The transport gives up on a stalled body after --timeout (3 s here; the server stalls for 30 s) and the
// request is retried.
TEST_F(IngestCliTest, StalledResponseIsAbandonedAfterTheTimeoutAndRetried) {
  start_server({"--fault", "stall:/address/" + S() + "/txs/chain/*:1"});
  const auto start = std::chrono::steady_clock::now();
  const CliResult result = ingest(db_, {"--hops", "1", "--timeout", "3"});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto summary = parse_summary(result.out);
  ASSERT_TRUE(summary) << result.out;
  EXPECT_GE(summary->retries, 1);
  EXPECT_PRED_FORMAT2(same_txids, scenario().history(S()), stored_txids(db_));
  EXPECT_GE(seconds, 2.5) << "the stalled request was not waited for";
  EXPECT_LT(seconds, 20) << "the stall was not cut off after --timeout 3";
  RecordProperty("stall_seconds", std::to_string(seconds));
}

// ---------------------------------------------------------------------------------------------------------
// 4. A hostile "200 OK" HTML page for a history page

TEST_F(IngestCliTest, HtmlPageWithStatus200StopsTheCrawlAndCommitsNothingFromIt) {
  const Scenario& s = scenario();
  start_server({"--fault", "html200:/address/" + S() + "/txs/chain/*:1"});
  // Credentials in the endpoint must never reach messages or the store.
  const std::string endpoint = "http://investigator:s3cret-pw@127.0.0.1:" + std::to_string(server_->port());
  const CliResult failed = ingest(db_, {"--hops", "1", "--endpoint", endpoint});
  EXPECT_EQ(failed.exit_code, 1) << failed.describe();
  const std::vector<std::string> confirmed = s.confirmed_newest_first(S());
  const std::string page2 = server_->endpoint() + "/address/" + S() + "/txs/chain/" + confirmed[24];
  EXPECT_THAT(failed.err, AllOf(HasSubstr(page2), HasSubstr("HTML"), Not(HasSubstr("s3cret"))));
  EXPECT_THAT(failed.out, Not(HasSubstr("ingested")));

  // The first page (the mempool transaction and the newest 25 confirmed) is stored, nothing of the second.
  std::set<std::string> page1(confirmed.begin(), confirmed.begin() + 25);
  for (const std::string& txid : s.history(S())) {
    if (!s.confirmed(txid)) page1.insert(txid);
  }
  EXPECT_PRED_FORMAT2(same_txids, page1, stored_txids(db_));
  const CliResult evidence = ft(db_, {"evidence", S(), "--format", "json"});
  ASSERT_EQ(evidence.exit_code, 0) << evidence.describe();
  const json sources = json::parse(evidence.out).at("sources");
  ASSERT_EQ(sources.size(), 1u) << evidence.out;
  EXPECT_EQ(sources[0].at("locator"), server_->endpoint() + "/address/" + S() + "/txs");

  // The server answers properly again: the same command resumes at page 2 and completes.
  const CliResult rerun = ingest(db_, {"--hops", "1", "--endpoint", endpoint});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.describe();
  EXPECT_PRED_FORMAT2(same_txids, s.history(S()), stored_txids(db_));
  EXPECT_EQ(server_->requests_to("/address/" + S() + "/txs"), 1) << "the committed first page was fetched again";
  for (const std::string& file : {db_, db_ + "-wal"}) {
    if (std::filesystem::exists(file)) {
      EXPECT_EQ(read_file(file).find("s3cret"), std::string::npos) << "the endpoint's password is in " << file;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// 5. Interrupted crawls resume to the same data

class InterruptedIngestTest : public IngestCliTest {
 protected:
  // The reference: the same crawl, uninterrupted, into a fresh store.
  json reference_trace() {
    const std::string fresh = dir_.file("fresh.db");
    const CliResult result = ingest(fresh, {"--hops", "2"});
    if (result.exit_code != 0) throw std::runtime_error("reference crawl failed: " + result.describe());
    return without_first_seen_times(trace_json(fresh, S(), "both", 6, {"--no-time-order"}));
  }

  std::size_t S_history_size() const { return scenario().history(S()).size(); }

  // A crawl killed (SIGKILL) after `requests` requests, then run again: the rerun completes, fetches each
  // of S's pages at most once more, and the data equals an uninterrupted crawl's.
  void kill_and_resume(const std::vector<std::string>& server_options, const std::vector<std::string>& crawl_options,
                       int requests) {
    start_server(server_options);
    std::vector<std::string> options{"--hops", "2"};
    options.insert(options.end(), crawl_options.begin(), crawl_options.end());
    auto crawl = start_fundtrail(ingest_args(db_, options));
    ASSERT_TRUE(server_->wait_for_requests(requests)) << crawl->wait(1ms).describe();
    ASSERT_TRUE(crawl->running()) << crawl->wait().describe();
    crawl->send_signal(SIGKILL);
    const CliResult killed = crawl->wait(10'000ms);
    EXPECT_EQ(killed.signal, SIGKILL) << killed.describe();

    const CliResult resumed = ingest(db_, {"--hops", "2"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
    for (const auto& [path, count] : seed_requests()) EXPECT_LE(count, 2) << path;
    EXPECT_PRED_FORMAT2(same_txids, expected_crawl(S(), 2, "both").txids, stored_txids(db_));
    const json after = without_first_seen_times(trace_json(db_, S(), "both", 6, {"--no-time-order"}));
    EXPECT_EQ(after, reference_trace());
  }

  // Requests for S's size and history pages, per path.
  std::map<std::string, int> seed_requests() const {
    std::map<std::string, int> result;
    for (const auto& [path, count] : server_->stats()) {
      if (path.rfind("/address/" + S(), 0) == 0) result[path] = count;
    }
    return result;
  }
};

TEST_F(InterruptedIngestTest, CtrlCThenRerunEndsWithTheSameDataAndNoRefetchedPages) {
  start_server({"--latency-ms", "100"});
  const auto slow = ingest_args(db_, {"--hops", "2", "--rate", "5", "--concurrency", "2"});
  auto crawl = start_fundtrail(slow);
  // About 1.5 s in (5 requests/s): S's size and pages are done, hop 1 has begun.
  ASSERT_TRUE(server_->wait_for_requests(6)) << crawl->wait(1ms).describe();
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(crawl->running()) << "the crawl ended before it could be interrupted: " << crawl->wait().describe();
  crawl->send_signal(SIGINT);
  const CliResult interrupted = crawl->wait(30'000ms);
  EXPECT_EQ(interrupted.exit_code, 1) << interrupted.describe();
  EXPECT_THAT(interrupted.err, HasSubstr("interrupted"));
  EXPECT_FALSE(interrupted.timed_out);
  const CrawlExpectation expected = expected_crawl(S(), 2, "both");
  const std::set<std::string> partial = stored_txids(db_);
  EXPECT_TRUE(std::includes(expected.txids.begin(), expected.txids.end(), partial.begin(), partial.end()));
  EXPECT_GE(partial.size(), S_history_size()) << "S's pages were committed before the interruption";
  EXPECT_LT(partial.size(), expected.txids.size()) << "the crawl was not interrupted";

  const CliResult resumed = ingest(db_, {"--hops", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.describe();
  // Each of S's pages was fetched once, or twice when it was on the wire at the interruption.
  const auto requests = seed_requests();
  EXPECT_EQ(requests.size(), 4u);  // /address/S and 3 pages
  int twice = 0;
  for (const auto& [path, count] : requests) {
    EXPECT_LE(count, 2) << path;
    twice += count == 2;
  }
  EXPECT_LE(twice, 2) << "at most the requests in flight (--concurrency 2) are repeated";

  const json after = without_first_seen_times(trace_json(db_, S(), "both", 6, {"--no-time-order"}));
  EXPECT_PRED_FORMAT2(same_txids, expected.txids, stored_txids(db_));
  EXPECT_EQ(after, reference_trace());
}

// Ctrl-C while a response is on its way (not while waiting for the rate limiter): the crawl must still
// stop and say so, not carry on or report success.
TEST_F(InterruptedIngestTest, CtrlCDuringARequestStillEndsAsInterrupted) {
  start_server({"--latency-ms", "2000"});
  auto crawl = start_fundtrail(ingest_args(db_, {"--hops", "2"}));
  ASSERT_TRUE(server_->wait_for_requests(1)) << crawl->wait(1ms).describe();
  std::this_thread::sleep_for(200ms);  // the first request (S's size) is waiting for the server's answer
  ASSERT_TRUE(crawl->running());
  crawl->send_signal(SIGINT);
  const CliResult interrupted = crawl->wait(30'000ms);
  EXPECT_EQ(interrupted.exit_code, 1) << interrupted.describe();
  EXPECT_THAT(interrupted.err, HasSubstr("interrupted"));
  EXPECT_THAT(interrupted.out, Not(HasSubstr("ingested btc"))) << "an interrupted crawl reported success";
  EXPECT_LE(server_->stats().size(), 1u) << "the crawl went on after Ctrl-C";
}

TEST_F(InterruptedIngestTest, KilledCrawlResumesToTheSameData) {
  kill_and_resume({"--latency-ms", "100"}, {"--rate", "5", "--concurrency", "2"}, 8);  // about 2 s in
}

// Fast answers (5 ms) keep several pages in one commit batch across fetches: a kill then loses the pages of
// the open batch, and the rerun fetches exactly those again and ends with the same data.
TEST_F(InterruptedIngestTest, KilledWhileCommitBatchesSpanSeveralPagesResumesToTheSameData) {
  kill_and_resume({"--latency-ms", "5"}, {"--rate", "40", "--concurrency", "2"}, 12);
}

// ---------------------------------------------------------------------------------------------------------
// 6. --keep-raw

TEST_F(IngestCliTest, KeepRawStoresTheBodiesAndEvidenceShowsTheirHash) {
  const CliResult kept = ingest(db_, {"--hops", "1", "--keep-raw"});
  ASSERT_EQ(kept.exit_code, 0) << kept.describe();
  const CliResult evidence = ft(db_, {"evidence", S(), "--format", "json"});
  ASSERT_EQ(evidence.exit_code, 0) << evidence.describe();
  const json sources = json::parse(evidence.out).at("sources");
  ASSERT_EQ(sources.size(), 3u) << evidence.out;  // the three history pages
  const std::regex sha256("[0-9a-f]{64}");
  for (const json& source : sources) {
    EXPECT_EQ(source.at("raw_kept"), true) << source.dump();
    EXPECT_TRUE(std::regex_match(source.at("sha256").get<std::string>(), sha256)) << source.dump();
    EXPECT_EQ(source.at("status"), 200);
    EXPECT_EQ(source.at("kind"), "http");
  }
  // The recorded hash and size are those of the body the server sent.
  const std::string first_page = local_http_request(server_->port(), "GET", "/address/" + S() + "/txs");
  EXPECT_EQ(sources[0].at("locator"), server_->endpoint() + "/address/" + S() + "/txs");
  EXPECT_EQ(sources[0].at("sha256"), core::to_hex(core::sha256(first_page)));
  EXPECT_EQ(sources[0].at("bytes"), first_page.size());

  const std::string plain = dir_.file("plain.db");
  const CliResult without = ingest(plain, {"--hops", "1"});
  ASSERT_EQ(without.exit_code, 0) << without.describe();
  const CliResult plain_evidence = ft(plain, {"evidence", S(), "--format", "json"});
  ASSERT_EQ(plain_evidence.exit_code, 0) << plain_evidence.describe();
  const json plain_sources = json::parse(plain_evidence.out).at("sources");
  ASSERT_EQ(plain_sources.size(), 3u);
  for (const json& source : plain_sources) {
    EXPECT_EQ(source.at("raw_kept"), false) << source.dump();
    EXPECT_TRUE(std::regex_match(source.at("sha256").get<std::string>(), sha256));
  }
  EXPECT_EQ(plain_sources[0].at("sha256"), sources[0].at("sha256"));
}

// ---------------------------------------------------------------------------------------------------------
// Several seeds: one run must reach the breadth-first set whatever the order pages complete in.
// tests/ingest/make_esplora_scenario.py --multi-seed: A pays X, X pays Y, B pays Y, Y pays Z, Z pays W; B has
// 180 transactions (8 pages), A two. Breadth-first from {A, B} (--direction out): X and Y at hop 1, Z at
// hop 2; with --hops 3, Z's history (Z -> W) must be fetched. With --concurrency >= 2 A's branch runs ahead
// while B is still paging: Y is first reached through X at hop 2, fetched, and not expanded (hop 2 is the
// last); when B completes, Y's hop goes down to 1 but Y is not expanded again, so Z is never queued.

TEST_F(IngestCliTest, SeveralSeedsReachTheBreadthFirstSetInOneRun) {
  const std::string file = dir_.file("multi-seed.json");
  const CliResult made =
      run_program(python_, {kSourceDir + "/tests/ingest/make_esplora_scenario.py", "--multi-seed", "--out", file});
  ASSERT_EQ(made.exit_code, 0) << made.describe();
  const Scenario multi(file);
  start_server({}, file);
  const std::vector<std::string> seeds{multi.wallet("A"), multi.wallet("B")};
  const CrawlExpectation expected = expected_crawl(multi, seeds, 3, "out", 10000);
  ASSERT_EQ(expected.hop.at(multi.wallet("Z")), 2);
  for (const std::string concurrency : {"1", "2"}) {
    SCOPED_TRACE("--concurrency " + concurrency);
    const std::string db = dir_.file("multi-" + concurrency + ".db");
    const CliResult result = ingest_seeds(
        db, seeds,
        {"--hops", "3", "--direction", "out", "--concurrency", concurrency, "--max-txs-per-address", "10000"});
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    const auto summary = parse_summary(result.out);
    ASSERT_TRUE(summary) << result.out;
    EXPECT_EQ(summary->transactions, static_cast<long>(expected.txids.size()));
    EXPECT_EQ(summary->addresses, static_cast<long>(expected.fetched.size()));
    const std::set<std::string> stored = stored_txids(db, multi);
    EXPECT_PRED_FORMAT2(same_txids, expected.txids, stored);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The unconfirmed transaction: stored with its first-seen time, moved to its block on a later run

TEST_F(IngestCliTest, UnconfirmedTransactionIsMovedToItsBlockByTheNextRun) {
  const Scenario& s = scenario();
  std::string pending;
  for (const std::string& txid : s.history(S())) {
    if (!s.confirmed(txid)) pending = txid;
  }
  ASSERT_FALSE(pending.empty());
  const CliResult first = ingest(db_, {"--hops", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  auto pending_edges = [&] {
    std::vector<json> edges;
    const json trace = trace_json(db_, S(), "out", 1);
    for (const json& edge : trace.at("edges")) {
      if (edge.at("tx_hash") == pending) edges.push_back(edge);
    }
    return edges;
  };
  ASSERT_FALSE(pending_edges().empty());
  for (const json& edge : pending_edges()) EXPECT_TRUE(edge.at("block_height").is_null()) << edge.dump();

  // The same scenario a block later: the transaction confirmed in block 790000 at 2023-06-01T00:00:00Z.
  json document = json::parse(read_file(kScenarioFile));
  for (json& tx : document.at("transactions")) {
    if (tx.at("txid") == pending) {
      tx["status"] = {{"confirmed", true},
                      {"block_height", 790000},
                      {"block_hash", std::string(64, 'b')},
                      {"block_time", 1685577600}};
    }
  }
  const std::string later = dir_.file("later.json");
  std::ofstream(later) << document.dump();
  start_server({}, later);
  const CliResult second = ingest(db_, {"--hops", "1"});
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  const auto summary = parse_summary(second.out);
  ASSERT_TRUE(summary) << second.out;
  EXPECT_EQ(summary->transactions, 1);
  EXPECT_EQ(summary->transfers, 0);
  EXPECT_EQ(server_->stats(), (std::map<std::string, int>{{"/tx/" + pending, 1}}));
  for (const json& edge : pending_edges()) {
    EXPECT_EQ(edge.at("block_height"), 790000) << edge.dump();
    EXPECT_EQ(edge.at("timestamp"), "2023-06-01T00:00:00Z") << edge.dump();
  }
}

// ---------------------------------------------------------------------------------------------------------
// 7. Idempotence

TEST_F(IngestCliTest, SecondRunOfTheSameIngestAddsNothing) {
  const CliResult first = ingest(db_, {"--hops", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  const auto first_summary = parse_summary(first.out);
  ASSERT_TRUE(first_summary) << first.out;
  EXPECT_GT(first_summary->transfers, 0);
  const json before = trace_json(db_, S(), "both", 6, {"--no-time-order"});

  const CliResult second = ingest(db_, {"--hops", "2"});
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  const auto summary = parse_summary(second.out);
  ASSERT_TRUE(summary) << second.out;
  EXPECT_THAT(second.out, HasSubstr(" 0 new transfers"));
  EXPECT_EQ(summary->transfers, 0);
  EXPECT_EQ(summary->transactions, 0);
  EXPECT_EQ(summary->addresses, 0);
  EXPECT_LE(summary->requests, 1) << "only the unconfirmed transaction is looked up again";
  EXPECT_EQ(trace_json(db_, S(), "both", 6, {"--no-time-order"}), before);
}

}  // namespace
}  // namespace fundtrail::cli
