#pragma once
// Pieces the trace and path renderings share: one transfer (JSON fields, table line), the transfer filters of
// a request (JSON object, table text) and JSON spellings of optional values. Field names and formats are part
// of the JSON contract (docs/trace-json.md, path_report.hpp): they are spelled once, here.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/graph/transfer_graph.hpp"
#include "fundtrail/report/graph_labels.hpp"
#include "fundtrail/report/json_writer.hpp"

namespace fundtrail::report {

// One transfer as the reports show it: a trace's edge, a path's hop. The text fields view the GraphLabels it
// was described with (a report of 100,000 transfers would otherwise copy 400,000 strings): keep the labels
// alive while the report is used.
struct ReportTransfer {
  TxHash tx_hash;
  std::int64_t index = 0;
  std::string_view from;
  std::string_view to;
  core::UnixSeconds timestamp = 0;
  std::string_view asset;     // symbol
  std::string_view contract;  // empty for native coins and symbol-only assets
  std::string amount;         // exact decimal in display units
  std::optional<std::int64_t> block_height;
};

// Transfer `index` of `graph` with its labels: transaction, addresses, asset and exact amount.
ReportTransfer describe_transfer(const graph::TransferGraph& graph, GraphLabels& labels, graph::EdgeIndex index);
// The same when the sending wallet is already known (a trace result lists it), sparing the graph's search.
ReportTransfer describe_transfer(const graph::TransferGraph& graph, GraphLabels& labels, graph::EdgeIndex index,
                                 graph::NodeId from);
// ... and its transaction's label already in hand.
ReportTransfer describe_transfer(const graph::TransferGraph& graph, GraphLabels& labels, graph::EdgeIndex index,
                                 graph::NodeId from, const TransactionLabel& transaction);

// Inside an open JSON object: "tx_hash", "index", "from", "to", "timestamp" (ISO-8601 UTC), "asset",
// "contract" (null when empty), "amount" (exact decimal string), "block_height" (null when unknown).
// Callers may add keys after them.
void write_transfer_fields(JsonWriter& json, const ReportTransfer& transfer);

// A token symbol or name for a terminal table: token metadata is attacker-controlled, so control characters
// (terminal escapes, bell, line breaks), backslashes and Unicode bidirectional overrides (which reorder what
// the reader sees) are shown as \xNN / \u{NNNN}, and text beyond `max_bytes` is cut ("..."). JSON keeps the
// exact text (escaped by the JSON writer); CSV keeps it quoted.
std::string display_label(std::string_view text, std::size_t max_bytes = 32);

// "<time>  <from> -> <to>  <amount> <asset>", as the tables list transfers (no indent, no line end).
void write_transfer_line(std::ostream& out, const ReportTransfer& transfer);

// The transfer filters of a trace or path request, as given (std::nullopt: not given).
struct TransferFilters {
  std::optional<core::UnixSeconds> since;
  std::optional<core::UnixSeconds> until;
  std::optional<std::string> asset;
  std::optional<std::string> min_amount;
};

// The object {"since", "until" (ISO-8601 UTC), "asset", "min_amount"}, each null when not given.
void write_filters(JsonWriter& json, const TransferFilters& filters);

// ", since <time>, until <time>, asset <symbol>, min amount <amount>" for the filters given, as the table
// headers end.
void write_filters_text(std::ostream& out, const TransferFilters& filters);

// The time in ISO-8601 UTC, or null.
void write_optional_time(JsonWriter& json, const std::optional<core::UnixSeconds>& time);

// The member "contract": an asset's contract, or null for native coins and symbol-only assets (empty).
void write_contract(JsonWriter& json, std::string_view contract);

}  // namespace fundtrail::report
