#include "fundtrail/core/huge_pages.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace fundtrail::core {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t whole_huge_pages(std::size_t bytes) { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }

// Freed regions kept for reuse, and the size of each region handed out (a kept region may be larger than
// the request it serves). A handful of entries: a trace and its report hold a dozen large arrays at most.
class RegionPool {
 public:
  void* take(std::size_t size) {
    const std::lock_guard lock(mutex_);
    auto best = kept_.end();  // the smallest kept region that is large enough
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
      if (it->size >= size && (best == kept_.end() || it->size < best->size)) best = it;
    }
    if (best != kept_.end()) {
      const Region region = *best;
      kept_.erase(best);
      kept_bytes_ -= region.size;
      live_.push_back(region);  // fits: the two lists have room for every region (below)
      return region.data;
    }
    live_.reserve(live_.size() + kept_.size() + 1);
    kept_.reserve(live_.size() + kept_.size() + 1);
    void* data = map(size);
    live_.push_back(Region{data, size});
    return data;
  }

  void give_back(void* data) noexcept {
    const std::lock_guard lock(mutex_);
    const auto it = std::find_if(live_.begin(), live_.end(), [data](const Region& r) { return r.data == data; });
    if (it == live_.end()) return;  // not handed out here (cannot happen through HugePageAllocator)
    kept_.push_back(*it);           // never reallocates: take() made room for every region in both lists
    kept_bytes_ += it->size;
    live_.erase(it);
    // Over the limit: the oldest kept regions go back to the kernel.
    while (kept_bytes_ > kHugeKept) {
      ::munmap(kept_.front().data, kept_.front().size);
      kept_bytes_ -= kept_.front().size;
      kept_.erase(kept_.begin());
    }
  }

 private:
  struct Region {
    void* data;
    std::size_t size;
  };

  static void* map(std::size_t size) {
    // One huge page more than needed, then the unaligned ends given back: the mapping left is aligned.
    void* mapped = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(mapped);
    const std::uintptr_t aligned = (start + kHugePage - 1) & ~std::uintptr_t{kHugePage - 1};
    if (aligned > start) ::munmap(mapped, aligned - start);
    const std::uintptr_t tail = start + kHugePage - aligned;
    if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + size), tail);
    // Only advice, like advise_huge_pages(): without huge pages the memory works in 4 KiB pages.
    (void)::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
    return reinterpret_cast<void*>(aligned);
  }

  std::mutex mutex_;
  std::vector<Region> live_;
  std::vector<Region> kept_;  // oldest first
  std::size_t kept_bytes_ = 0;
};

RegionPool& region_pool() {
  static RegionPool* pool = new RegionPool;  // never destroyed: arrays may be freed during exit
  return *pool;
}

}  // namespace

void* allocate_huge(std::size_t bytes) {
  if (bytes < kHugeFrom) {
    // Zeroed, so that a sparse set over it (graph/trace.cpp) never reads bytes nobody wrote.
    void* data = std::calloc(bytes == 0 ? 1 : bytes, 1);
    if (data == nullptr) throw std::bad_alloc();
    return data;
  }
  if (bytes > SIZE_MAX - 2 * kHugePage) throw std::bad_alloc();
  return region_pool().take(whole_huge_pages(bytes));
}

void free_huge(void* data, std::size_t bytes) noexcept {
  if (data == nullptr) return;
  if (bytes < kHugeFrom) return std::free(data);
  region_pool().give_back(data);
}

void advise_huge_pages(const void* data, std::size_t bytes) {
  if (data == nullptr || bytes < 2 * kHugePage) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHugePage - 1) & ~std::uintptr_t{kHugePage - 1};
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~std::uintptr_t{kHugePage - 1};
  if (end <= begin) return;
  // The result is deliberately not checked: without huge pages (disabled, or an old kernel) the range keeps
  // 4 KiB pages, which is correct, only slower.
  (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace fundtrail::core
