#include "fundtrail/report/trace_report.hpp"

#include <algorithm>
#include <cstdlib>
#include <future>
#include <memory>
#include <new>
#include <numeric>

#include "fundtrail/core/huge_pages.hpp"
#include "fundtrail/store/transfer_writer.hpp"

namespace fundtrail::report {
namespace {

constexpr unsigned kForwardBit = 1;
constexpr unsigned kBackwardBit = 2;
// How many rows ahead the loops over scattered wallets and transfers ask for their labels (GraphLabels::preload_*).
constexpr std::size_t kPreloadAhead = 16;
// From this many wallets on, their rows are built on a second thread (below, starting it costs more).
constexpr std::size_t kParallelNodes = 20000;

const char* direction_name(unsigned bits) {
  switch (bits) {
    case kForwardBit: return "out";
    case kBackwardBit: return "in";
    default: return "both";
  }
}

// A running total of one asset. Transfers below 2^128 base units (all but hostile tokens) are summed in
// 128 bits plus a carry count, without 512-bit arithmetic; larger ones exactly in an Amount kept aside.
struct AssetSum {
  std::uint32_t asset = 0;
  core::uint128 low = 0;      // sum of the small amounts, modulo 2^128
  std::uint64_t carries = 0;  // how often `low` wrapped
  std::unique_ptr<core::Amount> large;  // rare: only saturated edges

  void add(const graph::TransferGraph& graph, graph::EdgeIndex index, const graph::Edge& edge) {
    if (edge.amount_saturated()) {
      if (!large) large = std::make_unique<core::Amount>();
      *large += graph.amount(index);
      return;
    }
    const core::uint128 amount = (core::uint128{edge.amount_hi} << 64) | edge.amount_lo;
    low += amount;
    if (low < amount) ++carries;
  }

  std::string display(unsigned decimals) const {
    if (carries == 0 && !large) return core::to_display(low, decimals);
    core::uint512 value = carries;
    value <<= 128;
    value |= core::uint512(static_cast<std::uint64_t>(low >> 64)) << 64;
    value |= core::uint512(static_cast<std::uint64_t>(low));
    core::Amount total(value);
    if (large) total += *large;
    return total.to_display(decimals);
  }
};

// Almost every wallet of a trace sees one asset: the first sum is held inline, others in a vector.
class AssetSums {
 public:
  void add(const graph::TransferGraph& graph, graph::EdgeIndex index, const graph::Edge& edge) {
    if (!has_first_) {
      has_first_ = true;
      first_.asset = edge.asset;
    }
    if (first_.asset == edge.asset) return first_.add(graph, index, edge);
    for (AssetSum& sum : more_) {
      if (sum.asset == edge.asset) return sum.add(graph, index, edge);
    }
    more_.emplace_back().asset = edge.asset;
    more_.back().add(graph, index, edge);
  }

  template <typename Visit>
  void for_each(Visit&& visit) const {
    if (!has_first_) return;
    visit(first_);
    for (const AssetSum& sum : more_) visit(sum);
  }
  std::size_t size() const { return has_first_ ? 1 + more_.size() : 0; }

 private:
  bool has_first_ = false;
  AssetSum first_;
  std::vector<AssetSum> more_;
};

struct NodeState {
  graph::NodeId node = 0;
  unsigned hop = UINT32_MAX;                         // least over the directions
  unsigned hop_by_direction[2] = {UINT32_MAX, UINT32_MAX};  // forward, backward
  unsigned bits = 0;
  std::optional<core::UnixSeconds> reached;
  AssetSums received;
  AssetSums sent;
};

struct EdgeState {
  graph::EdgeIndex index = 0;
  graph::NodeId from = 0;
  unsigned hop = UINT32_MAX;
  unsigned bits = 0;
};

std::vector<AssetTotal> totals(const AssetSums& sums, const GraphLabels& labels) {
  std::vector<AssetTotal> result;
  result.reserve(sums.size());
  sums.for_each([&](const AssetSum& sum) {
    const core::AssetInfo& asset = labels.asset(sum.asset);
    result.push_back(AssetTotal{asset.symbol, asset.contract, sum.display(asset.decimals)});
  });
  std::sort(result.begin(), result.end(), [](const AssetTotal& a, const AssetTotal& b) {
    return a.asset != b.asset ? a.asset < b.asset : a.contract < b.contract;
  });
  return result;
}

// The wallets of the results, one state each, found from a wallet id in constant time. The slot array spans
// every wallet of the store but is calloc'd: only the pages of wallets in the result are ever touched, so
// the cost follows the size of the answer, not of the store.
class NodeTable {
 public:
  explicit NodeTable(std::size_t node_count)
      : slots_(static_cast<std::uint32_t*>(std::calloc(std::max<std::size_t>(node_count, 1), sizeof(std::uint32_t)))) {
    if (!slots_) throw std::bad_alloc();
    core::advise_huge_pages(slots_.get(), node_count * sizeof(std::uint32_t));
  }
  void reserve(std::size_t count) { core::reserve_huge(states_, count); }

