#include "fundtrail/ingest/polite_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/token_bucket.hpp"

namespace fundtrail::ingest {

namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool is_secret_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 6> kSecretNames = {"apikey", "api_key",      "key",
                                                                   "token",  "access_token", "secret"};
  return std::any_of(kSecretNames.begin(), kSecretNames.end(),
                     [&](std::string_view secret) { return iequals(name, secret); });
}

Error interrupted() { return Error(ErrorKind::IoError, "interrupted"); }

class SystemClock final : public Clock {
 public:
  double now() override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  double unix_now() override {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  bool sleep_for(double seconds, std::stop_token stop) override {
    if (stop.stop_requested()) return false;
    if (!(seconds > 0)) return true;
    // A condition variable rather than this_thread::sleep_for: the stop token's callback wakes it at once.
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    const auto duration = std::chrono::duration<double>(std::min(seconds, 1e7));
    wake.wait_for(lock, stop, std::chrono::duration_cast<std::chrono::nanoseconds>(duration), [] { return false; });
    return !stop.stop_requested();
  }
};

// The parts of an HTTP-date after the weekday, in any of the three forms RFC 9110 requires recipients to
// accept; std::get_time/strptime are avoided because month names would follow the process locale.
std::optional<double> parse_http_date(std::string_view value) {
  std::vector<std::string_view> tokens;
  std::size_t pos = 0;
  while (pos < value.size()) {
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == ',' || value[pos] == '-')) ++pos;
    const std::size_t start = pos;
    while (pos < value.size() && value[pos] != ' ' && value[pos] != ',' && value[pos] != '-') ++pos;
    if (pos > start) tokens.push_back(value.substr(start, pos - start));
  }
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  auto month_of = [&](std::string_view text) -> int {
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
      if (iequals(text, kMonths[i])) return static_cast<int>(i) + 1;
    }
    return 0;
  };
  auto number = [](std::string_view text, int& out) {
    if (text.empty() || text.size() > 4) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
  };
  if (tokens.size() < 5) return std::nullopt;
  int day = 0, month = 0, year = 0;
  std::string_view time;
  if (month_of(tokens[1]) != 0) {  // asctime: Sun Nov  6 08:49:37 1994
    month = month_of(tokens[1]);
    if (!number(tokens[2], day) || !number(tokens[4], year)) return std::nullopt;
    time = tokens[3];
  } else {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT; RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    month = month_of(tokens[2]);
    if (!number(tokens[1], day) || !number(tokens[3], year)) return std::nullopt;
    if (tokens[3].size() == 2) year += year < 70 ? 2000 : 1900;
    time = tokens[4];
  }
  int hour = 0, minute = 0, second = 0;
  if (time.size() != 8 || time[2] != ':' || time[5] != ':' || !number(time.substr(0, 2), hour) ||
      !number(time.substr(3, 2), minute) || !number(time.substr(6, 2), second) || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (month == 0 || !date.ok()) return std::nullopt;
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  return static_cast<double>(days) * 86400.0 + hour * 3600.0 + minute * 60.0 + second;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  std::size_t rest = 0;
  // Authority: between "scheme://" and the first '/', '?' or '#'; its userinfo ends at the last '@'.
  if (const auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    const std::size_t authority_start = scheme_end + 3;
    const std::size_t authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
    const auto authority = url.substr(authority_start, authority_end - authority_start);
    const auto at = authority.rfind('@');
    out.append(url.substr(0, authority_start));
    out.append(at == std::string_view::npos ? authority : authority.substr(at + 1));
    rest = authority_end;
  }
  const std::size_t query_start = url.find('?', rest);
  if (query_start == std::string_view::npos) {
    out.append(url.substr(rest));
    return out;
  }
  out.append(url.substr(rest, query_start + 1 - rest));
  const std::size_t query_end = std::min(url.find('#', query_start), url.size());
  std::size_t pos = query_start + 1;
  while (pos <= query_end) {
    const std::size_t end = std::min(url.find_first_of("&;", pos), query_end);
    const auto parameter = url.substr(pos, end - pos);
    const auto equals = parameter.find('=');
    if (equals != std::string_view::npos && is_secret_parameter(parameter.substr(0, equals))) {
      out.append(parameter.substr(0, equals + 1));
      out.append("REDACTED");
    } else {
      out.append(parameter);
    }
    if (end < query_end) out.push_back(url[end]);
    pos = end + 1;
  }
  out.append(url.substr(query_end));
  return out;
}

std::shared_ptr<Clock> make_system_clock() { return std::make_shared<SystemClock>(); }

