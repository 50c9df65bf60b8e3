#pragma once
// `fundtrail import FILE.csv`: streams an investigator's CSV of transfers into the case store.
//
// Header (order free, names fixed): chain,tx_hash,timestamp,from,to,asset,amount required;
// block_height,index,decimals optional. Amounts are display-unit decimals that must be exact with the
// asset's decimals. Atomic by default (one invalid row -> nothing imported); idempotent (duplicates are
// skipped, a same-key row with other content is an error).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fundtrail/store/case_store.hpp"

namespace fundtrail::ingest {

struct ImportOptions {
  bool skip_invalid = false;        // import the valid rows, report the rejected ones
  std::size_t max_listed_errors = 20;
  // Called now and then with (bytes read, file size) for a progress display.
  std::function<void(std::uint64_t, std::uint64_t)> on_progress;
};

struct RowError {
  std::uint64_t line = 0;   // physical line in the file (1 = header)
  std::string column;       // header name, or empty for whole-row problems
  std::string reason;
};

struct ImportSummary {
  std::uint64_t rows = 0;        // data rows read
  std::uint64_t inserted = 0;    // new transfers
  std::uint64_t duplicates = 0;  // rows already in the store (or repeated in the file)
  std::uint64_t rejected = 0;    // invalid rows
  std::vector<RowError> errors;  // the first max_listed_errors of them
  bool committed = false;        // false when an invalid row aborted an atomic import
  std::string sha256;            // of the file's bytes, recorded as the transfers' evidence source
};

// Throws fundtrail::Error for problems with the file as a whole (missing, unreadable, bad header);
// row problems are reported in the summary.
ImportSummary import_csv(store::CaseStore& store, const std::string& path, const ImportOptions& options);

}  // namespace fundtrail::ingest
