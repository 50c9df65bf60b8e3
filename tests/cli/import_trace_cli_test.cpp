// `fundtrail import` and `fundtrail trace` end to end: the real binary on a temporary store.
//
// Golden file tests/data/golden/small_trace.json is the JSON trace of tests/data/small_case.csv. Regenerate it
// (only after checking the change by hand against docs/trace-semantics.md) with:
//   rm -f /tmp/small.db*
//   build/bin/fundtrail --db /tmp/small.db import tests/data/small_case.csv
//   build/bin/fundtrail --db /tmp/small.db trace TZFRNRPDy1ypWWcAbo8gwx7gHB65nWLpW1 --hops 3 --format json
//     > tests/data/golden/small_trace.json
//
// The small case (times on 2024-03-01 unless noted; S is the seed):
//   aa01 P->S 500 USDT 08:00        inflow: only a backward trace sees P
//   aa02 S->A 300 USDT + 1.5 TRX 10:00 (index 0 and 1)
//   aa03 S->B 150.5 USDT 11:00
//   aa04 A->E 20 USDT 09:00         before A received from S: decoy, never followed forward
//   aa05 A->C 299 USDT 12:00        (no block height)
//   aa06 B->C 150 USDT 12:00        same second as aa05
//   aa07 C->D 449 USDT 03-02 00:00  hop 3
//   aa08 D->G 449 USDT 03-03 00:00  hop 4: beyond --hops 3
//   aa09 C->S 0.000001 USDT 03-02 01:00   back to the seed
//   aa10 Q->A 5 USDT 02-28          inflow of A from an unrelated wallet
//   aa11 E->B 20 USDT 12:00         E pays B: E is upstream of B (backward), not downstream of S
// Forward, 3 hops: S(0) A(1, 10:00) B(1, 11:00) C(2, 12:00) D(3, 03-02 00:00); 7 edges
//   hop 1 aa02:0 aa02:1 aa03; hop 2 aa05 aa06; hop 3 aa07 aa09.
// Backward, 3 hops: P(1) C(1, dep 03-02 01:00) A(2) B(2) Q(3) E(3).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_runner.hpp"

namespace fundtrail::cli {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kSourceDir = FUNDTRAIL_SOURCE_DIR;
const std::string kDemoCsv = kSourceDir + "/data/demo/transfers.csv";
const std::string kRolesJson = kSourceDir + "/data/demo/roles.json";
const std::string kSmallCsv = kSourceDir + "/tests/data/small_case.csv";
const std::string kGolden = kSourceDir + "/tests/data/golden/small_trace.json";

// The small case's wallets (see the top of this file).
constexpr const char* kS = "TZFRNRPDy1ypWWcAbo8gwx7gHB65nWLpW1";
constexpr const char* kP = "TFmSMF6v66gKjxFsyF3ZkNn2ojcVcPw9HC";
constexpr const char* kA = "TBSbUPBieg8iYrLjhxM44kbTXxPp271kUZ";
constexpr const char* kB = "TU7ZhQfAes75YBSqzpWzyurMAwvXQ8XuHi";
constexpr const char* kC = "TM3DQ9R36SmJVpYjed3ckvUD2XRgDLemCK";
constexpr const char* kD = "TB6TTLGdNVDyrNBeT4NwojejE4tbWcnhNT";
constexpr const char* kE = "TLPKT2WL3PA9CsLmQx5nXU9rR6xCvCMssR";
constexpr const char* kQ = "TVGD2CD2bbrkytAPakGNsKF9AoYh3mzZQk";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json roles() { return nlohmann::json::parse(read_file(kRolesJson)); }
std::string role(const nlohmann::json& roles, const char* key) { return roles.at(key).get<std::string>(); }
std::string text(const nlohmann::json& value, const char* key) { return value.at(key).get<std::string>(); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) lines.push_back(line);
  return lines;
}

