#include "fundtrail/graph/graph_snapshot.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/core/huge_pages.hpp"
#include "fundtrail/store/cache_stamp.hpp"
#include "fundtrail/store/case_store.hpp"
#include "graph_format.hpp"

namespace fundtrail::graph {
namespace {

struct PendingEdge {
  NodeId from;
  Edge edge;
};

// Edges waiting to be laid out, with the exact values of saturated amounts kept aside (rare) so each
// pending edge stays 48 bytes.
struct PendingGraph {
  std::vector<PendingEdge> edges;
  std::vector<std::pair<std::int64_t, core::uint256>> big;  // (transfer id, exact amount)
};

constexpr std::uint64_t align8(std::uint64_t value) { return (value + 7) & ~std::uint64_t{7}; }

void set_amount(PendingEdge& pending, const core::uint512& value, PendingGraph& graph) {
  static const core::uint512 kSaturation = (core::uint512(1) << 128) - 1;
  if (value >= kSaturation) {
    pending.edge.amount_lo = UINT64_MAX;
    pending.edge.amount_hi = UINT64_MAX;
    graph.big.emplace_back(pending.edge.transfer_id, core::uint256(value));
  } else {
    pending.edge.amount_lo = static_cast<std::uint64_t>(value & UINT64_MAX);
    pending.edge.amount_hi = static_cast<std::uint64_t>(value >> 64);
  }
}

NodeId checked_node(std::int64_t id) {
  if (id <= 0 || id > static_cast<std::int64_t>(UINT32_MAX - 1)) {
    throw Error(ErrorKind::Corruption, "address id " + std::to_string(id) + " outside the graph's range");
  }
  return static_cast<NodeId>(id);
}

void append_store_transfers(store::CaseStore& store, std::int64_t after_id, PendingGraph& pending) {
  store.scan_transfers(after_id, [&](const store::TransferRow& row) {
    PendingEdge item{};
    item.from = checked_node(row.from_id);
    item.edge.to = checked_node(row.to_id);
    item.edge.asset = static_cast<std::uint32_t>(row.asset_id);
    item.edge.timestamp = row.timestamp;
    item.edge.transfer_id = row.id;
    if (row.amount_is_text) {
      set_amount(item, core::Amount::parse_base_units(row.amount_text).value(), pending);
    } else {
      item.edge.amount_lo = static_cast<std::uint64_t>(row.amount_int);
      item.edge.amount_hi = 0;
    }
    pending.edges.push_back(item);
  });
}

// The header of the CSR image of `graph`: where each part goes and the total size.
GraphHeader layout_of(const PendingGraph& graph, std::uint64_t node_count, std::int64_t data_version,
                      std::int64_t max_transfer_id, const std::string& store_id) {
  const std::vector<PendingEdge>& pending = graph.edges;
  if (pending.size() > UINT32_MAX) throw Error(ErrorKind::Corruption, "more than 2^32 transfers in one graph");
  const std::uint64_t edges = pending.size();
  std::size_t big_count = 0;
  for (const auto& item : pending) big_count += item.edge.amount_saturated() ? 1 : 0;

  GraphHeader header{};
  std::memcpy(header.magic, kGraphMagic, sizeof kGraphMagic);
  header.format_version = kGraphFormatVersion;
  header.data_version = data_version;
  header.max_transfer_id = max_transfer_id;
  header.node_count = node_count;
  header.edge_count = edges;
  header.big_count = big_count;
  header.out_offsets_pos = align8(sizeof(GraphHeader));
  header.edges_pos = header.out_offsets_pos + (node_count + 1) * 8;
  header.in_offsets_pos = header.edges_pos + edges * sizeof(Edge);
  header.in_edges_pos = header.in_offsets_pos + (node_count + 1) * 8;
  header.big_pos = header.in_edges_pos + edges * sizeof(InEdge);
  header.total_size = align8(header.big_pos + big_count * kBigAmountRecordSize);
  std::memcpy(header.store_id, store_id.data(), std::min(store_id.size(), store::kStoreIdSize));
  return header;
}

// Lays out the CSR image of `graph` (consumed) as `header` says into `image`: header.total_size zeroed bytes,
// 8-byte aligned. Fills in the checksum.
void fill_image(PendingGraph& graph, const GraphHeader& header, std::byte* image) {
  std::vector<PendingEdge>& pending = graph.edges;
  const std::uint64_t edges = header.edge_count;
  const std::uint64_t node_count = header.node_count;
  const std::size_t big_count = header.big_count;
  std::memcpy(image, &header, sizeof header);
  auto* out_offsets = reinterpret_cast<std::uint64_t*>(image + header.out_offsets_pos);
  auto* edge_array = reinterpret_cast<Edge*>(image + header.edges_pos);
  auto* in_offsets = reinterpret_cast<std::uint64_t*>(image + header.in_offsets_pos);
  auto* in_array = reinterpret_cast<InEdge*>(image + header.in_edges_pos);

  // Counting sort by source, then each wallet's transfers by (time, transfer id).
  for (const auto& item : pending) ++out_offsets[item.from + 1];
  for (std::uint64_t node = 0; node < node_count; ++node) out_offsets[node + 1] += out_offsets[node];
  std::vector<std::uint64_t> cursor(out_offsets, out_offsets + node_count);
  std::vector<std::uint32_t> pending_of_edge(edges);
  for (std::uint32_t i = 0; i < edges; ++i) {
    std::uint64_t slot = cursor[pending[i].from]++;
    edge_array[slot] = pending[i].edge;
    pending_of_edge[slot] = i;
  }
  auto by_time = [](const Edge& a, const Edge& b) {
    return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.transfer_id < b.transfer_id;
  };
  for (std::uint64_t node = 0; node < node_count; ++node) {
    Edge* first = edge_array + out_offsets[node];
    Edge* last = edge_array + out_offsets[node + 1];
    if (last - first > 1 && !std::is_sorted(first, last, by_time)) std::sort(first, last, by_time);
  }

  // The in-edge index, built in out-edge order so each target's list needs sorting only by time.
  for (std::uint64_t e = 0; e < edges; ++e) ++in_offsets[edge_array[e].to + 1];
  for (std::uint64_t node = 0; node < node_count; ++node) in_offsets[node + 1] += in_offsets[node];
  std::copy(in_offsets, in_offsets + node_count, cursor.begin());
  for (std::uint64_t node = 0; node < node_count; ++node) {
    for (std::uint64_t e = out_offsets[node]; e < out_offsets[node + 1]; ++e) {
      in_array[cursor[edge_array[e].to]++] = InEdge{static_cast<NodeId>(node), static_cast<EdgeIndex>(e)};
    }
  }
  auto in_by_time = [edge_array](const InEdge& a, const InEdge& b) {
    const Edge& ea = edge_array[a.edge];
    const Edge& eb = edge_array[b.edge];
    return ea.timestamp != eb.timestamp ? ea.timestamp < eb.timestamp : ea.transfer_id < eb.transfer_id;
  };
  for (std::uint64_t node = 0; node < node_count; ++node) {
    InEdge* first = in_array + in_offsets[node];
    InEdge* last = in_array + in_offsets[node + 1];
    if (last - first > 1 && !std::is_sorted(first, last, in_by_time)) std::sort(first, last, in_by_time);
  }

  // Exact values of saturated amounts, in edge order. The sort above moved edges within a node's range,
  // so find each one's pending record by transfer id.
  if (big_count > 0) {
    auto& big = graph.big;
    std::sort(big.begin(), big.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::byte* out = image + header.big_pos;
    for (std::uint64_t e = 0; e < edges; ++e) {
      if (!edge_array[e].amount_saturated()) continue;
      auto found = std::lower_bound(big.begin(), big.end(), edge_array[e].transfer_id,
                                    [](const auto& entry, std::int64_t id) { return entry.first < id; });
      if (found == big.end() || found->first != edge_array[e].transfer_id) {
        throw Error(ErrorKind::Corruption, "saturated amount without its exact value");
      }
      std::memcpy(out, &e, 8);
      core::uint256 value = found->second;
      for (int i = 31; i >= 0; --i) {
        out[8 + i] = static_cast<std::byte>(static_cast<unsigned>(value & 0xff));
        value >>= 8;
      }
      out += kBigAmountRecordSize;
    }
  }
  const std::uint64_t checksum = image_checksum(image, header.total_size);
  std::memcpy(image + offsetof(GraphHeader, checksum), &checksum, sizeof checksum);
}

// The image of `graph` (consumed) in memory, for a graph that is not written to a file.
std::shared_ptr<std::uint64_t[]> build_image(PendingGraph& graph, const GraphHeader& header) {
  std::shared_ptr<std::uint64_t[]> buffer(new std::uint64_t[header.total_size / 8]());
  fill_image(graph, header, reinterpret_cast<std::byte*>(buffer.get()));
  return buffer;
}

TransferGraph graph_from_buffer(std::shared_ptr<std::uint64_t[]> buffer, std::size_t size) {
  const auto* image = reinterpret_cast<const std::byte*>(buffer.get());
  return TransferGraph(std::shared_ptr<const void>(buffer, buffer.get()), image, size);
}

std::string header_store_id(const TransferGraph& graph) {
  const auto* header = reinterpret_cast<const GraphHeader*>(graph.image());
  return std::string(header->store_id, strnlen(header->store_id, store::kStoreIdSize));
}

// The stamp of the snapshot file as this process wrote it (store::cache_file_stamp, tagged with the image's
// checksum), kept in the store's meta table. A file whose stamp still matches was not rewritten since, so its
// full checksum need not be recomputed on every start (that would read the whole file: ~0.3 s at 10M).
constexpr std::string_view kStampKey = "graph_snapshot_stamp";
constexpr std::string_view kRewritesKey = "rewrites";                         // bumped by TransferWriter
constexpr std::string_view kSnapshotRewritesKey = "graph_snapshot_rewrites";  // its value at the last build

std::optional<TransferGraph> map_snapshot(const std::string& path, const std::optional<std::string>& trusted_stamp) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || info.st_size < static_cast<off_t>(sizeof(GraphHeader))) {
    ::close(fd);
    spdlog::warn("graph snapshot {} is truncated; rebuilding it", path);
    return std::nullopt;
  }
  const auto size = static_cast<std::size_t>(info.st_size);
  void* address = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (address == MAP_FAILED) return std::nullopt;
  core::advise_huge_pages(address, size);  // a large trace reads much of it at random
  std::shared_ptr<const void> mapping(address, [size](const void* p) { ::munmap(const_cast<void*>(p), size); });
  const auto* image = static_cast<const std::byte*>(address);
  GraphHeader header{};
  std::memcpy(&header, image, sizeof header);
  const bool unchanged = trusted_stamp && *trusted_stamp == store::cache_file_stamp(info, header.checksum);
  if (!unchanged && header.format_version == kGraphFormatVersion && header.total_size == size &&
      header.checksum != image_checksum(image, size)) {
    spdlog::warn("graph snapshot {} is damaged (checksum mismatch); rebuilding it", path);
    return std::nullopt;
  }
  try {
    return TransferGraph(mapping, static_cast<const std::byte*>(address), size);
  } catch (const Error& error) {
    spdlog::warn("graph snapshot {} is unusable ({}); rebuilding it", path, error.what());
    return std::nullopt;
  }
}

// A snapshot file being written: a temporary file of the image's size, mapped into memory, that the image
// is built in directly and that is then renamed into place. The kernel writes the pages back: no copy of
// the image through write() (a quarter of a 10M-transfer rebuild) and no second, anonymous copy of it in
// memory. Its blocks are allocated up front, so a full disk is an error here, not a SIGBUS while building.
class SnapshotFile {
 public:
  // nullopt (logged) when the file cannot be created: the caller builds the image in memory instead.
  static std::optional<SnapshotFile> create(const std::string& path, std::size_t size) {
    std::string temp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      spdlog::warn("cannot write graph snapshot {}: {}; the graph stays in memory for this command", path,
                   std::strerror(errno));
      return std::nullopt;
    }
    const int reserved = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
    void* address = reserved == 0 ? ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
    const int error = reserved != 0 ? reserved : errno;
    ::close(fd);
    if (address == MAP_FAILED) {
      std::error_code ignored;  // the failure reported is the one above
      std::filesystem::remove(temp, ignored);
      spdlog::warn("cannot write graph snapshot {}: {}; the graph stays in memory for this command", path,
                   std::strerror(error));
      return std::nullopt;
    }
    // Built in 2 MiB page-cache folios, the file is then read by every command in 2 MiB pieces (see the
    // advice in map_snapshot) instead of small ones that each trace maps and unmaps one by one.
    core::advise_huge_pages(address, size);
    std::shared_ptr<void> mapping(address, [size](void* p) { ::munmap(p, size); });
    return SnapshotFile(path, std::move(temp), std::move(mapping), size);
  }

