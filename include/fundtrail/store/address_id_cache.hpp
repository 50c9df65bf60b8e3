#pragma once
// Bounded map from (chain, normalised address) to address id for bulk writes (TransferWriter), also used as a
// bounded set of addresses already checked (the CSV importer's parsing thread, with id 1 for "valid").
// Open addressing with the strings packed in one arena: a lookup costs one or two cache misses instead of a
// chain of heap nodes, which matters when every imported row looks up two addresses.
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fundtrail::store {

class AddressIdCache {
 public:
  explicit AddressIdCache(std::size_t max_entries) : max_entries_(max_entries) { reset(1024); }

  std::optional<std::int64_t> find(std::uint8_t chain, std::string_view address) const {
    return find(address, hash_of(chain, address));
  }
  // The same with the hash computed ahead (hash_of(chain, address)), e.g. on another thread.
  std::optional<std::int64_t> find(std::string_view address, std::uint64_t hash) const {
    for (std::size_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      const Slot& entry = slots_[slot];
      if (entry.id == 0) return std::nullopt;
      if (entry.hash == hash && entry.length == address.size() &&
          std::memcmp(arena_.data() + entry.offset, address.data(), address.size()) == 0) {
        return entry.id;
      }
    }
  }

  // Ids are > 0 (SQLite rowids). When full, the cache starts over: a miss only costs one SQL lookup.
  void insert(std::uint8_t chain, std::string_view address, std::int64_t id) {
    insert(address, hash_of(chain, address), id);
  }
  void insert(std::string_view address, std::uint64_t hash, std::int64_t id) {
    if (size_ >= max_entries_) reset(slots_.size());
    if ((size_ + 1) * 2 > slots_.size()) grow();
    place(hash, static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(address.size()), id);
    arena_.append(address);
    ++size_;
  }

  // Mix the chain in so the same text on two chains occupies two entries.
  static std::uint64_t hash_of(std::uint8_t chain, std::string_view address) {
    return std::hash<std::string_view>{}(address) * 0x9E3779B97F4A7C15ULL ^ chain;
  }

  // A look-up of `hash` is a cache miss on its slot and another on its text. Callers that know which look-ups
  // come next prefetch the slot a few look-ups ahead, then (once the slot is in cache) the text.
  void prefetch_slot(std::uint64_t hash) const { __builtin_prefetch(&slots_[hash & mask_]); }
  void prefetch_text(std::uint64_t hash) const {
    const Slot& entry = slots_[hash & mask_];
    if (entry.id != 0 && entry.hash == hash) __builtin_prefetch(arena_.data() + entry.offset);
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::int64_t id = 0;  // 0 = empty
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };

  void place(std::uint64_t hash, std::uint32_t offset, std::uint32_t length, std::int64_t id) {
    std::size_t slot = hash & mask_;
    while (slots_[slot].id != 0) slot = (slot + 1) & mask_;
    slots_[slot] = Slot{hash, id, offset, length};
  }

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& entry : old) {
      if (entry.id != 0) place(entry.hash, entry.offset, entry.length, entry.id);
    }
  }

  void reset(std::size_t capacity) {
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    arena_.clear();
    size_ = 0;
  }

  std::size_t max_entries_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::string arena_;
  std::size_t size_ = 0;
};

}  // namespace fundtrail::store
