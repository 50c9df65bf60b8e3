#include "fundtrail/report/graph_labels.hpp"

#include <algorithm>
#include <cstring>
#include <future>

#include "fundtrail/core/error.hpp"
#include "fundtrail/store/transfer_writer.hpp"

namespace fundtrail::report {
namespace {

constexpr std::size_t kArenaBlockBytes = 1 << 20;
// Below this many transactions a second connection costs more than it saves.
constexpr std::size_t kParallelReadThreshold = 4096;

void sort_unique(std::vector<std::int64_t>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

std::string_view GraphLabels::TextArena::keep(std::string_view text) {
  if (text.empty()) return {};
  if (used_ + text.size() > capacity_) {
    capacity_ = std::max(kArenaBlockBytes, text.size());
    blocks_.push_back(std::make_unique<char[]>(capacity_));
    used_ = 0;
  }
  char* at = blocks_.back().get() + used_;
  std::memcpy(at, text.data(), text.size());
  used_ += text.size();
  return {at, text.size()};
}

void GraphLabels::TextArena::absorb(TextArena&& other) {
  // The other arena's blocks go before our current one, which keeps filling.
  const auto at = blocks_.empty() ? blocks_.end() : blocks_.end() - 1;
  blocks_.insert(at, std::make_move_iterator(other.blocks_.begin()), std::make_move_iterator(other.blocks_.end()));
  other.blocks_.clear();
  other.used_ = other.capacity_ = 0;
}

GraphLabels::TransactionBatch GraphLabels::read_transactions(store::CaseStore& store,
                                                             const std::vector<std::int64_t>& tx_ids) {
  TransactionBatch batch;
  batch.labels.reserve(tx_ids.size());
  store.read_transactions(
      tx_ids, [&batch](std::int64_t id, std::string_view tx_hash, std::optional<std::int64_t> block_height) {
        batch.labels.emplace_back(id, TransactionLabel{TxHash(batch.text.keep(tx_hash)), block_height});
      });
  return batch;
}

GraphLabels::GraphLabels(store::CaseStore& store) : store_(store), index_(store::LabelIndex::open_current(store)) {
  for (auto& record : store.assets()) {
    if (record.id < 0 || record.id > UINT32_MAX) continue;
    const auto index = static_cast<std::size_t>(record.id);
    if (assets_.size() <= index) assets_.resize(index + 1);
    assets_[index] = std::move(record.info);
  }
}

GraphLabels::~GraphLabels() = default;

void GraphLabels::prefetch(std::vector<std::int64_t> address_ids, const std::vector<std::int64_t>& transfer_ids) {
  // The label index answers each id with a couple of memory reads: reading ahead into maps would only
  // copy it.
  if (index_) return;
  await_transactions();
  std::vector<std::int64_t> tx_ids;
  tx_ids.reserve(transfer_ids.size());
  for (std::int64_t transfer_id : transfer_ids) tx_ids.push_back(store::transaction_id_of(transfer_id));
  sort_unique(tx_ids);
  std::erase_if(tx_ids, [this](std::int64_t id) { return transactions_.contains(id); });
  if (tx_ids.size() >= kParallelReadThreshold) {
    // Many transactions are read on a second connection while this thread goes on (addresses, then whatever
    // the caller does before it needs a transaction): on a machine with two cores the two overlap.
    pending_ = std::async(std::launch::async, [path = store_.path(), ids = std::move(tx_ids)] {
      store::CaseStore second(path, store::OpenMode::MustExist);
      return read_transactions(second, ids);
    });
  } else {
    add(read_transactions(store_, tx_ids));
  }

  sort_unique(address_ids);
  std::erase_if(address_ids, [this](std::int64_t id) { return addresses_.contains(id); });
  addresses_.reserve(address_ids.size());
  store_.read_addresses(address_ids, [this](std::int64_t id, core::Chain chain, std::string_view address) {
    addresses_.insert(id, AddressLabel{chain, text_.keep(address)});
  });
}

void GraphLabels::add(TransactionBatch&& batch) {
  text_.absorb(std::move(batch.text));
  transactions_.reserve(batch.labels.size());
  for (const auto& [id, label] : batch.labels) transactions_.insert(id, label);
}

void GraphLabels::await_transactions() {
  if (!pending_.valid()) return;
  add(pending_.get());  // rethrows what the background read threw (a missing transaction, an I/O error)
}

void GraphLabels::preload_address(std::int64_t address_id) const {
  if (index_) index_->prefetch_address(address_id);
}

void GraphLabels::preload_address_text(std::int64_t address_id) const {
  if (index_) index_->prefetch_address_text(address_id);
}

void GraphLabels::preload_transaction(std::int64_t transfer_id) const {
  if (index_) index_->prefetch_transaction(store::transaction_id_of(transfer_id));
}

AddressLabel GraphLabels::address(std::int64_t address_id) {
  if (index_) {
    if (const std::optional<store::IndexedAddress> indexed = index_->address(address_id)) {
      return AddressLabel{indexed->chain, indexed->address};  // views the mapping
    }
  }
  // Not in the index (none, or a page of it unreadable): from the store, one thread at a time, as a report
  // may describe rows on two threads.
  const std::lock_guard lock(store_mutex_);
  if (const AddressLabel* known = addresses_.find(address_id)) return *known;
  const store::AddressRecord record = store_.address(address_id);
  return addresses_.insert(address_id, AddressLabel{record.chain, text_.keep(record.address)});
}

const core::AssetInfo& GraphLabels::asset(std::uint32_t asset_id) const {
  if (asset_id >= assets_.size() || !assets_[asset_id]) {
    throw Error(ErrorKind::Corruption, "graph refers to unknown asset id " + std::to_string(asset_id));
  }
  return *assets_[asset_id];
}

TransactionLabel GraphLabels::transaction(std::int64_t transfer_id) {
  const std::int64_t tx_id = store::transaction_id_of(transfer_id);
  if (index_) {
    if (const std::optional<store::IndexedTransaction> indexed = index_->transaction(tx_id)) {
      return TransactionLabel{indexed->hash, indexed->block_height};  // views the mapping
    }
  }
  const std::lock_guard lock(store_mutex_);  // as in address()
  await_transactions();
  if (const TransactionLabel* known = transactions_.find(tx_id)) return *known;
  const store::TransactionRecord record = store_.transaction(tx_id);
  return transactions_.insert(tx_id, TransactionLabel{TxHash(text_.keep(record.tx_hash)), record.block_height});
}

}  // namespace fundtrail::report
