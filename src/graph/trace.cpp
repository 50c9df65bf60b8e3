#include "fundtrail/graph/trace.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <new>
#include <utility>

#include "fundtrail/core/error.hpp"
#include "fundtrail/core/huge_pages.hpp"
#include "radix_sort.hpp"

namespace fundtrail::graph {
namespace {

// Per-wallet state of a trace, one entry per wallet the trace has offered funds to, in the order they were
// first offered, which is the order they are reached (Briggs & Torczon 1993, sparse sets): a store-wide
// slot array maps a wallet id to its entry, and an entry counts only if it points back at the wallet, so
// the slot array is never cleared: it may hold what the last user of its memory left (core::allocate_huge
// hands freed arrays out again, so the next trace or the report reuses pages already backed), and a trace
// writes only the slots of the wallets it touches, 4 bytes per wallet. A 24-byte state per wallet of the
// store instead made a cold 3-hop trace at 10M transfers zero 48 MB for 5 MB of states.
struct NodeState {
  core::UnixSeconds time;       // arr_{k-1} / dep_{k-1}
  core::UnixSeconds candidate;  // best offer in the current round
  NodeId node;
  std::uint16_t hop;
};

// A transfer of the last round, with its sort key, its sending wallet and the wallet it reaches (whose arrival
// it offers). 24 bytes: the store transfer id that settles equal times is read from the graph when needed.
struct FoundEdge {
  std::uint64_t time_key;  // timestamp, order-preserving as unsigned
  EdgeIndex index;
  NodeId from;
  NodeId far;  // forward: the receiver; backward: the sender
};

class TraceWorkspace {
 public:
  // A trace over `node_count` wallets; every wallet reads as unreached.
  explicit TraceWorkspace(std::size_t node_count)
      : slots_(static_cast<std::uint32_t*>(core::allocate_huge(node_count * sizeof(std::uint32_t)))),
        slot_bytes_(node_count * sizeof(std::uint32_t)) {}
  ~TraceWorkspace() { core::free_huge(slots_, slot_bytes_); }
  TraceWorkspace(const TraceWorkspace&) = delete;
  TraceWorkspace& operator=(const TraceWorkspace&) = delete;

  // The state of `node`, created unreached when new. Invalidates references to other states when the
  // vector grows (reserve() first where that matters).
  [[gnu::always_inline]] NodeState& at(NodeId node, core::UnixSeconds unreached_time, std::uint16_t unreached_hop) {
    const std::uint32_t slot = slots_[node];
    if (slot < states_.size() && states_[slot].node == node) [[likely]]
      return states_[slot];
    return add(node, unreached_time, unreached_hop);
  }
  // The i-th wallet reached, read only: safe on several threads at once while no state is added.
  const NodeState& state(std::size_t i) const { return states_[i]; }
  NodeState& state(std::size_t i) { return states_[i]; }
  // The state of a wallet this trace has reached.
  const NodeState& reached(NodeId node) const { return states_[slots_[node]]; }
  std::size_t size() const { return states_.size(); }
  void reserve(std::size_t count) { states_.reserve(count); }
  // Ask the CPU to start loading what at(node) will read shortly (random memory access): first the slot,
  // then, once the slot has arrived, the state.
  void prefetch_slot(NodeId node) const { __builtin_prefetch(slots_ + node); }
  void prefetch_state(NodeId node) const {
    const std::uint32_t slot = slots_[node];
    if (slot < states_.size()) __builtin_prefetch(states_.data() + slot);
  }

  // Buffers of the last round and the sorts.
  core::HugeVector<FoundEdge> found;
  core::HugeVector<std::uint64_t> keys;
  core::HugeVector<std::uint64_t> scratch;
  // A second thread's buffers: the last round's scan (scan_in_parallel), ordering the wallets.
  core::HugeVector<FoundEdge> helper_found;
  core::HugeVector<std::uint64_t> helper_keys;
  core::HugeVector<std::uint64_t> helper_scratch;

