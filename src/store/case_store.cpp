#include "fundtrail/store/case_store.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>

#include "fundtrail/core/error.hpp"
#include "fundtrail/store/schema.hpp"
#include "fundtrail/store/sqlite.hpp"

namespace fundtrail::store {

CaseStore::CaseStore(const std::string& path, OpenMode mode) : path_(path) {
  if (mode == OpenMode::MustExist && !std::filesystem::exists(path)) {
    throw not_found("no case store at '" + path + "' (import data first, or pass --db / set FUNDTRAIL_DB)");
  }
  db_ = std::make_unique<Database>(path, mode == OpenMode::CreateIfMissing);
  // A file that is not SQLite fails at its first statement; say so in terms of the case store. Any other
  // failure (a lock, an I/O error) is reported as it is.
  auto refuse_if_not_a_store = [&](const Error& error) {
    const int code = sqlite3_errcode(db_->handle());
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      throw Error(ErrorKind::Corruption, "'" + path + "' is not a fundtrail case store: " + error.what());
    }
  };
  try {
    // Takes effect only when the file is new (before its first page is written); existing stores keep theirs.
    // 16 KiB pages make the unique indexes on addresses and tx hashes one level shallower than 4 KiB pages:
    // an import spends most of its SQLite time descending them (~12% less CPU for a 1M-row import).
    db_->exec("PRAGMA page_size = 16384");
  } catch (const Error& error) {
    refuse_if_not_a_store(error);
    throw;
  }
  try {
    db_->exec("PRAGMA journal_mode = WAL");
  } catch (const Error& error) {
    refuse_if_not_a_store(error);
    // A new case's first import may be writing it with a rollback journal (RollbackJournalScope): the mode
    // cannot change before that commits, and SQLite does not wait for this lock. The command goes on in the
    // store's current mode; the import puts the store back in WAL mode when it ends.
    if ((sqlite3_errcode(db_->handle()) & 0xff) != SQLITE_BUSY) throw;
    spdlog::debug("store {} is being written by another command; opened in its current journal mode", path);
  }
  db_->exec("PRAGMA foreign_keys = ON");
  // NORMAL is durable against corruption in WAL mode; only the last commit may be lost on power loss.
  db_->exec("PRAGMA synchronous = NORMAL");
  // A 1 GiB page cache keeps the random inserts into the address and transaction indexes of a
  // multi-million-row import in memory; memory-mapped reads avoid a syscall per page.
  db_->exec("PRAGMA cache_size = -1048576");
  db_->exec("PRAGMA mmap_size = 4294967296");
  db_->exec("PRAGMA temp_store = MEMORY");
  migrate(*db_);
  // Written once, when the store is new: opening an existing store writes nothing, so a command that only
  // reads does not wait for (or fail on) another command's write lock.
  if (!meta("store_id")) {
    std::random_device random;
    std::string id;
    for (int i = 0; i < 4; ++i) id += fmt::format("{:08x}", random());
    db_->prepare("INSERT INTO meta(key, value) VALUES ('store_id', ?1) ON CONFLICT (key) DO NOTHING").bind(1, id).run();
  }
}

std::optional<std::string> CaseStore::meta(std::string_view key) {
  auto statement = db_->prepare("SELECT value FROM meta WHERE key = ?1");
  statement.bind(1, key);
  if (!statement.step()) return std::nullopt;
  return statement.column_text(0);
}