class ImportTraceCliTest : public ::testing::Test {
 protected:
  ImportTraceCliTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fundtrail-cli-trace-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    db_ = dir_ + "/case.db";
  }
  ~ImportTraceCliTest() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // fundtrail --db <temp store> args...
  CliResult ft(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_});
    return run_fundtrail(args);
  }

  void import_ok(const std::string& csv) {
    const CliResult result = ft({"import", csv});
    ASSERT_EQ(result.exit_code, 0) << result.describe();
  }

  nlohmann::json trace_json(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"trace"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--format", "json"});
    const CliResult result = ft(args);
    if (result.exit_code != 0) throw std::runtime_error("trace failed: " + result.describe());
    return nlohmann::json::parse(result.out);
  }

  std::string write_file(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
  }

  std::string dir_;
  std::string db_;
};

std::set<std::string> node_addresses(const nlohmann::json& trace) {
  std::set<std::string> result;
  for (const auto& node : trace.at("nodes")) result.insert(node.at("address").get<std::string>());
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// import

TEST_F(ImportTraceCliTest, ImportingTheDemoTwiceAddsNothingTheSecondTime) {
  const CliResult first = ft({"import", kDemoCsv});
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_THAT(first.out, AllOf(StartsWith("imported "), HasSubstr(kDemoCsv),
                               HasSubstr("445 rows, 445 new transfers, 0 duplicates skipped, 0 rejected")));
  EXPECT_EQ(lines_of(first.out).size(), 1u) << first.out;
  EXPECT_TRUE(std::filesystem::exists(db_ + ".graph")) << "import brings the graph snapshot up to date";
  EXPECT_TRUE(std::filesystem::exists(db_ + ".labels")) << "import brings the label index up to date";

  const CliResult second = ft({"import", kDemoCsv});
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_THAT(second.out, HasSubstr("445 rows, 0 new transfers, 445 duplicates skipped, 0 rejected"));
}

// --verbose times the stages of import and trace on stderr (where an investigator sees a slow command spend
// its time); stdout stays the data alone.
TEST_F(ImportTraceCliTest, VerboseTimesTheStagesOfImportAndTraceOnStderr) {
  const CliResult imported = ft({"--verbose", "import", kDemoCsv});
  ASSERT_EQ(imported.exit_code, 0) << imported.describe();
  EXPECT_THAT(imported.err, AllOf(HasSubstr("import: rows read, checked and written in"),
                                  HasSubstr("import: commit of 445 new transfers in"),
                                  HasSubstr("import: graph snapshot and label index brought up to date in"),
                                  HasSubstr("import: first load into a new case, written with a rollback journal"),
                                  HasSubstr("import: tx-hash index built in")));
  EXPECT_EQ(lines_of(imported.out).size(), 1u) << imported.out;
  const CliResult again = ft({"--verbose", "import", kSmallCsv});
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_THAT(again.err, Not(HasSubstr("rollback journal"))) << "a case with data is written through its WAL";

  const CliResult traced = ft({"--verbose", "trace", role(roles(), "seller_tron"), "--format", "json"});
  ASSERT_EQ(traced.exit_code, 0) << traced.describe();
  EXPECT_THAT(traced.err, AllOf(HasSubstr("trace: store and graph opened in"), HasSubstr("trace: traversal in"),
                                HasSubstr("trace: report built in"), HasSubstr("trace: written in")));
  // Each lap also counts the stage's page faults: fresh memory is what slows a cold trace on some machines.
  EXPECT_THAT(traced.err, ::testing::ContainsRegex("trace: traversal in [0-9]+\\.[0-9] ms, [0-9]+ page faults"));
  EXPECT_TRUE(nlohmann::json::accept(traced.out)) << "logs never reach stdout";
}

// The first import into a new case is written with a rollback journal, not the WAL (RollbackJournalScope).
// Killed at any moment (before, during or after its commit), the store is intact, back in WAL mode once
// opened, and a rerun ends with exactly the file's transfers.
TEST_F(ImportTraceCliTest, AFirstImportKilledAtAnyMomentIsRecoveredAndARerunCompletesIt) {
  const std::string sqlite3 = find_in_path("sqlite3");
  if (sqlite3.empty()) GTEST_FAIL() << "sqlite3 not found: tools/install-deps.sh installs it";
  constexpr int kRows = 300'000;  // about half a second of import
  std::string csv = "chain,tx_hash,timestamp,from,to,asset,amount,decimals\n";
  for (int i = 0; i < kRows; ++i) {
    csv += "generic,t" + std::to_string(i) + "," + std::to_string(1'700'000'000 + i) + ",acct-" +
           std::to_string(i % 5003) + ",acct-" + std::to_string((i * 7 + 1) % 4999) + ",EUR," + std::to_string(i) +
           ".25,2\n";
  }
  const std::string path = write_file("big.csv", csv);
  auto sql = [&](const std::string& statement) {
    const CliResult result = run_program(sqlite3, {db_, statement});
    EXPECT_EQ(result.exit_code, 0) << result.describe();
    return result.out;
  };
  for (const int delay_ms : {100, 300, 450, 800}) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal", ".graph", ".labels"})
      std::filesystem::remove(db_ + suffix);
    {
      const auto killed = start_fundtrail({"--db", db_, "import", path});
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      // Another command meanwhile opens the case and sees it as committed: empty before the import's
      // commit, complete after it; never a refused or "not a case store" error.
      const CliResult reader = ft({"address", "acct-1", "--chain", "generic"});
      if (reader.exit_code != 0) {
        EXPECT_EQ(reader.exit_code, 1) << reader.describe();
        EXPECT_THAT(reader.err, AnyOf(HasSubstr("is not in the store"), HasSubstr("no case store")))
            << "after " << delay_ms << " ms: " << reader.describe();
      }
      killed->send_signal(SIGKILL);
    }
    const CliResult rerun = ft({"import", path});
    ASSERT_EQ(rerun.exit_code, 0) << "killed after " << delay_ms << " ms: " << rerun.describe();
    const std::regex counts("(\\d+) new transfers, (\\d+) duplicates skipped, 0 rejected");
    std::smatch match;
    ASSERT_TRUE(std::regex_search(rerun.out, match, counts)) << rerun.out;
    EXPECT_EQ(std::stol(match[1]) + std::stol(match[2]), kRows) << "killed after " << delay_ms << " ms";
    EXPECT_TRUE(std::stol(match[1]) == 0 || std::stol(match[2]) == 0) << "all or nothing: " << rerun.out;
    EXPECT_EQ(sql("SELECT count(*) FROM transfers;"), std::to_string(kRows) + "\n");
    EXPECT_EQ(sql("PRAGMA integrity_check;"), "ok\n");
    EXPECT_EQ(sql("PRAGMA foreign_key_check;"), "");
    EXPECT_EQ(sql("PRAGMA journal_mode;"), "wal\n");
    EXPECT_FALSE(std::filesystem::exists(db_ + "-journal"));
  }
}

// The label index is a cache: when it cannot be written the import still succeeds (with a warning) and traces
// label their answers from the store.
TEST_F(ImportTraceCliTest, ALabelIndexThatCannotBeWrittenDoesNotFailTheImport) {
  std::filesystem::create_directory(db_ + ".labels");  // a directory where the file would go
  const CliResult imported = ft({"import", kDemoCsv});
  ASSERT_EQ(imported.exit_code, 0) << imported.describe();
  EXPECT_THAT(imported.err, HasSubstr("label index"));
  EXPECT_THAT(imported.out, HasSubstr("445 new transfers"));
  const std::string seller = role(roles(), "seller_tron");
  const CliResult traced = ft({"trace", seller, "--hops", "6", "--format", "json"});
  ASSERT_EQ(traced.exit_code, 0) << traced.describe();

  std::filesystem::remove(db_ + ".labels");
  ASSERT_EQ(ft({"import", kDemoCsv}).exit_code, 0);  // nothing new, but the index is written now
  EXPECT_TRUE(std::filesystem::is_regular_file(db_ + ".labels"));
  const CliResult indexed = ft({"trace", seller, "--hops", "6", "--format", "json"});
  EXPECT_EQ(indexed.out, traced.out);
}

TEST_F(ImportTraceCliTest, InvalidRowImportsNothingAndNamesLineAndColumn) {
  import_ok(kSmallCsv);
  const CliResult before = ft({"trace", kS, "--hops", "6", "--format", "json"});
  ASSERT_EQ(before.exit_code, 0) << before.describe();

  // Line 2 is valid and new (S pays G); line 3 has an amount with more decimals than USDT's 6.
  const std::string bad = write_file("bad.csv",
                                     "chain,tx_hash,timestamp,from,to,asset,amount\n"
                                     "tron,bb01,2024-03-05T00:00:00Z," +
                                         std::string(kS) +
                                         ",TX6uqNd2SBBnxEJA8G41bjefa4BBxZfgiZ,USDT,7\n"
                                         "tron,bb02,2024-03-05T00:00:00Z," +
                                         std::string(kS) + "," + kA + ",USDT,1.0000001\n");
  const CliResult result = ft({"import", bad});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.err, AllOf(HasSubstr(bad + ":3"), HasSubstr("column amount"), HasSubstr("1.0000001"),
                                HasSubstr("nothing imported")));
  EXPECT_THAT(result.out, IsEmpty());

  const CliResult after = ft({"trace", kS, "--hops", "6", "--format", "json"});
  ASSERT_EQ(after.exit_code, 0) << after.describe();
  EXPECT_EQ(after.out, before.out) << "the rejected file changed the store";

  // --skip-invalid imports the valid row.
  const CliResult skipped = ft({"import", "--skip-invalid", bad});
  EXPECT_EQ(skipped.exit_code, 0) << skipped.describe();
  EXPECT_THAT(skipped.out, HasSubstr("2 rows, 1 new transfers, 0 duplicates skipped, 1 rejected"));
  EXPECT_THAT(skipped.err, HasSubstr(bad + ":3"));
}

