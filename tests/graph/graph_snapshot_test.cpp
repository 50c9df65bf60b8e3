// The graph snapshot (<db>.graph): written on first load, mapped afterwards, extended incrementally when the
// store's data_version moves on, rebuilt (never trusted) when corrupt; exact amounts across the round trip.
#include "fundtrail/graph/graph_snapshot.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/page_cache_folios.hpp"
#include "support/store_fixture.hpp"
// White-box: the on-disk layout, to damage one section of a snapshot precisely.
#include "../../src/graph/graph_format.hpp"

namespace fundtrail::graph {
namespace {

core::uint512 pow2(unsigned bits) { return core::uint512(1) << bits; }

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Edge for edge (including the order within each wallet), both adjacency directions, exact amounts.
void expect_same_graph(const TransferGraph& actual, const TransferGraph& expected) {
  ASSERT_EQ(actual.node_count(), expected.node_count());
  ASSERT_EQ(actual.edge_count(), expected.edge_count());
  EXPECT_EQ(actual.data_version(), expected.data_version());
  EXPECT_EQ(actual.max_transfer_id(), expected.max_transfer_id());
  for (NodeId node = 0; node < expected.node_count(); ++node) {
    const auto out_a = actual.out_edges(node);
    const auto out_e = expected.out_edges(node);
    ASSERT_EQ(out_a.size(), out_e.size()) << "out-degree of node " << node;
    for (std::size_t i = 0; i < out_e.size(); ++i) {
      EXPECT_EQ(out_a[i].to, out_e[i].to) << "node " << node << " edge " << i;
      EXPECT_EQ(out_a[i].asset, out_e[i].asset) << "node " << node << " edge " << i;
      EXPECT_EQ(out_a[i].timestamp, out_e[i].timestamp) << "node " << node << " edge " << i;
      EXPECT_EQ(out_a[i].transfer_id, out_e[i].transfer_id) << "node " << node << " edge " << i;
      EXPECT_EQ(actual.amount(actual.index_of(out_a[i])).value(), expected.amount(expected.index_of(out_e[i])).value())
          << "node " << node << " edge " << i;
      EXPECT_EQ(actual.source_of(actual.index_of(out_a[i])), node);
    }
    const auto in_a = actual.in_edges(node);
    const auto in_e = expected.in_edges(node);
    ASSERT_EQ(in_a.size(), in_e.size()) << "in-degree of node " << node;
    for (std::size_t i = 0; i < in_e.size(); ++i) {
      EXPECT_EQ(in_a[i].from, in_e[i].from) << "node " << node << " in-edge " << i;
      EXPECT_EQ(actual.edge(in_a[i].edge).transfer_id, expected.edge(in_e[i].edge).transfer_id)
          << "node " << node << " in-edge " << i;
      EXPECT_EQ(actual.edge(in_a[i].edge).to, node);
    }
  }
}

class GraphSnapshotTest : public ::testing::Test {
 protected:
  struct Row {
    std::string from;
    std::string to;
    core::UnixSeconds time;
    core::uint512 amount;
    std::string asset = "USD";
  };

  // One command: writes `rows` in one transaction and bumps data_version, as an import does.
  void write(const std::vector<Row>& rows) {
    for (const Row& row : rows) case_.add(row.from, row.to, row.time, row.amount, row.asset);
    case_.commit();
  }

  std::vector<Row> first_batch() {
    return {{"a", "b", 100, 5}, {"b", "c", 110, 7}, {"a", "c", 90, 9}, {"c", "a", 120, 11},
            {"b", "d", 105, 1}, {"d", "a", 130, 3}, {"a", "b", 100, 6}};
  }

  store::CaseStore& store() { return case_.store(); }
  std::string snapshot() const { return snapshot_path_for(db_path_); }

