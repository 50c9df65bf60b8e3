#include "fundtrail/report/trace_report.hpp"

#include <algorithm>
#include <cstdlib>
#include <future>
#include <memory>
#include <new>

#include "fundtrail/core/error.hpp"
#include "fundtrail/core/huge_pages.hpp"
#include "fundtrail/store/transfer_writer.hpp"

namespace fundtrail::report {
namespace {

constexpr unsigned kForwardBit = 1;
constexpr unsigned kBackwardBit = 2;
// How many rows ahead the loops over scattered wallets and transfers ask for their memory (labels, states).
constexpr std::size_t kPreloadAhead = 16;
// From this many wallets on, they are labelled and sorted on a second thread while the transfers are ordered
// (below, starting a thread costs more).
constexpr std::size_t kParallelNodes = 20000;

std::string_view direction_name(unsigned bits) {
  switch (bits) {
    case kForwardBit:
      return "out";
    case kBackwardBit:
      return "in";
    default:
      return "both";
  }
}

// A running total of one asset, 24 bytes: the sums of hundreds of thousands of wallets are updated in
// scattered order. Transfers below 2^128 base units (all but hostile tokens) are summed in 128 bits plus a
// carry count, without 512-bit arithmetic; larger ones apart (AssetSums::Extra).
struct AssetSum {
  std::uint32_t asset = 0;
  std::uint32_t carries : 31 = 0;  // how often the 128-bit sum wrapped: at most once per transfer
  std::uint32_t used : 1 = 0;      // the slot holds an asset
  std::uint64_t low_lo = 0;        // the sum of the small amounts, modulo 2^128
  std::uint64_t low_hi = 0;

  void add(core::uint128 amount) {
    const core::uint128 low = ((core::uint128{low_hi} << 64) | low_lo) + amount;
    if (low < amount) ++carries;
    low_lo = static_cast<std::uint64_t>(low);
    low_hi = static_cast<std::uint64_t>(low >> 64);
  }
};

// The first asset's sum inline; other assets and amounts beyond 128 bits (both rare) in an Extra allocated
// when first needed. 32 bytes.
class AssetSums {
 public:
  void add(const graph::TransferGraph& graph, graph::EdgeIndex index, const graph::Edge& edge) {
    AssetSum& sum = sum_for(edge.asset);
    if (!edge.amount_saturated()) return sum.add((core::uint128{edge.amount_hi} << 64) | edge.amount_lo);
    for (auto& [asset, amount] : extra().large) {
      if (asset == edge.asset) return void(amount += graph.amount(index));
    }
    extra().large.emplace_back(edge.asset, graph.amount(index));
  }

  AssetTotals totals(const GraphLabels& labels) const {
    AssetTotals result;
    const auto add = [&](const AssetSum& sum) {
      const core::AssetInfo& asset = labels.asset(sum.asset);
      result.push_back(AssetTotal{asset.symbol, asset.contract, display(sum, asset.decimals)});
    };
    if (!first_.used) return result;
    add(first_);
    if (!extra_) return result;
    for (const AssetSum& sum : extra_->more) add(sum);
    std::sort(result.begin(), result.end(), [](const AssetTotal& a, const AssetTotal& b) {
      return a.asset != b.asset ? a.asset < b.asset : a.contract < b.contract;
    });
    return result;
  }

 private:
  struct Extra {
    std::vector<AssetSum> more;                                 // assets after the first
    std::vector<std::pair<std::uint32_t, core::Amount>> large;  // per asset: the transfers beyond 128 bits
  };

  AssetSum& sum_for(std::uint32_t asset) {
    if (!first_.used) {
      first_.used = 1;
      first_.asset = asset;
    }
    if (first_.asset == asset) return first_;
    for (AssetSum& sum : extra().more) {
      if (sum.asset == asset) return sum;
    }
    AssetSum& sum = extra().more.emplace_back();
    sum.asset = asset;
    sum.used = 1;
    return sum;
  }
  Extra& extra() {
    if (!extra_) extra_ = std::make_unique<Extra>();
    return *extra_;
  }

  std::string display(const AssetSum& sum, unsigned decimals) const {
    const core::Amount* large = nullptr;
    if (extra_) {
      for (const auto& [asset, amount] : extra_->large) {
        if (asset == sum.asset) large = &amount;
      }
    }
    const core::uint128 low = (core::uint128{sum.low_hi} << 64) | sum.low_lo;
    if (sum.carries == 0 && !large) return core::to_display(low, decimals);
    core::uint512 value = sum.carries;
    value <<= 128;
    value |= core::uint512(sum.low_hi) << 64;
    value |= core::uint512(sum.low_lo);
    core::Amount total(value);
    if (large) total += *large;
    return total.to_display(decimals);
  }

