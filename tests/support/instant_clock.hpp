#pragma once
// For ingest tests that drive PoliteClient over a scripted ReplayTransport: a clock that makes retries with
// backoff cost nothing, and a canned HTTP answer. Needs the ingest layer (link fundtrail_ingest).
#include <stop_token>
#include <string>
#include <utility>

#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/ingest/polite_client.hpp"

namespace fundtrail::test {

// Time stands still and sleeps return at once, so retries with backoff cost nothing.
class InstantClock final : public ingest::Clock {
 public:
  double now() override { return 0; }
  double unix_now() override { return 1700000000; }
  bool sleep_for(double, std::stop_token stop) override { return !stop.stop_requested(); }
};

// An answer with `status` and `body` and no headers.
inline ingest::HttpResponse response(int status, std::string body) {
  ingest::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace fundtrail::test