// A row refused when written (another transfer already holds its transaction and index) leaves nothing behind
// with --skip-invalid: the wallet only it named is not in the store afterwards, for `address` as for `trace`.
TEST_F(ImportTraceCliTest, ARowRefusedWithSkipInvalidLeavesNoWalletBehind) {
  const std::string header = "chain,tx_hash,timestamp,from,to,asset,amount\n";
  const std::string only_named_by_the_refused_row = "TX6uqNd2SBBnxEJA8G41bjefa4BBxZfgiZ";
  import_ok(write_file("first.csv", header + "tron,cc01,2024-03-06T00:00:00Z," + kS + "," + kA + ",USDT,1\n"));
  const std::string second =
      write_file("second.csv", header + "tron,cc01,2024-03-06T00:00:00Z," + only_named_by_the_refused_row + "," + kA +
                                   ",USDT,1\n" + "tron,cc02,2024-03-06T01:00:00Z," + kS + "," + kA + ",USDT,2\n");
  const CliResult skipped = ft({"import", "--skip-invalid", second});
  ASSERT_EQ(skipped.exit_code, 0) << skipped.describe();
  EXPECT_THAT(skipped.out, HasSubstr("2 rows, 1 new transfers, 0 duplicates skipped, 1 rejected"));
  EXPECT_THAT(skipped.err, AllOf(HasSubstr(second + ":2"), HasSubstr("different")));
  for (const std::string command : {"address", "trace"}) {
    const CliResult looked_up = ft({command, only_named_by_the_refused_row});
    EXPECT_EQ(looked_up.exit_code, 1) << looked_up.describe();
    EXPECT_THAT(looked_up.err, HasSubstr("not in the store")) << command;
  }
  EXPECT_EQ(ft({"address", kS}).exit_code, 0);
}

