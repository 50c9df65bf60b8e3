// store::LabelIndex: the memory-mapped labels beside a store, used only while it matches the store exactly.
#include "fundtrail/store/label_index.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"
#include "support/page_cache_folios.hpp"
#include "support/store_fixture.hpp"

namespace fundtrail::store {
namespace {

const std::string kHex = "00ff10aa" + std::string(56, 'b');
const std::string kPrefixed = "0x" + std::string(63, 'c') + "d";

class LabelIndexTest : public ::testing::Test {
 protected:
  // Adds a transaction with this hash and height directly (the writers' own rules are not under test here).
  std::int64_t add_transaction(const std::string& hash, std::optional<std::int64_t> height) {
    c.store()
        .db()
        .prepare("INSERT INTO transactions(chain, tx_hash, block_height, timestamp) VALUES (4, ?1, ?2, 0)")
        .bind(1, hash)
        .bind(2, height)
        .run();
    c.store().bump_data_version();
    return c.store().db().last_insert_rowid();
  }
  std::int64_t add_address(core::Chain chain, const std::string& text) {
    c.store()
        .db()
        .prepare("INSERT INTO addresses(chain, address) VALUES (?1, ?2)")
        .bind(1, static_cast<int>(chain))
        .bind(2, text)
        .run();
    c.store().bump_data_version();
    return c.store().db().last_insert_rowid();
  }
  static std::string hash_of(const IndexedTransaction& indexed) { return indexed.hash.str(); }
  std::string labels_path() const { return label_index_path_for(c.db_path()); }

