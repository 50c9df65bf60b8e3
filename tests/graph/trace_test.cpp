// graph::trace on small hand-made graphs: the time-respecting semantics of docs/trace-semantics.md.
// Wallets are generic-chain accounts named "a", "b", ... so each case reads like its drawing.
#include "fundtrail/graph/trace.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "support/error_matchers.hpp"
#include "support/graph_case.hpp"

namespace fundtrail::graph {
namespace {

using test::ThrowsError;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr core::UnixSeconds kNone = core::kMinTime;  // forward time of the unbounded seed / untimed nodes
constexpr core::UnixSeconds kNoneBack = core::kMaxTime;

core::uint512 pow2(unsigned bits) { return core::uint512(1) << bits; }

struct Node {
  std::string name;
  unsigned hop;
  core::UnixSeconds time;
  friend bool operator==(const Node&, const Node&) = default;
  friend std::ostream& operator<<(std::ostream& out, const Node& n) {
    out << "{" << n.name << " hop " << n.hop << " t ";
    if (n.time == core::kMinTime) return out << "-inf}";
    if (n.time == core::kMaxTime) return out << "+inf}";
    return out << n.time << "}";
  }
};

// add(from, to, t, amount = 100, asset = "USD") queues a transfer of `amount` base units of a generic-chain
// asset (USD and EUR are known with 2 decimals, others are created with 0); transfer ids follow add() order.
// build() writes the queued transfers and builds the graph.
class TraceTest : public ::testing::Test, protected test::GraphCase {
 protected:
  TraceTest() : GraphCase(core::Chain::Generic, "fundtrail-trace") {}

  TraceResult run(const std::string& seed, TraceDirection direction, const TraceOptions& options) {
    return trace(graph(), node(seed), direction, options);
  }
  TraceResult forward(const std::string& seed, unsigned hops, bool time_order = true) {
    TraceOptions options;
    options.hops = hops;
    options.time_order = time_order;
    return run(seed, TraceDirection::Forward, options);
  }
  TraceResult backward(const std::string& seed, unsigned hops, bool time_order = true) {
    TraceOptions options;
    options.hops = hops;
    options.time_order = time_order;
    return run(seed, TraceDirection::Backward, options);
  }

