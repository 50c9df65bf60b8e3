// TransferWriter: idempotent writes, conflicts, exact big amounts, asset decimals, sources, data_version.
#include "fundtrail/store/address_id_cache.hpp"
#include "fundtrail/store/transfer_writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "support/error_matchers.hpp"
#include "support/store_fixture.hpp"

namespace fundtrail::store {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::error_from;
using test::ThrowsError;

constexpr const char* kSeller = "TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt";
constexpr const char* kBroker = "TMt3ojNDGxrMXDbfh2MU8gHkgk9MkNdMDT";
constexpr const char* kExchanger = "TJvwnLxY6nonctFpY5s73s8zW6eQZKB4E9";
constexpr const char* kMaxUint256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
constexpr core::UnixSeconds kT0 = 1709294400;  // 2024-03-01T12:00:00Z

core::Amount base_units(const std::string& digits) { return core::Amount::parse_base_units(digits); }

// The source record of the file /cases/a.csv whose SHA-256 is `sha256_fill` repeated 64 times.
SourceInfo csv_source(char sha256_fill) {
  SourceInfo csv;
  csv.kind = "file";
  csv.provider = "csv";
  csv.locator = "/cases/a.csv";
  csv.sha256 = std::string(64, sha256_fill);
  return csv;
}

class TransferWriterTest : public ::testing::Test {
 protected:
  CaseStore& store() { return case_.store(); }

  static core::Transfer transfer(const std::string& tx, std::uint32_t index, const std::string& amount_base_units,
                                 core::UnixSeconds timestamp = kT0) {
    core::Transfer t;
    t.chain = core::Chain::Tron;
    t.tx_hash = tx;
    t.index = index;
    t.from = kSeller;
    t.to = kBroker;
    t.asset = "USDT";
    t.decimals = 6;
    t.amount = base_units(amount_base_units);
    t.block_height = 59302282;
    t.timestamp = timestamp;
    return t;
  }

  std::int64_t count(const std::string& table) {
    auto statement = store().db().prepare("SELECT count(*) FROM " + table);
    statement.step();
    return statement.column_int64(0);
  }

  // Amounts in id order, as the graph reads them.
  std::vector<std::pair<bool, std::string>> scanned_amounts() {
    std::vector<std::pair<bool, std::string>> result;
    store().scan_transfers(0, [&](const TransferRow& row) {
      result.emplace_back(row.amount_is_text,
                          row.amount_is_text ? std::string(row.amount_text) : std::to_string(row.amount_int));
    });
    return result;
  }

