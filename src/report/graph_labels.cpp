#include "fundtrail/report/graph_labels.hpp"

#include "fundtrail/core/error.hpp"
#include "fundtrail/store/transfer_writer.hpp"

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

store::TransferDetail GraphLabels::transfer(std::int64_t transfer_id) {
  const std::int64_t tx_id = transfer_id >> 24;
  auto found = transactions_.find(tx_id);
  if (found == transactions_.end()) {
    store::TransactionRecord record = store_.transaction(tx_id);
    found = transactions_.emplace(tx_id, TransactionLabel{std::move(record.tx_hash), record.block_height}).first;
  }
  store::TransferDetail detail;
  detail.id = transfer_id;
  detail.tx_hash = found->second.tx_hash;
  detail.index = transfer_id & store::kMaxTransferIndex;
  detail.block_height = found->second.block_height;
  return detail;
}

}  // namespace fundtrail::report
