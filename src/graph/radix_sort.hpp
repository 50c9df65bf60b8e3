#pragma once
// Least-significant-digit radix sort of 64-bit keys (11-bit digits, digits that every key shares skipped).
// A trace sorts tens of thousands of wallet ids and packed (time, position) keys per run; comparison sorting
// them was 40 % of a 3-hop traversal, radix sorting costs a few linear passes.
#include <cstdint>

#include "fundtrail/core/huge_pages.hpp"

namespace fundtrail::graph {

// Sorts `keys` ascending; `scratch` is working memory (resized, contents unspecified afterwards).
void radix_sort(core::HugeVector<std::uint64_t>& keys, core::HugeVector<std::uint64_t>& scratch);

// The same on a sub-range [first, first + count) of `keys`.
void radix_sort(std::uint64_t* first, std::size_t count, core::HugeVector<std::uint64_t>& scratch);

}  // namespace fundtrail::graph