  test::TempCase case_{core::Chain::Tron, "fundtrail-writer"};
};

TEST_F(TransferWriterTest, ExactDuplicatesAreSkipped) {
  {
    Transaction transaction(store().db());
    TransferWriter writer(store());
    const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
    EXPECT_EQ(writer.write(transfer("tx1", 0, "1500000"), usdt.id, std::nullopt), WriteOutcome::Inserted);
    EXPECT_EQ(writer.write(transfer("tx1", 1, kMaxUint256), usdt.id, std::nullopt), WriteOutcome::Inserted);
    EXPECT_EQ(writer.write(transfer("tx1", 0, "1500000"), usdt.id, std::nullopt), WriteOutcome::Duplicate);
    EXPECT_EQ(writer.write(transfer("tx1", 1, kMaxUint256), usdt.id, std::nullopt), WriteOutcome::Duplicate);
    transaction.commit();
  }
  // A later command (a fresh writer with empty caches) sees the same rows as duplicates too.
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  EXPECT_EQ(writer.write(transfer("tx1", 0, "1500000"), usdt.id, std::nullopt), WriteOutcome::Duplicate);
  EXPECT_EQ(writer.write(transfer("tx1", 1, kMaxUint256), usdt.id, std::nullopt), WriteOutcome::Duplicate);
  transaction.commit();
  EXPECT_EQ(store().transfer_count(), 2);
  EXPECT_EQ(count("transactions"), 1);
  EXPECT_EQ(count("addresses"), 2);
}

TEST_F(TransferWriterTest, InternAddressesNumbersNewWalletsInRowOrderAndFindsKnownOnes) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  std::vector<core::Transfer> rows{transfer("tx1", 0, "1"), transfer("tx2", 0, "2"), transfer("tx3", 0, "3")};
  rows[1].from = kBroker;
  rows[1].to = kExchanger;
  rows[2].chain = core::Chain::Generic;  // the same text in another chain's ledger is another wallet
  const std::vector<WalletIds> ids = writer.intern_addresses(rows);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0].from, 1);  // kSeller, then kBroker: from before to, row by row
  EXPECT_EQ(ids[0].to, 2);
  EXPECT_EQ(ids[1].from, 2);
  EXPECT_EQ(ids[1].to, 3);
  EXPECT_EQ(ids[2].from, 4);
  EXPECT_EQ(ids[2].to, 5);
  EXPECT_EQ(count("addresses"), 5);

  // With hashes computed ahead (the importer's parsing thread) the answer is the same, and known wallets
  // are found, not inserted again.
  std::vector<AddressHashes> hashes;
  for (const core::Transfer& row : rows) {
    const auto chain = static_cast<std::uint8_t>(row.chain);
    hashes.push_back(AddressHashes{AddressIdCache::hash_of(chain, row.from), AddressIdCache::hash_of(chain, row.to)});
  }
  const std::vector<WalletIds> again = writer.intern_addresses(rows, hashes);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(again[i].from, ids[i].from) << i;
    EXPECT_EQ(again[i].to, ids[i].to) << i;
  }
  EXPECT_EQ(count("addresses"), 5);

  // A new writer (an empty cache) finds them in the store.
  TransferWriter later(store());
  const std::vector<WalletIds> stored = later.intern_addresses(rows);
  EXPECT_EQ(stored[1].to, 3);
  EXPECT_EQ(stored[2].from, 4);
  EXPECT_EQ(count("addresses"), 5);
}

TEST_F(TransferWriterTest, WalletIdsKnownToTheCallerAreWrittenWithoutAnotherLookUp) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  const std::vector<core::Transfer> rows{transfer("tx2", 0, "7")};
  const std::vector<WalletIds> ids = writer.intern_addresses(rows);
  const std::int64_t seller = ids[0].from;
  const std::int64_t broker = ids[0].to;
  EXPECT_GT(seller, 0);
  EXPECT_GT(broker, 0);
  EXPECT_NE(seller, broker);

  // The ids given are the ones written (here deliberately swapped, which only a caller's bug would do, to
  // show they are used as given); 0 means "intern it here".
  const auto txs = writer.intern_transactions(rows, std::nullopt);
  EXPECT_EQ(writer.write(rows[0], txs[0], usdt.id, std::nullopt, WalletIds{broker, 0}), WriteOutcome::Inserted);
  auto stored = store().db().prepare("SELECT from_id, to_id FROM transfers WHERE id = ?1");
  stored.bind(1, transfer_id_of(txs[0].id, 0));
  ASSERT_TRUE(stored.step());
  EXPECT_EQ(stored.column_int64(0), broker);
  EXPECT_EQ(stored.column_int64(1), broker) << "to = kBroker, interned by the writer itself";
}

TEST_F(TransferWriterTest, SameKeyWithOtherContentIsRefusedNamingTheTransaction) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  const auto trx = writer.resolve_asset(core::Chain::Tron, "TRX", std::nullopt);
  ASSERT_EQ(writer.write(transfer("c0ffee", 3, "1500000"), usdt.id, std::nullopt), WriteOutcome::Inserted);

  auto expect_conflict = [&](const core::Transfer& changed, std::int64_t asset_id, const char* what) {
    ASSERT_THAT([&] { writer.write(changed, asset_id, std::nullopt); },
                ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr("c0ffee"), HasSubstr("index 3"))))
        << what << " was accepted or refused for another reason";
  };
  expect_conflict(transfer("c0ffee", 3, "1500001"), usdt.id, "another amount");
  auto other_to = transfer("c0ffee", 3, "1500000");
  other_to.to = kExchanger;
  expect_conflict(other_to, usdt.id, "another recipient");
  auto other_from = transfer("c0ffee", 3, "1500000");
  other_from.from = kExchanger;
  expect_conflict(other_from, usdt.id, "another sender");
  expect_conflict(transfer("c0ffee", 3, "1500000"), trx.id, "another asset");
  expect_conflict(transfer("c0ffee", 3, kMaxUint256), usdt.id, "a text-stored amount");
  EXPECT_EQ(store().transfer_count(), 1);
}

