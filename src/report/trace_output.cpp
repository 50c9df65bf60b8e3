#include "fundtrail/report/trace_output.hpp"

#include <map>

#include "fundtrail/report/json_writer.hpp"

namespace fundtrail::report {
namespace {

void write_totals(JsonWriter& json, const std::vector<AssetTotal>& totals) {
  json.begin_array();
  for (const AssetTotal& total : totals) {
    json.begin_object();
    json.key("asset").value(total.asset);
    if (total.contract.empty()) {
      json.key("contract").null();
    } else {
      json.key("contract").value(total.contract);
    }
    json.key("amount").value(total.amount);
    json.end_object();
  }
  json.end_array();
}

void optional_time(JsonWriter& json, const std::optional<core::UnixSeconds>& time) {
  if (time) {
    json.value(core::format_iso8601(*time));
  } else {
    json.null();
  }
}

std::string totals_text(const std::vector<AssetTotal>& totals) {
  std::string text;
  for (const AssetTotal& total : totals) {
    if (!text.empty()) text += ", ";
    text += total.amount + " " + total.asset;
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
  json.key("filters").begin_object();
  json.key("since");
  optional_time(json, request.since);
  json.key("until");
  optional_time(json, request.until);
  json.key("asset").value(request.asset);
  json.key("min_amount").value(request.min_amount);
  json.end_object();
  json.key("summary").begin_object();
  json.key("nodes").value(static_cast<std::uint64_t>(report.nodes.size()));
  json.key("edges").value(static_cast<std::uint64_t>(report.edges.size()));
  json.end_object();

  json.key("nodes").begin_array();
  for (const ReportNode& node : report.nodes) {
    json.begin_object();
    json.key("address").value(node.address);
    json.key("chain").value(core::to_string(node.chain));
    json.key("hop").value(node.hop);
    json.key("direction").value(node.direction);
    json.key("reached");
    optional_time(json, node.reached);
    json.key("received");
    write_totals(json, node.received);
    json.key("sent");
    write_totals(json, node.sent);
    json.end_object();
  }
  json.end_array();
  json.key("edges").begin_array();
  for (const ReportEdge& edge : report.edges) {
    json.begin_object();
    json.key("tx_hash").value(edge.tx_hash);
    json.key("index").value(edge.index);
    json.key("from").value(edge.from);
    json.key("to").value(edge.to);
    json.key("timestamp").value(core::format_iso8601(edge.timestamp));
    json.key("asset").value(edge.asset);
    if (edge.contract.empty()) {
      json.key("contract").null();
    } else {
      json.key("contract").value(edge.contract);
    }
    json.key("amount").value(edge.amount);
    json.key("block_height").value(edge.block_height);
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
