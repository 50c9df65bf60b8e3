#pragma once
// Hop-bounded, time-respecting tracing from a seed wallet (docs/trace-semantics.md defines it exactly).
//
// Forward: arr_0(seed) = filter.since (or -inf), arr_0(v) = +inf otherwise; for k = 1..N
//   arr_k(v) = min(arr_{k-1}(v), min{ t : transfer u->v at time t passes the filter, t >= arr_{k-1}(u) }).
// Nodes: the seed plus every v with arr_N(v) finite, `hop` = least k with arr_k(v) finite.
// Edges: every transfer u->v at time t passing the filter with t >= arr_{N-1}(u).
// Backward mirrors it with latest departure times: dep_0(seed) = filter.until (or +inf),
//   dep_k(v) = max(dep_{k-1}(v), max{ t : transfer v->u passes the filter, t <= dep_{k-1}(u) }).
// Without time order every reached wallet may use all its (filtered) transfers: plain hop-bounded
// reachability.
// Only the wallets the trace touches are visited: the cost is the size of the answer, not of the store.
#include <cstdint>
#include <vector>

#include "fundtrail/core/huge_pages.hpp"
#include "fundtrail/graph/edge_filter.hpp"
#include "fundtrail/graph/transfer_graph.hpp"

namespace fundtrail::graph {

enum class TraceDirection : std::uint8_t { Forward, Backward };

struct TraceOptions {
  unsigned hops = 3;  // >= 1
  bool time_order = true;
  EdgeFilter filter;
};

struct TracedNode {
  NodeId node = 0;
  unsigned hop = 0;
  // Forward: earliest time funds from the seed can be at the node (arr_N); backward: latest time funds
  // leaving the node can still reach the seed (dep_N). kMinTime/kMaxTime for the seed without bounds and
  // for every node without time order.
  core::UnixSeconds time = 0;
};

struct TraceResult {
  TraceDirection direction = TraceDirection::Forward;
  NodeId seed = 0;
  // Large for a large answer: in whole huge pages (core/huge_pages.hpp).
  core::HugeVector<TracedNode> nodes;  // seed first, then by (hop, node id)
  core::HugeVector<EdgeIndex> edges;   // by (time, transfer id)
  core::HugeVector<NodeId>
      edge_sources;  // the sending wallet of edges[i] (TransferGraph::source_of, known for free here)
};

TraceResult trace(const TransferGraph& graph, NodeId seed, TraceDirection direction, const TraceOptions& options);

}  // namespace fundtrail::graph
