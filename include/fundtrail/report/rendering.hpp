#pragma once
// Pieces the report renderings share (trace, path, address): one transfer as a JSON object and as a table
// line, the transfer filters of a request, and the JSON spelling of optional values. Field names and
// formats are part of the JSON contract (docs/trace-json.md, path_report.hpp): change them in one place here.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/graph/transfer_graph.hpp"
#include "fundtrail/report/graph_labels.hpp"

namespace fundtrail::report {

// One transfer as the reports show it: a trace's edge, a path's hop.
struct ReportTransfer {
  std::string tx_hash;
  std::int64_t index = 0;
  std::string from;
  std::string to;
  core::UnixSeconds timestamp = 0;
  std::string asset;     // symbol
  std::string contract;  // empty for native coins and symbol-only assets
  std::string amount;    // exact decimal in display units
  std::optional<std::int64_t> block_height;
};

// Transfer `index` of `graph` with its labels: transaction, addresses, asset and exact amount.
ReportTransfer describe_transfer(const graph::TransferGraph& graph, GraphLabels& labels, graph::EdgeIndex index);

// {"tx_hash", "index", "from", "to", "timestamp" (ISO-8601 UTC), "asset", "contract" (null when empty),
//  "amount" (string), "block_height" (null when unknown)}; callers may append fields.
nlohmann::ordered_json transfer_to_json(const ReportTransfer& transfer);

// "<time>  <from> -> <to>  <amount> <asset>", as the tables list transfers (no indent, no line end).
void write_transfer_line(std::ostream& out, const ReportTransfer& transfer);

// The transfer filters of a trace or path request, as given (std::nullopt: not given).
struct TransferFilters {
  std::optional<core::UnixSeconds> since;
  std::optional<core::UnixSeconds> until;
  std::optional<std::string> asset;
  std::optional<std::string> min_amount;
};

// {"since", "until" (ISO-8601 UTC), "asset", "min_amount"}, each null when not given.
nlohmann::ordered_json filters_to_json(const TransferFilters& filters);

// ", since <time>, until <time>, asset <symbol>, min amount <amount>" for the filters given, as the table
// headers end.
void write_filters_text(std::ostream& out, const TransferFilters& filters);

// The time in ISO-8601 UTC, or null.
nlohmann::ordered_json optional_time_json(const std::optional<core::UnixSeconds>& time);

// An asset's contract, or null for native coins and symbol-only assets (empty contract).
nlohmann::ordered_json contract_json(const std::string& contract);

}  // namespace fundtrail::report
