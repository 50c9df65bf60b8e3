#pragma once
// The result of `fundtrail trace` as people and scripts see it, independent of the output format.
// docs/trace-json.md documents the JSON rendering field by field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/graph/trace.hpp"
#include "fundtrail/report/graph_labels.hpp"
#include "fundtrail/report/rendering.hpp"

namespace fundtrail::report {

// Text fields view the GraphLabels the report was built with (rendering.hpp, ReportTransfer).
struct AssetTotal {
  std::string_view asset;     // symbol
  std::string_view contract;  // empty for native coins and symbol-only assets
  std::string amount;         // exact decimal in display units
};

struct ReportNode {
  std::string_view address;
  core::Chain chain{};
  unsigned hop = 0;
  std::string_view direction;  // "seed", "out", "in" or "both"
  std::optional<core::UnixSeconds> reached;  // forward: earliest arrival, backward: latest departure
  std::vector<AssetTotal> received;  // within the result's edges
  std::vector<AssetTotal> sent;
};

struct ReportEdge : ReportTransfer {
  unsigned hop = 0;       // the hop at which the trace uses this transfer (1 = the seed's own)
  std::string_view direction;  // "out", "in" or "both"
};

// With the transfer filters (since, until, asset, min_amount) as given.
struct TraceRequest : TransferFilters {
  std::string seed;
  core::Chain chain{};
  std::string direction;  // "out" | "in" | "both"
  unsigned hops = 3;
  bool time_order = true;
};

struct TraceReport {
  TraceRequest request;
  std::vector<ReportNode> nodes;  // seed first, then by (hop, address)
  std::vector<ReportEdge> edges;  // by (hop, timestamp, tx hash, index)
};

// Merges the forward and/or backward results of one seed into a report.
TraceReport build_trace_report(const graph::TransferGraph& graph, GraphLabels& labels, const TraceRequest& request,
                               const std::vector<graph::TraceResult>& results);

}  // namespace fundtrail::report
