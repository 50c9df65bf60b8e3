#pragma once
// Large working arrays of one command (a trace's per-wallet states, a report's rows) are touched once, page by
// page, by a process that lives a fraction of a second: with 4 KiB pages a 10M-transfer trace took ~100,000
// page faults, a third of its time in the kernel. Advising 2 MiB pages for them makes that a few hundred.
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace fundtrail::core {

// Asks the kernel to back the whole 2 MiB pages inside [data, data + bytes) with transparent huge pages when
// they are first touched. Only advice: ranges under 4 MiB are left alone, and where huge pages are disabled
// the memory stays as it was (nothing fails).
//
// On a mapped file (the graph snapshot, the label index) the advice makes the kernel read a missing part in
// 2 MiB pieces into 2 MiB page-cache folios. Read in at random through ordinary faults, the 10M label index
// instead landed in 4 KiB folios: a large trace then mapped ~120,000 of them one by one, and unmapping them
// at exit alone took 13-15 ms (0.2 ms with 2 MiB folios; Linux 6.18, ext4).
void advise_huge_pages(const void* data, std::size_t bytes);

// Memory for a large working array, in whole 2 MiB pages aligned on 2 MiB and advised as huge pages, so that
// every page of it can be a huge page: a vector from malloc starts and ends inside 2 MiB pages, and those
// partial pages fault in 4 KiB at a time. With ten such arrays a 10M-transfer trace took ~9,000 page faults,
// against a few dozen now. Below kHugeFrom bytes this is plain calloc.
//
// Freed regions are kept (up to kHugeKept bytes in all) and handed out again: a report's arrays then take
// over the pages its trace has just finished with, instead of the kernel zeroing fresh ones (a 10M 3-hop
// trace and its report touched ~80 MB of fresh memory, the dearest thing a short command touches on a VM
// whose host reclaims free memory). So what allocate_huge() returns holds zeros when fresh (and always below
// kHugeFrom) but whatever its last user wrote when handed out again. Free it with free_huge() and the same
// size.
inline constexpr std::size_t kHugeFrom = std::size_t{512} << 10;
inline constexpr std::size_t kHugeKept = std::size_t{1} << 30;
void* allocate_huge(std::size_t bytes);
void free_huge(void* data, std::size_t bytes) noexcept;

// A std::allocator that takes large buffers from allocate_huge().
template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: converting, as allocators are

  T* allocate(std::size_t count) {
    if (count > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(allocate_huge(count * sizeof(T)));
  }
  void deallocate(T* data, std::size_t count) noexcept { free_huge(data, count * sizeof(T)); }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

// The working arrays of a trace and its report.
template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace fundtrail::core