std::optional<double> parse_retry_after(std::string_view value, double unix_now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // More digits than a double's exact range means "very long"; the caller caps it anyway.
    if (value.size() > 12) return 1e12;
    std::uint64_t seconds = 0;
    std::from_chars(value.data(), value.data() + value.size(), seconds);
    return static_cast<double>(seconds);
  }
  const auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  return std::max(0.0, *date - unix_now);
}

struct PoliteClient::State {
  State(std::string provider_name, std::function<std::unique_ptr<HttpTransport>()> factory,
        PolitenessOptions politeness, std::shared_ptr<Clock> time)
      : provider(std::move(provider_name)),
        make_transport(std::move(factory)),
        options(validated(politeness, provider)),
        clock(time ? std::move(time) : make_system_clock()),
        bucket(options.rate_per_second, options.burst),
        random(std::random_device{}()) {
    if (!make_transport) throw invalid_argument("provider " + provider + ": no transport factory");
  }

  static PolitenessOptions validated(const PolitenessOptions& options, const std::string& provider) {
    const auto fail = [&](const std::string& what) { throw invalid_argument("provider " + provider + ": " + what); };
    if (!std::isfinite(options.rate_per_second) || options.rate_per_second < 0) {
      fail("rate_per_second must be >= 0 (0 = unlimited)");
    }
    if (!std::isfinite(options.burst) || options.burst < 1) fail("burst must be >= 1");
    if (options.concurrency < 1) fail("concurrency must be >= 1");
    if (options.max_attempts < 1) fail("max_attempts must be >= 1");
    if (!std::isfinite(options.base_backoff_s) || options.base_backoff_s < 0) fail("base_backoff_s must be >= 0");
    if (!std::isfinite(options.max_backoff_s) || options.max_backoff_s < 0) fail("max_backoff_s must be >= 0");
    return options;
  }

