#include "fundtrail/ingest/csv_importer.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"
#include "fundtrail/ingest/batch_pipe.hpp"
#include "fundtrail/ingest/csv_reader.hpp"
#include "fundtrail/store/address_id_cache.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "fundtrail/store/transfer_writer.hpp"

namespace fundtrail::ingest {
namespace {

enum Column { kChain, kTxHash, kTimestamp, kFrom, kTo, kAsset, kAmount, kBlockHeight, kIndex, kDecimals, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames{
    "chain", "tx_hash", "timestamp", "from", "to", "asset", "amount", "block_height", "index", "decimals"};
constexpr int kRequiredColumns = kAmount + 1;
constexpr core::UnixSeconds kLatestTimestamp = 253402300799;  // 9999-12-31T23:59:59Z

// A row problem: which column and why. Thrown inside row parsing, caught per row and recorded.
struct RowProblem {
  Column column;
  std::string reason;
};

std::string sanitize(std::string_view text, std::size_t limit = 100) {
  std::string out;
  for (char c : text.substr(0, limit)) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  if (text.size() > limit) out += "...";
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

template <typename Int>
Int parse_int(std::string_view text, Column column, Int minimum, Int maximum) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < minimum || value > maximum) {
    throw RowProblem{column, "'" + sanitize(text) + "' is not an integer between " + std::to_string(minimum) + " and " +
                                 std::to_string(maximum)};
  }
  return value;
}

template <typename Fn>
auto in_column(Column column, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error& error) {
    throw RowProblem{column, error.what()};
  }
}

// Bounds the parser's memory of checked addresses (a miss costs one check, ~1 us).
constexpr std::size_t kMaxCheckedAddresses = 2'000'000;

// The parsing thread's view of assets: a row's (chain, symbol, decimals) resolved once through the writer,
// under the store lock, and remembered. A given (chain, symbol, decimals) always resolves the same way once
// the asset is stored, so only the first row of each asks the store; one that fails asks again (and fails).
class ParserAssets {
 public:
  ParserAssets(store::TransferWriter& writer, std::mutex& store_lock) : writer_(writer), store_lock_(store_lock) {}

  store::ResolvedAsset resolve(core::Chain chain, std::string_view symbol, std::optional<unsigned> decimals) {
    key_.assign(1, static_cast<char>(chain));
    key_.push_back(decimals ? static_cast<char>(*decimals) : '\xff');
    key_.append(symbol);
    if (const auto found = resolved_.find(key_); found != resolved_.end()) return found->second;
    const std::lock_guard lock(store_lock_);
    const store::ResolvedAsset asset = writer_.resolve_asset(chain, symbol, decimals);
    resolved_.emplace(key_, asset);
    return asset;
  }

 private:
  store::TransferWriter& writer_;
  std::mutex& store_lock_;
  std::unordered_map<std::string, store::ResolvedAsset> resolved_;
  std::string key_;
};

class RowParser {
 public:
  RowParser(const std::vector<std::string_view>& header, const std::string& path) {
    positions_.fill(-1);
    for (std::size_t i = 0; i < header.size(); ++i) {
      std::string_view name = trim(header[i]);
      bool matched = false;
      for (int c = 0; c < kColumnCount; ++c) {
        if (name == kColumnNames[c]) {
          if (positions_[c] >= 0) throw invalid_argument(path + ":1: column '" + std::string(name) + "' appears twice");
          positions_[c] = static_cast<int>(i);
          matched = true;
        }
      }
      if (!matched) spdlog::warn("{}:1: ignoring unknown column '{}'", path, sanitize(name));
    }
    std::string missing;
    for (int c = 0; c < kRequiredColumns; ++c) {
      if (positions_[c] < 0) missing += (missing.empty() ? "" : ", ") + std::string(kColumnNames[c]);
    }
    if (!missing.empty()) {
      throw invalid_argument(path + ":1: header lacks required column(s): " + missing +
                             " (required: chain,tx_hash,timestamp,from,to,asset,amount)");
    }
    width_ = header.size();
  }

  bool has_index_column() const { return positions_[kIndex] >= 0; }

