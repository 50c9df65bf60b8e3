#include "fundtrail/ingest/bitcoind_ingest.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>
#include <utility>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/bitcoind_json.hpp"
#include "fundtrail/ingest/http_evidence.hpp"
#include "fundtrail/store/btc_writer.hpp"
#include "fundtrail/store/sqlite.hpp"

namespace fundtrail::ingest {
namespace {

constexpr std::string_view kProvider = "bitcoind";
constexpr std::string_view kGetblockLocator = " getblock ";
constexpr std::int64_t kHashWindow = 1000;  // heights resolved to hashes (one batch) before their blocks
constexpr std::size_t kTxChunkPerWorker = 8;

// Hashes of the blocks stored completely by earlier runs: their getblock evidence record was committed in the
// same SQLite transaction as their transactions.
std::set<std::string> stored_blocks(store::CaseStore& store) {
  std::set<std::string> hashes;
  auto statement = store.db().prepare(
      "SELECT locator FROM sources WHERE kind = 'http' AND provider = ?1 AND locator LIKE ?2");
  statement.bind(1, kProvider).bind(2, "%" + std::string(kGetblockLocator) + "%");
  while (statement.step()) {
    const std::string_view locator = statement.column_text_view(0);
    const auto at = locator.rfind(kGetblockLocator);
    if (at == std::string_view::npos) continue;
    const std::string_view hash = locator.substr(at + kGetblockLocator.size());
    if (core::is_txid(hash)) hashes.emplace(hash);
  }
  return hashes;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::optional<std::int64_t> parse_height(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.size() > 10) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

class ProgressReporter {
 public:
  ProgressReporter(BitcoindRpc& rpc, const std::function<void(const BitcoindProgress&)>& callback)
      : rpc_(rpc), callback_(callback) {}
  void operator()(std::size_t done, std::size_t total) const {
    if (!callback_) return;
    const ClientStats stats = rpc_.client().stats();
    callback_(BitcoindProgress{done, total, stats.requests, stats.retries});
  }

 private:
  BitcoindRpc& rpc_;
  const std::function<void(const BitcoindProgress&)>& callback_;
};

void finish(BitcoindSummary& summary, BitcoindRpc& rpc, store::CaseStore& store, std::int64_t transfers_before,
            std::chrono::steady_clock::time_point start) {
  const ClientStats stats = rpc.client().stats();
  summary.requests = stats.requests;
  summary.retries = stats.retries;
  summary.transfers = store.transfer_count() - transfers_before;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void check_not_stopped(BitcoindRpc& rpc) {
  if (rpc.client().stop_requested()) throw Error(ErrorKind::IoError, "interrupted");
}

}  // namespace

BlockRange parse_block_range(std::string_view text) {
  const auto fail = [&]() -> Error {
    return Error(ErrorKind::Usage, "--blocks '" + printable_excerpt(text, 60) +
                                       "': expected FROM..TO (block heights, FROM <= TO) or a single height");
  };
  const auto dots = text.find("..");
  const auto from = parse_height(text.substr(0, dots));
  const auto to = dots == std::string_view::npos ? from : parse_height(text.substr(dots + 2));
  if (!from || !to || *from > *to) throw fail();
  return BlockRange{*from, *to};
}

BitcoindIngest::BitcoindIngest(store::CaseStore& store, BitcoindRpc& rpc, BitcoindIngestOptions options)
    : store_(store), rpc_(rpc), options_(options) {
  if (options_.hops == 0) throw Error(ErrorKind::Usage, "--hops must be at least 1");
  options_.parallel = std::max<std::size_t>(1, options_.parallel);
}

BitcoindSummary BitcoindIngest::ingest_blocks(BlockRange range,
                                              const std::function<void(const BitcoindProgress&)>& on_progress) {
  if (range.from < 0 || range.from > range.to) throw Error(ErrorKind::Usage, "--blocks: FROM must not exceed TO");
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t transfers_before = store_.transfer_count();
  const ProgressReporter progress(rpc_, on_progress);
  BitcoindSummary summary;
  std::set<std::string> done = stored_blocks(store_);
  const auto total = static_cast<std::size_t>(range.to - range.from + 1);
  std::size_t handled = 0;
  store::BtcWriter writer(store_);

  for (std::int64_t window = range.from; window <= range.to;) {
    const std::int64_t window_end = std::min(range.to, window + kHashWindow - 1);
    const std::vector<std::string> hashes = rpc_.block_hashes(window, window_end);
    std::vector<std::pair<std::int64_t, std::string>> todo;
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      if (done.contains(hashes[i])) {
        ++summary.blocks_skipped;
        ++handled;
      } else {
        todo.emplace_back(window + static_cast<std::int64_t>(i), hashes[i]);
      }
    }
    progress(handled, total);
    for (std::size_t first = 0; first < todo.size(); first += options_.parallel) {
      check_not_stopped(rpc_);
      const std::size_t last = std::min(todo.size(), first + options_.parallel);
      std::vector<RpcCall> calls;
      for (std::size_t i = first; i < last; ++i) calls.push_back({"getblock", nlohmann::json::array({todo[i].second, 3})});
      std::vector<RpcReply> replies = rpc_.call_all(calls);
      for (std::size_t i = first; i < last; ++i) {
        const auto& [height, hash] = todo[i];
        RpcReply& reply = replies[i - first];
        const std::string locator = rpc_.endpoint() + std::string(kGetblockLocator) + hash;
        const BitcoindBlock block = parse_bitcoind_block(reply.result, "bitcoind " + locator, hash, height);
        store::Transaction transaction(store_.db());
        const std::int64_t source_id =
            writer.transfers().add_source(http_evidence(kProvider, locator, reply.response, options_.keep_raw));
        const core::UnixSeconds fetched = utc_now();
        for (const core::BtcTransaction& tx : block.transactions) {
          if (writer.write(tx, source_id, fetched) == store::WriteOutcome::Inserted) ++summary.transactions;
        }
        store_.bump_data_version();
        transaction.commit();
        done.insert(hash);
        ++summary.blocks;
        ++handled;
        spdlog::debug("bitcoind: block {} ({}) stored: {} transactions", height, hash, block.transactions.size());
      }
      progress(handled, total);
    }
    if (window_end == range.to) break;
    window = window_end + 1;
  }
  finish(summary, rpc_, store_, transfers_before, start);
  return summary;
}

BitcoindSummary BitcoindIngest::ingest_transactions(const std::vector<std::string>& txids,
                                                    const std::function<void(const BitcoindProgress&)>& on_progress) {
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t transfers_before = store_.transfer_count();
  const ProgressReporter progress(rpc_, on_progress);
  BitcoindSummary summary;

  std::vector<std::string> frontier;
  std::unordered_set<std::string> seen;
  for (const std::string& given : txids) {
    std::string txid = lower(given);
    if (!core::is_txid(txid)) {
      throw invalid_argument("--tx '" + printable_excerpt(given, 80) + "': expected a txid (64 hex digits)");
    }
    if (seen.insert(txid).second) frontier.push_back(std::move(txid));
  }

  std::map<std::string, BitcoindBlockHeader> headers;  // blocks seen in this run
  store::BtcWriter writer(store_);
  std::size_t handled = 0;
  const std::size_t chunk = options_.parallel * kTxChunkPerWorker;
  for (unsigned hop = 0; hop < options_.hops && !frontier.empty(); ++hop) {
    const bool expand = hop + 1 < options_.hops;
    std::vector<core::BtcTransaction> level;  // this hop's transactions, for the next hop
    std::vector<std::string> to_fetch;
    for (const std::string& txid : frontier) {
      std::optional<core::BtcTransaction> stored = store::read_btc_transaction(store_, txid);
      if (stored && stored->confirmed) {
        ++summary.transactions_known;
        ++handled;
        if (expand) level.push_back(std::move(*stored));
      } else {
        to_fetch.push_back(txid);  // unknown, or stored unconfirmed: it may have confirmed since
      }
    }
    progress(handled, seen.size());

    for (std::size_t first = 0; first < to_fetch.size(); first += chunk) {
      check_not_stopped(rpc_);
      const std::vector<std::string> part(to_fetch.begin() + static_cast<std::ptrdiff_t>(first),
                                          to_fetch.begin() + static_cast<std::ptrdiff_t>(std::min(to_fetch.size(), first + chunk)));
      std::vector<RpcReply> replies = rpc_.getrawtransactions(part);
      std::vector<core::BtcTransaction> parsed;
      std::vector<std::string> unknown_blocks;
      for (std::size_t i = 0; i < part.size(); ++i) {
        const std::string context = "bitcoind " + rpc_.endpoint() + " getrawtransaction " + part[i];
        BitcoindTxContext tx_context;
        tx_context.expected_txid = part[i];
        core::BtcTransaction tx = parse_bitcoind_tx(replies[i].result, context, tx_context);
        if (!core::prevouts_known(tx)) {
          throw invalid_argument(context + ": inputs without prevout: getrawtransaction verbosity 2 needs Bitcoin "
                                           "Core >= 25");
        }
        if (tx.confirmed && !headers.contains(*tx.block_hash)) {
          if (std::find(unknown_blocks.begin(), unknown_blocks.end(), *tx.block_hash) == unknown_blocks.end()) {
            unknown_blocks.push_back(*tx.block_hash);
          }
        }
        parsed.push_back(std::move(tx));
      }
      // getrawtransaction tells the block hash, not its height: one getblockheader batch per chunk.
      for (auto& [hash, header] : rpc_.block_headers(unknown_blocks)) headers[hash] = std::move(header);

      for (std::size_t i = 0; i < part.size(); ++i) {
        core::BtcTransaction& tx = parsed[i];
        if (tx.confirmed) tx.block_height = headers.at(*tx.block_hash).height;
        const std::string locator = rpc_.endpoint() + " getrawtransaction " + part[i];
        store::Transaction transaction(store_.db());
        const std::int64_t source_id =
            writer.transfers().add_source(http_evidence(kProvider, locator, replies[i].response, options_.keep_raw));
        if (writer.write(tx, source_id, utc_now()) == store::WriteOutcome::Inserted) ++summary.transactions;
        store_.bump_data_version();
        transaction.commit();
        ++summary.transactions_fetched;
        ++handled;
        if (expand) level.push_back(std::move(tx));
      }
      progress(handled, seen.size());
    }

    std::vector<std::string> next;
    for (const core::BtcTransaction& tx : level) {
      for (const core::BtcInput& input : tx.inputs) {
        if (input.coinbase) continue;
        if (seen.insert(input.prev_txid).second) next.push_back(input.prev_txid);
      }
    }
    frontier = std::move(next);
  }
  finish(summary, rpc_, store_, transfers_before, start);
  return summary;
}

}  // namespace fundtrail::ingest
