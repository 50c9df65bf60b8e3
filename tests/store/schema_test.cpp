// The case store's schema: what a fresh store looks like, how an old store is migrated, and which files
// are refused (newer schema, not SQLite, missing with MustExist).
#include "fundtrail/store/schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "fundtrail/store/transfer_writer.hpp"
#include "support/error_matchers.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::store {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using test::error_from;
using test::TempDir;  // a fresh directory per test, removed with everything in it
using test::ThrowsError;

std::string pragma_text(Database& db, const std::string& pragma) {
  auto statement = db.prepare("PRAGMA " + pragma);
  if (!statement.step()) return {};
  return statement.column_text(0);
}

std::int64_t query_int(Database& db, const std::string& sql) {
  auto statement = db.prepare(sql);
  if (!statement.step()) throw std::runtime_error("no row for " + sql);
  return statement.column_int64(0);
}

std::vector<std::string> column_names(Database& db, const std::string& table) {
  std::vector<std::string> names;
  auto statement = db.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
  statement.bind(1, table);
  while (statement.step()) names.push_back(statement.column_text(0));
  return names;
}

bool table_exists(Database& db, const std::string& table) {
  auto statement = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  statement.bind(1, table);
  statement.step();
  return statement.column_int64(0) == 1;
}

constexpr const char* kMaxUint256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

TEST(SchemaTest, LatestVersionCountsTheMigrations) {
  EXPECT_EQ(latest_schema_version(), static_cast<int>(migrations().size()));
  // v1 (transfer graph) and v2 (evidence sources) exist; later versions may add more.
  EXPECT_GE(latest_schema_version(), 2);
}

TEST(SchemaTest, FreshStoreHasLatestVersionWalAndForeignKeys) {
  TempDir dir;
  CaseStore store(dir.file("case.db"), OpenMode::CreateIfMissing);
  EXPECT_EQ(schema_version(store.db()), latest_schema_version());
  EXPECT_EQ(pragma_text(store.db(), "journal_mode"), "wal");
  EXPECT_EQ(pragma_text(store.db(), "foreign_keys"), "1");
  EXPECT_EQ(store.data_version(), 0);
  EXPECT_EQ(store.transfer_count(), 0);
  EXPECT_TRUE(table_exists(store.db(), "sources"));

  // Foreign keys are enforced, not just declared: a transfer of a transaction that does not exist fails.
  auto error = error_from([&] {
    store.db().exec(
        "INSERT INTO transfers(tx_id, idx, from_id, to_id, asset_id, amount, timestamp) "
        "VALUES (42, 0, 1, 2, 1, 5, 0)");
  });
  ASSERT_TRUE(error.has_value()) << "a dangling transfer was accepted";
  EXPECT_THAT(error->what(), HasSubstr("FOREIGN KEY"));
}

TEST(SchemaTest, FreshStoresUse16KiBPagesAndExistingStoresKeepTheirs) {
  TempDir dir;
  {
    CaseStore store(dir.file("case.db"), OpenMode::CreateIfMissing);
    EXPECT_EQ(pragma_text(store.db(), "page_size"), "16384");
  }
  {
    Database db(dir.file("old.db"), true);
    migrate(db, 1);  // written with SQLite's default 4 KiB pages
  }
  CaseStore old(dir.file("old.db"), OpenMode::MustExist);
  EXPECT_EQ(pragma_text(old.db(), "page_size"), "4096");
  EXPECT_EQ(schema_version(old.db()), latest_schema_version());
}

TEST(SchemaTest, ReopeningAFreshStoreKeepsItsVersion) {
  TempDir dir;
  { CaseStore store(dir.file("case.db"), OpenMode::CreateIfMissing); }
  CaseStore again(dir.file("case.db"), OpenMode::MustExist);
  EXPECT_EQ(schema_version(again.db()), latest_schema_version());
  EXPECT_EQ(again.data_version(), 0);
}

TEST(SchemaTest, MigrateWithTargetStopsAtThatVersion) {
  TempDir dir;
  Database db(dir.file("old.db"), true);
  migrate(db, 1);
  EXPECT_EQ(schema_version(db), 1);
  EXPECT_TRUE(table_exists(db, "transfers"));
  EXPECT_FALSE(table_exists(db, "sources"));
  EXPECT_THAT(column_names(db, "transfers"), ::testing::Not(::testing::Contains("source_id")));
}

