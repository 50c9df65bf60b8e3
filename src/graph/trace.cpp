#include "fundtrail/graph/trace.hpp"

#include <algorithm>
#include <cstdint>

#include "fundtrail/core/error.hpp"

namespace fundtrail::graph {
namespace {


// Direction-specific pieces of the one algorithm: which adjacency to walk, which transfers are usable
// from a wallet reached at `bound`, and which of two times is better.
struct ForwardRules {
  static constexpr core::UnixSeconds kUnreached = core::kMaxTime;
  static bool better(core::UnixSeconds candidate, core::UnixSeconds current) { return candidate < current; }
  template <typename Visit>
  static void usable(const TransferGraph& graph, NodeId node, core::UnixSeconds bound, Visit&& visit) {
    auto edges = graph.out_edges(node);
    auto first = std::lower_bound(edges.begin(), edges.end(), bound,
                                  [](const Edge& e, core::UnixSeconds t) { return e.timestamp < t; });
    for (auto it = first; it != edges.end(); ++it) visit(*it, it->to, graph.index_of(*it));
  }
};

struct BackwardRules {
  static constexpr core::UnixSeconds kUnreached = core::kMinTime;
  static bool better(core::UnixSeconds candidate, core::UnixSeconds current) { return candidate > current; }
  template <typename Visit>
  static void usable(const TransferGraph& graph, NodeId node, core::UnixSeconds bound, Visit&& visit) {
    auto entries = graph.in_edges(node);
    auto last = std::upper_bound(entries.begin(), entries.end(), bound, [&graph](core::UnixSeconds t, const InEdge& in) {
      return t < graph.edge(in.edge).timestamp;
    });
    for (auto it = entries.begin(); it != last; ++it) visit(graph.edge(it->edge), it->from, it->edge);
  }
};

// Per-wallet state lives in dense arrays indexed by node id (the store's address ids are dense): two
// array reads per relaxed transfer instead of hash-map probes. The arrays cost 10 bytes per wallet of the
// store, allocated once per trace; only the touched entries are read back.
template <typename Rules>
TraceResult run(const TransferGraph& graph, NodeId seed, TraceDirection direction, const TraceOptions& options) {
  constexpr std::uint16_t kUnreachedHop = UINT16_MAX;
  const bool timed = options.time_order;
  const EdgeFilter& filter = options.filter;
  // Without time order every transfer is usable: bound = the loosest time, candidates never improve it.
  const core::UnixSeconds loosest = direction == TraceDirection::Forward ? core::kMinTime : core::kMaxTime;
  const core::UnixSeconds seed_bound =
      !timed ? loosest : (direction == TraceDirection::Forward ? filter.since : filter.until);

  const std::size_t node_count = graph.node_count();
  std::vector<core::UnixSeconds> time(node_count, Rules::kUnreached);     // arr_{k-1} / dep_{k-1}
  std::vector<core::UnixSeconds> candidate(node_count, Rules::kUnreached);  // best offer in the current round
  std::vector<std::uint16_t> hop(node_count, kUnreachedHop);
  std::vector<NodeId> reached{seed};
  time[seed] = seed_bound;
  hop[seed] = 0;
  std::vector<NodeId> frontier{seed};
  std::vector<NodeId> improved;

  // Rounds 1..N-1 compute arr_{N-1}; only wallets whose time improved in the previous round can improve
  // others, because the rest contribute exactly what they contributed before.
  for (unsigned round = 1; round < options.hops && !frontier.empty(); ++round) {
    improved.clear();
    for (NodeId node : frontier) {
      Rules::usable(graph, node, time[node], [&](const Edge& edge, NodeId next, EdgeIndex) {
        if (!filter.passes(graph, edge)) return;
        const core::UnixSeconds offer = timed ? edge.timestamp : loosest;
        const bool known = hop[next] != kUnreachedHop;
        if (known && !Rules::better(offer, time[next])) return;
        if (candidate[next] == Rules::kUnreached) {
          improved.push_back(next);
          candidate[next] = offer;
        } else if (Rules::better(offer, candidate[next])) {
          candidate[next] = offer;
        }
      });
    }
    // Apply the round's offers together: arr_k depends on arr_{k-1} only.
    frontier.clear();
    for (NodeId node : improved) {
      if (hop[node] == kUnreachedHop) {
        hop[node] = static_cast<std::uint16_t>(round);
        reached.push_back(node);
      }
      time[node] = candidate[node];
      candidate[node] = Rules::kUnreached;
      frontier.push_back(node);
    }
  }

  // Round N: the result's edges are every usable transfer of every wallet reached by round N-1; their far
  // ends complete arr_N.
  TraceResult result;
  result.direction = direction;
  result.seed = seed;
  std::vector<std::pair<NodeId, core::UnixSeconds>> last_round;
  for (NodeId node : reached) {
    Rules::usable(graph, node, time[node], [&](const Edge& edge, NodeId next, EdgeIndex index) {
      if (!filter.passes(graph, edge)) return;
      result.edges.push_back(index);
      last_round.emplace_back(next, timed ? edge.timestamp : loosest);
    });
  }
  for (const auto& [node, offer] : last_round) {
    if (hop[node] == kUnreachedHop) {
      hop[node] = static_cast<std::uint16_t>(options.hops);
      time[node] = offer;
      reached.push_back(node);
    } else if (Rules::better(offer, time[node])) {
      time[node] = offer;
    }
  }

  result.nodes.reserve(reached.size());
  for (NodeId node : reached) result.nodes.push_back(TracedNode{node, hop[node], time[node]});
  std::sort(result.nodes.begin(), result.nodes.end(), [](const TracedNode& a, const TracedNode& b) {
    return a.hop != b.hop ? a.hop < b.hop : a.node < b.node;
  });
  std::sort(result.edges.begin(), result.edges.end(), [&graph](EdgeIndex a, EdgeIndex b) {
    const Edge& ea = graph.edge(a);
    const Edge& eb = graph.edge(b);
    return ea.timestamp != eb.timestamp ? ea.timestamp < eb.timestamp : ea.transfer_id < eb.transfer_id;
  });
  return result;
}

}  // namespace

TraceResult trace(const TransferGraph& graph, NodeId seed, TraceDirection direction, const TraceOptions& options) {
  if (options.hops == 0 || options.hops >= UINT16_MAX) throw invalid_argument("hops must be between 1 and 65534");
  if (!graph.has_node(seed)) throw not_found("seed node " + std::to_string(seed) + " is not in the graph");
  return direction == TraceDirection::Forward ? run<ForwardRules>(graph, seed, direction, options)
                                              : run<BackwardRules>(graph, seed, direction, options);
}

}  // namespace fundtrail::graph