  // Fills `transfer` from a row, or throws RowProblem.
  void parse(const std::vector<std::string_view>& fields, ParserAssets& assets, core::Transfer& transfer,
             std::int64_t& asset_id, store::AddressHashes& hashes) {
    if (fields.size() != width_) {
      throw RowProblem{kColumnCount,
                       "has " + std::to_string(fields.size()) + " fields, header has " + std::to_string(width_)};
    }
    const std::string_view chain_text = required(fields, kChain);
    transfer.chain = in_column(kChain, [&] { return core::chain_from_string(chain_text); });
    transfer.tx_hash.assign(required(fields, kTxHash));  // reuses the buffer: no allocation per row
    if (transfer.tx_hash.size() > 256) throw RowProblem{kTxHash, "longer than 256 characters"};
    transfer.timestamp = in_column(kTimestamp, [&] { return core::parse_timestamp(required(fields, kTimestamp)); });
    // Outside 1970..9999 is almost always a unit mistake (milliseconds read as seconds).
    if (transfer.timestamp < 0 || transfer.timestamp > kLatestTimestamp) {
      throw RowProblem{kTimestamp, "'" + sanitize(required(fields, kTimestamp)) +
                                       "' is outside 1970-01-01..9999-12-31 (milliseconds instead of seconds?)"};
    }
    hashes.from = read_address(required(fields, kFrom), kFrom, transfer.chain, transfer.from);
    hashes.to = read_address(required(fields, kTo), kTo, transfer.chain, transfer.to);

    std::optional<unsigned> decimals;
    if (auto text = optional_field(fields, kDecimals)) {
      decimals = parse_int<unsigned>(*text, kDecimals, 0, core::kMaxDecimals);
    }
    const std::string_view asset_text = required(fields, kAsset);
    if (asset_text.size() > 64) throw RowProblem{kAsset, "asset symbol longer than 64 characters"};
    const store::ResolvedAsset asset =
        in_column(kAsset, [&] { return assets.resolve(transfer.chain, asset_text, decimals); });
    asset_id = asset.id;
    transfer.decimals = asset.decimals;
    transfer.amount =
        in_column(kAmount, [&] { return core::Amount::parse_display(required(fields, kAmount), asset.decimals); });

    transfer.block_height.reset();
    if (auto text = optional_field(fields, kBlockHeight)) {
      transfer.block_height = parse_int<std::int64_t>(*text, kBlockHeight, 0, INT64_MAX);
    }
    // Without an index column, adjacent rows of one transaction are numbered 0, 1, ... in file order.
    if (auto text = optional_field(fields, kIndex)) {
      transfer.index = parse_int<std::uint32_t>(*text, kIndex, 0, store::kMaxTransferIndex);
    } else {
      transfer.index =
          (transfer.tx_hash == previous_tx_ && transfer.chain == previous_chain_) ? previous_index_ + 1 : 0;
    }
    previous_tx_ = transfer.tx_hash;
    previous_chain_ = transfer.chain;
    previous_index_ = transfer.index;
  }

 private:
  std::string_view required(const std::vector<std::string_view>& fields, Column column) const {
    std::string_view value = trim(fields[static_cast<std::size_t>(positions_[column])]);
    if (value.empty()) throw RowProblem{column, "is empty"};
    return value;
  }
  std::optional<std::string_view> optional_field(const std::vector<std::string_view>& fields, Column column) const {
    if (positions_[column] < 0) return std::nullopt;
    std::string_view value = trim(fields[static_cast<std::size_t>(positions_[column])]);
    if (value.empty()) return std::nullopt;
    return value;
  }

  // An address this parser has checked before is known valid and normalised: only new text is decoded and
  // checksummed (Base58Check costs a double SHA-256, ~10% of an import when done for every row). Returns
  // the normalised address's hash, which the writer's look-up of its id uses too.
  std::uint64_t read_address(std::string_view text, Column column, core::Chain chain, std::string& out) {
    const auto chain_code = static_cast<std::uint8_t>(chain);
    const std::uint64_t hash = store::AddressIdCache::hash_of(chain_code, text);
    if (checked_addresses_.find(text, hash)) {
      out.assign(text);
      return hash;
    }
    out = in_column(column, [&] { return core::normalize_address(chain, text); });
    const std::uint64_t normal_hash = out == text ? hash : store::AddressIdCache::hash_of(chain_code, out);
    checked_addresses_.insert(out, normal_hash, 1);
    return normal_hash;
  }