  NodeState& at(graph::NodeId node) {
    std::uint32_t& slot = slots_.get()[node];
    if (slot == 0) {
      states_.emplace_back().node = node;
      slot = static_cast<std::uint32_t>(states_.size());
    }
    return states_[slot - 1];
  }
  std::vector<NodeState>& states() { return states_; }

 private:
  struct Free {
    void operator()(std::uint32_t* slots) const { std::free(slots); }
  };
  std::unique_ptr<std::uint32_t, Free> slots_;  // 1 + index into states_, 0 = not in the result
  std::vector<NodeState> states_;
};

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

  NodeTable nodes(graph.node_count());
  std::vector<EdgeState> edges;
  {
    std::size_t node_rows = 0;
    std::size_t edge_rows = 0;
    for (const graph::TraceResult& result : results) {
      node_rows += result.nodes.size();
      edge_rows += result.edges.size();
    }
    nodes.reserve(node_rows);
    core::reserve_huge(edges, edge_rows);
  }
  graph::NodeId seed = 0;

  for (const graph::TraceResult& result : results) {
    const bool forward = result.direction == graph::TraceDirection::Forward;
    const unsigned bit = forward ? kForwardBit : kBackwardBit;
    seed = result.seed;
    for (const graph::TracedNode& traced : result.nodes) {
      NodeState& state = nodes.at(traced.node);
      state.hop = std::min(state.hop, traced.hop);
      state.hop_by_direction[forward ? 0 : 1] = traced.hop;
      state.bits |= bit;
      const bool unbounded = traced.time == core::kMinTime || traced.time == core::kMaxTime;
      if (request.time_order && !unbounded && (!state.reached || forward)) state.reached = traced.time;
    }
    // The trace uses a transfer one hop after the wallet it leaves from (forward) or reaches (backward); that
    // wallet's hop in this direction is the one to use, not the least over both directions.
    for (std::size_t i = 0; i < result.edges.size(); ++i) {
      const graph::EdgeIndex index = result.edges[i];
      const graph::NodeId from = result.edge_sources[i];
      const graph::NodeId near = forward ? from : graph.edge(index).to;
      edges.push_back(EdgeState{index, from, nodes.at(near).hop_by_direction[forward ? 0 : 1] + 1, bit});
    }
  }
  if (results.size() > 1) {  // a transfer both directions use appears twice: merge
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

  for (const EdgeState& state : edges) {
    const graph::Edge& edge = graph.edge(state.index);
    nodes.at(state.from).sent.add(graph, state.index, edge);
    nodes.at(edge.to).received.add(graph, state.index, edge);
  }

  TraceReport report;
  report.request = request;
  // Wallets: seed first, then by (hop, address).
  std::vector<NodeState>& states = nodes.states();
  // The sort compares the hop and the address's first eight bytes as one number, and the whole address only
  // when those tie: string compares through scattered label pointers would dominate the sort.
  struct NodeKey {
    unsigned hop;  // 0 for the seed only
    std::uint64_t prefix;
    AddressLabel label;
    std::uint32_t state;
  };
  std::vector<NodeKey> node_order;
  core::reserve_huge(node_order, states.size());
  for (std::uint32_t i = 0; i < states.size(); ++i) {
    if (i + kPreloadAhead < states.size()) labels.preload_address(states[i + kPreloadAhead].node);
    const AddressLabel label = labels.address(states[i].node);
    std::uint64_t prefix = 0;
    for (std::size_t b = 0; b < 8; ++b) {
      prefix = prefix << 8 | (b < label.address.size() ? static_cast<unsigned char>(label.address[b]) : 0u);
    }
    node_order.push_back(NodeKey{states[i].node == seed ? 0 : states[i].hop, prefix, label, i});
  }
  // The wallets' rows need nothing more from the labels than asset names (read-only): with a large answer
  // they are sorted and totalled on a second thread while this one describes the transfers.
  auto build_nodes = [&report, &node_order, &states, &labels, seed] {
    std::sort(node_order.begin(), node_order.end(), [](const NodeKey& a, const NodeKey& b) {
      if (a.hop != b.hop) return a.hop < b.hop;
      if (a.prefix != b.prefix) return a.prefix < b.prefix;
      return a.label.address < b.label.address;
    });
    core::reserve_huge(report.nodes, states.size());
    for (const NodeKey& key : node_order) {
      const NodeState& state = states[key.state];
      ReportNode out;
      out.address = key.label.address;
      out.chain = key.label.chain;
      out.hop = state.node == seed ? 0 : state.hop;
      out.direction = state.node == seed ? "seed" : direction_name(state.bits);
      out.reached = state.reached;
      out.received = totals(state.received, labels);
      out.sent = totals(state.sent, labels);
      report.nodes.push_back(std::move(out));
    }
  };
  std::future<void> nodes_built;
  if (states.size() >= kParallelNodes) {
    nodes_built = std::async(std::launch::async, build_nodes);
  } else {
    build_nodes();
  }

  // The order (hop, timestamp, tx hash, index) on small records: each transfer is then described once, in
  // that order; moving finished report rows through a sort would cost more than the sort.
  struct Order {
    unsigned hop;
    core::UnixSeconds timestamp;
    std::int64_t transfer_id;
    TransactionLabel transaction;
  };
  std::vector<Order> order;
  core::reserve_huge(order, edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (i + 2 * kPreloadAhead < edges.size()) __builtin_prefetch(&graph.edge(edges[i + 2 * kPreloadAhead].index));
    if (i + kPreloadAhead < edges.size()) labels.preload_transaction(graph.edge(edges[i + kPreloadAhead].index).transfer_id);
    const graph::Edge& edge = graph.edge(edges[i].index);
    order.push_back(Order{edges[i].hop, edge.timestamp, edge.transfer_id, labels.transaction(edge.transfer_id)});
  }
  std::vector<std::uint32_t> permutation(edges.size());
  std::iota(permutation.begin(), permutation.end(), 0u);
  std::sort(permutation.begin(), permutation.end(), [&order](std::uint32_t x, std::uint32_t y) {
    const Order& a = order[x];
    const Order& b = order[y];
    if (a.hop != b.hop) return a.hop < b.hop;
    if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
    // Transfers of one transaction share one label: comparing the views' addresses settles most ties.
    if (a.transaction.tx_hash.data() != b.transaction.tx_hash.data()) {
      const int compared = a.transaction.tx_hash.compare(b.transaction.tx_hash);
      if (compared != 0) return compared < 0;
    }
    return (a.transfer_id & store::kMaxTransferIndex) < (b.transfer_id & store::kMaxTransferIndex);
  });

  core::reserve_huge(report.edges, edges.size());
  for (std::size_t k = 0; k < permutation.size(); ++k) {
    if (k + kPreloadAhead < permutation.size()) {
      const EdgeState& ahead = edges[permutation[k + kPreloadAhead]];
      labels.preload_address(ahead.from);
      labels.preload_address(graph.edge(ahead.index).to);
    }
    const EdgeState& state = edges[permutation[k]];
    report.edges.push_back(ReportEdge{
        describe_transfer(graph, labels, state.index, state.from, order[permutation[k]].transaction), state.hop,
        direction_name(state.bits)});
  }
  if (nodes_built.valid()) nodes_built.get();  // rethrows what the wallets' thread threw
  return report;
}

}  // namespace fundtrail::report
