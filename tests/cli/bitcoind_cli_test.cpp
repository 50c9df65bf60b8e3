// `fundtrail ingest --provider bitcoind` end to end: the real binary against tests/ingest/fake_bitcoind_server.py
// (a Bitcoin Core JSON-RPC-shaped server on 127.0.0.1, ephemeral port) serving a testnet scenario built around
// real transactions (../shared/data/bitcoin-core-rpc-json). Nothing but 127.0.0.1 is contacted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"
#include "cli/local_server.hpp"

namespace fundtrail::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

const std::string kServerScript = std::string(FUNDTRAIL_SOURCE_DIR) + "/tests/ingest/fake_bitcoind_server.py";
const std::string kRealData = std::string(FUNDTRAIL_SHARED_DATA) + "/bitcoin-core-rpc-json";
constexpr const char* kUser = "investigator";
constexpr const char* kPassword = "pw-Zq9x-s3cret";  // distinctive: searched for in the store file

// The fake node: started in the constructor (its first stdout line is the port, the second the scenario),
// SIGKILLed in the destructor.
class FakeBitcoind {
 public:
  FakeBitcoind(const std::string& python, const std::string& log_path, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"-u", kServerScript, kUser, kPassword, "--data", kRealData, "--log", log_path};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<LocalServer>(python, args);
    scenario_ = json::parse(server_->stdout_line(1));
  }

  std::string endpoint() const { return server_->endpoint(); }
  const json& scenario() const { return scenario_; }

 private:
  std::unique_ptr<LocalServer> server_;
  json scenario_;
};

// One JSON object per HTTP request the server received.
std::vector<json> read_log(const std::string& path) {
  std::vector<json> entries;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) entries.push_back(json::parse(line));
  }
  return entries;
}

// Calls of `method` over all logged requests (batched or not), in order.
std::vector<json> calls_of(const std::vector<json>& log, const std::string& method) {
  std::vector<json> calls;
  for (const json& entry : log) {
    for (const json& call : entry["calls"]) {
      if (call.is_object() && call["method"] == method) calls.push_back(call);
    }
  }
  return calls;
}

// A display decimal of BTC ("0.0242", "0.02420000") in satoshi, exactly; throws for anything else.
std::int64_t satoshi(const std::string& text) {
  const auto point = text.find('.');
  const std::string whole = text.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : text.substr(point + 1);
  if (whole.empty() || whole.find_first_not_of("0123456789") != std::string::npos ||
      fraction.find_first_not_of("0123456789") != std::string::npos || fraction.size() > 8) {
    throw std::runtime_error("not a BTC amount: '" + text + "'");
  }
  fraction.append(8 - fraction.size(), '0');
  return std::stoll(whole) * 100'000'000 + std::stoll(fraction);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class BitcoindCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string found = find_in_path("python3"); !found.empty()) python_ = found;
    if (!python_) GTEST_SKIP() << "python3 not found: the fake Bitcoin Core node cannot run";
    std::string pattern = (std::filesystem::temp_directory_path() / "fundtrail-bitcoind-cli-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    db_ = dir_ + "/case.db";
    log_ = dir_ + "/requests.jsonl";
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // The environment of a run: the node's credentials, and a HOME without ~/.bitcoin/.cookie.
  CliOptions env(const std::string& password = kPassword) const {
    CliOptions options;
    options.set_env = {std::string("BITCOIND_RPC_USER=") + kUser, "BITCOIND_RPC_PASSWORD=" + password, "HOME=" + dir_};
    return options;
  }
  CliResult ingest(const FakeBitcoind& node, std::vector<std::string> args, const CliOptions& options) const {
    std::vector<std::string> all{"--db", db_, "-q", "ingest", "--chain", "btc", "--provider", "bitcoind",
                                 "--endpoint", node.endpoint()};
    all.insert(all.end(), args.begin(), args.end());
    return run_fundtrail(all, options);
  }
  std::optional<json> evidence(const std::string& txid) const {
    const CliResult result = run_fundtrail({"--db", db_, "evidence", txid, "--format", "json"});
    if (result.exit_code != 0) return std::nullopt;
    return json::parse(result.out);
  }
  std::string range(const FakeBitcoind& node) const {
    return std::to_string(node.scenario()["range"][0].get<int>()) + ".." +
           std::to_string(node.scenario()["range"][1].get<int>());
  }

  std::optional<std::string> python_;
  std::string dir_;
  std::string db_;
  std::string log_;
};

