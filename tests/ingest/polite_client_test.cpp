// PoliteClient over the scripted ReplayTransport and a fake clock: retries (Retry-After, backoff, budget),
// statuses returned as they are, rate limiting, the concurrency bound, interruption, URL redaction.
#include "fundtrail/ingest/polite_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/ingest/token_bucket.hpp"

namespace fundtrail::ingest {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Time stands still except when someone sleeps; every sleep is recorded and returns at once.
class FakeClock final : public Clock {
 public:
  static constexpr double kUnixOrigin = 1700000000;  // Tue, 14 Nov 2023 22:13:20 GMT

  double now() override {
    const std::lock_guard lock(mutex_);
    return now_;
  }
  double unix_now() override { return kUnixOrigin + now(); }
  bool sleep_for(double seconds, std::stop_token stop) override {
    const std::lock_guard lock(mutex_);
    sleeps_.push_back(seconds);
    if (stop.stop_requested()) return false;
    now_ += seconds;
    return true;
  }
  std::vector<double> sleeps() const {
    const std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  mutable std::mutex mutex_;
  double now_ = 0;
  std::vector<double> sleeps_;
};

HttpResponse response(int status, std::string body = "{}",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse result;
  result.status = status;
  result.body = std::move(body);
  result.headers = std::move(headers);
  return result;
}

HttpRequest get(std::string url) {
  HttpRequest request;
  request.url = std::move(url);
  return request;
}

class PoliteClientTest : public ::testing::Test {
 protected:
  PoliteClient client(PolitenessOptions options = {}) {
    return PoliteClient(
        "etherscan", [this] { return replay_.make_handle(); }, options, clock_);
  }
  static PolitenessOptions fast() {
    PolitenessOptions options;
    options.base_backoff_s = 0.5;
    options.max_backoff_s = 60;
    options.max_attempts = 4;
    return options;
  }

