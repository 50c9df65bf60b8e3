#include "fundtrail/ingest/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {

TokenBucket::TokenBucket(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst), tokens_(burst) {
  if (!std::isfinite(rate_per_second) || rate_per_second < 0) {
    throw invalid_argument("rate limit must be a finite number of requests per second >= 0, got " +
                           std::to_string(rate_per_second));
  }
  if (!std::isfinite(burst) || burst < 1) {
    throw invalid_argument("rate-limit burst must be at least 1 request, got " + std::to_string(burst));
  }
}

double TokenBucket::acquire(double now) {
  if (rate_ == 0) return 0;
  const std::lock_guard lock(mutex_);
  // Callers read the clock before taking the lock, so a slightly older `now` can arrive after a newer one.
  if (!started_ || now > last_) {
    if (started_) tokens_ = std::min(burst_, tokens_ + (now - last_) * rate_);
    last_ = now;
    started_ = true;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return 0;
  // The owed tokens are complete at last_ + owed / rate; a stale `now` waits the extra gap too.
  return std::max(0.0, last_ - now - tokens_ / rate_);
}

}  // namespace fundtrail::ingest
