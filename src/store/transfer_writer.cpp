#include "fundtrail/store/transfer_writer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "fundtrail/core/asset.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/store/address_id_cache.hpp"
#include "fundtrail/store/label_index.hpp"

namespace fundtrail::store {
namespace {

// Caps the address cache so a 10-million-row import runs in bounded memory; a miss costs one indexed query.
constexpr std::size_t kMaxCachedAddresses = 2'000'000;

std::string cache_key(core::Chain chain, std::string_view text) {
  std::string key;
  key.reserve(text.size() + 1);
  key.push_back(static_cast<char>(chain));
  key.append(text);
  return key;
}

std::string upper(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) { return std::toupper(c); });
  return result;
}

void bind_amount(Statement& statement, int index, const core::Amount& amount) {
  if (amount.value() <= core::uint512(std::numeric_limits<std::int64_t>::max())) {
    statement.bind(index, static_cast<std::int64_t>(amount.value()));
  } else {
    statement.bind(index, amount.to_base_units());
  }
}

std::string stored_amount_text(const Statement& statement, int column) {
  return statement.is_integer(column) ? std::to_string(statement.column_int64(column)) : statement.column_text(column);
}

// Worker threads for SQLite's sorter besides the calling thread: one per further core, at most three.
unsigned sorter_worker_threads() { return std::clamp(std::thread::hardware_concurrency(), 2u, 4u) - 1; }

}  // namespace

ForeignKeysSuspended::ForeignKeysSuspended(CaseStore& store) : foreign_keys_(store.db(), "foreign_keys", "OFF") {}