TEST_F(TransferWriterTest, BigStoredAmountConflictsWithAnotherBigAmount) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  ASSERT_EQ(writer.write(transfer("big", 0, kMaxUint256), usdt.id, std::nullopt), WriteOutcome::Inserted);
  ASSERT_THAT(
      [&] {
        writer.write(
            transfer("big", 0, "115792089237316195423570985008687907853269984665640564039457584007913129639934"),
            usdt.id, std::nullopt);
      },
      ThrowsError(ErrorKind::InvalidArgument, HasSubstr("big")));
}

TEST_F(TransferWriterTest, IndexesUpToTheLimitAreKeptApartAndBeyondItRefused) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  ASSERT_EQ(writer.write(transfer("wide", 0, "1"), usdt.id, std::nullopt), WriteOutcome::Inserted);
  ASSERT_EQ(writer.write(transfer("wide", kMaxTransferIndex, "2"), usdt.id, std::nullopt), WriteOutcome::Inserted);
  ASSERT_EQ(writer.write(transfer("next", 0, "3"), usdt.id, std::nullopt), WriteOutcome::Inserted);
  ASSERT_THAT([&] { writer.write(transfer("wide", kMaxTransferIndex + 1, "4"), usdt.id, std::nullopt); },
              ThrowsError(ErrorKind::InvalidArgument,
                          AllOf(HasSubstr("wide"), HasSubstr(std::to_string(kMaxTransferIndex + 1)))))
      << "an index beyond the id space was accepted";
  transaction.commit();
  EXPECT_EQ(store().transfer_count(), 3);
  EXPECT_EQ(scanned_amounts(), (std::vector<std::pair<bool, std::string>>{{false, "1"}, {false, "2"}, {false, "3"}}));
}

TEST_F(TransferWriterTest, TransactionTimestampConflictIsRefused) {
  {
    Transaction transaction(store().db());
    TransferWriter writer(store());
    const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
    ASSERT_EQ(writer.write(transfer("tx-time", 0, "100", kT0), usdt.id, std::nullopt), WriteOutcome::Inserted);
    // Same command, another transfer of the same transaction at another time.
    ASSERT_THAT([&] { writer.write(transfer("tx-time", 1, "100", kT0 + 60), usdt.id, std::nullopt); },
                ThrowsError(ErrorKind::InvalidArgument,
                            AllOf(HasSubstr("tx-time"), HasSubstr(core::format_iso8601(kT0)),
                                  HasSubstr(core::format_iso8601(kT0 + 60)))))
        << "one transaction with two timestamps was accepted";
    transaction.commit();
  }
  // A later command with a fresh writer reads the timestamp from the store.
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  ASSERT_THAT([&] { writer.write(transfer("tx-time", 0, "100", kT0 - 1), usdt.id, std::nullopt); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr("tx-time"), HasSubstr(core::format_iso8601(kT0)))));
  EXPECT_EQ(store().transfer_count(), 1);
}

// (id, tx_hash, block_height, timestamp) of every stored transaction, in id order.
std::vector<std::tuple<std::int64_t, std::string, std::int64_t, std::int64_t>> stored_transactions(CaseStore& store) {
  std::vector<std::tuple<std::int64_t, std::string, std::int64_t, std::int64_t>> rows;
  auto statement = store.db().prepare("SELECT id, tx_hash, block_height, timestamp FROM transactions ORDER BY id");
  while (statement.step()) {
    rows.emplace_back(statement.column_int64(0), statement.column_text(1), statement.column_int64(2),
                      statement.column_int64(3));
  }
  return rows;
}

