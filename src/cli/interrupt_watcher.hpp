#pragma once
// Ctrl-C (SIGINT) and SIGTERM during an ingest: the handler only sets a flag (all a signal handler may do);
// a watcher thread turns it into PoliteClient::request_stop(), which ends every wait at once. The page being
// written is rolled back, everything before stays committed, and the command exits 1 "interrupted".
#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "fundtrail/ingest/polite_client.hpp"

namespace fundtrail::cli {

inline std::atomic<bool> g_interrupted{false};
inline void on_interrupt(int) { g_interrupted.store(true); }

// Ctrl-C sets a flag (all a signal handler may do); this thread turns it into PoliteClient::request_stop(),
// which ends every wait at once. The page being written is rolled back, everything before stays committed.
class InterruptWatcher {
 public:
  explicit InterruptWatcher(ingest::PoliteClient& client)
      : thread_([&client](std::stop_token stop) {
          while (!stop.stop_requested()) {
            if (g_interrupted.load()) {
              client.request_stop();
              return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
        }) {
    g_interrupted.store(false);
    previous_int_ = std::signal(SIGINT, on_interrupt);
    previous_term_ = std::signal(SIGTERM, on_interrupt);
  }
  ~InterruptWatcher() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }

 private:
  std::jthread thread_;
  void (*previous_int_)(int) = SIG_DFL;
  void (*previous_term_)(int) = SIG_DFL;
};

}  // namespace fundtrail::cli
