#pragma once
// Option parsing shared by the commands that traverse the graph (trace, path).
#include <optional>
#include <string>
#include <vector>

#include "fundtrail/core/amount.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/graph/edge_filter.hpp"
#include "fundtrail/report/rendering.hpp"
#include "fundtrail/store/case_store.hpp"

namespace CLI {
class App;
}

namespace fundtrail::cli {

struct FilterArgs {
  std::string since;
  std::string until;
  std::string asset;
  std::string min_amount;
};

void add_filter_options(CLI::App& command, FilterArgs& args);

// Builds the edge filter for traversals on `chain`: time window, asset (symbol or contract; ambiguous
// symbols are an error listing the contracts) and the minimum amount, given in display units and converted
// to each asset's base units (rounded up, so "at least X" stays true).
graph::EdgeFilter build_filter(const FilterArgs& args, core::Chain chain, const std::vector<store::AssetRecord>& assets);

// The filters as the report echoes them: what the user gave, with times as parsed into `filter`.
report::TransferFilters echoed_filters(const FilterArgs& args, const graph::EdgeFilter& filter);

// Base units of `display` for `decimals`, rounded up when the text has more digits than the asset.
core::Amount minimum_in_base_units(const std::string& display, unsigned decimals);

}  // namespace fundtrail::cli