std::vector<std::int64_t> ids_of(const std::vector<InternedTransaction>& txs) {
  std::vector<std::int64_t> ids;
  for (const auto& tx : txs) ids.push_back(tx.id);
  return ids;
}

TEST_F(TransferWriterTest, BatchInterningGivesTheIdsRowByRowWritingGives) {
  // Hashes out of alphabetical order, one transaction repeated apart, with another time on its second row.
  std::vector<core::Transfer> rows{transfer("tx-c", 0, "1", kT0), transfer("tx-a", 0, "2", kT0 + 1),
                                   transfer("tx-c", 1, "3", kT0 + 9), transfer("tx-b", 0, "4", kT0 + 2)};
  rows[1].block_height = 7;
  std::vector<std::tuple<std::int64_t, std::string, std::int64_t, std::int64_t>> row_by_row;
  {
    test::TempCase other(core::Chain::Tron, "fundtrail-rowbyrow");
    Transaction transaction(other.store().db());
    TransferWriter writer(other.store());
    const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
    writer.write(rows[0], usdt.id, std::nullopt);
    writer.write(rows[1], usdt.id, std::nullopt);
    EXPECT_THROW(writer.write(rows[2], usdt.id, std::nullopt), Error) << "tx-c's second row has another time";
    writer.write(rows[3], usdt.id, std::nullopt);
    transaction.commit();
    row_by_row = stored_transactions(other.store());
  }

  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  EXPECT_TRUE(writer.intern_transactions({}, std::nullopt).empty());
  const auto txs = writer.intern_transactions(rows, std::nullopt);
  EXPECT_THAT(ids_of(txs), ElementsAre(1, 2, 1, 3));
  EXPECT_EQ(txs[2].timestamp, kT0) << "a transaction keeps the time of its first row";
  EXPECT_EQ(stored_transactions(store()), row_by_row);
  EXPECT_EQ(writer.write(rows[0], txs[0], usdt.id, std::nullopt), WriteOutcome::Inserted);
  EXPECT_THAT([&] { writer.write(rows[2], txs[2], usdt.id, std::nullopt); },
              ThrowsError(ErrorKind::InvalidArgument, HasSubstr("tx-c")));
}

TEST_F(TransferWriterTest, BatchWithStoredTransactionsKeepsTheirIdsAndNumbersOnlyTheNewOnes) {
  {
    Transaction transaction(store().db());
    TransferWriter writer(store());
    const std::vector<core::Transfer> first{transfer("tx-b", 0, "1", kT0), transfer("tx-d", 0, "1", kT0)};
    writer.intern_transactions(first, std::nullopt);
    transaction.commit();
  }
  Transaction transaction(store().db());
  TransferWriter writer(store());
  // tx-a sorts before the stored tx-b: it is inserted before the batch finds out tx-b is stored.
  const std::vector<core::Transfer> rows{transfer("tx-e", 0, "1", kT0 + 5), transfer("tx-d", 0, "1", kT0),
                                         transfer("tx-a", 0, "1", kT0 + 6), transfer("tx-b", 0, "1", kT0)};
  const auto txs = writer.intern_transactions(rows, std::nullopt);
  EXPECT_THAT(ids_of(txs), ElementsAre(3, 2, 4, 1));
  using Row = std::tuple<std::int64_t, std::string, std::int64_t, std::int64_t>;
  EXPECT_THAT(stored_transactions(store()),
              ElementsAre(Row{1, "tx-b", 59302282, kT0}, Row{2, "tx-d", 59302282, kT0},
                          Row{3, "tx-e", 59302282, kT0 + 5}, Row{4, "tx-a", 59302282, kT0 + 6}));
  // The same batch again: all stored, nothing added.
  EXPECT_EQ(writer.intern_transactions(rows, std::nullopt)[2].id, 4);
  EXPECT_EQ(stored_transactions(store()).size(), 4u);
}

