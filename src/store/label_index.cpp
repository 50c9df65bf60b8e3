#include "fundtrail/store/label_index.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/core/huge_pages.hpp"
#include "fundtrail/store/cache_stamp.hpp"
#include "fundtrail/store/case_store.hpp"
#include "fundtrail/store/sqlite.hpp"

namespace fundtrail::store {
namespace {

// On-disk layout (little-endian, native structs; sections 8-byte aligned where they hold integers):
//   LabelHeader | TransactionSlot[transaction_count] | kind u8[transaction_count] |
//   address offsets u64[address_count + 1] | address chain u8[address_count] | address text |
//   transaction text (hashes that are not 64 hex digits)
// Bump kFormatVersion whenever this changes; older files are then rebuilt.
constexpr char kMagic[8] = {'F', 'T', 'L', 'A', 'B', 'E', 'L', '\0'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::string_view kStampKey = "label_index_stamp";

struct LabelHeader {
  char magic[8];
  std::uint32_t format_version;
  std::uint32_t reserved;
  std::int64_t data_version;
  std::int64_t label_rewrites;
  std::uint64_t nonce;  // random per file: part of the stamp the store records
  std::uint64_t address_count;
  std::uint64_t address_text_size;
  std::uint64_t transaction_count;
  std::uint64_t transaction_text_size;
  std::uint64_t transaction_records_pos;
  std::uint64_t transaction_kinds_pos;
  std::uint64_t address_offsets_pos;
  std::uint64_t address_chains_pos;
  std::uint64_t address_text_pos;
  std::uint64_t transaction_text_pos;
  std::uint64_t total_size;
  char store_id[kStoreIdSize];
};

// Kind 0 and chain byte 0 mean "no such id", so pages a crash left zero-filled read as missing (and are
// looked up in the store), never as a wrong label.
enum TransactionKind : std::uint8_t { kMissing = 0, kHex = 1, kPrefixedHex = 2, kText = 3 };

struct TransactionSlot {
  std::uint8_t hash[32];  // kHex/kPrefixedHex: the digits as bytes; kText: u64 offset, u32 size in the text section
  std::int64_t block_height;
};
static_assert(sizeof(TransactionSlot) == 40);
constexpr std::int64_t kNoHeight = INT64_MIN;

constexpr std::uint64_t align8(std::uint64_t value) { return (value + 7) & ~std::uint64_t{7}; }

// Where each section goes, from the counts and text sizes.
void lay_out(LabelHeader& header) {
  header.transaction_records_pos = align8(sizeof(LabelHeader));
  header.transaction_kinds_pos = header.transaction_records_pos + header.transaction_count * sizeof(TransactionSlot);
  header.address_offsets_pos = align8(header.transaction_kinds_pos + header.transaction_count);
  header.address_chains_pos = header.address_offsets_pos + (header.address_count + 1) * 8;
  header.address_text_pos = header.address_chains_pos + header.address_count;
  header.transaction_text_pos = header.address_text_pos + header.address_text_size;
  header.total_size = header.transaction_text_pos + header.transaction_text_size;
}

// Hex digit values, -1 for anything else. Upper case is not a digit here: the file must give back exactly
// what the store holds, so such hashes are kept as text. A table, not comparisons: with random digits the
// branches mispredict and decoding ten million hashes took seconds.
constexpr std::array<std::int8_t, 256> kHexValues = [] {
  std::array<std::int8_t, 256> values{};
  for (auto& value : values) value = -1;
  for (int c = 0; c < 10; ++c) values['0' + c] = static_cast<std::int8_t>(c);
  for (int c = 0; c < 6; ++c) values['a' + c] = static_cast<std::int8_t>(10 + c);
  return values;
}();

// The 32 bytes of 64 lower-case hex digits, or false.
bool decode_hex32(std::string_view digits, std::uint8_t* out) {
  if (digits.size() != 64) return false;
  int invalid = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const int high = kHexValues[static_cast<unsigned char>(digits[2 * i])];
    const int low = kHexValues[static_cast<unsigned char>(digits[2 * i + 1])];
    invalid |= high | low;  // negative when either is not a digit
    out[i] = static_cast<std::uint8_t>(high << 4 | (low & 15));
  }
  return invalid >= 0;
}

std::int64_t meta_count(CaseStore& store, std::string_view key) {
  const std::string text = store.meta(key).value_or("0");
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorKind::Corruption, "store meta '" + std::string(key) + "' is not a number: " + text);
  }
  return value;
}

