#pragma once
// On-disk layout of a graph snapshot (little-endian, every section 8-byte aligned):
//   GraphHeader | out_offsets u64[node_count+1] | edges Edge[edge_count] | in_offsets u64[node_count+1] |
//   in_edges InEdge[edge_count] | big amounts {u64 edge index, 32-byte big-endian amount}[big_count]
// Bump kGraphFormatVersion whenever this layout or Edge changes; older files are then rebuilt.
#include <cstddef>
#include <cstdint>

#include "fundtrail/store/cache_stamp.hpp"

namespace fundtrail::graph {

inline constexpr char kGraphMagic[8] = {'F', 'T', 'G', 'R', 'A', 'P', 'H', '\0'};
inline constexpr std::uint32_t kGraphFormatVersion = 2;
inline constexpr std::size_t kBigAmountRecordSize = 8 + 32;

struct GraphHeader {
  char magic[8];
  std::uint32_t format_version;
  std::uint32_t reserved;
  std::int64_t data_version;
  std::int64_t max_transfer_id;
  std::uint64_t node_count;
  std::uint64_t edge_count;
  std::uint64_t big_count;
  std::uint64_t out_offsets_pos;
  std::uint64_t edges_pos;
  std::uint64_t in_offsets_pos;
  std::uint64_t in_edges_pos;
  std::uint64_t big_pos;
  std::uint64_t total_size;
  char store_id[store::kStoreIdSize];  // the store this snapshot belongs to (meta.store_id)
  std::uint64_t checksum;       // image_checksum() with this field zeroed
};

// 64-bit checksum of a whole image (header with its checksum field zeroed, then every section). Four
// independent multiply-rotate lanes keep it near memory bandwidth, so verifying a snapshot of 10 million
// transfers costs a fraction of a second. It detects damage, not tampering by someone who can rewrite it.
std::uint64_t image_checksum(const std::byte* image, std::size_t size);

}  // namespace fundtrail::graph