std::int64_t hash_index_count(CaseStore& store) {
  auto statement = store.db().prepare(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'transactions_by_hash'");
  statement.step();
  return statement.column_int64(0);
}

TEST_F(TransferWriterTest, BulkLoadIntoAnEmptyStoreGivesTheRowsOfANormalLoadAndRebuildsTheIndex) {
  const std::vector<core::Transfer> first{transfer("tx-c", 0, "1", kT0), transfer("tx-a", 0, "2", kT0 + 1),
                                          transfer("tx-c", 1, "3", kT0)};
  const std::vector<core::Transfer> second{transfer("tx-b", 0, "4", kT0 + 2), transfer("tx-d", 0, "5", kT0 + 3)};
  std::vector<std::tuple<std::int64_t, std::string, std::int64_t, std::int64_t>> normal;
  {
    test::TempCase other(core::Chain::Tron, "fundtrail-normal-load");
    Transaction transaction(other.store().db());
    TransferWriter writer(other.store());
    writer.intern_transactions(first, std::nullopt);
    writer.intern_transactions(second, std::nullopt);
    transaction.commit();
    normal = stored_transactions(other.store());
  }

  auto index_sql = [&] {
    auto statement = store().db().prepare("SELECT sql FROM sqlite_schema WHERE name = 'transactions_by_hash'");
    return statement.step() ? statement.column_text(0) : std::string();
  };
  const std::string index_before = index_sql();
  ASSERT_FALSE(index_before.empty());
  Transaction transaction(store().db());
  TransferWriter writer(store());
  ASSERT_TRUE(writer.begin_bulk_load());
  EXPECT_EQ(hash_index_count(store()), 0) << "the index is dropped for the load";
  EXPECT_THROW(writer.write(transfer("tx-z", 0, "1"), 1, std::nullopt), std::logic_error)
      << "one-by-one writes need the index";
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  const auto txs = writer.intern_transactions(first, std::nullopt);
  EXPECT_THAT(ids_of(txs), ElementsAre(1, 2, 1));
  writer.intern_transactions(second, std::nullopt);
  EXPECT_EQ(writer.write(first[0], txs[0], usdt.id, std::nullopt), WriteOutcome::Inserted);
  EXPECT_TRUE(writer.finish_bulk_load());
  EXPECT_EQ(hash_index_count(store()), 1);
  EXPECT_EQ(index_sql(), index_before) << "rebuilt exactly as the schema defines it";
  EXPECT_EQ(stored_transactions(store()), normal);
  transaction.commit();

  // The index enforces uniqueness again, and a later load into the now non-empty store is a normal one.
  EXPECT_THROW(store().db().exec("INSERT INTO transactions(chain, tx_hash, timestamp) VALUES (3, 'tx-a', 1)"),
               Error);
  Transaction again(store().db());
  TransferWriter later(store());
  EXPECT_FALSE(later.begin_bulk_load());
  EXPECT_EQ(hash_index_count(store()), 1);
  EXPECT_EQ(later.intern_transactions(first, std::nullopt)[1].id, 2) << "stored hashes are found by the index";
}

TEST_F(TransferWriterTest, BulkLoadWithAHashRepeatedAcrossBatchesCannotFinishAndRollsBackToTheIndexedStore) {
  Transaction transaction(store().db());
  store().db().exec("SAVEPOINT load");
  {
    TransferWriter writer(store());
    ASSERT_TRUE(writer.begin_bulk_load());
    writer.intern_transactions(std::vector<core::Transfer>{transfer("tx-a", 0, "1")}, std::nullopt);
    // Without the index, a later batch cannot know tx-a is loaded: it gets a second row.
    writer.intern_transactions(std::vector<core::Transfer>{transfer("tx-a", 1, "1")}, std::nullopt);
    EXPECT_FALSE(writer.finish_bulk_load());
  }
  store().db().exec("ROLLBACK TO load");
  store().db().exec("RELEASE load");
  EXPECT_EQ(hash_index_count(store()), 1) << "the rollback restores the dropped index";
  EXPECT_EQ(count("transactions"), 0);
}

TEST_F(TransferWriterTest, BuildingTheIndexLeavesTheStoresCacheAndThreadSettingsAsTheyWere) {
  // The index build shrinks the cache (the sorter's run size) and starts sorter threads for its own scope.
  auto pragma = [&](const char* name) {
    auto statement = store().db().prepare(std::string("PRAGMA ") + name);
    EXPECT_TRUE(statement.step());
    return statement.column_int64(0);
  };
  const std::int64_t cache_before = pragma("cache_size");
  const std::int64_t threads_before = pragma("threads");
  ASSERT_NE(cache_before, -4096);
  for (const bool repeated : {false, true}) {
    Transaction transaction(store().db());
    TransferWriter writer(store());
    ASSERT_TRUE(writer.begin_bulk_load());
    writer.intern_transactions(std::vector<core::Transfer>{transfer("tx-a", 0, "1")}, std::nullopt);
    writer.intern_transactions(std::vector<core::Transfer>{transfer(repeated ? "tx-a" : "tx-b", 1, "1")},
                               std::nullopt);
    EXPECT_EQ(writer.finish_bulk_load(), !repeated);
    EXPECT_EQ(pragma("cache_size"), cache_before) << (repeated ? "after a failed build" : "after a build");
    EXPECT_EQ(pragma("threads"), threads_before);
  }
}

TEST_F(TransferWriterTest, AmountsBeyondInt64AreStoredAsTextAndReadBackExactly) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto token = writer.resolve_asset(core::Chain::Eth, "JOKE", 18u);
  const std::vector<std::string> amounts{
      "0",
      "9223372036854775807",   // INT64_MAX: still an INTEGER
      "9223372036854775808",   // INT64_MAX + 1: TEXT
      "340282366920938463463374607431768211455",  // 2^128 - 1
      kMaxUint256,             // 2^256 - 1 wei
  };
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    core::Transfer t = transfer("0xbig" + std::to_string(i), 0, amounts[i]);
    t.chain = core::Chain::Eth;
    t.from = "0x00000000000000000000000000000000000000aa";
    t.to = "0x00000000000000000000000000000000000000bb";
    t.asset = "JOKE";
    t.decimals = 18;
    ASSERT_EQ(writer.write(t, token.id, std::nullopt), WriteOutcome::Inserted) << amounts[i];
  }
  transaction.commit();

  const auto scanned = scanned_amounts();
  ASSERT_EQ(scanned.size(), amounts.size());
  for (std::size_t i = 0; i < amounts.size(); ++i) EXPECT_EQ(scanned[i].second, amounts[i]);
  EXPECT_FALSE(scanned[0].first);
  EXPECT_FALSE(scanned[1].first) << "INT64_MAX fits an INTEGER";
  EXPECT_TRUE(scanned[2].first) << "INT64_MAX + 1 must be TEXT";
  EXPECT_TRUE(scanned[4].first);

  auto types = store().db().prepare("SELECT typeof(amount) FROM transfers ORDER BY id");
  std::vector<std::string> stored_types;
  while (types.step()) stored_types.push_back(types.column_text(0));
  EXPECT_EQ(stored_types, (std::vector<std::string>{"integer", "integer", "text", "text", "text"}));
}

