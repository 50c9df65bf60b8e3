#include "fundtrail/store/btc_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fundtrail/core/btc_transfers.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/error.hpp"

namespace fundtrail::store {
namespace {

constexpr int kBtc = static_cast<int>(core::Chain::Btc);

std::string lower(std::string_view text) {
  std::string result(text);
  for (char& c : result) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return result;
}

// The transaction's strings outlive every statement run here, so they are bound without copies.
void bind_optional_text(Statement& statement, int index, const std::optional<std::string>& value) {
  if (value) {
    statement.bind_static(index, *value);
  } else {
    statement.bind_null(index);
  }
}

std::optional<std::string> optional_text(const Statement& statement, int column) {
  if (statement.is_null(column)) return std::nullopt;
  return statement.column_text(column);
}

}  // namespace

BtcWriter::BtcWriter(CaseStore& store)
    : store_(store),
      transfers_(store),
      find_state_(store.db(),
                  "SELECT t.id, t.block_height, t.timestamp, b.tx_id IS NOT NULL, b.confirmed, b.block_hash "
                  "FROM transactions t LEFT JOIN btc_transactions b ON b.tx_id = t.id "
                  "WHERE t.chain = ?1 AND t.tx_hash = ?2"),
      is_stored_(store.db(), "SELECT 1 FROM transactions WHERE chain = ?1 AND tx_hash = ?2"),
      insert_tx_(store.db(),
                 "INSERT INTO transactions(chain, tx_hash, block_height, timestamp, source_id) "
                 "VALUES (?1, ?2, ?3, ?4, ?5)"),
      insert_btc_tx_(store.db(),
                     "INSERT INTO btc_transactions(tx_id, block_hash, confirmed, version, locktime, size, weight, fee) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (tx_id) DO NOTHING"),
      confirm_btc_tx_(store.db(), "UPDATE btc_transactions SET confirmed = 1, block_hash = ?2 WHERE tx_id = ?1"),
      insert_input_(store.db(),
                    "INSERT INTO btc_inputs(tx_id, n, prev_txid, prev_vout, coinbase, address, script_type, value, "
                    "sequence, script_hex) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                    "ON CONFLICT (tx_id, n) DO NOTHING"),
      insert_output_(store.db(),
                     "INSERT INTO btc_outputs(tx_id, n, address, script_type, value, script_hex) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (tx_id, n) DO NOTHING"),
      mark_spent_(store.db(),
                  "UPDATE btc_outputs SET spent_by = ?3 "
                  "WHERE tx_id = (SELECT id FROM transactions WHERE chain = 1 AND tx_hash = ?1) AND n = ?2 "
                  "AND (spent_by IS NULL OR ?4 = 1)"),
      // Spenders already stored for the outputs of a transaction written now; per output the first row
      // wins: confirmed spenders before unconfirmed ones, then the earliest stored.
      find_spenders_(store.db(),
                     "SELECT i.prev_vout, t.tx_hash, i.n FROM btc_inputs i "
                     "JOIN transactions t ON t.id = i.tx_id JOIN btc_transactions b ON b.tx_id = i.tx_id "
                     "WHERE i.prev_txid = ?1 ORDER BY i.prev_vout, b.confirmed DESC, i.tx_id"),
      set_spent_by_(store.db(), "UPDATE btc_outputs SET spent_by = ?3 WHERE tx_id = ?1 AND n = ?2") {}

std::optional<std::vector<std::vector<core::Transfer>>> BtcWriter::check_new_page(
    std::span<const core::BtcTransaction> txs) {
  if (!btc_) return std::nullopt;  // resolving the asset may write its row, and it can disagree with a stored one
  std::vector<std::string_view> txids;
  txids.reserve(txs.size());
  for (const core::BtcTransaction& tx : txs) txids.push_back(tx.txid);
  std::sort(txids.begin(), txids.end());
  if (std::adjacent_find(txids.begin(), txids.end()) != txids.end()) return std::nullopt;
  std::vector<std::vector<core::Transfer>> derived;
  derived.reserve(txs.size());
  for (const core::BtcTransaction& tx : txs) {
    is_stored_.reset();
    is_stored_.bind(1, kBtc).bind_static(2, tx.txid);
    const bool stored = is_stored_.step();
    is_stored_.reset();
    if (stored) return std::nullopt;
    try {
      // For a new transaction this is all that can fail on its data: its transactions row, transfers
      // (indexes 0.. of a fresh id) and UTXO rows cannot meet a stored row. Timestamps are set by write_new.
      derived.push_back(core::derive_btc_transfers(tx, 0));
    } catch (const Error&) {
      return std::nullopt;
    }
  }
  return derived;
}

WriteOutcome BtcWriter::write_new(const core::BtcTransaction& tx, std::vector<core::Transfer> transfers,
                                  std::optional<std::int64_t> source_id, core::UnixSeconds first_seen) {
  const core::UnixSeconds timestamp = tx.confirmed && tx.block_time ? *tx.block_time : first_seen;
  for (core::Transfer& transfer : transfers) transfer.timestamp = timestamp;
  return write_rows(tx, std::nullopt, transfers, timestamp, false, source_id);
}

WriteOutcome BtcWriter::write(const core::BtcTransaction& tx, std::optional<std::int64_t> source_id,
                              core::UnixSeconds first_seen) {
  std::optional<StoredState> stored;
  find_state_.reset();
  find_state_.bind(1, kBtc).bind_static(2, tx.txid);
  if (find_state_.step()) {
    StoredState state;
    state.id = find_state_.column_int64(0);
    if (!find_state_.is_null(1)) state.block_height = find_state_.column_int64(1);
    state.timestamp = find_state_.column_int64(2);
    state.has_btc_row = find_state_.column_int64(3) != 0;
    state.confirmed = state.has_btc_row && find_state_.column_int64(4) != 0;
    state.block_hash = optional_text(find_state_, 5);
    stored = std::move(state);
  }
  find_state_.reset();

  // Which timestamp the transaction has in the store after this write.
  core::UnixSeconds timestamp = tx.confirmed && tx.block_time ? *tx.block_time : first_seen;
  bool move_to_block = false;
  if (stored && stored->has_btc_row) {
    if (!tx.confirmed) {
      timestamp = stored->timestamp;  // its block time, or the first time it was seen
    } else if (!stored->confirmed || stored->block_hash != tx.block_hash) {
      if (stored->confirmed) {
        spdlog::warn("btc transaction {} moved from block {} to block {} (chain reorganisation)", tx.txid,
                     stored->block_hash.value_or("?"), tx.block_hash.value_or("?"));
      }
      move_to_block = true;
    } else if (!stored->block_height && tx.block_height) {
      move_to_block = true;  // same block, now with its height (Core's getrawtransaction has none)
    }
  }

  // Validates the transaction (and its prevouts) before anything is written.
  const std::vector<core::Transfer> derived = core::derive_btc_transfers(tx, timestamp);
  return write_rows(tx, stored, derived, timestamp, move_to_block, source_id);
}

WriteOutcome BtcWriter::write_rows(const core::BtcTransaction& tx, const std::optional<StoredState>& stored,
                                   const std::vector<core::Transfer>& derived, core::UnixSeconds timestamp,
                                   bool move_to_block, std::optional<std::int64_t> source_id) {
  if (move_to_block) transfers_.confirm_transaction(core::Chain::Btc, tx.txid, tx.block_height, timestamp);

  bool changed = move_to_block;
  std::int64_t tx_id = 0;
  if (stored) {
    tx_id = stored->id;
  } else {
    // Written here rather than by the first transfer: a transaction may derive no transfer at all (only
    // OP_RETURN outputs), and its UTXO rows still need their key. TransferWriter finds this row by hash.
    insert_tx_.bind(1, kBtc).bind_static(2, tx.txid).bind(3, tx.block_height).bind(4, timestamp).bind(5, source_id).run();
    tx_id = store_.db().last_insert_rowid();
    changed = true;
  }

  // The row as it is now stored, so TransferWriter need not look it up again for every transaction.
  const core::UnixSeconds row_timestamp = (!stored || move_to_block) ? timestamp : stored->timestamp;
  transfers_.remember_transaction(core::Chain::Btc, tx.txid, tx_id, row_timestamp);
  if (!btc_) btc_ = transfers_.resolve_asset(core::Chain::Btc, "BTC", 8);
  for (const core::Transfer& transfer : derived) {
    if (transfers_.write(transfer, btc_->id, source_id) == WriteOutcome::Inserted) changed = true;
  }

  insert_btc_tx_.bind(1, tx_id);
  bind_optional_text(insert_btc_tx_, 2, tx.block_hash);
  insert_btc_tx_.bind(3, tx.confirmed ? 1 : 0)
      .bind(4, static_cast<std::int64_t>(tx.version))
      .bind(5, static_cast<std::int64_t>(tx.locktime))
      .bind(6, static_cast<std::int64_t>(tx.size))
      .bind(7, static_cast<std::int64_t>(tx.weight))
      .bind(8, static_cast<std::int64_t>(tx.fee))
      .run();
  const bool new_btc_row = store_.db().changes() == 1;
  if (!new_btc_row && move_to_block) {
    confirm_btc_tx_.bind(1, tx_id).bind(2, *tx.block_hash).run();
  }

  if (new_btc_row) {
    changed = true;
    for (std::size_t n = 0; n < tx.inputs.size(); ++n) {
      const core::BtcInput& input = tx.inputs[n];
      insert_input_.bind(1, tx_id)
          .bind(2, static_cast<std::int64_t>(n))
          .bind_static(3, input.prev_txid)
          .bind(4, static_cast<std::int64_t>(input.prev_vout))
          .bind(5, input.coinbase ? 1 : 0);
      bind_optional_text(insert_input_, 6, input.address);
      insert_input_.bind_static(7, input.script_type)
          .bind(8, static_cast<std::int64_t>(input.value))
          .bind(9, static_cast<std::int64_t>(input.sequence))
          .bind_static(10, input.script_hex)
          .run();
    }
    for (const core::BtcOutput& output : tx.outputs) {
      insert_output_.bind(1, tx_id).bind(2, static_cast<std::int64_t>(output.n));
      bind_optional_text(insert_output_, 3, output.address);
      insert_output_.bind_static(4, output.script_type)
          .bind(5, static_cast<std::int64_t>(output.value))
          .bind_static(6, output.script_hex)
          .run();
    }
    // Spenders stored before this transaction.
    find_spenders_.reset();
    find_spenders_.bind_static(1, tx.txid);
    std::vector<std::pair<std::int64_t, std::string>> spent;
    std::optional<std::int64_t> previous_vout;
    while (find_spenders_.step()) {
      const std::int64_t vout = find_spenders_.column_int64(0);
      if (previous_vout == vout) continue;
      previous_vout = vout;
      spent.emplace_back(vout, find_spenders_.column_text(1) + ":" + std::to_string(find_spenders_.column_int64(2)));
    }
    find_spenders_.reset();
    for (const auto& [vout, spender] : spent) set_spent_by_.bind(1, tx_id).bind(2, vout).bind(3, spender).run();
  }
  if (new_btc_row || move_to_block) link_spent_outputs(tx);
  return changed ? WriteOutcome::Inserted : WriteOutcome::Duplicate;
}

void BtcWriter::link_spent_outputs(const core::BtcTransaction& tx) {
  for (std::size_t n = 0; n < tx.inputs.size(); ++n) {
    const core::BtcInput& input = tx.inputs[n];
    if (input.coinbase) continue;
    mark_spent_.bind_static(1, input.prev_txid)
        .bind(2, static_cast<std::int64_t>(input.prev_vout))
        .bind(3, tx.txid + ":" + std::to_string(n))
        .bind(4, tx.confirmed ? 1 : 0)
        .run();
  }
}

std::optional<core::BtcTransaction> read_btc_transaction(CaseStore& store, std::string_view txid) {
  auto head = store.db().prepare(
      "SELECT t.id, t.tx_hash, t.block_height, t.timestamp, b.block_hash, b.confirmed, b.version, b.locktime, "
      "b.size, b.weight, b.fee FROM transactions t JOIN btc_transactions b ON b.tx_id = t.id "
      "WHERE t.chain = ?1 AND t.tx_hash = ?2");
  head.bind(1, kBtc).bind(2, lower(txid));
  if (!head.step()) return std::nullopt;
  core::BtcTransaction tx;
  const std::int64_t tx_id = head.column_int64(0);
  tx.txid = head.column_text(1);
  tx.confirmed = head.column_int64(5) != 0;
  if (tx.confirmed) {
    if (!head.is_null(2)) tx.block_height = head.column_int64(2);
    tx.block_time = head.column_int64(3);
    tx.block_hash = optional_text(head, 4);
  }
  tx.version = static_cast<std::int32_t>(head.column_int64(6));
  tx.locktime = static_cast<std::uint32_t>(head.column_int64(7));
  tx.size = static_cast<std::uint32_t>(head.column_int64(8));
  tx.weight = static_cast<std::uint32_t>(head.column_int64(9));
  tx.fee = static_cast<std::uint64_t>(head.column_int64(10));

  auto inputs = store.db().prepare(
      "SELECT prev_txid, prev_vout, coinbase, address, script_type, value, sequence, script_hex "
      "FROM btc_inputs WHERE tx_id = ?1 ORDER BY n");
  inputs.bind(1, tx_id);
  while (inputs.step()) {
    core::BtcInput& input = tx.inputs.emplace_back();
    input.prev_txid = inputs.column_text(0);
    input.prev_vout = static_cast<std::uint32_t>(inputs.column_int64(1));
    input.coinbase = inputs.column_int64(2) != 0;
    input.address = optional_text(inputs, 3);
    input.script_type = inputs.column_text(4);
    input.value = static_cast<std::uint64_t>(inputs.column_int64(5));
    input.sequence = static_cast<std::uint32_t>(inputs.column_int64(6));
    input.script_hex = inputs.column_text(7);
  }
  auto outputs = store.db().prepare(
      "SELECT n, address, script_type, value, script_hex FROM btc_outputs WHERE tx_id = ?1 ORDER BY n");
  outputs.bind(1, tx_id);
  while (outputs.step()) {
    core::BtcOutput& output = tx.outputs.emplace_back();
    output.n = static_cast<std::uint32_t>(outputs.column_int64(0));
    output.address = optional_text(outputs, 1);
    output.script_type = outputs.column_text(2);
    output.value = static_cast<std::uint64_t>(outputs.column_int64(3));
    output.script_hex = outputs.column_text(4);
  }
  return tx;
}

}  // namespace fundtrail::store
