// summarize_address: totals per asset, counts, first/last seen, counterparties and their top-N ranking.
#include "fundtrail/report/address_summary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/graph_case.hpp"

namespace fundtrail::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr core::UnixSeconds kT0 = 1709294400;  // 2024-03-01T12:00:00Z

// Generic-chain wallets with readable names; USD/EUR have 2 decimals, ETH 18.
// add(from, to, at, amount, asset = "USD") queues a transfer at kT0 + `at` seconds.
class Case : public test::TimelineCase {
 public:
  Case() : TimelineCase(kT0, core::Chain::Generic, "fundtrail-address") {}

  AddressSummary summarize(const std::string& wallet, unsigned top = 10) {
    const graph::TransferGraph& transfers = graph();
    GraphLabels labels(store());
    return summarize_address(transfers, labels, node(wallet), top);
  }
};

std::vector<std::string> top_addresses(const AssetSummary& asset) {
  std::vector<std::string> out;
  for (const CounterpartyFlow& flow : asset.top_counterparties) out.push_back(flow.address);
  return out;
}

const AssetSummary& asset_named(const AddressSummary& summary, const std::string& symbol) {
  for (const AssetSummary& asset : summary.assets) {
    if (asset.asset == symbol) return asset;
  }
  throw std::runtime_error("no asset " + symbol + " in the summary");
}

// X's book: USD in 1.50 (A) + 2.25 (B) + 0.10 (self), out 1.00 (A) + 0.30 (C) + 0.10 (self); EUR in 5 (D).
void add_x_book(Case& c) {
  c.add("A", "X", 100, "1.50").add("B", "X", 50, "2.25").add("X", "A", 300, "1.00").add("X", "C", 200, "0.30");
  c.add("X", "X", 20, "0.10").add("D", "X", 400, "5", "EUR");
  c.add("A", "B", 999, "7.00");  // not X's: must not count
}

TEST(AddressSummaryTest, TotalsCountsAndActivityWindow) {
  Case c;
  add_x_book(c);
  const AddressSummary summary = c.summarize("X");
  EXPECT_EQ(summary.address, "X");
  EXPECT_EQ(summary.chain, core::Chain::Generic);
  EXPECT_EQ(summary.first_seen, kT0 + 20);  // the self-transfer is activity too
  EXPECT_EQ(summary.last_seen, kT0 + 400);
  EXPECT_EQ(summary.transfers_in, 4u);
  EXPECT_EQ(summary.transfers_out, 3u);
  EXPECT_EQ(summary.counterparties, 4u);  // A, B, C, D: never X itself

  ASSERT_EQ(summary.assets.size(), 2u);
  EXPECT_EQ(summary.assets[0].asset, "EUR");  // by symbol
  const AssetSummary& usd = asset_named(summary, "USD");
  EXPECT_EQ(usd.received, "3.85");
  EXPECT_EQ(usd.sent, "1.4");
  EXPECT_EQ(usd.transfers_in, 3u);
  EXPECT_EQ(usd.transfers_out, 3u);
  EXPECT_EQ(usd.counterparties, 3u);
  EXPECT_EQ(usd.contract, "");
  const AssetSummary& eur = asset_named(summary, "EUR");
  EXPECT_EQ(eur.received, "5");
  EXPECT_EQ(eur.sent, "0");
  EXPECT_EQ(eur.counterparties, 1u);
}

TEST(AddressSummaryTest, CounterpartiesShowBothDirectionsRankedByTotal) {
  Case c;
  add_x_book(c);
  const AddressSummary summary = c.summarize("X");
  const AssetSummary& usd = asset_named(summary, "USD");
  // A: 1.50 + 1.00 = 2.50 beats B's 2.25 only because both directions are added.
  ASSERT_THAT(top_addresses(usd), ElementsAre("A", "B", "C"));
  const CounterpartyFlow& a = usd.top_counterparties[0];
  EXPECT_EQ(a.received_from, "1.5");
  EXPECT_EQ(a.sent_to, "1");
  EXPECT_EQ(a.total, "2.5");
  EXPECT_EQ(a.transfers_in, 1u);
  EXPECT_EQ(a.transfers_out, 1u);
  EXPECT_EQ(usd.top_counterparties[2].received_from, "0");
  EXPECT_EQ(usd.top_counterparties[2].sent_to, "0.3");

  const AddressSummary top_two = c.summarize("X", 2);
  EXPECT_THAT(top_addresses(asset_named(top_two, "USD")), ElementsAre("A", "B"));
  EXPECT_EQ(asset_named(top_two, "USD").counterparties, 3u);  // the count is not cut by --top
  EXPECT_THAT(top_addresses(asset_named(top_two, "EUR")), ElementsAre("D"));  // top N per asset
}

