#include "fundtrail/graph/transfer_graph.hpp"

#include <algorithm>
#include <cstring>

#include "fundtrail/core/error.hpp"
#include "graph_format.hpp"

namespace fundtrail::graph {
namespace {

const GraphHeader& header_of(const std::byte* image) { return *reinterpret_cast<const GraphHeader*>(image); }

}  // namespace

TransferGraph::TransferGraph(std::shared_ptr<const void> storage, const std::byte* image, std::size_t size)
    : storage_(std::move(storage)), image_(image), size_(size) {
  if (size < sizeof(GraphHeader)) throw Error(ErrorKind::Corruption, "graph snapshot shorter than its header");
  const GraphHeader& header = header_of(image);
  if (std::memcmp(header.magic, kGraphMagic, sizeof kGraphMagic) != 0 || header.format_version != kGraphFormatVersion) {
    throw Error(ErrorKind::Corruption, "graph snapshot has an unknown format");
  }
  const std::uint64_t nodes = header.node_count;
  const std::uint64_t edges = header.edge_count;
  auto fits = [&](std::uint64_t pos, std::uint64_t bytes) {
    return pos % 8 == 0 && pos <= size && bytes <= size - pos;
  };
  if (header.total_size != size || !fits(header.out_offsets_pos, (nodes + 1) * 8) ||
      !fits(header.edges_pos, edges * sizeof(Edge)) || !fits(header.in_offsets_pos, (nodes + 1) * 8) ||
      !fits(header.in_edges_pos, edges * sizeof(InEdge)) ||
      !fits(header.big_pos, header.big_count * kBigAmountRecordSize) || edges > UINT32_MAX || nodes > UINT32_MAX) {
    throw Error(ErrorKind::Corruption, "graph snapshot sections do not fit its size");
  }
  node_count_ = nodes;
  edge_count_ = edges;
  out_offsets_ = reinterpret_cast<const std::uint64_t*>(image + header.out_offsets_pos);
  edges_ = reinterpret_cast<const Edge*>(image + header.edges_pos);
  in_offsets_ = reinterpret_cast<const std::uint64_t*>(image + header.in_offsets_pos);
  in_edges_ = reinterpret_cast<const InEdge*>(image + header.in_edges_pos);
  big_count_ = header.big_count;
  big_amounts_ = image + header.big_pos;
  if (out_offsets_[0] != 0 || out_offsets_[nodes] != edges || in_offsets_[0] != 0 || in_offsets_[nodes] != edges) {
    throw Error(ErrorKind::Corruption, "graph snapshot offsets are inconsistent");
  }
}

std::int64_t TransferGraph::data_version() const { return header_of(image_).data_version; }
std::int64_t TransferGraph::max_transfer_id() const { return header_of(image_).max_transfer_id; }

NodeId TransferGraph::source_of(EdgeIndex index) const {
  // The last node whose first edge is <= index.
  const std::uint64_t* begin = out_offsets_;
  const std::uint64_t* end = out_offsets_ + node_count_ + 1;
  const std::uint64_t* upper = std::upper_bound(begin, end, static_cast<std::uint64_t>(index));
  return static_cast<NodeId>(upper - begin - 1);
}

core::Amount TransferGraph::amount(EdgeIndex index) const {
  const Edge& e = edges_[index];
  if (!e.amount_saturated()) {
    core::uint512 value = e.amount_hi;
    value <<= 64;
    value |= e.amount_lo;
    return core::Amount(value);
  }
  // Binary search the side table (sorted by edge index).
  std::size_t low = 0;
  std::size_t high = big_count_;
  while (low < high) {
    std::size_t mid = (low + high) / 2;
    std::uint64_t mid_edge = 0;
    std::memcpy(&mid_edge, big_amounts_ + mid * kBigAmountRecordSize, 8);
    if (mid_edge < index) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  std::uint64_t found_edge = 0;
  if (low < big_count_) std::memcpy(&found_edge, big_amounts_ + low * kBigAmountRecordSize, 8);
  if (low == big_count_ || found_edge != index) {
    // Saturated inline value without a side record: exactly 2^128 - 1.
    core::uint512 value = UINT64_MAX;
    value <<= 64;
    value |= UINT64_MAX;
    return core::Amount(value);
  }
  core::uint512 value = 0;
  const std::byte* bytes = big_amounts_ + low * kBigAmountRecordSize + 8;
  for (int i = 0; i < 32; ++i) {
    value <<= 8;
    value |= static_cast<unsigned>(bytes[i]);
  }
  return core::Amount(value);
}

}  // namespace fundtrail::graph
