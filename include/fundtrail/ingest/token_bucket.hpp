#pragma once
// Token-bucket rate limiter shared by every worker of one provider, so the provider sees at most
// `rate_per_second` requests per second on average and at most `burst` back to back.
#include <mutex>

namespace fundtrail::ingest {

class TokenBucket {
 public:
  // rate_per_second: tokens added per second; 0 = unlimited (acquire() never waits). burst: capacity in tokens
  // (>= 1); the bucket starts full. Throws fundtrail::Error(InvalidArgument) for a negative or non-finite rate
  // or a burst below 1.
  TokenBucket(double rate_per_second, double burst);

  // Takes one token at monotonic time `now` (seconds, any fixed origin) and returns how many seconds the caller
  // must wait before using it: 0 when a token was available. The token is reserved even when the caller has to
  // wait, so concurrent callers queue up in call order instead of all waking at once. Times earlier than a
  // previous call's are treated as that time. Thread-safe.
  double acquire(double now);

  double rate_per_second() const noexcept { return rate_; }
  double burst() const noexcept { return burst_; }

 private:
  std::mutex mutex_;
  double rate_;
  double burst_;
  double tokens_;         // may go negative: tokens promised to callers that are still waiting
  double last_ = 0;       // time of the last refill
  bool started_ = false;  // last_ is meaningful
};

}  // namespace fundtrail::ingest