  AssetSum first_;
  std::unique_ptr<Extra> extra_;
};

constexpr std::uint16_t kNoHop = UINT16_MAX;
constexpr core::UnixSeconds kNotReached = INT64_MIN;

// A wallet of the answer: what the traversal found (24 bytes) and, apart, its totals within the answer
// (64 bytes). Apart because the wallets are ordered on a second thread (reading the states) while this one
// adds up the transfers (writing the totals): in one record they would share cache lines between threads.
struct NodeState {
  core::UnixSeconds reached = kNotReached;  // forward: earliest arrival, backward: latest departure
  graph::NodeId node = 0;
  std::uint16_t hop = kNoHop;                            // least over the directions
  std::uint16_t hop_by_direction[2] = {kNoHop, kNoHop};  // forward, backward
  std::uint8_t bits = 0;
};
struct NodeSums {
  AssetSums received;
  AssetSums sent;
};

// The wallets of the results, one state each, found from a wallet id in constant time: a store-wide slot
// array, never cleared, whose entry counts only when the state it names points back at the wallet (a sparse
// set, as in graph/trace.cpp). Only the slots of wallets in the result are written, so the cost follows the
// size of the answer, not of the store, and the array may reuse memory the trace has just freed.
class NodeTable {
 public:
  explicit NodeTable(std::size_t node_count)
      : slots_(static_cast<std::uint32_t*>(core::allocate_huge(node_count * sizeof(std::uint32_t))),
               Free{node_count * sizeof(std::uint32_t)}) {}
  void reserve(std::size_t count) {
    states_.reserve(count);
    sums_.reserve(count);
  }

  // The node's state, created when new.
  NodeState& add(graph::NodeId node) {
    std::uint32_t& slot = slots_.get()[node];
    if (slot < states_.size() && states_[slot].node == node) return states_[slot];
    slot = static_cast<std::uint32_t>(states_.size());
    states_.emplace_back().node = node;
    sums_.emplace_back();
    return states_.back();
  }
  // The index of a node added before (the transfers of an answer join its wallets).
  std::uint32_t slot(graph::NodeId node) const {
    const std::uint32_t slot = slots_.get()[node];
    if (slot >= states_.size() || states_[slot].node != node) {
      throw Error(ErrorKind::Corruption, "trace result has a transfer of a wallet outside it");
    }
    return slot;
  }
  const NodeState& state(graph::NodeId node) const { return states_[slot(node)]; }
  NodeSums& sums(graph::NodeId node) { return sums_[slot(node)]; }
  void preload(graph::NodeId node) const { __builtin_prefetch(slots_.get() + node); }
  // The second step, once preload(node) had time: the node's state (checked against) and totals.
  void preload_sums(graph::NodeId node) const {
    const std::uint32_t slot = slots_.get()[node];
    if (slot < states_.size()) {
      __builtin_prefetch(&states_[slot]);
      __builtin_prefetch(&sums_[slot]);
    }
  }
  core::HugeVector<NodeState>& states() { return states_; }
  core::HugeVector<NodeSums>& sums() { return sums_; }