  SnapshotFile(SnapshotFile&& other) noexcept
      : path_(std::move(other.path_)),
        temp_(std::exchange(other.temp_, std::string())),
        mapping_(std::move(other.mapping_)),
        size_(other.size_),
        installed_(other.installed_) {}
  SnapshotFile& operator=(SnapshotFile&&) = delete;
  ~SnapshotFile() {
    if (!installed_ && !temp_.empty()) {
      std::error_code ignored;
      std::filesystem::remove(temp_, ignored);
    }
  }

  std::byte* data() const { return static_cast<std::byte*>(mapping_.get()); }

  // Renames the file into place and returns the graph over the mapping and the installed file's stamp
  // (nullopt when it could not be installed: the graph is still good for this command).
  std::pair<TransferGraph, std::optional<std::string>> install() {
    std::optional<std::string> stamp;
    const std::shared_ptr<const void> view(mapping_, mapping_.get());
    // On disk before it is renamed into place and the store records its stamp: a snapshot whose stamp matches
    // is trusted without reading it all, so after a power loss the stamp must name a complete file or none.
    if (::msync(data(), size_, MS_SYNC) != 0) {
      spdlog::warn("cannot write graph snapshot {}: {}; the next command builds it again", path_, std::strerror(errno));
      return {TransferGraph(view, data(), size_), stamp};  // not installed: the temp file is removed
    }
    std::error_code error;
    std::filesystem::rename(temp_, path_, error);
    struct stat info {};
    if (error) {
      spdlog::warn("cannot install graph snapshot {}: {}", path_, error.message());
    } else {
      installed_ = true;
      if (::stat(path_.c_str(), &info) == 0) {
        std::uint64_t checksum = 0;
        std::memcpy(&checksum, data() + offsetof(GraphHeader, checksum), sizeof checksum);
        stamp = store::cache_file_stamp(info, checksum);
      }
    }
    return {TransferGraph(view, data(), size_), stamp};
  }

