#include "fundtrail/report/rendering.hpp"

namespace fundtrail::report {

ReportTransfer describe_transfer(const graph::TransferGraph& graph, GraphLabels& labels, graph::EdgeIndex index) {
  const graph::Edge& edge = graph.edge(index);
  const core::AssetInfo& asset = labels.asset(edge.asset);
  const store::TransferDetail detail = labels.transfer(edge.transfer_id);
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

void write_transfer_fields(JsonWriter& json, const ReportTransfer& transfer) {
  json.key("tx_hash").value(transfer.tx_hash);
  json.key("index").value(transfer.index);
  json.key("from").value(transfer.from);
  json.key("to").value(transfer.to);
  json.key("timestamp").value(core::format_iso8601(transfer.timestamp));
  json.key("asset").value(transfer.asset);
  json.key("contract");
  write_contract(json, transfer.contract);
  json.key("amount").value(transfer.amount);
  json.key("block_height").value(transfer.block_height);
}

void write_transfer_line(std::ostream& out, const ReportTransfer& transfer) {
  out << core::format_iso8601(transfer.timestamp) << "  " << transfer.from << " -> " << transfer.to << "  "
      << transfer.amount << " " << transfer.asset;
}

void write_filters(JsonWriter& json, const TransferFilters& filters) {
  json.begin_object();
  json.key("since");
  write_optional_time(json, filters.since);
  json.key("until");
  write_optional_time(json, filters.until);
  json.key("asset").value(filters.asset);
  json.key("min_amount").value(filters.min_amount);
  json.end_object();
}

void write_filters_text(std::ostream& out, const TransferFilters& filters) {
  if (filters.since) out << ", since " << core::format_iso8601(*filters.since);
  if (filters.until) out << ", until " << core::format_iso8601(*filters.until);
  if (filters.asset) out << ", asset " << *filters.asset;
  if (filters.min_amount) out << ", min amount " << *filters.min_amount;
}

void write_optional_time(JsonWriter& json, const std::optional<core::UnixSeconds>& time) {
  if (time) {
    json.value(core::format_iso8601(*time));
  } else {
    json.null();
  }
}

void write_contract(JsonWriter& json, const std::string& contract) {
  if (contract.empty()) {
    json.null();
  } else {
    json.value(contract);
  }
}

}  // namespace fundtrail::report
