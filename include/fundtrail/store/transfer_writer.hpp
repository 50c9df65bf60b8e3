#pragma once
// Bulk writer for transfers: interns addresses, assets and transactions, skips exact duplicates (so every
// import and ingest is idempotent) and refuses a transfer whose key exists with other content.
// The caller owns the surrounding store::Transaction: all writes of one command are one transaction.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/core/transfer.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"

namespace fundtrail::store {

// Where data came from: a file an investigator imported or an API response (evidence).
struct SourceInfo {
  std::string kind;      // "file" | "http"
  std::string provider;  // "csv", "esplora", ...
  std::string locator;   // file path or URL with secrets redacted
  core::UnixSeconds fetched_at = 0;
  std::optional<int> status;
  std::optional<std::int64_t> byte_size;
  std::string sha256;                    // hex SHA-256 of the source's bytes
  std::optional<std::string> body_zstd;  // the raw bytes, zstd-compressed (--keep-raw)
};

struct ResolvedAsset {
  std::int64_t id = 0;
  unsigned decimals = 0;
};

enum class WriteOutcome { Inserted, Duplicate };

// Transfer ids are tx_id * 2^24 + index, so (transaction, index) is unique through the primary key alone.
inline constexpr std::uint32_t kMaxTransferIndex = (1u << 24) - 1;
inline std::int64_t transfer_id_of(std::int64_t tx_id, std::uint32_t index) { return (tx_id << 24) | index; }
inline std::int64_t transaction_id_of(std::int64_t transfer_id) { return transfer_id >> 24; }
inline std::uint32_t transfer_index_of(std::int64_t transfer_id) {
  return static_cast<std::uint32_t>(transfer_id & kMaxTransferIndex);
}

class AddressIdCache;

// A transaction's row as write() needs it: its id and the timestamp it is stored with.
struct InternedTransaction {
  std::int64_t id = 0;
  core::UnixSeconds timestamp = 0;
};

// Suspends per-row foreign-key enforcement for one bulk write (construct it before the Transaction).
// TransferWriter only writes ids it has just read or inserted in the same transaction, so the per-row
// parent lookups (five per transfer) protect nothing and cost ~40% of an import. Enforcement is restored
// on destruction; tests run PRAGMA foreign_key_check after imports to hold the writer to this.
class ForeignKeysSuspended {
 public:
  explicit ForeignKeysSuspended(CaseStore& store);

 private:
  PragmaOverride foreign_keys_;
};

// A transfer's from/to address ids when the caller already knows them; 0 = not known.
struct WalletIds {
  std::int64_t from = 0;
  std::int64_t to = 0;
};

// AddressIdCache::hash_of of a transfer's from and to.
struct AddressHashes {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
};

class TransferWriter {
 public:
  explicit TransferWriter(CaseStore& store);
  ~TransferWriter();

  // Records a source and returns its id. A file with the same bytes (SHA-256) as one imported before reuses
  // that record, so re-importing a file adds nothing; every HTTP response is its own record.
  std::int64_t add_source(const SourceInfo& source);
  // A file's SHA-256 is known only once the file has been read (it is hashed as it is imported): its source
  // record is added without one and settled here. When the same bytes were imported before and this import
  // wrote nothing that refers to the new record (`wrote_rows` false), the earlier record stands and the new
  // one is removed, as add_source would have reused it. Returns the id that stands.
  std::int64_t settle_file_source(std::int64_t source_id, const std::string& sha256, bool wrote_rows);
  // The id the next new transaction gets (ids only grow): transactions from this id on were written later.
  std::int64_t next_transaction_id();

  // The asset (chain, symbol) with `decimals` when given. Well-known assets (core::known_asset) have fixed
  // decimals; any other asset needs decimals the first time it is seen. Throws fundtrail::Error
  // (InvalidArgument) for an unknown asset without decimals or decimals that contradict the known ones.
  ResolvedAsset resolve_asset(core::Chain chain, std::string_view symbol, std::optional<unsigned> decimals);

  // Writes one transfer (addresses already normalised, amount in base units). Throws fundtrail::Error
  // (InvalidArgument) when (chain, tx_hash, index) exists with different from/to/asset/amount, or when the
  // transaction is known with another timestamp.
  // `probe_span` > 1: the index is a hash of the transfer's content (account chains, where providers give no
  // stable position); a slot holding another transfer is skipped and the next of `probe_span` slots tried, so
  // the same transfer read from any page lands on the same row and two different ones never collide.
  WriteOutcome write(const core::Transfer& transfer, std::int64_t asset_id, std::optional<std::int64_t> source_id,
                     std::uint32_t probe_span = 1);

  // Interns the transactions of a batch of transfers at once and returns each transfer's transaction, for
  // write(transfer, tx, ...). A new transaction gets the same id as writing the batch row by row would give it
  // (the next id, in order of first appearance, with the first appearance's block height and timestamp), but
  // the rows go into the tx-hash index in hash order: consecutive inserts then land on neighbouring pages,
  // where row order scatters them over the whole index (the largest cost of an import). The batch is first
  // assumed new (one index descent per transaction, the import of new data); when a transaction turns out to
  // be stored, that attempt is undone and every hash looked up first, so stored ones keep their ids and rows.
  // During a bulk load there is no index: the new rows are appended in id order.
  std::vector<InternedTransaction> intern_transactions(std::span<const core::Transfer> transfers,
                                                       std::optional<std::int64_t> source_id);