 private:
  [[gnu::noinline]] NodeState& add(NodeId node, core::UnixSeconds unreached_time, std::uint16_t unreached_hop) {
    slots_[node] = static_cast<std::uint32_t>(states_.size());
    return states_.emplace_back(NodeState{unreached_time, unreached_time, node, unreached_hop});
  }

  std::uint32_t* slots_;  // wallet id -> index into states_, valid when the state points back
  std::size_t slot_bytes_;
  core::HugeVector<NodeState> states_;
};

// Below this many wallets, a second thread costs more than it saves.
constexpr std::size_t kParallelFrom = 4096;

// Runs `there` on a second thread while `here` runs on this one; rethrows what `here` threw, else what
// `there` threw, once both have finished (a std::async future waits when destroyed).
template <typename There, typename Here>
void run_on_two_threads(const There& there, const Here& here) {
  std::future<void> helper = std::async(std::launch::async, there);
  here();
  helper.get();
}

// Runs scan(begin, end, found) over the wallets [0, count) of the last round, whose transfers
// number at most `most_edges`, on two threads when there are enough wallets to pay for starting one: each
// thread takes chunks from a shared counter (one hub's transfers can outweigh thousands of wallets) into its
// own vector (found and its helper_ twin). The two are read as one afterwards, never copied
// together: in a fresh process every copy is fresh memory, the dearest thing a cold trace touches. Their
// order does not matter.
template <typename Scan>
void scan_in_parallel(std::size_t count, std::size_t most_edges, TraceWorkspace& workspace, const Scan& scan) {
  constexpr std::size_t kChunk = 256;
  workspace.found.clear();
  workspace.helper_found.clear();
  workspace.found.reserve(most_edges);
  if (count < kParallelFrom) return scan(0, count, workspace.found);
  workspace.helper_found.reserve(most_edges);
  std::atomic<std::size_t> next{0};
  const auto work = [&](core::HugeVector<FoundEdge>& found) {
    for (std::size_t begin; (begin = next.fetch_add(kChunk, std::memory_order_relaxed)) < count;) {
      scan(begin, std::min(begin + kChunk, count), found);
    }
  };
  run_on_two_threads([&] { work(workspace.helper_found); }, [&] { work(workspace.found); });
}

// How many wallets ahead loops over scattered wallets ask for their memory.
constexpr std::size_t kPrefetchDistance = 8;
// How many transfers ahead a wallet's scan asks for the states of the wallets at their far ends: they lie
// scattered over the store, and the relaxation waits for each.
constexpr std::ptrdiff_t kLookAhead = 8;

// Direction-specific pieces of the one algorithm: which adjacency to walk, which transfers are usable
// from a wallet reached at `bound`, and which of two times is better.
struct ForwardRules {
  static constexpr core::UnixSeconds kUnreached = core::kMaxTime;
  static bool better(core::UnixSeconds candidate, core::UnixSeconds current) { return candidate < current; }
  static std::size_t degree(const TransferGraph& graph, NodeId node) { return graph.out_edges(node).size(); }
  static void preload(const TransferGraph& graph, NodeId node) { graph.preload_out_edges(node); }
  template <typename Visit, typename Ahead>
  static void usable(const TransferGraph& graph, NodeId node, core::UnixSeconds bound, Visit&& visit, Ahead&& ahead) {
    auto edges = graph.out_edges(node);
    auto first = std::lower_bound(edges.begin(), edges.end(), bound,
                                  [](const Edge& e, core::UnixSeconds t) { return e.timestamp < t; });
    for (auto it = first; it != edges.end(); ++it) {
      if (edges.end() - it > kLookAhead) ahead(it[kLookAhead].to, it[kLookAhead / 2].to);
      visit(*it, it->to, graph.index_of(*it));
    }
  }
};

struct BackwardRules {
  static constexpr core::UnixSeconds kUnreached = core::kMinTime;
  static bool better(core::UnixSeconds candidate, core::UnixSeconds current) { return candidate > current; }
  static std::size_t degree(const TransferGraph& graph, NodeId node) { return graph.in_edges(node).size(); }
  static void preload(const TransferGraph& graph, NodeId node) { graph.preload_in_edges(node); }
  template <typename Visit, typename Ahead>
  static void usable(const TransferGraph& graph, NodeId node, core::UnixSeconds bound, Visit&& visit, Ahead&& ahead) {
    auto entries = graph.in_edges(node);
    auto last =
        std::upper_bound(entries.begin(), entries.end(), bound,
                         [&graph](core::UnixSeconds t, const InEdge& in) { return t < graph.edge(in.edge).timestamp; });
    for (auto it = entries.begin(); it != last; ++it) {
      if (last - it > kLookAhead) ahead(it[kLookAhead].from, it[kLookAhead / 2].from);
      visit(graph.edge(it->edge), it->from, it->edge);
    }
  }
};

// The last round's transfers as one sequence over the lists the two threads filled.
class FoundEdges {
 public:
  FoundEdges(const core::HugeVector<FoundEdge>& first, const core::HugeVector<FoundEdge>& second)
      : first_(first), second_(second) {}
  std::size_t size() const { return first_.size() + second_.size(); }
  const FoundEdge& operator[](std::size_t i) const {
    return i < first_.size() ? first_[i] : second_[i - first_.size()];
  }