TEST(AddressSummaryTest, TiesAreBrokenByAddressWhateverTheImportOrder) {
  Case c;
  // Q is imported first (smaller id), so only an address tie-break puts P ahead.
  c.add("Q", "H", 1, "3").add("P", "H", 2, "3").add("R", "H", 3, "1").add("H", "S", 4, "3");
  EXPECT_THAT(top_addresses(asset_named(c.summarize("H"), "USD")), ElementsAre("P", "Q", "S", "R"));
  // The tie sits on the cut: the address decides who makes the list.
  EXPECT_THAT(top_addresses(asset_named(c.summarize("H", 1), "USD")), ElementsAre("P"));
  EXPECT_THAT(top_addresses(asset_named(c.summarize("H", 2), "USD")), ElementsAre("P", "Q"));
}

TEST(AddressSummaryTest, RankingComparesAmountsExactlyBeyondTheInlineRange) {
  Case c;
  // 2^128 + 1 and 2^128 base units: both saturate the graph's inline 128-bit field, so only the exact side
  // table tells them apart; 2^64 is below them although its low bits are larger.
  c.add("M", "H", 1, "340282366920938463463.374607431768211457", "ETH");
  c.add("N", "H", 2, "340282366920938463463.374607431768211456", "ETH");
  c.add("L", "H", 3, "18.446744073709551615", "ETH");
  c.add("L", "H", 4, "0.000000000000000001", "ETH");
  const AddressSummary summary = c.summarize("H");
  const AssetSummary& eth = asset_named(summary, "ETH");
  EXPECT_THAT(top_addresses(eth), ElementsAre("M", "N", "L"));
  EXPECT_EQ(eth.top_counterparties[2].total, "18.446744073709551616");
  EXPECT_EQ(eth.received, "680564733841876926945.195958937245974529");
}

TEST(AddressSummaryTest, TopNMatchesAFullSortOnManyTiedCounterparties) {
  std::mt19937 random(7);
  Case c;
  std::vector<std::pair<long, std::string>> totals;  // cents, address
  for (int i = 0; i < 60; ++i) {
    const std::string name = "cp" + std::to_string(random() % 1000 + 1000);
    if (std::any_of(totals.begin(), totals.end(), [&](const auto& t) { return t.second == name; })) continue;
    // Few distinct values: many ties, including across the cut.
    const long in_cents = static_cast<long>(random() % 4) * 100;
    const long out_cents = static_cast<long>(random() % 3) * 100 + 1;
    if (in_cents > 0) c.add(name, "H", i, std::to_string(in_cents / 100) + ".00");
    c.add("H", name, i, std::to_string(out_cents / 100) + ".0" + std::to_string(out_cents % 100));
    totals.emplace_back(in_cents + out_cents, name);
  }
  std::sort(totals.begin(), totals.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (unsigned top : {1u, 7u, 13u}) {
    const AddressSummary summary = c.summarize("H", top);
    std::vector<std::string> expected;
    for (unsigned i = 0; i < top; ++i) expected.push_back(totals[i].second);
    EXPECT_EQ(top_addresses(asset_named(summary, "USD")), expected) << "top " << top;
  }
}

TEST(AddressSummaryTest, JsonAndTableRenderings) {
  Case c;
  add_x_book(c);
  const AddressSummary summary = c.summarize("X", 1);
  const nlohmann::ordered_json json = address_summary_to_json(summary);
  EXPECT_EQ(json["address"], "X");
  EXPECT_EQ(json["chain"], "generic");
  EXPECT_EQ(json["first_seen"], "2024-03-01T12:00:20Z");
  EXPECT_EQ(json["last_seen"], "2024-03-01T12:06:40Z");
  EXPECT_EQ(json["transfers"]["in"], 4);
  EXPECT_EQ(json["transfers"]["out"], 3);
  EXPECT_EQ(json["counterparties"], 4);
  ASSERT_EQ(json["assets"].size(), 2u);
  const auto& usd = json["assets"][1];
  EXPECT_EQ(usd["asset"], "USD");
  EXPECT_TRUE(usd["contract"].is_null());
  EXPECT_EQ(usd["received"], "3.85");  // strings, never floats
  EXPECT_EQ(usd["sent"], "1.4");
  ASSERT_EQ(usd["top_counterparties"].size(), 1u);
  EXPECT_EQ(usd["top_counterparties"][0]["address"], "A");
  EXPECT_EQ(usd["top_counterparties"][0]["received_from"], "1.5");
  EXPECT_EQ(usd["top_counterparties"][0]["sent_to"], "1");

  std::ostringstream table;
  write_address_summary_table(table, summary);
  EXPECT_THAT(table.str(), HasSubstr("Address X (generic)"));
  EXPECT_THAT(table.str(), HasSubstr("received 3.85 in 3 transfers"));
  EXPECT_THAT(table.str(), HasSubstr("A  1.5 / 1"));
}

}  // namespace
}  // namespace fundtrail::report