 private:
  struct Free {
    std::size_t bytes;
    void operator()(std::uint32_t* slots) const { core::free_huge(slots, bytes); }
  };
  std::unique_ptr<std::uint32_t, Free> slots_;  // index into states_ and sums_, valid when the state points back
  core::HugeVector<NodeState> states_;
  core::HugeVector<NodeSums> sums_;
};

// 32 bytes per transfer of the answer.
struct EdgeState {
  graph::EdgeIndex index = 0;
  graph::NodeId from = 0;
  graph::NodeId to = 0;
  std::uint16_t hop = kNoHop;
  std::uint8_t bits = 0;
  core::UnixSeconds timestamp = 0;
  std::int64_t transfer_id = 0;
};
static_assert(sizeof(EdgeState) == 32);

}  // namespace

struct TraceReport::Rows {
  // A wallet's row, 16 bytes: its hop and address are the sort key, compared as (hop, the address's first
  // eight bytes as one number) and by the whole address only when those tie: string compares through
  // scattered label pointers would dominate the sort. The label is looked up again when the row is written.
  struct NodeKey {
    std::uint64_t prefix;
    std::uint32_t hop;  // 0 for the seed only
    std::uint32_t state;
  };
  graph::NodeId seed = 0;
  core::HugeVector<NodeState> states;
  core::HugeVector<NodeSums> sums;    // of states[i]
  core::HugeVector<NodeKey> nodes;    // in report order
  core::HugeVector<EdgeState> edges;  // in report order
};

TraceReport::TraceReport(const graph::TransferGraph& graph, GraphLabels& labels, TraceRequest request)
    : graph_(&graph), labels_(&labels), request_(std::move(request)), rows_(std::make_unique<Rows>()) {}
TraceReport::TraceReport(TraceReport&&) noexcept = default;
TraceReport& TraceReport::operator=(TraceReport&&) noexcept = default;
TraceReport::~TraceReport() = default;

std::size_t TraceReport::node_count() const { return rows_->nodes.size(); }
std::size_t TraceReport::edge_count() const { return rows_->edges.size(); }

// Rows are described in order, one by one: each call asks for the scattered memory of the rows a few
// positions ahead (label text, totals), overlapping its latency with the work on this one.
ReportNode TraceReport::node(std::size_t position) const {
  const core::HugeVector<Rows::NodeKey>& keys = rows_->nodes;
  const core::HugeVector<NodeState>& states = rows_->states;
  if (position + kPreloadAhead < keys.size()) {
    __builtin_prefetch(&states[keys[position + kPreloadAhead].state]);
    __builtin_prefetch(&rows_->sums[keys[position + kPreloadAhead].state]);
  }
  if (position + kPreloadAhead / 2 < keys.size())
    labels_->preload_address(states[keys[position + kPreloadAhead / 2].state].node);
  if (position + kPreloadAhead / 4 < keys.size())
    labels_->preload_address_text(states[keys[position + kPreloadAhead / 4].state].node);
  const Rows::NodeKey& key = keys[position];
  const NodeState& state = states[key.state];
  const bool seed = state.node == rows_->seed;
  const AddressLabel label = labels_->address(state.node);
  ReportNode out;
  out.address = label.address;
  out.chain = label.chain;
  out.hop = key.hop;
  out.direction = seed ? "seed" : direction_name(state.bits);
  if (state.reached != kNotReached) out.reached = state.reached;
  const NodeSums& sums = rows_->sums[key.state];
  out.received = sums.received.totals(*labels_);
  out.sent = sums.sent.totals(*labels_);
  return out;
}

ReportEdge TraceReport::edge(std::size_t position) const {
  const core::HugeVector<EdgeState>& edges = rows_->edges;
  if (position + kPreloadAhead < edges.size()) {
    const EdgeState& ahead = edges[position + kPreloadAhead];
    __builtin_prefetch(&graph_->edge(ahead.index));
    labels_->preload_transaction(ahead.transfer_id);
    labels_->preload_address(ahead.from);
    labels_->preload_address(ahead.to);
  }
  if (position + kPreloadAhead / 2 < edges.size()) {
    const EdgeState& ahead = edges[position + kPreloadAhead / 2];
    labels_->preload_address_text(ahead.from);
    labels_->preload_address_text(ahead.to);
  }
  const EdgeState& state = edges[position];
  return ReportEdge{describe_transfer(*graph_, *labels_, state.index, state.from), state.hop,
                    direction_name(state.bits)};
}

namespace {

// Wallets: seed first, then by (hop, address).
template <typename NodeKey>
core::HugeVector<NodeKey> order_nodes(const core::HugeVector<NodeState>& states, GraphLabels& labels,
                                      graph::NodeId seed) {
  core::HugeVector<NodeKey> keys;
  keys.reserve(states.size());
  for (std::uint32_t i = 0; i < states.size(); ++i) {
    if (i + kPreloadAhead < states.size()) labels.preload_address(states[i + kPreloadAhead].node);
    if (i + kPreloadAhead / 2 < states.size()) labels.preload_address_text(states[i + kPreloadAhead / 2].node);
    const AddressLabel label = labels.address(states[i].node);
    std::uint64_t prefix = 0;
    for (std::size_t b = 0; b < 8; ++b) {
      prefix = prefix << 8 | (b < label.address.size() ? static_cast<unsigned char>(label.address[b]) : 0u);
    }
    keys.push_back(NodeKey{prefix, states[i].node == seed ? 0u : std::uint32_t{states[i].hop}, i});
  }
  std::sort(keys.begin(), keys.end(), [&](const NodeKey& a, const NodeKey& b) {
    if (a.hop != b.hop) return a.hop < b.hop;
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return labels.address(states[a.state].node).address < labels.address(states[b.state].node).address;
  });
  return keys;
}

// Transfers: by (hop, timestamp, tx hash, index). `edges` comes by (hop, timestamp, transfer id): transfers of
// one transaction are already together and by index, so only runs of one (hop, timestamp) that span several
// transactions still need their hashes compared.
void order_by_hash_within_ties(core::HugeVector<EdgeState>& edges, GraphLabels& labels) {
  std::size_t run = 0;
  for (std::size_t i = 1; i <= edges.size(); ++i) {
    if (i < edges.size() && edges[i].hop == edges[run].hop && edges[i].timestamp == edges[run].timestamp) continue;
    if (i - run > 1 &&
        store::transaction_id_of(edges[run].transfer_id) != store::transaction_id_of(edges[i - 1].transfer_id)) {
      struct Keyed {
        std::string hash;
        EdgeState state;
      };
      std::vector<Keyed> keyed;
      for (std::size_t k = run; k < i; ++k)
        keyed.push_back(Keyed{labels.transaction(edges[k].transfer_id).tx_hash.str(), edges[k]});
      std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
        if (a.hash != b.hash) return a.hash < b.hash;
        const std::uint32_t a_index = store::transfer_index_of(a.state.transfer_id);
        const std::uint32_t b_index = store::transfer_index_of(b.state.transfer_id);
        return a_index != b_index ? a_index < b_index : a.state.transfer_id < b.state.transfer_id;
      });
      for (std::size_t k = run; k < i; ++k) edges[k] = keyed[k - run].state;
    }
    run = i;
  }
}

}  // namespace

