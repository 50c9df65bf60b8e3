#pragma once
// A fresh directory for one test (or one suite), removed with everything in it when it goes out of scope.
// Header-only and independent of every fundtrail layer, so any test binary can use it.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace fundtrail::test {

class TempDir {
 public:
  // Creates <system temp dir>/<prefix>-XXXXXX; the prefix only helps to tell leftovers apart.
  explicit TempDir(std::string_view prefix = "fundtrail-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the directory (nothing is created).
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace fundtrail::test
