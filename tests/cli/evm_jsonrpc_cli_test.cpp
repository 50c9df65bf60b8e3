// `fundtrail ingest --chain eth --provider jsonrpc` end to end against a real Ethereum node: anvil (Foundry,
// installed by tools/install-deps.sh from the npm package @foundry-rs/anvil-linux-amd64 into tools/evm),
// started here on 127.0.0.1 with a free port. tests/ingest/anvil_scenario.py builds the scenario on it (an
// ERC-20 token, a forwarding contract, a token with hostile metadata, ETH and token payments over several
// hops, a failed transfer, an internal transfer inside a reverted call; its docstring lists them) and prints
// every value movement it made. What a crawl must store is computed here from that list, independently of
// the crawler: a breadth-first search over counterparties (zero-value transfers and the zero address not
// followed), then every transfer touching a crawled wallet. Stored transfers are read through the CLI only
// (`trace --format json` from every scenario wallet).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cli/account_crawl_support.hpp"
#include "cli/cli_runner.hpp"
#include "cli/local_server.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kSourceDir = FUNDTRAIL_SOURCE_DIR;
const std::string kScenarioScript = kSourceDir + "/tests/ingest/anvil_scenario.py";
const std::string kZero = "0x0000000000000000000000000000000000000000";

std::string find_anvil() {
  if (const char* path = std::getenv("FUNDTRAIL_ANVIL"); path != nullptr && *path != '\0') return path;
  const std::string installed = kSourceDir + "/tools/evm/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";
  if (::access(installed.c_str(), X_OK) == 0) return installed;
  return find_in_path("anvil");
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("bind failed");
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// One value movement, as the scenario made it or as `trace` shows it (amount in base units).
using Movement = std::tuple<std::string, std::string, std::string, std::string, std::string>;  // tx, from, to, contract, amount

// anvil on a free port plus the scenario, shared by the tests of this file (the scenario takes a second).
class AnvilScenario {
 public:
  static AnvilScenario* instance() {
    static std::unique_ptr<AnvilScenario> shared;
    static std::string failure;
    if (!shared && failure.empty()) {
      try {
        shared = std::make_unique<AnvilScenario>();
      } catch (const std::exception& error) {
        failure = error.what();
      }
    }
    if (!failure.empty()) throw std::runtime_error(failure);
    return shared.get();
  }

  AnvilScenario() {
    const std::string anvil = find_anvil();
    const std::string python = find_in_path("python3");
    if (anvil.empty() || python.empty()) throw std::runtime_error("anvil or python3 not found");
    port_ = free_port();
    node_ = std::make_unique<BackgroundProgram>(
        anvil, std::vector<std::string>{"--host", "127.0.0.1", "--port", std::to_string(port_), "--timestamp",
                                        "1700000000", "--silent"});
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
      try {
        const std::string answer =
            local_http_request(port_, "POST", "/", R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]})");
        if (answer.find("result") != std::string::npos) break;
      } catch (const std::exception&) {
      }
      if (!node_->running() || std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("anvil did not start: " + node_->err_so_far());
      }
      std::this_thread::sleep_for(50ms);
    }
    const CliResult built = run_program(python, {kScenarioScript, endpoint()}, CliOptions{{}, {}, 120'000ms});
    if (built.exit_code != 0) throw std::runtime_error("anvil_scenario.py failed: " + built.describe() + built.err);
    scenario_ = json::parse(built.out);
    for (const auto& [name, address] : scenario_.at("wallets").items()) names_[address.get<std::string>()] = name;
    for (const auto& [name, address] : scenario_.at("contracts").items()) names_[address.get<std::string>()] = name;
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const json& scenario() const { return scenario_; }
  std::string wallet(const std::string& name) const { return scenario_.at("wallets").at(name).get<std::string>(); }
  std::string contract(const std::string& name) const { return scenario_.at("contracts").at(name).get<std::string>(); }
  std::string seed() const { return scenario_.at("seed").get<std::string>(); }
  std::string name_of(const std::string& address) const {
    const auto it = names_.find(address);
    return it == names_.end() ? address : it->second;
  }

  // Every account of the scenario that may appear in transfers.
  std::set<std::string> accounts() const {
    std::set<std::string> all{kZero};
    for (const auto& [address, name] : names_) all.insert(address);
    return all;
  }

  // What a crawl of `hops` from the seed must store: BFS over counterparties (a transfer's other side, unless
  // the amount is zero or it is the zero address), then every transfer touching a crawled wallet.
  // `with_internal` false: the node's traces are not used, internal transfers cannot be seen.
  // The wallets a crawl of `hops` fetches: BFS over counterparties (a transfer's other side, unless the amount
  // is zero or it is the zero address). `outgoing_only`: --direction out, only those a wallet paid.
  std::set<std::string> crawled(unsigned hops, bool with_internal, bool outgoing_only = false) const {
    const std::vector<json> transfers = movements(with_internal);
    std::set<std::string> crawled{seed()};
    std::vector<std::string> frontier{seed()};
    for (unsigned hop = 1; hop < hops; ++hop) {
      std::vector<std::string> next;
      for (const std::string& wallet : frontier) {
        for (const json& transfer : transfers) {
          const std::string from = transfer.at("from");
          const std::string to = transfer.at("to");
          if (transfer.at("amount") == "0" || from == to) continue;
          for (const auto& [self, other] : {std::pair{from, to}, std::pair{to, from}}) {
            if (outgoing_only && self != from) continue;
            if (self == wallet && other != kZero && crawled.insert(other).second) next.push_back(other);
          }
        }
      }
      frontier = next;
    }
    return crawled;
  }

  // What such a crawl must store: every transfer touching a crawled wallet.
  std::set<Movement> expected(unsigned hops, bool with_internal, bool outgoing_only = false) const {
    const std::vector<json> transfers = movements(with_internal);
    const std::set<std::string> crawled = this->crawled(hops, with_internal, outgoing_only);
    std::set<Movement> result;
    for (const json& transfer : transfers) {
      if (crawled.count(transfer.at("from")) || crawled.count(transfer.at("to"))) {
        result.emplace(transfer.at("tx"), transfer.at("from"), transfer.at("to"), transfer.at("asset"), transfer.at("amount"));
      }
    }
    return result;
  }

 private:
  std::vector<json> movements(bool with_internal) const {
    std::vector<json> transfers;
    for (const json& transfer : scenario_.at("transfers")) {
      if (with_internal || transfer.at("kind") != "internal") transfers.push_back(transfer);
    }
    return transfers;
  }

  int port_ = 0;
  std::unique_ptr<BackgroundProgram> node_;
  json scenario_;
  std::map<std::string, std::string> names_;
};

class EvmJsonRpcCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_anvil().empty() || find_in_path("python3").empty()) {
      // CI installs anvil (tools/install-deps.sh): there a missing node is a failure, not a skip.
      if (std::getenv("CI") != nullptr) FAIL() << "anvil not found: run tools/install-deps.sh";
      GTEST_SKIP() << "anvil (tools/install-deps.sh) or python3 not found";
    }
    try {
      node_ = AnvilScenario::instance();
    } catch (const std::exception& error) {
      FAIL() << error.what();
    }
    db_ = (dir_.path() / "case.db").string();
  }

  CliResult ft(std::vector<std::string> args, CliOptions options = {}) {
    args.insert(args.begin(), {"--db", db_});
    if (options.timeout == 60'000ms) options.timeout = 180'000ms;
    return run_fundtrail(args, options);
  }

  CliResult ingest(std::vector<std::string> extra = {}, const std::string& hops = "2") {
    std::vector<std::string> args{"--quiet", "ingest", "--chain", "eth", "--provider", "jsonrpc", "--endpoint",
                                  node_->endpoint(), "--hops", hops, "--rate", "200", node_->seed()};
    args.insert(args.end(), extra.begin(), extra.end());
    return ft(args);
  }

  // Every stored transfer, read through `trace` from every scenario account (a union over both directions).
  std::set<Movement> stored() {
    std::set<Movement> result;
    for_each_traced_edge(
        db_, node_->accounts(), {"--chain", "eth", "--direction", "both", "--hops", "8", "--no-time-order"}, "not",
        [&](const json& edge) {
          const std::string contract = edge.at("contract").is_null() ? "" : edge.at("contract").get<std::string>();
          const unsigned decimals = contract == node_->contract("susd") ? 6 : 18;
          result.emplace(edge.at("tx_hash"), edge.at("from"), edge.at("to"), contract,
                         to_base_units(edge.at("amount").get<std::string>(), decimals));
        },
        CliOptions{{}, {}, 180'000ms});
    return result;
  }

  std::string describe(const std::set<Movement>& movements) const {
    std::string text;
    for (const auto& [tx, from, to, contract, amount] : movements) {
      text += "  " + tx.substr(0, 10) + " " + node_->name_of(from) + " -> " + node_->name_of(to) + " " + amount + " " +
              (contract.empty() ? "ETH" : node_->name_of(contract)) + "\n";
    }
    return text;
  }

  AnvilScenario* node_ = nullptr;
  test::TempDir dir_;
  std::string db_;
};

TEST_F(EvmJsonRpcCli, StoresExactlyTheScenarioTransfersOfATwoHopCrawl) {
  const CliResult result = ingest();
  ASSERT_EQ(result.exit_code, 0) << result.describe() << result.err;
  EXPECT_THAT(result.out, HasSubstr("ingested eth via jsonrpc: "));
  EXPECT_THAT(result.out, HasSubstr("chain id 31337"));
  // Exactly the BFS's wallets were fetched: X (who sent the seed 0 SUSD, address poisoning) and the zero
  // address (mints) are counterparties, but are never followed.
  const std::set<std::string> crawled = node_->crawled(2, true);
  EXPECT_EQ(crawled.count(node_->wallet("X")), 0u);
  EXPECT_THAT(result.out, HasSubstr("jsonrpc: " + std::to_string(crawled.size()) + " addresses, "));
  const std::set<Movement> expected = node_->expected(2, /*with_internal=*/true);
  const std::set<Movement> actual = stored();
  EXPECT_EQ(actual, expected) << "expected:\n" << describe(expected) << "stored:\n" << describe(actual);
  // The scenario's checks on itself: the crawl window matters (C -> E lies beyond it), internal transfers and
  // exact odd amounts are part of it.
  EXPECT_EQ(expected.size(), 16u);
  EXPECT_EQ(expected.count({node_->scenario()["transfers"].back()["tx"], node_->wallet("C"), node_->wallet("E"), "",
                            "250000000000000000"}),
            0u);
}

TEST_F(EvmJsonRpcCli, ARerunAddsNothingAndMoreHopsExtendTheCrawl) {
  ASSERT_EQ(ingest().exit_code, 0);
  const CliResult again = ingest();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr(" 0 new transfers"));
  EXPECT_EQ(stored(), node_->expected(2, true));

  const CliResult deeper = ingest({}, "3");
  ASSERT_EQ(deeper.exit_code, 0) << deeper.err;
  // Only the wallets new at hop 2 are fetched; the zero address (whence the mints to D came) is not one.
  const std::size_t added = node_->crawled(3, true).size() - node_->crawled(2, true).size();
  EXPECT_THAT(deeper.out, HasSubstr("jsonrpc: " + std::to_string(added) + " addresses, "));
  const std::set<Movement> expected = node_->expected(3, true);
  EXPECT_GT(expected.size(), node_->expected(2, true).size());
  EXPECT_EQ(stored(), expected);
}

TEST_F(EvmJsonRpcCli, FailedTransactionIsKeptAsFailedWithoutTransfers) {
  ASSERT_EQ(ingest().exit_code, 0);
  const std::string failed = node_->scenario()["failed"][0];
  const CliResult evidence = ft({"evidence", failed, "--format", "json"});
  ASSERT_EQ(evidence.exit_code, 0) << evidence.err;
  const json document = json::parse(evidence.out);
  ASSERT_EQ(document["transactions"].size(), 1u);
  EXPECT_EQ(document["transactions"][0]["status"], "failed");
  EXPECT_EQ(document["transactions"][0]["network"], 31337);
  EXPECT_EQ(document["transactions"][0]["sender"], node_->seed());
  EXPECT_FALSE(document["transactions"][0]["fee"].is_null());
  EXPECT_FALSE(document["sources"].empty());
  for (const auto& movement : stored()) EXPECT_NE(std::get<0>(movement), failed);
}

TEST_F(EvmJsonRpcCli, TraceFollowsTheMoneyInTimeOrderThroughContracts) {
  ASSERT_EQ(ingest().exit_code, 0);
  const CliResult trace = ft({"trace", node_->seed(), "--direction", "out", "--hops", "3", "--format", "json"});
  ASSERT_EQ(trace.exit_code, 0) << trace.err;
  const json report = json::parse(trace.out);
  std::map<std::string, int> hop_of;
  for (const json& node : report["nodes"]) hop_of[node["address"]] = node["hop"];
  EXPECT_EQ(hop_of.at(node_->wallet("A")), 1);
  EXPECT_EQ(hop_of.at(node_->contract("forwarder")), 1);
  EXPECT_EQ(hop_of.at(node_->wallet("C")), 2);  // via A (ETH and SUSD after S paid A) and via the forwarder
  EXPECT_EQ(hop_of.at(node_->wallet("E")), 2);  // only through the forwarder's internal transfer
  EXPECT_EQ(hop_of.count(node_->wallet("X")), 0u) << "the inner call to X reverted: no money reached X";
  bool exact = false;
  for (const json& edge : report["edges"]) {
    if (edge["to"] == node_->wallet("E")) exact = edge["amount"] == "1.000000000000000002";
  }
  EXPECT_TRUE(exact) << "the internal transfer to E must be exact to the wei";
}

TEST_F(EvmJsonRpcCli, HostileTokenMetadataIsStoredExactlyAndShownEscaped) {
  ASSERT_EQ(ingest().exit_code, 0);
  const std::string symbol = node_->scenario()["hostile"]["symbol"];
  const CliResult json_trace = ft({"trace", node_->wallet("D"), "--direction", "out", "--format", "json"});
  ASSERT_EQ(json_trace.exit_code, 0) << json_trace.err;
  bool found = false;
  const json report = json::parse(json_trace.out);
  for (const json& edge : report["edges"]) found = found || edge["asset"] == symbol;
  EXPECT_TRUE(found) << "the JSON report carries the symbol exactly (escaped by JSON)";

  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"trace", node_->wallet("D"), "--direction", "out"},
        std::vector<std::string>{"address", node_->wallet("B")}}) {
    const CliResult table = ft(command);
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_THAT(table.out, HasSubstr("\\x1b")) << "escape shown as text";
    for (char control : {'\x1b', '\x07'}) EXPECT_EQ(table.out.find(control), std::string::npos);
    EXPECT_EQ(table.out.find("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), std::string::npos);
  }
}

TEST_F(EvmJsonRpcCli, ReadingBlocksWithoutTracesFindsTopLevelTransfersOnly) {
  const CliResult result = ingest({"--native-scan", "blocks"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::set<Movement> expected = node_->expected(2, /*with_internal=*/false);
  const std::set<Movement> actual = stored();
  EXPECT_EQ(actual, expected) << "expected:\n" << describe(expected) << "stored:\n" << describe(actual);
}

TEST_F(EvmJsonRpcCli, OtterscanIndexFindsTheWalletsTransactionsButNoInternalTransfers) {
  const CliResult result = ingest({"--native-scan", "ots"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::set<Movement> expected = node_->expected(2, /*with_internal=*/false);
  const std::set<Movement> actual = stored();
  EXPECT_EQ(actual, expected) << "expected:\n" << describe(expected) << "stored:\n" << describe(actual);
}

TEST_F(EvmJsonRpcCli, DirectionOutFollowsOnlyWhomTheWalletPaidAndKeepRawKeepsTheBodies) {
  const CliResult result = ingest({"--direction", "out", "--keep-raw"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::set<Movement> expected = node_->expected(2, true, /*outgoing_only=*/true);
  EXPECT_LT(expected.size(), node_->expected(2, true).size()) << "the scenario must tell the directions apart";
  EXPECT_EQ(stored(), expected);
  const CliResult evidence = ft({"evidence", node_->seed(), "--chain", "eth", "--format", "json"});
  ASSERT_EQ(evidence.exit_code, 0) << evidence.err;
  const json sources = json::parse(evidence.out).at("sources");
  ASSERT_FALSE(sources.empty());
  for (const json& source : sources) EXPECT_TRUE(source.at("raw_kept").get<bool>()) << source.dump();
}

TEST_F(EvmJsonRpcCli, AWalletWithMoreTransactionsThanAllowedIsAHubAndNotExpanded) {
  // Pages of 2 blocks: the seed's history (13 transactions) passes 3 after a few pages.
  const CliResult result = ingest({"--max-txs-per-address", "3", "--max-block-range", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("hub (not expanded): " + node_->seed()));
  EXPECT_THAT(result.out, HasSubstr(" 1 hubs not expanded"));
  const std::set<Movement> partial = stored();
  EXPECT_FALSE(partial.empty());
  for (const Movement& movement : partial) {
    EXPECT_EQ(node_->expected(2, true).count(movement), 1u);
    EXPECT_TRUE(std::get<1>(movement) == node_->seed() || std::get<2>(movement) == node_->seed())
        << "nothing beyond the hub was fetched: " << describe({movement});
  }
}

TEST_F(EvmJsonRpcCli, SmallBlockRangesPageTheSameData) {
  const CliResult result = ingest({"--max-block-range", "3"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(stored(), node_->expected(2, true));
}

TEST_F(EvmJsonRpcCli, KilledMidCrawlResumesToTheSameData) {
  std::vector<std::string> args{"--db",         db_,         "--quiet", "ingest", "--chain", "eth", "--provider",
                                "jsonrpc",      "--endpoint", node_->endpoint(), "--hops", "2", "--rate", "10",
                                "--max-block-range", "2",    node_->seed()};
  auto crawl = start_fundtrail(args);
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(crawl->running()) << "the crawl must still be running when it is killed";
  crawl->send_signal(SIGKILL);
  EXPECT_EQ(crawl->wait().signal, SIGKILL);
  const CliResult resumed = ingest({"--max-block-range", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(stored(), node_->expected(2, true));
}

TEST_F(EvmJsonRpcCli, CtrlCCommitsWhatWasFetchedAndExitsOneThenResumes) {
  std::vector<std::string> args{"--db",         db_,         "--quiet", "ingest", "--chain", "eth", "--provider",
                                "jsonrpc",      "--endpoint", node_->endpoint(), "--hops", "2", "--rate", "5",
                                "--max-block-range", "2",    node_->seed()};
  auto crawl = start_fundtrail(args);
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(crawl->running());
  crawl->send_signal(SIGINT);
  const CliResult interrupted = crawl->wait(30'000ms);
  EXPECT_EQ(interrupted.exit_code, 1) << interrupted.describe();
  EXPECT_THAT(interrupted.err, HasSubstr("interrupted"));
  EXPECT_LT(interrupted.signal, 1) << "it must exit, not die of the signal";
  const std::set<Movement> partial = stored();
  const std::set<Movement> expected = node_->expected(2, true);
  EXPECT_LT(partial.size(), expected.size());
  for (const Movement& movement : partial) EXPECT_EQ(expected.count(movement), 1u) << "only scenario transfers";
  const CliResult resumed = ingest({"--max-block-range", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(stored(), expected);
}

TEST_F(EvmJsonRpcCli, AWindowBeyondTheHeadStopsAtTheHead) {
  const CliResult beyond = ingest({"--native-scan", "blocks", "--from-block", "1500000", "--to-block", "2000000"});
  ASSERT_EQ(beyond.exit_code, 0) << beyond.describe() << beyond.err;
  EXPECT_THAT(beyond.out, HasSubstr(" 0 new transfers"));
  const CliResult whole = ingest({"--to-block", "2000000"});
  ASSERT_EQ(whole.exit_code, 0) << whole.describe() << whole.err;
  EXPECT_EQ(stored(), node_->expected(2, true));
}

TEST_F(EvmJsonRpcCli, WrongChainIdIsAUsageError) {
  const CliResult result = ingest({"--evm-chain-id", "1"});
  EXPECT_EQ(result.exit_code, 2) << result.describe();
  EXPECT_THAT(result.err, HasSubstr("31337"));
  EXPECT_FALSE(std::filesystem::exists(db_)) << "nothing is written before the node is checked";
}

TEST_F(EvmJsonRpcCli, InvalidSeedIsRejectedBeforeAnyRequest) {
  const CliResult result = ft({"ingest", "--chain", "eth", "--provider", "jsonrpc", "--endpoint", node_->endpoint(),
                               "0x12345"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("0x12345"));
}

}  // namespace
}  // namespace fundtrail::cli