TransferWriter::TransferWriter(CaseStore& store)
    : store_(store),
      find_address_(store.db(), "SELECT id FROM addresses WHERE chain = ?1 AND address = ?2"),
      insert_address_(store.db(),
                      "INSERT INTO addresses(chain, address) VALUES (?1, ?2) ON CONFLICT (chain, address) DO NOTHING"),
      find_tx_(store.db(), "SELECT id, timestamp FROM transactions WHERE chain = ?1 AND tx_hash = ?2"),
      insert_tx_(store.db(),
                 "INSERT INTO transactions(chain, tx_hash, block_height, timestamp, source_id) "
                 "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (chain, tx_hash) DO NOTHING"),
      insert_tx_with_id_(store.db(),
                         "INSERT INTO transactions(id, chain, tx_hash, block_height, timestamp, source_id) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (chain, tx_hash) DO NOTHING"),
      max_tx_id_(store.db(), "SELECT coalesce(max(id), 0) FROM transactions"),
      undo_transactions_from_(store.db(), "DELETE FROM transactions WHERE id >= ?1"),
      insert_transfer_(store.db(),
                       "INSERT INTO transfers(id, tx_id, idx, from_id, to_id, asset_id, amount, timestamp, source_id) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING"),
      find_transfer_(store.db(), "SELECT from_id, to_id, asset_id, amount FROM transfers WHERE id = ?1"),
      find_file_source_(store.db(), "SELECT id FROM sources WHERE kind = ?1 AND sha256 = ?2 ORDER BY id LIMIT 1"),
      insert_source_(store.db(),
                     "INSERT INTO sources(kind, provider, locator, fetched_at, status, byte_size, sha256, body) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
      address_ids_(std::make_unique<AddressIdCache>(kMaxCachedAddresses)),
      first_new_address_id_(store.max_address_id() + 1) {}

TransferWriter::~TransferWriter() = default;

std::int64_t TransferWriter::settle_file_source(std::int64_t source_id, const std::string& sha256, bool wrote_rows) {
  find_file_source_.reset();
  find_file_source_.bind(1, std::string_view("file")).bind(2, sha256);
  const std::int64_t earlier = find_file_source_.step() ? find_file_source_.column_int64(0) : 0;
  find_file_source_.reset();
  if (earlier != 0 && earlier != source_id && !wrote_rows) {
    store_.db().prepare("DELETE FROM sources WHERE id = ?1").bind(1, source_id).run();
    return earlier;
  }
  store_.db().prepare("UPDATE sources SET sha256 = ?1 WHERE id = ?2").bind(1, sha256).bind(2, source_id).run();
  return source_id;
}

std::int64_t TransferWriter::next_transaction_id() {
  max_tx_id_.reset();
  if (!max_tx_id_.step()) throw Error(ErrorKind::Corruption, "cannot read the largest transaction id");
  const std::int64_t next = max_tx_id_.column_int64(0) + 1;
  max_tx_id_.reset();
  return next;
}

std::int64_t TransferWriter::add_source(const SourceInfo& source) {
  if (source.kind == "file" && !source.sha256.empty()) {
    find_file_source_.reset();
    find_file_source_.bind(1, source.kind).bind(2, source.sha256);
    const bool found = find_file_source_.step();
    const std::int64_t id = found ? find_file_source_.column_int64(0) : 0;
    find_file_source_.reset();
    if (found) return id;
  }
  // `source` outlives the statement's run: bound without copies (the body can be megabytes).
  Statement& statement = insert_source_;
  statement.reset();  // in case a previous run failed half-way
  statement.bind_static(1, source.kind)
      .bind_static(2, source.provider)
      .bind_static(3, source.locator)
      .bind(4, source.fetched_at);
  if (source.status) {
    statement.bind(5, *source.status);
  } else {
    statement.bind_null(5);
  }
  statement.bind(6, source.byte_size);
  if (source.sha256.empty()) {
    statement.bind_null(7);
  } else {
    statement.bind_static(7, source.sha256);
  }
  if (source.body_zstd) {
    statement.bind_blob(8, *source.body_zstd);
  } else {
    statement.bind_null(8);
  }
  statement.run();
  return store_.db().last_insert_rowid();
}

ResolvedAsset TransferWriter::resolve_asset(core::Chain chain, std::string_view symbol,
                                            std::optional<unsigned> decimals) {
  const std::string symbol_upper = upper(symbol);
  const std::string key = cache_key(chain, symbol_upper);
  if (auto found = asset_ids_.find(key); found != asset_ids_.end()) {
    if (decimals && *decimals != found->second.decimals) {
      throw invalid_argument("asset " + symbol_upper + " on " + std::string(core::to_string(chain)) + " has " +
                             std::to_string(found->second.decimals) + " decimals, not " + std::to_string(*decimals));
    }
    return found->second;
  }
  if (symbol_upper.empty()) throw invalid_argument("empty asset symbol");

  core::AssetInfo info;
  const std::optional<core::AssetInfo> known = core::known_asset(chain, symbol_upper);
  if (known) {
    info = *known;
    if (decimals && *decimals != info.decimals) {
      throw invalid_argument("asset " + symbol_upper + " on " + std::string(core::to_string(chain)) + " has " +
                             std::to_string(info.decimals) + " decimals, not " + std::to_string(*decimals));
    }
  } else {
    info.chain = chain;
    info.symbol = symbol_upper;
    if (decimals && *decimals > core::kMaxDecimals) {
      throw invalid_argument("asset " + symbol_upper + ": decimals " + std::to_string(*decimals) + " exceed " +
                             std::to_string(core::kMaxDecimals));
    }
  }
  // Tokens are identified by contract, symbol-only assets (CSV imports, fiat) by their symbol.
  const std::string asset_key = info.contract.empty() ? "symbol:" + info.symbol : info.contract;

  auto find = store_.db().prepare("SELECT id, decimals FROM assets WHERE chain = ?1 AND asset_key = ?2");
  find.bind(1, static_cast<int>(chain)).bind(2, asset_key);
  ResolvedAsset resolved;
  if (find.step()) {
    resolved.id = find.column_int64(0);
    resolved.decimals = static_cast<unsigned>(find.column_int64(1));
    // An asset first seen with its decimals needs them no more; given again, they must agree.
    const std::optional<unsigned> expected = known ? std::optional<unsigned>(info.decimals) : decimals;
    if (expected && resolved.decimals != *expected) {
      throw invalid_argument("asset " + symbol_upper + " on " + std::string(core::to_string(chain)) +
                             " is stored with " + std::to_string(resolved.decimals) + " decimals, not " +
                             std::to_string(*expected));
    }
  } else {
    if (!known) {
      if (!decimals) {
        throw invalid_argument("unknown asset " + symbol_upper + " on " + std::string(core::to_string(chain)) +
                               ": give its decimals");
      }
      info.decimals = *decimals;
    }
    auto insert = store_.db().prepare(
        "INSERT INTO assets(chain, asset_key, symbol, decimals, contract) VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, static_cast<int>(chain))
        .bind(2, asset_key)
        .bind(3, info.symbol)
        .bind(4, info.decimals)
        .bind(5, info.contract)
        .run();
    resolved.id = store_.db().last_insert_rowid();
    resolved.decimals = info.decimals;
  }
  asset_ids_.emplace(key, resolved);
  return resolved;
}

std::int64_t TransferWriter::intern_address(core::Chain chain, const std::string& address) {
  return intern_address(chain, address, AddressIdCache::hash_of(static_cast<std::uint8_t>(chain), address));
}

std::vector<WalletIds> TransferWriter::intern_addresses(std::span<const core::Transfer> transfers,
                                                        std::span<const AddressHashes> hashes) {
  std::vector<AddressHashes> computed;
  if (hashes.size() != transfers.size()) {
    computed.reserve(transfers.size());
    for (const core::Transfer& transfer : transfers) {
      const auto chain = static_cast<std::uint8_t>(transfer.chain);
      computed.push_back(
          AddressHashes{AddressIdCache::hash_of(chain, transfer.from), AddressIdCache::hash_of(chain, transfer.to)});
    }
    hashes = computed;
  }
  // Each look-up misses the CPU caches twice (slot, then text) in a table of millions of wallets; fetching
  // both ahead, in two steps, lets the misses of several rows overlap.
  constexpr std::size_t kSlotsAhead = 16;
  constexpr std::size_t kTextsAhead = 8;
  std::vector<WalletIds> ids(transfers.size());
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    if (i + kSlotsAhead < transfers.size()) {
      address_ids_->prefetch_slot(hashes[i + kSlotsAhead].from);
      address_ids_->prefetch_slot(hashes[i + kSlotsAhead].to);
    }
    if (i + kTextsAhead < transfers.size()) {
      address_ids_->prefetch_text(hashes[i + kTextsAhead].from);
      address_ids_->prefetch_text(hashes[i + kTextsAhead].to);
    }
    ids[i].from = intern_address(transfers[i].chain, transfers[i].from, hashes[i].from);
    ids[i].to = intern_address(transfers[i].chain, transfers[i].to, hashes[i].to);
  }
  return ids;
}

std::int64_t TransferWriter::intern_address(core::Chain chain, const std::string& address, std::uint64_t hash) {
  if (auto cached = address_ids_->find(address, hash)) return *cached;

  // Insert first: in an import most uncached addresses are new, so this is usually the only lookup.
  std::int64_t id = 0;
  insert_address_.bind(1, static_cast<int>(chain)).bind(2, address).run();
  if (store_.db().changes() == 1) {
    id = store_.db().last_insert_rowid();
  } else {
    find_address_.reset();
    find_address_.bind(1, static_cast<int>(chain)).bind(2, address);
    if (!find_address_.step()) throw Error(ErrorKind::Corruption, "address " + address + " vanished");
    id = find_address_.column_int64(0);
    find_address_.reset();
  }
  address_ids_->insert(address, hash, id);
  return id;
}

TransferWriter::TxState TransferWriter::intern_transaction(const core::Transfer& transfer,
                                                           std::optional<std::int64_t> source_id) {
  if (insert_tx_appended_) throw std::logic_error("TransferWriter: one-by-one writes during a bulk load");
  // Rows of one transaction are usually adjacent: remember the last one.
  if (transfer.chain == last_tx_chain_ && transfer.tx_hash == last_tx_hash_ && last_tx_.id != 0) return last_tx_;

  // Insert first: for new transactions (the common case in an import) that is the only lookup.
  TxState state;
  insert_tx_.bind(1, static_cast<int>(transfer.chain))
      .bind(2, transfer.tx_hash)
      .bind(3, transfer.block_height)
      .bind(4, transfer.timestamp)
      .bind(5, source_id)
      .run();
  if (store_.db().changes() == 1) {
    state.id = store_.db().last_insert_rowid();
    state.timestamp = transfer.timestamp;
  } else {
    find_tx_.reset();
    find_tx_.bind(1, static_cast<int>(transfer.chain)).bind(2, transfer.tx_hash);
    if (!find_tx_.step()) throw Error(ErrorKind::Corruption, "transaction " + transfer.tx_hash + " vanished");
    state.id = find_tx_.column_int64(0);
    state.timestamp = find_tx_.column_int64(1);
    find_tx_.reset();
  }
  last_tx_chain_ = transfer.chain;
  last_tx_hash_ = transfer.tx_hash;
  last_tx_ = state;
  return state;
}

std::vector<InternedTransaction> TransferWriter::intern_transactions(std::span<const core::Transfer> transfers,
                                                                     std::optional<std::int64_t> source_id) {
  if (insert_tx_appended_) return intern_transactions_appended(transfers, source_id);
  std::vector<InternedTransaction> result(transfers.size());
  // Rows grouped by transaction in index order (chain, then hash); stable, so each group starts with the
  // transaction's first appearance.
  std::vector<std::uint32_t> order(transfers.size());
  std::iota(order.begin(), order.end(), 0u);
  auto tx_less = [&](std::uint32_t a, std::uint32_t b) {
    const core::Transfer& x = transfers[a];
    const core::Transfer& y = transfers[b];
    return x.chain != y.chain ? x.chain < y.chain : x.tx_hash < y.tx_hash;
  };
  std::stable_sort(order.begin(), order.end(), tx_less);
  std::vector<TxGroup> groups;  // in hash order
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && !tx_less(order[begin], order[end])) ++end;
    groups.push_back(TxGroup{begin, end});
    begin = end;
  }
  if (groups.empty()) return result;

  const std::int64_t first_new_id = next_transaction_id();

  // In an import most transactions are new: insert them all, one index descent each. The first one already
  // stored undoes this batch's inserts (all ids >= first_new_id are this batch's) and looks every hash up
  // first, because a stored transaction takes no id and so shifts the ids of the new ones after it.
  assign_new_ids(transfers, order, groups, first_new_id, result);
  for (const TxGroup& group : groups) {
    if (!insert_transaction(transfers[order[group.begin]], result[order[group.begin]].id, source_id)) {
      undo_transactions_from_.bind(1, first_new_id).run();
      return intern_transactions_looked_up(transfers, order, groups, first_new_id, source_id);
    }
  }
  return result;
}