TraceReport build_trace_report(const graph::TransferGraph& graph, GraphLabels& labels, const TraceRequest& request,
                               const std::vector<graph::TraceResult>& results) {
  if (!labels.from_index()) {
    // Labels first: the transactions' are read in the background while the rest is assembled.
    std::vector<std::int64_t> address_ids;
    std::vector<std::int64_t> transfer_ids;
    for (const graph::TraceResult& result : results) {
      for (const graph::TracedNode& traced : result.nodes) address_ids.push_back(traced.node);
      for (graph::EdgeIndex index : result.edges) transfer_ids.push_back(graph.edge(index).transfer_id);
    }
    labels.prefetch(std::move(address_ids), transfer_ids);
  }

  TraceReport report(graph, labels, request);
  TraceReport::Rows& rows = *report.rows_;
  NodeTable nodes(graph.node_count());
  {
    std::size_t node_rows = 0;
    for (const graph::TraceResult& result : results) node_rows += result.nodes.size();
    nodes.reserve(node_rows);
  }
  for (const graph::TraceResult& result : results) {
    const bool forward = result.direction == graph::TraceDirection::Forward;
    rows.seed = result.seed;
    for (const graph::TracedNode& traced : result.nodes) {
      NodeState& state = nodes.add(traced.node);
      const auto hop = static_cast<std::uint16_t>(std::min<unsigned>(traced.hop, kNoHop - 1));
      state.hop = std::min(state.hop, hop);
      state.hop_by_direction[forward ? 0 : 1] = hop;
      state.bits |= forward ? kForwardBit : kBackwardBit;
      const bool unbounded = traced.time == core::kMinTime || traced.time == core::kMaxTime;
      if (request.time_order && !unbounded && (state.reached == kNotReached || forward)) state.reached = traced.time;
    }
  }

  // The wallets need nothing more than their addresses to be ordered: with a large answer and labels that
  // only read (the label index), that runs on a second thread while this one orders and totals the transfers.
  using NodeKey = TraceReport::Rows::NodeKey;
  std::future<core::HugeVector<NodeKey>> ordered_nodes;
  if (nodes.states().size() >= kParallelNodes && labels.from_index()) {
    ordered_nodes = std::async(std::launch::async, [&nodes, &labels, seed = rows.seed] {
      return order_nodes<NodeKey>(nodes.states(), labels, seed);
    });
  } else {
    rows.nodes = order_nodes<NodeKey>(nodes.states(), labels, rows.seed);
  }

  // The trace uses a transfer one hop after the wallet it leaves from (forward) or reaches (backward); that
  // wallet's hop in this direction is the one to use, not the least over both directions.
  const auto hop_of = [&](const graph::TraceResult& result, std::size_t i) {
    const bool forward = result.direction == graph::TraceDirection::Forward;
    const graph::NodeId near = forward ? result.edge_sources[i] : graph.edge(result.edges[i]).to;
    return static_cast<std::uint16_t>(nodes.state(near).hop_by_direction[forward ? 0 : 1] + 1);
  };
  const auto bit_of = [](const graph::TraceResult& result) -> std::uint8_t {
    return result.direction == graph::TraceDirection::Forward ? kForwardBit : kBackwardBit;
  };
  core::HugeVector<EdgeState>& edges = rows.edges;
  if (results.size() == 1) {
    // One direction lists its transfers by (timestamp, transfer id): placed by hop with a counting sort, they
    // keep that order within each hop.
    const graph::TraceResult& result = results.front();
    core::HugeVector<std::uint16_t> hops(result.edges.size());
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < hops.size(); ++i) {
      hops[i] = hop_of(result, i);
      if (starts.size() < hops[i] + 2u) starts.resize(hops[i] + 2u, 0);
      ++starts[hops[i] + 1u];
    }
    for (std::size_t h = 1; h < starts.size(); ++h) starts[h] += starts[h - 1];
    edges.reserve(hops.size());
    edges.resize(hops.size());
    for (std::size_t i = 0; i < hops.size(); ++i) {
      edges[starts[hops[i]]++] =
          EdgeState{.index = result.edges[i], .from = result.edge_sources[i], .hop = hops[i], .bits = bit_of(result)};
    }
  } else {
    std::size_t edge_rows = 0;
    for (const graph::TraceResult& result : results) edge_rows += result.edges.size();
    edges.reserve(edge_rows);
    for (const graph::TraceResult& result : results) {
      for (std::size_t i = 0; i < result.edges.size(); ++i) {
        edges.push_back(EdgeState{.index = result.edges[i],
                                  .from = result.edge_sources[i],
                                  .hop = hop_of(result, i),
                                  .bits = bit_of(result)});
      }
    }
    // A transfer both directions use appears twice: merged, at the least hop either uses it.
    std::sort(edges.begin(), edges.end(), [](const EdgeState& a, const EdgeState& b) { return a.index < b.index; });
    std::size_t kept = 0;
    for (std::size_t i = 0; i < edges.size(); ++i) {
      if (kept > 0 && edges[kept - 1].index == edges[i].index) {
        edges[kept - 1].hop = std::min(edges[kept - 1].hop, edges[i].hop);
        edges[kept - 1].bits |= edges[i].bits;
      } else {
        edges[kept++] = edges[i];
      }
    }
    edges.resize(kept);
  }

  // Totals per wallet. The graph's transfers and the wallets' states lie scattered: each is asked for a few
  // transfers ahead, in the order the next step needs it.
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (i + kPreloadAhead < edges.size()) __builtin_prefetch(&graph.edge(edges[i + kPreloadAhead].index));
    if (i + kPreloadAhead / 2 < edges.size()) {
      const EdgeState& ahead = edges[i + kPreloadAhead / 2];
      nodes.preload(ahead.from);
      nodes.preload(graph.edge(ahead.index).to);
    }
    if (i + kPreloadAhead / 4 < edges.size()) {
      const EdgeState& ahead = edges[i + kPreloadAhead / 4];
      nodes.preload_sums(ahead.from);
      nodes.preload_sums(graph.edge(ahead.index).to);
    }
    EdgeState& state = edges[i];
    const graph::Edge& edge = graph.edge(state.index);
    state.to = edge.to;
    state.timestamp = edge.timestamp;
    state.transfer_id = edge.transfer_id;
    nodes.sums(state.from).sent.add(graph, state.index, edge);
    nodes.sums(edge.to).received.add(graph, state.index, edge);
  }

  if (results.size() > 1) {
    std::sort(edges.begin(), edges.end(), [](const EdgeState& a, const EdgeState& b) {
      if (a.hop != b.hop) return a.hop < b.hop;
      if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
      return a.transfer_id < b.transfer_id;
    });
  }
  order_by_hash_within_ties(edges, labels);

  if (ordered_nodes.valid()) rows.nodes = ordered_nodes.get();  // rethrows what the wallets' thread threw
  rows.states = std::move(nodes.states());
  rows.sums = std::move(nodes.sums());
  return report;
}

}  // namespace fundtrail::report