TEST_F(ImportTraceCliTest, ImportOfAMissingFileFails) {
  const CliResult result = ft({"import", dir_ + "/nope.csv"});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.err, AllOf(StartsWith("error: "), HasSubstr("nope.csv")));
}

// ---------------------------------------------------------------------------------------------------------
// trace on the demo case

class DemoTraceCliTest : public ImportTraceCliTest {
 protected:
  void SetUp() override { import_ok(kDemoCsv); }
};

TEST_F(DemoTraceCliTest, SixHopsFromTheSellerReachExactlyTheLaunderingChain) {
  const nlohmann::json r = roles();
  const std::string seller = role(r, "seller_tron");
  std::set<std::string> expected{seller,
                                 role(r, "broker_tron"),
                                 role(r, "commission_wallet"),
                                 role(r, "organiser"),
                                 role(r, "exchanger"),
                                 role(r, "decoy_late_mule"),
                                 role(r, "hot_wallet")};
  for (const auto& key : {"mules", "consolidators", "deposit_addresses"}) {
    for (const auto& address : r.at(key)) expected.insert(address.get<std::string>());
  }
  ASSERT_EQ(expected.size(), 25u) << "roles.json changed";

  const nlohmann::json trace = trace_json({seller, "--hops", "6"});
  EXPECT_EQ(node_addresses(trace), expected);
  EXPECT_EQ(trace.at("summary").at("nodes"), 25);
  EXPECT_EQ(trace.at("summary").at("nodes"), trace.at("nodes").size());
  EXPECT_EQ(trace.at("summary").at("edges"), trace.at("edges").size());
  for (const auto& key :
       {"decoy_early_payee", "decoy_early_payee_onward", "decoy_late_mule_prior_recipient", "fee_funder"}) {
    EXPECT_EQ(node_addresses(trace).count(role(r, key)), 0u) << key << " must not be reached";
  }
  EXPECT_EQ(trace.at("seed"), seller);
  EXPECT_EQ(trace.at("nodes").at(0).at("address"), seller);
  EXPECT_EQ(trace.at("nodes").at(0).at("direction"), "seed");
  EXPECT_EQ(trace.at("nodes").at(0).at("hop"), 0);
  EXPECT_EQ(trace.at("hops"), 6);
  EXPECT_EQ(trace.at("time_order"), true);

  const std::regex decimal("(0|[1-9][0-9]*)(\\.[0-9]*[1-9])?");
  const std::regex iso("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z");
  for (const auto& edge : trace.at("edges")) {
    ASSERT_TRUE(edge.at("amount").is_string()) << edge.dump();
    EXPECT_TRUE(std::regex_match(edge.at("amount").get<std::string>(), decimal)) << edge.dump();
    EXPECT_TRUE(std::regex_match(edge.at("timestamp").get<std::string>(), iso)) << edge.dump();
    EXPECT_EQ(edge.at("direction"), "out");
    EXPECT_GE(edge.at("hop").get<int>(), 1);
    EXPECT_LE(edge.at("hop").get<int>(), 6);
  }
  for (const auto& node : trace.at("nodes")) {
    if (node.at("reached").is_null()) {
      EXPECT_EQ(node.at("direction"), "seed");
      continue;
    }
    EXPECT_TRUE(std::regex_match(node.at("reached").get<std::string>(), iso)) << node.dump();
    for (const auto& total : node.at("received")) {
      EXPECT_TRUE(std::regex_match(total.at("amount").get<std::string>(), decimal)) << node.dump();
    }
  }
  // Hops of the chain: S(0) -> B(1) -> X(2) -> mules(3) -> consolidators(4) -> deposits(5) -> hot wallet(6).
  std::map<std::string, int> hop;
  for (const auto& node : trace.at("nodes")) hop[text(node, "address")] = node.at("hop").get<int>();
  EXPECT_EQ(hop[role(r, "broker_tron")], 1);
  EXPECT_EQ(hop[role(r, "exchanger")], 2);
  EXPECT_EQ(hop[role(r, "commission_wallet")], 2);
  EXPECT_EQ(hop[role(r, "organiser")], 3);
  EXPECT_EQ(hop[role(r, "hot_wallet")], 6);
}