// During a bulk load every transaction not seen in this batch is new (the store held none, and one that
// repeats across batches makes finish_bulk_load() fail): rows are appended in order of first appearance,
// which is the id order, so each insert lands on the table's last page.
std::vector<InternedTransaction> TransferWriter::intern_transactions_appended(std::span<const core::Transfer> transfers,
                                                                              std::optional<std::int64_t> source_id) {
  std::vector<InternedTransaction> result(transfers.size());
  std::int64_t next_id = next_transaction_id();
  struct Key {
    core::Chain chain;
    std::string_view hash;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept {
      return std::hash<std::string_view>{}(key.hash) ^ static_cast<std::size_t>(key.chain);
    }
  };
  std::unordered_map<Key, InternedTransaction, KeyHash> batch;
  batch.reserve(transfers.size());
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    const core::Transfer& transfer = transfers[i];
    // Rows of one transaction are usually adjacent.
    if (i > 0 && transfer.chain == transfers[i - 1].chain && transfer.tx_hash == transfers[i - 1].tx_hash) {
      result[i] = result[i - 1];
      continue;
    }
    const auto [slot, fresh] = batch.try_emplace(Key{transfer.chain, transfer.tx_hash});
    if (fresh) {
      slot->second = InternedTransaction{next_id++, transfer.timestamp};
      insert_transaction(transfer, slot->second.id, source_id);
    }
    result[i] = slot->second;
  }
  return result;
}

