#include "radix_sort.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace fundtrail::graph {
namespace {

// Below this, histogram set-up costs more than std::sort's comparisons.
constexpr std::size_t kRadixThreshold = 256;
// 11-bit digits: six passes at most, and real keys (wallet ids, a year of seconds with a position) need
// two to four; the histograms (16 KiB each) stay in the CPU's cache.
constexpr unsigned kDigitBits = 11;
constexpr unsigned kDigits = (64 + kDigitBits - 1) / kDigitBits;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
constexpr std::uint64_t kDigitMask = kBuckets - 1;

}  // namespace

void radix_sort(std::uint64_t* first, std::size_t count, core::HugeVector<std::uint64_t>& scratch) {
  if (count < kRadixThreshold) {
    std::sort(first, first + count);
    return;
  }
  std::vector<std::array<std::uint32_t, kBuckets>> counts(kDigits);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t key = first[i];
    for (unsigned digit = 0; digit < kDigits; ++digit) ++counts[digit][(key >> (kDigitBits * digit)) & kDigitMask];
  }
  scratch.resize(count);
  std::uint64_t* source = first;
  std::uint64_t* target = scratch.data();
  for (unsigned digit = 0; digit < kDigits; ++digit) {
    std::array<std::uint32_t, kBuckets>& histogram = counts[digit];
    const unsigned shift = kDigitBits * digit;
    if (histogram[(source[0] >> shift) & kDigitMask] == count) continue;  // every key shares this digit
    std::uint32_t offset = 0;
    for (std::uint32_t& bucket : histogram) {
      const std::uint32_t size = bucket;
      bucket = offset;
      offset += size;
    }
    for (std::size_t i = 0; i < count; ++i) target[histogram[(source[i] >> shift) & kDigitMask]++] = source[i];
    std::swap(source, target);
  }
  if (source != first) std::memcpy(first, source, count * sizeof(std::uint64_t));
}

void radix_sort(core::HugeVector<std::uint64_t>& keys, core::HugeVector<std::uint64_t>& scratch) {
  if (!keys.empty()) radix_sort(keys.data(), keys.size(), scratch);
}

}  // namespace fundtrail::graph
