#pragma once
// The caches beside a store (graph snapshot `<db>.graph`, label index `<db>.labels`) are files the store did
// not write through SQLite. Each records the store_id it was built from, and the store's meta table records
// the stamp of the file as written: a file whose stamp still matches was not replaced or rewritten since.
#include <cstddef>
#include <cstdint>
#include <string>

struct stat;

namespace fundtrail::store {

// Length of meta.store_id (32 hex digits), as the cache headers hold it.
inline constexpr std::size_t kStoreIdSize = 32;

// "<size>:<mtime ns>:<tag>" of a cache file; `tag` is a value of the file's own header (checksum, nonce).
std::string cache_file_stamp(const struct stat& info, std::uint64_t tag);

}  // namespace fundtrail::store