  std::vector<Node> nodes(const TraceResult& result) {
    std::vector<Node> out;
    for (const TracedNode& n : result.nodes) out.push_back(Node{name(n.node), n.hop, n.time});
    return out;
  }
  std::vector<std::string> node_names(const TraceResult& result) {
    std::vector<std::string> out;
    for (const TracedNode& n : result.nodes) out.push_back(name(n.node));
    return out;
  }
  // "from->to@time" in result order. Also checks the sources the trace lists against the graph's.
  std::vector<std::string> edges(const TraceResult& result) {
    std::vector<std::string> out;
    EXPECT_EQ(result.edge_sources.size(), result.edges.size());
    for (std::size_t i = 0; i < result.edges.size(); ++i) {
      const EdgeIndex index = result.edges[i];
      const Edge& e = graph().edge(index);
      if (i < result.edge_sources.size()) {
        EXPECT_EQ(result.edge_sources[i], graph().source_of(index)) << "edge " << i;
      }
      out.push_back(name(graph().source_of(index)) + "->" + name(e.to) + "@" + std::to_string(e.timestamp));
    }
    return out;
  }
};

// ---------------------------------------------------------------------------------------------------------
// Time order

TEST_F(TraceTest, OutflowBeforeTheInflowIsNotFollowed) {
  add("a", "b", 10);
  add("b", "c", 5);  // b paid c before a's money arrived
  build();
  const auto timed = forward("a", 3);
  EXPECT_THAT(nodes(timed), ElementsAre(Node{"a", 0, kNone}, Node{"b", 1, 10}));
  EXPECT_THAT(edges(timed), ElementsAre("a->b@10"));

  const auto untimed = forward("a", 3, /*time_order=*/false);
  EXPECT_THAT(nodes(untimed), ElementsAre(Node{"a", 0, kNone}, Node{"b", 1, kNone}, Node{"c", 2, kNone}));
  EXPECT_THAT(edges(untimed), ElementsAre("b->c@5", "a->b@10"));
}

// Traces reuse one per-thread workspace: nothing of one trace may leak into the next, whatever the
// direction or time order of either.
TEST_F(TraceTest, ConsecutiveTracesDoNotSeeEachOthersState) {
  add("a", "b", 10);
  add("b", "c", 20);
  add("x", "b", 30);
  add("b", "y", 40);
  build();
  const auto first = nodes(forward("a", 3));
  const auto first_edges = edges(forward("a", 3));
  TraceOptions options;
  options.hops = 3;
  const auto other = nodes(run("y", TraceDirection::Backward, options));
  EXPECT_THAT(other, ElementsAre(Node{"y", 0, kNoneBack}, Node{"b", 1, 40}, Node{"a", 2, 10}, Node{"x", 2, 30}));
  forward("x", 3, /*time_order=*/false);
  EXPECT_EQ(nodes(forward("a", 3)), first);
  EXPECT_EQ(edges(forward("a", 3)), first_edges);
  EXPECT_THAT(first, ElementsAre(Node{"a", 0, kNone}, Node{"b", 1, 10}, Node{"c", 2, 20}, Node{"y", 2, 40}));
}

TEST_F(TraceTest, TransfersAtTheSameSecondAsTheInflowAreFollowed) {
  add("a", "b", 10);
  add("b", "c", 10);
  add("c", "d", 9);  // one second too early
  build();
  const auto result = forward("a", 5);
  EXPECT_THAT(nodes(result), ElementsAre(Node{"a", 0, kNone}, Node{"b", 1, 10}, Node{"c", 2, 10}));
  EXPECT_THAT(edges(result), ElementsAre("a->b@10", "b->c@10"));
}

// hop = least k with arr_k finite; time = arr_N, which may come from a longer path.
TEST_F(TraceTest, HopIsTheLeastNumberOfTransfersAndTimeTheEarliestArrival) {
  add("a", "b", 1);
  add("b", "c", 2);
  add("a", "c", 3);
  add("c", "d", 2);
  build();
  // arr_1: b=1, c=3.  arr_2: c=min(3, 2 via b)=2; d: c->d@2 needs arr_1(c)=3 <= 2: no.
  // arr_3: d=2 via a->b->c->d. So d's hop is 3 although c is at hop 1.
  EXPECT_THAT(nodes(forward("a", 3)),
              ElementsAre(Node{"a", 0, kNone}, Node{"b", 1, 1}, Node{"c", 1, 2}, Node{"d", 3, 2}));
  EXPECT_THAT(nodes(forward("a", 2)), ElementsAre(Node{"a", 0, kNone}, Node{"b", 1, 1}, Node{"c", 1, 2}));
  // Without time order d is two hops away.
  EXPECT_THAT(nodes(forward("a", 2, false)),
              ElementsAre(Node{"a", 0, kNone}, Node{"b", 1, kNone}, Node{"c", 1, kNone}, Node{"d", 2, kNone}));
}

// Edges from a wallet use arr_{N-1}: a wallet reached late at hop 1 and earlier at hop 2 contributes more
// outflows once N-1 >= 2.
//
//   s --50--> x                 x first reached at hop 1, t=50
//   s --10--> y --20--> x       x reached again at hop 2, t=20 (earlier)
//   x --30--> p                 usable only from t=20 on
//   x --60--> q                 usable from t=50 on
//
// N=2: arr_1(x)=50, so x's edges at N=2 are those with t >= 50: x->q@60 only.
//      nodes s(0), x(1, arr_2=min(50,20)=20), y(1, 10), q(2, 60); edges s->y@10, y->x@20, s->x@50, x->q@60.
// N=3: arr_2(x)=20, so x->p@30 joins: nodes add p(3, 30); edges add x->p@30.
TEST_F(TraceTest, EdgesFromAWalletUseItsArrivalAfterNMinusOneHops) {
  add("s", "x", 50);
  add("s", "y", 10);
  add("y", "x", 20);
  add("x", "p", 30);
  add("x", "q", 60);
  build();
  const auto n2 = forward("s", 2);
  EXPECT_THAT(nodes(n2), ElementsAre(Node{"s", 0, kNone}, Node{"x", 1, 20}, Node{"y", 1, 10}, Node{"q", 2, 60}));
  EXPECT_THAT(edges(n2), ElementsAre("s->y@10", "y->x@20", "s->x@50", "x->q@60"));

  const auto n3 = forward("s", 3);
  EXPECT_THAT(nodes(n3),
              ElementsAre(Node{"s", 0, kNone}, Node{"x", 1, 20}, Node{"y", 1, 10}, Node{"q", 2, 60}, Node{"p", 3, 30}));
  EXPECT_THAT(edges(n3), ElementsAre("s->y@10", "y->x@20", "x->p@30", "s->x@50", "x->q@60"));
}

TEST_F(TraceTest, OneHopIsTheSeedsOwnOutflows) {
  add("a", "b", 1);
  add("b", "c", 2);
  add("c", "d", 3);
  add("a", "e", 5);
  add("z", "a", 0);
  build();
  const auto one = forward("a", 1);
  EXPECT_THAT(nodes(one), ElementsAre(Node{"a", 0, kNone}, Node{"b", 1, 1}, Node{"e", 1, 5}));
  EXPECT_THAT(edges(one), ElementsAre("a->b@1", "a->e@5"));
  EXPECT_THAT(node_names(forward("a", 2)), ElementsAre("a", "b", "e", "c"));
  EXPECT_THAT(node_names(forward("a", 3)), ElementsAre("a", "b", "e", "c", "d"));
  EXPECT_THAT(node_names(forward("a", 64)), ElementsAre("a", "b", "e", "c", "d"));
  EXPECT_THAT(edges(backward("a", 1)), ElementsAre("z->a@0"));
}

// ---------------------------------------------------------------------------------------------------------
// Filters

TEST_F(TraceTest, MinimumAmountPerAssetIncludesTheThreshold) {
  add("a", "b", 1, 10000);     // 100.00 USD: exactly the minimum
  add("a", "c", 2, 9999);      // 99.99 USD: below
  add("a", "d", 3, 1, "EUR");  // EUR has no minimum
  add("b", "e", 4, 10001);     // above
  add("b", "f", 5, 50);        // below
  build();
  TraceOptions options;
  options.hops = 3;
  options.filter.set_min_amount(asset_id("USD"), core::Amount(10000));
  const auto result = run("a", TraceDirection::Forward, options);
  EXPECT_THAT(node_names(result), ElementsAre("a", "b", "d", "e"));
  EXPECT_THAT(edges(result), ElementsAre("a->b@1", "a->d@3", "b->e@4"));
}

// Amounts >= 2^128 - 1 are saturated in the edge and compared exactly through the side table.
TEST_F(TraceTest, MinimumAmountAbove128BitsComparesSaturatedEdgesExactly) {
  add("a", "b", 1, pow2(200), "BIG");
  add("a", "c", 2, pow2(200) - 1, "BIG");
  add("a", "d", 3, pow2(129), "BIG");
  add("a", "e", 4, pow2(128) - 1, "BIG");  // exactly the saturation value
  add("a", "f", 5, pow2(128) - 2, "BIG");  // largest inline value
  add("a", "g", 6, pow2(256) - 1, "BIG");
  add("a", "h", 7, 5, "BIG");
  build();
  auto with_minimum = [&](const core::uint512& minimum) {
    TraceOptions options;
    options.hops = 1;
    options.filter.set_min_amount(asset_id("BIG"), core::Amount(minimum));
    return node_names(run("a", TraceDirection::Forward, options));
  };
  EXPECT_THAT(with_minimum(pow2(200)), ElementsAre("a", "b", "g"));
  EXPECT_THAT(with_minimum(pow2(200) + 1), ElementsAre("a", "g"));
  EXPECT_THAT(with_minimum(pow2(129)), ElementsAre("a", "b", "c", "d", "g"));
  EXPECT_THAT(with_minimum(pow2(128) - 1), ElementsAre("a", "b", "c", "d", "e", "g"));
  EXPECT_THAT(with_minimum(pow2(128) - 2), ElementsAre("a", "b", "c", "d", "e", "f", "g"));
  EXPECT_THAT(with_minimum(pow2(256) - 1), ElementsAre("a", "g"));
  EXPECT_THAT(with_minimum(6), ElementsAre("a", "b", "c", "d", "e", "f", "g"));
  EXPECT_THAT(with_minimum(5), ElementsAre("a", "b", "c", "d", "e", "f", "g", "h"));
}

TEST_F(TraceTest, AssetFilterFollowsOnlyThatAsset) {
  add("a", "b", 1, 100, "USD");
  add("a", "c", 2, 100, "EUR");
  add("c", "d", 3, 100, "USD");
  add("b", "e", 4, 100, "USD");
  add("b", "f", 5, 100, "EUR");
  build();
  TraceOptions options;
  options.hops = 3;
  options.filter.only_asset(asset_id("USD"));
  const auto result = run("a", TraceDirection::Forward, options);
  EXPECT_THAT(node_names(result), ElementsAre("a", "b", "e"));
  EXPECT_THAT(edges(result), ElementsAre("a->b@1", "b->e@4"));
}

TEST_F(TraceTest, SinceBoundsTheSeedAndUntilExcludesLaterTransfers) {
  add("a", "b", 5);  // before since
  add("a", "c", 15);
  add("c", "d", 12);  // before c's arrival
  add("c", "e", 20);
  add("e", "f", 30);  // after until
  add("e", "g", 25);  // exactly until: inclusive
  build();
  TraceOptions options;
  options.hops = 5;
  options.filter.since = 10;
  options.filter.until = 25;
  const auto result = run("a", TraceDirection::Forward, options);
  EXPECT_THAT(nodes(result), ElementsAre(Node{"a", 0, 10}, Node{"c", 1, 15}, Node{"e", 2, 20}, Node{"g", 3, 25}));
  EXPECT_THAT(edges(result), ElementsAre("a->c@15", "c->e@20", "e->g@25"));

  // since is inclusive too; without until, e->f@30 is followed. c->d@12 stays excluded (c reached at 15).
  options.filter.since = 5;
  options.filter.until = core::kMaxTime;
  EXPECT_THAT(node_names(run("a", TraceDirection::Forward, options)), ElementsAre("a", "b", "c", "e", "f", "g"));
}

// ---------------------------------------------------------------------------------------------------------
// Backward and both

TEST_F(TraceTest, BackwardFollowsLatestDepartureTimes) {
  add("a", "b", 5);
  add("b", "s", 10);  // a -> b -> s in time order: a reaches s
  add("p", "q", 15);
  add("q", "s", 10);  // p paid q after q paid s: p's money cannot have reached s
  add("q", "s", 12);  // another payment from q, still before p's
  build();
  const auto result = backward("s", 3);
  EXPECT_THAT(nodes(result), ElementsAre(Node{"s", 0, kNoneBack}, Node{"b", 1, 10}, Node{"q", 1, 12}, Node{"a", 2, 5}));
  EXPECT_THAT(edges(result), ElementsAre("a->b@5", "b->s@10", "q->s@10", "q->s@12"));

  const auto untimed = backward("s", 3, false);
  EXPECT_THAT(nodes(untimed), ElementsAre(Node{"s", 0, kNoneBack}, Node{"b", 1, kNoneBack}, Node{"q", 1, kNoneBack},
                                          Node{"a", 2, kNoneBack}, Node{"p", 2, kNoneBack}));
}

TEST_F(TraceTest, BackwardUntilBoundsTheSeedAndSinceExcludesEarlierTransfers) {
  add("a", "s", 20);  // after until
  add("b", "s", 15);  // exactly until
  add("c", "b", 3);   // before since
  add("d", "b", 8);
  build();
  TraceOptions options;
  options.hops = 3;
  options.filter.since = 5;
  options.filter.until = 15;
  const auto result = run("s", TraceDirection::Backward, options);
  EXPECT_THAT(nodes(result), ElementsAre(Node{"s", 0, 15}, Node{"b", 1, 15}, Node{"d", 2, 8}));
  EXPECT_THAT(edges(result), ElementsAre("d->b@8", "b->s@15"));
}

TEST_F(TraceTest, BothDirectionsByRunningBoth) {
  add("w", "x", 0);
  add("x", "s", 1);
  add("s", "y", 2);
  add("y", "z", 3);
  add("s", "m", 5);
  add("m", "s", 1);  // m both paid the seed (before) and was paid by it (after)
  build();
  const auto out = forward("s", 3);
  const auto in = backward("s", 3);
  EXPECT_THAT(node_names(out), ElementsAre("s", "y", "m", "z"));
  EXPECT_THAT(node_names(in), ElementsAre("s", "x", "m", "w"));
  EXPECT_THAT(edges(out), ElementsAre("s->y@2", "y->z@3", "s->m@5"));
  EXPECT_THAT(edges(in), ElementsAre("w->x@0", "x->s@1", "m->s@1"));
}

// ---------------------------------------------------------------------------------------------------------
// Cycles, order, errors

TEST_F(TraceTest, CyclesTerminate) {
  add("a", "b", 1);
  add("b", "a", 2);
  add("b", "c", 3);
  add("c", "a", 4);
  add("c", "b", 5);
  for (int i = 0; i < 10; ++i) {  // a ring r0 -> r1 -> ... -> r9 -> r0, twice round
    add("r" + std::to_string(i), "r" + std::to_string((i + 1) % 10), 100 + i);
    add("r" + std::to_string(i), "r" + std::to_string((i + 1) % 10), 200 + i);
  }
  build();
  for (bool timed : {true, false}) {
    EXPECT_THAT(node_names(forward("a", 64, timed)), ElementsAre("a", "b", "c")) << timed;
    EXPECT_THAT(node_names(backward("a", 64, timed)), ElementsAre("a", "b", "c")) << timed;
    EXPECT_EQ(forward("a", 64, timed).edges.size(), 5u) << timed;
    const auto ring = forward("r0", 64, timed);
    EXPECT_EQ(ring.nodes.size(), 10u) << timed;
    EXPECT_EQ(ring.edges.size(), 20u) << timed;
  }
  // Timed: a(0), b(1, t1), c(2, t3); the seed's own time stays unbounded even though money returns to it.
  EXPECT_THAT(nodes(forward("a", 64)), ElementsAre(Node{"a", 0, kNone}, Node{"b", 1, 1}, Node{"c", 2, 3}));
  // r9 -> r0 at 109 returns to the seed; the ring's first round reaches r9 at hop 9.
  const auto ring = forward("r0", 9);
  EXPECT_EQ(ring.nodes.back().hop, 9u);
}

TEST_F(TraceTest, NodesSortedByHopThenIdAndEdgesByTimeThenTransferId) {
  // Address ids follow first appearance: s=1, c=2, b=3, a=4, d=5. Transfer ids follow add() order.
  add("s", "c", 5);  // transfer 1
  add("s", "b", 5);  // transfer 2
  add("s", "a", 3);  // transfer 3
  add("a", "d", 5);  // transfer 4
  add("c", "d", 4);  // transfer 5
  build();
  const auto result = forward("s", 2);
  EXPECT_THAT(node_names(result), ElementsAre("s", "c", "b", "a", "d"));
  EXPECT_THAT(edges(result), ElementsAre("s->a@3", "s->c@5", "s->b@5", "a->d@5"));
  // c->d@4 is before c's arrival (5): excluded. Orders checked structurally too.
  EXPECT_TRUE(std::is_sorted(result.nodes.begin(), result.nodes.end(), [](const TracedNode& x, const TracedNode& y) {
    return std::tie(x.hop, x.node) < std::tie(y.hop, y.node);
  }));
  EXPECT_TRUE(std::is_sorted(result.edges.begin(), result.edges.end(), [&](EdgeIndex x, EdgeIndex y) {
    const Edge& ex = graph().edge(x);
    const Edge& ey = graph().edge(y);
    return std::tie(ex.timestamp, ex.transfer_id) < std::tie(ey.timestamp, ey.transfer_id);
  }));
  EXPECT_EQ(result.seed, node("s"));
  EXPECT_EQ(result.direction, TraceDirection::Forward);
}

// Reproducible random numbers below a bound for generated graphs (Marsaglia 2003, xorshift64).
class XorShift {
 public:
  explicit XorShift(std::uint64_t state) : state_(state) {}
  std::uint64_t operator()(std::uint64_t bound) {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_ % bound;
  }

