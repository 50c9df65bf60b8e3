// import_csv: atomic and --skip-invalid imports, row errors (physical line + column), idempotence, CSV
// dialects (CRLF, BOM, quotes, column order), exact huge amounts, index numbering, generic ledgers.
#include "fundtrail/ingest/csv_importer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"
#include "fundtrail/ingest/csv_reader.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "support/error_matchers.hpp"
#include "support/store_fixture.hpp"

namespace fundtrail::ingest {
namespace {

using test::ThrowsError;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Valid TRON addresses (from data/demo/roles.json) and one with its last character changed.
constexpr const char* kS = "TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt";
constexpr const char* kB = "TMt3ojNDGxrMXDbfh2MU8gHkgk9MkNdMDT";
constexpr const char* kX = "TJvwnLxY6nonctFpY5s73s8zW6eQZKB4E9";
constexpr const char* kBadChecksum = "TMt3ojNDGxrMXDbfh2MU8gHkgk9MkNdMDU";
constexpr const char* kEthA = "0x00000000000000000000000000000000000000aa";
constexpr const char* kEthB = "0x00000000000000000000000000000000000000bb";
constexpr const char* kMaxUint256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
// 2^256 - 1 wei written in ETH (18 decimals).
constexpr const char* kMaxUint256Eth =
    "115792089237316195423570985008687907853269984665640564039457.584007913129639935";

struct StoredTransfer {
  std::string tx_hash;
  std::int64_t index;
  std::string from;
  std::string to;
  std::string asset;
  std::string amount;  // base units
  std::int64_t timestamp;
  friend bool operator==(const StoredTransfer&, const StoredTransfer&) = default;
  friend std::ostream& operator<<(std::ostream& out, const StoredTransfer& t) {
    return out << "{" << t.tx_hash << ":" << t.index << " " << t.from << "->" << t.to << " " << t.amount << " "
               << t.asset << " @" << t.timestamp << "}";
  }
};

class CsvImporterTest : public ::testing::Test {
 protected:
  store::CaseStore& store() { return case_.store(); }

  std::string write_csv(const std::string& name, const std::string& content) {
    const std::string path = case_.dir().file(name);
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
  }

  ImportSummary import(const std::string& path, bool skip_invalid = false) {
    ImportOptions options;
    options.skip_invalid = skip_invalid;
    return import_csv(store(), path, options);
  }

  std::vector<StoredTransfer> stored() {
    std::vector<StoredTransfer> result;
    auto statement = store().db().prepare(
        "SELECT t.tx_hash, tr.idx, fa.address, ta.address, a.symbol, CAST(tr.amount AS TEXT), tr.timestamp "
        "FROM transfers tr JOIN transactions t ON t.id = tr.tx_id JOIN addresses fa ON fa.id = tr.from_id "
        "JOIN addresses ta ON ta.id = tr.to_id JOIN assets a ON a.id = tr.asset_id ORDER BY t.tx_hash, tr.idx");
    while (statement.step()) {
      result.push_back(StoredTransfer{statement.column_text(0), statement.column_int64(1), statement.column_text(2),
                                      statement.column_text(3), statement.column_text(4), statement.column_text(5),
                                      statement.column_int64(6)});
    }
    return result;
  }

  // Every test ends with a consistent store: imports may suspend per-row foreign-key checks for speed, so
  // the references must still hold, and enforcement must be back on afterwards.
  void TearDown() override {
    auto check = store().db().prepare("PRAGMA foreign_key_check");
    EXPECT_FALSE(check.step()) << "dangling reference in table " << check.column_text(0);
    auto enabled = store().db().prepare("PRAGMA foreign_keys");
    ASSERT_TRUE(enabled.step());
    EXPECT_EQ(enabled.column_int64(0), 1) << "foreign keys were left off after an import";
    EXPECT_EQ(query_int("PRAGMA temp_store"), 2) << "the store's in-memory temporary storage is restored";
  }

  std::int64_t hash_index_count() {
    return query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'transactions_by_hash'");
  }

  std::int64_t query_int(const std::string& sql) {
    auto statement = store().db().prepare(sql);
    statement.step();
    return statement.column_int64(0);
  }

  std::int64_t count(const std::string& table) {
    auto statement = store().db().prepare("SELECT count(*) FROM " + table);
    statement.step();
    return statement.column_int64(0);
  }

