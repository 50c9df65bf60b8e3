#include "fundtrail/report/address_summary.hpp"
#include "fundtrail/report/rendering.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "fundtrail/core/error.hpp"

namespace fundtrail::report {
namespace {

struct Flow {
  core::Amount received;
  core::Amount sent;
  std::uint64_t transfers_in = 0;
  std::uint64_t transfers_out = 0;
};

struct AssetState {
  Flow totals;
  std::unordered_map<graph::NodeId, Flow> counterparties;
};

struct Ranked {
  graph::NodeId node;
  const Flow* flow;
  core::Amount total;
};

// Top `top` counterparties by total, ties by address. Addresses are looked up (one store query each) only
// for the counterparties that can make the list, which matters for hubs with a million of them.
std::vector<CounterpartyFlow> top_counterparties(const std::unordered_map<graph::NodeId, Flow>& flows, unsigned top,
                                                 unsigned decimals, GraphLabels& labels) {
  if (top == 0) return {};
  std::vector<Ranked> ranked;
  ranked.reserve(flows.size());
  for (const auto& [node, flow] : flows) ranked.push_back(Ranked{node, &flow, flow.received + flow.sent});
  if (ranked.size() > top) {
    auto larger = [](const Ranked& a, const Ranked& b) { return a.total > b.total; };
    std::nth_element(ranked.begin(), ranked.begin() + (top - 1), ranked.end(), larger);
    const core::Amount threshold = ranked[top - 1].total;
    // Everything tied with the last place competes on address.
    ranked.erase(std::remove_if(ranked.begin(), ranked.end(), [&](const Ranked& r) { return r.total < threshold; }),
                 ranked.end());
  }
  std::vector<std::pair<std::string_view, const Ranked*>> named;
  named.reserve(ranked.size());
  for (const Ranked& r : ranked) named.emplace_back(labels.address(r.node).address, &r);
  std::sort(named.begin(), named.end(), [](const auto& a, const auto& b) {
    return a.second->total != b.second->total ? a.second->total > b.second->total : a.first < b.first;
  });
  if (named.size() > top) named.resize(top);

  std::vector<CounterpartyFlow> result;
  for (const auto& [address, r] : named) {
    CounterpartyFlow out;
    out.address = address;
    out.received_from = r->flow->received.to_display(decimals);
    out.sent_to = r->flow->sent.to_display(decimals);
    out.total = r->total.to_display(decimals);
    out.transfers_in = r->flow->transfers_in;
    out.transfers_out = r->flow->transfers_out;
    result.push_back(std::move(out));
  }
  return result;
}

nlohmann::ordered_json optional_time(const std::optional<core::UnixSeconds>& value) {
  return value ? nlohmann::ordered_json(core::format_iso8601(*value)) : nlohmann::ordered_json(nullptr);
}

std::string asset_label(const AssetSummary& asset) {
  const std::string symbol = display_label(asset.asset);
  return asset.contract.empty() ? symbol : symbol + " (" + asset.contract + ")";
}

}  // namespace

AddressSummary summarize_address(const graph::TransferGraph& graph, GraphLabels& labels, graph::NodeId node,
                                 unsigned top) {
  if (!graph.has_node(node)) throw not_found("node " + std::to_string(node) + " is not in the graph");
  std::map<std::uint32_t, AssetState> assets;  // by asset id
  std::unordered_set<graph::NodeId> counterparties;
  AddressSummary summary;
  const AddressLabel record = labels.address(node);
  summary.address = record.address;
  summary.chain = record.chain;
  summary.top = top;

  auto seen_at = [&summary](core::UnixSeconds t) {
    if (!summary.first_seen || t < *summary.first_seen) summary.first_seen = t;
    if (!summary.last_seen || t > *summary.last_seen) summary.last_seen = t;
  };

  const auto outgoing = graph.out_edges(node);
  for (const graph::Edge& edge : outgoing) {
    const core::Amount amount = graph.amount(graph.index_of(edge));
    AssetState& state = assets[edge.asset];
    state.totals.sent += amount;
    ++state.totals.transfers_out;
    ++summary.transfers_out;
    seen_at(edge.timestamp);
    if (edge.to == node) continue;
    Flow& flow = state.counterparties[edge.to];
    flow.sent += amount;
    ++flow.transfers_out;
    counterparties.insert(edge.to);
  }
  for (const graph::InEdge& in : graph.in_edges(node)) {
    const graph::Edge& edge = graph.edge(in.edge);
    const core::Amount amount = graph.amount(in.edge);
    AssetState& state = assets[edge.asset];
    state.totals.received += amount;
    ++state.totals.transfers_in;
    ++summary.transfers_in;
    seen_at(edge.timestamp);
    if (in.from == node) continue;
    Flow& flow = state.counterparties[in.from];
    flow.received += amount;
    ++flow.transfers_in;
    counterparties.insert(in.from);
  }
  summary.counterparties = counterparties.size();

  for (const auto& [asset_id, state] : assets) {
    const core::AssetInfo& info = labels.asset(asset_id);
    AssetSummary out;
    out.asset = info.symbol;
    out.contract = info.contract;
    out.received = state.totals.received.to_display(info.decimals);
    out.sent = state.totals.sent.to_display(info.decimals);
    out.transfers_in = state.totals.transfers_in;
    out.transfers_out = state.totals.transfers_out;
    out.counterparties = state.counterparties.size();
    out.top_counterparties = top_counterparties(state.counterparties, top, info.decimals, labels);
    summary.assets.push_back(std::move(out));
  }
  std::sort(summary.assets.begin(), summary.assets.end(), [](const AssetSummary& a, const AssetSummary& b) {
    return a.asset != b.asset ? a.asset < b.asset : a.contract < b.contract;
  });
  return summary;
}

nlohmann::ordered_json address_summary_to_json(const AddressSummary& summary) {
  nlohmann::ordered_json json;
  json["address"] = summary.address;
  json["chain"] = std::string(core::to_string(summary.chain));
  json["first_seen"] = optional_time(summary.first_seen);
  json["last_seen"] = optional_time(summary.last_seen);
  json["transfers"] = {{"in", summary.transfers_in}, {"out", summary.transfers_out}};
  json["counterparties"] = summary.counterparties;
  json["top"] = summary.top;
  auto assets = nlohmann::ordered_json::array();
  for (const AssetSummary& asset : summary.assets) {
    nlohmann::ordered_json item;
    item["asset"] = asset.asset;
    item["contract"] = asset.contract.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(asset.contract);
    item["received"] = asset.received;
    item["sent"] = asset.sent;
    item["transfers_in"] = asset.transfers_in;
    item["transfers_out"] = asset.transfers_out;
    item["counterparties"] = asset.counterparties;
    auto top = nlohmann::ordered_json::array();
    for (const CounterpartyFlow& flow : asset.top_counterparties) {
      nlohmann::ordered_json entry;
      entry["address"] = flow.address;
      entry["received_from"] = flow.received_from;
      entry["sent_to"] = flow.sent_to;
      entry["total"] = flow.total;
      entry["transfers_in"] = flow.transfers_in;
      entry["transfers_out"] = flow.transfers_out;
      top.push_back(std::move(entry));
    }
    item["top_counterparties"] = std::move(top);
    assets.push_back(std::move(item));
  }
  json["assets"] = std::move(assets);
  return json;
}

void write_address_summary_table(std::ostream& out, const AddressSummary& summary) {
  out << "Address " << summary.address << " (" << core::to_string(summary.chain) << ")\n";
  if (!summary.first_seen) {
    out << "no transfers\n";
    return;
  }
  out << "  first seen     " << core::format_iso8601(*summary.first_seen) << "\n"
      << "  last seen      " << core::format_iso8601(*summary.last_seen) << "\n"
      << "  transfers      " << summary.transfers_in << " in, " << summary.transfers_out << " out\n"
      << "  counterparties " << summary.counterparties << "\n";
  for (const AssetSummary& asset : summary.assets) {
    out << "\n" << asset_label(asset) << "\n"
        << "  received " << asset.received << " in " << asset.transfers_in << " transfer"
        << (asset.transfers_in == 1 ? "" : "s") << "\n"
        << "  sent     " << asset.sent << " in " << asset.transfers_out << " transfer"
        << (asset.transfers_out == 1 ? "" : "s") << "\n"
        << "  top " << asset.top_counterparties.size() << " of " << asset.counterparties << " counterparties"
        << " (received from / sent to)\n";
    for (const CounterpartyFlow& flow : asset.top_counterparties) {
      out << "    " << flow.address << "  " << flow.received_from << " / " << flow.sent_to << "  ("
          << flow.transfers_in << " in, " << flow.transfers_out << " out)\n";
    }
  }
}

}  // namespace fundtrail::report
