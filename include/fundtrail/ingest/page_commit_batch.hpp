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
// The savepoint is not free: SQLite copies every B-tree page a savepoint modifies (16 KiB each, ~28 % of the
// CPU of a Bitcoin crawl). A caller that has checked, before writing, that its page's writes cannot fail on
// their data (BtcWriter::check_new_page: every transaction new and valid) says so with
// PageRisk::StorageOnly and the page runs without a savepoint. If it fails anyway (an I/O error, no memory)
// the whole pending batch is rolled back: nothing half-written is ever committed, the pages before it are
// fetched again by a rerun (their cursors roll back with them), as after a crash.
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
  // max_age is the bound that matters to a user (a crash loses at most that much crawling); max_pages only
  // caps a batch while pages arrive faster than one per ms (a local node, a replay). 256 rather than 64
  // pages per commit: +10 % transactions/s in bench_ingest_store, whose 399 pages take ~200 ms.
  std::size_t max_pages = 256;
  std::chrono::milliseconds max_age{250};
  std::chrono::milliseconds slow_fetch{100};
};

// What can make a page's writes fail.
enum class PageRisk {
  Data,         // its data (conflicts with stored rows, invalid input found while writing): a savepoint per page
  StorageOnly,  // only SQLite itself (I/O, memory): no savepoint; a failure rolls the whole batch back
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

  // The same, but `assess` first says (in the open write transaction, reading only, so what it saw stays
  // true while the page is written) what can make this page fail. PageRisk::StorageOnly: the page gets no
  // savepoint, and when it throws anyway the pending pages before it are rolled back with it (logged) before
  // the exception propagates. When `assess` throws, nothing was written and the exception propagates.
  void write_page(const std::function<PageRisk()>& assess, const std::function<void()>& write_page);

  // Before a fetch: commits when the previous fetch took at least `slow_fetch`.
  void before_fetch(std::chrono::steady_clock::duration previous_fetch);

  // Commits the pending pages, if any.
  void commit();

  // For failure paths (an exception is about to propagate): commits the completed pages; a failure to do so
  // is logged, not thrown, so the original error is the one reported (the pages are then re-fetched).
  void keep_completed_pages() noexcept;

  std::size_t pending_pages() const noexcept { return pages_; }
  // Pages written in a savepoint (PageRisk::Data) since construction, for tests and benchmarks.
  std::size_t savepoints() const noexcept { return savepoints_; }

 private:
  void undo_failed_page() noexcept;
  void drop_batch() noexcept;
  void open();
  void write_in_savepoint(const std::function<void()>& write_page);
  void page_done();

  store::Database& db_;
  PageCommitLimits limits_;
  std::optional<store::Transaction> transaction_;
  std::chrono::steady_clock::time_point opened_;
  std::size_t pages_ = 0;
  std::size_t savepoints_ = 0;
  std::optional<store::Statement> savepoint_;  // prepared once: "SAVEPOINT page" is run for most pages
  std::optional<store::Statement> release_;
};

}  // namespace fundtrail::ingest
