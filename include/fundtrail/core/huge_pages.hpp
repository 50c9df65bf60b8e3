#pragma once
// Large working arrays of one command (a trace's per-wallet states, a report's rows) are touched once, page by
// page, by a process that lives a fraction of a second: with 4 KiB pages a 10M-transfer trace took ~100,000
// page faults, a third of its time in the kernel. Advising 2 MiB pages for them makes that a few hundred.
#include <cstddef>
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

// vector::reserve(count), advising huge pages for the new buffer before anything is written to it.
template <typename T>
void reserve_huge(std::vector<T>& vector, std::size_t count) {
  vector.reserve(count);
  advise_huge_pages(vector.data(), vector.capacity() * sizeof(T));
}

}  // namespace fundtrail::core
