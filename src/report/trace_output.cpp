#include "fundtrail/report/trace_output.hpp"

#include <map>

#include "fundtrail/report/json_writer.hpp"
#include "fundtrail/report/rendering.hpp"

namespace fundtrail::report {
namespace {

void write_totals(JsonWriter& json, const std::vector<AssetTotal>& totals) {
  json.begin_array();
  for (const AssetTotal& total : totals) {
    json.begin_object();
    json.key("asset").value(total.asset);
    json.key("contract");
    write_contract(json, total.contract);
    json.key("amount").value(total.amount);
    json.end_object();
  }
  json.end_array();
}

std::string totals_text(const std::vector<AssetTotal>& totals) {
  std::string text;
  for (const AssetTotal& total : totals) {
    if (!text.empty()) text += ", ";
    text += total.amount + " " + display_label(total.asset);
  }
  return text.empty() ? "-" : text;
}

}  // namespace

void write_trace_json(std::ostream& out, const TraceReport& report) {
  const TraceRequest& request = report.request;
  JsonWriter json(out);
  json.begin_object();
  json.key("seed").value(request.seed);
  json.key("chain").value(core::to_string(request.chain));
  json.key("direction").value(request.direction);
  json.key("hops").value(request.hops);
  json.key("time_order").value(request.time_order);
  json.key("filters");
  write_filters(json, request);
  json.key("summary").begin_object();
  json.key("nodes").value(static_cast<std::uint64_t>(report.nodes.size()));
  json.key("edges").value(static_cast<std::uint64_t>(report.edges.size()));
  json.end_object();

  // Label text lies scattered in memory: asking for a row's text a few rows ahead hides the cache misses
  // that would otherwise dominate writing.
  constexpr std::size_t kPrefetchRows = 8;
  json.key("nodes").begin_array();
  for (std::size_t i = 0; i < report.nodes.size(); ++i) {
    if (i + kPrefetchRows < report.nodes.size()) __builtin_prefetch(report.nodes[i + kPrefetchRows].address.data());
    const ReportNode& node = report.nodes[i];
    json.begin_object();
    json.key("address").value(node.address);
    json.key("chain").value(core::to_string(node.chain));
    json.key("hop").value(node.hop);
    json.key("direction").value(node.direction);
    json.key("reached");
    write_optional_time(json, node.reached);
    json.key("received");
    write_totals(json, node.received);
    json.key("sent");
    write_totals(json, node.sent);
    json.end_object();
  }
  json.end_array();
  json.key("edges").begin_array();
  for (std::size_t i = 0; i < report.edges.size(); ++i) {
    if (i + kPrefetchRows < report.edges.size()) {
      const ReportEdge& ahead = report.edges[i + kPrefetchRows];
      __builtin_prefetch(ahead.tx_hash.data());
      __builtin_prefetch(ahead.from.data());
      __builtin_prefetch(ahead.to.data());
    }
    const ReportEdge& edge = report.edges[i];
    json.begin_object();
    write_transfer_fields(json, edge);
    json.key("hop").value(edge.hop);
    json.key("direction").value(edge.direction);
    json.end_object();
  }
  json.end_array();
  json.end_object();
  out << "\n";
}

void write_trace_table(std::ostream& out, const TraceReport& report) {
  const TraceRequest& request = report.request;
  out << "Trace " << request.direction << " from " << request.seed << " (" << core::to_string(request.chain)
      << "), " << request.hops << " hop" << (request.hops == 1 ? "" : "s") << ", "
      << (request.time_order ? "time-ordered" : "ignoring time order");
  write_filters_text(out, request);
  out << "\n" << report.nodes.size() << " wallets, " << report.edges.size() << " transfers\n";

  unsigned hop = 0;
  for (const ReportEdge& edge : report.edges) {
    if (edge.hop != hop) {
      hop = edge.hop;
      out << "\nHop " << hop << "\n";
    }
    out << "  ";
    write_transfer_line(out, edge);
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
