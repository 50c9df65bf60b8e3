#include "fundtrail/store/account_writer.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <tuple>

#include "fundtrail/core/asset.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/core/transfer.hpp"
#include "fundtrail/store/label_index.hpp"

namespace fundtrail::store {
namespace {

constexpr std::uint32_t kKindRange = 1u << 22;

std::uint64_t main_network(core::Chain chain) { return chain == core::Chain::Eth ? 1 : 0; }

std::optional<std::string> optional_text(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return valid_utf8(*text);
}

}  // namespace

std::string evm_native_symbol(std::uint64_t network) {
  switch (network) {
    case 56:
    case 97:
      return "BNB";
    case 137:
    case 80002:
      return "POL";
    case 43114:
      return "AVAX";
    case 100:
      return "XDAI";
    case 250:
      return "FTM";
    default:
      return "ETH";
  }
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80           ? 1
                         : (byte >> 5) == 0x6  ? 2
                         : (byte >> 4) == 0xE  ? 3
                         : (byte >> 3) == 0x1E ? 4
                                               : 0;
    bool ok = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; ok && k < length; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && length > 1) {
      // Reject overlong forms, surrogates and values above U+10FFFF (nlohmann's dump() refuses them too).
      std::uint32_t code = byte & (0xFF >> (length + 1));
      for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
      const std::uint32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
      ok = code >= minimum && code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF);
    }
    if (ok) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::uint32_t account_transfer_slot(core::TransferKind kind, const std::string& identity) {
  const core::Digest32 digest = core::sha256(identity);
  std::uint32_t h = 0;
  for (int i = 0; i < 4; ++i) h = (h << 8) | digest[i];
  const auto k = static_cast<std::uint32_t>(kind);
  if (kind == core::TransferKind::Native) return 0;  // one per transaction
  return k * kKindRange + h % (kKindRange - kAccountProbeSpan);
}

AccountWriter::AccountWriter(CaseStore& store, core::Chain chain, std::uint64_t network)
    : store_(store),
      chain_(chain),
      network_(network),
      transfers_(store),
      find_tx_(store.db(), "SELECT id, timestamp, block_height FROM transactions WHERE chain = ?1 AND tx_hash = ?2"),
      insert_tx_(
          store.db(),
          "INSERT INTO transactions(chain, tx_hash, block_height, timestamp, source_id) VALUES (?1, ?2, ?3, ?4, ?5)"),
      fill_height_(store.db(), "UPDATE transactions SET block_height = ?1 WHERE id = ?2"),
      upsert_details_(
          store.db(),
          "INSERT INTO account_transactions(tx_id, network, status, sender, callee, fee, type) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (tx_id) DO UPDATE SET "
          "status = CASE WHEN excluded.status = 'failed' THEN 'failed' ELSE account_transactions.status END, "
          "sender = coalesce(account_transactions.sender, excluded.sender), "
          "callee = coalesce(account_transactions.callee, excluded.callee), "
          "fee = coalesce(account_transactions.fee, excluded.fee), "
          "type = CASE WHEN account_transactions.type = '' THEN excluded.type ELSE account_transactions.type END "
          "RETURNING status"),
      first_new_tx_id_(store.max_transaction_id() + 1) {
  if (chain != core::Chain::Eth && chain != core::Chain::Tron) {
    throw invalid_argument("AccountWriter: " + std::string(core::to_string(chain)) + " is not an account chain");
  }
}

