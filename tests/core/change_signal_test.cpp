#include "fundtrail/core/change_signal.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace fundtrail::core {
namespace {

// Two threads take turns on a counter many times: every hand-off is seen, whether the waiter was still
// spinning or already asleep.
TEST(ChangeSignalTest, TwoThreadsTakeTurnsWithoutLosingAHandOff) {
  constexpr unsigned kTurns = 20000;
  ChangeSignal signal;
  std::atomic<unsigned> turn{0};  // even: this thread's move, odd: the other's
  std::thread other([&] {
    for (unsigned k = 1; k < 2 * kTurns; k += 2) {
      signal.wait([&] { return turn.load() == k; });
      turn.store(k + 1);
      signal.notify();
    }
  });
  for (unsigned k = 0; k < 2 * kTurns; k += 2) {
    signal.wait([&] { return turn.load() == k; });
    // Now and then, take longer than the spin: the other thread is then asleep and must be woken.
    if (k % 4000 == 0) std::this_thread::sleep_for(ChangeSignal::kSpin * 5);
    turn.store(k + 1);
    signal.notify();
  }
  other.join();
  EXPECT_EQ(turn.load(), 2 * kTurns);
}

// A thread asleep in wait() (well past the spin) is woken by notify(): without the wake-up it would sleep
// for ever. The waiter is detached and the signal outlives the test, so a broken notify() fails the check
// below instead of hanging the test.
TEST(ChangeSignalTest, NotifyWakesASleepingWaiter) {
  static ChangeSignal signal;
  static std::atomic<bool> ready{false};
  std::promise<void> done;
  std::future<void> woken = done.get_future();
  std::thread([done = std::move(done)]() mutable {
    signal.wait([] { return ready.load(); });
    done.set_value();
  }).detach();
  std::this_thread::sleep_for(ChangeSignal::kSpin * 50);
  ready.store(true);
  signal.notify();
  ASSERT_EQ(woken.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

}  // namespace
}  // namespace fundtrail::core