TEST_F(TransferWriterTest, KnownAssetsHaveFixedDecimals) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  EXPECT_EQ(usdt.decimals, 6u);
  const auto same = writer.resolve_asset(core::Chain::Tron, "usdt", 6u);
  EXPECT_EQ(same.id, usdt.id) << "symbols are case-insensitive";

  ASSERT_THAT([&] { writer.resolve_asset(core::Chain::Tron, "USDT", 18u); },
              ThrowsError(ErrorKind::InvalidArgument,
                          AllOf(HasSubstr("USDT"), HasSubstr("tron"), HasSubstr("6"), HasSubstr("18"))))
      << "USDT on tron with 18 decimals was accepted";

  // Also refused the first time it is seen (nothing cached yet) by a fresh writer.
  TransferWriter fresh(store());
  ASSERT_THAT([&] { fresh.resolve_asset(core::Chain::Eth, "USDT", 18u); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr("USDT"), HasSubstr("eth"))));

  // Same symbol on another chain is another asset; ETH on eth has 18.
  const auto eth_usdt = fresh.resolve_asset(core::Chain::Eth, "USDT", std::nullopt);
  EXPECT_NE(eth_usdt.id, usdt.id);
  EXPECT_EQ(fresh.resolve_asset(core::Chain::Eth, "ETH", std::nullopt).decimals, 18u);
  const auto assets = store().assets();
  ASSERT_EQ(assets.size(), 3u);
  EXPECT_EQ(assets[0].info.contract, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
}

