// find_paths: time order, simple paths, shortest-first with a limit, hop bound, filters, budget, and a
// cross-check against brute-force enumeration on random graphs (which is what catches unsound pruning).
#include "fundtrail/graph/path_search.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "support/graph_case.hpp"

namespace fundtrail::graph {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr core::UnixSeconds kT0 = 1709294400;  // 2024-03-01T12:00:00Z

// A hand-made case on the generic chain, where wallets may be named "A", "B" ... and USD/EUR have 2 decimals.
// add(from, to, at, amount = "1", asset = "USD") queues a transfer at kT0 + `at` seconds.
class Case : public test::TimelineCase {
 public:
  Case() : TimelineCase(kT0, core::Chain::Generic, "fundtrail-path") {}

  PathSearchResult find(const std::string& from, const std::string& to, const PathSearchOptions& options = {}) {
    const TransferGraph& g = graph();
    return find_paths(g, node(from), node(to), options);
  }

  // Each path as its wallet names joined by '>', e.g. "A>B>C".
  std::vector<std::string> routes(const PathSearchResult& result) {
    std::vector<std::string> out;
    for (const FoundPath& path : result.paths) {
      std::string text;
      for (NodeId wallet : path.wallets) text += (text.empty() ? "" : ">") + name(wallet);
      out.push_back(text);
    }
    return out;
  }