  test::TempCase c{core::Chain::Generic, "fundtrail-label-index"};
};

TEST_F(LabelIndexTest, GivesBackExactlyWhatTheStoreHolds) {
  const std::int64_t hex = add_transaction(kHex, 840000);
  const std::int64_t prefixed = add_transaction(kPrefixed, std::nullopt);
  const std::int64_t upper = add_transaction(std::string(64, 'A'), 7);  // not lower case: kept as text
  const std::int64_t text = add_transaction("bank-export/2024/0001", 0);
  const std::int64_t short_hex = add_transaction("abcd", std::nullopt);
  const std::int64_t not_hex = add_transaction(std::string(40, 'a') + "g" + std::string(23, '0'), 3);
  const std::int64_t tron = add_address(core::Chain::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  const std::int64_t account = add_address(core::Chain::Generic, "Kontoinhaber \"X\" <lückenhaft>");

  ASSERT_FALSE(LabelIndex::open_current(c.store()));
  LabelIndexStats stats;
  LabelIndex::refresh(c.store(), &stats);
  EXPECT_TRUE(stats.rebuilt);
  EXPECT_FALSE(stats.incremental);
  EXPECT_EQ(stats.new_transactions, 6u);
  EXPECT_EQ(stats.new_addresses, 2u);
  const std::optional<LabelIndex> index = LabelIndex::open_current(c.store());
  ASSERT_TRUE(index);

  ASSERT_TRUE(index->transaction(hex));
  EXPECT_EQ(hash_of(*index->transaction(hex)), kHex);
  EXPECT_EQ(index->transaction(hex)->block_height, 840000);
  EXPECT_EQ(hash_of(*index->transaction(prefixed)), kPrefixed);
  EXPECT_EQ(index->transaction(prefixed)->block_height, std::nullopt);
  EXPECT_EQ(hash_of(*index->transaction(upper)), std::string(64, 'A'));
  EXPECT_EQ(hash_of(*index->transaction(text)), "bank-export/2024/0001");
  EXPECT_EQ(index->transaction(text)->block_height, 0);
  EXPECT_EQ(hash_of(*index->transaction(short_hex)), "abcd");
  EXPECT_EQ(hash_of(*index->transaction(not_hex)), std::string(40, 'a') + "g" + std::string(23, '0'));
  EXPECT_EQ(index->address(tron)->chain, core::Chain::Tron);
  EXPECT_EQ(index->address(tron)->address, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  EXPECT_EQ(index->address(account)->chain, core::Chain::Generic);
  EXPECT_EQ(index->address(account)->address, "Kontoinhaber \"X\" <lückenhaft>");

  EXPECT_FALSE(index->transaction(0));  // ids start at 1
  EXPECT_FALSE(index->transaction(not_hex + 1));
  EXPECT_FALSE(index->transaction(-1));
  EXPECT_FALSE(index->address(0));
  EXPECT_FALSE(index->address(account + 1));
}

TEST_F(LabelIndexTest, AppendsWhatWasAddedAndIsStaleUntilThen) {
  const std::int64_t first = add_transaction(kHex, 1);
  const std::int64_t wallet = add_address(core::Chain::Eth, "0x" + std::string(40, 'a'));
  LabelIndex::refresh(c.store());
  ASSERT_TRUE(LabelIndex::open_current(c.store()));

  const std::int64_t second = add_transaction("second", 2);
  const std::int64_t other = add_address(core::Chain::Btc, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
  EXPECT_FALSE(LabelIndex::open_current(c.store())) << "a store with newer data must not be labelled from it";

  LabelIndexStats stats;
  LabelIndex::refresh(c.store(), &stats);
  EXPECT_TRUE(stats.incremental);
  EXPECT_EQ(stats.new_transactions, 1u);
  EXPECT_EQ(stats.new_addresses, 1u);
  const std::optional<LabelIndex> index = LabelIndex::open_current(c.store());
  ASSERT_TRUE(index);
  EXPECT_EQ(hash_of(*index->transaction(first)), kHex);
  EXPECT_EQ(hash_of(*index->transaction(second)), "second");
  EXPECT_EQ(index->transaction(second)->block_height, 2);
  EXPECT_EQ(index->address(wallet)->address, "0x" + std::string(40, 'a'));
  EXPECT_EQ(index->address(other)->address, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");

  LabelIndex::refresh(c.store(), &stats);
  EXPECT_FALSE(stats.rebuilt) << "an index that is up to date is not written again";
}

TEST_F(LabelIndexTest, ARewrittenLabelForcesARebuild) {
  const std::int64_t tx = add_transaction(kHex, std::nullopt);
  LabelIndex::refresh(c.store());
  c.store().db().prepare("UPDATE transactions SET block_height = 99 WHERE id = ?1").bind(1, tx).run();
  c.store().increment_meta(kLabelRewritesKey);
  EXPECT_FALSE(LabelIndex::open_current(c.store()));

  LabelIndexStats stats;
  LabelIndex::refresh(c.store(), &stats);
  EXPECT_TRUE(stats.rebuilt);
  EXPECT_FALSE(stats.incremental);
  const std::optional<LabelIndex> index = LabelIndex::open_current(c.store());
  ASSERT_TRUE(index);
  EXPECT_EQ(index->transaction(tx)->block_height, 99);
}

TEST_F(LabelIndexTest, AFileThatIsNotTheOneRecordedIsNeverUsedAndIsRebuilt) {
  const std::int64_t tx = add_transaction(kHex, 5);
  LabelIndex::refresh(c.store());
  const auto size = std::filesystem::file_size(labels_path());

  // Damaged in place (same size): the stamp no longer matches.
  {
    std::fstream file(labels_path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    file.put('\x7f');
  }
  std::filesystem::last_write_time(labels_path(),
                                   std::filesystem::file_time_type::clock::now() + std::chrono::hours(1));
  EXPECT_FALSE(LabelIndex::open_current(c.store()));
  LabelIndexStats stats;
  LabelIndex::refresh(c.store(), &stats);
  EXPECT_TRUE(stats.rebuilt);
  EXPECT_FALSE(stats.incremental);
  ASSERT_TRUE(LabelIndex::open_current(c.store()));

  // Truncated and garbage files.
  std::filesystem::resize_file(labels_path(), 100);
  EXPECT_FALSE(LabelIndex::open_current(c.store()));
  { std::ofstream(labels_path(), std::ios::binary | std::ios::trunc) << std::string(4096, 'x'); }
  EXPECT_FALSE(LabelIndex::open_current(c.store()));
  LabelIndex::refresh(c.store());
  const std::optional<LabelIndex> index = LabelIndex::open_current(c.store());
  ASSERT_TRUE(index);
  EXPECT_EQ(hash_of(*index->transaction(tx)), kHex);
}

TEST_F(LabelIndexTest, AnotherStoresFileAtTheSamePathIsNotUsed) {
  add_transaction(kHex, 5);
  LabelIndex::refresh(c.store());
  const std::string kept = c.dir().file("kept.labels");
  std::filesystem::copy_file(labels_path(), kept);

  // The case is deleted and a new one created at the same path; the old store's file comes back.
  c.close();
  std::filesystem::remove(c.db_path());
  c.open(OpenMode::CreateIfMissing);
  add_transaction("new-case", 1);
  std::filesystem::copy_file(kept, labels_path(), std::filesystem::copy_options::overwrite_existing);
  EXPECT_FALSE(LabelIndex::open_current(c.store()));
  LabelIndexStats stats;
  LabelIndex::refresh(c.store(), &stats);
  EXPECT_FALSE(stats.incremental);
  const std::optional<LabelIndex> index = LabelIndex::open_current(c.store());
  ASSERT_TRUE(index);
  EXPECT_EQ(hash_of(*index->transaction(1)), "new-case");
}

TEST_F(LabelIndexTest, AFileThatCannotBeWrittenIsLeftForLaterWithoutFailingTheCommand) {
  add_transaction(kHex, 5);
  // The temporary file's name is taken by a directory: creating it fails.
  const std::string temp = labels_path() + ".tmp-" + std::to_string(::getpid());
  std::filesystem::create_directory(temp);
  LabelIndexStats stats;
  EXPECT_NO_THROW(LabelIndex::refresh(c.store(), &stats));
  EXPECT_FALSE(stats.rebuilt);
  EXPECT_FALSE(LabelIndex::open_current(c.store()));
  EXPECT_FALSE(std::filesystem::exists(labels_path()));
  std::filesystem::remove(temp);
  LabelIndex::refresh(c.store());
  EXPECT_TRUE(LabelIndex::open_current(c.store()));
}

// The file is written in pieces that end on 2 MiB boundaries, so that the kernel keeps it in 2 MiB page-cache
// folios and a large report maps it with a few hundred faults (skipped where that cannot be checked).
TEST_F(LabelIndexTest, IsWrittenInPiecesTheKernelKeepsAs2MiBFolios) {
  if (const auto why = test::why_folios_cannot_be_checked(c.dir().path() / "reference")) GTEST_SKIP() << *why;

  constexpr int kTransactions = 300000;  // 40-byte records: 12 MB, five whole chunks and more
  {
    Transaction write(c.store().db());
    Statement insert = c.store().db().prepare(
        "INSERT INTO transactions(chain, tx_hash, block_height, timestamp) VALUES (4, ?1, 1, 0)");
    for (int i = 0; i < kTransactions; ++i) {
      const std::string digits = std::to_string(i);
      insert.bind(1, std::string(64 - digits.size(), '0') + digits).run();
    }
    c.store().bump_data_version();
    write.commit();
  }
  LabelIndex::refresh(c.store());
  ASSERT_TRUE(LabelIndex::open_current(c.store()));
  const std::optional<std::size_t> chunks = test::chunks_in_2mib_folios(labels_path());
  ASSERT_TRUE(chunks);
  // The records fill five whole chunks after the first (which the header shares with a shorter piece).
  EXPECT_GE(*chunks, 4u) << "of " << std::filesystem::file_size(labels_path()) / test::kFolioChunk << " whole chunks";
}

}  // namespace
}  // namespace fundtrail::store
