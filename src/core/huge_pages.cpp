#include "fundtrail/core/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace fundtrail::core {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t whole_huge_pages(std::size_t bytes) { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }

}  // namespace

void* allocate_huge(std::size_t bytes) {
  if (bytes < kHugeFrom) {
    void* data = std::malloc(bytes == 0 ? 1 : bytes);
    if (data == nullptr) throw std::bad_alloc();
    return data;
  }
  if (bytes > SIZE_MAX - 2 * kHugePage) throw std::bad_alloc();
  const std::size_t size = whole_huge_pages(bytes);
  // One huge page more than needed, then the unaligned ends given back: the mapping left is aligned.
  void* mapped = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(mapped);
  const std::uintptr_t aligned = (start + kHugePage - 1) & ~std::uintptr_t{kHugePage - 1};
  if (aligned > start) ::munmap(mapped, aligned - start);
  const std::uintptr_t tail = start + size + kHugePage - (aligned + size);
  if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + size), tail);
  // Only advice, like advise_huge_pages(): without huge pages the memory works in 4 KiB pages.
  (void)::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void* allocate_huge_zeroed(std::size_t bytes) {
  if (bytes >= kHugeFrom) return allocate_huge(bytes);  // fresh anonymous memory reads as zero
  void* data = std::calloc(bytes == 0 ? 1 : bytes, 1);
  if (data == nullptr) throw std::bad_alloc();
  return data;
}

void free_huge(void* data, std::size_t bytes) noexcept {
  if (data == nullptr) return;
  if (bytes < kHugeFrom) return std::free(data);
  ::munmap(data, whole_huge_pages(bytes));
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
