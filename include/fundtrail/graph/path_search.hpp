#pragma once
// "Is wallet FROM linked to wallet TO?": the K shortest time-respecting simple paths between two wallets.
//
// A path of m hops is a sequence of transfers e_1..e_m, each passing the filter, with
//   e_1.from == FROM, e_m.to == TO, e_i.to == e_{i+1}.from,
//   t_i <= t_{i+1} (non-decreasing: a hop in the same second, even the same transaction, is allowed),
//   and no wallet repeated (FROM, the intermediate wallets and TO are pairwise distinct, so self-transfers
//   never appear).
// Without time order the timestamp condition is dropped (plain hop-bounded connectivity).
//
// Paths are told apart by their wallet sequence only: the many transfer combinations that realise one
// sequence are one path. Each is reported with one witness chain, chosen greedily as the earliest usable
// transfer at every step (the first transfer u->v passing the filter at or after the arrival time at u,
// with arrival at FROM = filter.since; same-second transfers by store transfer id). Earliest arrival is optimal for feasibility, so a wallet sequence
// has some time-respecting chain exactly when the greedy one exists; the witness also shows the earliest
// time the money can have reached TO along that route. Transfers of different assets may follow each other
// unless the filter fixes one asset (as in `trace`).
//
// Result: up to `limit` paths of at most `max_hops` hops, shortest first (iterative deepening on the hop
// count); within one length by the witness's arrival time at TO, then by wallet sequence (lexicographic
// under `wallet_less`, node id when unset).
//
// Pruning: a backward pass from TO computes dep_r(v), the latest time a transfer may leave v and still
// reach TO within r hops in time order (trace.hpp's backward recurrence, kept per r). The search expands a
// wallet reached at time a with r hops left only when dep_r(v) >= a; without time order, only when v is
// within r hops of TO. dep_r ignores the no-repeat rule, so it never prunes a real path.
//
// Budget: every transfer the search examines while extending a partial path counts as one expansion
// (the pruning pass is not counted: it costs at most max_hops passes over the transfers into wallets that
// can reach TO). When `max_expansions` is spent the search stops and sets `truncated`: every listed path
// is genuine, paths shorter than `complete_hops + 1` are all found and in order, but longer ones may be
// missing or not the best-ranked ones.
#include <cstdint>
#include <functional>
#include <vector>

#include "fundtrail/graph/edge_filter.hpp"
#include "fundtrail/graph/transfer_graph.hpp"

namespace fundtrail::graph {

struct PathSearchOptions {
  unsigned max_hops = 6;    // >= 1
  std::size_t limit = 5;    // >= 1
  bool time_order = true;
  EdgeFilter filter;
  // A fraction of a second of search: ~10-20M expansions per second. On a 1M-transfer synthetic store with
  // hubs (tools/bench_gen), 6-hop searches between random wallets complete well within it.
  std::uint64_t max_expansions = 2'000'000;
  // Strict weak order on wallets for the final tie-break (e.g. by address text); node id when empty.
  std::function<bool(NodeId, NodeId)> wallet_less;
};

struct FoundPath {
  std::vector<NodeId> wallets;       // FROM, ..., TO: hops + 1 entries
  std::vector<EdgeIndex> transfers;  // the witness chain: hops entries
  std::size_t hops() const { return transfers.size(); }
};

struct PathSearchResult {
  NodeId from = 0;
  NodeId to = 0;
  std::vector<FoundPath> paths;  // shortest first, see the order above
  bool truncated = false;
  unsigned complete_hops = 0;    // every path of at most this many hops was considered
  std::uint64_t expansions = 0;  // transfers examined
};

// Throws fundtrail::Error(InvalidArgument) for max_hops or limit of 0 or FROM == TO, (NotFound) for a node
// outside the graph.
PathSearchResult find_paths(const TransferGraph& graph, NodeId from, NodeId to, const PathSearchOptions& options);

}  // namespace fundtrail::graph
