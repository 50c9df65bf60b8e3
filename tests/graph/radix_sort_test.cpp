// radix_sort must order exactly like std::sort, whatever the spread of the keys' bytes.
#include "../../src/graph/radix_sort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace fundtrail::graph {
namespace {

void expect_sorts_like_std(const std::vector<std::uint64_t>& input, const char* what) {
  core::HugeVector<std::uint64_t> keys(input.begin(), input.end());
  std::vector<std::uint64_t> expected = input;
  std::sort(expected.begin(), expected.end());
  core::HugeVector<std::uint64_t> scratch;
  radix_sort(keys, scratch);
  EXPECT_EQ(std::vector<std::uint64_t>(keys.begin(), keys.end()), expected) << what << ", " << keys.size() << " keys";
}

TEST(RadixSort, OrdersLikeStdSortAcrossKeyShapes) {
  std::mt19937_64 random(20241125);
  for (std::size_t size : {0u, 1u, 2u, 255u, 256u, 257u, 5000u, 70000u}) {
    std::vector<std::uint64_t> full(size), narrow(size), high_only(size), few_values(size), equal(size, 42);
    for (std::size_t i = 0; i < size; ++i) {
      full[i] = random();
      narrow[i] = random() & 0xFFFFF;                          // wallet ids: three low bytes vary
      high_only[i] = (random() & 0xFF) << 56;                  // only the top byte varies
      few_values[i] = (random() % 3) * 0x0101010101010101ull;  // many duplicates, every byte varies
    }
    expect_sorts_like_std(full, "random 64-bit");
    expect_sorts_like_std(narrow, "20-bit");
    expect_sorts_like_std(high_only, "top byte only");
    expect_sorts_like_std(few_values, "three values");
    expect_sorts_like_std(equal, "all equal");
    std::vector<std::uint64_t> descending(size);
    for (std::size_t i = 0; i < size; ++i) descending[i] = size - i;
    expect_sorts_like_std(descending, "descending");
  }
}

TEST(RadixSort, SortsOnlyTheGivenRange) {
  core::HugeVector<std::uint64_t> keys(1000);
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = 5000 - i;
  core::HugeVector<std::uint64_t> scratch;
  radix_sort(keys.data() + 100, 800, scratch);
  EXPECT_EQ(keys[0], 5000u);
  EXPECT_EQ(keys[99], 4901u);
  EXPECT_TRUE(std::is_sorted(keys.begin() + 100, keys.begin() + 900));
  EXPECT_EQ(keys[100], 5000u - 899);
  EXPECT_EQ(keys[900], 4100u);
}

}  // namespace
}  // namespace fundtrail::graph