Error io_error(const std::string& what, const std::string& path) {
  return Error(ErrorKind::IoError, "cannot " + what + " label index " + path + ": " + std::strerror(errno));
}

// Sequential writes from a file position through a buffer, each write ending on a 2 MiB boundary of the file
// (the first may be shorter): the kernel then keeps the file in 2 MiB page-cache folios, which a report
// maps with a few hundred faults instead of thousands (on the 10M bench store: 3,087 -> 756 faults while
// writing a trace, and 6 ms less to build its report). Written in 1 MiB pieces the file sat in 1 MiB folios
// and was mapped 64 KiB per fault. Aligned runs of whole chunks go straight to pwrite.
class SectionWriter {
 public:
  SectionWriter(int fd, const std::string& path, std::uint64_t position)
      : fd_(fd), path_(path), position_(position), buffer_(std::make_unique<char[]>(kChunkBytes)) {}

  void append(const void* data, std::size_t size) {
    const char* bytes = static_cast<const char*>(data);
    while (size > 0) {
      if (used_ == 0 && position_ % kChunkBytes == 0 && size >= kChunkBytes) {
        const std::size_t whole = size - size % kChunkBytes;
        write_at(bytes, whole);
        bytes += whole;
        size -= whole;
        continue;
      }
      const std::size_t to_boundary = kChunkBytes - (position_ + used_) % kChunkBytes;
      const std::size_t piece = std::min(size, to_boundary);
      std::memcpy(buffer_.get() + used_, bytes, piece);
      used_ += piece;
      bytes += piece;
      size -= piece;
      if (piece == to_boundary) flush();
    }
  }
  void append_zeros(std::size_t size) {
    static const char kZeros[4096] = {};
    while (size > 0) {
      const std::size_t piece = std::min(size, sizeof kZeros);
      append(kZeros, piece);
      size -= piece;
    }
  }
  void flush() {
    write_at(buffer_.get(), used_);
    used_ = 0;
  }

 private:
  static constexpr std::size_t kChunkBytes = 2 << 20;

  void write_at(const char* data, std::size_t size) {
    while (size > 0) {
      const ssize_t written = ::pwrite(fd_, data, size, static_cast<off_t>(position_));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) throw io_error("write", path_);
      data += written;
      size -= static_cast<std::size_t>(written);
      position_ += static_cast<std::uint64_t>(written);
    }
    // The file is made durable (fdatasync) before the store records it. Starting the disk writes of each
    // finished stretch now lets them run while the rest is read from the store, instead of all at the end.
    if (position_ - unsynced_from_ >= kWritebackBytes) {
      ::sync_file_range(fd_, static_cast<off_t>(unsynced_from_), static_cast<off_t>(position_ - unsynced_from_),
                        SYNC_FILE_RANGE_WRITE);  // only a hint: fdatasync below is what guarantees
      unsynced_from_ = position_;
    }
  }

  static constexpr std::uint64_t kWritebackBytes = 16 << 20;

  int fd_;
  const std::string& path_;
  std::uint64_t position_;
  std::uint64_t unsynced_from_ = position_;
  std::unique_ptr<char[]> buffer_;
  std::size_t used_ = 0;
};

// A file descriptor closed on every path out.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

struct LabelIndex::Mapping {
  const std::byte* data = nullptr;
  std::size_t size = 0;
  std::string path;
  std::string stamp;
  ~Mapping() {
    if (data) ::munmap(const_cast<std::byte*>(data), size);
  }
  const LabelHeader& header() const { return *reinterpret_cast<const LabelHeader*>(data); }
};

std::string label_index_path_for(const std::string& store_path) { return store_path + ".labels"; }

LabelIndex::LabelIndex(std::shared_ptr<const Mapping> mapping) : mapping_(std::move(mapping)) {
  const LabelHeader& header = mapping_->header();
  const std::byte* base = mapping_->data;
  address_count_ = header.address_count;
  transaction_count_ = header.transaction_count;
  address_offsets_ = reinterpret_cast<const std::uint64_t*>(base + header.address_offsets_pos);
  address_chains_ = reinterpret_cast<const std::uint8_t*>(base + header.address_chains_pos);
  address_text_ = reinterpret_cast<const char*>(base + header.address_text_pos);
  address_text_size_ = header.address_text_size;
  transaction_records_ = base + header.transaction_records_pos;
  transaction_kinds_ = reinterpret_cast<const std::uint8_t*>(base + header.transaction_kinds_pos);
  transaction_text_ = reinterpret_cast<const char*>(base + header.transaction_text_pos);
  transaction_text_size_ = header.transaction_text_size;
}

