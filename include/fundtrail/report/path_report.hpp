#pragma once
// The result of `fundtrail path FROM TO` as people and scripts see it, and its renderings.
// graph/path_search.hpp defines which paths are found and in which order.
//
// JSON (stable field names, amounts as exact decimal strings, times ISO-8601 UTC):
//   {"from", "to", "chain", "max_hops", "limit", "time_order",
//    "filters": {"since", "until", "asset", "min_amount"} (null when not given),
//    "truncated": bool (the expansion budget ran out: the list may be incomplete),
//    "paths": [{"hops", "wallets": [address...],
//               "transfers": [{"tx_hash", "index", "from", "to", "timestamp", "asset", "contract" (null for
//                              native coins), "amount", "block_height" (null when unknown)}]}]}
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/graph/path_search.hpp"
#include "fundtrail/report/graph_labels.hpp"
#include "fundtrail/report/rendering.hpp"

namespace fundtrail::report {

// With the transfer filters (since, until, asset, min_amount) as given.
struct PathRequest : TransferFilters {
  std::string from;  // normalised
  std::string to;
  core::Chain chain{};
  unsigned max_hops = 6;
  std::size_t limit = 5;
  bool time_order = true;
};

using PathTransfer = ReportTransfer;

struct ReportPath {
  std::vector<std::string> wallets;     // FROM, ..., TO
  std::vector<PathTransfer> transfers;  // the witness chain, one per hop
  std::size_t hops() const { return transfers.size(); }
};

struct PathReport {
  PathRequest request;
  bool truncated = false;
  unsigned complete_hops = 0;    // see PathSearchResult
  std::uint64_t expansions = 0;
  std::vector<ReportPath> paths;  // in the search's order
};

PathReport build_path_report(const graph::TransferGraph& graph, GraphLabels& labels, const PathRequest& request,
                             const graph::PathSearchResult& result);

// JSON as documented above, streamed; ends with a newline.
void write_path_json(std::ostream& out, const PathReport& report);
// One block per path; "no path found" when there is none.
void write_path_table(std::ostream& out, const PathReport& report);

}  // namespace fundtrail::report
