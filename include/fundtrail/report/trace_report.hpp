#pragma once
// The result of `fundtrail trace` as people and scripts see it, independent of the output format.
// docs/trace-json.md documents the JSON rendering field by field.
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <memory>
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
// Almost every wallet of a trace sees one asset: its total is held inline.
using AssetTotals = boost::container::small_vector<AssetTotal, 1>;

struct ReportNode {
  std::string_view address;
  core::Chain chain{};
  unsigned hop = 0;
  std::string_view direction;                // "seed", "out", "in" or "both"
  std::optional<core::UnixSeconds> reached;  // forward: earliest arrival, backward: latest departure
  AssetTotals received;                      // within the result's edges, by asset symbol
  AssetTotals sent;
};

struct ReportEdge : ReportTransfer {
  unsigned hop = 0;            // the hop at which the trace uses this transfer (1 = the seed's own)
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

// The wallets and transfers of a trace in their final order, held as compact rows over the graph and its
// labels and described one at a time: a trace of hundreds of thousands of rows is written without ever
// holding them all as text. The graph and the labels must outlive the report (and the rows it hands out).
class TraceReport {
 public:
  TraceReport(TraceReport&&) noexcept;
  TraceReport& operator=(TraceReport&&) noexcept;
  ~TraceReport();

  const TraceRequest& request() const { return request_; }
  std::size_t node_count() const;  // seed first, then by (hop, address)
  std::size_t edge_count() const;  // by (hop, timestamp, tx hash, index)
  // A row described from the compact state: its text views the labels. Any position, any order; walking
  // positions in order is fastest (each call prefetches the memory of the rows a few positions ahead).
  ReportNode node(std::size_t position) const;
  ReportEdge edge(std::size_t position) const;
  // True when node() and edge() may run on two threads at once: the labels come from the label index,
  // which only reads. (With labels from the store, each look-up may fill the labels' caches.)
  bool rows_concurrent() const { return labels_->from_index(); }

 private:
  struct Rows;
  friend TraceReport build_trace_report(const graph::TransferGraph&, GraphLabels&, const TraceRequest&,
                                        const std::vector<graph::TraceResult>&);
  TraceReport(const graph::TransferGraph& graph, GraphLabels& labels, TraceRequest request);

  const graph::TransferGraph* graph_;
  GraphLabels* labels_;
  TraceRequest request_;
  std::unique_ptr<Rows> rows_;
};

// Merges the forward and/or backward results of one seed into a report.
TraceReport build_trace_report(const graph::TransferGraph& graph, GraphLabels& labels, const TraceRequest& request,
                               const std::vector<graph::TraceResult>& results);

}  // namespace fundtrail::report