void CaseStore::set_meta(std::string_view key, std::string_view value) {
  db_->prepare("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .bind(1, key)
      .bind(2, value)
      .run();
}

void CaseStore::increment_meta(std::string_view key) {
  db_->prepare("INSERT INTO meta(key, value) VALUES (?1, '1') "
               "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
      .bind(1, key)
      .run();
}

std::string CaseStore::store_id() {
  auto statement = db_->prepare("SELECT value FROM meta WHERE key = 'store_id'");
  if (!statement.step()) throw Error(ErrorKind::Corruption, "store " + path_ + " has no store_id");
  return statement.column_text(0);
}

CaseStore::~CaseStore() {
  // Statements must be finalized before the connection closes.
  address_by_id_.reset();
  transfer_detail_.reset();
  transaction_by_id_.reset();
}

Statement& CaseStore::cached(std::unique_ptr<Statement>& slot, std::string_view sql) {
  if (!slot) slot = std::make_unique<Statement>(*db_, sql);
  slot->reset();
  return *slot;
}

std::int64_t CaseStore::data_version() {
  auto statement = db_->prepare("SELECT value FROM meta WHERE key = 'data_version'");
  if (!statement.step()) throw Error(ErrorKind::Corruption, "store " + path_ + " has no data_version");
  return std::stoll(statement.column_text(0));
}

void CaseStore::bump_data_version() {
  // Once per crawled page: prepared once.
  cached(bump_data_version_, "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'").run();
}

std::optional<std::int64_t> CaseStore::find_address(core::Chain chain, std::string_view normalized) {
  auto statement = db_->prepare("SELECT id FROM addresses WHERE chain = ?1 AND address = ?2");
  statement.bind(1, static_cast<int>(chain)).bind(2, normalized);
  if (!statement.step()) return std::nullopt;
  return statement.column_int64(0);
}

AddressRecord CaseStore::address(std::int64_t id) {
  auto& statement = cached(address_by_id_, "SELECT chain, address FROM addresses WHERE id = ?1");
  statement.bind(1, id);
  if (!statement.step()) throw not_found("no address with id " + std::to_string(id));
  return {id, static_cast<core::Chain>(statement.column_int64(0)), statement.column_text(1)};
}

std::int64_t CaseStore::max_address_id() {
  auto statement = db_->prepare("SELECT coalesce(max(id), 0) FROM addresses");
  statement.step();
  return statement.column_int64(0);
}

std::int64_t CaseStore::max_transaction_id() {
  auto statement = db_->prepare("SELECT coalesce(max(id), 0) FROM transactions");
  statement.step();
  return statement.column_int64(0);
}

std::vector<AssetRecord> CaseStore::assets() {
  std::vector<AssetRecord> result;
  auto statement = db_->prepare("SELECT id, chain, symbol, decimals, contract FROM assets ORDER BY id");
  while (statement.step()) {
    AssetRecord record;
    record.id = statement.column_int64(0);
    record.info.chain = static_cast<core::Chain>(statement.column_int64(1));
    record.info.symbol = statement.column_text(2);
    record.info.decimals = static_cast<unsigned>(statement.column_int64(3));
    record.info.contract = statement.column_text(4);
    result.push_back(std::move(record));
  }
  return result;
}

std::int64_t CaseStore::max_transfer_id() {
  auto statement = db_->prepare("SELECT coalesce(max(id), 0) FROM transfers");
  statement.step();
  return statement.column_int64(0);
}

std::int64_t CaseStore::transfer_count() {
  auto statement = db_->prepare("SELECT count(*) FROM transfers");
  statement.step();
  return statement.column_int64(0);
}

bool CaseStore::holds_transactions() {
  auto statement = db_->prepare("SELECT EXISTS (SELECT 1 FROM transactions)");
  if (!statement.step()) throw Error(ErrorKind::IoError, "store " + path_ + ": cannot tell whether it holds data");
  return statement.column_int64(0) != 0;
}

void CaseStore::scan_transfers(std::int64_t after_id, const std::function<void(const TransferRow&)>& visit) {
  auto statement = db_->prepare(
      "SELECT id, from_id, to_id, asset_id, timestamp, amount FROM transfers WHERE id > ?1 ORDER BY id");
  statement.bind(1, after_id);
  TransferRow row;
  while (statement.step()) {
    row.id = statement.column_int64(0);
    row.from_id = statement.column_int64(1);
    row.to_id = statement.column_int64(2);
    row.asset_id = statement.column_int64(3);
    row.timestamp = statement.column_int64(4);
    row.amount_is_text = !statement.is_integer(5);
    if (row.amount_is_text) {
      row.amount_text = statement.column_text_view(5);
      row.amount_int = 0;
    } else {
      row.amount_int = statement.column_int64(5);
      row.amount_text = {};
    }
    visit(row);
  }
}

void CaseStore::scan_addresses(
    std::int64_t after_id, std::int64_t last_id,
    const std::function<void(std::int64_t id, core::Chain chain, std::string_view address)>& visit) {
  auto statement = db_->prepare("SELECT id, chain, address FROM addresses WHERE id > ?1 AND id <= ?2 ORDER BY id");
  statement.bind(1, after_id).bind(2, last_id);
  while (statement.step()) {
    visit(statement.column_int64(0), static_cast<core::Chain>(statement.column_int64(1)),
          statement.column_text_view(2));
  }
}

void CaseStore::scan_transactions(
    std::int64_t after_id, std::int64_t last_id,
    const std::function<void(std::int64_t id, std::string_view tx_hash, std::optional<std::int64_t> block_height)>&
        visit) {
  auto statement =
      db_->prepare("SELECT id, tx_hash, block_height FROM transactions WHERE id > ?1 AND id <= ?2 ORDER BY id");
  statement.bind(1, after_id).bind(2, last_id);
  while (statement.step()) {
    visit(statement.column_int64(0), statement.column_text_view(1),
          statement.is_null(2) ? std::nullopt : std::optional<std::int64_t>(statement.column_int64(2)));
  }
}

namespace {

// Ids at most this far apart are read in one range scan: stepping over a few unwanted rows of a page already
// in hand is cheaper than descending the B-tree again for the next id.
constexpr std::int64_t kRangeGap = 8;

// Runs `range` (SELECT ... WHERE id BETWEEN ?1 AND ?2 ORDER BY id, id first) over runs of nearby ids and
// hands `visit` the row of each wanted id, in ascending order.
void read_by_ids(Statement& range, const std::vector<std::int64_t>& ids, std::string_view what,
                 const std::function<void(Statement&)>& visit) {
  std::size_t next = 0;
  while (next < ids.size()) {
    std::size_t end = next + 1;
    while (end < ids.size() && ids[end] - ids[end - 1] <= kRangeGap) ++end;
    range.reset();
    range.bind(1, ids[next]).bind(2, ids[end - 1]);
    while (next < end && range.step()) {
      const std::int64_t id = range.column_int64(0);
      if (id < ids[next]) continue;
      if (id > ids[next]) break;
      visit(range);
      ++next;
    }
    if (next < end) {
      range.reset();
      throw not_found(fmt::format("no {} with id {}", what, ids[next]));
    }
  }
  range.reset();  // ends the read transaction the last scan holds open
}

}  // namespace

void CaseStore::read_addresses(
    const std::vector<std::int64_t>& ascending_ids,
    const std::function<void(std::int64_t id, core::Chain chain, std::string_view address)>& visit) {
  ReadTransaction read(*db_);
  auto& range = cached(address_range_, "SELECT id, chain, address FROM addresses WHERE id BETWEEN ?1 AND ?2 ORDER BY id");
  read_by_ids(range, ascending_ids, "address", [&](Statement& row) {
    visit(row.column_int64(0), static_cast<core::Chain>(row.column_int64(1)), row.column_text_view(2));
  });
}

void CaseStore::read_transactions(
    const std::vector<std::int64_t>& ascending_ids,
    const std::function<void(std::int64_t id, std::string_view tx_hash, std::optional<std::int64_t> block_height)>&
        visit) {
  ReadTransaction read(*db_);
  auto& range = cached(transaction_range_,
                       "SELECT id, tx_hash, block_height FROM transactions WHERE id BETWEEN ?1 AND ?2 ORDER BY id");
  read_by_ids(range, ascending_ids, "transaction", [&](Statement& row) {
    visit(row.column_int64(0), row.column_text_view(1),
          row.is_null(2) ? std::nullopt : std::optional<std::int64_t>(row.column_int64(2)));
  });
}

TransactionRecord CaseStore::transaction(std::int64_t tx_id) {
  auto& statement = cached(transaction_by_id_, "SELECT tx_hash, block_height FROM transactions WHERE id = ?1");
  statement.bind(1, tx_id);
  if (!statement.step()) throw not_found("no transaction with id " + std::to_string(tx_id));
  TransactionRecord record;
  record.id = tx_id;
  record.tx_hash = statement.column_text(0);
  if (!statement.is_null(1)) record.block_height = statement.column_int64(1);
  return record;
}

TransferDetail CaseStore::transfer_detail(std::int64_t transfer_id) {
  auto& statement = cached(transfer_detail_,
                           "SELECT t.tx_hash, tr.idx, t.block_height, tr.source_id FROM transfers tr "
                           "JOIN transactions t ON t.id = tr.tx_id WHERE tr.id = ?1");
  statement.bind(1, transfer_id);
  if (!statement.step()) throw not_found("no transfer with id " + std::to_string(transfer_id));
  TransferDetail detail;
  detail.id = transfer_id;
  detail.tx_hash = statement.column_text(0);
  detail.index = statement.column_int64(1);
  if (!statement.is_null(2)) detail.block_height = statement.column_int64(2);
  if (!statement.is_null(3)) detail.source_id = statement.column_int64(3);
  return detail;
}

}  // namespace fundtrail::store
