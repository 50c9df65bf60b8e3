#pragma once
// Writes transactions of account-model chains (core/account_transaction.hpp: EVM networks, TRON) into the
// case store: the transactions row, its account_transactions details (schema v5) and its transfers through
// store::TransferWriter. The caller owns the surrounding store::Transaction.
//
// A provider sees a transaction from one wallet's side only (a token-transfer list shows the transfers of
// that wallet, not the others of the same transaction), and none gives positions that all providers share.
// So a transfer's index is derived from its content: kind, asset, from, to, amount and its ordinal among
// identical transfers of the transaction (hashed into the kind's index range; TransferWriter probes past a
// slot taken by another transfer). The same transfer read from any page, wallet or provider lands on the
// same row; pages of one transaction merge; nothing is counted twice.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "fundtrail/core/account_transaction.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "fundtrail/store/transfer_writer.hpp"

namespace fundtrail::store {

// The native coin's symbol on an EVM network: ETH on Ethereum and its rollups, BNB on BSC (56), POL on
// Polygon (137), AVAX on Avalanche C-chain (43114), xDAI on Gnosis (100), FTM on Fantom (250).
std::string evm_native_symbol(std::uint64_t network);

// Text from a provider made fit to store and show: invalid UTF-8 sequences become U+FFFD (so JSON output
// stays valid), everything else is kept verbatim (escaping is the report's job).
std::string valid_utf8(std::string_view text);

struct AccountWriteResult {
  bool new_transaction = false;
  std::size_t new_transfers = 0;
};

class AccountWriter {
 public:
  // `network`: the EVM chain id (1 = Ethereum mainnet), 0 for TRON. Assets of a network other than the
  // chain's main one are keyed "<network>:<contract>" (natives "native:<network>"), so USDT on BSC is never
  // mistaken for USDT on Ethereum.
  AccountWriter(CaseStore& store, core::Chain chain, std::uint64_t network);

  // Writes `tx` read from `tx_source`; transfer i's source is sources[transfer.evidence] (the adapter's
  // numbering of its responses). Idempotent. A failed transaction is stored with status 'failed' and no
  // transfers (any given are ignored). Throws fundtrail::Error(InvalidArgument) naming the transaction for
  // a token seen for the first time without decimals, a timestamp that contradicts the stored one, or a
  // conflict with stored rows.
  AccountWriteResult write(const core::AccountTransaction& tx, const std::vector<std::int64_t>& sources);

  // The asset a transfer moves, inserted (with symbol, name, decimals) the first time it is seen.
  ResolvedAsset resolve(const core::AccountAsset& asset, const std::string& context);

  TransferWriter& transfers() { return transfers_; }

 private:
  struct StoredTransaction {
    std::int64_t id = 0;
    bool is_new = false;
    bool failed = false;  // as stored after this record
  };
  StoredTransaction upsert_transaction(const core::AccountTransaction& tx, std::optional<std::int64_t> source);

  CaseStore& store_;
  core::Chain chain_;
  std::uint64_t network_;
  TransferWriter transfers_;
  Statement find_tx_;
  Statement insert_tx_;
  Statement fill_height_;
  Statement upsert_details_;
  std::unordered_map<std::string, ResolvedAsset> assets_;  // asset_key -> id
  // Transactions from this id on were added while this writer lives: no label index holds them yet, so
  // filling in their heights does not make one stale.
  std::int64_t first_new_tx_id_;
};

// The index range of a transfer kind (TransferKind value k: [k * 2^22, (k + 1) * 2^22)) and the slot its
// content hashes to; exposed for tests.
std::uint32_t account_transfer_slot(core::TransferKind kind, const std::string& identity);
inline constexpr std::uint32_t kAccountProbeSpan = 256;

}  // namespace fundtrail::store
