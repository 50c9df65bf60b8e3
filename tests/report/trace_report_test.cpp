// build_trace_report: per-wallet totals stay exact across the 128-bit fast path and large (hostile-token)
// amounts, and rows come out in the documented order whatever order the trace found them in.
#include "fundtrail/report/trace_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "fundtrail/graph/trace.hpp"
#include "fundtrail/report/trace_output.hpp"
#include "fundtrail/store/label_index.hpp"
#include "support/graph_case.hpp"

namespace fundtrail::report {
namespace {

class TraceReportTest : public ::testing::Test {
 protected:
  TraceReport report(const std::string& seed, const std::string& direction, unsigned hops = 3) {
    const graph::TransferGraph& graph = c.graph();
    graph::TraceOptions options;
    options.hops = hops;
    std::vector<graph::TraceResult> results;
    if (direction != "in")
      results.push_back(graph::trace(graph, c.node(seed), graph::TraceDirection::Forward, options));
    if (direction != "out")
      results.push_back(graph::trace(graph, c.node(seed), graph::TraceDirection::Backward, options));
    TraceRequest request;
    request.seed = seed;
    request.direction = direction;
    request.hops = hops;
    labels.emplace(c.store());
    return build_trace_report(graph, *labels, request, results);
  }
  static std::vector<ReportNode> nodes(const TraceReport& report) {
    std::vector<ReportNode> rows;
    for (std::size_t i = 0; i < report.node_count(); ++i) rows.push_back(report.node(i));
    return rows;
  }
  static std::vector<ReportEdge> edges(const TraceReport& report) {
    std::vector<ReportEdge> rows;
    for (std::size_t i = 0; i < report.edge_count(); ++i) rows.push_back(report.edge(i));
    return rows;
  }
  static ReportNode node(const TraceReport& report, const std::string& address) {
    for (std::size_t i = 0; i < report.node_count(); ++i) {
      if (report.node(i).address == address) return report.node(i);
    }
    throw std::runtime_error("no node " + address);
  }
  static std::string amount_of(const AssetTotals& totals, const std::string& asset) {
    for (const AssetTotal& total : totals) {
      if (total.asset == asset) return total.amount;
    }
    return "-";
  }

