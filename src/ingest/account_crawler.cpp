#include "fundtrail/ingest/account_crawler.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/http_evidence.hpp"
#include "fundtrail/store/account_writer.hpp"
#include "fundtrail/store/crawl_state.hpp"
#include "fundtrail/store/sqlite.hpp"

#include "crawl_expansion.hpp"

namespace fundtrail::ingest {
namespace {

std::string bound(std::optional<std::int64_t> value) { return value ? std::to_string(*value) : std::string(); }

// Mints come from and burns go to the zero address: it is nobody's wallet (and its history is every mint
// of every token), so it is never followed.
bool is_null_address(core::Chain chain, const std::string& address) {
  static const std::string tron_null = core::tron_hex_to_base58("410000000000000000000000000000000000000000");
  return chain == core::Chain::Eth ? address == "0x0000000000000000000000000000000000000000" : address == tron_null;
}

}  // namespace

std::string account_crawl_scope(const AccountSource& source, const AccountWindow& window) {
  std::string scope = source.provider() + ":" + std::to_string(source.network());
  if (window.from_block || window.to_block)
    scope += ":blocks=" + bound(window.from_block) + ".." + bound(window.to_block);
  if (window.since != core::kMinTime || window.until != core::kMaxTime) {
    scope += ":time=" + std::to_string(window.since) + ".." + std::to_string(window.until);
  }
  return scope;
}

AccountCrawler::AccountCrawler(store::CaseStore& store, PoliteClient& client, AccountSource& source,
                               CrawlOptions options, std::string scope)
    : store_(store), client_(client), source_(source), options_(options), scope_(std::move(scope)) {
  if (options_.hops == 0) throw Error(ErrorKind::Usage, "--hops must be at least 1");
}

bool AccountCrawler::in_window(const AccountTransaction& tx) const {
  return tx.timestamp >= options_.since && tx.timestamp <= options_.until;
}

CounterpartiesOf AccountCrawler::counterparties() {
  const bool outgoing = options_.direction != CrawlDirection::In;
  const bool incoming = options_.direction != CrawlDirection::Out;
  return [this, outgoing, incoming](const std::string& address) {
    return store::CrawlState(store_, scope_).links(source_.chain(), address, outgoing, incoming);
  };
}

void AccountCrawler::expand(const std::string& address, int hop) {
  store::CrawlState state(store_, scope_);
  expand_wallet(state, source_.chain(), address, hop, options_.hops, counterparties());
}

void AccountCrawler::expand_completed() {
  store::CrawlState state(store_, scope_);
  expand_completed_wallets(store_, state, source_.chain(), options_.hops, counterparties());
}

CrawlSummary AccountCrawler::run(const std::vector<std::string>& seeds,
                                 const std::function<void(const CrawlProgress&)>& on_progress) {
  const auto start = std::chrono::steady_clock::now();
  summary_ = CrawlSummary{};
  const std::int64_t transfers_before = store_.transfer_count();
  const int hop_limit = static_cast<int>(options_.hops);
  const core::Chain chain = source_.chain();
  store::CrawlState state(store_, scope_);
  {
    store::Transaction transaction(store_.db());
    for (const std::string& seed : seeds) state.enqueue(chain, seed, 0);
    transaction.commit();
  }
  expand_completed();

  store::AccountWriter writer(store_, chain, source_.network());
  while (summary_.addresses < options_.max_addresses && !client_.stop_requested()) {
    const std::vector<store::CrawlEntry> batch = state.queued(chain, hop_limit, 1);
    if (batch.empty()) break;
    const store::CrawlEntry& entry = batch.front();
    AccountPage page = source_.fetch_page(entry.address, entry.cursor);

    store::Transaction transaction(store_.db());
    std::vector<std::int64_t> sources;
    for (const FetchedResponse& fetched : page.responses) {
      sources.push_back(writer.transfers().add_source(
          http_evidence(source_.provider(), fetched.locator, fetched.response, options_.keep_raw)));
    }
    for (const AccountTransaction& tx : page.transactions) {
      if (!in_window(tx)) continue;
      const store::AccountWriteResult written = writer.write(tx, sources);
      if (written.new_transaction) ++summary_.transactions;
      if (tx.failed) continue;
      for (const AccountTransfer& transfer : tx.transfers) {
        // Zero-value transfers (address poisoning), self-transfers and the zero address are not followed.
        if (transfer.amount.is_zero() || transfer.from == transfer.to) continue;
        const std::string& other = transfer.from == entry.address ? transfer.to : transfer.from;
        if (is_null_address(chain, other)) continue;
        if (transfer.from == entry.address) state.add_link(chain, entry.address, transfer.to, true, false);
        if (transfer.to == entry.address) state.add_link(chain, entry.address, transfer.from, false, true);
      }
    }
    state.save_page(chain, entry.address, page.next_cursor, static_cast<std::int64_t>(page.transactions.size()));
    const std::int64_t seen = entry.txs_seen + static_cast<std::int64_t>(page.transactions.size());
    if (page.next_cursor && seen > options_.max_txs_per_address) {
      state.mark_hub(chain, entry.address, seen);
      summary_.hubs.push_back(entry.address);
      ++summary_.addresses;
      spdlog::info("{}: more than {} transactions: a hub, not expanded", entry.address, options_.max_txs_per_address);
    } else if (!page.next_cursor) {
      expand(entry.address, entry.hop);
      ++summary_.addresses;
    }
    store_.bump_data_version();
    transaction.commit();
    if (on_progress) {
      const ClientStats stats = client_.stats();
      on_progress(CrawlProgress{summary_.addresses, static_cast<std::size_t>(state.count_queued(chain, hop_limit)),
                                stats.requests, stats.retries});
    }
  }
  if (client_.stop_requested()) throw Error(ErrorKind::IoError, "interrupted");
  const ClientStats stats = client_.stats();
  summary_.requests = stats.requests;
  summary_.retries = stats.retries;
  summary_.still_queued = static_cast<std::size_t>(state.count_queued(chain, hop_limit));
  summary_.transfers = store_.transfer_count() - transfers_before;
  summary_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary_;
}

}  // namespace fundtrail::ingest
