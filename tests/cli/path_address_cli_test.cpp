// `fundtrail path` and `fundtrail address` end to end: the real binary against the imported demo case.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/multiprecision/cpp_int.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"
#include "fundtrail/core/address.hpp"

namespace fundtrail::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using BigInt = boost::multiprecision::cpp_int;

const std::string kDemoDir = std::string(FUNDTRAIL_SOURCE_DIR) + "/data/demo";

// Display decimal -> integer in units of 10^-kScale, exactly; the demo's amounts have at most 8 decimals.
constexpr int kScale = 30;
BigInt scaled(const std::string& text) {
  const auto point = text.find('.');
  const std::string whole = text.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : text.substr(point + 1);
  if (whole.empty() || whole.find_first_not_of("0123456789") != std::string::npos ||
      fraction.find_first_not_of("0123456789") != std::string::npos || fraction.size() > kScale) {
    throw std::runtime_error("not a plain decimal: '" + text + "'");
  }
  fraction.append(kScale - fraction.size(), '0');
  return BigInt(whole + fraction);
}

struct CsvRow {
  std::map<std::string, std::string> field;
  const std::string& operator[](const std::string& name) const { return field.at(name); }
};

std::vector<CsvRow> read_demo_csv() {
  std::ifstream in(kDemoDir + "/transfers.csv");
  if (!in) throw std::runtime_error("cannot read the demo CSV");
  auto split = [](const std::string& line) {
    std::vector<std::string> parts;
    std::stringstream stream(line);
    std::string part;
    while (std::getline(stream, part, ',')) parts.push_back(part);
    if (!line.empty() && line.back() == ',') parts.emplace_back();
    return parts;
  };
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  std::vector<CsvRow> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> parts = split(line);
    if (parts.size() != header.size()) throw std::runtime_error("demo CSV row with a wrong field count: " + line);
    CsvRow row;
    for (std::size_t i = 0; i < header.size(); ++i) row.field[header[i]] = parts[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

class PathAddressCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fundtrail-cli-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    db_ = dir_ + "/case.db";
    std::ifstream roles_file(kDemoDir + "/roles.json");
    roles_ = nlohmann::json::parse(roles_file);
    import_ = run_fundtrail({"--db", db_, "-q", "import", kDemoDir + "/transfers.csv"});
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void SetUp() override { ASSERT_EQ(import_.exit_code, 0) << "demo import failed: " << import_.describe(); }

  static CliResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_});
    return run_fundtrail(args);
  }

  static nlohmann::json json_of(const CliResult& result) {
    try {
      return nlohmann::json::parse(result.out);
    } catch (const nlohmann::json::exception& error) {
      ADD_FAILURE() << "stdout is not JSON (" << error.what() << "): " << result.describe();
      return nlohmann::json::object();
    }
  }

  static std::string role(const std::string& name) { return roles_.at(name).get<std::string>(); }

  static std::string dir_;
  static std::string db_;
  static nlohmann::json roles_;
  static CliResult import_;
};

std::string PathAddressCliTest::dir_;
std::string PathAddressCliTest::db_;
nlohmann::json PathAddressCliTest::roles_;
CliResult PathAddressCliTest::import_;

