#pragma once
// PoliteClient: how every API crawler talks to a provider. It rate-limits (token bucket shared by all
// threads), bounds concurrency (one transport per worker, so keep-alive works), retries transient failures
// with exponential backoff and full jitter (Brooker, "Exponential Backoff And Jitter", AWS, 2015), honours
// Retry-After, and can be interrupted (Ctrl-C) while it waits.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/ingest/http_transport.hpp"

namespace fundtrail::ingest {

struct PolitenessOptions {
  double rate_per_second = 0;   // average request rate over all threads; 0 = unlimited
  double burst = 1;             // requests allowed back to back (>= 1)
  unsigned concurrency = 1;     // requests in flight at most, over all callers of this client (>= 1)
  unsigned max_attempts = 6;    // attempts per request, the first included (>= 1)
  double base_backoff_s = 0.5;  // backoff before retry n (n >= 1) is uniform in [0, min(max, base * 2^(n-1))]
  double max_backoff_s = 60;    // also caps a server's Retry-After
  bool retry_on_403 = false;    // some providers (TronGrid) answer 403 when rate-limited
  // A 2xx response the provider uses to say "slow down" (Etherscan answers HTTP 200 with "Max rate limit
  // reached" in the body): when set and true for a 2xx response, that response is treated exactly like a 429
  // (backoff or Retry-After, counted as a retry, an error once max_attempts is spent). Called from the
  // fetching thread; must be thread-safe and cheap. Empty = no such responses.
  std::function<bool(const HttpResponse&)> retry_if;
};

struct ClientStats {
  std::uint64_t requests = 0;  // HTTP attempts handed to a transport, retries included
  std::uint64_t retries = 0;   // attempts after the first of their request
  std::uint64_t failures = 0;  // fetch() calls that ended in an exception
  std::uint64_t bytes = 0;     // decoded response body bytes received, all attempts
};

// Time source and sleeper, injected so that tests of backoff and rate limiting run instantly.
// Implementations must be thread-safe (workers call them concurrently).
class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic seconds since an arbitrary origin.
  virtual double now() = 0;
  // UTC seconds since the Unix epoch; only used to turn a Retry-After HTTP-date into a delay.
  virtual double unix_now() = 0;
  // Waits `seconds` (>= 0), returning early when `stop` is requested. Returns false when stopped.
  virtual bool sleep_for(double seconds, std::stop_token stop) = 0;
};

// The real clocks (steady_clock, system_clock), with a sleep that wakes up as soon as a stop is requested.
std::shared_ptr<Clock> make_system_clock();

// Delay in seconds demanded by a Retry-After value: delta-seconds ("120") or an HTTP-date (IMF-fixdate,
// RFC 850 or asctime form, RFC 9110 section 10.2.3) relative to `unix_now`; a date in the past gives 0.
// nullopt when the value is neither (the caller then falls back to its own backoff).
std::optional<double> parse_retry_after(std::string_view value, double unix_now);

class PoliteClient {
 public:
  // provider: a name for messages and logs ("etherscan"). make_transport: called to create a transport for
  // each worker, at most `concurrency` times over the client's life (transports are kept for reuse); it may be
  // called from several threads at once. clock: nullptr = make_system_clock().
  // Throws fundtrail::Error(InvalidArgument) for options out of range.
  PoliteClient(std::string provider, std::function<std::unique_ptr<HttpTransport>()> make_transport,
               PolitenessOptions options, std::shared_ptr<Clock> clock = nullptr);
  ~PoliteClient();
  PoliteClient(const PoliteClient&) = delete;
  PoliteClient& operator=(const PoliteClient&) = delete;

  // Performs `request`, retrying on a retryable TransportError, 429, 5xx (and 403 with retry_on_403, a 2xx
  // that retry_if accepts) up to max_attempts. Returns the first response with any other status (2xx, 3xx
  // and the remaining 4xx are the caller's to interpret). Throws fundtrail::Error(IoError):
  //   "provider <name>: <METHOD> <redacted url> failed after <n> attempts: last status 503" (or the transport
  //   reason) when the budget is spent; "provider <name>: <METHOD> <redacted url>: <reason>" for a
  //   non-retryable TransportError; "interrupted" once request_stop() was called (also during a wait).
  // Blocks while `concurrency` requests are already in flight (a request counts from its first attempt until
  // fetch() returns, backoff included, so a struggling provider gets no extra load). Thread-safe.
  HttpResponse fetch(const HttpRequest& request);

  // fetch() for every request with up to `concurrency` of them in flight; responses in request order. On the
  // first failure no new request is started; requests in flight finish, then the exception of the failed
  // request with the lowest index is rethrown. Thread-safe.
  std::vector<HttpResponse> fetch_all(const std::vector<HttpRequest>& requests);

  // Makes every current and future wait (backoff, rate limit, waiting for a free worker) end at once with
  // fundtrail::Error(IoError, "interrupted"). A transfer already on the wire is not cut off; it ends within
  // the transport's timeouts. Safe to call from any thread; not from a signal handler (set an atomic flag
  // there and call this from a watcher thread).
  void request_stop();
  bool stop_requested() const;

  ClientStats stats() const;
  const std::string& provider() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fundtrail::ingest
