#pragma once
// The text a report shows for the store's ids, in a memory-mapped file beside the store (`<db>.labels`): each
// address id's chain and normalised address, each transaction id's hash and block height. A report of a
// trace that reaches 200,000 wallets and 260,000 transfers reads its labels here in tens of milliseconds,
// where looking the same ids up in SQLite's B-trees, scattered over a store of millions of rows, takes half
// a second.
//
// Like the graph snapshot it is a cache: the store stays the truth. The file records the store's
// data_version, store_id and `label_rewrites` count, and the store's meta table records the file's stamp
// (size, mtime, random nonce); a file that does not match all of them is not used (readers fall back to
// SQL) and is rebuilt by the next refresh. Addresses and transactions are only ever added and their text
// never changes, so a refresh appends the rows added since; a stored block height filled in later bumps
// `label_rewrites` (store writers do) and forces a rebuild.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/store/tx_hash.hpp"

namespace fundtrail::store {

class CaseStore;

// Meta key bumped by the writers whenever a stored transaction's label (its block height) changes.
inline constexpr std::string_view kLabelRewritesKey = "label_rewrites";

// "<store path>.labels".
std::string label_index_path_for(const std::string& store_path);

struct IndexedAddress {
  core::Chain chain{};
  std::string_view address;  // views the mapping: valid while the LabelIndex lives
};

struct IndexedTransaction {
  TxHash hash;  // views the mapping: valid while the LabelIndex lives
  std::optional<std::int64_t> block_height;
};

struct LabelIndexStats {
  bool rebuilt = false;      // the file was written (from scratch or extended)
  bool incremental = false;  // ... by appending only the rows added since the previous file
  std::size_t new_addresses = 0;
  std::size_t new_transactions = 0;
};

class LabelIndex {
 public:
  // The index of `store` when its file is current; std::nullopt (logged at debug) when it is missing, stale,
  // damaged or belongs to another store. Never writes.
  static std::optional<LabelIndex> open_current(CaseStore& store);

  // Brings the file up to date with what `store` has committed: appends the addresses and transactions added
  // since it was written, or rebuilds it (missing, damaged, another store's, a label rewritten). Written to a
  // temporary file and renamed into place, so readers see the old file or the new one. A file that cannot
  // be written is logged (warn) and left to the next refresh: labels are then read from the store.
  static void refresh(CaseStore& store, LabelIndexStats* stats = nullptr);

  // std::nullopt for an id the file does not hold: beyond its range or never assigned.
  std::optional<IndexedAddress> address(std::int64_t id) const;
  std::optional<IndexedTransaction> transaction(std::int64_t id) const;
  // Start loading an id's entry that will be looked up shortly: a report looks up hundreds of thousands of
  // scattered ids, and overlapping their memory latency is most of the gain of reading them in bulk.
  void prefetch_address(std::int64_t id) const;
  // The second step for an address: its text, once prefetch_address(id) has brought in where it lies.
  void prefetch_address_text(std::int64_t id) const;
  void prefetch_transaction(std::int64_t id) const;

  std::size_t address_count() const { return address_count_; }          // highest address id + 1
  std::size_t transaction_count() const { return transaction_count_; }  // highest transaction id + 1

 private:
  struct Mapping;
  explicit LabelIndex(std::shared_ptr<const Mapping> mapping);
  static std::optional<LabelIndex> map(const std::string& path, std::string_view what);

  std::shared_ptr<const Mapping> mapping_;
  std::size_t address_count_ = 0;
  std::size_t transaction_count_ = 0;
  const std::uint64_t* address_offsets_ = nullptr;  // address_count_ + 1
  const std::uint8_t* address_chains_ = nullptr;
  const char* address_text_ = nullptr;
  std::size_t address_text_size_ = 0;
  const std::byte* transaction_records_ = nullptr;  // 40-byte slots (label_index.cpp)
  const std::uint8_t* transaction_kinds_ = nullptr;
  const char* transaction_text_ = nullptr;
  std::size_t transaction_text_size_ = 0;
};

}  // namespace fundtrail::store