std::vector<InternedTransaction> TransferWriter::intern_transactions_looked_up(
    std::span<const core::Transfer> transfers, const std::vector<std::uint32_t>& order,
    const std::vector<TxGroup>& groups, std::int64_t first_new_id, std::optional<std::int64_t> source_id) {
  std::vector<InternedTransaction> result(transfers.size());
  std::vector<TxGroup> new_groups;
  for (const TxGroup& group : groups) {
    const core::Transfer& first = transfers[order[group.begin]];
    find_tx_.reset();
    find_tx_.bind(1, static_cast<int>(first.chain)).bind(2, first.tx_hash);
    if (find_tx_.step()) {
      const InternedTransaction stored{find_tx_.column_int64(0), find_tx_.column_int64(1)};
      for (std::size_t i = group.begin; i < group.end; ++i) result[order[i]] = stored;
    } else {
      new_groups.push_back(group);
    }
    find_tx_.reset();
  }
  assign_new_ids(transfers, order, new_groups, first_new_id, result);
  for (const TxGroup& group : new_groups) {
    if (!insert_transaction(transfers[order[group.begin]], result[order[group.begin]].id, source_id)) {
      throw Error(ErrorKind::Corruption, "transaction " + transfers[order[group.begin]].tx_hash +
                                             " appeared in the store while it was being imported");
    }
  }
  return result;
}