std::optional<LabelIndex> LabelIndex::map(const std::string& path, std::string_view what) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    spdlog::debug("label index {}: {} ({})", path, std::strerror(errno), what);
    return std::nullopt;
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || info.st_size < static_cast<off_t>(sizeof(LabelHeader))) {
    spdlog::debug("label index {} is truncated ({})", path, what);
    return std::nullopt;
  }
  auto mapping = std::make_shared<Mapping>();
  mapping->size = static_cast<std::size_t>(info.st_size);
  mapping->path = path;
  void* address = ::mmap(nullptr, mapping->size, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (address == MAP_FAILED) {
    spdlog::debug("label index {}: cannot map it: {} ({})", path, std::strerror(errno), what);
    return std::nullopt;
  }
  mapping->data = static_cast<const std::byte*>(address);
  core::advise_huge_pages(address, mapping->size);  // a large report reads most of it at random
  const LabelHeader& header = mapping->header();
  LabelHeader expected = header;
  const bool counts_sane =
      header.address_count < (std::uint64_t{1} << 40) && header.transaction_count < (std::uint64_t{1} << 40) &&
      header.address_text_size < (std::uint64_t{1} << 48) && header.transaction_text_size < (std::uint64_t{1} << 48);
  if (counts_sane) lay_out(expected);
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0 || header.format_version != kFormatVersion ||
      !counts_sane || std::memcmp(&expected, &header, sizeof header) != 0 || header.total_size != mapping->size) {
    spdlog::debug("label index {} has another format or is damaged ({})", path, what);
    return std::nullopt;
  }
  mapping->stamp = cache_file_stamp(info, header.nonce);
  return LabelIndex(std::move(mapping));
}

std::optional<LabelIndex> LabelIndex::open_current(CaseStore& store) {
  const std::string path = label_index_path_for(store.path());
  const std::optional<std::string> stamp = store.meta(kStampKey);
  if (!stamp) {
    spdlog::debug("label index {}: none recorded for this store; labels come from the store", path);
    return std::nullopt;
  }
  std::optional<LabelIndex> index = map(path, "labels come from the store");
  if (!index) return std::nullopt;
  const LabelHeader& header = index->mapping_->header();
  const std::string store_id = store.store_id();
  if (index->mapping_->stamp != *stamp || header.data_version != store.data_version() ||
      header.label_rewrites != meta_count(store, kLabelRewritesKey) ||
      std::string_view(header.store_id, strnlen(header.store_id, kStoreIdSize)) != store_id) {
    spdlog::debug("label index {} is not up to date; labels come from the store", path);
    return std::nullopt;
  }
  return index;
}

std::optional<IndexedAddress> LabelIndex::address(std::int64_t id) const {
  if (id < 0 || static_cast<std::uint64_t>(id) >= address_count_) return std::nullopt;
  const auto at = static_cast<std::size_t>(id);
  const std::uint8_t chain = address_chains_[at];
  const std::uint64_t begin = address_offsets_[at];
  const std::uint64_t end = address_offsets_[at + 1];
  if (chain == 0 || begin >= end || end > address_text_size_) return std::nullopt;
  return IndexedAddress{static_cast<core::Chain>(chain - 1), std::string_view(address_text_ + begin, end - begin)};
}

void LabelIndex::prefetch_address(std::int64_t id) const {
  if (id < 0 || static_cast<std::uint64_t>(id) >= address_count_) return;
  __builtin_prefetch(address_offsets_ + id);
  __builtin_prefetch(address_chains_ + id);
}

void LabelIndex::prefetch_address_text(std::int64_t id) const {
  if (id < 0 || static_cast<std::uint64_t>(id) >= address_count_) return;
  const std::uint64_t begin = address_offsets_[id];
  if (begin >= address_text_size_) return;
  __builtin_prefetch(address_text_ + begin);
  // Addresses are up to 90 bytes (Bech32): their end may lie in the next cache line.
  const std::uint64_t end = std::min<std::uint64_t>(address_offsets_[id + 1], address_text_size_);
  if (end > begin) __builtin_prefetch(address_text_ + end - 1);
}

