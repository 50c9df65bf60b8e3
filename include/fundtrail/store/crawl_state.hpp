#pragma once
// Persistent crawl queue (schema v4, table crawl_addresses): which wallets a crawl has reached, at which
// hop, and how far their history has been fetched. Every change is made inside the caller's transaction,
// together with the data it describes, so an interrupted crawl resumes exactly where it stopped.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"

namespace fundtrail::store {

enum class CrawlStatus { Queued, Done, Hub };

struct CrawlEntry {
  core::Chain chain{};
  std::string address;
  int hop = 0;
  CrawlStatus status = CrawlStatus::Queued;
  std::optional<std::string> cursor;  // provider paging cursor of the next page; empty = first page
  std::int64_t pages = 0;
  std::int64_t txs_seen = 0;
  std::optional<std::int64_t> tx_count;  // the provider's total, when it told us
};

class CrawlState {
 public:
  // `scope` separates crawls whose cursors and addresses mean different things: the provider, EVM network and
  // window of an account-chain crawl ("etherscan:56:..."). Bitcoin crawls use the empty scope.
  explicit CrawlState(CaseStore& store, std::string scope = {});

  // Queues `address` at `hop`, or lowers the hop of a known one (its progress is kept). Returns true when
  // the address is new or its hop went down.
  bool enqueue(core::Chain chain, std::string_view address, int hop);
  // Queued addresses with hop < `hop_limit`, lowest hop first, then in the order they were queued.
  std::vector<CrawlEntry> queued(core::Chain chain, int hop_limit, std::size_t limit);
  std::vector<CrawlEntry> all(core::Chain chain);
  std::optional<CrawlEntry> find(core::Chain chain, std::string_view address);

  // Records one fetched page: the cursor of the next page (nullopt = history complete: status done).
  void save_page(core::Chain chain, std::string_view address, const std::optional<std::string>& next_cursor,
                 std::int64_t transactions);
  // Marks a wallet with more than the allowed transactions as a hub: seen, never expanded.
  void mark_hub(core::Chain chain, std::string_view address, std::int64_t tx_count);
  void set_tx_count(core::Chain chain, std::string_view address, std::int64_t tx_count);

  std::int64_t count_queued(core::Chain chain, int hop_limit);

  // Records that `wallet` (queued or crawled in this scope) paid (`outgoing`) or was paid by (`incoming`)
  // `counterparty`; directions accumulate. Written with the page the transfer came from.
  void add_link(core::Chain chain, std::string_view wallet, std::string_view counterparty, bool outgoing,
                bool incoming);
  // Counterparties of `wallet` recorded in the given directions, sorted.
  std::vector<std::string> links(core::Chain chain, std::string_view wallet, bool outgoing, bool incoming);
  // Bitcoin transactions stored as unconfirmed (to refresh), at most `limit`.
  std::vector<std::string> unconfirmed_btc_txids(std::size_t limit);

  // Bitcoin counterparties of `address` in the stored UTXO data within [since, until] (UTC seconds):
  // outgoing = output addresses of transactions it spent from; incoming = input addresses of transactions
  // that paid it. The address itself (change) is excluded. Sorted.
  std::vector<std::string> btc_counterparties(std::string_view address, bool outgoing, bool incoming,
                                              core::UnixSeconds since, core::UnixSeconds until);

 private:
  CaseStore& store_;
  std::string scope_;
  // Prepared on first use and kept: a crawl saves a page every few milliseconds, and preparing the UPDATE
  // cost as much as the update.
  std::optional<Statement> save_page_;
};

std::string_view to_string(CrawlStatus status);

}  // namespace fundtrail::store
