#pragma once
// Wall-clock time and page faults of a command's stages in the --verbose log: where a slow trace spends its
// time, on the investigator's own store, without a profiler. Page faults count the fresh memory a stage
// touches, which on some machines (virtual machines that hand free memory back to the host) costs more
// than the work itself.
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <chrono>
#include <string>
#include <string_view>

namespace fundtrail::cli {

class StageTimer {
 public:
  explicit StageTimer(std::string command)
      : command_(std::move(command)), last_(Clock::now()), last_faults_(page_faults()) {}

  void lap(std::string_view stage) {
    const auto now = Clock::now();
    const long faults = page_faults();
    spdlog::debug("{}: {} in {:.1f} ms, {} page faults", command_, stage,
                  std::chrono::duration<double, std::milli>(now - last_).count(), faults - last_faults_);
    last_ = now;
    last_faults_ = faults;
  }

 private:
  using Clock = std::chrono::steady_clock;

  static long page_faults() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt + usage.ru_majflt;
  }

  std::string command_;
  Clock::time_point last_;
  long last_faults_;
};

}  // namespace fundtrail::cli