TEST(SchemaTest, VersionOneStoreIsMigratedWithItsRowsIntact) {
  TempDir dir;
  const std::string path = dir.file("old.db");
  {
    Database db(path, true);
    migrate(db, 1);
    db.exec(R"sql(
      INSERT INTO addresses(id, chain, address) VALUES
        (1, 3, 'TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt'),
        (2, 3, 'TMt3ojNDGxrMXDbfh2MU8gHkgk9MkNdMDT');
      INSERT INTO assets(id, chain, asset_key, symbol, decimals, contract) VALUES
        (1, 3, 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 'USDT', 6, 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t');
      INSERT INTO transactions(id, chain, tx_hash, block_height, timestamp) VALUES
        (1, 3, 'aa11', 59302282, 1707772446),
        (2, 3, 'bb22', NULL, 1707800000);
      -- transfer id = tx_id * 2^24 + idx (docs/schema.md)
      INSERT INTO transfers(id, tx_id, idx, from_id, to_id, asset_id, amount, timestamp) VALUES
        (16777216, 1, 0, 1, 2, 1, 24130000000, 1707772446),
        (33554432, 2, 0, 2, 1, 1, '115792089237316195423570985008687907853269984665640564039457584007913129639935', 1707800000);
      UPDATE meta SET value = '7' WHERE key = 'data_version';
    )sql");
  }

  CaseStore store(path, OpenMode::MustExist);
  EXPECT_EQ(schema_version(store.db()), latest_schema_version());
  EXPECT_EQ(store.data_version(), 7);

  // The rows survive the migration unchanged.
  EXPECT_EQ(store.transfer_count(), 2);
  EXPECT_EQ(store.max_address_id(), 2);
  const AddressRecord first = store.address(1);
  EXPECT_EQ(first.chain, core::Chain::Tron);
  EXPECT_EQ(first.address, "TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt");
  EXPECT_EQ(store.find_address(core::Chain::Tron, "TMt3ojNDGxrMXDbfh2MU8gHkgk9MkNdMDT"), 2);
  const auto assets = store.assets();
  ASSERT_EQ(assets.size(), 1u);
  EXPECT_EQ(assets[0].info.symbol, "USDT");
  EXPECT_EQ(assets[0].info.decimals, 6u);

  std::vector<std::string> amounts;
  store.scan_transfers(0, [&](const TransferRow& row) {
    amounts.push_back(row.amount_is_text ? std::string(row.amount_text) : std::to_string(row.amount_int));
  });
  EXPECT_EQ(amounts, (std::vector<std::string>{"24130000000", kMaxUint256}));

  const TransferDetail detail = store.transfer_detail(transfer_id_of(1, 0));
  EXPECT_EQ(detail.tx_hash, "aa11");
  EXPECT_EQ(detail.index, 0);
  EXPECT_EQ(detail.block_height, 59302282);
  EXPECT_FALSE(detail.source_id.has_value()) << "rows from before v2 have no source";
  EXPECT_FALSE(store.transfer_detail(transfer_id_of(2, 0)).block_height.has_value());

  // v2's additions exist: the sources table and the source_id columns.
  EXPECT_TRUE(table_exists(store.db(), "sources"));
  EXPECT_EQ(query_int(store.db(), "SELECT count(*) FROM sources"), 0);
  EXPECT_THAT(column_names(store.db(), "transactions"), ::testing::Contains("source_id"));
  EXPECT_THAT(column_names(store.db(), "transfers"), ::testing::Contains("source_id"));
  EXPECT_EQ(query_int(store.db(), "SELECT count(*) FROM transfers WHERE source_id IS NULL"), 2);

  // v6 moved tx-hash uniqueness to a named index (droppable for bulk loads); the rebuilt table kept every
  // id, so every reference still resolves, and the uniqueness still holds.
  EXPECT_EQ(query_int(store.db(),
                      "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'transactions_by_hash'"),
            1);
  EXPECT_EQ(query_int(store.db(), "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'transactions' AND "
                                  "name LIKE 'sqlite_autoindex%'"),
            0);
  // v7: the index leads with the hash (faster to build after a bulk load), then the chain.
  EXPECT_EQ(query_int(store.db(), "SELECT count(*) FROM pragma_index_info('transactions_by_hash') "
                                  "WHERE (seqno = 0 AND name = 'tx_hash') OR (seqno = 1 AND name = 'chain')"),
            2);
  EXPECT_EQ(query_int(store.db(), "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_EQ(query_int(store.db(), "SELECT count(*) FROM pragma_foreign_keys WHERE foreign_keys = 1"), 1)
      << "foreign keys are back on after the migrations";
  EXPECT_EQ(query_int(store.db(), "PRAGMA temp_store"), 2) << "in-memory temporary storage is back too";
  EXPECT_THAT([&] { store.db().exec("INSERT INTO transactions(chain, tx_hash, timestamp) VALUES (3, 'aa11', 1)"); },
              ThrowsError(ErrorKind::IoError));

  // The migrated store works with today's writer: the same transfer again is a duplicate, and the
  // known asset resolves to the row written under v1.
  Transaction transaction(store.db());
  TransferWriter writer(store);
  const ResolvedAsset usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  EXPECT_EQ(usdt.id, 1);
  core::Transfer transfer;
  transfer.chain = core::Chain::Tron;
  transfer.tx_hash = "aa11";
  transfer.index = 0;
  transfer.from = "TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt";
  transfer.to = "TMt3ojNDGxrMXDbfh2MU8gHkgk9MkNdMDT";
  transfer.asset = "USDT";
  transfer.decimals = 6;
  transfer.amount = core::Amount(24130000000ull);
  transfer.timestamp = 1707772446;
  EXPECT_EQ(writer.write(transfer, usdt.id, std::nullopt), WriteOutcome::Duplicate);
  EXPECT_EQ(store.transfer_count(), 2);
}

// What the default logger writes while it lives (the CLI's stderr in production).
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_level(spdlog::level::warn);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(SchemaTest, UpgradingAStoreWithDataIsAnnouncedAndCreatingOneIsNot) {
  TempDir dir;
  {
    CapturedLog log;
    CaseStore fresh(dir.file("fresh.db"), OpenMode::CreateIfMissing);
    EXPECT_EQ(log.text(), "") << "a new store is created silently";
  }
  const std::string path = dir.file("old.db");
  {
    Database db(path, true);
    migrate(db, 5);
  }
  CapturedLog log;
  CaseStore store(path, OpenMode::MustExist);
  EXPECT_EQ(schema_version(store.db()), latest_schema_version());
  EXPECT_THAT(log.text(), ::testing::AllOf(::testing::HasSubstr("upgrading case store"),
                                           ::testing::HasSubstr("from schema 5 to " +
                                                                std::to_string(latest_schema_version()))));
}

TEST(SchemaTest, StoreWithNewerSchemaIsRefused) {
  TempDir dir;
  const std::string path = dir.file("future.db");
  {
    CaseStore store(path, OpenMode::CreateIfMissing);
    store.db().exec("PRAGMA user_version = 99");
  }
  ASSERT_THAT([&] { CaseStore store(path, OpenMode::MustExist); },
              ThrowsError(ErrorKind::Corruption, AllOf(HasSubstr(path), HasSubstr("99"),
                                                       HasSubstr(std::to_string(latest_schema_version())))))
      << "a store from a newer fundtrail was opened";

  // Refusing did not touch the file's version.
  Database db(path, false);
  EXPECT_EQ(schema_version(db), 99);
  ASSERT_THAT([&] { migrate(db); }, ThrowsError(ErrorKind::Corruption));
}

TEST(SchemaTest, NonSqliteFileIsRefusedAndLeftAlone) {
  TempDir dir;
  const std::string path = dir.file("notes.db");
  std::string content;
  for (int i = 0; i < 200; ++i) content += "chain,tx_hash,timestamp: this is a CSV, not a database\n";
  {
    std::ofstream out(path, std::ios::binary);
    out << content;
  }
  ASSERT_THAT([&] { CaseStore store(path, OpenMode::MustExist); },
              ThrowsError(ErrorKind::Corruption, AllOf(HasSubstr(path), HasSubstr("not a fundtrail case store"))))
      << "a text file was accepted as a case store";

  std::ifstream in(path, std::ios::binary);
  const std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, content) << "the refused file was modified";
}

TEST(SchemaTest, MustExistOnMissingPathIsNotFoundAndCreatesNothing) {
  TempDir dir;
  const std::string path = dir.file("missing.db");
  ASSERT_THAT([&] { CaseStore store(path, OpenMode::MustExist); }, ThrowsError(ErrorKind::NotFound, HasSubstr(path)));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SchemaTest, CreateIfMissingInAMissingDirectoryIsAnIoError) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/case.db");
  ASSERT_THAT([&] { CaseStore store(path, OpenMode::CreateIfMissing); },
              ThrowsError(ErrorKind::IoError, HasSubstr(path)));
}

}  // namespace
}  // namespace fundtrail::store
