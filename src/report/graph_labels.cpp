#include "fundtrail/report/graph_labels.hpp"

#include "fundtrail/core/error.hpp"

namespace fundtrail::report {

GraphLabels::GraphLabels(store::CaseStore& store) : store_(store) {
  for (auto& record : store.assets()) {
    if (record.id < 0 || record.id > UINT32_MAX) continue;
    const auto index = static_cast<std::size_t>(record.id);
    if (assets_.size() <= index) assets_.resize(index + 1);
    assets_[index] = std::move(record.info);
  }
}

const store::AddressRecord& GraphLabels::address(std::int64_t address_id) {
  auto found = addresses_.find(address_id);
  if (found == addresses_.end()) found = addresses_.emplace(address_id, store_.address(address_id)).first;
  return found->second;
}

const core::AssetInfo& GraphLabels::asset(std::uint32_t asset_id) const {
  if (asset_id >= assets_.size() || !assets_[asset_id]) {
    throw Error(ErrorKind::Corruption, "graph refers to unknown asset id " + std::to_string(asset_id));
  }
  return *assets_[asset_id];
}

const store::TransferDetail& GraphLabels::transfer(std::int64_t transfer_id) {
  auto found = transfers_.find(transfer_id);
  if (found == transfers_.end()) found = transfers_.emplace(transfer_id, store_.transfer_detail(transfer_id)).first;
  return found->second;
}

}  // namespace fundtrail::report