TEST_F(DemoTraceCliTest, OutputIsByteIdenticalAcrossRunsAndSnapshotRebuilds) {
  const std::string seller = role(roles(), "seller_tron");
  const std::vector<std::string> args{"trace", seller, "--hops", "6", "--format", "json"};
  const CliResult first = ft(args);
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  const CliResult second = ft(args);
  EXPECT_EQ(second.out, first.out);
  std::filesystem::remove(db_ + ".graph");
  const CliResult rebuilt = ft(args);
  EXPECT_EQ(rebuilt.out, first.out) << "a rebuilt snapshot changed the output";
  const CliResult csv1 = ft({"trace", seller, "--hops", "6", "--format", "csv"});
  const CliResult csv2 = ft({"trace", seller, "--hops", "6", "--format", "csv"});
  EXPECT_EQ(csv1.out, csv2.out);
  const CliResult table1 = ft({"trace", seller, "--hops", "6"});
  const CliResult table2 = ft({"trace", seller, "--hops", "6"});
  EXPECT_EQ(table1.out, table2.out);
}

// Labels come from the label index beside the store when it is current and from the store otherwise (missing,
// or written before the last import): the output is the same byte for byte.
TEST_F(DemoTraceCliTest, LabelsFromTheIndexOrFromTheStoreGiveTheSameOutput) {
  const std::string seller = role(roles(), "seller_tron");
  const std::vector<std::string> args{"trace", seller, "--hops", "6", "--format", "json"};
  const std::string old_labels = dir_ + "/old.labels";
  std::filesystem::copy_file(db_ + ".labels", old_labels);

  // A late payment from the seller to a wallet the demo never saw.
  const std::string newcomer = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
  const std::string late_hash = std::string(63, 'e') + "1";
  import_ok(write_file("late.csv", "chain,tx_hash,timestamp,from,to,asset,amount\ntron," + late_hash +
                                       ",2030-01-01T00:00:00Z," + seller + "," + newcomer + ",USDT,1.5\n"));
  const CliResult indexed = ft(args);
  ASSERT_EQ(indexed.exit_code, 0) << indexed.describe();
  EXPECT_THAT(indexed.out, AllOf(HasSubstr(newcomer), HasSubstr(late_hash)));
  const CliResult verbose = ft({"--verbose", "trace", seller, "--hops", "6", "--format", "json"});
  EXPECT_THAT(verbose.err, Not(HasSubstr("labels come from the store")));

  std::filesystem::copy_file(old_labels, db_ + ".labels", std::filesystem::copy_options::overwrite_existing);
  const CliResult stale = ft({"--verbose", "trace", seller, "--hops", "6", "--format", "json"});
  ASSERT_EQ(stale.exit_code, 0) << stale.describe();
  EXPECT_EQ(stale.out, indexed.out) << "labels read from an index older than the store";
  EXPECT_THAT(stale.err, HasSubstr("labels come from the store"));

  std::filesystem::remove(db_ + ".labels");
  const CliResult missing = ft(args);
  ASSERT_EQ(missing.exit_code, 0) << missing.describe();
  EXPECT_EQ(missing.out, indexed.out);
}

