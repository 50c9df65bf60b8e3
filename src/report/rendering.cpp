#include "fundtrail/report/rendering.hpp"

namespace fundtrail::report {
namespace {

template <typename T>
nlohmann::ordered_json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

ReportTransfer describe_transfer(const graph::TransferGraph& graph, GraphLabels& labels, graph::EdgeIndex index) {
  const graph::Edge& edge = graph.edge(index);
  const core::AssetInfo& asset = labels.asset(edge.asset);
  const store::TransferDetail& detail = labels.transfer(edge.transfer_id);
  ReportTransfer transfer;
  transfer.tx_hash = detail.tx_hash;
  transfer.index = detail.index;
  transfer.block_height = detail.block_height;
  transfer.from = labels.address(graph.source_of(index)).address;
  transfer.to = labels.address(edge.to).address;
  transfer.timestamp = edge.timestamp;
  transfer.asset = asset.symbol;
  transfer.contract = asset.contract;
  transfer.amount = graph.amount(index).to_display(asset.decimals);
  return transfer;
}

nlohmann::ordered_json transfer_to_json(const ReportTransfer& transfer) {
  nlohmann::ordered_json json;
  json["tx_hash"] = transfer.tx_hash;
  json["index"] = transfer.index;
  json["from"] = transfer.from;
  json["to"] = transfer.to;
  json["timestamp"] = core::format_iso8601(transfer.timestamp);
  json["asset"] = transfer.asset;
  json["contract"] = contract_json(transfer.contract);
  json["amount"] = transfer.amount;
  json["block_height"] = optional_json(transfer.block_height);
  return json;
}

void write_transfer_line(std::ostream& out, const ReportTransfer& transfer) {
  out << core::format_iso8601(transfer.timestamp) << "  " << transfer.from << " -> " << transfer.to << "  "
      << transfer.amount << " " << transfer.asset;
}

nlohmann::ordered_json filters_to_json(const TransferFilters& filters) {
  nlohmann::ordered_json json;
  json["since"] = optional_time_json(filters.since);
  json["until"] = optional_time_json(filters.until);
  json["asset"] = optional_json(filters.asset);
  json["min_amount"] = optional_json(filters.min_amount);
  return json;
}

void write_filters_text(std::ostream& out, const TransferFilters& filters) {
  if (filters.since) out << ", since " << core::format_iso8601(*filters.since);
  if (filters.until) out << ", until " << core::format_iso8601(*filters.until);
  if (filters.asset) out << ", asset " << *filters.asset;
  if (filters.min_amount) out << ", min amount " << *filters.min_amount;
}

nlohmann::ordered_json optional_time_json(const std::optional<core::UnixSeconds>& time) {
  return time ? nlohmann::ordered_json(core::format_iso8601(*time)) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json contract_json(const std::string& contract) {
  return contract.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(contract);
}

}  // namespace fundtrail::report
