#include "fundtrail/ingest/btc_crawler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/esplora_json.hpp"
#include "fundtrail/ingest/http_evidence.hpp"
#include "fundtrail/ingest/page_commit_batch.hpp"
#include "fundtrail/store/btc_writer.hpp"
#include "fundtrail/store/crawl_state.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "fundtrail/store/transfer_writer.hpp"

#include "crawl_expansion.hpp"

namespace fundtrail::ingest {
namespace {

constexpr std::size_t kUnconfirmedRefreshLimit = 500;

core::UnixSeconds now_utc() { return utc_now(); }

store::SourceInfo evidence_of(const HttpRequest& request, const HttpResponse& response, bool keep_raw) {
  return http_evidence("esplora", request, response, keep_raw);
}

bool in_window(const core::BtcTransaction& tx, const CrawlOptions& options) {
  if (!tx.confirmed || !tx.block_time) return options.until == core::kMaxTime;  // unconfirmed = "now"
  return *tx.block_time >= options.since && *tx.block_time <= options.until;
}

}  // namespace

BtcCrawler::BtcCrawler(store::CaseStore& store, PoliteClient& client, EsploraSource source, CrawlOptions options)
    : store_(store), client_(client), source_(std::move(source)), options_(options) {
  if (options_.hops == 0) throw Error(ErrorKind::Usage, "--hops must be at least 1");
  options_.parallel_addresses = std::max<std::size_t>(1, options_.parallel_addresses);
}

CounterpartiesOf BtcCrawler::counterparties() {
  const bool outgoing = options_.direction != CrawlDirection::In;
  const bool incoming = options_.direction != CrawlDirection::Out;
  return [this, outgoing, incoming](const std::string& address) {
    return store::CrawlState(store_).btc_counterparties(address, outgoing, incoming, options_.since, options_.until);
  };
}

void BtcCrawler::expand(const std::string& address, int hop) {
  store::CrawlState state(store_);
  expand_wallet(state, core::Chain::Btc, address, hop, options_.hops, counterparties());
}

void BtcCrawler::expand_completed() {
  store::CrawlState state(store_);
  expand_completed_wallets(store_, state, core::Chain::Btc, options_.hops, counterparties());
}

void BtcCrawler::refresh_unconfirmed() {
  store::CrawlState state(store_);
  const std::vector<std::string> txids = state.unconfirmed_btc_txids(kUnconfirmedRefreshLimit);
  if (txids.empty()) return;
  std::vector<HttpRequest> requests;
  for (const auto& txid : txids) requests.push_back(source_.transaction_request(txid));
  const std::vector<HttpResponse> responses = client_.fetch_all(requests);
  store::Transaction transaction(store_.db());
  store::BtcWriter writer(store_);
  bool changed = false;
  for (std::size_t i = 0; i < txids.size(); ++i) {
    // 404: dropped from the mempool (replaced or expired); the stored unconfirmed view stays as evidence.
    if (responses[i].status == 404) continue;
    const std::string context = redact_url(requests[i].url);
    if (responses[i].status != 200) {
      throw invalid_argument(context + ": HTTP status " + std::to_string(responses[i].status));
    }
    core::BtcTransaction tx = parse_esplora_tx_body(responses[i].body, context, txids[i]);
    if (!tx.confirmed) continue;
    const auto source_id = writer.transfers().add_source(evidence_of(requests[i], responses[i], options_.keep_raw));
    if (writer.write(tx, source_id, now_utc()) == store::WriteOutcome::Inserted) {
      ++summary_.transactions;
      changed = true;
    }
  }
  if (changed) store_.bump_data_version();
  transaction.commit();
}

CrawlSummary BtcCrawler::run(const std::vector<std::string>& seeds,
                             const std::function<void(const CrawlProgress&)>& on_progress) {
  const auto start = std::chrono::steady_clock::now();
  summary_ = CrawlSummary{};
  const std::int64_t transfers_before = store_.transfer_count();
  const int hop_limit = static_cast<int>(options_.hops);
  store::CrawlState state(store_);
  {
    store::Transaction transaction(store_.db());
    for (const std::string& seed : seeds) state.enqueue(core::Chain::Btc, seed, 0);
    transaction.commit();
  }
  expand_completed();
  refresh_unconfirmed();

  // As in an import: the writers store only ids they have just read or inserted in the same transaction,
  // so the per-row parent look-ups of foreign keys protect nothing here and cost ~12% of the page work.
  // The crawl CLI tests run PRAGMA foreign_key_check on every store they crawl into.
  store::ForeignKeysSuspended foreign_keys(store_);
  store::BtcWriter writer(store_);
  PageCommitBatch batch(store_.db());
  std::chrono::steady_clock::duration previous_fetch{};
  // A failure anywhere (network, a hostile page, Ctrl-C) keeps the pages completed before it.
  try {
    while (summary_.addresses < options_.max_addresses && !client_.stop_requested()) {
      const std::size_t room = std::min(options_.parallel_addresses, options_.max_addresses - summary_.addresses);
      const std::vector<store::CrawlEntry> batch_entries = state.queued(core::Chain::Btc, hop_limit, room);
      if (batch_entries.empty()) break;

      // A wallet's first request asks for its size, so exchange hot wallets are never paged.
      std::vector<HttpRequest> requests;
      std::vector<bool> is_summary;
      for (const store::CrawlEntry& entry : batch_entries) {
        const bool ask_size = !entry.tx_count && entry.pages == 0;
        requests.push_back(ask_size ? source_.address_summary_request(entry.address)
                                    : source_.history_page_request(entry.address, entry.cursor));
        is_summary.push_back(ask_size);
      }
      batch.before_fetch(previous_fetch);
      const auto fetch_start = std::chrono::steady_clock::now();
      const std::vector<HttpResponse> responses = client_.fetch_all(requests);
      previous_fetch = std::chrono::steady_clock::now() - fetch_start;

      for (std::size_t i = 0; i < batch_entries.size(); ++i) {
        const store::CrawlEntry& entry = batch_entries[i];
        const std::string context = redact_url(requests[i].url);
        if (is_summary[i]) {
          batch.write_page([&] {
            if (responses[i].status != 200) {
              throw invalid_argument(context + ": HTTP status " + std::to_string(responses[i].status) + ": " +
                                     printable_excerpt(responses[i].body, 200));
            }
            const std::int64_t count = EsploraSource::parse_tx_count(responses[i].body, context);
            if (count > options_.max_txs_per_address) {
              state.mark_hub(core::Chain::Btc, entry.address, count);
              summary_.hubs.push_back(entry.address);
              ++summary_.addresses;
            } else {
              state.set_tx_count(core::Chain::Btc, entry.address, count);
            }
          });
          continue;
        }
        // Parsed and checked before anything of the page is written (a hostile page throws here, writing
        // nothing): a page of new, valid transactions cannot fail on its data and needs no savepoint.
        const EsploraPage page = EsploraSource::parse_history_page(responses[i], context);
        std::optional<std::vector<std::vector<core::Transfer>>> checked;
        batch.write_page(
            [&] {
              checked = writer.check_new_page(page.transactions);
              return checked ? PageRisk::StorageOnly : PageRisk::Data;
            },
            [&] {
              const auto source_id =
                  writer.transfers().add_source(evidence_of(requests[i], responses[i], options_.keep_raw));
              const core::UnixSeconds fetched = now_utc();
              bool older_than_since = false;
              for (std::size_t k = 0; k < page.transactions.size(); ++k) {
                const core::BtcTransaction& tx = page.transactions[k];
                if (tx.confirmed && tx.block_time && *tx.block_time < options_.since) older_than_since = true;
                if (!in_window(tx, options_)) continue;
                const store::WriteOutcome outcome = checked
                                                        ? writer.write_new(tx, std::move((*checked)[k]), source_id, fetched)
                                                        : writer.write(tx, source_id, fetched);
                if (outcome == store::WriteOutcome::Inserted) ++summary_.transactions;
              }
              // Pages run newest first: once they reach before `since`, older pages cannot matter.
              std::optional<std::string> next = older_than_since ? std::nullopt : page.next_cursor;
              state.save_page(core::Chain::Btc, entry.address, next,
                              static_cast<std::int64_t>(page.transactions.size()));
              const std::int64_t seen = entry.txs_seen + static_cast<std::int64_t>(page.transactions.size());
              if (next && seen > options_.max_txs_per_address) {
                // The size check could not run (resumed crawl) or the wallet grew: stop paging it as a hub.
                state.mark_hub(core::Chain::Btc, entry.address, seen);
                summary_.hubs.push_back(entry.address);
                ++summary_.addresses;
              } else if (!next) {
                expand(entry.address, entry.hop);
                ++summary_.addresses;
              }
              store_.bump_data_version();
            });
      }
      if (on_progress) {
        const ClientStats stats = client_.stats();
        on_progress(CrawlProgress{summary_.addresses,
                                  static_cast<std::size_t>(state.count_queued(core::Chain::Btc, hop_limit)),
                                  stats.requests, stats.retries});
      }
    }
  } catch (...) {
    batch.keep_completed_pages();
    throw;
  }
  // Everything fetched is kept, also when interrupted ("the pages fetched so far are committed").
  batch.commit();
  if (client_.stop_requested()) throw Error(ErrorKind::IoError, "interrupted");  // stopped between batches
  const ClientStats stats = client_.stats();
  summary_.requests = stats.requests;
  summary_.retries = stats.retries;
  summary_.still_queued = static_cast<std::size_t>(state.count_queued(core::Chain::Btc, hop_limit));
  summary_.transfers = store_.transfer_count() - transfers_before;
  summary_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary_;
}

}  // namespace fundtrail::ingest
