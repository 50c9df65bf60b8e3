#pragma once
// Breadth-first crawl of Bitcoin address histories from Esplora into the case store.
//
// Hop 0 are the seeds; the history of every wallet at hop < `hops` is fetched page by page, and once a
// wallet's history is complete its counterparties (outputs of what it spent, inputs of what paid it, per
// `direction`) are queued at hop + 1. A wallet with more than `max_txs_per_address` transactions (an
// exchange hot wallet) is recorded as a hub: seen, never paged or expanded.
//
// Resumable and idempotent: every page is one SQLite transaction holding the page's transactions, the
// evidence record of the response (URL redacted, status, size, SHA-256, optionally the zstd body) and the
// paging cursor of the next page. A crawl interrupted anywhere and run again continues from the committed
// cursors and ends with the same data as an uninterrupted run.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/ingest/esplora_source.hpp"
#include "fundtrail/ingest/polite_client.hpp"
#include "fundtrail/store/case_store.hpp"

namespace fundtrail::ingest {

enum class CrawlDirection { Out, In, Both };

struct CrawlOptions {
  unsigned hops = 1;  // 1 = the seeds' own history
  CrawlDirection direction = CrawlDirection::Both;
  core::UnixSeconds since = core::kMinTime;  // transactions before are neither stored nor expanded
  core::UnixSeconds until = core::kMaxTime;
  std::size_t max_addresses = 1000;        // histories fetched in one run at most
  std::int64_t max_txs_per_address = 10000;  // above: a hub, not expanded
  bool keep_raw = false;                   // keep response bodies (zstd) in sources.body
  std::size_t parallel_addresses = 1;      // addresses whose next page is fetched at once (= --concurrency)
};

struct CrawlProgress {
  std::size_t addresses_done = 0;
  std::size_t addresses_queued = 0;
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
};

struct CrawlSummary {
  std::size_t addresses = 0;       // histories completed in this run
  std::uint64_t transactions = 0;  // new or updated transactions written
  std::int64_t transfers = 0;      // new transfers in the store
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
  std::vector<std::string> hubs;   // wallets seen but not expanded (too many transactions)
  std::size_t still_queued = 0;    // left for a later run (max_addresses reached)
  double seconds = 0;
};

class BtcCrawler {
 public:
  BtcCrawler(store::CaseStore& store, PoliteClient& client, EsploraSource source, CrawlOptions options);

  // Crawls from `seeds` (validated btc addresses). Throws fundtrail::Error for a response that cannot be
  // used (naming the redacted URL) or when interrupted (PoliteClient::request_stop); everything committed
  // before stays. `on_progress` is called after every batch.
  CrawlSummary run(const std::vector<std::string>& seeds, const std::function<void(const CrawlProgress&)>& on_progress);

 private:
  void expand_completed(int hop_limit);
  void expand(const std::string& address, int hop);
  void refresh_unconfirmed();

  store::CaseStore& store_;
  PoliteClient& client_;
  EsploraSource source_;
  CrawlOptions options_;
  CrawlSummary summary_;
};

}  // namespace fundtrail::ingest
