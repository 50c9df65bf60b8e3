#include "fundtrail/graph/trace.hpp"

#include <algorithm>
#include <unordered_map>

#include "fundtrail/core/error.hpp"

namespace fundtrail::graph {
namespace {

struct Reach {
  core::UnixSeconds time;
  unsigned hop;
};

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

template <typename Rules>
TraceResult run(const TransferGraph& graph, NodeId seed, TraceDirection direction, const TraceOptions& options) {
  const bool timed = options.time_order;
  const EdgeFilter& filter = options.filter;
  // Without time order every transfer is usable: bound = the loosest time, candidates never improve it.
  const core::UnixSeconds loosest = direction == TraceDirection::Forward ? core::kMinTime : core::kMaxTime;
  const core::UnixSeconds seed_bound =
      !timed ? loosest : (direction == TraceDirection::Forward ? filter.since : filter.until);

  std::unordered_map<NodeId, Reach> reached;
  reached.reserve(1024);
  reached.emplace(seed, Reach{seed_bound, 0});
  std::vector<NodeId> frontier{seed};
  std::unordered_map<NodeId, core::UnixSeconds> improved;

  // Rounds 1..N-1 compute arr_{N-1}; only wallets whose time improved in the previous round can improve
  // others, because the rest contribute exactly what they contributed before.
  for (unsigned round = 1; round < options.hops && !frontier.empty(); ++round) {
    improved.clear();
    for (NodeId node : frontier) {
      const core::UnixSeconds bound = reached.at(node).time;
      Rules::usable(graph, node, bound, [&](const Edge& edge, NodeId next, EdgeIndex) {
        if (!filter.passes(graph, edge)) return;
        const core::UnixSeconds candidate = timed ? edge.timestamp : loosest;
        auto known = reached.find(next);
        const core::UnixSeconds current = known == reached.end() ? Rules::kUnreached : known->second.time;
        if (known != reached.end() && !Rules::better(candidate, current)) return;
        auto [slot, inserted] = improved.try_emplace(next, candidate);
        if (!inserted && Rules::better(candidate, slot->second)) slot->second = candidate;
      });
    }
    frontier.clear();
    for (const auto& [node, time] : improved) {
      auto [slot, inserted] = reached.try_emplace(node, Reach{time, round});
      if (!inserted) slot->second.time = time;
      frontier.push_back(node);
    }
  }

  // Round N: the result's edges are every usable transfer of every wallet reached by round N-1; their far
  // ends complete arr_N.
  TraceResult result;
  result.direction = direction;
  result.seed = seed;
  std::vector<std::pair<NodeId, core::UnixSeconds>> last_round;
  for (const auto& [node, reach] : reached) {
    Rules::usable(graph, node, reach.time, [&](const Edge& edge, NodeId next, EdgeIndex index) {
      if (!filter.passes(graph, edge)) return;
      result.edges.push_back(index);
      last_round.emplace_back(next, timed ? edge.timestamp : loosest);
    });
  }
  for (const auto& [node, time] : last_round) {
    auto [slot, inserted] = reached.try_emplace(node, Reach{time, options.hops});
    if (!inserted && Rules::better(time, slot->second.time)) slot->second.time = time;
  }

  result.nodes.reserve(reached.size());
  for (const auto& [node, reach] : reached) result.nodes.push_back(TracedNode{node, reach.hop, reach.time});
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
  if (options.hops == 0) throw invalid_argument("hops must be at least 1");
  if (!graph.has_node(seed)) throw not_found("seed node " + std::to_string(seed) + " is not in the graph");
  return direction == TraceDirection::Forward ? run<ForwardRules>(graph, seed, direction, options)
                                              : run<BackwardRules>(graph, seed, direction, options);
}

}  // namespace fundtrail::graph