TEST_F(PathAddressCliTest, BrokerReachesOrganiserOnlyThroughTheCommissionWallet) {
  const CliResult result = run({"path", role("broker_tron"), role("organiser"), "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const nlohmann::json json = json_of(result);
  EXPECT_EQ(json["from"], role("broker_tron"));
  EXPECT_EQ(json["to"], role("organiser"));
  EXPECT_EQ(json["chain"], "tron");
  EXPECT_EQ(json["max_hops"], 6);
  EXPECT_EQ(json["limit"], 5);
  EXPECT_EQ(json["time_order"], true);
  EXPECT_EQ(json["truncated"], false);
  // O is paid only by F, and F only by B: exactly one route, and no direct B -> O transfer.
  ASSERT_EQ(json["paths"].size(), 1u) << result.out;
  const nlohmann::json& path = json["paths"][0];
  EXPECT_EQ(path["hops"], 2);
  EXPECT_EQ(path["wallets"],
            nlohmann::json::array({role("broker_tron"), role("commission_wallet"), role("organiser")}));
  ASSERT_EQ(path["transfers"].size(), 2u);
  // The witness is the earliest chain: B's first commission payment, then F's first payment after it.
  const nlohmann::json& first = path["transfers"][0];
  EXPECT_EQ(first["from"], role("broker_tron"));
  EXPECT_EQ(first["to"], role("commission_wallet"));
  EXPECT_EQ(first["timestamp"], "2024-02-12T22:12:54Z");
  EXPECT_EQ(first["amount"], "1206.5");
  EXPECT_EQ(first["asset"], "USDT");
  EXPECT_EQ(first["tx_hash"], "2ac9094824eeb4c48491ebcbcfd1cc960dcebacd45aaa022de485a14e6227c98");
  EXPECT_EQ(first["index"], 0);
  EXPECT_EQ(first["block_height"], 59303458);
  const nlohmann::json& second = path["transfers"][1];
  EXPECT_EQ(second["from"], role("commission_wallet"));
  EXPECT_EQ(second["to"], role("organiser"));
  EXPECT_EQ(second["timestamp"], "2024-02-21T04:49:09Z");
  EXPECT_EQ(second["amount"], "2241");
}

TEST_F(PathAddressCliTest, TableShowsOneBlockPerPath) {
  const CliResult result = run({"path", role("broker_tron"), role("organiser")});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("Path 1: 2 hops"));
  EXPECT_THAT(result.out, HasSubstr(role("broker_tron") + " -> " + role("commission_wallet") + " -> " + role("organiser")));
  EXPECT_THAT(result.out, HasSubstr("1206.5 USDT"));
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(PathAddressCliTest, UnconnectedWalletsHaveNoPath) {
  // O never pays anyone, so nothing leads from it back to B.
  const CliResult table = run({"path", role("organiser"), role("broker_tron")});
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_THAT(table.out, HasSubstr("no path found"));

  const CliResult json = run({"path", role("organiser"), role("broker_tron"), "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.describe();
  EXPECT_TRUE(json_of(json)["paths"].empty()) << json.out;
  EXPECT_EQ(json_of(json)["truncated"], false);
}

TEST_F(PathAddressCliTest, TheEarlyPayeeDecoyIsLinkedOnlyIgnoringTime) {
  // B paid E_early before S's money reached B: S -> B -> E_early exists only without time order.
  const CliResult timed = run({"path", role("seller_tron"), role("decoy_early_payee")});
  ASSERT_EQ(timed.exit_code, 0) << timed.describe();
  EXPECT_THAT(timed.out, HasSubstr("no path found"));

  const CliResult plain = run({"path", role("seller_tron"), role("decoy_early_payee"), "--no-time-order", "--format", "json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.describe();
  const nlohmann::json json = json_of(plain);
  EXPECT_EQ(json["time_order"], false);
  ASSERT_FALSE(json["paths"].empty()) << plain.out;
  EXPECT_EQ(json["paths"][0]["wallets"],
            nlohmann::json::array({role("seller_tron"), role("broker_tron"), role("decoy_early_payee")}));
}

TEST_F(PathAddressCliTest, PathFiltersApply) {
  // F's only payments to O are in USDT after 2024-02-21: a window ending before them cuts the link.
  const CliResult cut = run({"path", role("broker_tron"), role("organiser"), "--until", "2024-02-20T00:00:00Z"});
  ASSERT_EQ(cut.exit_code, 0) << cut.describe();
  EXPECT_THAT(cut.out, HasSubstr("no path found"));
  // A window starting after the first commission payment moves the witness to the next one (2024-02-19).
  const CliResult later =
      run({"path", role("broker_tron"), role("organiser"), "--since", "2024-02-13", "--asset", "USDT", "--format", "json"});
  ASSERT_EQ(later.exit_code, 0) << later.describe();
  const nlohmann::json json = json_of(later);
  ASSERT_EQ(json["paths"].size(), 1u) << later.out;
  EXPECT_EQ(json["paths"][0]["transfers"][0]["timestamp"], "2024-02-19T23:01:00Z");
}

TEST_F(PathAddressCliTest, AddressTotalsEqualTheCsvSums) {
  const std::string exchanger = role("exchanger");
  const CliResult result = run({"address", exchanger, "--format", "json", "--top", "1000"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const nlohmann::json json = json_of(result);

  struct Expected {
    BigInt received, sent;
    int in = 0, out = 0;
    std::map<std::string, std::pair<BigInt, BigInt>> by_counterparty;  // received from, sent to
  };
  std::map<std::string, Expected> expected;  // by asset symbol
  std::set<std::string> counterparties;
  std::string first_seen = "9999", last_seen;
  int in = 0, out = 0;
  for (const CsvRow& row : read_demo_csv()) {
    const bool receives = row["to"] == exchanger;
    const bool sends = row["from"] == exchanger;
    if (!receives && !sends) continue;
    Expected& asset = expected[row["asset"]];
    const BigInt amount = scaled(row["amount"]);
    if (receives) {
      asset.received += amount;
      ++asset.in;
      ++in;
      asset.by_counterparty[row["from"]].first += amount;
      counterparties.insert(row["from"]);
    }
    if (sends) {
      asset.sent += amount;
      ++asset.out;
      ++out;
      asset.by_counterparty[row["to"]].second += amount;
      counterparties.insert(row["to"]);
    }
    first_seen = std::min(first_seen, row["timestamp"]);  // ISO-8601 'Z' text sorts like time
    last_seen = std::max(last_seen, row["timestamp"]);
  }
  ASSERT_FALSE(expected.empty()) << "the exchanger is missing from the demo CSV";

  EXPECT_EQ(json["address"], exchanger);
  EXPECT_EQ(json["chain"], "tron");
  EXPECT_EQ(json["first_seen"], first_seen);
  EXPECT_EQ(json["last_seen"], last_seen);
  EXPECT_EQ(json["transfers"]["in"], in);
  EXPECT_EQ(json["transfers"]["out"], out);
  EXPECT_EQ(json["counterparties"], counterparties.size());
  ASSERT_EQ(json["assets"].size(), expected.size()) << result.out;
  for (const nlohmann::json& asset : json["assets"]) {
    const std::string symbol = asset["asset"].get<std::string>();
    ASSERT_EQ(expected.count(symbol), 1u) << symbol;
    const Expected& want = expected.at(symbol);
    SCOPED_TRACE(symbol);
    EXPECT_EQ(scaled(asset["received"].get<std::string>()), want.received) << asset["received"];
    EXPECT_EQ(scaled(asset["sent"].get<std::string>()), want.sent) << asset["sent"];
    EXPECT_EQ(asset["transfers_in"], want.in);
    EXPECT_EQ(asset["transfers_out"], want.out);
    EXPECT_EQ(asset["counterparties"], want.by_counterparty.size());
    ASSERT_EQ(asset["top_counterparties"].size(), want.by_counterparty.size());
    BigInt previous_total = -1;
    for (const nlohmann::json& entry : asset["top_counterparties"]) {
      const std::string address = entry["address"].get<std::string>();
      ASSERT_EQ(want.by_counterparty.count(address), 1u) << address;
      const auto& [received_from, sent_to] = want.by_counterparty.at(address);
      EXPECT_EQ(scaled(entry["received_from"].get<std::string>()), received_from) << address;
      EXPECT_EQ(scaled(entry["sent_to"].get<std::string>()), sent_to) << address;
      const BigInt total = received_from + sent_to;
      if (previous_total >= 0) {
        EXPECT_LE(total, previous_total) << address << " is ranked above a larger total";
      }
      previous_total = total;
    }
  }
}

TEST_F(PathAddressCliTest, AddressTableListsTheTopCounterparties) {
  const CliResult result = run({"address", role("exchanger"), "--top", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_THAT(result.out, HasSubstr("Address " + role("exchanger") + " (tron)"));
  // B sent X all of its 68,789.5 USDT: by far the largest counterparty.
  EXPECT_THAT(result.out, HasSubstr(role("broker_tron") + "  68789.5 / 0"));
}

TEST_F(PathAddressCliTest, UnknownAddressExitsOneWithAMessage) {
  // A valid TRON address (the zero account) that the demo case never mentions.
  const std::string unknown = core::tron_hex_to_base58("41" + std::string(40, '0'));
  const CliResult address = run({"address", unknown});
  EXPECT_EQ(address.exit_code, 1) << address.describe();
  EXPECT_THAT(address.err, HasSubstr(unknown));
  EXPECT_THAT(address.err, HasSubstr("not in the store"));
  EXPECT_THAT(address.out, IsEmpty());

  const CliResult path = run({"path", role("broker_tron"), unknown});
  EXPECT_EQ(path.exit_code, 1) << path.describe();
  EXPECT_THAT(path.err, HasSubstr(unknown));
  EXPECT_THAT(path.err, HasSubstr("not in the store"));
}

TEST_F(PathAddressCliTest, UsageErrorsExitTwo) {
  const std::string b = role("broker_tron");
  const std::string o = role("organiser");
  const std::vector<std::vector<std::string>> bad = {
      {"path", b, o, "--max-hops", "0"},
      {"path", b, o, "--limit", "0"},
      {"path", b, o, "--format", "csv"},
      {"path", b, o, "--bogus"},
      {"path", b},
      {"path", b, b},                       // a wallet is not a path to itself
      {"path", b, role("broker_btc")},      // different chains
      {"path", b, o, "--since", "yesterday"},
      {"address", b, "--top", "0"},
      {"address", b, "--format", "xml"},
      {"address"},
  };
  for (const auto& args : bad) {
    const CliResult result = run(args);
    std::string command;
    for (const std::string& arg : args) command += " " + arg;
    EXPECT_EQ(result.exit_code, 2) << command << "\n" << result.describe();
    EXPECT_FALSE(result.err.empty()) << command;
  }
}

}  // namespace
}  // namespace fundtrail::cli
