#include "fundtrail/store/crawl_state.hpp"

#include <algorithm>

#include "fundtrail/core/error.hpp"
#include "fundtrail/store/sqlite.hpp"

namespace fundtrail::store {
namespace {

CrawlStatus parse_status(std::string_view text) {
  if (text == "queued") return CrawlStatus::Queued;
  if (text == "done") return CrawlStatus::Done;
  if (text == "hub") return CrawlStatus::Hub;
  throw Error(ErrorKind::Corruption, "crawl_addresses has unknown status '" + std::string(text) + "'");
}

constexpr std::string_view kColumns = "chain, address, hop, status, cursor, pages, txs_seen, tx_count";

CrawlEntry read_entry(const Statement& statement) {
  CrawlEntry entry;
  entry.chain = static_cast<core::Chain>(statement.column_int64(0));
  entry.address = statement.column_text(1);
  entry.hop = static_cast<int>(statement.column_int64(2));
  entry.status = parse_status(statement.column_text_view(3));
  if (!statement.is_null(4)) entry.cursor = statement.column_text(4);
  entry.pages = statement.column_int64(5);
  entry.txs_seen = statement.column_int64(6);
  if (!statement.is_null(7)) entry.tx_count = statement.column_int64(7);
  return entry;
}

}  // namespace

std::string_view to_string(CrawlStatus status) {
  switch (status) {
    case CrawlStatus::Queued: return "queued";
    case CrawlStatus::Done: return "done";
    case CrawlStatus::Hub: return "hub";
  }
  return "queued";
}

CrawlState::CrawlState(CaseStore& store, std::string scope) : store_(store), scope_(std::move(scope)) {}

bool CrawlState::enqueue(core::Chain chain, std::string_view address, int hop) {
  auto statement = store_.db().prepare(
      "INSERT INTO crawl_addresses(chain, scope, address, hop, status) VALUES (?1, ?9, ?2, ?3, 'queued') "
      "ON CONFLICT (chain, scope, address) DO UPDATE SET hop = excluded.hop WHERE excluded.hop < crawl_addresses.hop");
  statement.bind(1, static_cast<int>(chain)).bind(2, address).bind(3, hop).bind(9, scope_).run();
  return store_.db().changes() > 0;
}

std::vector<CrawlEntry> CrawlState::queued(core::Chain chain, int hop_limit, std::size_t limit) {
  auto statement = store_.db().prepare(std::string("SELECT ") + std::string(kColumns) +
                                       " FROM crawl_addresses WHERE chain = ?1 AND scope = ?9 AND status = 'queued' AND hop < ?2"
                                       " ORDER BY hop, id LIMIT ?3");
  statement.bind(1, static_cast<int>(chain)).bind(2, hop_limit).bind(3, static_cast<std::int64_t>(limit)).bind(9, scope_);
  std::vector<CrawlEntry> entries;
  while (statement.step()) entries.push_back(read_entry(statement));
  return entries;
}

std::vector<CrawlEntry> CrawlState::all(core::Chain chain) {
  auto statement = store_.db().prepare(std::string("SELECT ") + std::string(kColumns) +
                                       " FROM crawl_addresses WHERE chain = ?1 AND scope = ?9 ORDER BY hop, address");
  statement.bind(1, static_cast<int>(chain)).bind(9, scope_);
  std::vector<CrawlEntry> entries;
  while (statement.step()) entries.push_back(read_entry(statement));
  return entries;
}

std::optional<CrawlEntry> CrawlState::find(core::Chain chain, std::string_view address) {
  auto statement = store_.db().prepare(std::string("SELECT ") + std::string(kColumns) +
                                       " FROM crawl_addresses WHERE chain = ?1 AND scope = ?9 AND address = ?2");
  statement.bind(1, static_cast<int>(chain)).bind(9, scope_).bind(2, address);
  if (!statement.step()) return std::nullopt;
  return read_entry(statement);
}

void CrawlState::save_page(core::Chain chain, std::string_view address, const std::optional<std::string>& next_cursor,
                           std::int64_t transactions) {
  if (!save_page_) {
    save_page_.emplace(store_.db(),
                       "UPDATE crawl_addresses SET cursor = ?3, status = ?4, pages = pages + 1, txs_seen = txs_seen + ?5 "
                       "WHERE chain = ?1 AND scope = ?9 AND address = ?2");
  }
  Statement& statement = *save_page_;
  statement.bind(1, static_cast<int>(chain)).bind(9, scope_).bind(2, address);
  if (next_cursor) {
    statement.bind(3, *next_cursor).bind(4, "queued");
  } else {
    statement.bind_null(3).bind(4, "done");
  }
  statement.bind(5, transactions).run();
}

void CrawlState::mark_hub(core::Chain chain, std::string_view address, std::int64_t tx_count) {
  auto statement = store_.db().prepare(
      "UPDATE crawl_addresses SET status = 'hub', tx_count = ?3 WHERE chain = ?1 AND scope = ?9 AND address = ?2");
  statement.bind(1, static_cast<int>(chain)).bind(9, scope_).bind(2, address).bind(3, tx_count).run();
}

void CrawlState::set_tx_count(core::Chain chain, std::string_view address, std::int64_t tx_count) {
  auto statement =
      store_.db().prepare("UPDATE crawl_addresses SET tx_count = ?3 WHERE chain = ?1 AND scope = ?9 AND address = ?2");
  statement.bind(1, static_cast<int>(chain)).bind(9, scope_).bind(2, address).bind(3, tx_count).run();
}

std::int64_t CrawlState::count_queued(core::Chain chain, int hop_limit) {
  auto statement = store_.db().prepare(
      "SELECT count(*) FROM crawl_addresses WHERE chain = ?1 AND scope = ?9 AND status = 'queued' AND hop < ?2");
  statement.bind(1, static_cast<int>(chain)).bind(9, scope_).bind(2, hop_limit);
  statement.step();
  return statement.column_int64(0);
}

void CrawlState::add_link(core::Chain chain, std::string_view wallet, std::string_view counterparty, bool outgoing,
                          bool incoming) {
  if (!outgoing && !incoming) return;
  auto statement = store_.db().prepare(
      "INSERT INTO crawl_links(wallet_id, counterparty, dirs) "
      "SELECT id, ?3, ?4 FROM crawl_addresses WHERE chain = ?1 AND scope = ?9 AND address = ?2 "
      "ON CONFLICT (wallet_id, counterparty) DO UPDATE SET dirs = dirs | excluded.dirs");
  statement.bind(1, static_cast<int>(chain)).bind(9, scope_).bind(2, wallet).bind(3, counterparty);
  statement.bind(4, (outgoing ? 1 : 0) | (incoming ? 2 : 0)).run();
}

std::vector<std::string> CrawlState::links(core::Chain chain, std::string_view wallet, bool outgoing, bool incoming) {
  auto statement = store_.db().prepare(
      "SELECT l.counterparty FROM crawl_links l JOIN crawl_addresses a ON a.id = l.wallet_id "
      "WHERE a.chain = ?1 AND a.scope = ?9 AND a.address = ?2 AND (l.dirs & ?3) <> 0 ORDER BY l.counterparty");
  statement.bind(1, static_cast<int>(chain)).bind(9, scope_).bind(2, wallet);
  statement.bind(3, (outgoing ? 1 : 0) | (incoming ? 2 : 0));
  std::vector<std::string> result;
  while (statement.step()) result.push_back(statement.column_text(0));
  return result;
}

std::vector<std::string> CrawlState::unconfirmed_btc_txids(std::size_t limit) {
  auto statement = store_.db().prepare(
      "SELECT t.tx_hash FROM btc_transactions b JOIN transactions t ON t.id = b.tx_id WHERE b.confirmed = 0 "
      "ORDER BY t.id LIMIT ?1");
  statement.bind(1, static_cast<std::int64_t>(limit));
  std::vector<std::string> txids;
  while (statement.step()) txids.push_back(statement.column_text(0));
  return txids;
}

std::vector<std::string> CrawlState::btc_counterparties(std::string_view address, bool outgoing, bool incoming,
                                                        core::UnixSeconds since, core::UnixSeconds until) {
  std::vector<std::string> result;
  auto collect = [&](std::string_view sql) {
    auto statement = store_.db().prepare(sql);
    statement.bind(1, address).bind(2, since).bind(3, until);
    while (statement.step()) result.push_back(statement.column_text(0));
  };
  if (outgoing) {
    collect(
        "SELECT DISTINCT o.address FROM btc_inputs i JOIN btc_outputs o ON o.tx_id = i.tx_id "
        "JOIN transactions t ON t.id = i.tx_id WHERE i.address = ?1 AND o.address IS NOT NULL "
        "AND o.address <> ?1 AND t.timestamp BETWEEN ?2 AND ?3");
  }
  if (incoming) {
    collect(
        "SELECT DISTINCT i.address FROM btc_outputs o JOIN btc_inputs i ON i.tx_id = o.tx_id "
        "JOIN transactions t ON t.id = o.tx_id WHERE o.address = ?1 AND i.address IS NOT NULL "
        "AND i.address <> ?1 AND i.coinbase = 0 AND t.timestamp BETWEEN ?2 AND ?3");
  }
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

}  // namespace fundtrail::store
