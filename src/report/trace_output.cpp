#include "fundtrail/report/trace_output.hpp"

#include <map>

namespace fundtrail::report {
namespace {

nlohmann::ordered_json totals_json(const std::vector<AssetTotal>& totals) {
  auto list = nlohmann::ordered_json::array();
  for (const AssetTotal& total : totals) {
    nlohmann::ordered_json item;
    item["asset"] = total.asset;
    item["contract"] = total.contract.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(total.contract);
    item["amount"] = total.amount;
    list.push_back(std::move(item));
  }
  return list;
}

std::string totals_text(const std::vector<AssetTotal>& totals) {
  std::string text;
  for (const AssetTotal& total : totals) {
    if (!text.empty()) text += ", ";
    text += total.amount + " " + total.asset;
  }
  return text.empty() ? "-" : text;
}

template <typename T>
nlohmann::ordered_json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

nlohmann::ordered_json trace_to_json(const TraceReport& report) {
  const TraceRequest& request = report.request;
  nlohmann::ordered_json json;
  json["seed"] = request.seed;
  json["chain"] = std::string(core::to_string(request.chain));
  json["direction"] = request.direction;
  json["hops"] = request.hops;
  json["time_order"] = request.time_order;
  nlohmann::ordered_json filters;
  filters["since"] = request.since ? nlohmann::ordered_json(core::format_iso8601(*request.since)) : nullptr;
  filters["until"] = request.until ? nlohmann::ordered_json(core::format_iso8601(*request.until)) : nullptr;
  filters["asset"] = optional_json(request.asset);
  filters["min_amount"] = optional_json(request.min_amount);
  json["filters"] = std::move(filters);

  auto nodes = nlohmann::ordered_json::array();
  for (const ReportNode& node : report.nodes) {
    nlohmann::ordered_json item;
    item["address"] = node.address;
    item["chain"] = std::string(core::to_string(node.chain));
    item["hop"] = node.hop;
    item["direction"] = node.direction;
    item["reached"] = node.reached ? nlohmann::ordered_json(core::format_iso8601(*node.reached)) : nullptr;
    item["received"] = totals_json(node.received);
    item["sent"] = totals_json(node.sent);
    nodes.push_back(std::move(item));
  }
  auto edges = nlohmann::ordered_json::array();
  for (const ReportEdge& edge : report.edges) {
    nlohmann::ordered_json item;
    item["tx_hash"] = edge.tx_hash;
    item["index"] = edge.index;
    item["from"] = edge.from;
    item["to"] = edge.to;
    item["timestamp"] = core::format_iso8601(edge.timestamp);
    item["asset"] = edge.asset;
    item["contract"] = edge.contract.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(edge.contract);
    item["amount"] = edge.amount;
    item["block_height"] = optional_json(edge.block_height);
    item["hop"] = edge.hop;
    item["direction"] = edge.direction;
    edges.push_back(std::move(item));
  }
  json["summary"] = {{"nodes", report.nodes.size()}, {"edges", report.edges.size()}};
  json["nodes"] = std::move(nodes);
  json["edges"] = std::move(edges);
  return json;
}

void write_trace_table(std::ostream& out, const TraceReport& report) {
  const TraceRequest& request = report.request;
  out << "Trace " << request.direction << " from " << request.seed << " (" << core::to_string(request.chain)
      << "), " << request.hops << " hop" << (request.hops == 1 ? "" : "s") << ", "
      << (request.time_order ? "time-ordered" : "ignoring time order");
  if (request.since) out << ", since " << core::format_iso8601(*request.since);
  if (request.until) out << ", until " << core::format_iso8601(*request.until);
  if (request.asset) out << ", asset " << *request.asset;
  if (request.min_amount) out << ", min amount " << *request.min_amount;
  out << "\n" << report.nodes.size() << " wallets, " << report.edges.size() << " transfers\n";

  unsigned hop = 0;
  for (const ReportEdge& edge : report.edges) {
    if (edge.hop != hop) {
      hop = edge.hop;
      out << "\nHop " << hop << "\n";
    }
    out << "  " << core::format_iso8601(edge.timestamp) << "  " << edge.from << " -> " << edge.to << "  "
        << edge.amount << " " << edge.asset;
    if (request.direction == "both") out << "  [" << edge.direction << "]";
    out << "  tx " << edge.tx_hash << ":" << edge.index << "\n";
  }
  out << "\nWallets (hop, direction, address: received / sent within this trace)\n";
  for (const ReportNode& node : report.nodes) {
    out << "  " << node.hop << "  " << node.direction << "  " << node.address << ": " << totals_text(node.received)
        << " / " << totals_text(node.sent) << "\n";
  }
}

std::string csv_field(std::string_view text) {
  const bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@');
  const bool quote = formula || text.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) return std::string(text);
  std::string out = "\"";
  if (formula) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void write_trace_csv(std::ostream& out, const TraceReport& report) {
  out << "direction,hop,timestamp,tx_hash,index,from,to,asset,amount,block_height,contract\n";
  for (const ReportEdge& edge : report.edges) {
    out << edge.direction << ',' << edge.hop << ',' << core::format_iso8601(edge.timestamp) << ','
        << csv_field(edge.tx_hash) << ',' << edge.index << ',' << csv_field(edge.from) << ',' << csv_field(edge.to)
        << ',' << csv_field(edge.asset) << ',' << edge.amount << ','
        << (edge.block_height ? std::to_string(*edge.block_height) : "") << ',' << csv_field(edge.contract) << '\n';
  }
}

}  // namespace fundtrail::report
