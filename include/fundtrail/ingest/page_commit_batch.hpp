#pragma once
// Groups crawled pages into one SQLite transaction. Committing every page on its own made the commits the
// most expensive part of an ingest: each page's ~25 transactions insert into a dozen indexes at random
// places, so a commit writes ~370 dirty 4 KiB pages to the WAL (1.5 MB) for 37 kB of JSON. Pages written
// together share those index pages, which is where batching saves most.
//
// What stays true: a page's data, its evidence record and its crawl cursor are in the same transaction, so a
// rerun after a crash re-fetches exactly the pages whose batch was not committed. Each page runs in a
// savepoint: a page that fails is undone on its own and the pages before it are committed, as before.
//
// When a batch is committed: after `max_pages` pages or `max_age` after its first page, at the end of a
// crawl, before an interruption is reported, on any failure, and before a fetch when the previous fetch took
// longer than `slow_fetch` (a slow provider makes commits cheap by comparison, and the write lock is then
// not held while waiting on the network). So a crash loses at most max_pages pages or max_age of work.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>

#include "fundtrail/store/sqlite.hpp"

namespace fundtrail::ingest {

struct PageCommitLimits {
  std::size_t max_pages = 64;
  std::chrono::milliseconds max_age{250};
  std::chrono::milliseconds slow_fetch{100};
};

class PageCommitBatch {
 public:
  explicit PageCommitBatch(store::Database& db, PageCommitLimits limits = {});
  // Pending pages are rolled back (store::Transaction): callers commit() or keep_completed_pages() first.
  ~PageCommitBatch();
  PageCommitBatch(const PageCommitBatch&) = delete;
  PageCommitBatch& operator=(const PageCommitBatch&) = delete;

  // Runs `write_page` (the page's data, evidence and cursor) in the open batch. When it throws, its own
  // writes are undone, the completed pages before it are committed and the exception propagates. Writers
  // that cache row ids (TransferWriter's address ids) may then hold ids of undone rows: the crawler stops
  // at the first failing page, as it always did, and its writers go with it.
  void write_page(const std::function<void()>& write_page);

  // Before a fetch: commits when the previous fetch took at least `slow_fetch`.
  void before_fetch(std::chrono::steady_clock::duration previous_fetch);

  // Commits the pending pages, if any.
  void commit();

  // For failure paths (an exception is about to propagate): commits the completed pages; a failure to do so
  // is logged, not thrown, so the original error is the one reported (the pages are then re-fetched).
  void keep_completed_pages() noexcept;

  std::size_t pending_pages() const noexcept { return pages_; }

 private:
  void undo_failed_page() noexcept;

  store::Database& db_;
  PageCommitLimits limits_;
  std::optional<store::Transaction> transaction_;
  std::chrono::steady_clock::time_point opened_;
  std::size_t pages_ = 0;
};

}  // namespace fundtrail::ingest
