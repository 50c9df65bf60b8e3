#include "fundtrail/core/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace fundtrail::core {

void advise_huge_pages(const void* data, std::size_t bytes) {
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  if (data == nullptr || bytes < 2 * kHugePage) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHugePage - 1) & ~(kHugePage - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHugePage - 1);
  if (end <= begin) return;
  // The result is deliberately not checked: without huge pages (disabled, or an old kernel) the range keeps
  // 4 KiB pages, which is correct, only slower.
  (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace fundtrail::core
