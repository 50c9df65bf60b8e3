// PageCommitBatch: pages share a transaction until a limit is reached; a failing page is undone alone and
// the pages before it are committed; nothing pending survives without a commit.
#include "fundtrail/ingest/page_commit_batch.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "fundtrail/store/case_store.hpp"
#include "support/store_fixture.hpp"

namespace fundtrail::ingest {
namespace {

using namespace std::chrono_literals;

class PageCommitBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store().db().exec("CREATE TABLE pages (n INTEGER NOT NULL)");
  }
  store::CaseStore& store() { return case_.store(); }

  void write(PageCommitBatch& batch, int n) {
    batch.write_page([&] { store().db().prepare("INSERT INTO pages(n) VALUES (?1)").bind(1, n).run(); });
  }

  // A page assessed as `risk` that writes a row (n = 99), then fails.
  void write_failing(PageCommitBatch& batch, PageRisk risk) {
    EXPECT_THROW(batch.write_page([risk] { return risk; },
                                  [&] {
                                    store().db().prepare("INSERT INTO pages(n) VALUES (99)").run();
                                    throw std::runtime_error("page failed");
                                  }),
                 std::runtime_error);
  }

  // Rows visible to another connection, i.e. committed.
  std::int64_t committed() {
    store::Database other(case_.db_path(), false);
    auto count = other.prepare("SELECT count(*) FROM pages");
    count.step();
    return count.column_int64(0);
  }

  test::TempCase case_{core::Chain::Btc, "fundtrail-batch"};
};

TEST_F(PageCommitBatchTest, CommitsEveryMaxPages) {
  PageCommitBatch batch(store().db(), PageCommitLimits{3, 1h, 1h});
  write(batch, 1);
  write(batch, 2);
  EXPECT_EQ(committed(), 0);
  EXPECT_EQ(batch.pending_pages(), 2u);
  write(batch, 3);
  EXPECT_EQ(committed(), 3);
  EXPECT_EQ(batch.pending_pages(), 0u);
  write(batch, 4);
  batch.commit();
  EXPECT_EQ(committed(), 4);
}

TEST_F(PageCommitBatchTest, CommitsWhenTheBatchIsOld) {
  PageCommitBatch batch(store().db(), PageCommitLimits{1000, 0ms, 1h});
  write(batch, 1);
  EXPECT_EQ(committed(), 1);
}

TEST_F(PageCommitBatchTest, CommitsBeforeAFetchOnlyAfterASlowOne) {
  PageCommitBatch batch(store().db(), PageCommitLimits{1000, 1h, 100ms});
  write(batch, 1);
  batch.before_fetch(5ms);
  EXPECT_EQ(committed(), 0);
  batch.before_fetch(150ms);
  EXPECT_EQ(committed(), 1);
}

TEST_F(PageCommitBatchTest, AFailingPageIsUndoneAndThePagesBeforeItAreKept) {
  PageCommitBatch batch(store().db(), PageCommitLimits{1000, 1h, 1h});
  write(batch, 1);
  write(batch, 2);
  EXPECT_THROW(batch.write_page([&] {
    store().db().prepare("INSERT INTO pages(n) VALUES (99)").run();
    throw std::runtime_error("hostile page");
  }),
               std::runtime_error);
  EXPECT_EQ(committed(), 2);
  auto failed = store().db().prepare("SELECT count(*) FROM pages WHERE n = 99");
  failed.step();
  EXPECT_EQ(failed.column_int64(0), 0);
  write(batch, 3);  // the batch goes on after a failure handled by the caller
  batch.commit();
  EXPECT_EQ(committed(), 3);
}

TEST_F(PageCommitBatchTest, APageAssessedStorageOnlyRunsWithoutASavepoint) {
  PageCommitBatch batch(store().db(), PageCommitLimits{1000, 1h, 1h});
  write(batch, 1);
  EXPECT_EQ(batch.savepoints(), 1u);
  bool open_while_assessing = false;
  batch.write_page(
      [&] {
        auto pending = store().db().prepare("SELECT count(*) FROM pages");
        pending.step();
        open_while_assessing = pending.column_int64(0) == 1;
        return PageRisk::StorageOnly;
      },
      [&] { store().db().prepare("INSERT INTO pages(n) VALUES (2)").run(); });
  EXPECT_TRUE(open_while_assessing) << "the assessment sees the batch's pending pages";
  EXPECT_EQ(batch.savepoints(), 1u);
  EXPECT_EQ(batch.pending_pages(), 2u);
  batch.commit();
  EXPECT_EQ(committed(), 2);
}

TEST_F(PageCommitBatchTest, AFailingPageWithoutSavepointRollsTheWholeBatchBack) {
  PageCommitBatch batch(store().db(), PageCommitLimits{1000, 1h, 1h});
  write(batch, 1);
  write(batch, 2);
  write_failing(batch, PageRisk::StorageOnly);  // e.g. the disk is full
  EXPECT_EQ(batch.pending_pages(), 0u);
  batch.keep_completed_pages();  // what the crawler does next: nothing is left to commit
  EXPECT_EQ(committed(), 0) << "nothing half-written is committed; the pages before it are fetched again";
  write(batch, 3);
  EXPECT_EQ(batch.savepoints(), 3u);
  batch.keep_completed_pages();
  EXPECT_EQ(committed(), 1);
}

TEST_F(PageCommitBatchTest, AFailingAssessmentWritesNothingAndAPageAssessedAsDataRiskIsUndoneAlone) {
  PageCommitBatch batch(store().db(), PageCommitLimits{1000, 1h, 1h});
  EXPECT_THROW(batch.write_page([]() -> PageRisk { throw std::runtime_error("cannot assess"); },
                                [&] { store().db().prepare("INSERT INTO pages(n) VALUES (98)").run(); }),
               std::runtime_error);
  write(batch, 1);
  write_failing(batch, PageRisk::Data);
  EXPECT_EQ(committed(), 1) << "the page before the failing one is kept, the failing one and 98 are not";
}

TEST_F(PageCommitBatchTest, PendingPagesAreRolledBackWithoutACommit) {
  {
    PageCommitBatch batch(store().db(), PageCommitLimits{1000, 1h, 1h});
    write(batch, 1);
  }
  EXPECT_EQ(committed(), 0);
  PageCommitBatch batch(store().db());
  write(batch, 2);
  batch.keep_completed_pages();
  EXPECT_EQ(committed(), 1);
}

}  // namespace
}  // namespace fundtrail::ingest