TEST_F(DemoTraceCliTest, WithoutTimeOrderTheDecoysAreReached) {
  const nlohmann::json r = roles();
  const nlohmann::json trace = trace_json({role(r, "seller_tron"), "--hops", "6", "--no-time-order"});
  const auto reached = node_addresses(trace);
  for (const auto& key : {"decoy_early_payee", "decoy_early_payee_onward", "decoy_late_mule_prior_recipient"}) {
    EXPECT_EQ(reached.count(role(r, key)), 1u) << key;
  }
  EXPECT_EQ(trace.at("time_order"), false);
  for (const auto& node : trace.at("nodes")) EXPECT_TRUE(node.at("reached").is_null()) << node.dump();
  // Everything the time-ordered trace reaches is reached here too.
  const nlohmann::json timed = trace_json({role(r, "seller_tron"), "--hops", "6"});
  for (const auto& address : node_addresses(timed)) EXPECT_EQ(reached.count(address), 1u) << address;
}

TEST_F(DemoTraceCliTest, CsvFormatHasTheHeaderAndOneLinePerEdge) {
  const std::string seller = role(roles(), "seller_tron");
  const nlohmann::json trace = trace_json({seller, "--hops", "6"});
  const CliResult csv = ft({"trace", seller, "--hops", "6", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.describe();
  const auto lines = lines_of(csv.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "direction,hop,timestamp,tx_hash,index,from,to,asset,amount,block_height,contract");
  EXPECT_EQ(lines.size(), 1 + trace.at("edges").size());
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& edge = trace.at("edges").at(i - 1);
    const std::string expected = "out," + std::to_string(edge.at("hop").get<int>()) + "," +
                                 edge.at("timestamp").get<std::string>() + "," + edge.at("tx_hash").get<std::string>() +
                                 "," + std::to_string(edge.at("index").get<int>()) + "," +
                                 edge.at("from").get<std::string>() + "," + edge.at("to").get<std::string>() + "," +
                                 edge.at("asset").get<std::string>() + "," + edge.at("amount").get<std::string>() + ",";
    EXPECT_THAT(lines[i], StartsWith(expected)) << "line " << i + 1;
  }
}

TEST_F(DemoTraceCliTest, BothDirectionsMarkEveryNode) {
  const nlohmann::json r = roles();
  const nlohmann::json trace = trace_json({role(r, "broker_tron"), "--hops", "2", "--direction", "both"});
  std::map<std::string, std::string> direction;
  for (const auto& node : trace.at("nodes")) direction[text(node, "address")] = text(node, "direction");
  EXPECT_EQ(direction[role(r, "broker_tron")], "seed");
  EXPECT_EQ(direction[role(r, "seller_tron")], "in");
  EXPECT_EQ(direction[role(r, "exchanger")], "out");
  EXPECT_EQ(direction[role(r, "commission_wallet")], "out");
  for (const auto& [address, value] : direction) {
    EXPECT_TRUE(value == "seed" || value == "out" || value == "in" || value == "both") << address << " " << value;
  }
  EXPECT_EQ(trace.at("direction"), "both");
}

// ---------------------------------------------------------------------------------------------------------
// trace on the small case: golden output and both directions

TEST_F(ImportTraceCliTest, SmallCaseTraceMatchesTheGoldenJson) {
  import_ok(kSmallCsv);
  const CliResult result = ft({"trace", kS, "--hops", "3", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(result.out, read_file(kGolden)) << "see the top of this file to regenerate after a deliberate change";
}

TEST_F(ImportTraceCliTest, SmallCaseBothDirections) {
  import_ok(kSmallCsv);
  const nlohmann::json trace = trace_json({kS, "--hops", "3", "--direction", "both"});
  std::map<std::string, std::pair<std::string, int>> nodes;
  for (const auto& node : trace.at("nodes")) {
    nodes[text(node, "address")] = {text(node, "direction"), node.at("hop").get<int>()};
  }
  using Mark = std::pair<std::string, int>;
  EXPECT_EQ(nodes, (std::map<std::string, Mark>{{kS, {"seed", 0}},
                                                {kA, {"both", 1}},
                                                {kB, {"both", 1}},
                                                {kC, {"both", 1}},  // forward hop 2, backward hop 1
                                                {kD, {"out", 3}},
                                                {kP, {"in", 1}},
                                                {kE, {"in", 3}},
                                                {kQ, {"in", 3}}}));
  EXPECT_EQ(trace.at("nodes").at(0).at("address"), kS);

  std::map<std::string, std::string> edge_direction;
  for (const auto& edge : trace.at("edges")) {
    edge_direction[edge.at("tx_hash").get<std::string>() + ":" + std::to_string(edge.at("index").get<int>())] =
        text(edge, "direction");
  }
  EXPECT_EQ(edge_direction, (std::map<std::string, std::string>{{"aa01:0", "in"},
                                                                {"aa02:0", "both"},
                                                                {"aa02:1", "both"},
                                                                {"aa03:0", "both"},
                                                                {"aa05:0", "both"},
                                                                {"aa06:0", "both"},
                                                                {"aa07:0", "out"},
                                                                {"aa09:0", "both"},
                                                                {"aa10:0", "in"},
                                                                {"aa11:0", "in"}}));
}

TEST_F(ImportTraceCliTest, BackwardTraceOfTheSmallCase) {
  import_ok(kSmallCsv);
  const nlohmann::json trace = trace_json({kS, "--hops", "3", "--direction", "in"});
  EXPECT_EQ(node_addresses(trace), (std::set<std::string>{kS, kP, kC, kA, kB, kQ, kE}));
  std::map<std::string, nlohmann::json> reached;
  for (const auto& node : trace.at("nodes")) reached[text(node, "address")] = node.at("reached");
  EXPECT_EQ(reached[kC], "2024-03-02T01:00:00Z");
  EXPECT_EQ(reached[kP], "2024-03-01T08:00:00Z");
  EXPECT_EQ(reached[kA], "2024-03-01T12:00:00Z");
}

// ---------------------------------------------------------------------------------------------------------
// errors and usage

TEST_F(ImportTraceCliTest, UnknownAddressIsARuntimeError) {
  import_ok(kSmallCsv);
  const std::string seller = role(roles(), "seller_tron");  // valid, but not in the small case
  const CliResult result = ft({"trace", seller});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.err, AllOf(StartsWith("error: "), HasSubstr(seller), HasSubstr("not in the store")));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(ImportTraceCliTest, InvalidAddressNamesTheReason) {
  import_ok(kSmallCsv);
  std::string bad = kS;
  bad.back() = bad.back() == '1' ? '2' : '1';
  const CliResult tron = ft({"trace", bad, "--chain", "tron"});
  EXPECT_EQ(tron.exit_code, 1) << tron.describe();
  EXPECT_THAT(tron.err, AllOf(HasSubstr(bad), HasSubstr("bad checksum")));

  // EIP-55's own example with the case of its last letter flipped.
  const CliResult eth = ft({"trace", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "--chain", "eth"});
  EXPECT_EQ(eth.exit_code, 1) << eth.describe();
  EXPECT_THAT(eth.err, HasSubstr("EIP-55 checksum mismatch"));
}

TEST_F(ImportTraceCliTest, BadOptionsAreUsageErrors) {
  import_ok(kSmallCsv);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"trace", kS, "--hops", "0"},
           {"trace", kS, "--hops", "65"},
           {"trace", kS, "--hops", "three"},
           {"trace", kS, "--direction", "sideways"},
           {"trace", kS, "--format", "xml"},
           {"trace", kS, "--since", "yesterday"},
           {"trace", kS, "--since", "2024-03-02", "--until", "2024-03-01"},
           {"trace"},
           {"frobnicate"},
       }) {
    const CliResult result = ft(args);
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    EXPECT_EQ(result.exit_code, 2) << joined << "\n" << result.describe();
    EXPECT_FALSE(result.err.empty()) << joined;
    EXPECT_THAT(result.out, IsEmpty()) << joined;
  }
  const CliResult hops = ft({"trace", kS, "--hops", "0"});
  EXPECT_THAT(hops.err, HasSubstr("--hops"));
  const CliResult direction = ft({"trace", kS, "--direction", "sideways"});
  EXPECT_THAT(direction.err, HasSubstr("sideways"));
}