 private:
  std::uint64_t state_;
};

// The definition of docs/trace-semantics.md computed the slow way, round by round over every transfer: the
// reference for answers large enough that graph::trace splits its work over two threads.
TraceResult reference_trace(const TransferGraph& g, NodeId seed, TraceDirection direction, unsigned hops, bool timed) {
  const bool forward = direction == TraceDirection::Forward;
  const core::UnixSeconds unreached = forward ? core::kMaxTime : core::kMinTime;
  const core::UnixSeconds loosest = forward ? core::kMinTime : core::kMaxTime;
  const auto better = [&](core::UnixSeconds a, core::UnixSeconds b) { return forward ? a < b : a > b; };
  const auto usable = [&](core::UnixSeconds t, core::UnixSeconds bound) {
    return !timed || (forward ? t >= bound : t <= bound);
  };
  std::vector<core::UnixSeconds> time(g.node_count(), unreached);
  std::vector<unsigned> hop(g.node_count(), UINT32_MAX);
  time[seed] = loosest;
  hop[seed] = 0;
  std::vector<core::UnixSeconds> before_last = time;
  for (unsigned k = 1; k <= hops; ++k) {
    if (k == hops) before_last = time;
    std::vector<core::UnixSeconds> next = time;
    for (NodeId u = 0; u < g.node_count(); ++u) {
      for (const Edge& e : g.out_edges(u)) {
        const NodeId near = forward ? u : e.to;  // the wallet the transfer is usable from
        const NodeId far = forward ? e.to : u;
        if (time[near] == unreached || !usable(e.timestamp, time[near])) continue;
        const core::UnixSeconds offer = timed ? e.timestamp : loosest;
        if (next[far] == unreached || better(offer, next[far])) next[far] = offer;
        if (hop[far] == UINT32_MAX) hop[far] = k;
      }
    }
    time = next;
  }
  TraceResult result;
  result.direction = direction;
  result.seed = seed;
  for (NodeId v = 0; v < g.node_count(); ++v) {
    if (hop[v] != UINT32_MAX) result.nodes.push_back(TracedNode{v, hop[v], timed || v == seed ? time[v] : loosest});
  }
  std::sort(result.nodes.begin(), result.nodes.end(),
            [](const TracedNode& a, const TracedNode& b) { return std::tie(a.hop, a.node) < std::tie(b.hop, b.node); });
  for (NodeId u = 0; u < g.node_count(); ++u) {
    for (const Edge& e : g.out_edges(u)) {
      const NodeId near = forward ? u : e.to;
      if (before_last[near] != unreached && usable(e.timestamp, before_last[near])) {
        result.edges.push_back(g.index_of(e));
        result.edge_sources.push_back(u);
      }
    }
  }
  std::vector<std::size_t> order(result.edges.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Edge& x = g.edge(result.edges[a]);
    const Edge& y = g.edge(result.edges[b]);
    return std::tie(x.timestamp, x.transfer_id) < std::tie(y.timestamp, y.transfer_id);
  });
  TraceResult sorted = result;
  for (std::size_t i = 0; i < order.size(); ++i) {
    sorted.edges[i] = result.edges[order[i]];
    sorted.edge_sources[i] = result.edge_sources[order[i]];
  }
  return sorted;
}

// Thousands of wallets reached before the last round: the last round is scanned, and wallets and
// transfers ordered, on two threads. The answer must be exactly the definition's, in both directions,
// with and without time order, whatever the threads' interleaving (several runs).
TEST_F(TraceTest, LargeAnswersSplitOverTwoThreadsEqualTheDefinition) {
  XorShift random(88172645463325252ull);
  constexpr int kWallets = 20000;
  for (int i = 0; i < 6000; ++i) {  // the seed pays thousands of wallets early: they form the first hop
    add("seed", "w" + std::to_string(random(kWallets)), static_cast<core::UnixSeconds>(random(1000)));
  }
  for (int i = 0; i < 40000; ++i) {
    add("w" + std::to_string(random(kWallets)), "w" + std::to_string(random(kWallets)),
        static_cast<core::UnixSeconds>(random(100000)));
  }
  for (int i = 0; i < 6000; ++i) {  // ... and is paid by thousands late: the first hop backward
    add("w" + std::to_string(random(kWallets)), "seed", 99000 + static_cast<core::UnixSeconds>(random(1000)));
  }
  build();
  for (const TraceDirection direction : {TraceDirection::Forward, TraceDirection::Backward}) {
    for (const bool timed : {true, false}) {
      const unsigned hops = timed ? 3 : 2;
      const TraceResult expected = reference_trace(graph(), node("seed"), direction, hops, timed);
      // Large enough for the second thread: thousands of wallets before the last round, and in all.
      const auto before_last = std::count_if(expected.nodes.begin(), expected.nodes.end(),
                                             [&](const TracedNode& n) { return n.hop < hops; });
      ASSERT_GE(before_last, 4096) << timed;
      for (int run = 0; run < 3; ++run) {
        TraceOptions options;
        options.hops = hops;
        options.time_order = timed;
        const TraceResult actual = trace(graph(), node("seed"), direction, options);
        const std::string context = std::string(direction == TraceDirection::Forward ? "forward" : "backward") +
                                    (timed ? " timed" : " untimed") + " run " + std::to_string(run);
        ASSERT_EQ(actual.nodes.size(), expected.nodes.size()) << context;
        std::size_t wrong_nodes = 0;
        for (std::size_t i = 0; i < expected.nodes.size(); ++i) {
          const TracedNode& a = actual.nodes[i];
          const TracedNode& e = expected.nodes[i];
          if (a.node != e.node || a.hop != e.hop || a.time != e.time) ++wrong_nodes;
        }
        EXPECT_EQ(wrong_nodes, 0u) << context;
        EXPECT_EQ(actual.edges, expected.edges) << context;
        EXPECT_EQ(actual.edge_sources, expected.edge_sources) << context;
      }
    }
  }
}

// Traces reuse one per-thread workspace whose wallet slots are never cleared (a slot counts only while its
// state points back at the wallet): traces of every size from many seeds, one after the other in both
// directions, must each equal the definition computed afresh.
TEST_F(TraceTest, TracesFromManySeedsInTurnEqualTheDefinition) {
  XorShift random(2463534242ull);
  constexpr int kWallets = 600;
  std::vector<std::string> senders;
  for (int i = 0; i < 2400; ++i) {
    senders.push_back("w" + std::to_string(random(kWallets)));
    add(senders.back(), "w" + std::to_string(random(kWallets)), static_cast<core::UnixSeconds>(random(5000)));
  }
  build();
  std::size_t largest = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string& seed = senders[random(senders.size())];
    const TraceDirection direction = i % 2 == 0 ? TraceDirection::Forward : TraceDirection::Backward;
    const auto hops = static_cast<unsigned>(1 + random(5));
    const bool timed = i % 7 != 0;
    const TraceResult expected = reference_trace(graph(), node(seed), direction, hops, timed);
    TraceOptions options;
    options.hops = hops;
    options.time_order = timed;
    const TraceResult actual = trace(graph(), node(seed), direction, options);
    const std::string context = seed + (direction == TraceDirection::Forward ? " out " : " in ") +
                                std::to_string(hops) + (timed ? " timed" : " untimed");
    ASSERT_EQ(actual.nodes.size(), expected.nodes.size()) << context;
    for (std::size_t n = 0; n < expected.nodes.size(); ++n) {
      ASSERT_EQ(actual.nodes[n].node, expected.nodes[n].node) << context;
      ASSERT_EQ(actual.nodes[n].hop, expected.nodes[n].hop) << context;
      ASSERT_EQ(actual.nodes[n].time, expected.nodes[n].time) << context;
    }
    ASSERT_EQ(actual.edges, expected.edges) << context;
    ASSERT_EQ(actual.edge_sources, expected.edge_sources) << context;
    largest = std::max(largest, actual.nodes.size());
  }
  EXPECT_GT(largest, 100u);  // some traces reach a large part of the graph, others little
}

TEST_F(TraceTest, SeedWithoutTransfersIsJustTheSeed) {
  add("a", "b", 1);
  build();
  const auto result = forward("b", 3);
  EXPECT_THAT(nodes(result), ElementsAre(Node{"b", 0, kNone}));
  EXPECT_THAT(result.edges, IsEmpty());
}

TEST_F(TraceTest, ZeroHopsAndUnknownSeedAreErrors) {
  add("a", "b", 1);
  build();
  TraceOptions options;
  options.hops = 0;
  ASSERT_THAT([&] { trace(graph(), node("a"), TraceDirection::Forward, options); },
              ThrowsError(ErrorKind::InvalidArgument, HasSubstr("hops")));

  options.hops = 2;
  ASSERT_THAT([&] { trace(graph(), 999, TraceDirection::Forward, options); },
              ThrowsError(ErrorKind::NotFound, HasSubstr("999")));
}

}  // namespace
}  // namespace fundtrail::graph