// Ids in order of first appearance from first_new_id on, exactly as inserting row by row would assign them.
void TransferWriter::assign_new_ids(std::span<const core::Transfer> transfers, const std::vector<std::uint32_t>& order,
                                    const std::vector<TxGroup>& new_groups, std::int64_t first_new_id,
                                    std::vector<InternedTransaction>& result) {
  std::vector<std::size_t> by_appearance(new_groups.size());
  std::iota(by_appearance.begin(), by_appearance.end(), std::size_t{0});
  std::sort(by_appearance.begin(), by_appearance.end(),
            [&](std::size_t a, std::size_t b) { return order[new_groups[a].begin] < order[new_groups[b].begin]; });
  std::int64_t next_id = first_new_id;
  for (const std::size_t g : by_appearance) {
    const InternedTransaction fresh{next_id++, transfers[order[new_groups[g].begin]].timestamp};
    for (std::size_t i = new_groups[g].begin; i < new_groups[g].end; ++i) result[order[i]] = fresh;
  }
}

bool TransferWriter::begin_bulk_load() {
  if (insert_tx_appended_) throw std::logic_error("TransferWriter::begin_bulk_load called twice");
  if (store_.holds_transactions()) return false;
  // Rebuilt at the end from its own definition, whatever the schema version made it.
  auto definition =
      store_.db().prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'transactions_by_hash'");
  if (!definition.step()) throw Error(ErrorKind::Corruption, "store has no transactions_by_hash index");
  tx_hash_index_sql_ = definition.column_text(0);
  definition.reset();
  store_.db().exec("DROP INDEX transactions_by_hash");
  insert_tx_appended_.emplace(store_.db(),
                              "INSERT INTO transactions(id, chain, tx_hash, block_height, timestamp, source_id) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  return true;
}

bool TransferWriter::finish_bulk_load() {
  if (!insert_tx_appended_) throw std::logic_error("TransferWriter::finish_bulk_load without begin_bulk_load");
  insert_tx_appended_.reset();
  // SQLite's sorter keeps up to cache_size bytes per sorted run. With the store's 1 GiB cache that is one
  // run sorted in place, cache-unfriendly and on one core; 4 MiB runs fit the CPU caches and are sorted by
  // worker threads while the main thread merges: 1.2 s -> 0.45 s for 1M hashes on 2 cores. Dirty pages the
  // smaller cache cannot hold are written out now instead of at commit.
  const PragmaOverride sorter_run_size(store_.db(), "cache_size", "-4096");
  const PragmaOverride sorter_threads(store_.db(), "threads", std::to_string(sorter_worker_threads()));
  const auto start = std::chrono::steady_clock::now();
  try {
    store_.db().exec(tx_hash_index_sql_);
    spdlog::debug("import: tx-hash index built in {:.1f} ms",
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  } catch (const Error&) {
    // Read before the overrides are undone: restoring a pragma resets the connection's error code.
    if (sqlite3_extended_errcode(store_.db().handle()) != SQLITE_CONSTRAINT_UNIQUE) throw;
    spdlog::debug("bulk load: a transaction hash repeats across batches; the index cannot be built");
    return false;
  }
  return true;
}

bool TransferWriter::insert_transaction(const core::Transfer& first, std::int64_t id,
                                        std::optional<std::int64_t> source_id) {
  Statement& insert = insert_tx_appended_ ? *insert_tx_appended_ : insert_tx_with_id_;
  insert.bind(1, id)
      .bind(2, static_cast<int>(first.chain))
      .bind(3, first.tx_hash)
      .bind(4, first.block_height)
      .bind(5, first.timestamp)
      .bind(6, source_id)
      .run();
  return store_.db().changes() == 1;
}

WriteOutcome TransferWriter::write(const core::Transfer& transfer, std::int64_t asset_id,
                                   std::optional<std::int64_t> source_id, std::uint32_t probe_span) {
  return write_interned(transfer, intern_transaction(transfer, source_id), asset_id, source_id, probe_span);
}

WriteOutcome TransferWriter::write(const core::Transfer& transfer, const InternedTransaction& tx, std::int64_t asset_id,
                                   std::optional<std::int64_t> source_id, WalletIds wallets) {
  return write_interned(transfer, tx, asset_id, source_id, 1, wallets);
}

WriteOutcome TransferWriter::write_interned(const core::Transfer& transfer, const TxState& tx, std::int64_t asset_id,
                                            std::optional<std::int64_t> source_id, std::uint32_t probe_span,
                                            WalletIds wallets) {
  if (tx.timestamp != transfer.timestamp) {
    throw invalid_argument("transaction " + transfer.tx_hash + " is already stored with timestamp " +
                           core::format_iso8601(tx.timestamp) + ", not " + core::format_iso8601(transfer.timestamp));
  }
  const std::int64_t from_id = wallets.from != 0 ? wallets.from : intern_address(transfer.chain, transfer.from);
  const std::int64_t to_id = wallets.to != 0 ? wallets.to : intern_address(transfer.chain, transfer.to);

  if (probe_span == 0 || transfer.index + static_cast<std::uint64_t>(probe_span) - 1 > kMaxTransferIndex) {
    throw invalid_argument("transfer index " + std::to_string(transfer.index) + " + " + std::to_string(probe_span) +
                           " slots of " + transfer.tx_hash + " exceed " + std::to_string(kMaxTransferIndex));
  }
  for (std::uint32_t slot = transfer.index; slot < transfer.index + probe_span; ++slot) {
    const std::int64_t transfer_id = transfer_id_of(tx.id, slot);
    insert_transfer_.bind(1, transfer_id)
        .bind(2, tx.id)
        .bind(3, static_cast<std::int64_t>(slot))
        .bind(4, from_id)
        .bind(5, to_id)
        .bind(6, asset_id);
    bind_amount(insert_transfer_, 7, transfer.amount);
    insert_transfer_.bind(8, transfer.timestamp).bind(9, source_id);
    insert_transfer_.run();
    if (store_.db().changes() == 1) return WriteOutcome::Inserted;

    // Same key already stored: a true duplicate is skipped, different content is a conflict to report
    // (or, with probe_span > 1, another transfer whose key hashed to the same slot: try the next one).
    find_transfer_.reset();
    find_transfer_.bind(1, transfer_id);
    if (!find_transfer_.step()) throw Error(ErrorKind::Corruption, "transfer vanished during import");
    const bool same = find_transfer_.column_int64(0) == from_id && find_transfer_.column_int64(1) == to_id &&
                      find_transfer_.column_int64(2) == asset_id &&
                      stored_amount_text(find_transfer_, 3) == transfer.amount.to_base_units();
    find_transfer_.reset();
    if (same) return WriteOutcome::Duplicate;
  }
  throw invalid_argument("transfer " + transfer.tx_hash + " index " + std::to_string(transfer.index) +
                         " is already stored with a different from/to/asset/amount");
}

std::size_t TransferWriter::remove_unreferenced_new_addresses(const std::vector<std::int64_t>& address_ids) {
  std::vector<std::int64_t> candidates;
  for (const std::int64_t id : address_ids) {
    if (id >= first_new_address_id_) candidates.push_back(id);
  }
  if (candidates.empty()) return 0;
  Database& db = store_.db();
  db.exec("CREATE TEMP TABLE IF NOT EXISTS unreferenced_addresses (id INTEGER PRIMARY KEY)");
  db.exec("DELETE FROM temp.unreferenced_addresses");
  Statement insert = db.prepare("INSERT OR IGNORE INTO temp.unreferenced_addresses (id) VALUES (?1)");
  for (const std::int64_t id : candidates) insert.bind(1, id).run();
  // Transfers have no index by address: a scan for each end, each row checked against the few candidates.
  db.exec(
      "DELETE FROM temp.unreferenced_addresses WHERE id IN ("
      "SELECT from_id FROM transfers WHERE from_id IN temp.unreferenced_addresses "
      "UNION SELECT to_id FROM transfers WHERE to_id IN temp.unreferenced_addresses)");
  db.exec("DELETE FROM addresses WHERE id IN temp.unreferenced_addresses");
  const auto removed = static_cast<std::size_t>(db.changes());
  db.exec("DROP TABLE temp.unreferenced_addresses");
  return removed;
}

void TransferWriter::remember_transaction(core::Chain chain, std::string_view tx_hash, std::int64_t id,
                                          core::UnixSeconds timestamp) {
  last_tx_chain_ = chain;
  last_tx_hash_.assign(tx_hash);
  last_tx_ = TxState{id, timestamp};
}

void TransferWriter::confirm_transaction(core::Chain chain, std::string_view tx_hash,
                                         std::optional<std::int64_t> block_height, core::UnixSeconds timestamp) {
  // Rare (once per confirmed mempool transaction): statements are prepared on demand.
  // Stored transfers and a transaction's label change here, so the graph snapshot and the label index must
  // be rebuilt, not just extended: count it.
  store_.increment_meta("rewrites");
  store_.increment_meta(kLabelRewritesKey);
  auto find = store_.db().prepare("SELECT id FROM transactions WHERE chain = ?1 AND tx_hash = ?2");
  find.bind(1, static_cast<int>(chain)).bind(2, tx_hash);
  if (!find.step()) {
    throw not_found(std::string(core::to_string(chain)) + " transaction " + std::string(tx_hash) + " is not stored");
  }
  const std::int64_t tx_id = find.column_int64(0);
  store_.db()
      .prepare("UPDATE transactions SET block_height = ?1, timestamp = ?2 WHERE id = ?3")
      .bind(1, block_height)
      .bind(2, timestamp)
      .bind(3, tx_id)
      .run();
  // The transaction's transfers are exactly the ids tx_id * 2^24 + 0 .. 2^24 - 1: a primary-key range.
  store_.db()
      .prepare("UPDATE transfers SET timestamp = ?1 WHERE id BETWEEN ?2 AND ?3")
      .bind(1, timestamp)
      .bind(2, transfer_id_of(tx_id, 0))
      .bind(3, transfer_id_of(tx_id, kMaxTransferIndex))
      .run();
  if (last_tx_.id == tx_id) last_tx_.timestamp = timestamp;
}

}  // namespace fundtrail::store
