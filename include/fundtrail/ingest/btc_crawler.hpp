#pragma once
// Breadth-first crawl of Bitcoin address histories from Esplora into the case store.
//
// Hop 0 are the seeds; the history of every wallet at hop < `hops` is fetched page by page, and once a
// wallet's history is complete its counterparties (outputs of what it spent, inputs of what paid it, per
// `direction`) are queued at hop + 1. A wallet with more than `max_txs_per_address` transactions (an
// exchange hot wallet) is recorded as a hub: seen, never paged or expanded.
//
// Resumable and idempotent: a page's transactions, the evidence record of the response (URL redacted,
// status, size, SHA-256, optionally the zstd body) and the paging cursor of the next page are always in the
// same SQLite transaction. Pages are committed in batches (PageCommitBatch: at most 256 pages or 250 ms of
// work, and at every failure, interruption and slow fetch), so a crawl interrupted anywhere and run again
// re-fetches exactly the uncommitted pages and ends with the same data as an uninterrupted run.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/ingest/crawl_options.hpp"
#include "fundtrail/ingest/esplora_source.hpp"
#include "fundtrail/ingest/polite_client.hpp"
#include "fundtrail/store/case_store.hpp"

namespace fundtrail::ingest {

class BtcCrawler {
 public:
  BtcCrawler(store::CaseStore& store, PoliteClient& client, EsploraSource source, CrawlOptions options);

  // Crawls from `seeds` (validated btc addresses). Throws fundtrail::Error for a response that cannot be
  // used (naming the redacted URL) or when interrupted (PoliteClient::request_stop); everything committed
  // before stays. `on_progress` is called after every batch.
  CrawlSummary run(const std::vector<std::string>& seeds, const std::function<void(const CrawlProgress&)>& on_progress);

 private:
  void expand_completed();
  CounterpartiesOf counterparties();
  void expand(const std::string& address, int hop);
  void refresh_unconfirmed();

  store::CaseStore& store_;
  PoliteClient& client_;
  EsploraSource source_;
  CrawlOptions options_;
  CrawlSummary summary_;
};

}  // namespace fundtrail::ingest