 private:
  SnapshotFile(std::string path, std::string temp, std::shared_ptr<void> mapping, std::size_t size)
      : path_(std::move(path)), temp_(std::move(temp)), mapping_(std::move(mapping)), size_(size) {}

  std::string path_;
  std::string temp_;
  std::shared_ptr<void> mapping_;
  std::size_t size_;
  bool installed_ = false;
};

// Re-expands the edges of an existing snapshot into pending records (for an incremental merge).
void append_graph_edges(const TransferGraph& graph, PendingGraph& pending) {
  pending.edges.reserve(pending.edges.size() + graph.edge_count());
  for (NodeId node = 0; node < graph.node_count(); ++node) {
    for (const Edge& edge : graph.out_edges(node)) {
      pending.edges.push_back(PendingEdge{node, edge});
      if (edge.amount_saturated()) {
        pending.big.emplace_back(edge.transfer_id, core::uint256(graph.amount(graph.index_of(edge)).value()));
      }
    }
  }
}

}  // namespace

std::string snapshot_path_for(const std::string& store_path) { return store_path + ".graph"; }

TransferGraph build_graph_in_memory(store::CaseStore& store) {
  PendingGraph pending;
  pending.edges.reserve(static_cast<std::size_t>(store.transfer_count()));
  append_store_transfers(store, 0, pending);
  const GraphHeader header = layout_of(pending, static_cast<std::uint64_t>(store.max_address_id()) + 1,
                                       store.data_version(), store.max_transfer_id(), store.store_id());
  return graph_from_buffer(build_image(pending, header), header.total_size);
}

