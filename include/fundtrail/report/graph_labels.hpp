#pragma once
// Turns the graph's ids into what people read: addresses, asset symbols and decimals, tx hashes.
// Reads them from the store's label index (store/label_index.hpp) when it is up to date, otherwise from the
// store itself, each id once (or many at once, prefetch()), and keeps the text for the labels' lifetime: the
// string_views it hands out stay valid as long as the GraphLabels object.
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/asset.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/report/flat_id_map.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/label_index.hpp"

namespace fundtrail::report {

struct AddressLabel {
  core::Chain chain{};
  std::string_view address;  // normalised; owned by the GraphLabels
};

using store::TxHash;

struct TransactionLabel {
  TxHash tx_hash;  // views the label index or text owned by the GraphLabels
  std::optional<std::int64_t> block_height;
};

class GraphLabels {
 public:
  explicit GraphLabels(store::CaseStore& store);
  ~GraphLabels();  // waits for a background read still running
  GraphLabels(const GraphLabels&) = delete;
  GraphLabels& operator=(const GraphLabels&) = delete;

  // Reads the labels of these wallets and of the transactions of these transfers in bulk (sorted id order,
  // nearby ids in one range scan), so that a report of tens of thousands of rows does not pay one store
  // look-up per row. Optional: what is not prefetched is looked up on first use. Thousands of transactions
  // are read on a second connection in the background: prefetch() returns once the addresses are in, and
  // the first transaction() call waits for the rest (and rethrows what that read threw).
  // Not needed when the store's label index is current (from_index()): it answers each id directly, and
  // prefetch() then does nothing.
  void prefetch(std::vector<std::int64_t> address_ids, const std::vector<std::int64_t>& transfer_ids);
  bool from_index() const { return index_.has_value(); }
  // Ask the CPU to start loading the label of a wallet / of a transfer's transaction that a loop will look up a
  // few iterations later (label index only): overlapping the memory latency of scattered ids.
  void preload_address(std::int64_t address_id) const;
  // The second step: the address's text, a few iterations after preload_address() of the same id.
  void preload_address_text(std::int64_t address_id) const;
  void preload_transaction(std::int64_t transfer_id) const;

  AddressLabel address(std::int64_t address_id);
  // Unknown asset ids throw fundtrail::Error(Corruption).
  const core::AssetInfo& asset(std::uint32_t asset_id) const;
  // The transaction a transfer belongs to. Transfer ids are tx_id * 2^24 + index (store/transfer_writer.hpp),
  // so this costs one look-up per transaction, not per transfer.
  // transaction(), address() and asset() may be called on several threads at once (prefetch() may not).
  // With the label index they only read and run in parallel; look-ups in the store take turns.
  TransactionLabel transaction(std::int64_t transfer_id);

 private:
  // Keeps label text at stable addresses: blocks are never moved or freed while the labels live.
  class TextArena {
   public:
    std::string_view keep(std::string_view text);
    // Takes over another arena's text; views into it stay valid.
    void absorb(TextArena&& other);

   private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t used_ = 0;
    std::size_t capacity_ = 0;
  };

  struct TransactionBatch {
    TextArena text;
    std::vector<std::pair<std::int64_t, TransactionLabel>> labels;
  };
  static TransactionBatch read_transactions(store::CaseStore& store, const std::vector<std::int64_t>& tx_ids);
  void add(TransactionBatch&& batch);
  void await_transactions();

  store::CaseStore& store_;
  std::optional<store::LabelIndex> index_;
  std::vector<std::optional<core::AssetInfo>> assets_;
  TextArena text_;
  FlatIdMap<AddressLabel> addresses_;
  FlatIdMap<TransactionLabel> transactions_;
  std::mutex store_mutex_;                 // look-ups that fall back to the store and fill the maps above
  std::future<TransactionBatch> pending_;  // declared last: destroyed (waited for) first
};

}  // namespace fundtrail::report
