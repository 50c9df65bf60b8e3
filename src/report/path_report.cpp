#include "fundtrail/report/path_report.hpp"

#include "fundtrail/report/json_writer.hpp"

namespace fundtrail::report {
namespace {

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
    for (graph::NodeId node : found.wallets) path.wallets.emplace_back(labels.address(node).address);
    for (graph::EdgeIndex index : found.transfers) path.transfers.push_back(describe_transfer(graph, labels, index));
    report.paths.push_back(std::move(path));
  }
  return report;
}

void write_path_json(std::ostream& out, const PathReport& report) {
  const PathRequest& request = report.request;
  JsonWriter json(out);
  json.begin_object();
  json.key("from").value(request.from);
  json.key("to").value(request.to);
  json.key("chain").value(core::to_string(request.chain));
  json.key("max_hops").value(request.max_hops);
  json.key("limit").value(static_cast<std::uint64_t>(request.limit));
  json.key("time_order").value(request.time_order);
  json.key("filters");
  write_filters(json, request);
  json.key("truncated").value(report.truncated);
  json.key("paths").begin_array();
  for (const ReportPath& path : report.paths) {
    json.begin_object();
    json.key("hops").value(static_cast<std::uint64_t>(path.hops()));
    json.key("wallets").begin_array();
    for (const std::string& wallet : path.wallets) json.value(wallet);
    json.end_array();
    json.key("transfers").begin_array();
    for (const PathTransfer& transfer : path.transfers) {
      json.begin_object();
      write_transfer_fields(json, transfer);
      json.end_object();
    }
    json.end_array();
    json.end_object();
  }
  json.end_array();
  json.end_object();
  out << "\n";
}

void write_path_table(std::ostream& out, const PathReport& report) {
  const PathRequest& request = report.request;
  out << "Paths from " << request.from << " to " << request.to << " (" << core::to_string(request.chain)
      << "), at most " << request.max_hops << " hop" << (request.max_hops == 1 ? "" : "s") << ", up to "
      << request.limit << " path" << (request.limit == 1 ? "" : "s") << ", "
      << (request.time_order ? "time-ordered" : "ignoring time order");
  write_filters_text(out, request);
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
      out << "  ";
      write_transfer_line(out, transfer);
      out << "  tx " << transfer.tx_hash << ":" << transfer.index << "\n";
    }
  }
}

}  // namespace fundtrail::report