  std::array<int, kColumnCount> positions_{};
  std::size_t width_ = 0;
  std::string previous_tx_;
  core::Chain previous_chain_{};
  std::uint32_t previous_index_ = 0;
  store::AddressIdCache checked_addresses_{kMaxCheckedAddresses};  // id 1: checked, in normal form
};

// Rows parsed by the parsing thread, waiting to be written by the writing one: the valid rows in file order,
// so that their transactions can be interned as one batch (TransferWriter::intern_transactions), and the
// problems of the invalid rows between them. Bounded, whatever the file size; the Transfer objects are
// reused, so their strings keep their buffers from batch to batch.
class ParsedBatch {
 public:
  static constexpr std::size_t kCapacity = 16384;

  struct Problem {
    std::size_t before_row;  // the number of valid rows of the batch that precede it
    std::uint64_t line;
    RowProblem problem;
  };

  ParsedBatch() : transfers_(kCapacity), asset_ids_(kCapacity), lines_(kCapacity), hashes_(kCapacity) {}

  // Where the next row is parsed; it joins the batch only with push().
  core::Transfer& next_slot() { return transfers_[size_]; }
  store::AddressHashes& next_hashes() { return hashes_[size_]; }
  void push(std::int64_t asset_id, std::uint64_t line) {
    asset_ids_[size_] = asset_id;
    lines_[size_] = line;
    ++size_;
  }
  void add_problem(std::uint64_t line, RowProblem problem) {
    problems_.push_back(Problem{size_, line, std::move(problem)});
  }
  bool full() const { return size_ == kCapacity || problems_.size() == kCapacity; }
  bool empty() const { return size_ == 0 && problems_.empty(); }
  std::size_t size() const { return size_; }
  void clear() {
    size_ = 0;
    problems_.clear();
  }

