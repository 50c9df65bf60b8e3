// GraphLabels: bulk prefetch (including the second-connection path for many transactions) gives exactly the
// labels one-by-one look-ups give, and the text it hands out stays put while more is read.
#include "fundtrail/report/graph_labels.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/store/label_index.hpp"
#include "fundtrail/store/transfer_writer.hpp"
#include "support/store_fixture.hpp"

namespace fundtrail::report {
namespace {

// Enough transactions to take the parallel path (more than 4096), with 300-byte account names so that the
// labels fill more than one 1 MiB arena block.
class ManyLabels : public ::testing::Test {
 protected:
  static constexpr int kTransfers = 5000;

  static std::string wallet(int i) { return std::string(290, 'a' + i % 26) + "-" + std::to_string(i); }

  void SetUp() override {
    for (int i = 0; i < kTransfers; ++i) c.add(wallet(i), wallet(i + 1), 1000 + i);
    c.commit();
    auto statement = c.store().db().prepare("SELECT id FROM transfers ORDER BY id");
    while (statement.step()) transfer_ids.push_back(statement.column_int64(0));
    statement.reset();
    for (int i = 0; i <= kTransfers; ++i) address_ids.push_back(c.address_id(wallet(i)));
  }

  test::TempCase c{core::Chain::Generic, "fundtrail-labels"};
  std::vector<std::int64_t> transfer_ids;
  std::vector<std::int64_t> address_ids;
};

TEST_F(ManyLabels, PrefetchedLabelsEqualSingleLookUpsAndStayValid) {
  ASSERT_EQ(transfer_ids.size(), static_cast<std::size_t>(kTransfers));
  GraphLabels labels(c.store());
  // Reversed and repeated ids: prefetch sorts and de-duplicates.
  std::vector<std::int64_t> asked(address_ids.rbegin(), address_ids.rend());
  asked.push_back(address_ids.front());
  labels.prefetch(asked, transfer_ids);

  std::vector<std::string_view> views;
  for (std::int64_t id : address_ids) views.push_back(labels.address(id).address);
  std::vector<TxHash> hashes;  // views: spelled only when compared, after more labels were read
  for (std::int64_t id : transfer_ids) hashes.push_back(labels.transaction(id).tx_hash);

  // More text read afterwards (a second prefetch and single look-ups) must not move what was handed out.
  GraphLabels fresh(c.store());
  labels.prefetch(address_ids, transfer_ids);
  for (std::size_t i = 0; i < address_ids.size(); ++i) {
    EXPECT_EQ(views[i], c.store().address(address_ids[i]).address) << i;
    EXPECT_EQ(views[i], fresh.address(address_ids[i]).address) << i;
    EXPECT_EQ(labels.address(address_ids[i]).chain, core::Chain::Generic);
  }
  for (std::size_t i = 0; i < transfer_ids.size(); ++i) {
    const std::int64_t tx_id = transfer_ids[i] >> 24;
    EXPECT_EQ(hashes[i].str(), c.store().transaction(tx_id).tx_hash) << i;
    EXPECT_EQ(hashes[i], fresh.transaction(transfer_ids[i]).tx_hash) << i;
  }
}

TEST_F(ManyLabels, PrefetchOfAnUnknownTransactionFailsOnEitherConnection) {
  for (std::size_t count : {std::size_t{10}, transfer_ids.size()}) {  // same connection, second connection
    std::vector<std::int64_t> ids(transfer_ids.begin(), transfer_ids.begin() + static_cast<std::ptrdiff_t>(count));
    ids.push_back(store::transfer_id_of(999'999, 0));
    GraphLabels labels(c.store());
    // The background read reports its failure when a transaction label is first needed.
    EXPECT_THROW(
        {
          labels.prefetch({}, ids);
          labels.transaction(ids.front());
        },
        fundtrail::Error)
        << count;
  }
}

TEST_F(ManyLabels, TheLabelIndexGivesTheSameLabelsAsTheStore) {
  store::LabelIndex::refresh(c.store());
  ASSERT_TRUE(store::LabelIndex::open_current(c.store()));
  GraphLabels indexed(c.store());
  EXPECT_TRUE(indexed.from_index());
  indexed.prefetch(address_ids, transfer_ids);  // a no-op with the index
  std::vector<std::string> hashes;
  for (std::size_t i = 0; i < transfer_ids.size(); ++i) {
    indexed.preload_transaction(transfer_ids[i]);
    hashes.push_back(indexed.transaction(transfer_ids[i]).tx_hash.str());
  }
  for (std::size_t i = 0; i < address_ids.size(); ++i) {
    indexed.preload_address(address_ids[i]);
    EXPECT_EQ(indexed.address(address_ids[i]).address, c.store().address(address_ids[i]).address) << i;
    EXPECT_EQ(indexed.address(address_ids[i]).chain, core::Chain::Generic);
  }
  for (std::size_t i = 0; i < transfer_ids.size(); ++i) {  // still valid after more look-ups
    EXPECT_EQ(hashes[i], c.store().transaction(transfer_ids[i] >> 24).tx_hash) << i;
  }

  // The labels really come from the file: text changed in the store behind the index's back (no new
  // data_version, so the index still counts as current) is not seen.
  c.store().db().prepare("UPDATE addresses SET address = 'changed' WHERE id = ?1").bind(1, address_ids[3]).run();
  GraphLabels still_indexed(c.store());
  EXPECT_EQ(still_indexed.address(address_ids[3]).address, std::string(indexed.address(address_ids[3]).address));
  EXPECT_NE(still_indexed.address(address_ids[3]).address, "changed");

  // Data added after the index was written: the index is no longer used, labels come from the store.
  c.add("late-sender", "late-receiver", 99'999);
  c.commit();
  GraphLabels after(c.store());
  EXPECT_FALSE(after.from_index());
  EXPECT_EQ(after.address(address_ids[3]).address, "changed");
  const std::int64_t late = c.address_id("late-receiver");
  EXPECT_EQ(after.address(late).address, "late-receiver");
}

// A report describes rows on two threads; labels that fall back to the store (no index here) fill their
// maps as they go, so those look-ups must take turns. Two threads asking for every label at once, in
// opposite orders, get exactly the store's labels.
TEST_F(ManyLabels, LookUpsFromTwoThreadsAtOnceGetTheStoresLabels) {
  GraphLabels labels(c.store());
  ASSERT_FALSE(labels.from_index());
  std::vector<std::string> addresses[2];
  std::vector<std::string> hashes[2];
  const auto look_up = [&](int side) {
    for (std::size_t k = 0; k < address_ids.size(); ++k) {
      const std::size_t i = side == 0 ? k : address_ids.size() - 1 - k;
      addresses[side].emplace_back(labels.address(address_ids[i]).address);
    }
    for (std::size_t k = 0; k < transfer_ids.size(); ++k) {
      const std::size_t i = side == 0 ? k : transfer_ids.size() - 1 - k;
      hashes[side].push_back(labels.transaction(transfer_ids[i]).tx_hash.str());
    }
  };
  std::thread other(look_up, 1);
  look_up(0);
  other.join();
  std::reverse(addresses[1].begin(), addresses[1].end());
  std::reverse(hashes[1].begin(), hashes[1].end());
  EXPECT_EQ(addresses[0], addresses[1]);
  EXPECT_EQ(hashes[0], hashes[1]);
  ASSERT_EQ(addresses[0].size(), address_ids.size());
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < address_ids.size(); ++i)
    wrong += addresses[0][i] != c.store().address(address_ids[i]).address;
  for (std::size_t i = 0; i < transfer_ids.size(); ++i) {
    wrong += hashes[0][i] != c.store().transaction(transfer_ids[i] >> 24).tx_hash;
  }
  EXPECT_EQ(wrong, 0u);
}

}  // namespace
}  // namespace fundtrail::report
