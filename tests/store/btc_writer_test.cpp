// BtcWriter and schema v3: UTXO rows next to the derived transfers, idempotent writes, unconfirmed ->
// confirmed, spent_by links, the v2 -> v3 migration, and read_btc_transaction.
#include "fundtrail/store/btc_writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "fundtrail/core/btc_transaction.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/schema.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "fundtrail/store/transfer_writer.hpp"
#include "support/error_matchers.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::store {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using test::TempDir;

using test::error_from;

constexpr const char* kA = "bc1ql4k3tlur9sf0rlcy5hxd2qulwgnmyc9akehvth";
constexpr const char* kB = "1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Rd";
constexpr const char* kC = "38Jht2bzmJL4EwoFvvyFzejhfEb4J7KxLb";
constexpr const char* kX = "bc1q0hhg573c4wlmqrdlhgm9ert8z2f5e3y3lf9hvx";
constexpr const char* kY = "1DJKJGApgX4W8BSQ8FRPLqX78UaCskT4r2";
constexpr core::UnixSeconds kFirstSeen = 1719600000;
constexpr core::UnixSeconds kLaterSeen = 1719600500;
constexpr core::UnixSeconds kBlockTime = 1719689674;

std::string hex64(char fill) { return std::string(64, fill); }

core::BtcInput input(const std::string& address, std::uint64_t value, const std::string& prev_txid,
                     std::uint32_t vout) {
  core::BtcInput in;
  in.prev_txid = prev_txid;
  in.prev_vout = vout;
  in.address = address;
  in.script_type = "p2pkh";
  in.value = value;
  in.sequence = 0xfffffffd;
  in.script_hex = "76a914000000000000000000000000000000000000000088ac";
  return in;
}

core::BtcOutput output(std::optional<std::string> address, std::uint64_t value, std::string type = "p2pkh",
                       std::string script = "76a914111111111111111111111111111111111111111188ac") {
  core::BtcOutput out;
  out.address = std::move(address);
  out.script_type = std::move(type);
  out.value = value;
  out.script_hex = std::move(script);
  return out;
}

core::BtcTransaction make_tx(const std::string& txid, std::vector<core::BtcInput> inputs,
                             std::vector<core::BtcOutput> outputs) {
  core::BtcTransaction tx;
  tx.txid = txid;
  tx.version = 2;
  tx.locktime = 850000;
  tx.size = 224;
  tx.weight = 572;
  tx.inputs = std::move(inputs);
  tx.outputs = std::move(outputs);
  std::uint64_t in = 0;
  std::uint64_t out = 0;
  for (const auto& i : tx.inputs) in += i.value;
  for (std::size_t n = 0; n < tx.outputs.size(); ++n) {
    tx.outputs[n].n = static_cast<std::uint32_t>(n);
    out += tx.outputs[n].value;
  }
  tx.fee = in - out;
  return tx;
}

core::BtcTransaction confirmed(core::BtcTransaction tx, char block = '0', core::UnixSeconds time = kBlockTime,
                               std::optional<std::int64_t> height = 850000) {
  tx.confirmed = true;
  tx.block_hash = hex64(block);
  tx.block_time = time;
  tx.block_height = height;
  return tx;
}

