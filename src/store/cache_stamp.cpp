#include "fundtrail/store/cache_stamp.hpp"

#include <sys/stat.h>

namespace fundtrail::store {

std::string cache_file_stamp(const struct stat& info, std::uint64_t tag) {
  const long long mtime_ns = static_cast<long long>(info.st_mtim.tv_sec) * 1'000'000'000LL + info.st_mtim.tv_nsec;
  return std::to_string(info.st_size) + ":" + std::to_string(mtime_ns) + ":" + std::to_string(tag);
}

}  // namespace fundtrail::store
