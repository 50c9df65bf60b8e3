#pragma once
// Test fixtures from ../shared/data (FUNDTRAIL_SHARED_DATA, set by tests/CMakeLists.txt): real provider
// responses kept outside this repository. A test whose file is not there is skipped, not failed.
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace fundtrail::test {

// The directory `relative` under ../shared/data.
inline std::filesystem::path shared_data(const std::filesystem::path& relative) {
  return std::filesystem::path(FUNDTRAIL_SHARED_DATA) / relative;
}

// The bytes of the file at `path`; nullopt when it cannot be opened.
inline std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace fundtrail::test

// In a test body: `const std::string& var` holds the bytes of the file `file` (a path); the test is skipped when
// the file is not there (../shared/data is optional).
#define LOAD_OR_SKIP(var, file)                                                                 \
  const std::optional<std::string> var##_opt = ::fundtrail::test::read_file(file);              \
  if (!var##_opt) GTEST_SKIP() << "shared data not available: " << std::filesystem::path(file); \
  const std::string& var = *var##_opt