// The worked example of docs/bitcoin-model.md.
core::BtcTransaction worked_example() {
  return make_tx(hex64('e'),
                 {input(kA, 50'000, hex64('a'), 0), input(kB, 30'000, hex64('b'), 1), input(kC, 20'000, hex64('c'), 2)},
                 {output(kX, 33'333, "v0_p2wpkh", "0014" + std::string(40, '7')), output(kY, 66'000),
                  output(std::nullopt, 0, "op_return", "6a0568656c6c6f")});
}

struct Row {
  std::int64_t index;
  std::string from;
  std::string to;
  std::string amount;
  core::UnixSeconds timestamp;
  bool operator==(const Row&) const = default;
};
void PrintTo(const Row& r, std::ostream* os) {
  *os << "#" << r.index << " " << r.from << " -> " << r.to << " " << r.amount << " @" << r.timestamp;
}

class BtcWriterTest : public ::testing::Test {
 protected:
  BtcWriterTest() : store_(std::make_unique<CaseStore>(dir_.file("case.db"), OpenMode::CreateIfMissing)) {}

  CaseStore& store() { return *store_; }

  WriteOutcome write(const core::BtcTransaction& tx, core::UnixSeconds first_seen = kFirstSeen,
                     std::optional<std::int64_t> source = std::nullopt) {
    Transaction transaction(store().db());
    BtcWriter writer(store());
    const WriteOutcome outcome = writer.write(tx, source, first_seen);
    transaction.commit();
    return outcome;
  }

  std::int64_t query_int(const std::string& sql, const std::string& text = "") {
    auto statement = store().db().prepare(sql);
    if (!text.empty()) statement.bind(1, text);
    if (!statement.step()) throw std::runtime_error("no row for " + sql);
    return statement.column_int64(0);
  }

  std::optional<std::string> query_text(const std::string& sql, const std::string& text = "") {
    auto statement = store().db().prepare(sql);
    if (!text.empty()) statement.bind(1, text);
    if (!statement.step() || statement.is_null(0)) return std::nullopt;
    return statement.column_text(0);
  }

  std::vector<Row> transfers_of(const std::string& txid) {
    auto statement = store().db().prepare(
        "SELECT f.idx, a.address, b.address, f.amount, f.timestamp FROM transfers f "
        "JOIN transactions t ON t.id = f.tx_id JOIN addresses a ON a.id = f.from_id "
        "JOIN addresses b ON b.id = f.to_id WHERE t.chain = 1 AND t.tx_hash = ?1 ORDER BY f.id");
    statement.bind(1, txid);
    std::vector<Row> rows;
    while (statement.step()) {
      rows.push_back({statement.column_int64(0), statement.column_text(1), statement.column_text(2),
                      statement.column_text(3), statement.column_int64(4)});
    }
    return rows;
  }

  std::int64_t count(const std::string& table) { return query_int("SELECT count(*) FROM " + table); }

  void expect_foreign_keys_hold() {
    auto check = store().db().prepare("PRAGMA foreign_key_check");
    EXPECT_FALSE(check.step()) << "foreign key violation in " << check.column_text(0);
  }

  TempDir dir_;
  std::unique_ptr<CaseStore> store_;
};

TEST_F(BtcWriterTest, DerivedTransfersAreStoredWithExactSums) {
  const auto tx = confirmed(worked_example());
  EXPECT_EQ(write(tx), WriteOutcome::Inserted);
  EXPECT_THAT(transfers_of(tx.txid),
              ElementsAre(Row{0, kA, kX, "16666", kBlockTime}, Row{1, kB, kX, "10000", kBlockTime},
                          Row{2, kC, kX, "6667", kBlockTime}, Row{3, kA, kY, "33000", kBlockTime},
                          Row{4, kB, kY, "19800", kBlockTime}, Row{5, kC, kY, "13200", kBlockTime}));
  // Per output, the parts sum to its value; the fee (667 sat) is transferred to no one.
  EXPECT_EQ(
      query_int("SELECT sum(f.amount) FROM transfers f JOIN addresses a ON a.id = f.to_id WHERE a.address = ?1", kX),
      33'333);
  EXPECT_EQ(query_int("SELECT sum(amount) FROM transfers"), 99'333);
  EXPECT_EQ(query_text("SELECT symbol || ':' || decimals FROM assets WHERE chain = 1"), "BTC:8");

  EXPECT_EQ(count("btc_transactions"), 1);
  EXPECT_EQ(count("btc_inputs"), 3);
  EXPECT_EQ(count("btc_outputs"), 3);  // the OP_RETURN output is kept in the UTXO table
  EXPECT_EQ(query_int("SELECT fee FROM btc_transactions"), 667);
  EXPECT_EQ(query_int("SELECT value FROM btc_outputs WHERE n = 1"), 66'000);
  EXPECT_EQ(query_text("SELECT script_type FROM btc_outputs WHERE n = 2"), "op_return");
  EXPECT_EQ(query_int("SELECT block_height FROM transactions WHERE tx_hash = ?1", tx.txid), 850000);
  expect_foreign_keys_hold();
}

TEST_F(BtcWriterTest, ReadBackEqualsWhatWasWritten) {
  auto tx = confirmed(worked_example());
  tx.inputs[1].address.reset();  // a P2PK-like input: stored without address, with its script
  tx.inputs[1].script_type = "p2pk";
  write(tx);
  const auto read = read_btc_transaction(store(), std::string(64, 'E'));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->txid, tx.txid);
  EXPECT_TRUE(read->confirmed);
  EXPECT_EQ(read->block_hash, tx.block_hash);
  EXPECT_EQ(read->block_height, tx.block_height);
  EXPECT_EQ(read->block_time, tx.block_time);
  EXPECT_EQ(read->version, tx.version);
  EXPECT_EQ(read->locktime, tx.locktime);
  EXPECT_EQ(read->size, tx.size);
  EXPECT_EQ(read->weight, tx.weight);
  EXPECT_EQ(read->fee, tx.fee);
  ASSERT_EQ(read->inputs.size(), tx.inputs.size());
  for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
    EXPECT_EQ(read->inputs[i].prev_txid, tx.inputs[i].prev_txid);
    EXPECT_EQ(read->inputs[i].prev_vout, tx.inputs[i].prev_vout);
    EXPECT_EQ(read->inputs[i].address, tx.inputs[i].address);
    EXPECT_EQ(read->inputs[i].script_type, tx.inputs[i].script_type);
    EXPECT_EQ(read->inputs[i].value, tx.inputs[i].value);
    EXPECT_EQ(read->inputs[i].sequence, tx.inputs[i].sequence);
    EXPECT_EQ(read->inputs[i].script_hex, tx.inputs[i].script_hex);
  }
  ASSERT_EQ(read->outputs.size(), tx.outputs.size());
  for (std::size_t n = 0; n < tx.outputs.size(); ++n) {
    EXPECT_EQ(read->outputs[n].n, n);
    EXPECT_EQ(read->outputs[n].address, tx.outputs[n].address);
    EXPECT_EQ(read->outputs[n].script_type, tx.outputs[n].script_type);
    EXPECT_EQ(read->outputs[n].value, tx.outputs[n].value);
    EXPECT_EQ(read->outputs[n].script_hex, tx.outputs[n].script_hex);
  }
  EXPECT_NO_THROW(core::validate(*read));
  EXPECT_FALSE(read_btc_transaction(store(), hex64('d')));
}

TEST_F(BtcWriterTest, WritingTwiceChangesNothing) {
  const auto tx = confirmed(worked_example());
  ASSERT_EQ(write(tx), WriteOutcome::Inserted);
  const auto version_rows = std::make_tuple(count("transactions"), count("transfers"), count("addresses"),
                                            count("btc_transactions"), count("btc_inputs"), count("btc_outputs"));
  EXPECT_EQ(write(tx), WriteOutcome::Duplicate);
  EXPECT_EQ(write(tx, kLaterSeen), WriteOutcome::Duplicate);
  {
    // Twice within one writer (shared caches) too.
    Transaction transaction(store().db());
    BtcWriter writer(store());
    EXPECT_EQ(writer.write(tx, std::nullopt, kFirstSeen), WriteOutcome::Duplicate);
    EXPECT_EQ(writer.write(tx, std::nullopt, kFirstSeen), WriteOutcome::Duplicate);
    transaction.commit();
  }
  EXPECT_EQ(std::make_tuple(count("transactions"), count("transfers"), count("addresses"), count("btc_transactions"),
                            count("btc_inputs"), count("btc_outputs")),
            version_rows);
}

TEST_F(BtcWriterTest, UnconfirmedThenConfirmedMovesEveryTimestampToTheBlock) {
  const auto mempool = worked_example();
  ASSERT_EQ(write(mempool, kFirstSeen), WriteOutcome::Inserted);
  EXPECT_EQ(query_int("SELECT timestamp FROM transactions WHERE tx_hash = ?1", mempool.txid), kFirstSeen);
  EXPECT_EQ(query_int("SELECT count(*) FROM transactions WHERE block_height IS NULL"), 1);
  EXPECT_EQ(query_int("SELECT confirmed FROM btc_transactions"), 0);
  EXPECT_FALSE(query_text("SELECT block_hash FROM btc_transactions"));
  for (const auto& row : transfers_of(mempool.txid)) EXPECT_EQ(row.timestamp, kFirstSeen);
  EXPECT_FALSE(read_btc_transaction(store(), mempool.txid)->confirmed);

  // Seen again in the mempool later: the first-seen time stays.
  EXPECT_EQ(write(mempool, kLaterSeen), WriteOutcome::Duplicate);
  EXPECT_EQ(query_int("SELECT timestamp FROM transactions WHERE tx_hash = ?1", mempool.txid), kFirstSeen);

  // Mined.
  const auto mined = confirmed(mempool);
  EXPECT_EQ(write(mined, kLaterSeen), WriteOutcome::Inserted);
  EXPECT_EQ(query_int("SELECT timestamp FROM transactions WHERE tx_hash = ?1", mempool.txid), kBlockTime);
  EXPECT_EQ(query_int("SELECT block_height FROM transactions WHERE tx_hash = ?1", mempool.txid), 850000);
  EXPECT_EQ(query_int("SELECT confirmed FROM btc_transactions"), 1);
  EXPECT_EQ(query_text("SELECT block_hash FROM btc_transactions"), hex64('0'));
  const auto rows = transfers_of(mempool.txid);
  ASSERT_EQ(rows.size(), 6u);
  for (const auto& row : rows) EXPECT_EQ(row.timestamp, kBlockTime);
  EXPECT_EQ(count("transfers"), 6);
  const auto read = read_btc_transaction(store(), mempool.txid);
  EXPECT_TRUE(read->confirmed);
  EXPECT_EQ(read->block_time, kBlockTime);

  // A stale mempool view afterwards changes nothing; the confirmed view again neither.
  EXPECT_EQ(write(mempool, kLaterSeen + 100), WriteOutcome::Duplicate);
  EXPECT_EQ(write(mined), WriteOutcome::Duplicate);
  EXPECT_EQ(query_int("SELECT timestamp FROM transactions WHERE tx_hash = ?1", mempool.txid), kBlockTime);
  EXPECT_EQ(query_int("SELECT confirmed FROM btc_transactions"), 1);
  expect_foreign_keys_hold();
}

TEST_F(BtcWriterTest, ReorganisationMovesTheTransactionToTheNewBlock) {
  write(confirmed(worked_example(), '1', kBlockTime, 850000));
  EXPECT_EQ(write(confirmed(worked_example(), '2', kBlockTime + 600, 850001)), WriteOutcome::Inserted);
  EXPECT_EQ(query_text("SELECT block_hash FROM btc_transactions"), hex64('2'));
  EXPECT_EQ(query_int("SELECT block_height FROM transactions"), 850001);
  for (const auto& row : transfers_of(hex64('e'))) EXPECT_EQ(row.timestamp, kBlockTime + 600);
}

TEST_F(BtcWriterTest, AHeightLearnedLaterIsFilledIn) {
  write(confirmed(worked_example(), '1', kBlockTime, std::nullopt));  // Core's getrawtransaction: no height
  EXPECT_EQ(query_int("SELECT count(*) FROM transactions WHERE block_height IS NULL"), 1);
  EXPECT_EQ(write(confirmed(worked_example(), '1', kBlockTime, 850000)), WriteOutcome::Inserted);
  EXPECT_EQ(query_int("SELECT block_height FROM transactions"), 850000);
}

TEST_F(BtcWriterTest, TransactionWithoutTransfersStillGetsItsRows) {
  // All value to OP_RETURN / fee: nothing for the graph, but the UTXO rows exist.
  const auto tx = confirmed(make_tx(hex64('9'), {input(kA, 11'586, hex64('a'), 0)},
                                    {output(std::nullopt, 0, "op_return", "6a05616e6e6578")}));
  EXPECT_EQ(write(tx), WriteOutcome::Inserted);
  EXPECT_EQ(count("transfers"), 0);
  EXPECT_EQ(count("transactions"), 1);
  EXPECT_EQ(query_int("SELECT fee FROM btc_transactions"), 11'586);
  EXPECT_EQ(write(tx), WriteOutcome::Duplicate);
  expect_foreign_keys_hold();
}

TEST_F(BtcWriterTest, SpentByLinksOutputsToTheirSpendersInEitherOrder) {
  const auto parent =
      confirmed(make_tx(hex64('1'), {input(kA, 100'000, hex64('a'), 0)}, {output(kX, 60'000), output(kY, 39'000)}));
  const auto child = confirmed(make_tx(hex64('2'), {input(kX, 60'000, hex64('1'), 0)}, {output(kC, 59'000)}));
  const auto orphan_child = confirmed(make_tx(hex64('3'), {input(kY, 39'000, hex64('1'), 1)}, {output(kB, 38'000)}));
  write(parent);
  write(child);
  EXPECT_EQ(query_text("SELECT spent_by FROM btc_outputs o JOIN transactions t ON t.id = o.tx_id "
                       "WHERE t.tx_hash = ?1 AND o.n = 0",
                       hex64('1')),
            hex64('2') + ":0");
  EXPECT_FALSE(
      query_text("SELECT spent_by FROM btc_outputs o JOIN transactions t ON t.id = o.tx_id "
                 "WHERE t.tx_hash = ?1 AND o.n = 1",
                 hex64('1')));

  // A spender stored before the output it spends is linked when the output arrives.
  TempDir other_dir;
  CaseStore other(other_dir.file("other.db"), OpenMode::CreateIfMissing);
  {
    Transaction transaction(other.db());
    BtcWriter writer(other);
    writer.write(orphan_child, std::nullopt, kFirstSeen);
    writer.write(parent, std::nullopt, kFirstSeen);
    transaction.commit();
  }
  auto statement = other.db().prepare(
      "SELECT o.n, o.spent_by FROM btc_outputs o JOIN transactions t ON t.id = o.tx_id WHERE t.tx_hash = ?1 "
      "ORDER BY o.n");
  statement.bind(1, hex64('1'));
  ASSERT_TRUE(statement.step());
  EXPECT_TRUE(statement.is_null(1));
  ASSERT_TRUE(statement.step());
  EXPECT_EQ(statement.column_text(1), hex64('3') + ":0");
}

TEST_F(BtcWriterTest, ConfirmedSpenderReplacesAnUnconfirmedOne) {
  const auto parent = confirmed(make_tx(hex64('1'), {input(kA, 100'000, hex64('a'), 0)}, {output(kX, 99'000)}));
  const auto first = make_tx(hex64('4'), {input(kX, 99'000, hex64('1'), 0)}, {output(kC, 98'000)});
  const auto replacement = make_tx(hex64('5'), {input(kX, 99'000, hex64('1'), 0)}, {output(kB, 97'000)});
  const std::string spent_by_sql =
      "SELECT spent_by FROM btc_outputs o JOIN transactions t ON t.id = o.tx_id WHERE t.tx_hash = ?1";
  write(parent);
  write(first);
  EXPECT_EQ(query_text(spent_by_sql, hex64('1')), hex64('4') + ":0");
  write(replacement);  // another unconfirmed spender does not take over
  EXPECT_EQ(query_text(spent_by_sql, hex64('1')), hex64('4') + ":0");
  write(confirmed(replacement));  // once mined, it does
  EXPECT_EQ(query_text(spent_by_sql, hex64('1')), hex64('5') + ":0");
  write(first, kLaterSeen);  // and the stale one cannot take it back
  EXPECT_EQ(query_text(spent_by_sql, hex64('1')), hex64('5') + ":0");
}

TEST_F(BtcWriterTest, InvalidTransactionsWriteNothing) {
  auto bad_fee = confirmed(worked_example());
  bad_fee.fee += 1;
  auto unknown = worked_example();
  unknown.inputs[0].prevout_known = false;
  unknown.inputs[0].address.reset();
  unknown.inputs[0].value = 0;
  unknown.fee = 0;
  for (const auto& tx : {bad_fee, unknown}) {
    Transaction transaction(store().db());
    BtcWriter writer(store());
    const auto error = error_from([&] { writer.write(tx, std::nullopt, kFirstSeen); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind(), ErrorKind::InvalidArgument);
    EXPECT_THAT(error->what(), HasSubstr(tx.txid));
    EXPECT_EQ(count("transactions"), 0);
    EXPECT_EQ(count("btc_transactions"), 0);
  }
}

TEST_F(BtcWriterTest, ConflictWithAnotherTransferUnderTheSameKeyIsReported) {
  write(confirmed(worked_example()));
  auto lying = confirmed(worked_example());  // same txid, other prevout values from a lying server
  lying.inputs[0].value = 60'000;
  lying.fee += 10'000;
  Transaction transaction(store().db());
  BtcWriter writer(store());
  const auto error = error_from([&] { writer.write(lying, std::nullopt, kFirstSeen); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->what(), AllOf(HasSubstr(hex64('e')), HasSubstr("already stored")));
}

// check_new_page() decides whether the crawler may write a page without a savepoint: it must refuse every
// page whose writes could fail on their data.
TEST_F(BtcWriterTest, CheckNewPageAcceptsOnlyNewValidDistinctTransactions) {
  const auto first = confirmed(worked_example());
  const auto second = confirmed(make_tx(hex64('f'), {input(kA, 10'000, hex64('1'), 0)}, {output(kX, 9'000)}));
  const auto third = make_tx(hex64('9'), {input(kB, 5'000, hex64('2'), 3)}, {output(kY, 4'000)});
  auto bad_fee = third;
  bad_fee.fee += 1;
  auto unknown = third;
  unknown.inputs[0].prevout_known = false;
  unknown.inputs[0].address.reset();
  unknown.inputs[0].value = 0;
  unknown.fee = 0;

  Transaction transaction(store().db());
  BtcWriter writer(store());
  const std::vector<core::BtcTransaction> fresh{second, third};
  EXPECT_FALSE(writer.check_new_page(fresh)) << "the BTC asset is not resolved yet";
  ASSERT_EQ(writer.write(first, std::nullopt, kFirstSeen), WriteOutcome::Inserted);

  const auto checked = writer.check_new_page(fresh);
  ASSERT_TRUE(checked);
  ASSERT_EQ(checked->size(), 2u);
  EXPECT_EQ((*checked)[0].size(), 1u);
  EXPECT_EQ((*checked)[1].size(), 1u);
  EXPECT_TRUE(writer.check_new_page(std::vector<core::BtcTransaction>{}));

  EXPECT_FALSE(writer.check_new_page(std::vector<core::BtcTransaction>{second, first})) << "first is stored";
  EXPECT_FALSE(writer.check_new_page(std::vector<core::BtcTransaction>{third, second, third})) << "repeated txid";
  EXPECT_FALSE(writer.check_new_page(std::vector<core::BtcTransaction>{second, bad_fee}));
  EXPECT_FALSE(writer.check_new_page(std::vector<core::BtcTransaction>{unknown}));
  EXPECT_EQ(count("transactions"), 1) << "checking writes nothing";
}

// write_new() with check_new_page()'s transfers stores exactly what write() stores, confirmed or not.
TEST_F(BtcWriterTest, WriteNewStoresTheSameRowsAsWrite) {
  const auto spent = confirmed(worked_example());
  const auto spender = make_tx(hex64('f'), {input(kX, 33'333, hex64('e'), 0)}, {output(kB, 30'000)});
  const auto other = confirmed(make_tx(hex64('9'), {input(kB, 5'000, hex64('2'), 3)}, {output(kY, 4'000)}));
  const std::vector<core::BtcTransaction> page{spender, other};
  auto rows = [&] {
    std::vector<std::vector<Row>> result;
    for (const auto& tx : {spent, spender, other}) result.push_back(transfers_of(tx.txid));
    result.push_back({Row{count("btc_inputs"), "", "", query_text("SELECT group_concat(coalesce(spent_by, '-')) FROM "
                                                                  "btc_outputs").value_or(""),
                          count("btc_outputs")}});
    result.push_back({Row{count("transactions"), "", "",
                          query_text("SELECT group_concat(tx_hash || timestamp || coalesce(block_height, '-')) "
                                     "FROM transactions").value_or(""),
                          count("addresses")}});
    return result;
  };

  write(spent);
  for (const auto& tx : page) write(tx, kLaterSeen);
  const auto expected = rows();
  expect_foreign_keys_hold();

  store_.reset();
  std::filesystem::remove_all(dir_.file("case.db"));
  std::filesystem::remove(dir_.file("case.db") + "-wal");
  std::filesystem::remove(dir_.file("case.db") + "-shm");
  store_ = std::make_unique<CaseStore>(dir_.file("case.db"), OpenMode::CreateIfMissing);
  {
    Transaction transaction(store().db());
    BtcWriter writer(store());
    ASSERT_EQ(writer.write(spent, std::nullopt, kFirstSeen), WriteOutcome::Inserted);
    auto checked = writer.check_new_page(page);
    ASSERT_TRUE(checked);
    for (std::size_t k = 0; k < page.size(); ++k) {
      EXPECT_EQ(writer.write_new(page[k], std::move((*checked)[k]), std::nullopt, kLaterSeen), WriteOutcome::Inserted);
    }
    transaction.commit();
  }
  EXPECT_EQ(rows(), expected);
  EXPECT_EQ(transfers_of(spender.txid).front().timestamp, kLaterSeen);
  expect_foreign_keys_hold();
}

TEST_F(BtcWriterTest, ConfirmTransactionOfAnUnknownTransactionIsNotFound) {
  Transaction transaction(store().db());
  TransferWriter writer(store());
  const auto error = error_from([&] { writer.confirm_transaction(core::Chain::Btc, hex64('7'), 850000, kBlockTime); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind(), ErrorKind::NotFound);
  EXPECT_THAT(error->what(), HasSubstr(hex64('7')));
}

TEST(BtcSchemaTest, VersionTwoStoreMigratesToThreeWithItsRowsIntact) {
  TempDir dir;
  const std::string path = dir.file("v2.db");
  {
    Database db(path, true);
    migrate(db, 2);
    ASSERT_EQ(schema_version(db), 2);
    db.exec(R"sql(
      INSERT INTO sources(id, kind, provider, locator, fetched_at, sha256) VALUES
        (1, 'file', 'csv', '/cases/demo.csv', 1709294400, 'abc123');
      INSERT INTO addresses(id, chain, address) VALUES
        (1, 1, '1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Rd'), (2, 1, 'bc1q0hhg573c4wlmqrdlhgm9ert8z2f5e3y3lf9hvx');
      INSERT INTO assets(id, chain, asset_key, symbol, decimals, contract) VALUES (1, 1, 'symbol:BTC', 'BTC', 8, '');
      INSERT INTO transactions(id, chain, tx_hash, block_height, timestamp, source_id) VALUES
        (1, 1, 'csv-tx-1', 800000, 1690000000, 1);
      INSERT INTO transfers(id, tx_id, idx, from_id, to_id, asset_id, amount, timestamp, source_id) VALUES
        (16777216, 1, 0, 1, 2, 1, 123456789, 1690000000, 1);
      UPDATE meta SET value = '5' WHERE key = 'data_version';
    )sql");
  }
  {
    // The v2 -> v3 step on its own.
    Database db(path, false);
    migrate(db, 3);
    EXPECT_EQ(schema_version(db), 3);
  }
  CaseStore store(path, OpenMode::MustExist);  // and on to the latest version
  EXPECT_GE(latest_schema_version(), 3);
  EXPECT_EQ(schema_version(store.db()), latest_schema_version());
  EXPECT_EQ(store.data_version(), 5);
  EXPECT_EQ(store.transfer_count(), 1);
  EXPECT_EQ(store.address(2).address, "bc1q0hhg573c4wlmqrdlhgm9ert8z2f5e3y3lf9hvx");
  const TransferDetail detail = store.transfer_detail(transfer_id_of(1, 0));
  EXPECT_EQ(detail.tx_hash, "csv-tx-1");
  EXPECT_EQ(detail.source_id, 1);

  const auto columns = [&](const std::string& table) {
    std::vector<std::string> names;
    auto statement = store.db().prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
    statement.bind(1, table);
    while (statement.step()) names.push_back(statement.column_text(0));
    return names;
  };
  EXPECT_THAT(columns("btc_transactions"),
              ElementsAre("tx_id", "block_hash", "confirmed", "version", "locktime", "size", "weight", "fee"));
  EXPECT_THAT(columns("btc_inputs"), ElementsAre("tx_id", "n", "prev_txid", "prev_vout", "coinbase", "address",
                                                 "script_type", "value", "sequence", "script_hex"));
  EXPECT_THAT(columns("btc_outputs"),
              ElementsAre("tx_id", "n", "address", "script_type", "value", "script_hex", "spent_by"));

  // The migrated store takes Bitcoin transactions next to the old rows, reusing the BTC asset row.
  {
    Transaction transaction(store.db());
    BtcWriter writer(store);
    EXPECT_EQ(writer.write(confirmed(worked_example()), std::nullopt, kFirstSeen), WriteOutcome::Inserted);
    transaction.commit();
  }
  EXPECT_EQ(store.transfer_count(), 7);
  auto assets = store.db().prepare("SELECT count(*) FROM assets");
  assets.step();
  EXPECT_EQ(assets.column_int64(0), 1);
  EXPECT_EQ(store.find_address(core::Chain::Btc, kB), 1);
}

}  // namespace
}  // namespace fundtrail::store