TEST_F(TransferWriterTest, UnknownAssetNeedsDecimalsAndKeepsThem) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  ASSERT_THAT([&] { writer.resolve_asset(core::Chain::Tron, "MEME", std::nullopt); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr("MEME"), HasSubstr("tron"), HasSubstr("decimals"))))
      << "an unknown asset without decimals was accepted";

  ASSERT_THAT([&] { writer.resolve_asset(core::Chain::Tron, "MEME", 78u); },
              ThrowsError(ErrorKind::InvalidArgument, HasSubstr("78")));

  const auto meme = writer.resolve_asset(core::Chain::Tron, "MEME", 9u);
  EXPECT_EQ(meme.decimals, 9u);
  EXPECT_EQ(writer.resolve_asset(core::Chain::Tron, "meme", 9u).id, meme.id);
  EXPECT_EQ(writer.resolve_asset(core::Chain::Tron, "MEME", std::nullopt).decimals, 9u);

  ASSERT_THAT([&] { writer.resolve_asset(core::Chain::Tron, "MEME", 12u); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr("MEME"), HasSubstr("9"), HasSubstr("12"))))
      << "MEME with 12 decimals after 9 was accepted";
  transaction.commit();

  // A later command (fresh writer) checks against the stored decimals.
  TransferWriter later(store());
  ASSERT_THAT([&] { later.resolve_asset(core::Chain::Tron, "MEME", 12u); },
              ThrowsError(ErrorKind::InvalidArgument, AllOf(HasSubstr("MEME"), HasSubstr("9"), HasSubstr("12"))))
      << "stored decimals were not checked";
  EXPECT_EQ(later.resolve_asset(core::Chain::Tron, "MEME", 9u).id, meme.id);
}

// The contract: "any other asset needs decimals the FIRST time it is seen". Once the store holds the asset,
// a later import (e.g. a second CSV without a decimals column) may name it without decimals.
TEST_F(TransferWriterTest, UnknownAssetAlreadyInTheStoreResolvesWithoutDecimals) {
  std::int64_t id = 0;
  {
    Transaction transaction(store().db());
    TransferWriter writer(store());
    id = writer.resolve_asset(core::Chain::Tron, "MEME", 9u).id;
    transaction.commit();
  }
  TransferWriter later(store());
  std::optional<ResolvedAsset> resolved;
  auto error = error_from([&] { resolved = later.resolve_asset(core::Chain::Tron, "MEME", std::nullopt); });
  ASSERT_FALSE(error.has_value()) << "stored asset MEME refused without decimals: " << error->what();
  EXPECT_EQ(resolved->id, id);
  EXPECT_EQ(resolved->decimals, 9u);
}

TEST_F(TransferWriterTest, SourcesAreDedupedByKindAndSha256) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  SourceInfo csv = csv_source('a');
  csv.fetched_at = kT0;
  csv.byte_size = 1234;
  const std::int64_t first = writer.add_source(csv);
  EXPECT_EQ(writer.add_source(csv), first);

  SourceInfo renamed = csv;  // the same bytes under another name and time: still the same evidence
  renamed.locator = "/elsewhere/copy-of-a.csv";
  renamed.fetched_at = kT0 + 3600;
  EXPECT_EQ(writer.add_source(renamed), first);

  SourceInfo other = csv;
  other.sha256 = std::string(64, 'b');
  const std::int64_t second = writer.add_source(other);
  EXPECT_NE(second, first);

  SourceInfo http = csv;
  http.kind = "http";
  http.provider = "trongrid";
  http.locator = "https://api.example/tx";
  http.status = 200;
  EXPECT_NE(writer.add_source(http), first) << "kind is part of the key";
  transaction.commit();
  EXPECT_EQ(count("sources"), 3);

  // A fresh writer finds the stored record.
  Transaction again(store().db());
  TransferWriter later(store());
  EXPECT_EQ(later.add_source(csv), first);
  EXPECT_EQ(count("sources"), 3);
}