  test::GraphCase c{core::Chain::Generic, "fundtrail-trace-report"};
  std::optional<GraphLabels> labels;
};

TEST_F(TraceReportTest, TotalsAreExactAcrossTheWrapOf128BitsAndForLargeAmounts) {
  const core::uint512 max128 = (core::uint512(1) << 128) - 1;
  const core::uint512 huge = (core::uint512(1) << 255) + 12345;  // beyond 128 bits: the exact path
  c.add("a", "b", 10, max128, "TOK");
  c.add("a", "b", 11, max128, "TOK");
  c.add("a", "b", 12, 5, "TOK");
  c.add("a", "b", 13, huge, "TOK");
  c.add("a", "b", 14, huge, "TOK");
  c.add("a", "b", 15, 7, "USD");  // a second asset: 0.07 USD
  const TraceReport result = report("a", "out", 1);
  const core::uint512 expected = max128 * 2 + 5 + huge * 2;
  EXPECT_EQ(amount_of(node(result, "a").sent, "TOK"), expected.str());
  EXPECT_EQ(amount_of(node(result, "b").received, "TOK"), expected.str());
  EXPECT_EQ(amount_of(node(result, "b").received, "USD"), "0.07");
  EXPECT_TRUE(node(result, "b").sent.empty());
  ASSERT_EQ(node(result, "a").sent.size(), 2u);
  EXPECT_EQ(node(result, "a").sent[0].asset, "TOK");  // totals by asset symbol
  EXPECT_EQ(node(result, "a").sent[1].asset, "USD");
}

TEST_F(TraceReportTest, RowsComeSortedAndBothDirectionsMerge) {
  // Out: a -> z (hop 1) -> y, a (hop 2); in: m -> a and z -> a (hop 1), a -> z (hop 2). The cycle's transfers
  // are used by both directions.
  c.add("a", "z", 10);
  c.add("z", "y", 20);
  c.add("z", "a", 30);
  c.add("m", "a", 5);
  const TraceReport result = report("a", "both", 2);
  std::vector<std::string> order;
  for (const ReportNode& n : nodes(result))
    order.push_back(std::string(n.address) + ":" + std::to_string(n.hop) + ":" + std::string(n.direction));
  EXPECT_THAT(order, ::testing::ElementsAre("a:0:seed", "m:1:in", "z:1:both", "y:2:out"));
  std::vector<std::string> transfers;
  for (const ReportEdge& e : edges(result)) {
    transfers.push_back(std::string(e.from) + ">" + std::string(e.to) + ":" + std::to_string(e.hop) + ":" +
                        std::string(e.direction));
  }
  // Each transfer once, at the least hop either direction uses it, sorted by (hop, time).
  EXPECT_THAT(transfers, ::testing::ElementsAre("m>a:1:in", "a>z:1:both", "z>a:1:both", "z>y:2:out"));
}

TEST_F(TraceReportTest, TransfersAtOneTimeAreOrderedByTransactionHashNotByStoreOrder) {
  // Every add() is its own transaction tx1, tx2, ...: tx2 and tx10 move at the same second, and "tx10" sorts
  // before "tx2" although it was stored later.
  for (int i = 1; i <= 10; ++i) c.add("a", "w" + std::to_string(i), i == 2 || i == 10 ? 50 : i);
  for (const std::string direction : {"out", "both"}) {
    std::vector<std::string> hashes;
    for (const ReportEdge& e : edges(report("a", direction, 1))) hashes.push_back(e.tx_hash.str());
    EXPECT_THAT(hashes, ::testing::ElementsAre("tx1", "tx3", "tx4", "tx5", "tx6", "tx7", "tx8", "tx9", "tx10", "tx2"))
        << direction;
  }
}

// Tens of thousands of wallets: their rows are built on a second thread while the transfers are described,
// with labels from the store and from the label index. Order and totals must not change.
TEST_F(TraceReportTest, ALargeAnswerKeepsItsOrderAndExactTotals) {
  constexpr int kWallets = 25000;
  std::uint64_t hub_sent = 0;
  for (int i = 0; i < kWallets; ++i) {
    const std::string wallet = "w" + std::to_string(kWallets - i);  // added roughly in reverse sorted order
    c.add("hub", wallet, 100 + i, 1000 + i);
    hub_sent += 1000 + i;
    if (i % 2 == 0) {
      c.add("hub", wallet, 200000 + i, 1);
      hub_sent += 1;
    }
  }
  for (const bool indexed : {false, true}) {
    if (indexed) store::LabelIndex::refresh(c.store());
    ASSERT_EQ(store::LabelIndex::open_current(c.store()).has_value(), indexed);
    const TraceReport result = report("hub", "out", 1);
    const std::vector<ReportNode> rows = nodes(result);
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(kWallets + 1));
    EXPECT_EQ(result.edge_count(), static_cast<std::size_t>(kWallets + kWallets / 2));
    EXPECT_EQ(rows[0].address, "hub");
    EXPECT_EQ(amount_of(rows[0].sent, "USD"), core::Amount(hub_sent).to_display(2));
    std::size_t wrong = 0;
    for (std::size_t k = 1; k < rows.size(); ++k) {
      const ReportNode& n = rows[k];
      if (k > 1 && !(rows[k - 1].address < n.address)) ++wrong;
      const int i = kWallets - std::stoi(std::string(n.address.substr(1)));
      const std::uint64_t received = 1000 + i + (i % 2 == 0 ? 1 : 0);
      if (amount_of(n.received, "USD") != core::Amount(received).to_display(2) || n.hop != 1) ++wrong;
    }
    EXPECT_EQ(wrong, 0u) << (indexed ? "with" : "without") << " the label index";
  }
}

// Wallets are compared by their first eight bytes first: where those are equal for all of them, the whole
// address must decide, on one thread (labels from the store) and on two (labels from the index).
TEST_F(TraceReportTest, WalletsSharingTheirFirstEightBytesAreOrderedByTheWholeAddress) {
  constexpr int kWallets = 21000;
  for (int i = 0; i < kWallets; ++i) c.add("hub", "account-" + std::to_string((i * 7919) % kWallets), 100 + i);
  for (const bool indexed : {false, true}) {
    if (indexed) store::LabelIndex::refresh(c.store());
    const std::vector<ReportNode> rows = nodes(report("hub", "out", 1));
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(kWallets + 1));
    std::size_t unordered = 0;
    for (std::size_t k = 2; k < rows.size(); ++k) unordered += rows[k - 1].address < rows[k].address ? 0 : 1;
    EXPECT_EQ(unordered, 0u) << (indexed ? "with" : "without") << " the label index";
    EXPECT_EQ(rows[1].address, "account-0");
    EXPECT_EQ(rows[2].address, "account-1");
    EXPECT_EQ(rows[3].address, "account-10");
  }
}

// The JSON of a large answer is written on two threads when the labels come from the label index, on one
// otherwise: the bytes must be the same, and exactly nlohmann's layout, with hostile wallet names and asset
// symbols (generic accounts are free text) among them.
TEST_F(TraceReportTest, JsonOfALargeAnswerIsTheSameOnOneOrTwoThreads) {
  const std::string odd[] = {"quote\"d", "back\\slash", "new\nline", "<b>bold</b>", "caf\xc3\xa9", "\xff\xfe"};
  for (int i = 0; i < 12000; ++i) {
    const std::string wallet = "w" + std::to_string(i) + (i % 1000 == 0 ? odd[(i / 1000) % 6] : "");
    c.add("hub", wallet, 100 + i % 500, 1000 + i, i % 997 == 0 ? "TOK\"<&>" : "USD");
    c.add(wallet, "sink" + std::to_string(i % 50), 1000 + i % 700, 7);
  }
  std::string outputs[2];
  for (const bool indexed : {false, true}) {
    if (indexed) store::LabelIndex::refresh(c.store());
    const TraceReport result = report("hub", "out", 2);
    ASSERT_EQ(result.rows_concurrent(), indexed);
    ASSERT_GE(result.node_count() + result.edge_count(), 20000u);  // large enough for the second thread
    std::ostringstream out;
    write_trace_json(out, result);
    outputs[indexed] = out.str();
    // The two threads take batches as they come: however they share them, the bytes are the same.
    for (int again = 0; indexed && again < 5; ++again) {
      std::ostringstream repeat;
      write_trace_json(repeat, result);
      ASSERT_TRUE(repeat.str() == outputs[indexed]) << "write " << again + 2 << " differs";
    }
  }
  ASSERT_EQ(outputs[0].size(), outputs[1].size());
  EXPECT_TRUE(outputs[0] == outputs[1]);
  const auto parsed = nlohmann::ordered_json::parse(outputs[1]);
  EXPECT_EQ(parsed.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", outputs[1]);
  EXPECT_EQ(parsed.at("edges").size(), 24000u);
  EXPECT_EQ(parsed.at("nodes").size(), 12051u);
}

}  // namespace
}  // namespace fundtrail::report
