#pragma once
// Evidence lookups: the recorded sources (imported files, API responses) behind transfers and
// transactions, so every number in a report can be traced to the bytes it was read from.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

class EvidenceReader {
 public:
  explicit EvidenceReader(CaseStore& store);
  SourceRecord source(std::int64_t source_id);
  std::optional<std::int64_t> transfer_source(std::int64_t transfer_id);
  // Sources of the transaction rows and transfer rows with this hash on any chain (exact text match).
  std::vector<std::int64_t> transaction_sources(std::string_view tx_hash);

 private:
  CaseStore& store_;
  std::unique_ptr<Statement> transfer_source_;
};

}  // namespace fundtrail::store