// add_source's statement is prepared once and reused (once per crawled page): every record keeps its own
// fields, none leaks into the next one (status, SHA-256 and body may be absent).
TEST_F(TransferWriterTest, EachSourceThroughOneWriterKeepsItsOwnFields) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  std::vector<std::int64_t> ids;
  for (int page = 0; page < 3; ++page) {
    SourceInfo http;
    http.kind = "http";
    http.provider = "esplora";
    http.locator = "https://esplora.example/address/x/txs/chain/" + std::to_string(page);
    http.fetched_at = kT0 + page;
    if (page != 1) http.status = 200 + page;
    if (page != 1) http.byte_size = 100 + page;
    if (page != 1) http.sha256 = std::string(64, static_cast<char>('a' + page));
    if (page == 2) http.body_zstd = std::string("\x28\xb5\x2f\xfd", 4);
    ids.push_back(writer.add_source(http));
  }
  transaction.commit();
  auto rows = store().db().prepare(
      "SELECT id, locator, fetched_at, coalesce(status, -1), coalesce(byte_size, -1), coalesce(sha256, '-'), "
      "coalesce(length(body), -1) FROM sources ORDER BY id");
  std::vector<std::string> stored;
  while (rows.step()) {
    std::string row;
    for (int column = 1; column < 7; ++column) row += rows.column_text(column) + "|";
    stored.push_back(row);
    EXPECT_EQ(rows.column_int64(0), ids[stored.size() - 1]);
  }
  const std::string base = "https://esplora.example/address/x/txs/chain/";
  EXPECT_THAT(stored, ::testing::ElementsAre(
                          base + "0|" + std::to_string(kT0) + "|200|100|" + std::string(64, 'a') + "|-1|",
                          base + "1|" + std::to_string(kT0 + 1) + "|-1|-1|-|-1|",
                          base + "2|" + std::to_string(kT0 + 2) + "|202|102|" + std::string(64, 'c') + "|4|"));
}

TEST_F(TransferWriterTest, EveryBumpOfTheDataVersionCounts) {
  const std::int64_t before = store().data_version();
  for (int page = 0; page < 3; ++page) store().bump_data_version();
  EXPECT_EQ(store().data_version(), before + 3);
}

TEST_F(TransferWriterTest, TransfersRecordTheirSource) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const SourceInfo csv = csv_source('c');
  const std::int64_t source = writer.add_source(csv);
  const auto usdt = writer.resolve_asset(core::Chain::Tron, "USDT", std::nullopt);
  ASSERT_EQ(writer.write(transfer("src", 0, "1"), usdt.id, source), WriteOutcome::Inserted);
  transaction.commit();
  const TransferDetail detail = store().transfer_detail(store().max_transfer_id());
  EXPECT_EQ(detail.tx_hash, "src");
  EXPECT_EQ(detail.source_id, source);
  EXPECT_EQ(detail.block_height, 59302282);
}

TEST_F(TransferWriterTest, DataVersionBumpsOnlyWhenCommitted) {
  EXPECT_EQ(store().data_version(), 0);
  {
    Transaction transaction(store().db());
    store().bump_data_version();
    transaction.commit();
  }
  EXPECT_EQ(store().data_version(), 1);
  {
    Transaction transaction(store().db());
    store().bump_data_version();
    store().bump_data_version();
    EXPECT_EQ(store().data_version(), 3);
    // no commit: rolled back
  }
  EXPECT_EQ(store().data_version(), 1);
  case_.close();
  CaseStore reopened(case_.db_path(), OpenMode::MustExist);
  EXPECT_EQ(reopened.data_version(), 1);
}

}  // namespace
}  // namespace fundtrail::store