  test::TempCase case_{core::Chain::Tron, "fundtrail-import"};
};

std::string row(const std::string& chain, const std::string& tx, const std::string& time, const std::string& from,
                const std::string& to, const std::string& asset, const std::string& amount) {
  return chain + "," + tx + "," + time + "," + from + "," + to + "," + asset + "," + amount;
}

constexpr const char* kHeader = "chain,tx_hash,timestamp,from,to,asset,amount";
constexpr std::int64_t kNoon = 1709294400;  // 2024-03-01T12:00:00Z

// ---------------------------------------------------------------------------------------------------------
// Invalid rows

// Line numbers are physical: the header is line 1 and a quoted field spanning two lines moves every later
// row down by one.
std::string bad_rows_csv() {
  return std::string(kHeader) + ",note\n" +                                                            // 1
         row("tron", "tx01", "2024-03-01T12:00:00Z", kS, kB, "USDT", "10") + ",\"first valid row\n" +  // 2
         "spanning two lines\"\n" +                                                                    // 3
         row("tron", "tx02", "2024-03-01T12:00:00Z", kS, kB, "USDT", "10") + "\n" +                    // 4
         row("tron", "tx03", "2024-03-01T12:00:00Z", kS, kBadChecksum, "USDT", "10") + ",x\n" +        // 5
         row("tron", "tx04", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1.1234567") + ",x\n" +           // 6
         row("dogecoin", "tx05", "2024-03-01T12:00:00Z", kS, kB, "USDT", "10") + ",x\n" +              // 7
         row("tron", "tx06", "2024-02-30T12:00:00Z", kS, kB, "USDT", "10") + ",x\n" +                  // 8
         row("tron", "tx07", "2024-03-01T13:00:00Z", kS, kX, "USDT", "20.5") + ",x\n";                 // 9
}

void expect_bad_row_errors(const ImportSummary& summary) {
  EXPECT_EQ(summary.rows, 7u);  // records, not lines
  EXPECT_EQ(summary.rejected, 5u);
  ASSERT_EQ(summary.errors.size(), 5u);
  const auto& e = summary.errors;
  EXPECT_EQ(e[0].line, 4u);
  EXPECT_EQ(e[0].column, "") << "a wrong field count concerns the whole row";
  EXPECT_THAT(e[0].reason, AllOf(HasSubstr("7 fields"), HasSubstr("8")));
  EXPECT_EQ(e[1].line, 5u);
  EXPECT_EQ(e[1].column, "to");
  EXPECT_THAT(e[1].reason, AllOf(HasSubstr(kBadChecksum), HasSubstr("bad checksum")));
  EXPECT_EQ(e[2].line, 6u);
  EXPECT_EQ(e[2].column, "amount");
  EXPECT_THAT(e[2].reason, AllOf(HasSubstr("1.1234567"), HasSubstr("more than 6 decimal places")));
  EXPECT_EQ(e[3].line, 7u);
  EXPECT_EQ(e[3].column, "chain");
  EXPECT_THAT(e[3].reason, HasSubstr("dogecoin"));
  EXPECT_EQ(e[4].line, 8u);
  EXPECT_EQ(e[4].column, "timestamp");
  EXPECT_THAT(e[4].reason, AllOf(HasSubstr("2024-02-30"), HasSubstr("day 30")));
}

TEST_F(CsvImporterTest, AtomicImportWithInvalidRowsImportsNothing) {
  const auto summary = import(write_csv("bad.csv", bad_rows_csv()));
  EXPECT_FALSE(summary.committed);
  EXPECT_EQ(summary.inserted, 0u);
  EXPECT_EQ(summary.duplicates, 0u);
  expect_bad_row_errors(summary);
  EXPECT_EQ(store().transfer_count(), 0);
  EXPECT_EQ(count("transactions"), 0);
  EXPECT_EQ(count("addresses"), 0);
  EXPECT_EQ(count("sources"), 0) << "the source record is part of the rolled-back transaction";
  EXPECT_EQ(store().data_version(), 0);
  EXPECT_EQ(hash_index_count(), 1) << "the bulk load dropped the tx-hash index; the rollback restores it";
}

TEST_F(CsvImporterTest, SkipInvalidImportsTheValidRows) {
  const auto summary = import(write_csv("bad.csv", bad_rows_csv()), /*skip_invalid=*/true);
  EXPECT_TRUE(summary.committed);
  EXPECT_EQ(summary.inserted, 2u);
  EXPECT_EQ(summary.duplicates, 0u);
  expect_bad_row_errors(summary);
  EXPECT_THAT(stored(), ElementsAre(StoredTransfer{"tx01", 0, kS, kB, "USDT", "10000000", kNoon},
                                    StoredTransfer{"tx07", 0, kS, kX, "USDT", "20500000", kNoon + 3600}));
  EXPECT_EQ(store().data_version(), 1);
}

TEST_F(CsvImporterTest, OnlyTheFirstTwentyErrorsAreListed) {
  std::string csv = std::string(kHeader) + "\n";
  for (int i = 0; i < 25; ++i) {
    csv += row("litecoin", "tx" + std::to_string(i), "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + "\n";
  }
  const auto summary = import(write_csv("many.csv", csv));
  EXPECT_FALSE(summary.committed);
  EXPECT_EQ(summary.rows, 25u);
  EXPECT_EQ(summary.rejected, 25u);
  ASSERT_EQ(summary.errors.size(), 20u);
  EXPECT_EQ(summary.errors.front().line, 2u);
  EXPECT_EQ(summary.errors.back().line, 21u);
  for (const auto& error : summary.errors) EXPECT_EQ(error.column, "chain");
}

// Rows are parsed on a second thread and written in batches of 16,384: problems found while parsing and
// conflicts found while writing must still be listed in line order, and every valid row written, whichever
// batch they fall in.
TEST_F(CsvImporterTest, ProblemsInManyBatchesAreListedInLineOrderAndEveryValidRowIsWritten) {
  constexpr int kRows = 40'000;
  std::string csv = std::string(kHeader) + ",index,decimals\n";
  std::vector<std::uint64_t> bad_lines;
  for (int i = 0; i < kRows; ++i) {
    const std::uint64_t line = static_cast<std::uint64_t>(i) + 2;
    if (i % 2'500 == 1'234) {  // a parse problem
      csv += row("litecoin", "p" + std::to_string(i), "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + ",0,\n";
      bad_lines.push_back(line);
    } else if (i % 7'000 == 6'999) {  // a write conflict: the key of row 0 with another amount
      csv += row("tron", "p0", "2024-03-01T12:00:00Z", kS, kB, "USDT", "99") + ",0,\n";
      bad_lines.push_back(line);
    } else if (i == 25'000) {  // an asset first met late, while earlier batches are being written
      csv += row("tron", "p" + std::to_string(i), "2024-03-01T12:00:00Z", kS, kX, "EURX", "1.25") + ",0,2\n";
    } else {
      csv += row("tron", "p" + std::to_string(i), "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + ",0,\n";
    }
  }
  ImportOptions options;
  options.skip_invalid = true;
  options.max_listed_errors = 1'000;
  const auto summary = import_csv(store(), write_csv("batches.csv", csv), options);
  EXPECT_TRUE(summary.committed);
  EXPECT_EQ(summary.rows, static_cast<std::uint64_t>(kRows));
  EXPECT_EQ(summary.rejected, bad_lines.size());
  EXPECT_EQ(summary.inserted, kRows - bad_lines.size());
  std::vector<std::uint64_t> listed;
  for (const auto& error : summary.errors) listed.push_back(error.line);
  EXPECT_EQ(listed, bad_lines);
  EXPECT_EQ(store().transfer_count(), static_cast<std::int64_t>(kRows - bad_lines.size()));
  EXPECT_EQ(query_int("SELECT decimals FROM assets WHERE symbol = 'EURX'"), 2);
  EXPECT_EQ(query_int("SELECT amount FROM transfers WHERE asset_id = (SELECT id FROM assets WHERE symbol = 'EURX')"),
            125);
}

TEST_F(CsvImporterTest, AnAtomicImportWithABadRowInALaterBatchImportsNothingAndStillChecksTheRest) {
  constexpr int kRows = 40'000;
  std::string csv = std::string(kHeader) + "\n";
  for (int i = 0; i < kRows; ++i) {
    const bool bad = i == 30'000 || i == 39'999;
    csv += row(bad ? "litecoin" : "tron", "a" + std::to_string(i), "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + "\n";
  }
  const auto summary = import(write_csv("atomic.csv", csv));
  EXPECT_FALSE(summary.committed);
  EXPECT_EQ(summary.rows, static_cast<std::uint64_t>(kRows));
  EXPECT_EQ(summary.inserted, 0u);
  ASSERT_EQ(summary.errors.size(), 2u) << "rows after the first bad one are still checked";
  EXPECT_EQ(summary.errors[0].line, 30'002u);
  EXPECT_EQ(summary.errors[1].line, 40'001u);
  EXPECT_EQ(store().transfer_count(), 0);
  EXPECT_EQ(count("transactions"), 0);
}

TEST_F(CsvImporterTest, MissingRequiredColumnIsAnErrorNamingIt) {
  const std::string path = write_csv("no-amount.csv",
                                     "chain,tx_hash,timestamp,from,to,asset\n"
                                     "tron,tx1,2024-03-01T12:00:00Z," +
                                         std::string(kS) + "," + kB + ",USDT\n");
  ASSERT_THAT([&] { import(path); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(path + ":1"), HasSubstr("amount"))));

  const std::string two = write_csv("two.csv", "chain,tx_hash,from,to,asset\n");
  ASSERT_THAT([&] { import(two); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr("timestamp"), HasSubstr("amount"))));
  EXPECT_EQ(count("sources"), 0);
}

TEST_F(CsvImporterTest, MissingOrEmptyFileIsAnError) {
  ASSERT_THAT([&] { import(case_.dir().file("nope.csv")); }, ThrowsError(ErrorKind::NotFound, HasSubstr("nope.csv")));

  ASSERT_THAT([&] { import(write_csv("empty.csv", "")); },
              ThrowsError(ErrorKind::InvalidArgument, HasSubstr("empty.csv")));
}

TEST_F(CsvImporterTest, SameTransactionWithAnotherTimestampInTheFileIsAnError) {
  const std::string csv = std::string(kHeader) + "\n" +
                          row("tron", "dup-time", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + "\n" +
                          row("tron", "dup-time", "2024-03-01T12:05:00Z", kB, kX, "USDT", "1") + "\n";
  const auto summary = import(write_csv("time.csv", csv));
  EXPECT_FALSE(summary.committed);
  EXPECT_EQ(summary.rejected, 1u);
  ASSERT_EQ(summary.errors.size(), 1u);
  EXPECT_EQ(summary.errors[0].line, 3u);
  EXPECT_THAT(summary.errors[0].reason,
              AllOf(HasSubstr("dup-time"), HasSubstr("2024-03-01T12:00:00Z"), HasSubstr("2024-03-01T12:05:00Z")));
  EXPECT_EQ(store().transfer_count(), 0);
}

TEST_F(CsvImporterTest, DuplicateHeaderColumnIsAnErrorNamingIt) {
  const std::string path = write_csv("twice.csv", std::string(kHeader) + ",amount\n");
  ASSERT_THAT([&] { import(path); }, ThrowsError(ErrorKind::InvalidArgument,
                                                 AllOf(HasSubstr(path + ":1"), HasSubstr("'amount' appears twice"))));
}

// A malformed CSV record (not just a bad value) aborts the whole import with the file and line; the store is
// unchanged and (TearDown) foreign-key enforcement is back on.
TEST_F(CsvImporterTest, UnterminatedQuoteAbortsTheImportNamingTheLine) {
  const std::string path = write_csv("quote.csv", std::string(kHeader) + "\n" +
                                                      row("tron", "q1", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") +
                                                      "\n" + "tron,\"q2,2024-03-01T12:00:00Z\n");
  ASSERT_THAT([&] { import(path); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr(path + ":3"), HasSubstr("unterminated"))));
  EXPECT_EQ(store().transfer_count(), 0);
  EXPECT_EQ(count("sources"), 0);
}

// The store keeps indexes below 2^24 (transfer id = tx_id * 2^24 + index). A larger value in the `index`
// column is a problem of that column, reported like every other bad value.
TEST_F(CsvImporterTest, IndexBeyondTheStoreLimitIsAnErrorOfTheIndexColumn) {
  const std::string csv = std::string(kHeader) + ",index\n" +
                          row("tron", "wide", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + ",16777215\n" +
                          row("tron", "wide", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + ",16777216\n";
  const auto summary = import(write_csv("index.csv", csv), /*skip_invalid=*/true);
  EXPECT_EQ(summary.inserted, 1u);
  ASSERT_EQ(summary.errors.size(), 1u);
  EXPECT_EQ(summary.errors[0].line, 3u);
  EXPECT_THAT(summary.errors[0].reason, HasSubstr("16777216"));
  EXPECT_EQ(summary.errors[0].column, "index");
}

TEST_F(CsvImporterTest, AmountBeyond256BitsIsARowError) {
  const std::string csv = std::string(kHeader) + "\n" +
                          row("eth", "0xover", "2024-03-01T12:00:00Z", kEthA, kEthB, "ETH",
                              "115792089237316195423570985008687907853269984665640564039457.584007913129639936") +
                          "\n";
  const auto summary = import(write_csv("over.csv", csv), /*skip_invalid=*/true);
  ASSERT_EQ(summary.errors.size(), 1u);
  EXPECT_EQ(summary.errors[0].line, 2u);
  EXPECT_EQ(summary.errors[0].column, "amount");
  EXPECT_THAT(summary.errors[0].reason, HasSubstr("256 bits"));
  EXPECT_EQ(store().transfer_count(), 0);
}

// ---------------------------------------------------------------------------------------------------------
// Idempotence

TEST_F(CsvImporterTest, ImportingTheSameFileTwiceAddsNothing) {
  const std::string csv = std::string(kHeader) + "\n" +
                          row("tron", "r1", "2024-03-01T12:00:00Z", kS, kB, "USDT", "100") + "\n" +
                          row("tron", "r2", "2024-03-01T13:00:00Z", kB, kX, "USDT", "99.5") + "\n" +
                          row("tron", "r3", "2024-03-01T14:00:00Z", kB, kX, "TRX", "15") + "\n";
  const std::string path = write_csv("case.csv", csv);
  const auto first = import(path);
  EXPECT_TRUE(first.committed);
  EXPECT_EQ(first.rows, 3u);
  EXPECT_EQ(first.inserted, 3u);
  EXPECT_EQ(first.duplicates, 0u);
  EXPECT_EQ(first.sha256, core::to_hex(core::sha256(csv)));
  EXPECT_EQ(store().data_version(), 1);
  const auto before = stored();

  const auto second = import(path);
  EXPECT_TRUE(second.committed);
  EXPECT_EQ(second.rows, 3u);
  EXPECT_EQ(second.inserted, 0u);
  EXPECT_EQ(second.duplicates, 3u);
  EXPECT_EQ(second.rejected, 0u);
  EXPECT_EQ(stored(), before);
  EXPECT_EQ(count("sources"), 1) << "the same bytes are one source";
  EXPECT_EQ(store().data_version(), 1) << "an import that adds nothing must not invalidate the graph snapshot";
}

// With --skip-invalid the other rows are committed: a row refused because its transaction is stored with
// another timestamp must leave nothing behind, not even the new wallets it names.
TEST_F(CsvImporterTest, ARowRefusedForItsTransactionsTimestampLeavesNoWalletBehind) {
  ASSERT_TRUE(import(write_csv("first.csv", std::string(kHeader) + "\n" +
                                                row("tron", "t1", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + "\n"))
                  .committed);
  const std::string csv = std::string(kHeader) + "\n" + row("tron", "t1", "2024-03-01T13:00:00Z", kX, kS, "USDT", "1") +
                          "\n" + row("tron", "t2", "2024-03-01T14:00:00Z", kB, kS, "USDT", "2") + "\n";
  const auto summary = import(write_csv("second.csv", csv), /*skip_invalid=*/true);
  ASSERT_TRUE(summary.committed);
  EXPECT_EQ(summary.inserted, 1u);
  ASSERT_EQ(summary.rejected, 1u);
  EXPECT_EQ(summary.errors.at(0).line, 2u);
  EXPECT_THAT(summary.errors.at(0).reason, HasSubstr("already stored with timestamp 2024-03-01T12:00:00Z"));
  EXPECT_EQ(query_int(std::string("SELECT count(*) FROM addresses WHERE address = '") + kX + "'"), 0);
  EXPECT_EQ(count("addresses"), 2);
  EXPECT_EQ(count("transfers"), 2);
}

// The same for a row refused because its transaction and index hold another transfer: the wallets only it
// names are removed before the commit, a wallet an accepted row also names stays.
TEST_F(CsvImporterTest, ARowRefusedForDifferentContentLeavesNoWalletOnlyItNamed) {
  ASSERT_TRUE(import(write_csv("first.csv", std::string(kHeader) + "\n" +
                                                row("tron", "t1", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + "\n"))
                  .committed);
  const char* const kY = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
  const std::string csv = std::string(kHeader) + "\n" + row("tron", "t1", "2024-03-01T12:00:00Z", kX, kS, "USDT", "1") +
                          "\n" +                                                                   // refused
                          row("tron", "t2", "2024-03-01T14:00:00Z", kY, kS, "USDT", "2") + "\n" +  // accepted
                          row("tron", "t1", "2024-03-01T12:00:00Z", kY, kB, "USDT", "5") + "\n";   // refused
  const auto summary = import(write_csv("second.csv", csv), /*skip_invalid=*/true);
  ASSERT_TRUE(summary.committed);
  EXPECT_EQ(summary.inserted, 1u);
  ASSERT_EQ(summary.rejected, 2u);
  EXPECT_THAT(summary.errors.at(0).reason, HasSubstr("different"));
  EXPECT_EQ(query_int(std::string("SELECT count(*) FROM addresses WHERE address = '") + kX + "'"), 0);
  EXPECT_EQ(query_int(std::string("SELECT count(*) FROM addresses WHERE address = '") + kY + "'"), 1);
  EXPECT_EQ(count("addresses"), 3);
  EXPECT_EQ(count("transfers"), 2);
  EXPECT_EQ(query_int("SELECT count(*) FROM transfers WHERE from_id NOT IN (SELECT id FROM addresses) OR "
                      "to_id NOT IN (SELECT id FROM addresses)"),
            0);
}

// The file is hashed as it is read, in pieces of the reader's buffer: the source record must hold the hash of
// all its bytes, and importing the same bytes again must find that record. Another file is another source.
TEST_F(CsvImporterTest, AFileReadInManyPiecesIsRecordedWithTheHashOfAllItsBytes) {
  std::string csv = std::string(kHeader) + "\n";
  for (int i = 0; csv.size() < 2 * CsvReader::kBufferSize + 777; ++i) {
    csv += row("tron", "big" + std::to_string(i), "2024-03-01T12:00:00Z", kS, kB, "USDT", std::to_string(i + 1)) + "\n";
  }
  const std::string path = write_csv("big.csv", csv);
  const auto first = import(path);
  ASSERT_TRUE(first.committed);
  const std::string expected = core::to_hex(core::sha256(csv));
  EXPECT_EQ(first.sha256, expected);
  EXPECT_EQ(count("sources"), 1);
  EXPECT_EQ(query_int("SELECT count(*) FROM sources WHERE sha256 = '" + expected + "'"), 1);
  const auto again = import(path);
  EXPECT_EQ(again.inserted, 0u);
  EXPECT_EQ(count("sources"), 1) << "the same bytes are one source";
  const auto other =
      import(write_csv("other.csv", csv + row("tron", "late", "2024-03-02T12:00:00Z", kB, kX, "USDT", "1") + "\n"));
  EXPECT_EQ(other.inserted, 1u);
  EXPECT_EQ(count("sources"), 2);
  EXPECT_EQ(query_int("SELECT count(*) FROM sources WHERE sha256 IS NULL"), 0);
  EXPECT_EQ(query_int("SELECT count(*) FROM transfers WHERE source_id = (SELECT max(id) FROM sources)"), 1);
}

// A new store's first import loads without the tx-hash index; a transaction whose rows are further apart
// than one batch (16,384 rows) shows only when the index is built, and the file is then imported again the
// normal way: the result is that of an indexed load.
TEST_F(CsvImporterTest, RowsOfOneTransactionFarApartInANewStoreAreOneTransaction) {
  std::string csv =
      std::string(kHeader) + ",index\n" + row("tron", "rep", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + ",0\n";
  constexpr int kFillers = 20000;
  for (int i = 0; i < kFillers; ++i) {
    csv += row("tron", "f" + std::to_string(i), "2024-03-01T12:00:00Z", kB, kX, "USDT", "2") + ",0\n";
  }
  csv += row("tron", "rep", "2024-03-01T12:00:00Z", kS, kX, "USDT", "3") + ",1\n";
  const auto summary = import(write_csv("apart.csv", csv));
  EXPECT_TRUE(summary.committed);
  EXPECT_EQ(summary.rows, kFillers + 2u);
  EXPECT_EQ(summary.inserted, kFillers + 2u);
  EXPECT_EQ(summary.duplicates, 0u);
  EXPECT_EQ(count("transactions"), kFillers + 1);
  EXPECT_EQ(query_int("SELECT count(*) FROM transactions WHERE tx_hash = 'rep'"), 1);
  EXPECT_EQ(query_int("SELECT id FROM transactions WHERE tx_hash = 'rep'"), 1) << "ids in order of first appearance";
  EXPECT_EQ(query_int("SELECT max(id) FROM transactions"), kFillers + 1);
  EXPECT_EQ(query_int("SELECT count(*) FROM transfers WHERE tx_id = 1"), 2);
  EXPECT_EQ(count("sources"), 1) << "the rolled-back first pass leaves no source record behind";
  EXPECT_EQ(hash_index_count(), 1);
}

TEST_F(CsvImporterTest, FirstImportIntoANewStoreStoresWhatAnImportIntoAFilledOneStores) {
  const std::string csv = std::string(kHeader) + "\n" +
                          row("tron", "r2", "2024-03-01T12:00:00Z", kS, kB, "USDT", "100") + "\n" +
                          row("tron", "r2", "2024-03-01T12:00:00Z", kB, kX, "TRX", "15") + "\n" +
                          row("tron", "r1", "2024-03-01T13:00:00Z", kB, kX, "USDT", "99.5") + "\n";
  ASSERT_EQ(count("transactions"), 0);
  EXPECT_TRUE(import(write_csv("new.csv", csv)).committed);  // bulk load
  const auto bulk = stored();

  test::TempCase other(core::Chain::Tron, "fundtrail-import-filled");
  const std::string seed =
      std::string(kHeader) + "\n" + row("tron", "r0", "2024-01-01T00:00:00Z", kS, kB, "USDT", "1") + "\n";
  ImportOptions options;
  ASSERT_TRUE(import_csv(other.store(), write_csv("seed.csv", seed), options).committed);
  ASSERT_TRUE(import_csv(other.store(), write_csv("new.csv", csv), options).committed);  // indexed load
  auto statement = other.store().db().prepare(
      "SELECT t.tx_hash, tr.idx, CAST(tr.amount AS TEXT) FROM transfers tr JOIN transactions t ON t.id = tr.tx_id "
      "WHERE t.tx_hash <> 'r0' ORDER BY t.tx_hash, tr.idx");
  std::vector<std::string> filled;
  while (statement.step()) {
    filled.push_back(statement.column_text(0) + ":" + std::to_string(statement.column_int64(1)) + ":" +
                     statement.column_text(2));
  }
  std::vector<std::string> fresh;
  for (const StoredTransfer& t : bulk) fresh.push_back(t.tx_hash + ":" + std::to_string(t.index) + ":" + t.amount);
  EXPECT_EQ(fresh, filled);
  EXPECT_THAT(fresh, ElementsAre("r1:0:99500000", "r2:0:100000000", "r2:1:15000000"));
}

TEST_F(CsvImporterTest, RepeatedRowWithAnIndexInTheFileIsADuplicate) {
  const std::string line = "tron,rep,2024-03-01T12:00:00Z," + std::string(kS) + "," + kB + ",USDT,5,0";
  const auto summary = import(write_csv("rep.csv", std::string(kHeader) + ",index\n" + line + "\n" + line + "\n"));
  EXPECT_TRUE(summary.committed);
  EXPECT_EQ(summary.inserted, 1u);
  EXPECT_EQ(summary.duplicates, 1u);
  EXPECT_EQ(store().transfer_count(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// CSV dialects and values

TEST_F(CsvImporterTest, BomCrlfQuotedCommasAndShuffledColumns) {
  const std::string csv =
      "\xEF\xBB\xBF"
      "amount,to,asset,from,timestamp,tx_hash,chain,decimals\r\n"
      "12.34,\"bank:DE89 3704, Berlin\",USD,\"acct:ACME, Ltd.\",2024-03-01T12:00:00Z,\"wire,0001\",generic,\r\n"
      "250.000001," +
      std::string(kB) + ",usdt," + kS +
      ",1709294400,abc,TRON,\r\n"
      "\r\n"
      "0.5," +
      kX + ",TRX," + kB + ",2024-03-01T14:00:00+02:00,def,tron,";  // no line end at the very end
  const auto summary = import(write_csv("dialect.csv", csv));
  ASSERT_TRUE(summary.committed) << (summary.errors.empty() ? "" : summary.errors[0].reason);
  EXPECT_EQ(summary.rows, 3u);
  EXPECT_EQ(summary.inserted, 3u);
  EXPECT_THAT(stored(), ElementsAre(StoredTransfer{"abc", 0, kS, kB, "USDT", "250000001", kNoon},
                                    StoredTransfer{"def", 0, kB, kX, "TRX", "500000", kNoon},
                                    StoredTransfer{"wire,0001", 0, "acct:ACME, Ltd.", "bank:DE89 3704, Berlin", "USD",
                                                   "1234", kNoon}));
}

TEST_F(CsvImporterTest, HugeAmountIsStoredExactly) {
  const std::string csv =
      std::string(kHeader) + "\n" + row("eth", "0xhuge", "2024-03-01T12:00:00Z", kEthA, kEthB, "ETH", kMaxUint256Eth) +
      "\n" + row("eth", "0xsmall", "2024-03-01T12:00:00Z", kEthA, kEthB, "ETH", "0.000000000000000001") + "\n";
  const auto summary = import(write_csv("huge.csv", csv));
  ASSERT_TRUE(summary.committed) << (summary.errors.empty() ? "" : summary.errors[0].reason);
  EXPECT_THAT(stored(), ElementsAre(StoredTransfer{"0xhuge", 0, kEthA, kEthB, "ETH", kMaxUint256, kNoon},
                                    StoredTransfer{"0xsmall", 0, kEthA, kEthB, "ETH", "1", kNoon}));
  std::vector<std::string> scanned;
  store().scan_transfers(0, [&](const store::TransferRow& r) {
    scanned.push_back(r.amount_is_text ? std::string(r.amount_text) : std::to_string(r.amount_int));
  });
  EXPECT_THAT(scanned, ElementsAre(kMaxUint256, "1"));
}

TEST_F(CsvImporterTest, WithoutIndexColumnRowsOfOneTransactionAreNumberedInFileOrder) {
  const std::string csv = std::string(kHeader) + "\n" +
                          row("tron", "multi", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + "\n" +
                          row("tron", "multi", "2024-03-01T12:00:00Z", kS, kX, "USDT", "2") + "\n" +
                          row("tron", "multi", "2024-03-01T12:00:00Z", kB, kX, "TRX", "3") + "\n" +
                          row("tron", "single", "2024-03-01T12:00:00Z", kX, kS, "USDT", "4") + "\n";
  const auto summary = import(write_csv("multi.csv", csv));
  ASSERT_TRUE(summary.committed) << (summary.errors.empty() ? "" : summary.errors[0].reason);
  EXPECT_THAT(stored(), ElementsAre(StoredTransfer{"multi", 0, kS, kB, "USDT", "1000000", kNoon},
                                    StoredTransfer{"multi", 1, kS, kX, "USDT", "2000000", kNoon},
                                    StoredTransfer{"multi", 2, kB, kX, "TRX", "3000000", kNoon},
                                    StoredTransfer{"single", 0, kX, kS, "USDT", "4000000", kNoon}));
  // Re-importing numbers them the same way: all duplicates.
  const auto again = import(write_csv("multi-again.csv", csv + "\n"));
  EXPECT_EQ(again.inserted, 0u);
  EXPECT_EQ(again.duplicates, 4u);
}

// Without an index column only ADJACENT rows of a transaction are numbered 0, 1, ... (commit 1ec9b22): an
// export sorted by time may interleave transactions, and then the second run of `A` restarts at index 0 and
// collides with the first. That is refused (never silently merged) with a hint to add an index column;
// with the column the same rows import.
TEST_F(CsvImporterTest, WithoutIndexColumnInterleavedRowsOfOneTransactionAreRefusedWithAHint) {
  const std::string csv = std::string(kHeader) + "\n" + row("tron", "A", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") +
                          "\n" + row("tron", "B", "2024-03-01T12:00:00Z", kS, kX, "USDT", "2") + "\n" +
                          row("tron", "A", "2024-03-01T12:00:00Z", kB, kX, "USDT", "3") + "\n";
  const auto summary = import(write_csv("interleaved.csv", csv));
  EXPECT_FALSE(summary.committed);
  ASSERT_EQ(summary.errors.size(), 1u);
  EXPECT_EQ(summary.errors[0].line, 4u);
  EXPECT_THAT(summary.errors[0].reason,
              AllOf(HasSubstr("transfer A index 0"), HasSubstr("adjacent"), HasSubstr("add an index column")));
  EXPECT_EQ(store().transfer_count(), 0);

  const std::string indexed = std::string(kHeader) + ",index\n" +
                              row("tron", "A", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + ",0\n" +
                              row("tron", "B", "2024-03-01T12:00:00Z", kS, kX, "USDT", "2") + ",0\n" +
                              row("tron", "A", "2024-03-01T12:00:00Z", kB, kX, "USDT", "3") + ",1\n";
  const auto ok = import(write_csv("indexed.csv", indexed));
  ASSERT_TRUE(ok.committed) << (ok.errors.empty() ? "" : ok.errors[0].reason);
  EXPECT_THAT(stored(), ElementsAre(StoredTransfer{"A", 0, kS, kB, "USDT", "1000000", kNoon},
                                    StoredTransfer{"A", 1, kB, kX, "USDT", "3000000", kNoon},
                                    StoredTransfer{"B", 0, kS, kX, "USDT", "2000000", kNoon}));
}

// With an index column the hint would be wrong: the conflict is reported as it is.
TEST_F(CsvImporterTest, ConflictWithAnIndexColumnHasNoAdjacencyHint) {
  const std::string csv = std::string(kHeader) + ",index\n" +
                          row("tron", "A", "2024-03-01T12:00:00Z", kS, kB, "USDT", "1") + ",0\n" +
                          row("tron", "A", "2024-03-01T12:00:00Z", kS, kX, "USDT", "1") + ",0\n";
  const auto summary = import(write_csv("conflict.csv", csv));
  EXPECT_FALSE(summary.committed);
  ASSERT_EQ(summary.errors.size(), 1u);
  EXPECT_EQ(summary.errors[0].line, 3u);
  EXPECT_THAT(summary.errors[0].reason, HasSubstr("transfer A index 0"));
  EXPECT_THAT(summary.errors[0].reason, ::testing::Not(HasSubstr("adjacent")));
}

// The importer skips re-validating a wallet it has already written; every other spelling of it must still be
// normalised, and damaged text still refused, on every row.
TEST_F(CsvImporterTest, RepeatedWalletsAreNormalisedAndCheckedOnEveryRow) {
  const std::string eip55 = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  const std::string eth_lower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
  const std::string tron_hex = core::tron_base58_to_hex(kS);
  const std::string csv =
      "chain,tx_hash,timestamp,from,to,asset,amount,decimals\n"
      "tron,tx01,2024-03-01T12:00:00Z," +
      std::string(kS) + "," + kB +
      ",USDT,1,\n"
      "tron,tx02,2024-03-01T12:00:00Z," +
      tron_hex + "," + kB +
      ",USDT,2,\n"
      "tron,tx03,2024-03-01T12:00:00Z," +
      kS + "," + kBadChecksum +
      ",USDT,3,\n"
      "eth,tx04,2024-03-01T12:00:00Z," +
      eth_lower + "," + kEthA +
      ",ETH,4,\n"
      "eth,tx05,2024-03-01T12:00:00Z," +
      eip55 + "," + kEthA +
      ",ETH,5,\n"
      "eth,tx06,2024-03-01T12:00:00Z,0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD," +
      kEthA +
      ",ETH,6,\n"
      "generic,tx07,2024-03-01T12:00:00Z," +
      kS + "," + kB + ",PTS,7,0\n";
  const auto summary = import(write_csv("wallets.csv", csv), /*skip_invalid=*/true);
  ASSERT_EQ(summary.errors.size(), 2u);
  EXPECT_EQ(summary.errors[0].line, 4u);
  EXPECT_EQ(summary.errors[0].column, "to");
  EXPECT_THAT(summary.errors[0].reason, HasSubstr("checksum"));
  EXPECT_EQ(summary.errors[1].line, 7u);
  EXPECT_EQ(summary.errors[1].column, "from");
  EXPECT_THAT(summary.errors[1].reason, HasSubstr("EIP-55"));
  EXPECT_EQ(summary.inserted, 5u);
  EXPECT_THAT(stored(), ElementsAre(StoredTransfer{"tx01", 0, kS, kB, "USDT", "1000000", kNoon},
                                    StoredTransfer{"tx02", 0, kS, kB, "USDT", "2000000", kNoon},
                                    StoredTransfer{"tx04", 0, eth_lower, kEthA, "ETH", "4000000000000000000", kNoon},
                                    StoredTransfer{"tx05", 0, eth_lower, kEthA, "ETH", "5000000000000000000", kNoon},
                                    StoredTransfer{"tx07", 0, kS, kB, "PTS", "7", kNoon}));
  EXPECT_EQ(count("addresses"), 6) << "tron kS, kB; eth lower-case, kEthA; generic kS, kB";
}

TEST_F(CsvImporterTest, GenericLedgerRowsWithFreeTextAccountsAndDecimals) {
  const std::string csv =
      "chain,tx_hash,timestamp,from,to,asset,amount,block_height,index,decimals\n"
      "generic,exch-001,2024-03-01T12:00:00Z,  acct:EXCH-4471  ,bank:DEMO IBAN 0001,PTS,12.345,,,3\n"
      "generic,exch-002,2024-03-01T13:00:00Z,acct:EXCH-4471,bank:DEMO IBAN 0001,pts,1,,,\n"
      "generic,exch-003,2024-03-01T14:00:00Z,acct:EXCH-4471,bank:DEMO-IBAN-0002,USD,1500.5,,,\n"
      "generic,exch-004,2024-03-01T15:00:00Z,acct:EXCH-4471,bank:DEMO-IBAN-0002,GOLD,1,,,\n"
      "generic,exch-005,2024-03-01T16:00:00Z,acct:EXCH-4471,bank:DEMO-IBAN-0002,PTS,1,,,4\n"
      "generic,exch-006,2024-03-01T17:00:00Z,acct:EXCH-4471,bank:DEMO-IBAN-0002,PTS,1,,,three\n";
  const auto summary = import(write_csv("ledger.csv", csv), /*skip_invalid=*/true);
  EXPECT_TRUE(summary.committed);
  EXPECT_EQ(summary.inserted, 3u);
  ASSERT_EQ(summary.errors.size(), 3u);
  EXPECT_EQ(summary.errors[0].line, 5u);
  EXPECT_EQ(summary.errors[0].column, "asset");
  EXPECT_THAT(summary.errors[0].reason, AllOf(HasSubstr("GOLD"), HasSubstr("decimals")));
  EXPECT_EQ(summary.errors[1].line, 6u);
  EXPECT_EQ(summary.errors[1].column, "asset");
  EXPECT_THAT(summary.errors[1].reason, AllOf(HasSubstr("PTS"), HasSubstr("3"), HasSubstr("4")));
  EXPECT_EQ(summary.errors[2].line, 7u);
  EXPECT_EQ(summary.errors[2].column, "decimals");
  EXPECT_THAT(summary.errors[2].reason, HasSubstr("three"));
  EXPECT_THAT(
      stored(),
      ElementsAre(
          StoredTransfer{"exch-001", 0, "acct:EXCH-4471", "bank:DEMO IBAN 0001", "PTS", "12345", kNoon},
          StoredTransfer{"exch-002", 0, "acct:EXCH-4471", "bank:DEMO IBAN 0001", "PTS", "1000", kNoon + 3600},
          StoredTransfer{"exch-003", 0, "acct:EXCH-4471", "bank:DEMO-IBAN-0002", "USD", "150050", kNoon + 7200}));
  // Free-text accounts are addresses of the generic chain.
  EXPECT_TRUE(store().find_address(core::Chain::Generic, "acct:EXCH-4471").has_value());
  EXPECT_FALSE(store().find_address(core::Chain::Tron, "acct:EXCH-4471").has_value());
}

}  // namespace
}  // namespace fundtrail::ingest
