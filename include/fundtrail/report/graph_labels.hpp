#pragma once
// Turns the graph's ids into what people read: addresses, asset symbols and decimals, tx hashes.
// Looks each id up in the store once and caches it.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "fundtrail/core/asset.hpp"
#include "fundtrail/store/case_store.hpp"

namespace fundtrail::report {

class GraphLabels {
 public:
  explicit GraphLabels(store::CaseStore& store);

  const store::AddressRecord& address(std::int64_t address_id);
  // Unknown asset ids throw fundtrail::Error(Corruption).
  const core::AssetInfo& asset(std::uint32_t asset_id) const;
  // Tx hash, index and block of a transfer. Transfer ids are tx_id * 2^24 + index (store/transfer_writer.hpp),
  // so this costs one lookup per transaction, not per transfer.
  store::TransferDetail transfer(std::int64_t transfer_id);

 private:
  store::CaseStore& store_;
  std::vector<std::optional<core::AssetInfo>> assets_;
  std::unordered_map<std::int64_t, store::AddressRecord> addresses_;
  struct TransactionLabel {
    std::string tx_hash;
    std::optional<std::int64_t> block_height;
  };
  std::unordered_map<std::int64_t, TransactionLabel> transactions_;
};

}  // namespace fundtrail::report
