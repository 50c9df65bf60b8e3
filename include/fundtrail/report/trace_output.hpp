#pragma once
// Renderings of a TraceReport. JSON and CSV are for scripts (stable field names, deterministic order,
// amounts as exact decimal strings); the table is for people.
#include <ostream>

#include "fundtrail/report/trace_report.hpp"

namespace fundtrail::report {

// JSON (docs/trace-json.md), streamed: constant memory whatever the result size. Ends with a newline.
void write_trace_json(std::ostream& out, const TraceReport& report);
void write_trace_table(std::ostream& out, const TraceReport& report);
// One line per transfer: direction,hop,timestamp,tx_hash,index,from,to,asset,amount,block_height,contract
void write_trace_csv(std::ostream& out, const TraceReport& report);

// RFC 4180 quoting for a field that may contain commas, quotes or line breaks; also defuses spreadsheet
// formula injection by prefixing a quote to fields starting with = + - @ (attacker-chosen token names).
std::string csv_field(std::string_view text);

}  // namespace fundtrail::report