void LabelIndex::prefetch_transaction(std::int64_t id) const {
  if (id < 0 || static_cast<std::uint64_t>(id) >= transaction_count_) return;
  __builtin_prefetch(transaction_records_ + static_cast<std::size_t>(id) * sizeof(TransactionSlot));
  __builtin_prefetch(transaction_kinds_ + id);
}

std::optional<IndexedTransaction> LabelIndex::transaction(std::int64_t id) const {
  if (id < 0 || static_cast<std::uint64_t>(id) >= transaction_count_) return std::nullopt;
  const auto at = static_cast<std::size_t>(id);
  const auto* record = reinterpret_cast<const TransactionSlot*>(transaction_records_ + at * sizeof(TransactionSlot));
  IndexedTransaction result;
  switch (transaction_kinds_[at]) {
    case kHex:
    case kPrefixedHex:
      result.hash = TxHash(record->hash, transaction_kinds_[at] == kPrefixedHex);
      break;
    case kText: {
      std::uint64_t offset = 0;
      std::uint32_t size = 0;
      std::memcpy(&offset, record->hash, 8);
      std::memcpy(&size, record->hash + 8, 4);
      if (size == 0 || offset > transaction_text_size_ || size > transaction_text_size_ - offset) return std::nullopt;
      result.hash = TxHash(std::string_view(transaction_text_ + offset, size));
      break;
    }
    default:
      return std::nullopt;
  }
  if (record->block_height != kNoHeight) result.block_height = record->block_height;
  return result;
}

