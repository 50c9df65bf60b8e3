#pragma once
// A hash map from non-negative 64-bit store ids to small values, in one flat array with linear probing. A
// report looks up hundreds of thousands of labels in random order; std::unordered_map costs a division and
// two dependent cache misses per look-up (bucket, then node), this one usually a single miss.
#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

namespace fundtrail::report {

template <typename Value>
class FlatIdMap {
 public:
  // Grows so that `count` more entries fit without rehashing.
  void reserve(std::size_t count) {
    const std::size_t wanted = std::bit_ceil((size_ + count) * 2 + 16);
    if (wanted > slots_.size()) rehash(wanted);
  }

  // The value of `id`, or nullptr.
  const Value* find(std::int64_t id) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = home(id);; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.id == id) return &slot.value;
      if (slot.id == kEmpty) return nullptr;
    }
  }
  bool contains(std::int64_t id) const { return find(id) != nullptr; }

  // Inserts `value` for `id` unless `id` is present; returns the stored value. `id` must be >= 0.
  const Value& insert(std::int64_t id, Value value) {
    reserve(1);
    for (std::size_t i = home(id);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.id == id) return slot.value;
      if (slot.id == kEmpty) {
        slot.id = id;
        slot.value = std::move(value);
        ++size_;
        return slot.value;
      }
    }
  }

  std::size_t size() const { return size_; }

 private:
  static constexpr std::int64_t kEmpty = -1;
  struct Slot {
    std::int64_t id = kEmpty;
    Value value{};
  };

  // Fibonacci hashing: store ids are dense and sequential, so their low bits alone would cluster.
  std::size_t home(std::int64_t id) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    size_ = 0;
    for (Slot& slot : old) {
      if (slot.id != kEmpty) insert(slot.id, std::move(slot.value));
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace fundtrail::report
