#pragma once
// One SQLite file per case: the source of truth for addresses, assets, transactions and transfers.
// WAL mode, foreign keys on, schema migrated on open. Not thread-safe (one CaseStore per thread).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/asset.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::store {

class Database;
class Statement;

struct AddressRecord {
  std::int64_t id = 0;
  core::Chain chain{};
  std::string address;  // normalised
};

struct AssetRecord {
  std::int64_t id = 0;
  core::AssetInfo info;
};

// A transfer as the graph engine reads it: ids only, amount in base units. The amount arrives either as
// `amount_int` (it fit in int64) or as decimal base-unit text in `amount_text` (valid during the callback).
struct TransferRow {
  std::int64_t id = 0;
  std::int64_t from_id = 0;
  std::int64_t to_id = 0;
  std::int64_t asset_id = 0;
  core::UnixSeconds timestamp = 0;
  bool amount_is_text = false;
  std::int64_t amount_int = 0;
  std::string_view amount_text;
};

// What a person needs to see about one transfer besides the graph's numbers.
struct TransferDetail {
  std::int64_t id = 0;
  std::string tx_hash;
  std::int64_t index = 0;
  std::optional<std::int64_t> block_height;
  std::optional<std::int64_t> source_id;
};

struct TransactionRecord {
  std::int64_t id = 0;
  std::string tx_hash;
  std::optional<std::int64_t> block_height;
};

enum class OpenMode {
  CreateIfMissing,  // commands that write (import, ingest)
  MustExist,        // commands that read: a missing store is an error, not a new empty file
};

class CaseStore {
 public:
  // Opens the store at `path` and migrates it to the latest schema. Throws fundtrail::Error(NotFound)
  // for a missing file with MustExist, (IoError) when SQLite cannot open it, (Corruption) for a file that
  // is not a fundtrail store or is newer than this build.
  CaseStore(const std::string& path, OpenMode mode);
  ~CaseStore();
  CaseStore(const CaseStore&) = delete;
  CaseStore& operator=(const CaseStore&) = delete;

  Database& db() { return *db_; }
  const std::string& path() const { return path_; }

  // Increased by every committed command that adds data; the graph snapshot records the value it was
  // built from to know whether it is stale. Call bump_data_version() inside the writing transaction.
  std::int64_t data_version();
  // Random id given to the store when it is created: tells a snapshot of this store from one of a deleted
  // store that had the same path.
  std::string store_id();
  // Small key/value records in the meta table (e.g. the graph snapshot's stamp).
  std::optional<std::string> meta(std::string_view key);
  void set_meta(std::string_view key, std::string_view value);
  // Adds one to a counter in the meta table (a missing key counts as 0).
  void increment_meta(std::string_view key);
  void bump_data_version();

  std::optional<std::int64_t> find_address(core::Chain chain, std::string_view normalized);
  AddressRecord address(std::int64_t id);
  std::int64_t max_address_id();
  std::int64_t max_transaction_id();

  std::vector<AssetRecord> assets();
  std::int64_t max_transfer_id();
  std::int64_t transfer_count();
  // False for a new case: no transaction (and so no transfer) stored yet.
  bool holds_transactions();

  // Streams every transfer with id > after_id in id order.
  void scan_transfers(std::int64_t after_id, const std::function<void(const TransferRow&)>& visit);
  // Stream the addresses / transactions with after_id < id <= last_id in id order (text valid during the call).
  void scan_addresses(std::int64_t after_id, std::int64_t last_id,
                      const std::function<void(std::int64_t id, core::Chain chain, std::string_view address)>& visit);
  void scan_transactions(std::int64_t after_id, std::int64_t last_id,
                         const std::function<void(std::int64_t id, std::string_view tx_hash,
                                                  std::optional<std::int64_t> block_height)>& visit);

  TransferDetail transfer_detail(std::int64_t transfer_id);
  TransactionRecord transaction(std::int64_t tx_id);

  // Bulk look-ups for reports of tens of thousands of rows: `ascending_ids` sorted, without repeats; `visit`
  // is called once per id in that order. Ids close together are read in one range scan, scattered ones by
  // key, never one statement execution per id from the caller. A missing id throws fundtrail::Error(NotFound).
  void read_addresses(const std::vector<std::int64_t>& ascending_ids,
                      const std::function<void(std::int64_t id, core::Chain chain, std::string_view address)>& visit);
  void read_transactions(const std::vector<std::int64_t>& ascending_ids,
                         const std::function<void(std::int64_t id, std::string_view tx_hash,
                                                  std::optional<std::int64_t> block_height)>& visit);

 private:
  // Statements run once per result row (address names, transfer details) are prepared once.
  Statement& cached(std::unique_ptr<Statement>& slot, std::string_view sql);

  std::string path_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Statement> address_by_id_;
  std::unique_ptr<Statement> bump_data_version_;
  std::unique_ptr<Statement> transfer_detail_;
  std::unique_ptr<Statement> transaction_by_id_;
  std::unique_ptr<Statement> address_range_;
  std::unique_ptr<Statement> transaction_range_;
};

}  // namespace fundtrail::store