 private:
  const core::HugeVector<FoundEdge>& first_;
  const core::HugeVector<FoundEdge>& second_;
};

// Writes the transfers' indexes and sources into `result` by (time, transfer id). Radix sorts (time -
// earliest, position) packed in 64 bits when they fit (always for real data: a century of seconds and a
// billion transfers take 62 bits), then settles equal times by transfer id; otherwise a comparison sort.
void write_in_time_order(const TransferGraph& graph, const FoundEdges& found, TraceResult& result,
                         core::HugeVector<std::uint64_t>& keys, core::HugeVector<std::uint64_t>& scratch) {
  const std::size_t count = found.size();
  result.edges.reserve(count);
  result.edge_sources.reserve(count);
  const auto emit = [&result](const FoundEdge& edge) {
    result.edges.push_back(edge.index);
    result.edge_sources.push_back(edge.from);
  };
  if (count == 0) return;
  std::uint64_t earliest = UINT64_MAX;
  std::uint64_t latest = 0;
  for (std::size_t i = 0; i < count; ++i) {
    earliest = std::min(earliest, found[i].time_key);
    latest = std::max(latest, found[i].time_key);
  }
  const auto before = [&found, &graph](std::uint64_t a, std::uint64_t b) {  // positions, by (time, transfer id)
    const FoundEdge& x = found[a];
    const FoundEdge& y = found[b];
    if (x.time_key != y.time_key) return x.time_key < y.time_key;
    return graph.edge(x.index).transfer_id < graph.edge(y.index).transfer_id;
  };
  const unsigned position_bits = static_cast<unsigned>(std::bit_width(count - 1));
  keys.clear();
  keys.reserve(count);
  if (position_bits >= 64 || latest - earliest >= (std::uint64_t{1} << (64 - position_bits))) {
    for (std::size_t i = 0; i < count; ++i) keys.push_back(i);
    std::sort(keys.begin(), keys.end(), before);
    for (std::uint64_t position : keys) emit(found[position]);
    return;
  }
  for (std::size_t i = 0; i < count; ++i) keys.push_back(((found[i].time_key - earliest) << position_bits) | i);
  radix_sort(keys, scratch);
  const std::uint64_t position_mask = (std::uint64_t{1} << position_bits) - 1;
  for (std::size_t run = 0; run < count;) {  // equal times (equal keys above the position): by transfer id
    std::size_t end = run + 1;
    while (end < count && (keys[end] >> position_bits) == (keys[run] >> position_bits)) ++end;
    if (end - run > 1) {
      std::sort(keys.begin() + static_cast<std::ptrdiff_t>(run), keys.begin() + static_cast<std::ptrdiff_t>(end),
                [&](std::uint64_t a, std::uint64_t b) { return before(a & position_mask, b & position_mask); });
    }
    run = end;
  }
  for (std::uint64_t key : keys) emit(found[key & position_mask]);
}

template <typename Rules>
TraceResult run(const TransferGraph& graph, NodeId seed, TraceDirection direction, const TraceOptions& options) {
  constexpr std::uint16_t kUnreachedHop = UINT16_MAX;
  const bool timed = options.time_order;
  const EdgeFilter& filter = options.filter;
  // Without time order every transfer is usable: bound = the loosest time, candidates never improve it.
  const core::UnixSeconds loosest = direction == TraceDirection::Forward ? core::kMinTime : core::kMaxTime;
  const core::UnixSeconds seed_bound =
      !timed ? loosest : (direction == TraceDirection::Forward ? filter.since : filter.until);

  TraceWorkspace workspace(graph.node_count());
  auto state = [&workspace](NodeId node) -> NodeState& { return workspace.at(node, Rules::kUnreached, kUnreachedHop); };
  {
    NodeState& origin = state(seed);
    origin.time = seed_bound;
    origin.hop = 0;
  }
  // The workspace lists the wallets by hop: a wallet's state is created when it is first offered funds, and
  // each round reaches exactly the new wallets it offered funds to. Where each hop's run starts, with its hop.
  std::vector<std::pair<std::size_t, std::uint16_t>> hop_runs{{0, 0}};
  std::vector<NodeId> frontier{seed};
  std::vector<NodeId> improved;
  const auto preload = [&workspace](NodeId far, NodeId near) {
    workspace.prefetch_slot(far);
    workspace.prefetch_state(near);
  };

  // Rounds 1..N-1 compute arr_{N-1}; only wallets whose time improved in the previous round can improve
  // others, because the rest contribute exactly what they contributed before.
  for (unsigned round = 1; round < options.hops && !frontier.empty(); ++round) {
    improved.clear();
    hop_runs.emplace_back(workspace.size(), static_cast<std::uint16_t>(round));
    std::size_t most = workspace.size();
    for (std::size_t i = 0; i < frontier.size(); ++i) {
      if (i + kPrefetchDistance < frontier.size()) Rules::preload(graph, frontier[i + kPrefetchDistance]);
      most += Rules::degree(graph, frontier[i]);
    }
    workspace.reserve(std::min(most, graph.node_count()));  // no reallocation while the round holds a state
    for (std::size_t i = 0; i < frontier.size(); ++i) {
      const NodeId node = frontier[i];
      if (i + kPrefetchDistance < frontier.size()) workspace.prefetch_state(frontier[i + kPrefetchDistance]);
      Rules::usable(
          graph, node, state(node).time,
          [&](const Edge& edge, NodeId next, EdgeIndex) {
            if (!filter.passes(graph, edge)) return;
            const core::UnixSeconds offer = timed ? edge.timestamp : loosest;
            NodeState& target = state(next);
            const bool known = target.hop != kUnreachedHop;
            if (known && !Rules::better(offer, target.time)) return;
            if (target.candidate == Rules::kUnreached) {
              improved.push_back(next);
              target.candidate = offer;
            } else if (Rules::better(offer, target.candidate)) {
              target.candidate = offer;
            }
          },
          preload);
    }
    // Apply the round's offers together: arr_k depends on arr_{k-1} only.
    frontier.clear();
    for (NodeId node : improved) {
      NodeState& entry = state(node);
      if (entry.hop == kUnreachedHop) entry.hop = static_cast<std::uint16_t>(round);
      entry.time = entry.candidate;
      entry.candidate = Rules::kUnreached;
      frontier.push_back(node);
    }
  }

  // Round N: the result's edges are every usable transfer of every wallet reached by round N-1; their far
  // ends complete arr_N. Each edge's sort key and source wallet are taken here, while the edge is in hand:
  // looking them up afterwards would chase random memory again (and finding an edge's source costs a
  // binary search over all wallets).
  const bool forward = direction == TraceDirection::Forward;
  const std::size_t reached_before_last = workspace.size();
  // Only reads the states (the wallets' bounds) and the graph: with many wallets, two threads share it.
  const auto scan = [&](std::size_t begin, std::size_t end, core::HugeVector<FoundEdge>& found_here) {
    for (std::size_t i = begin; i < end; ++i) {
      const NodeState& from = std::as_const(workspace).state(i);
      Rules::usable(
          graph, from.node, from.time,
          [&](const Edge& edge, NodeId next, EdgeIndex index) {
            if (!filter.passes(graph, edge)) return;
            const auto time_key = static_cast<std::uint64_t>(edge.timestamp) ^ (std::uint64_t{1} << 63);
            found_here.push_back(FoundEdge{time_key, index, forward ? from.node : next, next});
          },
          [](NodeId, NodeId) {});
    }
  };
  // At most this many transfers: room for them is reserved up front (address space only until written), as
  // growing by doubling would first touch about twice the memory in a fresh process.
  std::size_t most = 0;
  for (std::size_t i = 0; i < reached_before_last; ++i) most += Rules::degree(graph, workspace.state(i).node);
  scan_in_parallel(reached_before_last, most, workspace, scan);
  workspace.reserve(std::min(reached_before_last + most, graph.node_count()));
  hop_runs.emplace_back(workspace.size(), static_cast<std::uint16_t>(options.hops));
  for (const auto* offers : {&workspace.found, &workspace.helper_found}) {
    for (std::size_t i = 0; i < offers->size(); ++i) {
      if (i + kPrefetchDistance < offers->size()) workspace.prefetch_slot((*offers)[i + kPrefetchDistance].far);
      if (i + kPrefetchDistance / 2 < offers->size())
        workspace.prefetch_state((*offers)[i + kPrefetchDistance / 2].far);
      const FoundEdge& found = (*offers)[i];
      const core::UnixSeconds offer =
          timed ? static_cast<core::UnixSeconds>(found.time_key ^ (std::uint64_t{1} << 63)) : loosest;
      NodeState& entry = state(found.far);
      if (entry.hop == kUnreachedHop) {
        entry.hop = static_cast<std::uint16_t>(options.hops);
        entry.time = offer;
      } else if (Rules::better(offer, entry.time)) {
        entry.time = offer;
      }
    }
  }

  TraceResult result;
  result.direction = direction;
  result.seed = seed;
  // Wallets by (hop, id): the states are already by hop, so each hop's run is radix sorted on its wallet ids
  // alone. Transfers by (time, transfer id). With a large answer the two run on two threads.
  const std::size_t reached_count = workspace.size();
  const auto order_wallets = [&](core::HugeVector<std::uint64_t>& keys, core::HugeVector<std::uint64_t>& scratch) {
    keys.clear();
    keys.reserve(reached_count);
    for (std::size_t i = 0; i < reached_count; ++i) keys.push_back(std::as_const(workspace).state(i).node);
    result.nodes.reserve(keys.size());
    for (std::size_t run = 0; run < hop_runs.size(); ++run) {
      const std::size_t begin = hop_runs[run].first;
      const std::size_t end = run + 1 < hop_runs.size() ? hop_runs[run + 1].first : keys.size();
      radix_sort(keys.data() + begin, end - begin, scratch);
      for (std::size_t i = begin; i < end; ++i) {
        if (i + kPrefetchDistance < end) workspace.prefetch_slot(static_cast<NodeId>(keys[i + kPrefetchDistance]));
        if (i + kPrefetchDistance / 2 < end)
          workspace.prefetch_state(static_cast<NodeId>(keys[i + kPrefetchDistance / 2]));
        const auto node = static_cast<NodeId>(keys[i]);
        result.nodes.push_back(TracedNode{node, hop_runs[run].second, workspace.reached(node).time});
      }
    }
  };
  const auto order_transfers = [&] {
    write_in_time_order(graph, FoundEdges(workspace.found, workspace.helper_found), result, workspace.keys,
                        workspace.scratch);
  };

  if (reached_count < kParallelFrom) {
    order_wallets(workspace.keys, workspace.scratch);
    order_transfers();
  } else {
    run_on_two_threads([&] { order_wallets(workspace.helper_keys, workspace.helper_scratch); }, order_transfers);
  }
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
