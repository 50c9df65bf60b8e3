// CaseStore::read_addresses / read_transactions: the bulk look-ups reports use instead of one query per row.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "support/store_fixture.hpp"

namespace fundtrail::store {
namespace {

using ::testing::ElementsAreArray;

// 40 wallets w0..w39, each paying the next one, one transaction each: address and transaction ids are dense.
class BulkRead : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 40; ++i) c.add("w" + std::to_string(i), "w" + std::to_string(i + 1), 100 + i);
    c.commit();
  }
  test::TempCase c{core::Chain::Generic, "fundtrail-bulk-read"};
};

TEST_F(BulkRead, ReadsExactlyTheAskedAddressesInOrderWhetherNearOrScattered) {
  // Runs (1,2,3), near ids with gaps (10, 14), far ones (30), the last (41): range scans and single look-ups.
  std::vector<std::int64_t> ids = {1, 2, 3, 10, 14, 30, 41};
  std::vector<std::int64_t> seen;
  std::vector<std::string> names;
  c.store().read_addresses(ids, [&](std::int64_t id, core::Chain chain, std::string_view address) {
    EXPECT_EQ(chain, core::Chain::Generic);
    seen.push_back(id);
    names.emplace_back(address);
  });
  EXPECT_THAT(seen, ElementsAreArray(ids));
  std::vector<std::string> expected;
  for (std::int64_t id : ids) expected.push_back(c.address(id));
  EXPECT_THAT(names, ElementsAreArray(expected));
}

TEST_F(BulkRead, ReadsTransactionsWithTheirHashes) {
  std::vector<std::int64_t> ids;
  std::vector<std::string> expected;
  auto statement = c.store().db().prepare("SELECT id, tx_hash FROM transactions WHERE id % 3 = 1 ORDER BY id");
  while (statement.step()) {
    ids.push_back(statement.column_int64(0));
    expected.push_back(statement.column_text(1));
  }
  statement.reset();
  ASSERT_GE(ids.size(), 10u);
  std::vector<std::string> hashes;
  c.store().read_transactions(ids, [&](std::int64_t id, std::string_view tx_hash, std::optional<std::int64_t>) {
    EXPECT_EQ(c.store().transaction(id).tx_hash, tx_hash);
    hashes.emplace_back(tx_hash);
  });
  EXPECT_THAT(hashes, ElementsAreArray(expected));
}

TEST_F(BulkRead, AMissingIdIsAnErrorNamingIt) {
  for (const std::vector<std::int64_t>& ids : {std::vector<std::int64_t>{1, 2, 999}, {5, 6, 7, 8, 9, 12},
                                               std::vector<std::int64_t>{500}}) {
    // 12 is inside a run (gap <= 8) but exists; 999 and 500 do not exist.
    bool threw = false;
    try {
      c.store().read_addresses(ids, [](std::int64_t, core::Chain, std::string_view) {});
    } catch (const Error& error) {
      threw = true;
      EXPECT_EQ(error.kind(), ErrorKind::NotFound);
      EXPECT_NE(std::string(error.what()).find(std::to_string(ids.back())), std::string::npos) << error.what();
    }
    EXPECT_EQ(threw, ids.back() > 41) << ids.back();
  }
}

TEST_F(BulkRead, NothingAskedNothingRead) {
  int calls = 0;
  c.store().read_addresses({}, [&](std::int64_t, core::Chain, std::string_view) { ++calls; });
  c.store().read_transactions({}, [&](std::int64_t, std::string_view, std::optional<std::int64_t>) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST_F(BulkRead, LeavesNoTransactionOpen) {
  c.store().read_addresses({1, 2, 3}, [](std::int64_t, core::Chain, std::string_view) {});
  // A write transaction can start: the read transaction of the bulk read has ended.
  Transaction write(c.store().db());
  write.commit();
}

}  // namespace
}  // namespace fundtrail::store