TEST_F(BitcoindCliTest, BlocksStoreExactlyTheScenarioWithEvidenceAndRerunAddsNothing) {
  // One getblock answered "Work queue depth exceeded" with HTTP 500 (a server fault: retried), batches
  // answered in reverse order (matched by id).
  FakeBitcoind node(*python_, log_, {"--busy", "1", "--busy-status", "500", "--busy-method", "getblock",
                                     "--reverse-batches"});
  const json& scenario = node.scenario();
  if (std::filesystem::is_directory(kRealData)) {
    ASSERT_EQ(scenario["source"], "real") << "the scenario must be built from the real transactions";
  }

  const CliResult first = ingest(node, {"--blocks", range(node)}, env());
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  const std::size_t blocks = scenario["range_blocks"].size();
  const std::size_t txs = scenario["range_txids"].size();
  EXPECT_THAT(first.out, HasSubstr(std::to_string(blocks) + " blocks (0 already stored)"));
  EXPECT_THAT(first.out, HasSubstr(", " + std::to_string(txs) + " transactions,"));
  EXPECT_THAT(first.out, HasSubstr(" 1 retries"));

  // Every transaction of every block, with the evidence record of its getblock response.
  std::set<std::string> sha256s;
  for (const json& block : scenario["range_blocks"]) {
    for (const json& txid : block["txids"]) {
      const std::optional<json> found = evidence(txid.get<std::string>());
      ASSERT_TRUE(found) << "not stored: " << txid;
      ASSERT_EQ((*found)["sources"].size(), 1u) << found->dump(2);
      const json& source = (*found)["sources"][0];
      EXPECT_EQ(source["kind"], "http");
      EXPECT_EQ(source["provider"], "bitcoind");
      EXPECT_EQ(source["locator"], node.endpoint() + " getblock " + block["hash"].get<std::string>());
      EXPECT_EQ(source["status"], 200);
      EXPECT_GT(source["bytes"].get<int>(), 500);
      EXPECT_EQ(source["sha256"].get<std::string>().size(), 64u);
      EXPECT_EQ(source["raw_kept"], false);
      sha256s.insert(source["sha256"].get<std::string>());
    }
  }
  EXPECT_EQ(sha256s.size(), blocks) << "one evidence record (response) per block";
  // Nothing outside the range: the block below (the parents) and the earlier real transaction.
  for (const json& txid : scenario["parents"]) {
    if (std::find(scenario["range_txids"].begin(), scenario["range_txids"].end(), txid) == scenario["range_txids"].end()) {
      EXPECT_FALSE(evidence(txid.get<std::string>())) << "stored although outside the range: " << txid;
    }
  }
  EXPECT_FALSE(evidence(scenario["outside_txid"].get<std::string>()));

  // Amounts exact to the satoshi: the wallet received 0.002 + 0.02 + 0.0002 + 0.001 + 0.001 BTC in the range.
  const CliResult summary = run_fundtrail({"--db", db_, "address", scenario["address"].get<std::string>(), "--format", "json"});
  ASSERT_EQ(summary.exit_code, 0) << summary.describe();
  const json wallet = json::parse(summary.out);
  ASSERT_EQ(wallet["assets"].size(), 1u) << wallet.dump(2);
  EXPECT_EQ(wallet["assets"][0]["asset"], "BTC");
  EXPECT_EQ(satoshi(wallet["assets"][0]["received"]), satoshi(scenario["received_in_range"])) << wallet.dump(2);
  if (scenario["source"] == "real") {
    EXPECT_EQ(scenario["address"], "n3HJbF1Ps5c9ZE3UvLyjGFDvyAfjzDEBkS");
    EXPECT_EQ(satoshi(wallet["assets"][0]["received"]), 2'420'000);  // from the real outputs' decimals
    for (const char* real : {"586c51dc94452aed9a373b0f52936c3e343c0db90f1155e985fd60e3c2e5c2b2",
                             "fda421ccdff7324a382067d1746f6a387132435de6af336a0ebbf3f720eaae4d",
                             "da28401c76d618e8c3b1c3e15dfe1c10d4b24875f23768f30bcc26c99b9c82d4"}) {
      EXPECT_TRUE(evidence(real)) << real;
    }
  }

  // What went over the wire: authenticated JSON-RPC 1.0, getblock with verbosity 3, one retry.
  std::vector<json> log = read_log(log_);
  for (const json& entry : log) {
    EXPECT_EQ(entry["auth"], "ok");
    for (const json& call : entry["calls"]) EXPECT_EQ(call["jsonrpc"], "1.0");
  }
  const std::vector<json> getblocks = calls_of(log, "getblock");
  EXPECT_EQ(getblocks.size(), blocks + 1) << "one per block plus the retried one";
  for (const json& call : getblocks) EXPECT_EQ(call["params"][1], 3);
  EXPECT_EQ(calls_of(log, "getblockhash").size(), blocks);

  // Rerun: every block is known, nothing is fetched or added.
  const std::size_t requests_before = log.size();
  const CliResult second = ingest(node, {"--blocks", range(node)}, env());
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_THAT(second.out, HasSubstr("0 blocks (" + std::to_string(blocks) + " already stored)"));
  EXPECT_THAT(second.out, HasSubstr(", 0 transactions, 0 new transfers"));
  log = read_log(log_);
  EXPECT_EQ(calls_of(log, "getblock").size(), blocks + 1) << "a stored block was fetched again";
  EXPECT_EQ(log.size(), requests_before + 1) << "only the getblockhash batch";
  const CliResult again = run_fundtrail({"--db", db_, "address", scenario["address"].get<std::string>(), "--format", "json"});
  EXPECT_EQ(json::parse(again.out), wallet);

  // The credentials are nowhere in the store.
  for (const std::string& file : {db_, db_ + "-wal"}) {
    const std::string bytes = read_file(file);
    EXPECT_EQ(bytes.find(kPassword), std::string::npos) << file;
    EXPECT_EQ(bytes.find(kUser), std::string::npos) << file;
  }
}

