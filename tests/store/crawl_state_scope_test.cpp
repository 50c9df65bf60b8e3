// CrawlState scopes (schema v5): crawls of the same (chain, address) in different scopes are separate rows
// with their own cursor and status; crawl links accumulate direction bits and filter by direction; a v4
// store's crawl rows migrate into the empty scope.
#include "fundtrail/store/crawl_state.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/schema.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "support/store_fixture.hpp"
#include "support/temp_dir.hpp"

namespace fundtrail::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kWallet = "0x1111111111111111111111111111111111111111";
constexpr const char* kX = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr const char* kY = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
constexpr const char* kZ = "0xcccccccccccccccccccccccccccccccccccccccc";
constexpr const char* kEtherscan = "etherscan:1:";
constexpr const char* kJsonRpc = "jsonrpc:1:0-19000000";

class CrawlStateScopeTest : public ::testing::Test {
 protected:
  CaseStore& store() { return case_.store(); }

  std::int64_t query_int(const std::string& sql) {
    auto statement = store().db().prepare(sql);
    if (!statement.step()) return -1;
    return statement.column_int64(0);
  }

  // (counterparty, dirs) of every stored link, sorted by counterparty.
  std::vector<std::string> stored_links() {
    auto statement = store().db().prepare("SELECT counterparty, dirs FROM crawl_links ORDER BY counterparty");
    std::vector<std::string> result;
    while (statement.step()) result.push_back(statement.column_text(0) + "=" + std::to_string(statement.column_int64(1)));
    return result;
  }

  test::TempCase case_{core::Chain::Eth, "fundtrail-crawl-scope"};
};

TEST_F(CrawlStateScopeTest, SameAddressInTwoScopesIsTwoIndependentRows) {
  Transaction db_tx(store().db());
  CrawlState etherscan(store(), kEtherscan);
  CrawlState jsonrpc(store(), kJsonRpc);
  EXPECT_TRUE(etherscan.enqueue(core::Chain::Eth, kWallet, 0));
  EXPECT_TRUE(jsonrpc.enqueue(core::Chain::Eth, kWallet, 2)) << "the other scope's row hid this one";
  EXPECT_EQ(query_int("SELECT count(*) FROM crawl_addresses"), 2);

  etherscan.save_page(core::Chain::Eth, kWallet, std::string("page=2&offset=1000"), 1000);
  const auto e1 = etherscan.find(core::Chain::Eth, kWallet);
  const auto j1 = jsonrpc.find(core::Chain::Eth, kWallet);
  ASSERT_TRUE(e1.has_value());
  ASSERT_TRUE(j1.has_value());
  EXPECT_EQ(e1->cursor, std::optional<std::string>("page=2&offset=1000"));
  EXPECT_EQ(e1->pages, 1);
  EXPECT_EQ(e1->txs_seen, 1000);
  EXPECT_EQ(e1->hop, 0);
  EXPECT_EQ(j1->cursor, std::nullopt) << "a cursor of one provider leaked into another scope";
  EXPECT_EQ(j1->pages, 0);
  EXPECT_EQ(j1->txs_seen, 0);
  EXPECT_EQ(j1->hop, 2);

  // The history is complete in one scope only.
  etherscan.save_page(core::Chain::Eth, kWallet, std::nullopt, 12);
  EXPECT_EQ(etherscan.find(core::Chain::Eth, kWallet)->status, CrawlStatus::Done);
  EXPECT_EQ(jsonrpc.find(core::Chain::Eth, kWallet)->status, CrawlStatus::Queued);
  EXPECT_THAT(etherscan.queued(core::Chain::Eth, 10, 100), IsEmpty());
  ASSERT_EQ(jsonrpc.queued(core::Chain::Eth, 10, 100).size(), 1u);
  EXPECT_EQ(etherscan.count_queued(core::Chain::Eth, 10), 0);
  EXPECT_EQ(jsonrpc.count_queued(core::Chain::Eth, 10), 1);

  // A hub in one scope is not a hub in the other; lowering the hop is per scope too.
  jsonrpc.mark_hub(core::Chain::Eth, kWallet, 250000);
  EXPECT_EQ(jsonrpc.find(core::Chain::Eth, kWallet)->status, CrawlStatus::Hub);
  EXPECT_EQ(jsonrpc.find(core::Chain::Eth, kWallet)->tx_count, 250000);
  EXPECT_EQ(etherscan.find(core::Chain::Eth, kWallet)->status, CrawlStatus::Done);
  EXPECT_EQ(etherscan.find(core::Chain::Eth, kWallet)->tx_count, std::nullopt);
  EXPECT_TRUE(jsonrpc.enqueue(core::Chain::Eth, kWallet, 1));
  EXPECT_EQ(jsonrpc.find(core::Chain::Eth, kWallet)->hop, 1);
  EXPECT_EQ(etherscan.find(core::Chain::Eth, kWallet)->hop, 0);

  // The default (Bitcoin) scope sees neither.
  CrawlState unscoped(store());
  EXPECT_EQ(unscoped.find(core::Chain::Eth, kWallet), std::nullopt);
  EXPECT_THAT(unscoped.all(core::Chain::Eth), IsEmpty());
  ASSERT_EQ(etherscan.all(core::Chain::Eth).size(), 1u);
  EXPECT_EQ(etherscan.all(core::Chain::Eth)[0].address, kWallet);
  db_tx.commit();
}

