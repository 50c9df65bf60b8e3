#include "fundtrail/store/transfer_writer.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "fundtrail/core/asset.hpp"
#include "fundtrail/core/error.hpp"
#include "address_id_cache.hpp"

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
  return statement.is_integer(column) ? std::to_string(statement.column_int64(column))
                                      : statement.column_text(column);
}

}  // namespace

ForeignKeysSuspended::ForeignKeysSuspended(CaseStore& store) : store_(store) {
  store_.db().exec("PRAGMA foreign_keys = OFF");
}

ForeignKeysSuspended::~ForeignKeysSuspended() {
  try {
    store_.db().exec("PRAGMA foreign_keys = ON");
  } catch (const Error& error) {
    spdlog::error("cannot re-enable foreign keys: {}", error.what());
  }
}

TransferWriter::TransferWriter(CaseStore& store)
    : store_(store),
      find_address_(store.db(), "SELECT id FROM addresses WHERE chain = ?1 AND address = ?2"),
      insert_address_(store.db(),
                      "INSERT INTO addresses(chain, address) VALUES (?1, ?2) ON CONFLICT (chain, address) DO NOTHING"),
      find_tx_(store.db(), "SELECT id, timestamp FROM transactions WHERE chain = ?1 AND tx_hash = ?2"),
      insert_tx_(store.db(),
                 "INSERT INTO transactions(chain, tx_hash, block_height, timestamp, source_id) "
                 "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (chain, tx_hash) DO NOTHING"),
      insert_transfer_(store.db(),
                       "INSERT INTO transfers(id, tx_id, idx, from_id, to_id, asset_id, amount, timestamp, source_id) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING"),
      find_transfer_(store.db(), "SELECT from_id, to_id, asset_id, amount FROM transfers WHERE id = ?1"),
      address_ids_(std::make_unique<AddressIdCache>(kMaxCachedAddresses)) {}

TransferWriter::~TransferWriter() = default;

std::int64_t TransferWriter::add_source(const SourceInfo& source) {
  if (source.kind == "file" && !source.sha256.empty()) {
    auto find = store_.db().prepare("SELECT id FROM sources WHERE kind = ?1 AND sha256 = ?2 ORDER BY id LIMIT 1");
    find.bind(1, source.kind).bind(2, source.sha256);
    if (find.step()) return find.column_int64(0);
  }
  auto statement = store_.db().prepare(
      "INSERT INTO sources(kind, provider, locator, fetched_at, status, byte_size, sha256, body) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  statement.bind(1, source.kind).bind(2, source.provider).bind(3, source.locator).bind(4, source.fetched_at);
  if (source.status) {
    statement.bind(5, *source.status);
  } else {
    statement.bind_null(5);
  }
  statement.bind(6, source.byte_size);
  if (source.sha256.empty()) {
    statement.bind_null(7);
  } else {
    statement.bind(7, source.sha256);
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
                             std::to_string(found->second.decimals) + " decimals, not " +
                             std::to_string(*decimals));
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
  const auto chain_code = static_cast<std::uint8_t>(chain);
  if (auto cached = address_ids_->find(chain_code, address)) return *cached;

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
  address_ids_->insert(chain_code, address, id);
  return id;
}

TransferWriter::TxState TransferWriter::intern_transaction(const core::Transfer& transfer,
                                                           std::optional<std::int64_t> source_id) {
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

WriteOutcome TransferWriter::write(const core::Transfer& transfer, std::int64_t asset_id,
                                   std::optional<std::int64_t> source_id, std::uint32_t probe_span) {
  const TxState tx = intern_transaction(transfer, source_id);
  if (tx.timestamp != transfer.timestamp) {
    throw invalid_argument("transaction " + transfer.tx_hash + " is already stored with timestamp " +
                           core::format_iso8601(tx.timestamp) + ", not " + core::format_iso8601(transfer.timestamp));
  }
  const std::int64_t from_id = intern_address(transfer.chain, transfer.from);
  const std::int64_t to_id = intern_address(transfer.chain, transfer.to);

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

void TransferWriter::remember_transaction(core::Chain chain, std::string_view tx_hash, std::int64_t id,
                                          core::UnixSeconds timestamp) {
  last_tx_chain_ = chain;
  last_tx_hash_.assign(tx_hash);
  last_tx_ = TxState{id, timestamp};
}

void TransferWriter::confirm_transaction(core::Chain chain, std::string_view tx_hash,
                                         std::optional<std::int64_t> block_height, core::UnixSeconds timestamp) {
  // Rare (once per confirmed mempool transaction): statements are prepared on demand.
  // Stored transfers change here, so the graph snapshot must be rebuilt, not just extended: count it.
  store_.db()
      .prepare("INSERT INTO meta(key, value) VALUES ('rewrites', '1') "
               "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
      .run();
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
