#include "fundtrail/report/path_report.hpp"

namespace fundtrail::report {
namespace {

template <typename T>
nlohmann::ordered_json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json optional_time(const std::optional<core::UnixSeconds>& value) {
  return value ? nlohmann::ordered_json(core::format_iso8601(*value)) : nlohmann::ordered_json(nullptr);
}

std::string truncation_note(const PathReport& report) {
  std::string note = "search truncated after " + std::to_string(report.expansions) + " transfers examined";
  note += report.complete_hops == 0 ? ": no path length was searched completely"
                                    : ": paths of up to " + std::to_string(report.complete_hops) + " hop" +
                                          (report.complete_hops == 1 ? "" : "s") + " are complete";
  note += "; longer paths may be missing (raise --max-expansions or narrow the filters)";
  return note;
}

}  // namespace

PathReport build_path_report(const graph::TransferGraph& graph, GraphLabels& labels, const PathRequest& request,
                             const graph::PathSearchResult& result) {
  PathReport report;
  report.request = request;
  report.truncated = result.truncated;
  report.complete_hops = result.complete_hops;
  report.expansions = result.expansions;
  for (const graph::FoundPath& found : result.paths) {
    ReportPath path;
    for (graph::NodeId node : found.wallets) path.wallets.push_back(labels.address(node).address);
    for (graph::EdgeIndex index : found.transfers) {
      const graph::Edge& edge = graph.edge(index);
      const core::AssetInfo& asset = labels.asset(edge.asset);
      const store::TransferDetail detail = labels.transfer(edge.transfer_id);
      PathTransfer transfer;
      transfer.tx_hash = detail.tx_hash;
      transfer.index = detail.index;
      transfer.block_height = detail.block_height;
      transfer.from = labels.address(graph.source_of(index)).address;
      transfer.to = labels.address(edge.to).address;
      transfer.timestamp = edge.timestamp;
      transfer.asset = asset.symbol;
      transfer.contract = asset.contract;
      transfer.amount = graph.amount(index).to_display(asset.decimals);
      path.transfers.push_back(std::move(transfer));
    }
    report.paths.push_back(std::move(path));
  }
  return report;
}

nlohmann::ordered_json path_to_json(const PathReport& report) {
  const PathRequest& request = report.request;
  nlohmann::ordered_json json;
  json["from"] = request.from;
  json["to"] = request.to;
  json["chain"] = std::string(core::to_string(request.chain));
  json["max_hops"] = request.max_hops;
  json["limit"] = request.limit;
  json["time_order"] = request.time_order;
  nlohmann::ordered_json filters;
  filters["since"] = optional_time(request.since);
  filters["until"] = optional_time(request.until);
  filters["asset"] = optional_json(request.asset);
  filters["min_amount"] = optional_json(request.min_amount);
  json["filters"] = std::move(filters);
  json["truncated"] = report.truncated;
  auto paths = nlohmann::ordered_json::array();
  for (const ReportPath& path : report.paths) {
    nlohmann::ordered_json item;
    item["hops"] = path.hops();
    item["wallets"] = path.wallets;
    auto transfers = nlohmann::ordered_json::array();
    for (const PathTransfer& transfer : path.transfers) {
      nlohmann::ordered_json hop;
      hop["tx_hash"] = transfer.tx_hash;
      hop["index"] = transfer.index;
      hop["from"] = transfer.from;
      hop["to"] = transfer.to;
      hop["timestamp"] = core::format_iso8601(transfer.timestamp);
      hop["asset"] = transfer.asset;
      hop["contract"] = transfer.contract.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(transfer.contract);
      hop["amount"] = transfer.amount;
      hop["block_height"] = optional_json(transfer.block_height);
      transfers.push_back(std::move(hop));
    }
    item["transfers"] = std::move(transfers);
    paths.push_back(std::move(item));
  }
  json["paths"] = std::move(paths);
  return json;
}

void write_path_table(std::ostream& out, const PathReport& report) {
  const PathRequest& request = report.request;
  out << "Paths from " << request.from << " to " << request.to << " (" << core::to_string(request.chain)
      << "), at most " << request.max_hops << " hop" << (request.max_hops == 1 ? "" : "s") << ", up to "
      << request.limit << " path" << (request.limit == 1 ? "" : "s") << ", "
      << (request.time_order ? "time-ordered" : "ignoring time order");
  if (request.since) out << ", since " << core::format_iso8601(*request.since);
  if (request.until) out << ", until " << core::format_iso8601(*request.until);
  if (request.asset) out << ", asset " << *request.asset;
  if (request.min_amount) out << ", min amount " << *request.min_amount;
  out << "\n";
  if (report.truncated) out << "warning: " << truncation_note(report) << "\n";
  if (report.paths.empty()) {
    out << (report.truncated ? "no path found in the part searched\n" : "no path found\n");
    return;
  }
  out << report.paths.size() << " path" << (report.paths.size() == 1 ? "" : "s") << " found\n";
  std::size_t number = 0;
  for (const ReportPath& path : report.paths) {
    out << "\nPath " << ++number << ": " << path.hops() << " hop" << (path.hops() == 1 ? "" : "s") << "\n  ";
    for (std::size_t i = 0; i < path.wallets.size(); ++i) out << (i == 0 ? "" : " -> ") << path.wallets[i];
    out << "\n";
    for (const PathTransfer& transfer : path.transfers) {
      out << "  " << core::format_iso8601(transfer.timestamp) << "  " << transfer.from << " -> " << transfer.to
          << "  " << transfer.amount << " " << transfer.asset << "  tx " << transfer.tx_hash << ":" << transfer.index
          << "\n";
    }
  }
}

}  // namespace fundtrail::report
