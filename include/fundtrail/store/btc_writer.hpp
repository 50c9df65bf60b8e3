#pragma once
// Writes Bitcoin transactions (core/btc_transaction.hpp) into the case store: the transactions row and the
// derived address-level transfers through store::TransferWriter (so ids, interning and duplicate detection
// are shared with every other writer), plus the UTXO structure in btc_transactions / btc_inputs /
// btc_outputs (docs/schema.md, version 3). The caller owns the surrounding store::Transaction.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/btc_transaction.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "fundtrail/store/transfer_writer.hpp"

namespace fundtrail::store {

class BtcWriter {
 public:
  explicit BtcWriter(CaseStore& store);

  // Writes `tx` (validated, prevouts known; its transfers per core::derive_btc_transfers) read from
  // `source_id`. Idempotent: writing the same transaction again changes nothing and returns Duplicate.
  //  * Timestamps: a confirmed transaction's are its block time. An unconfirmed one is stored with
  //    `first_seen` (UTC seconds) and keeps the first value it was stored with.
  //  * Confirmation: when a transaction stored unconfirmed arrives confirmed (or in another block after a
  //    reorganisation; the later write wins), its block hash, height and the timestamps of the transaction
  //    and of all its transfers are updated (TransferWriter::confirm_transaction). An unconfirmed view of a
  //    transaction stored confirmed changes nothing.
  //  * btc_outputs.spent_by ("txid:vin") links an output to the stored input spending it, whichever of the
  //    two is written first; a confirmed spender replaces an unconfirmed one (RBF), never the reverse.
  // Returns Inserted when anything was added or changed, Duplicate otherwise. Throws
  // fundtrail::Error(InvalidArgument) naming the txid for an invalid transaction, one with unknown
  // prevouts, or a conflict with stored rows (another transfer under the same (txid, index)).
  WriteOutcome write(const core::BtcTransaction& tx, std::optional<std::int64_t> source_id,
                     core::UnixSeconds first_seen);

  // For a page of transactions to be written with write_new(), checked in the same write transaction:
  // their transfers (core::derive_btc_transfers, in order) when writing them cannot fail on their data, only
  // in SQLite itself (I/O, memory): no txid repeats, none is stored yet (so no stored row can conflict or
  // need confirming), each is valid with its prevouts known, and the BTC asset is already resolved by an
  // earlier write. std::nullopt otherwise: then write() each. Reads only. The crawler writes a checked page
  // without a savepoint (ingest::PageRisk).
  std::optional<std::vector<std::vector<core::Transfer>>> check_new_page(std::span<const core::BtcTransaction> txs);

  // write() for a transaction check_new_page() found new, with the transfers it derived (their timestamps are
  // set here, as write() sets them). Must run in the write transaction the check ran in.
  WriteOutcome write_new(const core::BtcTransaction& tx, std::vector<core::Transfer> transfers,
                         std::optional<std::int64_t> source_id, core::UnixSeconds first_seen);

  // The TransferWriter used for the transfers, e.g. for add_source() with the same caches.
  TransferWriter& transfers() { return transfers_; }

 private:
  struct StoredState {
    std::int64_t id = 0;
    std::optional<std::int64_t> block_height;
    core::UnixSeconds timestamp = 0;
    bool has_btc_row = false;
    bool confirmed = false;
    std::optional<std::string> block_hash;
  };

  WriteOutcome write_rows(const core::BtcTransaction& tx, const std::optional<StoredState>& stored,
                          const std::vector<core::Transfer>& derived, core::UnixSeconds timestamp,
                          bool move_to_block, std::optional<std::int64_t> source_id);
  void link_spent_outputs(const core::BtcTransaction& tx);

  CaseStore& store_;
  TransferWriter transfers_;
  std::optional<ResolvedAsset> btc_;
  Statement find_state_;
  Statement is_stored_;
  Statement insert_tx_;
  Statement insert_btc_tx_;
  Statement confirm_btc_tx_;
  Statement insert_input_;
  Statement insert_output_;
  Statement mark_spent_;
  Statement find_spenders_;
  Statement set_spent_by_;
};

// The stored transaction with its inputs and outputs (prevouts known; block_time set when confirmed), or
// std::nullopt when `txid` (any case) has no btc_transactions row.
std::optional<core::BtcTransaction> read_btc_transaction(CaseStore& store, std::string_view txid);

}  // namespace fundtrail::store
