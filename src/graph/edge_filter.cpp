#include "fundtrail/graph/edge_filter.hpp"

namespace fundtrail::graph {

void EdgeFilter::set_min_amount(std::uint32_t asset_id, const core::Amount& minimum) {
  if (minimums_.size() <= asset_id) minimums_.resize(asset_id + 1);
  Minimum& entry = minimums_[asset_id];
  entry.active = true;
  entry.exact = minimum;
  static const core::uint512 kSaturation = (core::uint512(1) << 128) - 1;
  entry.beyond_inline = minimum.value() >= kSaturation;
  if (!entry.beyond_inline) {
    entry.lo = static_cast<std::uint64_t>(minimum.value() & UINT64_MAX);
    entry.hi = static_cast<std::uint64_t>(minimum.value() >> 64);
  }
}

bool EdgeFilter::meets_minimum(const TransferGraph& graph, const Edge& edge) const {
  const Minimum& minimum = minimums_[edge.asset];
  if (edge.amount_saturated()) return graph.amount(graph.index_of(edge)) >= minimum.exact;
  if (minimum.beyond_inline) return false;
  return edge.amount_hi != minimum.hi ? edge.amount_hi > minimum.hi : edge.amount_lo >= minimum.lo;
}

}  // namespace fundtrail::graph
