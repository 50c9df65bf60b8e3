#pragma once
// Options, progress and summary shared by the address crawlers (BtcCrawler for Esplora, AccountCrawler for
// EVM and TRON providers): breadth-first over counterparties up to `hops`, hubs not expanded.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::ingest {

enum class CrawlDirection { Out, In, Both };

// The counterparties of a wallet a crawl follows (its direction already applied); each crawler says where
// they come from.
using CounterpartiesOf = std::function<std::vector<std::string>(const std::string& address)>;

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

}  // namespace fundtrail::ingest