ResolvedAsset AccountWriter::resolve(const core::AccountAsset& asset, const std::string& context) {
  const bool main = network_ == main_network(chain_);
  if (asset.contract.empty() && main) {
    const auto native = core::native_asset(chain_);
    return transfers_.resolve_asset(chain_, native->symbol, std::nullopt);
  }
  const std::string key = asset.contract.empty() ? "native:" + std::to_string(network_)
                          : main                 ? asset.contract
                                                 : std::to_string(network_) + ":" + asset.contract;
  if (auto found = assets_.find(key); found != assets_.end()) return found->second;

  auto find = store_.db().prepare("SELECT id, decimals FROM assets WHERE chain = ?1 AND asset_key = ?2");
  find.bind(1, static_cast<int>(chain_)).bind(2, key);
  ResolvedAsset resolved;
  if (find.step()) {
    resolved.id = find.column_int64(0);
    resolved.decimals = static_cast<unsigned>(find.column_int64(1));
    if (asset.decimals && *asset.decimals != resolved.decimals) {
      spdlog::warn("{}: token {} is stored with {} decimals; the provider now says {} (kept {})", context, key,
                   resolved.decimals, *asset.decimals, resolved.decimals);
    }
  } else {
    std::string symbol;
    unsigned decimals = 0;
    std::optional<std::string> name = optional_text(asset.name);
    // Well-known tokens (by contract on the main network) keep their known symbol and decimals whatever a
    // provider says: a token's own metadata is attacker-controlled.
    std::optional<core::AssetInfo> known;
    if (main) {
      for (const char* candidate : {"USDT", "USDC", "DAI", "WETH"}) {
        const auto info = core::known_asset(chain_, candidate);
        if (info && info->contract == asset.contract) known = info;
      }
    }
    if (asset.contract.empty()) {
      symbol = evm_native_symbol(network_);
      decimals = 18;
    } else if (known) {
      symbol = known->symbol;
      decimals = known->decimals;
    } else {
      if (!asset.decimals) throw invalid_argument(context + ": token " + asset.contract + " has no decimals");
      if (*asset.decimals > core::kMaxDecimals) {
        throw invalid_argument(context + ": token " + asset.contract + " declares " + std::to_string(*asset.decimals) +
                               " decimals (at most " + std::to_string(core::kMaxDecimals) + ")");
      }
      decimals = *asset.decimals;
      symbol = asset.symbol ? valid_utf8(*asset.symbol) : std::string();
      if (symbol.empty()) symbol = "?";
    }
    auto insert = store_.db().prepare(
        "INSERT INTO assets(chain, asset_key, symbol, decimals, contract, name) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.bind(1, static_cast<int>(chain_)).bind(2, key).bind(3, symbol).bind(4, decimals).bind(5, asset.contract);
    if (name) {
      insert.bind(6, *name);
    } else {
      insert.bind_null(6);
    }
    insert.run();
    resolved.id = store_.db().last_insert_rowid();
    resolved.decimals = decimals;
  }
  assets_.emplace(key, resolved);
  return resolved;
}

AccountWriter::StoredTransaction AccountWriter::upsert_transaction(const core::AccountTransaction& tx,
                                                                   std::optional<std::int64_t> source) {
  StoredTransaction stored;
  find_tx_.reset();
  find_tx_.bind(1, static_cast<int>(chain_)).bind(2, tx.hash);
  if (find_tx_.step()) {
    stored.id = find_tx_.column_int64(0);
    const core::UnixSeconds timestamp = find_tx_.column_int64(1);
    const bool height_missing = find_tx_.is_null(2);
    find_tx_.reset();
    if (timestamp != tx.timestamp) {
      throw invalid_argument("transaction " + tx.hash + " is already stored with timestamp " +
                             core::format_iso8601(timestamp) + ", not " + core::format_iso8601(tx.timestamp));
    }
    // A record without a block (TronGrid's token list) may come first: a later one fills it in.
    if (height_missing && tx.block_height) {
      fill_height_.bind(1, *tx.block_height).bind(2, stored.id).run();
      if (stored.id < first_new_tx_id_) store_.increment_meta(kLabelRewritesKey);  // a label index may hold it
    }
  } else {
    find_tx_.reset();
    insert_tx_.bind(1, static_cast<int>(chain_))
        .bind(2, tx.hash)
        .bind(3, tx.block_height)
        .bind(4, tx.timestamp)
        .bind(5, source)
        .run();
    stored.id = store_.db().last_insert_rowid();
    stored.is_new = true;
  }
  // Details merge: a failure is never overwritten; fields a provider did not give are filled in later.
  upsert_details_.bind(1, stored.id)
      .bind(2, static_cast<std::int64_t>(network_))
      .bind(3, tx.failed ? "failed" : "success");
  auto bind_text = [this](int index, const std::optional<std::string>& text) {
    if (text) {
      upsert_details_.bind(index, *text);
    } else {
      upsert_details_.bind_null(index);
    }
  };
  bind_text(4, tx.from);
  bind_text(5, tx.to);
  bind_text(6, tx.fee ? std::optional<std::string>(tx.fee->to_base_units()) : std::nullopt);
  upsert_details_.bind(7, valid_utf8(tx.type));
  if (!upsert_details_.step()) throw Error(ErrorKind::Corruption, "account transaction " + tx.hash + " not written");
  stored.failed = upsert_details_.column_text_view(0) == "failed";
  upsert_details_.reset();
  return stored;
}

AccountWriteResult AccountWriter::write(const core::AccountTransaction& tx, const std::vector<std::int64_t>& sources) {
  auto source_of = [&](std::size_t evidence) -> std::optional<std::int64_t> {
    if (evidence < sources.size()) return sources[evidence];
    return std::nullopt;
  };
  AccountWriteResult result;
  const StoredTransaction stored = upsert_transaction(tx, source_of(tx.evidence));
  result.new_transaction = stored.is_new;
  // A transaction stored as failed moves no value, whatever a later record of it lists.
  if (stored.failed) {
    if (!tx.failed && !tx.transfers.empty()) {
      spdlog::warn("transaction {} is stored as failed: {} transfers of a later record ignored", tx.hash,
                   tx.transfers.size());
    }
    return result;
  }
  std::map<std::string, int> ordinals;  // identical transfers of one transaction are told apart by order
  for (const core::AccountTransfer& transfer : tx.transfers) {
    const std::string context = "transaction " + tx.hash;
    const ResolvedAsset asset = resolve(transfer.asset, context);
    const std::string content = std::to_string(static_cast<int>(transfer.kind)) + "|" + transfer.asset.contract + "|" +
                                transfer.from + "|" + transfer.to + "|" + transfer.amount.to_base_units();
    const int ordinal = ordinals[content]++;
    if (transfer.kind == core::TransferKind::Native && ordinal > 0) {
      throw invalid_argument(context + ": more than one native transfer of the transaction itself");
    }
    core::Transfer row;
    row.chain = chain_;
    row.tx_hash = tx.hash;
    row.index = account_transfer_slot(transfer.kind, content + "|" + std::to_string(ordinal));
    row.from = transfer.from;
    row.to = transfer.to;
    row.amount = transfer.amount;
    row.block_height = tx.block_height;
    row.timestamp = tx.timestamp;
    const std::uint32_t span = transfer.kind == core::TransferKind::Native ? 1 : kAccountProbeSpan;
    if (transfers_.write(row, asset.id, source_of(transfer.evidence), span) == WriteOutcome::Inserted) {
      ++result.new_transfers;
    }
  }
  return result;
}

}  // namespace fundtrail::store