TEST_F(CrawlStateScopeTest, LinksAccumulateDirectionsAndFilterSorted) {
  Transaction db_tx(store().db());
  CrawlState crawl(store(), kEtherscan);
  crawl.enqueue(core::Chain::Eth, kWallet, 0);
  // Recorded out of order: Z paid, Y paid us, X paid then paid us.
  crawl.add_link(core::Chain::Eth, kWallet, kZ, /*outgoing=*/true, /*incoming=*/false);
  crawl.add_link(core::Chain::Eth, kWallet, kY, false, true);
  crawl.add_link(core::Chain::Eth, kWallet, kX, true, false);
  crawl.add_link(core::Chain::Eth, kWallet, kX, false, true);
  crawl.add_link(core::Chain::Eth, kWallet, kX, true, false);  // again: no change
  crawl.add_link(core::Chain::Eth, kWallet, kY, false, false);  // no direction: nothing recorded

  EXPECT_THAT(stored_links(), ElementsAre(std::string(kX) + "=3", std::string(kY) + "=2", std::string(kZ) + "=1"));
  EXPECT_THAT(crawl.links(core::Chain::Eth, kWallet, /*outgoing=*/true, /*incoming=*/false), ElementsAre(kX, kZ));
  EXPECT_THAT(crawl.links(core::Chain::Eth, kWallet, false, true), ElementsAre(kX, kY));
  EXPECT_THAT(crawl.links(core::Chain::Eth, kWallet, true, true), ElementsAre(kX, kY, kZ));
  EXPECT_THAT(crawl.links(core::Chain::Eth, kWallet, false, false), IsEmpty());

  // Links belong to the wallet's row in this scope.
  CrawlState other(store(), kJsonRpc);
  other.enqueue(core::Chain::Eth, kWallet, 0);
  EXPECT_THAT(other.links(core::Chain::Eth, kWallet, true, true), IsEmpty());
  other.add_link(core::Chain::Eth, kWallet, kZ, false, true);
  EXPECT_THAT(other.links(core::Chain::Eth, kWallet, true, true), ElementsAre(kZ));
  EXPECT_THAT(other.links(core::Chain::Eth, kWallet, true, false), IsEmpty());
  EXPECT_THAT(crawl.links(core::Chain::Eth, kWallet, false, true), ElementsAre(kX, kY))
      << "a link of another scope showed up";
  EXPECT_EQ(query_int("SELECT count(*) FROM crawl_links"), 4);
  db_tx.commit();

  auto check = store().db().prepare("PRAGMA foreign_key_check");
  EXPECT_FALSE(check.step()) << "dangling crawl link";
}

TEST_F(CrawlStateScopeTest, VersionFourCrawlRowsMigrateIntoTheEmptyScope) {
  test::TempDir dir("fundtrail-crawl-v4");
  const std::string path = dir.file("v4.db");
  {
    Database db(path, true);
    migrate(db, 4);
    ASSERT_EQ(schema_version(db), 4);
    db.exec(R"sql(
      INSERT INTO crawl_addresses(id, chain, address, hop, status, cursor, pages, txs_seen, tx_count) VALUES
        (7, 1, 'bc1ql4k3tlur9sf0rlcy5hxd2qulwgnmyc9akehvth', 1, 'queued', 'after:abc', 3, 75, 120),
        (9, 1, '1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Rd', 2, 'done', NULL, 1, 4, NULL);
    )sql");
  }

  CaseStore store(path, OpenMode::MustExist);
  ASSERT_EQ(schema_version(store.db()), latest_schema_version());
  ASSERT_GE(latest_schema_version(), 5);

  CrawlState btc(store);
  const auto first = btc.find(core::Chain::Btc, "bc1ql4k3tlur9sf0rlcy5hxd2qulwgnmyc9akehvth");
  ASSERT_TRUE(first.has_value()) << "the v4 crawl row is not in the empty scope";
  EXPECT_EQ(first->hop, 1);
  EXPECT_EQ(first->status, CrawlStatus::Queued);
  EXPECT_EQ(first->cursor, std::optional<std::string>("after:abc"));
  EXPECT_EQ(first->pages, 3);
  EXPECT_EQ(first->txs_seen, 75);
  EXPECT_EQ(first->tx_count, 120);
  const auto second = btc.find(core::Chain::Btc, "1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Rd");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, CrawlStatus::Done);
  EXPECT_EQ(second->cursor, std::nullopt);
  EXPECT_EQ(second->tx_count, std::nullopt);
  EXPECT_EQ(btc.count_queued(core::Chain::Btc, 10), 1);

  auto rows = store.db().prepare("SELECT id, scope FROM crawl_addresses ORDER BY id");
  std::vector<std::string> ids;
  while (rows.step()) ids.push_back(std::to_string(rows.column_int64(0)) + ":'" + rows.column_text(1) + "'");
  EXPECT_THAT(ids, ElementsAre("7:''", "9:''")) << "ids (queue order) and the empty scope";

  // Another scope does not see the migrated rows; the queue index is still there.
  CrawlState scoped(store, kEtherscan);
  EXPECT_EQ(scoped.find(core::Chain::Btc, "bc1ql4k3tlur9sf0rlcy5hxd2qulwgnmyc9akehvth"), std::nullopt);
  auto index = store.db().prepare(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'crawl_addresses_queue'");
  ASSERT_TRUE(index.step());
  EXPECT_EQ(index.column_int64(0), 1);

  // The migrated row takes links.
  btc.add_link(core::Chain::Btc, "bc1ql4k3tlur9sf0rlcy5hxd2qulwgnmyc9akehvth", "1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Rd",
               true, false);
  EXPECT_THAT(btc.links(core::Chain::Btc, "bc1ql4k3tlur9sf0rlcy5hxd2qulwgnmyc9akehvth", true, false),
              ElementsAre("1FLC7Bag7okAkKPCyZbgZZg3Hh1EuGZ5Rd"));
}

}  // namespace
}  // namespace fundtrail::store