TEST_F(ImportTraceCliTest, MissingStoreIsAnErrorAndIsNotCreated) {
  const CliResult result = ft({"trace", kS});
  EXPECT_EQ(result.exit_code, 1) << result.describe();
  EXPECT_THAT(result.err, AllOf(StartsWith("error: "), HasSubstr(db_), HasSubstr("no case store")));
  EXPECT_FALSE(std::filesystem::exists(db_));
}

TEST_F(ImportTraceCliTest, VersionAndHelp) {
  const CliResult version = run_fundtrail({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.describe();
  EXPECT_EQ(version.out, "fundtrail 0.1.0\n");

  const CliResult help = run_fundtrail({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.describe();
  EXPECT_THAT(help.out, AllOf(HasSubstr("import"), HasSubstr("trace"), HasSubstr("--db"), HasSubstr("--version")));

  const CliResult trace_help = run_fundtrail({"trace", "--help"});
  EXPECT_EQ(trace_help.exit_code, 0) << trace_help.describe();
  EXPECT_THAT(trace_help.out, AllOf(HasSubstr("--hops"), HasSubstr("--direction"), HasSubstr("--since"),
                                    HasSubstr("--until"), HasSubstr("--asset"), HasSubstr("--min-amount"),
                                    HasSubstr("--no-time-order"), HasSubstr("--format"), HasSubstr("--chain")));

  const CliResult import_help = run_fundtrail({"import", "--help"});
  EXPECT_EQ(import_help.exit_code, 0) << import_help.describe();
  EXPECT_THAT(import_help.out, AllOf(HasSubstr("--skip-invalid"), HasSubstr("chain,tx_hash,timestamp")));
}

}  // namespace
}  // namespace fundtrail::cli
