#pragma once
// A one-line progress display on stderr for long work; silent when stderr is not a terminal or --quiet.
#include <chrono>
#include <cstdint>
#include <string>

namespace fundtrail::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();
  // `done` of `total` units (bytes, addresses ...); redraws at most ten times a second.
  void update(std::uint64_t done, std::uint64_t total);
  void finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace fundtrail::cli
