#pragma once
// Breadth-first crawl of account-model wallets (EVM networks, TRON) through any AccountSource into the case
// store: the same contract as BtcCrawler (hops, direction, window, hubs, resumable, evidence per response).
//
// Every page is one SQLite transaction holding the page's transactions and transfers (store::AccountWriter),
// the evidence record of each HTTP response, the wallet's counterparties (crawl_links) and the provider's
// cursor of the next page, so a crawl interrupted anywhere resumes from the last committed page and ends
// with the same data. When a wallet's history is complete its counterparties are queued at hop + 1;
// a wallet whose history exceeds max_txs_per_address is marked a hub and neither paged further nor
// expanded. Zero-value transfers are stored (address poisoning is evidence) but never followed.
#include <functional>
#include <string>
#include <vector>

#include "fundtrail/ingest/account_source.hpp"
#include "fundtrail/ingest/crawl_options.hpp"
#include "fundtrail/ingest/polite_client.hpp"
#include "fundtrail/store/case_store.hpp"

namespace fundtrail::ingest {

// The crawl-state scope of a source and window: provider, network and window, so cursors are only ever
// given back to the provider (and query) that made them.
std::string account_crawl_scope(const AccountSource& source, const AccountWindow& window);

class AccountCrawler {
 public:
  // `client`: the PoliteClient `source` performs its requests with (for interruption and statistics).
  AccountCrawler(store::CaseStore& store, PoliteClient& client, AccountSource& source, CrawlOptions options,
                 std::string scope);

  // Crawls from `seeds` (normalised addresses of source.chain()). Throws fundtrail::Error for a response that
  // cannot be used (naming the redacted URL) or when interrupted; everything committed before stays.
  CrawlSummary run(const std::vector<std::string>& seeds, const std::function<void(const CrawlProgress&)>& on_progress);

 private:
  void expand(const std::string& address, int hop);
  void expand_completed();
  CounterpartiesOf counterparties();
  bool in_window(const AccountTransaction& tx) const;

  store::CaseStore& store_;
  PoliteClient& client_;
  AccountSource& source_;
  CrawlOptions options_;
  std::string scope_;
  CrawlSummary summary_;
};

}  // namespace fundtrail::ingest