  // write() for a transfer whose transaction intern_transactions() returned (probe_span 1). `wallets` may
  // carry the ids of its from/to addresses from intern_addresses() (0 = not known: interned here).
  WriteOutcome write(const core::Transfer& transfer, const InternedTransaction& tx, std::int64_t asset_id,
                     std::optional<std::int64_t> source_id, WalletIds wallets = {});

  // Bulk load into a store that holds no transactions yet (a new case's first import): drops the tx-hash
  // index, so that intern_transactions() appends rows without descending it, and finish_bulk_load() builds
  // it once from sorted keys. Returns false, changing nothing, when the store holds transactions: only in an
  // empty store is every hash known new without the index. Call inside a transaction, before any write; a
  // rollback restores the index. Until finish_bulk_load(), only intern_transactions() and write(transfer, tx,
  // ...) may be used.
  bool begin_bulk_load();
  // Builds the tx-hash index. Returns false when the loaded rows repeat a (chain, tx_hash): rows of one
  // transaction in two batches, which intern_transactions() does not merge without the index. The caller
  // must then roll the load back and write the rows the normal way. Throws on any other failure.
  bool finish_bulk_load();

  // The from/to address ids of a batch of transfers, interning new addresses in row order (from, then to),
  // exactly as writing the rows one by one would number them; for write(transfer, tx, ..., wallets).
  // `hashes` (empty, or one pair per transfer) are AddressIdCache::hash_of of each row's from and to,
  // computed ahead by the caller (the CSV importer's parsing thread); the look-ups prefetch with them.
  // A row that write() then refuses leaves its new addresses behind: see remove_unreferenced_new_addresses.
  std::vector<WalletIds> intern_addresses(std::span<const core::Transfer> transfers,
                                          std::span<const AddressHashes> hashes = {});

  // Removes the wallets among `address_ids` that this writer added and that no transfer names. For the caller
  // that interned a row's wallets (intern_addresses) before write() refused the row (its transaction stored
  // with another timestamp, or another transfer at its index) and commits the other rows (--skip-invalid):
  // the refused row must leave nothing behind, and a wallet it alone introduced would otherwise stay in the
  // store without a transfer. Two scans of the transfers; call after the last write. Returns how many were
  // removed.
  std::size_t remove_unreferenced_new_addresses(const std::vector<std::int64_t>& address_ids);

  // Moves a stored transaction into its block: sets its block height and timestamp and the timestamp of
  // every transfer of it. For a transaction first stored unconfirmed (with the time it was first seen) that
  // later arrives confirmed, which write() would otherwise refuse as a timestamp conflict. Changes no other
  // column and does not bump data_version (the caller's command does). Throws fundtrail::Error(NotFound)
  // when the transaction is not stored.
  // Note: this rewrites existing transfer rows; a graph snapshot extended incrementally does not see it.
  void confirm_transaction(core::Chain chain, std::string_view tx_hash, std::optional<std::int64_t> block_height,
                           core::UnixSeconds timestamp);

  // For a caller that has just written or read the transactions row of `tx_hash` (BtcWriter): its id and
  // stored timestamp, so that write() for its transfers skips the insert attempt and the look-up.
  void remember_transaction(core::Chain chain, std::string_view tx_hash, std::int64_t id, core::UnixSeconds timestamp);

 private:
  std::int64_t intern_address(core::Chain chain, const std::string& address);
  std::int64_t intern_address(core::Chain chain, const std::string& address, std::uint64_t hash);
  using TxState = InternedTransaction;
  TxState intern_transaction(const core::Transfer& transfer, std::optional<std::int64_t> source_id);
  struct TxGroup {  // the rows of one transaction: positions [begin, end) of a batch's hash order
    std::size_t begin;
    std::size_t end;
  };
  std::vector<InternedTransaction> intern_transactions_appended(std::span<const core::Transfer> transfers,
                                                                std::optional<std::int64_t> source_id);
  std::vector<InternedTransaction> intern_transactions_looked_up(std::span<const core::Transfer> transfers,
                                                                 const std::vector<std::uint32_t>& order,
                                                                 const std::vector<TxGroup>& groups,
                                                                 std::int64_t first_new_id,
                                                                 std::optional<std::int64_t> source_id);
  static void assign_new_ids(std::span<const core::Transfer> transfers, const std::vector<std::uint32_t>& order,
                             const std::vector<TxGroup>& new_groups, std::int64_t first_new_id,
                             std::vector<InternedTransaction>& result);
  bool insert_transaction(const core::Transfer& first, std::int64_t id, std::optional<std::int64_t> source_id);
  WriteOutcome write_interned(const core::Transfer& transfer, const TxState& tx, std::int64_t asset_id,
                              std::optional<std::int64_t> source_id, std::uint32_t probe_span, WalletIds wallets = {});

  CaseStore& store_;
  Statement find_address_;
  Statement insert_address_;
  Statement find_tx_;
  Statement insert_tx_;
  Statement insert_tx_with_id_;
  Statement max_tx_id_;
  Statement undo_transactions_from_;
  Statement insert_transfer_;
  Statement find_transfer_;
  std::optional<Statement> insert_tx_appended_;  // during a bulk load: no conflict target, the index is gone
  std::string tx_hash_index_sql_;                // during a bulk load: the dropped index's CREATE statement
  Statement find_file_source_;
  Statement insert_source_;  // once per crawled page: prepared once
  std::unique_ptr<AddressIdCache> address_ids_;
  std::int64_t first_new_address_id_;  // addresses from this id on were added by this writer (or later)
  std::unordered_map<std::string, ResolvedAsset> asset_ids_;  // key: chain byte + upper-case symbol
  core::Chain last_tx_chain_{};
  std::string last_tx_hash_;
  TxState last_tx_;
};

}  // namespace fundtrail::store