  std::span<const core::Transfer> transfers() const { return {transfers_.data(), size_}; }
  std::span<const store::AddressHashes> address_hashes() const { return {hashes_.data(), size_}; }
  const core::Transfer& transfer(std::size_t i) const { return transfers_[i]; }
  std::int64_t asset_id(std::size_t i) const { return asset_ids_[i]; }
  std::uint64_t line(std::size_t i) const { return lines_[i]; }
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::vector<core::Transfer> transfers_;
  std::vector<std::int64_t> asset_ids_;
  std::vector<std::uint64_t> lines_;
  std::vector<store::AddressHashes> hashes_;  // of each row's from and to, for the writer's look-ups
  std::vector<Problem> problems_;
  std::size_t size_ = 0;
};

// Batches in flight between the parsing and the writing thread: one being filled, one being written, one
// waiting, so neither thread waits for the other while both keep pace.
constexpr std::size_t kBatchesInFlight = 3;

// Reads and parses the file's rows on its own thread (CSV fields, timestamps, amounts, address checksums:
// work that needs no store) and publishes them in batches; stops early when the writer cancels. Returns the
// number of data rows read. `writing` is shared with the writer: once false (an atomic import met a bad row),
// valid rows are still checked, for the error list, but no longer handed over.
std::uint64_t parse_rows(CsvReader& reader, RowParser& parser, ParserAssets& assets, BatchPipe<ParsedBatch>& pipe,
                         const std::atomic<bool>& writing, std::uint64_t file_size, const ImportOptions& options) {
  std::uint64_t rows = 0;
  std::vector<std::string_view> fields;
  std::unique_ptr<ParsedBatch> batch = pipe.acquire();
  if (!batch) return rows;
  batch->clear();
  bool parse_failed = false;  // this thread's own first bad row, seen before the writer hears of it
  std::int64_t asset_id = 0;
  while (reader.next(fields)) {
    ++rows;
    try {
      parser.parse(fields, assets, batch->next_slot(), asset_id, batch->next_hashes());
      if (!parse_failed && writing.load(std::memory_order_relaxed)) batch->push(asset_id, reader.line());
    } catch (const RowProblem& problem) {
      batch->add_problem(reader.line(), problem);
      if (!options.skip_invalid) parse_failed = true;
    }
    if (batch->full()) {
      pipe.publish(std::move(batch));
      batch = pipe.acquire();
      if (!batch) return rows;
      batch->clear();
    }
    if (options.on_progress && (rows & 0xffff) == 0) options.on_progress(reader.bytes_read(), file_size);
  }
  if (!batch->empty()) pipe.publish(std::move(batch));
  return rows;
}

// One pass over the file: every row parsed and checked, the valid ones written through `writer` (all of
// them with --skip-invalid, none after the first bad row otherwise). Parsing runs on a second thread
// (parse_rows) while this one writes: the two halves of an import each take about half of its time.
// Fills the counts of `summary`.
void write_rows(store::TransferWriter& writer, const std::string& path, std::uint64_t file_size,
                const ImportOptions& options, ImportSummary& summary) {
  summary.rows = summary.inserted = summary.duplicates = summary.rejected = 0;
  summary.errors.clear();
  CsvReader reader(path);
  // The file is hashed as it is read (its SHA-256 is its evidence record's), not in a pass of its own: that
  // pass was 1.2 s of a 10M-row import with the file cached and 3.5 s with it on disk.
  core::Sha256Hasher file_hash;
  reader.observe_bytes([&file_hash](std::string_view bytes) { file_hash.update(bytes); });
  std::vector<std::string_view> fields;
  if (!reader.next(fields)) throw invalid_argument(path + ": the file is empty (a header line is required)");
  RowParser parser(fields, path);

  store::SourceInfo source;
  source.kind = "file";
  source.provider = "csv";
  source.locator = std::filesystem::absolute(path).string();
  source.fetched_at =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  source.byte_size = static_cast<std::int64_t>(file_size);
  const std::int64_t first_new_transaction = writer.next_transaction_id();
  const std::int64_t source_id = writer.add_source(source);  // its hash is settled below, once read

  // An atomic import stops writing at its first bad row but keeps validating.
  std::atomic<bool> writing = true;
  auto reject = [&](std::uint64_t line, const RowProblem& problem) {
    ++summary.rejected;
    if (summary.errors.size() < options.max_listed_errors) {
      summary.errors.push_back(RowError{
          line, problem.column == kColumnCount ? "" : std::string(kColumnNames[problem.column]), problem.reason});
    }
    if (!options.skip_invalid) writing = false;
  };
  auto write_row = [&](const core::Transfer& transfer, const store::InternedTransaction& tx, std::int64_t asset_id,
                       store::WalletIds wallets) {
    return in_column(kColumnCount, [&] {
      try {
        return writer.write(transfer, tx, asset_id, source_id, wallets);
      } catch (const Error& error) {
        if (parser.has_index_column()) throw;
        // Without an index column a transaction's rows are numbered only while they are adjacent.
        throw Error(error.kind(), std::string(error.what()) +
                                      " (without an index column, rows of one transaction must be adjacent; "
                                      "add an index column)");
      }
    });
  };
  // The wallets of rows write() refused after they were interned: those that no other row names are removed
  // at the end (--skip-invalid commits the other rows, and a refused row must leave nothing behind).
  std::vector<std::int64_t> refused_wallets;
  // Writes a batch's valid rows in file order, their transactions interned together first, and records its
  // invalid rows where they fall between them (errors are listed in line order).
  auto write_batch = [&](const ParsedBatch& batch) {
    std::vector<store::InternedTransaction> txs;
    std::vector<store::WalletIds> wallets;
    if (writing && batch.size() > 0) {
      txs = writer.intern_transactions(batch.transfers(), source_id);
      wallets = writer.intern_addresses(batch.transfers(), batch.address_hashes());
    }
    const auto& problems = batch.problems();
    std::size_t next_problem = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      for (; next_problem < problems.size() && problems[next_problem].before_row <= i; ++next_problem) {
        reject(problems[next_problem].line, problems[next_problem].problem);
      }
      if (!writing) continue;
      try {
        const auto outcome = write_row(batch.transfer(i), txs[i], batch.asset_id(i), wallets[i]);
        (outcome == store::WriteOutcome::Inserted ? summary.inserted : summary.duplicates) += 1;
      } catch (const RowProblem& problem) {
        reject(batch.line(i), problem);
        if (options.skip_invalid) refused_wallets.insert(refused_wallets.end(), {wallets[i].from, wallets[i].to});
      }
    }
    for (; next_problem < problems.size(); ++next_problem) {
      reject(problems[next_problem].line, problems[next_problem].problem);
    }
  };