  test::TempCase case_{core::Chain::Generic, "fundtrail-snapshot"};
  const std::string db_path_ = case_.db_path();
};

TEST_F(GraphSnapshotTest, SnapshotPathIsBesideTheStore) {
  EXPECT_EQ(snapshot_path_for("/cases/x.db"), "/cases/x.db.graph");
}

TEST_F(GraphSnapshotTest, FirstLoadWritesTheSnapshot) {
  write(first_batch());
  ASSERT_FALSE(std::filesystem::exists(snapshot()));
  SnapshotStats stats;
  const TransferGraph graph = load_graph(store(), &stats);
  EXPECT_TRUE(stats.rebuilt);
  EXPECT_FALSE(stats.incremental);
  EXPECT_EQ(stats.new_transfers, 7u);
  EXPECT_TRUE(std::filesystem::exists(snapshot()));
  EXPECT_EQ(std::filesystem::file_size(snapshot()), graph.image_bytes());
  EXPECT_EQ(graph.edge_count(), 7u);
  EXPECT_EQ(graph.data_version(), store().data_version());
  EXPECT_EQ(graph.max_transfer_id(), store().max_transfer_id());
  expect_same_graph(graph, build_graph_in_memory(store()));
  // No temp files are left behind.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(db_path_).parent_path())) {
    if (entry.path().filename().string().find(".graph") != std::string::npos) ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(GraphSnapshotTest, SecondLoadMapsTheSnapshotWithoutRebuilding) {
  write(first_batch());
  load_graph(store());
  const std::string bytes = read_bytes(snapshot());
  const auto written = std::filesystem::last_write_time(snapshot());

  SnapshotStats stats;
  stats.rebuilt = true;
  const TransferGraph graph = load_graph(store(), &stats);
  EXPECT_FALSE(stats.rebuilt);
  EXPECT_FALSE(stats.incremental);
  EXPECT_EQ(stats.new_transfers, 0u);
  EXPECT_EQ(read_bytes(snapshot()), bytes);
  EXPECT_EQ(std::filesystem::last_write_time(snapshot()), written);
  expect_same_graph(graph, build_graph_in_memory(store()));

  // Also across a fresh connection (a new command).
  case_.close();
  case_.open(store::OpenMode::MustExist);
  const TransferGraph again = load_graph(store(), &stats);
  EXPECT_FALSE(stats.rebuilt);
  expect_same_graph(again, build_graph_in_memory(store()));
}

TEST_F(GraphSnapshotTest, NewTransfersAreMergedIncrementallyAndEqualAFullRebuild) {
  write(first_batch());
  load_graph(store());

  // New wallets (e, f), new transfers of old wallets earlier than their existing ones, a huge amount.
  const std::vector<Row> added{{"a", "e", 50, 13},  {"e", "b", 60, 17},  {"c", "f", 115, 19},
                               {"f", "a", 200, 23}, {"b", "c", 110, 29}, {"e", "f", 70, pow2(200) + 31, "BIG"}};
  write(added);
  SnapshotStats stats;
  const TransferGraph merged = load_graph(store(), &stats);
  EXPECT_TRUE(stats.rebuilt);
  EXPECT_TRUE(stats.incremental);
  EXPECT_EQ(stats.new_transfers, added.size());
  EXPECT_EQ(merged.edge_count(), 13u);
  EXPECT_EQ(merged.data_version(), store().data_version());
  expect_same_graph(merged, build_graph_in_memory(store()));

  // The merged snapshot on disk is what the next command maps.
  const TransferGraph mapped = load_graph(store(), &stats);
  EXPECT_FALSE(stats.rebuilt);
  expect_same_graph(mapped, build_graph_in_memory(store()));

  // And a second increment on top of the first.
  write({{"f", "g", 300, pow2(128) - 1, "BIG"}, {"g", "a", 310, 1}});
  const TransferGraph twice = load_graph(store(), &stats);
  EXPECT_TRUE(stats.incremental);
  EXPECT_EQ(stats.new_transfers, 2u);
  expect_same_graph(twice, build_graph_in_memory(store()));
}

// The image is built in a mapped temporary file that is then renamed into place. When that file cannot be
// created (here a directory stands at its path), the command still gets its graph, built in memory.
TEST_F(GraphSnapshotTest, WhenTheSnapshotFileCannotBeCreatedTheGraphIsBuiltInMemory) {
  write(first_batch());
  const std::string blocker = snapshot() + ".tmp-" + std::to_string(::getpid());
  std::filesystem::create_directory(blocker);
  SnapshotStats stats;
  const TransferGraph graph = load_graph(store(), &stats);
  EXPECT_TRUE(stats.rebuilt);
  EXPECT_FALSE(std::filesystem::exists(snapshot()));
  expect_same_graph(graph, build_graph_in_memory(store()));

  std::filesystem::remove(blocker);
  const TransferGraph written = load_graph(store(), &stats);
  EXPECT_TRUE(stats.rebuilt) << "nothing was written, so the next command builds it again";
  EXPECT_TRUE(std::filesystem::exists(snapshot()));
  expect_same_graph(written, build_graph_in_memory(store()));
  const TransferGraph mapped = load_graph(store(), &stats);
  EXPECT_FALSE(stats.rebuilt);
  expect_same_graph(mapped, graph);
}

TEST_F(GraphSnapshotTest, MissingSnapshotIsRebuiltInFull) {
  write(first_batch());
  load_graph(store());
  write({{"a", "e", 500, 1}});
  std::filesystem::remove(snapshot());
  SnapshotStats stats;
  const TransferGraph graph = load_graph(store(), &stats);
  EXPECT_TRUE(stats.rebuilt);
  EXPECT_FALSE(stats.incremental);
  EXPECT_EQ(stats.new_transfers, 8u);
  expect_same_graph(graph, build_graph_in_memory(store()));
}

// An investigator deletes a case store and imports another case under the same name: the old
// <db>.graph is still there and the new store has reached the same data_version (1 after one import).
// The old graph belongs to another store: its node ids name other addresses, so trusting it prints
// transfers that do not exist. Matching data_version alone does not identify the store.
TEST_F(GraphSnapshotTest, SnapshotOfADeletedStoreIsNotTrustedForANewStoreAtTheSamePath) {
  write(first_batch());
  load_graph(store());
  const std::int64_t old_version = store().data_version();
  case_.close();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path_ + suffix);
  ASSERT_TRUE(std::filesystem::exists(snapshot()));

  case_.open(store::OpenMode::CreateIfMissing);
  write({{"p", "q", 1000, 1}, {"q", "r", 1001, 2}, {"r", "p", 1002, 3}});
  ASSERT_EQ(store().data_version(), old_version);

  SnapshotStats stats;
  const TransferGraph graph = load_graph(store(), &stats);
  ASSERT_TRUE(stats.rebuilt) << "the snapshot of the deleted store was used for the new one";
  expect_same_graph(graph, build_graph_in_memory(store()));
}

class CorruptSnapshotTest : public GraphSnapshotTest {
 protected:
  // Builds the snapshot of the first batch, lets `damage` change its bytes, and checks that the next load
  // rebuilds it (and rewrites a good file) instead of using it.
  template <typename Damage>
  void expect_rebuilt_after(Damage&& damage) {
    write(first_batch());
    load_graph(store());
    const std::string good = read_bytes(snapshot());
    std::string bad = good;
    damage(bad);
    ASSERT_NE(bad, good);
    write_bytes(snapshot(), bad);

    SnapshotStats stats;
    const TransferGraph graph = load_graph(store(), &stats);
    // ASSERT: a trusted damaged graph must not be walked (its offsets may point anywhere).
    ASSERT_TRUE(stats.rebuilt) << "a damaged snapshot was trusted";
    EXPECT_FALSE(stats.incremental);
    expect_same_graph(graph, build_graph_in_memory(store()));
    EXPECT_EQ(read_bytes(snapshot()), good) << "the damaged file was not replaced";
  }
};

TEST_F(CorruptSnapshotTest, TruncatedFileIsRebuilt) {
  expect_rebuilt_after([](std::string& bytes) { bytes.resize(bytes.size() / 2); });
}

TEST_F(CorruptSnapshotTest, FileShorterThanItsHeaderIsRebuilt) {
  expect_rebuilt_after([](std::string& bytes) { bytes.resize(16); });
}

TEST_F(CorruptSnapshotTest, EmptyFileIsRebuilt) {
  expect_rebuilt_after([](std::string& bytes) { bytes.clear(); });
}

TEST_F(CorruptSnapshotTest, GarbageFileIsRebuilt) {
  expect_rebuilt_after([](std::string& bytes) {
    std::mt19937 random(42);
    for (char& c : bytes) c = static_cast<char>(random());
  });
}

TEST_F(CorruptSnapshotTest, WrongMagicIsRebuilt) {
  expect_rebuilt_after([](std::string& bytes) { bytes[0] = 'X'; });
}

TEST_F(CorruptSnapshotTest, FileWithExtraBytesIsRebuilt) {
  expect_rebuilt_after([](std::string& bytes) { bytes.append(64, '\0'); });
}

TEST_F(CorruptSnapshotTest, GarbageAfterTheHeaderIsRebuilt) {
  expect_rebuilt_after([](std::string& bytes) {
    std::mt19937 random(7);
    for (std::size_t i = sizeof(GraphHeader); i < bytes.size(); ++i) bytes[i] = static_cast<char>(random());
  });
}

// The header and the offset arrays are intact but the edge records are garbage, as after a torn write or a
// bad disk block. "A snapshot is a cache: a corrupt one is rebuilt with a warning, never trusted"
// (graph_snapshot.hpp).
TEST_F(CorruptSnapshotTest, GarbageEdgeRecordsBehindAValidHeaderAreRebuilt) {
  expect_rebuilt_after([](std::string& bytes) {
    GraphHeader header{};
    std::memcpy(&header, bytes.data(), sizeof header);
    ASSERT_LT(header.edges_pos, header.in_offsets_pos);
    ASSERT_LE(header.in_offsets_pos, bytes.size());
    std::mt19937 random(7);
    for (std::size_t i = header.edges_pos; i < header.in_offsets_pos; ++i) bytes[i] = static_cast<char>(random());
  });
}

// One flipped bit in one edge's amount: the graph would report a wrong amount with no sign of trouble.
TEST_F(CorruptSnapshotTest, FlippedAmountBitIsRebuilt) {
  expect_rebuilt_after([](std::string& bytes) {
    GraphHeader header{};
    std::memcpy(&header, bytes.data(), sizeof header);
    ASSERT_GT(header.edge_count, 0u);
    bytes[header.edges_pos + offsetof(Edge, amount_lo) + 2] ^= 0x01;
  });
}

TEST_F(GraphSnapshotTest, HugeAmountsSurviveTheSnapshotExactly) {
  const std::vector<core::uint512> amounts{
      0, 1, pow2(64) - 1, pow2(64), pow2(128) - 2, pow2(128) - 1, pow2(128), pow2(200) + 12345, pow2(256) - 1};
  std::vector<Row> rows;
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    rows.push_back(Row{"w" + std::to_string(i % 3), "v" + std::to_string(i), static_cast<core::UnixSeconds>(1000 - i),
                       amounts[i], "BIG"});
  }
  write(rows);

