#pragma once
// Thin RAII layer over the SQLite C API. Only the store layer includes it. Every value reaches SQL through
// bound parameters; there is no API for building SQL from data.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace fundtrail::store {

class Statement;

// One connection. Not thread-safe: use one Database per thread.
class Database {
 public:
  // Opens (creating when `create` is true) the file; throws fundtrail::Error(IoError) naming the path.
  Database(const std::string& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL text without parameters (schema, pragmas). Throws with the SQL's first line on failure.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement. bind_* use 1-based indexes; step() returns true while a row is available.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, unsigned value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, std::string_view value);  // copied (SQLITE_TRANSIENT)
  // Not copied (SQLITE_STATIC), for hot paths: `value` must stay alive and unchanged until the statement is
  // reset (run() resets it).
  Statement& bind_static(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  Statement& bind(int index, std::optional<std::int64_t> value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  bool step();
  void reset();  // resets and clears bindings, ready for reuse
  // Runs a statement that returns no rows (or ignores them) and resets it.
  void run();

  bool is_null(int column) const;
  bool is_integer(int column) const;
  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  std::string_view column_text_view(int column) const;  // valid until the next step/reset

 private:
  Database* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK in the destructor unless commit() was called, so an exception
// anywhere in a command leaves the store unchanged.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// One read transaction around many statements: they see one state of the store, and each is spared the file
// lock and WAL-index round trip that a statement in autocommit mode pays (measurable when a report runs
// thousands). Does nothing when a transaction is already open on the connection.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Database& db_;
  bool began_ = false;
};

// Sets a connection pragma for a scope and gives it back the value it had before. Pragmas such as
// foreign_keys and temp_store take effect only outside a transaction: construct this before one. `name` and
// `value` are words of our own code, never user text (a pragma takes no bound parameters).
class PragmaOverride {
 public:
  PragmaOverride(Database& db, std::string_view name, std::string_view value);
  ~PragmaOverride();
  PragmaOverride(const PragmaOverride&) = delete;
  PragmaOverride& operator=(const PragmaOverride&) = delete;

 private:
  Database& db_;
  std::string name_;
  std::string previous_;
};

// Switches a connection from WAL to a rollback journal (journal_mode DELETE, synchronous FULL) for one bulk
// write into a store that holds next to nothing, and back to WAL at the end of the scope. In WAL mode every
// page is written twice, to the WAL and again by the checkpoint; a rollback journal copies only the pages
// that existed before the write, and a load into a new store appends almost all of its pages, so they are
// written once (10M-row import: 51.7 s -> 37.6 s). A crash is recovered as SQLite always recovers a
// rollback journal: the next open rolls the write back. Readers wait while the write spills and commits;
// in a new case there is nothing to read yet. Construct it before the transaction (the mode cannot change
// inside one). When the switch is refused (another connection has the store open), it does nothing and
// active() is false.
class RollbackJournalScope {
 public:
  explicit RollbackJournalScope(Database& db);
  ~RollbackJournalScope();
  RollbackJournalScope(const RollbackJournalScope&) = delete;
  RollbackJournalScope& operator=(const RollbackJournalScope&) = delete;

  bool active() const noexcept { return active_; }

 private:
  Database& db_;
  bool active_ = false;
  std::optional<PragmaOverride> synchronous_;
};

}  // namespace fundtrail::store