TransferGraph load_graph(store::CaseStore& store, SnapshotStats* stats) {
  const std::string path = snapshot_path_for(store.path());
  const std::int64_t data_version = store.data_version();
  const std::string store_id = store.store_id();
  std::optional<TransferGraph> existing = map_snapshot(path, store.meta(kStampKey));
  if (existing && header_store_id(*existing) != store_id) {
    spdlog::warn("graph snapshot {} belongs to another store; rebuilding it", path);
    existing.reset();
  }
  // Rewrites of stored transfers (a mempool transaction confirmed: new timestamps) force a full rebuild.
  const std::string rewrites = store.meta(kRewritesKey).value_or("0");
  const bool rewritten = store.meta(kSnapshotRewritesKey).value_or("0") != rewrites;
  if (existing && !rewritten && existing->data_version() == data_version) {
    if (stats) *stats = SnapshotStats{};
    return std::move(*existing);
  }

  SnapshotStats local;
  local.rebuilt = true;
  PendingGraph pending;
  const std::int64_t store_count = store.transfer_count();
  const std::int64_t max_id = store.max_transfer_id();
  // Transfers are only ever added, so a snapshot whose edges are a prefix of the store can be extended
  // with the rows after its max id. Anything else (rows removed or rewritten) means a full rebuild.
  if (existing && !rewritten && existing->data_version() < data_version && existing->max_transfer_id() <= max_id) {
    pending.edges.reserve(static_cast<std::size_t>(store_count));
    append_graph_edges(*existing, pending);
    const std::size_t before = pending.edges.size();
    append_store_transfers(store, existing->max_transfer_id(), pending);
    if (static_cast<std::int64_t>(pending.edges.size()) == store_count) {
      local.incremental = true;
      local.new_transfers = pending.edges.size() - before;
    } else {
      pending = PendingGraph{};
    }
  }
  existing.reset();  // release the old mapping before replacing the file
  if (!local.incremental) {
    pending.edges.reserve(static_cast<std::size_t>(store_count));
    append_store_transfers(store, 0, pending);
    local.new_transfers = pending.edges.size();
  }
  spdlog::debug("graph snapshot {}: {} ({} transfers, {} new)", path, local.incremental ? "extended" : "rebuilt",
                pending.edges.size(), local.new_transfers);
  const GraphHeader header =
      layout_of(pending, static_cast<std::uint64_t>(store.max_address_id()) + 1, data_version, max_id, store_id);
  if (stats) *stats = local;
  std::optional<SnapshotFile> file = SnapshotFile::create(path, header.total_size);
  if (!file) return graph_from_buffer(build_image(pending, header), header.total_size);
  fill_image(pending, header, file->data());
  pending = PendingGraph{};
  auto [graph, stamp] = file->install();
  if (stamp) {
    store.set_meta(kStampKey, *stamp);
    store.set_meta(kSnapshotRewritesKey, rewrites);
  }
  return std::move(graph);
}

}  // namespace fundtrail::graph
