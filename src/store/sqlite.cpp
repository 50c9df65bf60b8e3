#include "fundtrail/store/sqlite.hpp"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include "fundtrail/core/error.hpp"

namespace fundtrail::store {
namespace {

std::string first_line(std::string_view sql) {
  auto start = sql.find_first_not_of(" \n\t");
  if (start == std::string_view::npos) return {};
  sql.remove_prefix(start);
  return std::string(sql.substr(0, std::min(sql.find('\n'), std::size_t{120})));
}

[[noreturn]] void fail(sqlite3* db, const std::string& context) {
  throw Error(ErrorKind::IoError, "sqlite: " + context + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// SQLite counts every allocation for sqlite3_memory_used() under a global mutex; fundtrail never asks, and
// an ingest makes ~100 allocations per stored transaction. Must run before SQLite initialises.
void configure_sqlite_once() {
  static const int result = [] {
    const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (rc != SQLITE_OK) spdlog::debug("sqlite3_config(MEMSTATUS, 0) returned {}: allocations stay counted", rc);
    return rc;
  }();
  (void)result;
}

}  // namespace

Database::Database(const std::string& path, bool create) : path_(path) {
  configure_sqlite_once();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = "cannot open store '" + path + "': " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(ErrorKind::IoError, message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Another fundtrail process (an ingest) may hold the write lock briefly; wait rather than fail.
  sqlite3_busy_timeout(db_, 10000);
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
  char* message = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message ? message : "unknown error";
    sqlite3_free(message);
    throw Error(ErrorKind::IoError, "sqlite: '" + first_line(sql) + "': " + error + " (store " + path_ + ")");
  }
}

Statement Database::prepare(std::string_view sql) { return Statement(*this, sql); }
std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  if (sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                         nullptr) != SQLITE_OK) {
    fail(db.handle(), "prepare '" + first_line(sql) + "'");
  }
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_->handle(), "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    fail(db_->handle(), "bind");
  }
  return *this;
}

Statement& Statement::bind_static(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC) != SQLITE_OK) {
    fail(db_->handle(), "bind");
  }
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  if (sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    fail(db_->handle(), "bind");
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_->handle(), "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
  sqlite3_reset(stmt_);
  fail(db_->handle(), "step '" + first_line(sql) + "'");
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
bool Statement::is_integer(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_INTEGER; }
std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string_view Statement::column_text_view(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string Statement::column_text(int column) const { return std::string(column_text_view(column)); }

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const Error& error) {
      // A destructor must not throw; the failed rollback is logged so it is not silent.
      spdlog::error("rollback failed: {}", error.what());
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

ReadTransaction::ReadTransaction(Database& db) : db_(db) {
  if (sqlite3_get_autocommit(db_.handle()) == 0) return;
  db_.exec("BEGIN DEFERRED");
  began_ = true;
}

ReadTransaction::~ReadTransaction() {
  if (!began_) return;
  try {
    db_.exec("COMMIT");
  } catch (const Error& error) {
    // A destructor must not throw; a failed end of a read-only transaction is logged so it is not silent.
    spdlog::error("ending a read transaction failed: {}", error.what());
  }
}

namespace {

// The text of the one value a pragma statement returns (its setting, or a journal mode after a change).
std::string pragma_text(Database& db, std::string_view sql) {
  auto statement = db.prepare(sql);
  if (!statement.step()) throw Error(ErrorKind::IoError, "sqlite: '" + std::string(sql) + "' returned no value");
  return statement.column_text(0);
}

}  // namespace

PragmaOverride::PragmaOverride(Database& db, std::string_view name, std::string_view value)
    : db_(db), name_(name), previous_(pragma_text(db, "PRAGMA " + name_)) {
  db_.exec("PRAGMA " + name_ + " = " + std::string(value));
}

PragmaOverride::~PragmaOverride() {
  try {
    db_.exec("PRAGMA " + name_ + " = " + previous_);
  } catch (const Error& error) {
    // A destructor must not throw; a setting left changed is logged so it is not silent.
    spdlog::error("cannot restore PRAGMA {} = {}: {}", name_, previous_, error.what());
  }
}

RollbackJournalScope::RollbackJournalScope(Database& db) : db_(db) {
  if (pragma_text(db_, "PRAGMA journal_mode") != "wal") return;
  std::string mode;
  try {
    mode = pragma_text(db_, "PRAGMA journal_mode = DELETE");
  } catch (const Error& error) {
    spdlog::debug("bulk write stays in WAL mode: {}", error.what());
    return;
  }
  if (mode != "delete") {
    spdlog::debug("bulk write stays in {} mode (the store is open elsewhere)", mode);
    return;
  }
  active_ = true;
  // NORMAL is safe in WAL mode only: with a rollback journal it may lose a write to a power cut mid-sync.
  synchronous_.emplace(db_, "synchronous", "FULL");
}

RollbackJournalScope::~RollbackJournalScope() {
  if (!active_) return;
  synchronous_.reset();
  try {
    const std::string mode = pragma_text(db_, "PRAGMA journal_mode = WAL");
    if (mode != "wal") spdlog::error("the store stays in {} journal mode until it is opened again", mode);
  } catch (const Error& error) {
    // A destructor must not throw. The next CaseStore to open the file sets WAL mode again.
    spdlog::error("cannot switch the store back to WAL mode: {}", error.what());
  }
}

}  // namespace fundtrail::store