TEST_F(BitcoindCliTest, TxWithHopsFetchesTheParentsBreadthFirstAndIdempotently) {
  FakeBitcoind node(*python_, log_);
  const json& scenario = node.scenario();
  const std::string seed = scenario["seed"];

  const CliResult first = ingest(node, {"--tx", seed, "--hops", "2", "--direction", "in"}, env());
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_THAT(first.out, HasSubstr("3 transactions fetched (0 already stored)"));
  std::vector<std::string> stored{seed};
  for (const json& parent : scenario["parents"]) stored.push_back(parent);
  for (const std::string& txid : stored) {
    const std::optional<json> found = evidence(txid);
    ASSERT_TRUE(found) << "not stored: " << txid;
    EXPECT_EQ((*found)["sources"][0]["locator"], node.endpoint() + " getrawtransaction " + txid);
    EXPECT_EQ((*found)["sources"][0]["provider"], "bitcoind");
  }
  for (const json& grandparent : scenario["grandparents"]) {
    EXPECT_FALSE(evidence(grandparent.get<std::string>())) << "fetched beyond --hops 2: " << grandparent;
  }
  std::vector<json> log = read_log(log_);
  std::vector<json> raw = calls_of(log, "getrawtransaction");
  ASSERT_EQ(raw.size(), 3u);
  EXPECT_EQ(raw[0]["params"], json::array({seed, 2}));
  EXPECT_FALSE(calls_of(log, "getblockheader").empty()) << "heights come from getblockheader";

  // The same command again: everything is stored, nothing is fetched.
  const CliResult second = ingest(node, {"--tx", seed, "--hops", "2", "--direction", "in"}, env());
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_THAT(second.out, HasSubstr("0 transactions fetched (3 already stored)"));
  EXPECT_EQ(calls_of(read_log(log_), "getrawtransaction").size(), 3u);

  // One hop further: only the grandparents are fetched (the stored transactions give their inputs).
  const CliResult third = ingest(node, {"--tx", seed, "--hops", "3", "--direction", "in"}, env());
  ASSERT_EQ(third.exit_code, 0) << third.describe();
  const std::size_t grandparents = scenario["grandparents"].size();
  EXPECT_THAT(third.out, HasSubstr(std::to_string(grandparents) + " transactions fetched (3 already stored)"));
  for (const json& grandparent : scenario["grandparents"]) EXPECT_TRUE(evidence(grandparent.get<std::string>()));
  EXPECT_EQ(calls_of(read_log(log_), "getrawtransaction").size(), 3u + grandparents);
}

TEST_F(BitcoindCliTest, CookieFileAuthenticates) {
  FakeBitcoind node(*python_, log_);
  const std::string cookie = dir_ + "/node.cookie";
  std::ofstream(cookie) << kUser << ":" << kPassword;
  CliOptions options;
  options.unset_env = {"BITCOIND_RPC_USER", "BITCOIND_RPC_PASSWORD"};
  options.set_env = {"HOME=" + dir_};
  const std::string seed = node.scenario()["seed"];
  const CliResult result = ingest(node, {"--tx", seed, "--rpc-cookie", cookie}, options);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(evidence(seed));
  for (const json& entry : read_log(log_)) EXPECT_EQ(entry["auth"], "ok");
}

