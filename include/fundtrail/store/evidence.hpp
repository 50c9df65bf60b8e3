#pragma once
// Evidence lookups: the recorded sources (imported files, API responses) behind transfers and
// transactions, so every number in a report can be traced to the bytes it was read from.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"

namespace fundtrail::store {

struct SourceRecord {
  std::int64_t id = 0;
  std::string kind;      // file | http
  std::string provider;  // csv, esplora, ...
  std::string locator;   // path or redacted URL
  core::UnixSeconds fetched_at = 0;
  std::optional<int> status;
  std::optional<std::int64_t> byte_size;
  std::string sha256;
  bool has_body = false;  // raw body kept (--keep-raw)
};

// A stored transaction as the evidence command shows it; the account_* fields only for EVM/TRON transactions.
struct StoredTransaction {
  core::Chain chain{};
  std::string tx_hash;
  std::optional<std::int64_t> block_height;
  core::UnixSeconds timestamp = 0;
  std::optional<std::int64_t> network;  // EVM chain id (0 for TRON)
  std::optional<std::string> status;    // "success" | "failed"
  std::optional<std::string> sender;
  std::optional<std::string> callee;
  std::optional<std::string> fee;       // native base units (wei, sun)
  std::optional<std::string> type;
};

class EvidenceReader {
 public:
  explicit EvidenceReader(CaseStore& store);
  SourceRecord source(std::int64_t source_id);
  std::optional<std::int64_t> transfer_source(std::int64_t transfer_id);
  // Sources of the transaction rows and transfer rows with this hash on any chain (exact text match).
  std::vector<std::int64_t> transaction_sources(std::string_view tx_hash);
  // The transactions with this hash on any chain (exact text match), with their account details when known.
  std::vector<StoredTransaction> transactions(std::string_view tx_hash);

 private:
  CaseStore& store_;
  std::unique_ptr<Statement> transfer_source_;
};

}  // namespace fundtrail::store