  auto check = [&](const TransferGraph& graph, const char* what) {
    std::vector<core::uint512> seen(amounts.size());
    std::size_t found = 0;
    for (NodeId node = 0; node < graph.node_count(); ++node) {
      for (const Edge& edge : graph.out_edges(node)) {
        // Transfer ids follow write order (tx i -> transfer id i << 24, see transfer_writer.hpp).
        const auto position = static_cast<std::size_t>((edge.transfer_id >> 24) - 1);
        ASSERT_LT(position, amounts.size()) << what;
        seen[position] = graph.amount(graph.index_of(edge)).value();
        EXPECT_EQ(edge.amount_saturated(), amounts[position] >= pow2(128) - 1) << what << " amount #" << position;
        ++found;
      }
    }
    EXPECT_EQ(found, amounts.size()) << what;
    for (std::size_t i = 0; i < amounts.size(); ++i) EXPECT_EQ(seen[i], amounts[i]) << what << " amount #" << i;
  };
  check(build_graph_in_memory(store()), "in memory");
  SnapshotStats stats;
  check(load_graph(store(), &stats), "freshly built");
  ASSERT_TRUE(stats.rebuilt);
  check(load_graph(store(), &stats), "mapped from disk");
  ASSERT_FALSE(stats.rebuilt);

