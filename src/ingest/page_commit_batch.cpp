#include "fundtrail/ingest/page_commit_batch.hpp"

#include <spdlog/spdlog.h>

#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {

PageCommitBatch::PageCommitBatch(store::Database& db, PageCommitLimits limits) : db_(db), limits_(limits) {}

PageCommitBatch::~PageCommitBatch() = default;

void PageCommitBatch::write_page(const std::function<void()>& write_page) {
  open();
  write_in_savepoint(write_page);
  page_done();
}

void PageCommitBatch::write_page(const std::function<PageRisk()>& assess, const std::function<void()>& write_page) {
  open();
  if (assess() == PageRisk::Data) {
    write_in_savepoint(write_page);
  } else {
    try {
      write_page();
    } catch (...) {
      drop_batch();
      throw;
    }
  }
  page_done();
}

void PageCommitBatch::open() {
  if (transaction_) return;
  transaction_.emplace(db_);
  opened_ = std::chrono::steady_clock::now();
}

void PageCommitBatch::write_in_savepoint(const std::function<void()>& write_page) {
  if (!savepoint_) {
    savepoint_.emplace(db_, "SAVEPOINT page");
    release_.emplace(db_, "RELEASE page");
  }
  savepoint_->run();
  ++savepoints_;
  try {
    write_page();
  } catch (...) {
    undo_failed_page();
    throw;
  }
  release_->run();
}

void PageCommitBatch::page_done() {
  ++pages_;
  if (pages_ >= limits_.max_pages || std::chrono::steady_clock::now() - opened_ >= limits_.max_age) commit();
}

void PageCommitBatch::drop_batch() noexcept {
  spdlog::error("a page written without a savepoint failed: it and the {} pages before it in the batch are rolled "
                "back (a rerun fetches them again)", pages_);
  transaction_.reset();  // store::Transaction rolls back
  pages_ = 0;
}

void PageCommitBatch::undo_failed_page() noexcept {
  try {
    db_.exec("ROLLBACK TO page");
    db_.exec("RELEASE page");
  } catch (const Error& error) {
    spdlog::error("cannot undo the failed page, so the {} pages before it are dropped too (a rerun fetches them "
                  "again): {}", pages_, error.what());
    transaction_.reset();
    pages_ = 0;
    return;
  }
  keep_completed_pages();
}

void PageCommitBatch::before_fetch(std::chrono::steady_clock::duration previous_fetch) {
  if (previous_fetch >= limits_.slow_fetch) commit();
}

void PageCommitBatch::commit() {
  if (!transaction_) return;
  transaction_->commit();
  transaction_.reset();
  pages_ = 0;
}

void PageCommitBatch::keep_completed_pages() noexcept {
  try {
    commit();
  } catch (const Error& error) {
    spdlog::error("cannot commit the {} pages fetched before the failure (a rerun fetches them again): {}", pages_,
                  error.what());
    transaction_.reset();
    pages_ = 0;
  }
}

}  // namespace fundtrail::ingest