  // The writer is shared with the parsing thread only for assets it has not met yet (ParserAssets), under
  // this lock; the connection is opened without SQLite's own mutex.
  std::mutex store_lock;
  ParserAssets assets(writer, store_lock);
  BatchPipe<ParsedBatch> pipe(kBatchesInFlight);
  std::uint64_t rows = 0;
  std::jthread parsing([&] {
    try {
      rows = parse_rows(reader, parser, assets, pipe, writing, file_size, options);
      pipe.close();
    } catch (...) {
      pipe.close(std::current_exception());  // rethrown below, by pipe.next()
    }
  });
  // Whatever happens here, the parsing thread is stopped and joined before the objects it uses go.
  struct StopParsing {
    BatchPipe<ParsedBatch>& pipe;
    std::jthread& thread;
    ~StopParsing() {
      pipe.cancel();
      if (thread.joinable()) thread.join();
    }
  } stop_parsing{pipe, parsing};

  while (std::unique_ptr<ParsedBatch> batch = pipe.next()) {
    {
      const std::lock_guard lock(store_lock);
      write_batch(*batch);
    }
    pipe.recycle(std::move(batch));
  }
  parsing.join();
  if (const std::size_t removed = writer.remove_unreferenced_new_addresses(refused_wallets); removed > 0) {
    spdlog::debug("import: {} wallet(s) named only by refused rows removed", removed);
  }
  summary.rows = rows;
  summary.sha256 = core::to_hex(file_hash.finish());
  writer.settle_file_source(source_id, summary.sha256,
                            summary.inserted > 0 || writer.next_transaction_id() > first_new_transaction);
  if (options.on_progress) options.on_progress(file_size, file_size);
}

}  // namespace

ImportSummary import_csv(store::CaseStore& store, const std::string& path, const ImportOptions& options) {
  if (!std::filesystem::is_regular_file(path)) throw not_found("no such file: '" + path + "'");
  const std::uint64_t file_size = std::filesystem::file_size(path);
  ImportSummary summary;
  auto nothing_to_commit = [&] { return summary.rejected > 0 && !options.skip_invalid; };

  // Temporary storage on disk while importing: building the tx-hash index after a bulk load sorts every
  // key, and with the store's in-memory temporary storage the sort's runs would all stay in RAM (~1 GB more
  // at 10M rows), where an import promises bounded memory. On disk, the sort spills beyond the page cache.
  store::PragmaOverride temp_storage(store.db(), "temp_store", "FILE");
  // A new case's first import writes (almost) only new pages: a rollback journal writes them once.
  std::optional<store::RollbackJournalScope> journal;
  if (!store.holds_transactions()) {
    journal.emplace(store.db());
    if (journal->active()) spdlog::debug("import: first load into a new case, written with a rollback journal");
  }
  store::ForeignKeysSuspended bulk_write(store);
  store::Transaction transaction(store.db());
  // A new case's first import loads without the tx-hash index and builds it once at the end. Should the
  // file repeat a transaction in rows far apart, the index cannot be built: that load is rolled back to the
  // savepoint and the file written again the normal way (a second pass over the file, never wrong data).
  bool written = false;
  store.db().exec("SAVEPOINT bulk_load");
  bool bulk = false;
  {
    store::TransferWriter writer(store);
    bulk = writer.begin_bulk_load();
    if (bulk) {
      write_rows(writer, path, file_size, options, summary);
      if (nothing_to_commit()) {
        summary.inserted = 0;
        summary.duplicates = 0;
        return summary;  // the Transaction's destructor rolls everything back
      }
      written = writer.finish_bulk_load();
    }
  }
  if (bulk && !written) {
    spdlog::warn(
        "{}: rows of one transaction are far apart in the file; importing it again with the index "
        "(a second pass)",
        path);
    store.db().exec("ROLLBACK TO bulk_load");
  }
  store.db().exec("RELEASE bulk_load");
  if (!written) {
    store::TransferWriter writer(store);
    write_rows(writer, path, file_size, options, summary);
  }

  if (nothing_to_commit()) {
    summary.inserted = 0;
    summary.duplicates = 0;
    return summary;  // the Transaction's destructor rolls everything back
  }
  if (summary.inserted > 0) store.bump_data_version();
  const auto commit_start = std::chrono::steady_clock::now();
  transaction.commit();
  spdlog::debug("import: commit of {} new transfers in {:.1f} ms", summary.inserted,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - commit_start).count());
  summary.committed = true;
  return summary;
}

}  // namespace fundtrail::ingest
