// RollbackJournalScope: a bulk write into a new case runs with a rollback journal and the store returns to
// WAL mode afterwards; when another connection holds the store open, nothing is switched.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::store {
namespace {

std::string text_pragma(Database& db, const std::string& name) {
  auto statement = db.prepare("PRAGMA " + name);
  EXPECT_TRUE(statement.step());
  return statement.column_text(0);
}

std::int64_t count_rows(Database& db) {
  auto statement = db.prepare("SELECT count(*) FROM t");
  EXPECT_TRUE(statement.step());
  return statement.column_int64(0);
}

class RollbackJournalScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<Database>(path_, true);
    db_->exec("PRAGMA journal_mode = WAL");
    db_->exec("PRAGMA synchronous = NORMAL");
    db_->exec("CREATE TABLE t(x)");
  }
  test::TempDir dir_;
  std::string path_ = dir_.file("case.db");
  std::unique_ptr<Database> db_;
};

TEST_F(RollbackJournalScopeTest, WritesWithARollbackJournalAndReturnsToWal) {
  {
    RollbackJournalScope scope(*db_);
    ASSERT_TRUE(scope.active());
    EXPECT_EQ(text_pragma(*db_, "journal_mode"), "delete");
    EXPECT_EQ(text_pragma(*db_, "synchronous"), "2") << "FULL while a rollback journal protects the write";
    Transaction transaction(*db_);
    db_->exec("INSERT INTO t VALUES (1), (2)");
    EXPECT_TRUE(std::filesystem::exists(path_ + "-journal")) << "the write is journaled, not in a WAL";
    transaction.commit();
  }
  EXPECT_EQ(text_pragma(*db_, "journal_mode"), "wal");
  EXPECT_EQ(text_pragma(*db_, "synchronous"), "1") << "NORMAL again";
  EXPECT_EQ(count_rows(*db_), 2);
  Database other(path_, false);
  EXPECT_EQ(count_rows(other), 2) << "committed for every connection";
}

TEST_F(RollbackJournalScopeTest, AWriteRolledBackInTheScopeLeavesNothing) {
  {
    RollbackJournalScope scope(*db_);
    ASSERT_TRUE(scope.active());
    Transaction transaction(*db_);
    db_->exec("INSERT INTO t VALUES (1)");
  }  // no commit: rolled back
  EXPECT_EQ(count_rows(*db_), 0);
  EXPECT_EQ(text_pragma(*db_, "journal_mode"), "wal");
}

TEST_F(RollbackJournalScopeTest, DoesNothingWhileAnotherConnectionHasTheStoreOpen) {
  Database reader(path_, false);
  EXPECT_EQ(count_rows(reader), 0);  // the reader has the WAL open
  {
    RollbackJournalScope scope(*db_);
    EXPECT_FALSE(scope.active());
    EXPECT_EQ(text_pragma(*db_, "journal_mode"), "wal");
    EXPECT_EQ(text_pragma(*db_, "synchronous"), "1");
    Transaction transaction(*db_);
    db_->exec("INSERT INTO t VALUES (1)");
    transaction.commit();
  }
  EXPECT_EQ(count_rows(reader), 1);
  EXPECT_EQ(text_pragma(*db_, "journal_mode"), "wal");
}

// A command opened while a new case's first import writes it (rollback journal, write lock held) cannot put
// the store in WAL mode, and SQLite does not wait for that lock: it must open anyway and read what is
// committed, not report the store as "not a fundtrail case store".
TEST(RollbackJournalScopeCaseStore, AnotherCommandOpensAndReadsTheStoreWhileAFirstImportWritesIt) {
  test::TempDir dir;
  const std::string path = dir.file("case.db");
  CaseStore importer(path, OpenMode::CreateIfMissing);
  {
    RollbackJournalScope scope(importer.db());
    ASSERT_TRUE(scope.active());
    Transaction transaction(importer.db());
    importer.set_meta("probe", "written");
    {
      CaseStore reader(path, OpenMode::MustExist);
      EXPECT_EQ(reader.meta("probe"), std::nullopt) << "only committed data is seen";
      EXPECT_FALSE(reader.holds_transactions());
    }
    transaction.commit();
  }
  CaseStore reader(path, OpenMode::MustExist);
  EXPECT_EQ(reader.meta("probe"), "written");
  EXPECT_EQ(text_pragma(reader.db(), "journal_mode"), "wal");
}

}  // namespace
}  // namespace fundtrail::store