void LabelIndex::refresh(CaseStore& store, LabelIndexStats* stats) {
  const std::string path = label_index_path_for(store.path());
  LabelIndexStats local;
  if (stats) *stats = local;

  LabelHeader header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.format_version = kFormatVersion;
  const std::string store_id = store.store_id();
  std::memcpy(header.store_id, store_id.data(), std::min(store_id.size(), kStoreIdSize));

  std::optional<LabelIndex> base = map(path, "rebuilding it");
  const std::optional<std::string> recorded_stamp = store.meta(kStampKey);
  // One read transaction: the counts, the version recorded and the rows written are of one committed state.
  std::optional<ReadTransaction> read(std::in_place, store.db());
  header.data_version = store.data_version();
  header.label_rewrites = meta_count(store, kLabelRewritesKey);
  header.address_count = static_cast<std::uint64_t>(store.max_address_id()) + 1;
  header.transaction_count = static_cast<std::uint64_t>(store.max_transaction_id()) + 1;
  if (base) {
    const LabelHeader& old = base->mapping_->header();
    const bool same_store = std::memcmp(old.store_id, header.store_id, kStoreIdSize) == 0;
    if (!recorded_stamp || base->mapping_->stamp != *recorded_stamp || !same_store ||
        old.label_rewrites != header.label_rewrites || old.address_count > header.address_count ||
        old.transaction_count > header.transaction_count) {
      base.reset();  // another store's, replaced, or a label rewritten: rebuild
    } else if (old.data_version == header.data_version && old.address_count == header.address_count &&
               old.transaction_count == header.transaction_count) {
      return;  // up to date
    }
  }
  local.rebuilt = true;
  local.incremental = base.has_value();
  const std::size_t base_transactions = base ? base->transaction_count_ : 0;
  const std::size_t base_addresses = base ? base->address_count_ : 0;

  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  const auto start = std::chrono::steady_clock::now();
  double sync_ms = 0;
  try {
    FileDescriptor fd(::open(temp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) throw io_error("create", temp);

    // Transactions: records streamed in id order, kinds and the rare text hashes kept until the end.
    header.address_text_size = 0;  // not known yet: the positions up to the address text do not depend on it
    header.transaction_text_size = 0;
    lay_out(header);
    std::vector<std::uint8_t> kinds(header.transaction_count, kMissing);
    std::string transaction_text;
    SectionWriter records(fd.get(), temp, header.transaction_records_pos);
    if (base) {
      records.append(base->transaction_records_, base_transactions * sizeof(TransactionSlot));
      std::memcpy(kinds.data(), base->transaction_kinds_, base_transactions);
      transaction_text.assign(base->transaction_text_, base->transaction_text_size_);
    }
    std::uint64_t next_transaction = std::max<std::uint64_t>(base_transactions, 1);
    if (next_transaction > base_transactions) records.append_zeros(sizeof(TransactionSlot));  // id 0
    store.scan_transactions(static_cast<std::int64_t>(next_transaction) - 1,
                            static_cast<std::int64_t>(header.transaction_count) - 1,
                            [&](std::int64_t id, std::string_view tx_hash, std::optional<std::int64_t> block_height) {
                              const auto at = static_cast<std::uint64_t>(id);
                              records.append_zeros((at - next_transaction) * sizeof(TransactionSlot));
                              TransactionSlot record{};
                              record.block_height = block_height.value_or(kNoHeight);
                              const bool prefixed = tx_hash.size() == 66 && tx_hash.starts_with("0x");
                              if (decode_hex32(prefixed ? tx_hash.substr(2) : tx_hash, record.hash)) {
                                kinds[at] = prefixed ? kPrefixedHex : kHex;
                              } else if (!tx_hash.empty() && tx_hash.size() <= UINT32_MAX) {
                                const std::uint64_t offset = transaction_text.size();
                                const auto size = static_cast<std::uint32_t>(tx_hash.size());
                                std::memcpy(record.hash, &offset, 8);
                                std::memcpy(record.hash + 8, &size, 4);
                                transaction_text.append(tx_hash);
                                kinds[at] = kText;
                              }
                              records.append(&record, sizeof record);
                              next_transaction = at + 1;
                              ++local.new_transactions;
                            });
    records.append_zeros((header.transaction_count - next_transaction) * sizeof(TransactionSlot));
    records.append(kinds.data(), kinds.size());
    records.flush();
    kinds = {};

    // Addresses: text streamed into its section, offsets and chains kept until the end.
    std::vector<std::uint64_t> offsets(header.address_count + 1, 0);
    std::vector<std::uint8_t> chains(header.address_count, 0);
    SectionWriter text(fd.get(), temp, header.address_text_pos);
    std::uint64_t text_size = 0;
    if (base) {
      std::memcpy(offsets.data(), base->address_offsets_, (base_addresses + 1) * 8);
      std::memcpy(chains.data(), base->address_chains_, base_addresses);
      text.append(base->address_text_, base->address_text_size_);
      text_size = base->address_text_size_;
    }
    std::uint64_t next_address = std::max<std::uint64_t>(base_addresses, 1);
    store.scan_addresses(static_cast<std::int64_t>(next_address) - 1,
                         static_cast<std::int64_t>(header.address_count) - 1,
                         [&](std::int64_t id, core::Chain chain, std::string_view address) {
                           const auto at = static_cast<std::uint64_t>(id);
                           for (; next_address <= at; ++next_address) offsets[next_address] = text_size;
                           chains[at] = static_cast<std::uint8_t>(static_cast<unsigned>(chain) + 1);
                           text.append(address.data(), address.size());
                           text_size += address.size();
                           offsets[at + 1] = text_size;
                           next_address = at + 1;
                           ++local.new_addresses;
                         });
    for (; next_address <= header.address_count; ++next_address) offsets[next_address] = text_size;
    read.reset();
    text.append(transaction_text.data(), transaction_text.size());
    text.flush();

    header.address_text_size = text_size;
    header.transaction_text_size = transaction_text.size();
    lay_out(header);
    std::random_device random;
    header.nonce = (std::uint64_t{random()} << 32) | random();
    SectionWriter tail(fd.get(), temp, header.address_offsets_pos);
    tail.append(offsets.data(), offsets.size() * 8);
    tail.append(chains.data(), chains.size());
    tail.flush();
    SectionWriter head(fd.get(), temp, 0);
    head.append(&header, sizeof header);
    head.flush();
    // On disk before the store records its stamp: after a crash the stamp names a complete file or none.
    const auto sync_start = std::chrono::steady_clock::now();
    if (::fdatasync(fd.get()) != 0) throw io_error("write", temp);
    sync_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sync_start).count();
    if (::close(fd.release()) != 0) throw io_error("write", temp);
    base.reset();
    std::filesystem::rename(temp, path);
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) throw io_error("stat", path);
    store.set_meta(kStampKey, cache_file_stamp(info, header.nonce));
  } catch (const std::exception& error) {
    std::error_code ignored;  // the failure reported is the one caught
    std::filesystem::remove(temp, ignored);
    spdlog::warn("label index {} not written ({}); reports read their labels from the store", path, error.what());
    return;
  }
  spdlog::debug(
      "label index {}: {} ({} new addresses, {} new transactions) in {:.1f} ms, {:.1f} ms of it waiting "
      "for the disk",
      path, local.incremental ? "extended" : "rebuilt", local.new_addresses, local.new_transactions,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(), sync_ms);
  if (stats) *stats = local;
}

}  // namespace fundtrail::store
