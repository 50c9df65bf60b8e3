#pragma once
// The in-memory transfer graph every analysis runs on: a compressed sparse row (CSR) layout with
// out-edges sorted by (source, time) and an in-edge index sorted by (target, time), so time-respecting
// traversals binary-search the first usable transfer of a wallet and scan forward.
//
// Node ids are the store's address ids (dense integers), edge order is independent of store ids.
// Memory: 40 bytes per out-edge + 8 per in-edge entry + 16 per node, ~50 bytes per transfer in total.
//
// The graph is persisted as a snapshot file beside the store (`<db>.graph`) and memory-mapped, so a command
// starts in milliseconds whatever the store's size. The snapshot records the store's data_version; a stale
// snapshot is brought up to date by merging only the transfers added since (see GraphSnapshot).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "fundtrail/core/amount.hpp"
#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::graph {

using NodeId = std::uint32_t;
using EdgeIndex = std::uint32_t;

// One transfer as stored in the out-edge array. Amounts below 2^128 - 1 base units are held inline
// (amount_hi:amount_lo); larger ones (only seen with hostile or joke tokens) are saturated here and kept
// exactly in a side table, see TransferGraph::amount().
struct Edge {
  NodeId to;
  std::uint32_t asset;  // store asset id
  core::UnixSeconds timestamp;
  std::uint64_t amount_lo;
  std::uint64_t amount_hi;
  std::int64_t transfer_id;  // store transfer id: the link back to tx hash, index and evidence

  bool amount_saturated() const { return amount_lo == UINT64_MAX && amount_hi == UINT64_MAX; }
};
static_assert(sizeof(Edge) == 40);

// An entry of the in-edge index: the source node and the position of the transfer in the out-edge array.
struct InEdge {
  NodeId from;
  EdgeIndex edge;
};
static_assert(sizeof(InEdge) == 8);

struct GraphHeader;  // on-disk layout, see graph_snapshot.cpp

class TransferGraph {
 public:
  // Wraps a snapshot image (header + sections) held in `storage` (a mapped file or an owned buffer).
  TransferGraph(std::shared_ptr<const void> storage, const std::byte* image, std::size_t size);

  std::size_t node_count() const { return node_count_; }
  std::size_t edge_count() const { return edge_count_; }
  std::int64_t data_version() const;
  std::int64_t max_transfer_id() const;
  std::size_t image_bytes() const { return size_; }
  const std::byte* image() const { return image_; }

  bool has_node(std::int64_t id) const { return id >= 0 && static_cast<std::uint64_t>(id) < node_count_; }
  // Inline: a trace asks for the edges of every wallet it reaches.
  std::span<const Edge> out_edges(NodeId node) const {
    if (node >= node_count_) return {};
    return {edges_ + out_offsets_[node], edges_ + out_offsets_[node + 1]};
  }
  std::span<const InEdge> in_edges(NodeId node) const {
    if (node >= node_count_) return {};
    return {in_edges_ + in_offsets_[node], in_edges_ + in_offsets_[node + 1]};
  }
  // Asks the CPU to start loading where a wallet's out- or in-edges lie (random memory access).
  void preload_out_edges(NodeId node) const { __builtin_prefetch(out_offsets_ + node); }
  void preload_in_edges(NodeId node) const { __builtin_prefetch(in_offsets_ + node); }
  const Edge& edge(EdgeIndex index) const { return edges_[index]; }
  EdgeIndex index_of(const Edge& edge) const { return static_cast<EdgeIndex>(&edge - edges_); }
  // Source node of an out-edge (binary search over the offsets).
  NodeId source_of(EdgeIndex index) const;

  // Exact amount in base units, consulting the side table for saturated edges.
  core::Amount amount(EdgeIndex index) const;

 private:
  std::shared_ptr<const void> storage_;
  const std::byte* image_ = nullptr;
  std::size_t size_ = 0;
  std::size_t node_count_ = 0;
  std::size_t edge_count_ = 0;
  const std::uint64_t* out_offsets_ = nullptr;
  const Edge* edges_ = nullptr;
  const std::uint64_t* in_offsets_ = nullptr;
  const InEdge* in_edges_ = nullptr;
  std::size_t big_count_ = 0;
  const std::byte* big_amounts_ = nullptr;  // big_count_ records of {u64 edge, 32-byte big-endian amount}
};

}  // namespace fundtrail::graph
