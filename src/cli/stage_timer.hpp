#pragma once
// Wall-clock time of a command's stages in the --verbose log: where a slow trace spends its time, on the
// investigator's own store, without a profiler.
#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <string_view>

namespace fundtrail::cli {

class StageTimer {
 public:
  explicit StageTimer(std::string command) : command_(std::move(command)), last_(Clock::now()) {}

  void lap(std::string_view stage) {
    const auto now = Clock::now();
    spdlog::debug("{}: {} in {:.1f} ms", command_, stage,
                  std::chrono::duration<double, std::milli>(now - last_).count());
    last_ = now;
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::string command_;
  Clock::time_point last_;
};

}  // namespace fundtrail::cli