  ReplayTransport replay_;
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
};

TEST_F(PoliteClientTest, TooManyRequestsWaitsForRetryAfterSeconds) {
  replay_.enqueue("https://api.example/a", response(429, "slow down", {{"retry-after", "7"}}));
  replay_.enqueue("https://api.example/a", response(200, "ok"));
  auto polite = client(fast());
  const HttpResponse result = polite.fetch(get("https://api.example/a"));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "ok");
  EXPECT_THAT(clock_->sleeps(), ElementsAre(7.0));
  EXPECT_EQ(replay_.request_count(), 2u);
  const ClientStats stats = polite.stats();
  EXPECT_EQ(stats.requests, 2u);
  EXPECT_EQ(stats.retries, 1u);
  EXPECT_EQ(stats.failures, 0u);
  EXPECT_EQ(stats.bytes, std::string("slow down").size() + 2);
}

TEST_F(PoliteClientTest, RetryAfterHttpDateIsRelativeToNow) {
  // 30 s after FakeClock::kUnixOrigin.
  replay_.enqueue("https://api.example/a", response(503, "", {{"retry-after", "Tue, 14 Nov 2023 22:13:50 GMT"}}));
  replay_.enqueue("https://api.example/a", response(200));
  auto polite = client(fast());
  EXPECT_EQ(polite.fetch(get("https://api.example/a")).status, 200);
  EXPECT_THAT(clock_->sleeps(), ElementsAre(30.0));
}

TEST_F(PoliteClientTest, RetryAfterIsCappedByMaxBackoff) {
  replay_.enqueue("https://api.example/a", response(429, "", {{"retry-after", "3600"}}));
  replay_.enqueue("https://api.example/a", response(200));
  auto options = fast();
  options.max_backoff_s = 10;
  auto polite = client(options);
  EXPECT_EQ(polite.fetch(get("https://api.example/a")).status, 200);
  EXPECT_THAT(clock_->sleeps(), ElementsAre(10.0));
}

TEST(ParseRetryAfter, AcceptsSecondsAndTheThreeHttpDateForms) {
  const double origin = FakeClock::kUnixOrigin;  // Tue, 14 Nov 2023 22:13:20 GMT
  EXPECT_EQ(parse_retry_after("120", origin), 120.0);
  EXPECT_EQ(parse_retry_after(" 0 ", origin), 0.0);
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", origin), 60.0);
  EXPECT_EQ(parse_retry_after("Tuesday, 14-Nov-23 22:14:20 GMT", origin), 60.0);
  EXPECT_EQ(parse_retry_after("Tue Nov 14 22:14:20 2023", origin), 60.0);
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", origin), 0.0);  // in the past
  EXPECT_EQ(parse_retry_after("", origin), std::nullopt);
  EXPECT_EQ(parse_retry_after("-5", origin), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", origin), std::nullopt);
  EXPECT_EQ(parse_retry_after("Tue, 31 Feb 2023 22:14:20 GMT", origin), std::nullopt);
  EXPECT_EQ(parse_retry_after("Tue, 14 Foo 2023 22:14:20 GMT", origin), std::nullopt);
}

TEST_F(PoliteClientTest, ServerErrorThenSuccessIsRetriedWithJitteredBackoff) {
  replay_.enqueue("https://api.example/a", response(500));
  replay_.enqueue("https://api.example/a", response(200, "fine"));
  auto polite = client(fast());
  EXPECT_EQ(polite.fetch(get("https://api.example/a")).body, "fine");
  const auto sleeps = clock_->sleeps();
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_GE(sleeps[0], 0.0);
  EXPECT_LE(sleeps[0], 0.5);  // full jitter below base * 2^0
}

TEST_F(PoliteClientTest, RetryableTransportErrorIsRetried) {
  replay_.enqueue_error("https://api.example/a", TransportError("curl error 28: timed out", true));
  replay_.enqueue("https://api.example/a", response(200));
  auto polite = client(fast());
  EXPECT_EQ(polite.fetch(get("https://api.example/a")).status, 200);
  EXPECT_EQ(replay_.request_count(), 2u);
}

TEST_F(PoliteClientTest, SpentBudgetNamesProviderRedactedUrlAndLastStatus) {
  const std::string url = "https://api.example/api?module=account&apikey=S3CRET&address=0xabc";
  replay_.enqueue(url, response(503), 3);
  auto options = fast();
  options.max_attempts = 3;
  options.base_backoff_s = 1;
  auto polite = client(options);
  try {
    polite.fetch(get(url));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::IoError);
    EXPECT_STREQ(error.what(),
                 "provider etherscan: GET https://api.example/api?module=account&apikey=REDACTED&address=0xabc "
                 "failed after 3 attempts: last status 503");
  }
  EXPECT_EQ(replay_.request_count(), 3u);
  const auto sleeps = clock_->sleeps();
  ASSERT_EQ(sleeps.size(), 2u);  // none after the last attempt
  EXPECT_LE(sleeps[0], 1.0);
  EXPECT_LE(sleeps[1], 2.0);  // exponential ceiling: base * 2^(n-1)
  EXPECT_EQ(polite.stats().failures, 1u);
  EXPECT_EQ(polite.stats().retries, 2u);
}

TEST_F(PoliteClientTest, SpentBudgetOnTransportErrorsGivesTheReason) {
  replay_.enqueue_error("https://api.example/a", TransportError("curl error 7: Connection refused", true), 2);
  auto options = fast();
  options.max_attempts = 2;
  auto polite = client(options);
  try {
    polite.fetch(get("https://api.example/a"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 "provider etherscan: GET https://api.example/a failed after 2 attempts: curl error 7: Connection "
                 "refused");
  }
}

TEST_F(PoliteClientTest, NonRetryableTransportErrorFailsAtOnce) {
  replay_.enqueue_error("https://api.example/a", TransportError("curl error 60: SSL certificate problem", false));
  auto polite = client(fast());
  try {
    polite.fetch(get("https://api.example/a"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::IoError);
    EXPECT_THAT(error.what(), AllOf(HasSubstr("provider etherscan"), HasSubstr("SSL certificate problem")));
  }
  EXPECT_EQ(replay_.request_count(), 1u);
  EXPECT_TRUE(clock_->sleeps().empty());
}

TEST_F(PoliteClientTest, NotFoundIsReturnedWithoutRetry) {
  replay_.enqueue("https://api.example/a", response(404, "no such thing"));
  auto polite = client(fast());
  const HttpResponse result = polite.fetch(get("https://api.example/a"));
  EXPECT_EQ(result.status, 404);
  EXPECT_EQ(result.body, "no such thing");
  EXPECT_EQ(replay_.request_count(), 1u);
  EXPECT_TRUE(clock_->sleeps().empty());
}

TEST_F(PoliteClientTest, ForbiddenIsRetriedOnlyWhenTheProviderOptsIn) {
  replay_.enqueue("https://api.trongrid.example/a", response(403));
  replay_.enqueue("https://api.trongrid.example/a", response(200));
  auto plain = client(fast());
  EXPECT_EQ(plain.fetch(get("https://api.trongrid.example/a")).status, 403);
  EXPECT_EQ(replay_.request_count(), 1u);

  replay_.enqueue("https://api.trongrid.example/b", response(403));
  replay_.enqueue("https://api.trongrid.example/b", response(200));
  auto options = fast();
  options.retry_on_403 = true;
  auto tron = client(options);
  EXPECT_EQ(tron.fetch(get("https://api.trongrid.example/b")).status, 200);
}

// Etherscan says "slow down" with HTTP 200; retry_if makes such an answer count as a 429, and only a 2xx.
TEST_F(PoliteClientTest, RetryIfTreatsASlowDownAnswerLikeTooManyRequests) {
  const std::string slow = R"({"status":"0","message":"NOTOK","result":"Max rate limit reached"})";
  replay_.enqueue("https://api.example/a", response(200, slow), 2);
  replay_.enqueue("https://api.example/a", response(200, "fine"));
  replay_.enqueue("https://api.example/b", response(500, slow));
  replay_.enqueue("https://api.example/b", response(404, slow));
  auto options = fast();
  options.retry_if = [](const HttpResponse& answer) { return answer.body.find("Max rate limit") != std::string::npos; };
  auto polite = client(options);
  EXPECT_EQ(polite.fetch(get("https://api.example/a")).body, "fine");
  EXPECT_EQ(clock_->sleeps().size(), 2u);
  EXPECT_EQ(polite.stats().retries, 2u);
  // A 404 carrying the same text keeps its meaning: returned, not retried.
  EXPECT_EQ(polite.fetch(get("https://api.example/b")).status, 404);
  EXPECT_EQ(replay_.request_count(), 5u);
  EXPECT_EQ(replay_.pending(), 0u);
}

TEST_F(PoliteClientTest, RetryIfSpentBudgetNamesTheSlowDownAnswer) {
  const std::string url = "https://api.example/api?module=account&apikey=S3CRET";
  replay_.enqueue(url, response(200, R"({"status":"0","result":"Max rate limit reached"})"), 2);
  auto options = fast();
  options.max_attempts = 2;
  options.retry_if = [](const HttpResponse& answer) { return answer.body.find("Max rate limit") != std::string::npos; };
  auto polite = client(options);
  try {
    polite.fetch(get(url));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::IoError);
    EXPECT_THAT(error.what(), AllOf(HasSubstr("apikey=REDACTED failed after 2 attempts: last status 200 asking to "
                                              "slow down"),
                                    HasSubstr("Max rate limit reached"), Not(HasSubstr("S3CRET"))));
  }
  EXPECT_EQ(polite.stats().failures, 1u);
}

TEST_F(PoliteClientTest, TokenBucketSpacesRequestsAtTheConfiguredRate) {
  replay_.enqueue("https://api.example/", response(200), 8, ReplayTransport::Match::Prefix);
  auto options = fast();
  options.rate_per_second = 10;
  options.burst = 3;
  auto polite = client(options);
  for (int i = 0; i < 8; ++i) polite.fetch(get("https://api.example/tx/" + std::to_string(i)));
  // Three back to back (the burst), then one every 0.1 s.
  const auto sleeps = clock_->sleeps();
  ASSERT_EQ(sleeps.size(), 5u);
  for (const double sleep : sleeps) EXPECT_NEAR(sleep, 0.1, 1e-9);
  EXPECT_NEAR(clock_->now(), 0.5, 1e-9);
}

TEST(TokenBucket, ReservesAheadAndRefillsUpToBurst) {
  TokenBucket bucket(10, 1);
  EXPECT_EQ(bucket.acquire(0), 0.0);
  EXPECT_NEAR(bucket.acquire(0), 0.1, 1e-12);
  EXPECT_NEAR(bucket.acquire(0), 0.2, 1e-12);  // queued behind the previous reservation
  EXPECT_NEAR(bucket.acquire(0.15), 0.15, 1e-12);
  EXPECT_EQ(bucket.acquire(100), 0.0);  // long idle: refilled, but only up to the burst of 1
  EXPECT_NEAR(bucket.acquire(100), 0.1, 1e-12);
  EXPECT_NEAR(bucket.acquire(99), 0.2 + 1, 1e-9);  // a stale time waits the gap as well

  TokenBucket unlimited(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(unlimited.acquire(0), 0.0);

  EXPECT_THROW(TokenBucket(-1, 1), Error);
  EXPECT_THROW(TokenBucket(1, 0.5), Error);
}

// Blocks each request until `target` requests are in flight together (or a deadline passes), and records the
// highest number in flight: a broken bound shows up as a maximum above the target.
class GateTransport final : public HttpTransport {
 public:
  struct Shared {
    std::atomic<int> in_flight{0};
    std::atomic<int> max_in_flight{0};
    std::atomic<int> transports{0};
    std::atomic<int> completed{0};
    int target = 1;
    std::string failing_url;
  };
  explicit GateTransport(Shared& shared) : shared_(shared) { ++shared_.transports; }
  HttpResponse perform(const HttpRequest& request) override {
    const int now = ++shared_.in_flight;
    int seen = shared_.max_in_flight.load();
    while (now > seen && !shared_.max_in_flight.compare_exchange_weak(seen, now)) {
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (shared_.in_flight.load() < shared_.target && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --shared_.in_flight;
    ++shared_.completed;
    if (request.url == shared_.failing_url) throw TransportError("certificate rejected", false);
    return response(200, request.url);
  }

 private:
  Shared& shared_;
};

std::vector<HttpRequest> numbered_requests(int count) {
  std::vector<HttpRequest> requests;
  for (int i = 0; i < count; ++i) requests.push_back(get("https://api.example/tx/" + std::to_string(i)));
  return requests;
}

TEST(PoliteClientConcurrency, FetchAllKeepsAtMostConcurrencyInFlightAndOrdersResults) {
  GateTransport::Shared shared;
  shared.target = 3;
  PolitenessOptions options;
  options.concurrency = 3;
  PoliteClient polite(
      "blockstream", [&] { return std::make_unique<GateTransport>(shared); }, options);
  const auto requests = numbered_requests(12);
  const auto responses = polite.fetch_all(requests);
  ASSERT_EQ(responses.size(), requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) EXPECT_EQ(responses[i].body, requests[i].url);
  EXPECT_EQ(shared.max_in_flight.load(), 3);
  EXPECT_LE(shared.transports.load(), 3);  // transports are pooled, one per worker
  EXPECT_EQ(polite.stats().requests, 12u);
}

TEST(PoliteClientConcurrency, ConcurrentFetchCallersShareTheBound) {
  GateTransport::Shared shared;
  shared.target = 2;
  PolitenessOptions options;
  options.concurrency = 2;
  PoliteClient polite(
      "blockstream", [&] { return std::make_unique<GateTransport>(shared); }, options);
  {
    std::vector<std::jthread> callers;
    for (int i = 0; i < 6; ++i) {
      callers.emplace_back([&, i] { polite.fetch(get("https://api.example/tx/" + std::to_string(i))); });
    }
  }
  EXPECT_EQ(shared.max_in_flight.load(), 2);
  EXPECT_EQ(shared.completed.load(), 6);
}

TEST(PoliteClientConcurrency, FetchAllRethrowsTheFailureAfterInFlightRequestsFinish) {
  GateTransport::Shared shared;
  shared.target = 2;
  shared.failing_url = "https://api.example/tx/2";
  PolitenessOptions options;
  options.concurrency = 2;
  PoliteClient polite(
      "blockstream", [&] { return std::make_unique<GateTransport>(shared); }, options);
  try {
    polite.fetch_all(numbered_requests(20));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(),
                AllOf(HasSubstr("provider blockstream"), HasSubstr("/tx/2"), HasSubstr("certificate rejected")));
  }
  EXPECT_EQ(shared.in_flight.load(), 0);   // nothing still running when the error surfaced
  EXPECT_LT(shared.completed.load(), 20);  // no new request started after the failure
  EXPECT_EQ(polite.stats().failures, 1u);
}

TEST(RedactUrl, RemovesUserinfoAndSecretQueryValues) {
  EXPECT_EQ(redact_url("https://user:pass@host.example:8443/path?apikey=abc&module=x"),
            "https://host.example:8443/path?apikey=REDACTED&module=x");
  EXPECT_EQ(redact_url("https://h/api?ApiKey=a&API_KEY=b&Key=c&TOKEN=d&access_token=e&secret=f&keyword=g"),
            "https://h/api?ApiKey=REDACTED&API_KEY=REDACTED&Key=REDACTED&TOKEN=REDACTED&access_token=REDACTED"
            "&secret=REDACTED&keyword=g");
  EXPECT_EQ(redact_url("https://h/p?token=abc#token=frag"), "https://h/p?token=REDACTED#token=frag");
  EXPECT_EQ(redact_url("https://h/p?apikey=&flag&x=1"), "https://h/p?apikey=REDACTED&flag&x=1");
  EXPECT_EQ(redact_url("https://h/users/@bob?q=1"), "https://h/users/@bob?q=1");  // '@' in the path is data
  EXPECT_EQ(redact_url("https://token@h?x=1"), "https://h?x=1");
  EXPECT_EQ(redact_url("https://h/plain"), "https://h/plain");
  EXPECT_EQ(redact_url(""), "");
}

TEST_F(PoliteClientTest, DebugLogsCarryNeitherSecretsNorHeaders) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);

  const std::string url = "https://me:pw@api.example/api?apikey=S3CRET";
  replay_.enqueue(url, response(500));
  replay_.enqueue_error(url, TransportError("curl error 56: reset", true));
  replay_.enqueue(url, response(200));
  auto polite = client(fast());
  HttpRequest request = get(url);
  request.headers = {{"TRON-PRO-API-KEY", "HEADERSECRET"}, {"Authorization", "Bearer HEADERSECRET"}};
  polite.fetch(request);
  spdlog::set_default_logger(previous);

  const std::string log = captured.str();
  EXPECT_THAT(log, HasSubstr("apikey=REDACTED"));  // the debug lines exist ...
  EXPECT_THAT(log, AllOf(Not(HasSubstr("S3CRET")), Not(HasSubstr("HEADERSECRET")), Not(HasSubstr("pw@"))));
}

TEST_F(PoliteClientTest, RequestStopInterruptsABackoffPromptly) {
  replay_.enqueue("https://api.example/a", response(503, "", {{"retry-after", "30"}}));
  // The real clock: the point is that a real wait ends early.
  PoliteClient polite(
      "etherscan", [this] { return replay_.make_handle(); }, fast());
  const auto start = std::chrono::steady_clock::now();
  std::optional<std::string> message;
  std::jthread crawler([&] {
    try {
      polite.fetch(get("https://api.example/a"));
    } catch (const Error& error) {
      message = error.what();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  polite.request_stop();
  crawler.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(message, "interrupted");
  EXPECT_EQ(replay_.request_count(), 1u);

  // Stopped for good: later fetches fail before touching the network.
  EXPECT_THROW(polite.fetch(get("https://api.example/a")), Error);
  EXPECT_EQ(replay_.request_count(), 1u);
  EXPECT_TRUE(polite.stop_requested());
}

TEST_F(PoliteClientTest, RequestStopInterruptsARateLimitWait) {
  replay_.enqueue("https://api.example/", response(200), 2, ReplayTransport::Match::Prefix);
  PolitenessOptions options = fast();
  options.rate_per_second = 0.01;  // the second request would wait 100 s
  PoliteClient polite(
      "etherscan", [this] { return replay_.make_handle(); }, options);
  polite.fetch(get("https://api.example/1"));
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    polite.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    polite.fetch(get("https://api.example/2"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::IoError);
    EXPECT_STREQ(error.what(), "interrupted");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(replay_.request_count(), 1u);
}

TEST_F(PoliteClientTest, ReplayTransportPrefersExactOverLongestPrefix) {
  replay_.enqueue("https://api.example/", response(200, "short prefix"), 1, ReplayTransport::Match::Prefix);
  replay_.enqueue("https://api.example/tx/", response(200, "long prefix"), 1, ReplayTransport::Match::Prefix);
  replay_.enqueue("https://api.example/tx/1", response(200, "exact"));
  EXPECT_EQ(replay_.perform(get("https://api.example/tx/1")).body, "exact");
  EXPECT_EQ(replay_.perform(get("https://api.example/tx/1")).body, "long prefix");
  EXPECT_EQ(replay_.perform(get("https://api.example/tx/1")).body, "short prefix");
  EXPECT_THROW(replay_.perform(get("https://api.example/tx/1")), Error);  // script exhausted
  EXPECT_EQ(replay_.request_count(), 4u);
  EXPECT_EQ(replay_.pending(), 0u);
}

TEST(PoliteClientOptions, OutOfRangeOptionsAreRejected) {
  ReplayTransport replay;
  const auto factory = [&] { return replay.make_handle(); };
  PolitenessOptions zero_concurrency;
  zero_concurrency.concurrency = 0;
  EXPECT_THROW(PoliteClient("p", factory, zero_concurrency), Error);
  PolitenessOptions zero_attempts;
  zero_attempts.max_attempts = 0;
  EXPECT_THROW(PoliteClient("p", factory, zero_attempts), Error);
  PolitenessOptions negative_rate;
  negative_rate.rate_per_second = -1;
  EXPECT_THROW(PoliteClient("p", factory, negative_rate), Error);
}

}  // namespace
}  // namespace fundtrail::ingest