  // Witness times as offsets from kT0.
  std::vector<core::UnixSeconds> times(const FoundPath& path) {
    std::vector<core::UnixSeconds> out;
    for (EdgeIndex index : path.transfers) out.push_back(graph().edge(index).timestamp - kT0);
    return out;
  }
};

PathSearchOptions untimed() {
  PathSearchOptions options;
  options.time_order = false;
  return options;
}

TEST(PathSearchTest, PathThatGoesBackInTimeIsFoundOnlyWithoutTimeOrder) {
  Case c;
  // B passed money on to C before it received A's: the decoy a time-blind search would report.
  c.add("A", "B", 10).add("B", "C", 5);
  const PathSearchResult timed = c.find("A", "C");
  EXPECT_THAT(timed.paths, IsEmpty());
  EXPECT_FALSE(timed.truncated);
  EXPECT_EQ(timed.complete_hops, 6u);

  const PathSearchResult plain = c.find("A", "C", untimed());
  EXPECT_THAT(c.routes(plain), ElementsAre("A>B>C"));
  EXPECT_THAT(c.times(plain.paths[0]), ElementsAre(10, 5));
}

TEST(PathSearchTest, HopsInTheSameSecondAreTimeRespecting) {
  Case c;
  c.add("A", "B", 10).add("B", "C", 10);
  const PathSearchResult result = c.find("A", "C");
  ASSERT_THAT(c.routes(result), ElementsAre("A>B>C"));
  EXPECT_THAT(c.times(result.paths[0]), ElementsAre(10, 10));
  EXPECT_EQ(result.paths[0].hops(), 2u);
}

TEST(PathSearchTest, WitnessIsTheEarliestUsableTransferAtEachStep) {
  Case c;
  // B->C at 5 predates the arrival at B (10), so the witness must skip it for the one at 30, and take the
  // earliest A->B (10) although a later one (20) exists.
  c.add("A", "B", 20).add("A", "B", 10).add("B", "C", 5).add("B", "C", 40).add("B", "C", 30);
  const PathSearchResult result = c.find("A", "C");
  ASSERT_THAT(c.routes(result), ElementsAre("A>B>C"));  // one wallet sequence, however many transfer chains
  EXPECT_THAT(c.times(result.paths[0]), ElementsAre(10, 30));
  const Edge& first = c.graph().edge(result.paths[0].transfers[0]);
  EXPECT_EQ(first.to, c.node("B"));
  EXPECT_EQ(c.graph().source_of(result.paths[0].transfers[1]), c.node("B"));
}

TEST(PathSearchTest, ShortestFirstThenEarliestArrivalAndLimitKeepsTheBest) {
  Case c;
  c.add("A", "D", 100);                    // 1 hop, arrives 100
  c.add("A", "B", 1).add("B", "D", 50);    // 2 hops, arrives 50
  c.add("A", "C", 1).add("C", "D", 20);    // 2 hops, arrives 20
  c.add("A", "E", 1).add("E", "F", 2).add("F", "D", 3);  // 3 hops, arrives 3: earliest, but longest
  PathSearchOptions all;
  all.limit = 10;
  EXPECT_THAT(c.routes(c.find("A", "D", all)), ElementsAre("A>D", "A>C>D", "A>B>D", "A>E>F>D"));

  PathSearchOptions two;
  two.limit = 2;
  const PathSearchResult limited = c.find("A", "D", two);
  EXPECT_THAT(c.routes(limited), ElementsAre("A>D", "A>C>D"));
  // The limit was met at 2 hops, so longer paths were never needed.
  EXPECT_EQ(limited.complete_hops, 2u);
  EXPECT_FALSE(limited.truncated);
}

TEST(PathSearchTest, TiesAreOrderedByWalletsUnderTheGivenOrder) {
  Case c;
  c.add("A", "X", 1).add("X", "D", 5).add("A", "Y", 1).add("Y", "D", 5);
  PathSearchOptions options;
  options.wallet_less = [&c](NodeId a, NodeId b) { return c.name(a) < c.name(b); };
  EXPECT_THAT(c.routes(c.find("A", "D", options)), ElementsAre("A>X>D", "A>Y>D"));
  options.wallet_less = [&c](NodeId a, NodeId b) { return c.name(a) > c.name(b); };
  EXPECT_THAT(c.routes(c.find("A", "D", options)), ElementsAre("A>Y>D", "A>X>D"));
}

TEST(PathSearchTest, MaxHopsBoundsThePathLength) {
  Case c;
  c.add("A", "B", 1).add("B", "C", 2).add("C", "D", 3).add("D", "E", 4);
  PathSearchOptions three;
  three.max_hops = 3;
  const PathSearchResult short_search = c.find("A", "E", three);
  EXPECT_THAT(short_search.paths, IsEmpty());
  EXPECT_EQ(short_search.complete_hops, 3u);
  PathSearchOptions four;
  four.max_hops = 4;
  EXPECT_THAT(c.routes(c.find("A", "E", four)), ElementsAre("A>B>C>D>E"));
}

TEST(PathSearchTest, OnlySimplePathsAreListed) {
  Case c;
  // Walks A>B>A>C and A>C>B>C... revisit wallets; only the two simple routes count.
  c.add("A", "B", 1).add("B", "A", 2).add("A", "C", 3).add("B", "C", 4).add("C", "B", 5).add("A", "A", 0);
  PathSearchOptions options;
  options.limit = 100;
  EXPECT_THAT(c.routes(c.find("A", "C", options)), ElementsAre("A>C", "A>B>C"));
  PathSearchOptions plain = untimed();
  plain.limit = 100;
  EXPECT_THAT(c.routes(c.find("A", "C", plain)), ElementsAre("A>C", "A>B>C"));
}

TEST(PathSearchTest, FiltersRestrictTheTransfersFollowed) {
  Case c;
  c.add("A", "B", 10, "5.00", "USD").add("B", "Z", 20, "5.00", "USD");   // USD route, early
  c.add("A", "E", 30, "900", "EUR").add("E", "Z", 40, "900", "EUR");     // EUR route, late, large
  c.add("A", "S", 12, "0.01", "USD").add("S", "Z", 13, "0.01", "USD");   // dust route
  PathSearchOptions options;
  options.limit = 10;
  ASSERT_THAT(c.routes(c.find("A", "Z", options)), ElementsAre("A>S>Z", "A>B>Z", "A>E>Z"));

  PathSearchOptions usd = options;
  usd.filter.only_asset(c.asset_id("USD"));
  EXPECT_THAT(c.routes(c.find("A", "Z", usd)), ElementsAre("A>S>Z", "A>B>Z"));

  PathSearchOptions no_dust = options;
  no_dust.filter.set_min_amount(c.asset_id("USD"), core::Amount(100));  // 1.00 USD in cents
  EXPECT_THAT(c.routes(c.find("A", "Z", no_dust)), ElementsAre("A>B>Z", "A>E>Z"));

  PathSearchOptions late = options;
  late.filter.since = kT0 + 25;
  EXPECT_THAT(c.routes(c.find("A", "Z", late)), ElementsAre("A>E>Z"));

  PathSearchOptions early = options;
  early.filter.until = kT0 + 25;
  EXPECT_THAT(c.routes(c.find("A", "Z", early)), ElementsAre("A>S>Z", "A>B>Z"));
}

TEST(PathSearchTest, SinceMovesTheWitnessToTheFirstTransferInTheWindow) {
  Case c;
  c.add("A", "B", 10).add("A", "B", 30).add("B", "C", 35);
  PathSearchOptions options;
  options.filter.since = kT0 + 20;
  const PathSearchResult result = c.find("A", "C", options);
  ASSERT_EQ(result.paths.size(), 1u);
  EXPECT_THAT(c.times(result.paths[0]), ElementsAre(30, 35));
}

TEST(PathSearchTest, ExhaustedBudgetStopsWithTruncatedAndOnlyGenuinePaths) {
  Case c;
  // Layers of 6 wallets, every wallet paying every wallet of the next layer: 6^3 routes of 4 hops.
  const int kWidth = 6;
  for (int i = 0; i < kWidth; ++i) c.add("S", "a" + std::to_string(i), 1);
  for (int i = 0; i < kWidth; ++i) {
    for (int j = 0; j < kWidth; ++j) {
      c.add("a" + std::to_string(i), "b" + std::to_string(j), 2);
      c.add("b" + std::to_string(i), "c" + std::to_string(j), 3);
    }
  }
  for (int i = 0; i < kWidth; ++i) c.add("c" + std::to_string(i), "T", 4);

  PathSearchOptions generous;
  generous.limit = 1000;
  const PathSearchResult full = c.find("S", "T", generous);
  EXPECT_FALSE(full.truncated);
  EXPECT_EQ(full.paths.size(), 216u);
  EXPECT_EQ(full.complete_hops, 6u);

  PathSearchOptions tight = generous;
  tight.max_expansions = 100;
  const PathSearchResult cut = c.find("S", "T", tight);
  EXPECT_TRUE(cut.truncated);
  EXPECT_LE(cut.expansions, 100u);
  EXPECT_LT(cut.complete_hops, 4u);  // the 4-hop level could not be finished
  EXPECT_LT(cut.paths.size(), 216u);
  const std::vector<std::string> all_routes = c.routes(full);
  for (const std::string& route : c.routes(cut)) {
    EXPECT_NE(std::find(all_routes.begin(), all_routes.end(), route), all_routes.end()) << route;
  }
}

TEST(PathSearchTest, RejectsDegenerateRequests) {
  Case c;
  c.add("A", "B", 1);
  const TransferGraph& g = c.graph();
  PathSearchOptions zero_hops;
  zero_hops.max_hops = 0;
  EXPECT_THROW(find_paths(g, c.node("A"), c.node("B"), zero_hops), Error);
  PathSearchOptions zero_limit;
  zero_limit.limit = 0;
  EXPECT_THROW(find_paths(g, c.node("A"), c.node("B"), zero_limit), Error);
  EXPECT_THROW(find_paths(g, c.node("A"), c.node("A"), {}), Error);
  EXPECT_THROW(find_paths(g, c.node("A"), static_cast<NodeId>(g.node_count() + 5), {}), Error);
}

// Every simple wallet sequence from `from` to `to` of at most `max_hops` hops with a usable transfer chain,
// mapped to its earliest arrival at `to`, by trying every chain of transfers: no pruning, no greedy choice.
std::map<std::vector<NodeId>, core::UnixSeconds> brute_force(const TransferGraph& graph, NodeId from, NodeId to,
                                                            unsigned max_hops, bool timed) {
  std::map<std::vector<NodeId>, core::UnixSeconds> found;
  std::vector<NodeId> wallets{from};
  auto walk = [&](auto&& self, NodeId node, core::UnixSeconds arrival) -> void {
    if (wallets.size() > max_hops) return;
    for (const Edge& edge : graph.out_edges(node)) {
      if (timed && edge.timestamp < arrival) continue;
      if (std::find(wallets.begin(), wallets.end(), edge.to) != wallets.end()) continue;
      wallets.push_back(edge.to);
      if (edge.to == to) {
        auto [slot, inserted] = found.try_emplace(wallets, edge.timestamp);
        if (!inserted) slot->second = std::min(slot->second, edge.timestamp);
      } else {
        self(self, edge.to, edge.timestamp);
      }
      wallets.pop_back();
    }
  };
  walk(walk, from, core::kMinTime);
  return found;
}

TEST(PathSearchTest, MatchesBruteForceOnRandomGraphs) {
  std::mt19937 random(20240301);
  for (int round = 0; round < 24; ++round) {
    Case c;
    const int wallets = 5 + static_cast<int>(random() % 4);
    const int transfers = 10 + static_cast<int>(random() % 25);
    for (int i = 0; i < transfers; ++i) {
      // Few distinct times, so same-second hops and ties in arrival are common.
      c.add("w" + std::to_string(random() % wallets), "w" + std::to_string(random() % wallets),
            static_cast<core::UnixSeconds>(random() % 8));
    }
    const TransferGraph& g = c.graph();
    const NodeId from = static_cast<NodeId>(random() % g.node_count());
    NodeId to = static_cast<NodeId>(random() % g.node_count());
    if (to == from) to = static_cast<NodeId>((to + 1) % g.node_count());
    for (bool timed : {true, false}) {
      const unsigned max_hops = 1 + static_cast<unsigned>(random() % 5);
      const auto expected_map = brute_force(g, from, to, max_hops, timed);
      std::vector<std::pair<std::vector<NodeId>, core::UnixSeconds>> expected(expected_map.begin(), expected_map.end());
      std::stable_sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
        if (a.first.size() != b.first.size()) return a.first.size() < b.first.size();
        return a.second < b.second;  // equal arrivals keep the map's (lexicographic by id) order
      });

      PathSearchOptions options;
      options.time_order = timed;
      options.max_hops = max_hops;
      options.limit = 100000;
      const PathSearchResult result = find_paths(g, from, to, options);
      SCOPED_TRACE("round " + std::to_string(round) + (timed ? " timed" : " untimed"));
      ASSERT_FALSE(result.truncated);
      ASSERT_EQ(result.paths.size(), expected.size());
      for (std::size_t i = 0; i < expected.size(); ++i) {
        const FoundPath& path = result.paths[i];
        EXPECT_EQ(path.wallets, expected[i].first) << "path " << i;
        ASSERT_EQ(path.transfers.size() + 1, path.wallets.size());
        core::UnixSeconds previous = core::kMinTime;
        for (std::size_t h = 0; h < path.transfers.size(); ++h) {
          const Edge& edge = g.edge(path.transfers[h]);
          EXPECT_EQ(g.source_of(path.transfers[h]), path.wallets[h]);
          EXPECT_EQ(edge.to, path.wallets[h + 1]);
          if (timed) {
            EXPECT_GE(edge.timestamp, previous);
          }
          previous = edge.timestamp;
        }
        // Greedy earliest steps must reach TO as early as the best of all chains.
        EXPECT_EQ(previous, expected[i].second) << "path " << i;
      }

      // A smaller limit returns a prefix of the full order.
      if (expected.size() > 2) {
        options.limit = 2;
        const PathSearchResult two = find_paths(g, from, to, options);
        ASSERT_EQ(two.paths.size(), 2u);
        EXPECT_EQ(two.paths[0].wallets, expected[0].first);
        EXPECT_EQ(two.paths[1].wallets, expected[1].first);
      }
    }
  }
}

}  // namespace
}  // namespace fundtrail::graph