  // A transport checked out of the pool for one fetch(); at most `concurrency` are out at a time, which is
  // what bounds the requests in flight over every caller of the client.
  class Lease {
   public:
    Lease(State& state, std::unique_ptr<HttpTransport> transport) : state_(state), transport_(std::move(transport)) {}
    ~Lease() { state_.give_back(std::move(transport_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    HttpTransport& operator*() const { return *transport_; }

   private:
    State& state_;
    std::unique_ptr<HttpTransport> transport_;
  };

  std::unique_ptr<HttpTransport> take() {
    std::unique_lock lock(pool_mutex);
    pool_changed.wait(lock, stop.get_token(), [&] { return in_use < options.concurrency; });
    if (stop.stop_requested()) throw interrupted();
    ++in_use;
    if (!idle.empty()) {
      auto transport = std::move(idle.back());
      idle.pop_back();
      return transport;
    }
    lock.unlock();  // creating a transport may take a while (TLS context); others may proceed meanwhile
    try {
      auto transport = make_transport();
      if (!transport) throw invalid_argument("provider " + provider + ": the transport factory returned null");
      return transport;
    } catch (...) {
      give_back(nullptr);
      throw;
    }
  }

  void give_back(std::unique_ptr<HttpTransport> transport) {
    {
      const std::lock_guard lock(pool_mutex);
      if (transport) idle.push_back(std::move(transport));
      --in_use;
    }
    pool_changed.notify_one();
  }

  // Full jitter: uniform in [0, min(max, base * 2^(attempt-1))].
  double backoff(unsigned attempt) {
    const double ceiling = std::min(options.max_backoff_s,
                                    std::ldexp(options.base_backoff_s, static_cast<int>(std::min(attempt, 64u)) - 1));
    const std::lock_guard lock(random_mutex);
    return std::uniform_real_distribution<double>(0.0, ceiling)(random);
  }

  void pause(double seconds) {
    if (stop.stop_requested() || (seconds > 0 && !clock->sleep_for(seconds, stop.get_token()))) {
      throw interrupted();
    }
  }

  bool retryable_status(int status) const {
    return status == 429 || (status >= 500 && status <= 599) || (status == 403 && options.retry_on_403);
  }

  // Only a 2xx can be a disguised 429: other statuses keep their own meaning.
  bool slow_down_answer(const HttpResponse& response) const {
    return options.retry_if && response.status >= 200 && response.status <= 299 && options.retry_if(response);
  }

  HttpResponse fetch(const HttpRequest& request) {
    const std::string where =
        printable_excerpt(request.method, 20) + " " + printable_excerpt(redact_url(request.url), 300);
    const Lease transport(*this, take());
    std::string last_problem;
    for (unsigned attempt = 1;; ++attempt) {
      pause(bucket.acquire(clock->now()));
      requests.fetch_add(1, std::memory_order_relaxed);
      if (attempt > 1) retries.fetch_add(1, std::memory_order_relaxed);
      std::optional<double> retry_after;
      try {
        HttpResponse response = (*transport).perform(request);
        bytes.fetch_add(response.body.size(), std::memory_order_relaxed);
        spdlog::debug("provider {}: {} -> {} ({} bytes, {:.3f} s, attempt {}/{})", provider, where, response.status,
                      response.body.size(), response.seconds, attempt, options.max_attempts);
        if (slow_down_answer(response)) {
          last_problem = "last status " + std::to_string(response.status) +
                         " asking to slow down: " + printable_excerpt(response.body, 120);
        } else if (!retryable_status(response.status)) {
          return response;
        } else {
          last_problem = "last status " + std::to_string(response.status);
        }
        if (const auto value = response.header("retry-after")) {
          retry_after = parse_retry_after(*value, clock->unix_now());
        }
      } catch (const TransportError& error) {
        spdlog::debug("provider {}: {} attempt {}/{}: {}", provider, where, attempt, options.max_attempts,
                      error.reason());
        if (!error.retryable()) {
          throw Error(ErrorKind::IoError, "provider " + provider + ": " + where + ": " + error.reason());
        }
        last_problem = error.reason();
      }
      if (attempt >= options.max_attempts) {
        throw Error(ErrorKind::IoError, "provider " + provider + ": " + where + " failed after " +
                                            std::to_string(attempt) + " attempts: " + last_problem);
      }
      // The server's own estimate beats a guess; the cap keeps a hostile or confused server from parking a
      // crawl for hours (the retry then most likely spends the budget and reports the status).
      pause(retry_after ? std::min(*retry_after, options.max_backoff_s) : backoff(attempt));
    }
  }

  const std::string provider;
  const std::function<std::unique_ptr<HttpTransport>()> make_transport;
  const PolitenessOptions options;
  const std::shared_ptr<Clock> clock;
  TokenBucket bucket;
  std::stop_source stop;

  std::mutex pool_mutex;
  std::condition_variable_any pool_changed;
  std::vector<std::unique_ptr<HttpTransport>> idle;
  unsigned in_use = 0;

  std::mutex random_mutex;
  std::mt19937_64 random;

  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> bytes{0};
};

PoliteClient::PoliteClient(std::string provider, std::function<std::unique_ptr<HttpTransport>()> make_transport,
                           PolitenessOptions options, std::shared_ptr<Clock> clock)
    : state_(std::make_unique<State>(std::move(provider), std::move(make_transport), options, std::move(clock))) {}

PoliteClient::~PoliteClient() = default;

HttpResponse PoliteClient::fetch(const HttpRequest& request) {
  try {
    return state_->fetch(request);
  } catch (...) {
    state_->failures.fetch_add(1, std::memory_order_relaxed);
    throw;
  }
}

std::vector<HttpResponse> PoliteClient::fetch_all(const std::vector<HttpRequest>& requests) {
  const std::size_t count = requests.size();
  std::vector<HttpResponse> responses(count);
  std::vector<std::exception_ptr> errors(count);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  const auto work = [&] {
    while (!failed.load()) {
      const std::size_t index = next.fetch_add(1);
      if (index >= count) return;
      try {
        responses[index] = fetch(requests[index]);
      } catch (...) {
        errors[index] = std::current_exception();  // rethrown below, after the other workers finish
        failed.store(true);
      }
    }
  };
  const std::size_t workers = std::min<std::size_t>(state_->options.concurrency, count);
  if (workers <= 1) {
    work();
  } else {
    // Workers are per call (threads are cheap next to network round trips); the transports they use are
    // the client's pooled ones, so connections stay alive across calls.
    std::vector<std::jthread> threads;
    threads.reserve(workers - 1);
    try {
      for (std::size_t i = 0; i + 1 < workers; ++i) threads.emplace_back(work);
    } catch (...) {
      failed.store(true);  // could not start a thread: let the started ones stop early, then report
      throw;
    }
    work();
  }  // jthreads join here
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return responses;
}

void PoliteClient::request_stop() { state_->stop.request_stop(); }

bool PoliteClient::stop_requested() const { return state_->stop.stop_requested(); }

ClientStats PoliteClient::stats() const {
  return {state_->requests.load(), state_->retries.load(), state_->failures.load(), state_->bytes.load()};
}

const std::string& PoliteClient::provider() const noexcept { return state_->provider; }

}  // namespace fundtrail::ingest