TEST_F(BitcoindCliTest, WrongPasswordIsAuthenticationFailedWithoutRetries) {
  FakeBitcoind node(*python_, log_);
  const CliResult result = ingest(node, {"--blocks", range(node)}, env("wrong-pass-77"));
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.err, HasSubstr("authentication failed"));
  EXPECT_THAT(result.err, Not(HasSubstr("wrong-pass-77")));
  const std::vector<json> log = read_log(log_);
  ASSERT_EQ(log.size(), 1u) << "a 401 is not retried";
  EXPECT_EQ(log[0]["auth"], "bad");
  EXPECT_EQ(log[0]["status"], 401);
}

TEST_F(BitcoindCliTest, NoCredentialsAtAllSaysHowToGiveThem) {
  FakeBitcoind node(*python_, log_);
  CliOptions options;
  options.unset_env = {"BITCOIND_RPC_USER", "BITCOIND_RPC_PASSWORD"};
  options.set_env = {"HOME=" + dir_};  // no .bitcoin/.cookie there
  const CliResult result = ingest(node, {"--tx", node.scenario()["seed"].get<std::string>()}, options);
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.err, HasSubstr("authentication failed"));
  EXPECT_THAT(result.err, HasSubstr("BITCOIND_RPC_USER"));
  ASSERT_EQ(read_log(log_).size(), 1u);
  EXPECT_EQ(read_log(log_)[0]["auth"], "none");
}

TEST_F(BitcoindCliTest, UnknownTransactionNamesTxindex) {
  FakeBitcoind node(*python_, log_);
  const std::string unknown(64, 'f');
  const CliResult result = ingest(node, {"--tx", unknown}, env());
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.err, HasSubstr("getrawtransaction " + unknown));
  EXPECT_THAT(result.err, HasSubstr("RPC error -5"));
  EXPECT_THAT(result.err, HasSubstr("needs -txindex or the transaction is unknown"));
  EXPECT_EQ(read_log(log_).size(), 1u) << "an RPC error (HTTP 500) is not retried";
}

TEST_F(BitcoindCliTest, HeightBeyondTheTipIsTheNodesError) {
  FakeBitcoind node(*python_, log_);
  const int tip = node.scenario()["tip"];
  const CliResult result = ingest(node, {"--blocks", std::to_string(tip) + ".." + std::to_string(tip + 1)}, env());
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.err, HasSubstr("getblockhash " + std::to_string(tip + 1) + ": RPC error -8: Block height out of range"));
}

TEST_F(BitcoindCliTest, UsageErrors) {
  // No server is needed: every one of these is refused before connecting (exit 2).
  const std::vector<std::vector<std::string>> cases{
      {"ingest", "mqbKtarYKnoEdPheFFDGRjksvEpb2vJGNh", "--provider", "bitcoind"},
      {"ingest", "--provider", "bitcoind"},
      {"ingest", "--provider", "bitcoind", "--blocks", "10..5"},
      {"ingest", "--provider", "bitcoind", "--blocks", "ten"},
      {"ingest", "--provider", "bitcoind", "--tx", "abc"},
      {"ingest", "--provider", "bitcoind", "--tx", std::string(64, 'a'), "--hops", "2"},
      {"ingest", "--provider", "bitcoind", "--blocks", "1..2", "--since", "2024-01-01"},
      {"ingest", "--provider", "bitcoind", "--blocks", "1..2", "--endpoint", "http://u:p@127.0.0.1:1"},
      {"ingest", "mqbKtarYKnoEdPheFFDGRjksvEpb2vJGNh", "--blocks", "1..2"},
      {"ingest", "mqbKtarYKnoEdPheFFDGRjksvEpb2vJGNh", "--tx", std::string(64, 'a')},
      {"ingest"},
  };
  for (std::vector<std::string> args : cases) {
    args.insert(args.begin(), {"--db", db_});
    const CliResult result = run_fundtrail(args, env());
    std::string shown;
    for (const auto& arg : args) shown += arg + " ";
    EXPECT_EQ(result.exit_code, 2) << shown << "\n" << result.describe();
  }
  const CliResult address = run_fundtrail(
      {"--db", db_, "ingest", "mqbKtarYKnoEdPheFFDGRjksvEpb2vJGNh", "--provider", "bitcoind"}, env());
  EXPECT_THAT(address.err, HasSubstr("no address index"));
  EXPECT_THAT(address.err, HasSubstr("--blocks"));
  EXPECT_THAT(address.err, HasSubstr("--tx"));
  const CliResult credentials = run_fundtrail(
      {"--db", db_, "ingest", "--provider", "bitcoind", "--blocks", "1..2", "--endpoint", "http://u:p4ss@127.0.0.1:1"},
      env());
  EXPECT_THAT(credentials.err, Not(HasSubstr("p4ss")));
  EXPECT_FALSE(std::filesystem::exists(db_)) << "a usage error must not create the store";
}

}  // namespace
}  // namespace fundtrail::cli