  // Through an incremental merge too (the old edges are re-expanded from the mapped file).
  write({{"w0", "v0", 5000, pow2(255) + 1, "BIG"}});
  const TransferGraph merged = load_graph(store(), &stats);
  ASSERT_TRUE(stats.incremental);
  expect_same_graph(merged, build_graph_in_memory(store()));
}

// The snapshot is built in a mapping advised huge pages, so the kernel keeps it in 2 MiB page-cache folios
// that every trace maps a few hundred at a time (skipped where that cannot be checked).
TEST_F(GraphSnapshotTest, IsBuiltInPiecesTheKernelKeepsAs2MiBFolios) {
  if (const auto why = test::why_folios_cannot_be_checked(case_.dir().file("reference"))) GTEST_SKIP() << *why;
  for (int i = 0; i < 260000; ++i) {  // about 51 bytes each: six whole 2 MiB chunks
    case_.add("w" + std::to_string(i % 5000), "w" + std::to_string((i * 7 + 1) % 5000), 1000 + i);
  }
  case_.commit();
  SnapshotStats stats;
  load_graph(store(), &stats);
  ASSERT_TRUE(stats.rebuilt);
  const std::optional<std::size_t> chunks = test::chunks_in_2mib_folios(snapshot());
  ASSERT_TRUE(chunks);
  const std::size_t whole = std::filesystem::file_size(snapshot()) / test::kFolioChunk;
  ASSERT_GE(whole, 5u);
  EXPECT_GE(*chunks, whole - 1) << "of " << whole << " whole chunks";
}

}  // namespace
}  // namespace fundtrail::graph
