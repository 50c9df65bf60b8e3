#include "fundtrail/report/trace_report.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace fundtrail::report {
namespace {

constexpr unsigned kForwardBit = 1;
constexpr unsigned kBackwardBit = 2;

std::string direction_name(unsigned bits) {
  switch (bits) {
    case kForwardBit: return "out";
    case kBackwardBit: return "in";
    default: return "both";
  }
}

struct NodeState {
  unsigned hop = UINT32_MAX;
  unsigned bits = 0;
  std::optional<core::UnixSeconds> reached;
  std::map<std::uint32_t, core::Amount> received;  // by asset id
  std::map<std::uint32_t, core::Amount> sent;
};

struct EdgeState {
  unsigned hop = UINT32_MAX;
  unsigned bits = 0;
};

std::vector<AssetTotal> totals(const std::map<std::uint32_t, core::Amount>& sums, const GraphLabels& labels) {
  std::vector<AssetTotal> result;
  for (const auto& [asset_id, amount] : sums) {
    const core::AssetInfo& asset = labels.asset(asset_id);
    result.push_back(AssetTotal{asset.symbol, asset.contract, amount.to_display(asset.decimals)});
  }
  std::sort(result.begin(), result.end(), [](const AssetTotal& a, const AssetTotal& b) {
    return a.asset != b.asset ? a.asset < b.asset : a.contract < b.contract;
  });
  return result;
}

}  // namespace

TraceReport build_trace_report(const graph::TransferGraph& graph, GraphLabels& labels, const TraceRequest& request,
                               const std::vector<graph::TraceResult>& results) {
  std::unordered_map<graph::NodeId, NodeState> nodes;
  std::unordered_map<graph::EdgeIndex, EdgeState> edges;
  graph::NodeId seed = 0;

  for (const graph::TraceResult& result : results) {
    const bool forward = result.direction == graph::TraceDirection::Forward;
    const unsigned bit = forward ? kForwardBit : kBackwardBit;
    seed = result.seed;
    std::unordered_map<graph::NodeId, unsigned> hop_of;
    hop_of.reserve(result.nodes.size());
    for (const graph::TracedNode& traced : result.nodes) {
      hop_of.emplace(traced.node, traced.hop);
      NodeState& state = nodes[traced.node];
      state.hop = std::min(state.hop, traced.hop);
      state.bits |= bit;
      const bool unbounded = traced.time == core::kMinTime || traced.time == core::kMaxTime;
      if (request.time_order && !unbounded && (!state.reached || forward)) state.reached = traced.time;
    }
    for (graph::EdgeIndex index : result.edges) {
      const graph::Edge& edge = graph.edge(index);
      // The trace uses a transfer one hop after the wallet it leaves from (forward) or reaches (backward).
      const graph::NodeId near = forward ? graph.source_of(index) : edge.to;
      EdgeState& state = edges[index];
      state.hop = std::min(state.hop, hop_of.at(near) + 1);
      state.bits |= bit;
    }
  }

  TraceReport report;
  report.request = request;
  for (const auto& [index, state] : edges) {
    const graph::Edge& edge = graph.edge(index);
    const graph::NodeId from = graph.source_of(index);
    const core::Amount amount = graph.amount(index);
    nodes[from].sent[edge.asset] += amount;
    nodes[edge.to].received[edge.asset] += amount;

    report.edges.push_back(ReportEdge{describe_transfer(graph, labels, index), state.hop, direction_name(state.bits)});
  }
  for (auto& [node, state] : nodes) {
    const store::AddressRecord& record = labels.address(node);
    ReportNode out;
    out.address = record.address;
    out.chain = record.chain;
    out.hop = node == seed ? 0 : state.hop;
    out.direction = node == seed ? "seed" : direction_name(state.bits);
    out.reached = state.reached;
    out.received = totals(state.received, labels);
    out.sent = totals(state.sent, labels);
    report.nodes.push_back(std::move(out));
  }
  std::sort(report.nodes.begin(), report.nodes.end(), [](const ReportNode& a, const ReportNode& b) {
    if ((a.direction == "seed") != (b.direction == "seed")) return a.direction == "seed";
    return a.hop != b.hop ? a.hop < b.hop : a.address < b.address;
  });
  std::sort(report.edges.begin(), report.edges.end(), [](const ReportEdge& a, const ReportEdge& b) {
    if (a.hop != b.hop) return a.hop < b.hop;
    if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
    if (a.tx_hash != b.tx_hash) return a.tx_hash < b.tx_hash;
    return a.index < b.index;
  });
  return report;
}

}  // namespace fundtrail::report
