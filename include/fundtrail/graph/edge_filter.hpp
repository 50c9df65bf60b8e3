#pragma once
// Which transfers a traversal may follow: a time window, one asset, and a minimum amount per asset.
#include <cstdint>
#include <optional>
#include <vector>

#include "fundtrail/core/amount.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/graph/transfer_graph.hpp"

namespace fundtrail::graph {

class EdgeFilter {
 public:
  core::UnixSeconds since = core::kMinTime;  // inclusive, UTC seconds
  core::UnixSeconds until = core::kMaxTime;  // inclusive, UTC seconds

  // Follow only transfers of this store asset id.
  void only_asset(std::uint32_t asset_id) { asset_ = asset_id; }
  std::optional<std::uint32_t> asset() const { return asset_; }

  // Minimum amount in base units for transfers of `asset_id`; assets without a minimum pass any amount.
  void set_min_amount(std::uint32_t asset_id, const core::Amount& minimum);

  bool passes(const TransferGraph& graph, const Edge& edge) const {
    if (edge.timestamp < since || edge.timestamp > until) return false;
    if (asset_ && edge.asset != *asset_) return false;
    if (edge.asset < minimums_.size() && minimums_[edge.asset].active) return meets_minimum(graph, edge);
    return true;
  }

 private:
  struct Minimum {
    bool active = false;
    bool beyond_inline = false;  // threshold >= 2^128 - 1: only saturated edges can reach it
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    core::Amount exact;
  };
  bool meets_minimum(const TransferGraph& graph, const Edge& edge) const;

  std::optional<std::uint32_t> asset_;
  std::vector<Minimum> minimums_;
};

}  // namespace fundtrail::graph
