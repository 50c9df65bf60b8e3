#pragma once
// The HTTP seam of the ingest layer: requests, responses, the transport interface, the real libcurl transport
// and a scripted fake for unit tests. Only src/ingest uses libcurl (loaded at first use, curl_library.hpp);
// nothing in this header exposes it.
//
// A transport performs exactly one HTTP exchange: no retries, no rate limiting (PoliteClient adds those).
// Any HTTP status, 4xx and 5xx included, is a *response*; only a failure to obtain a complete response
// (DNS, connect, TLS, timeout or stall, truncated body, size cap) is a TransportError.
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {

struct HttpRequest {
  std::string method = "GET";  // an HTTP token (GET, POST, ...)
  std::string url;             // absolute http:// or https:// URL; may carry secrets (see redact_url)
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given; never logged (API keys)
  std::string body;                                          // sent when non-empty (or for POST)
};

struct HttpResponse {
  int status = 0;    // HTTP status code of the final response
  std::string body;  // decoded body (Content-Encoding such as gzip already undone)
  std::vector<std::pair<std::string, std::string>> headers;  // of the final response; names lower-case
  // Value of the first header called `name` (compared case-insensitively), or nullopt.
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() != name.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < key.size() && same; ++i) {
        same = key[i] == ascii_lower(name[i]);
      }
      if (same) return value;
    }
    return std::nullopt;
  }
  double seconds = 0;  // wall time of the exchange, in seconds

 private:
  static constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
};

// A failure to complete an HTTP exchange. Kind is always IoError. what() is "<context>: <reason>" (or just the
// reason without context); the context names the method and the *redacted* URL, never a secret.
class TransportError : public Error {
 public:
  // `reason`: what went wrong, e.g. "curl error 28: Operation timed out after 1000 milliseconds ...";
  // `retryable`: whether the same request may succeed later (timeouts, resets, truncation: yes; certificate
  // failures, malformed URLs, responses over the size cap: no).
  TransportError(std::string reason, bool retryable, const std::string& context = {})
      : Error(ErrorKind::IoError, context.empty() ? reason : context + ": " + reason),
        reason_(std::move(reason)),
        retryable_(retryable) {}
  bool retryable() const noexcept { return retryable_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string reason_;
  bool retryable_;
};

// One HTTP exchange at a time. Implementations are NOT required to be thread-safe: use one transport per
// thread (PoliteClient does). perform() returns any HTTP status as a response and throws TransportError when
// no complete response was obtained, fundtrail::Error(InvalidArgument) for a malformed request.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResponse perform(const HttpRequest& request) = 0;
};

// `url` fit for logs and error messages: userinfo (user:pass@) removed, and the values of the query parameters
// apikey, api_key, key, token, access_token and secret (names compared case-insensitively) replaced by
// REDACTED, e.g. "https://h/api?module=x&apikey=REDACTED". Does not validate the URL. Secrets embedded in the
// path (e.g. /v3/<project-key>) cannot be recognised here: adapters must keep them in headers or the query.
std::string redact_url(std::string_view url);

// "fundtrail/<version> (+investigations)"
std::string default_user_agent();

struct CurlOptions {
  // Proxy URL, e.g. "socks5h://127.0.0.1:9050" (socks5h: DNS resolved by the proxy, so lookups do not leak).
  // Empty means a direct connection; the http_proxy/https_proxy environment variables are then ignored, so
  // where requests go depends only on the configuration.
  std::string proxy;
  long connect_timeout_ms = 10000;  // TCP + TLS (+ proxy) handshake
  long total_timeout_ms = 60000;    // whole exchange; 0 = none
  long low_speed_time_s = 20;       // abort when under 1 byte/s for this many seconds (stall detection)
  std::string user_agent = default_user_agent();
  std::size_t max_response_bytes = std::size_t{64} << 20;  // decoded body cap; beyond: non-retryable error
};

// The real transport: one libcurl easy handle reused across calls, so connections are kept alive (and TLS
// sessions resumed). HTTP/2 when the server offers it over TLS, compressed responses decoded, TLS peer and host
// verification always on, http and https only, redirects NOT followed (a 3xx is returned as a response: a
// redirect to another host would otherwise receive the API-key headers). Not thread-safe: one per thread.
// Throws fundtrail::Error(IoError) if libcurl cannot be initialised.
std::unique_ptr<HttpTransport> make_curl_transport(const CurlOptions& options = {});

// Scripted fake for unit tests. Each perform() records the request, then consumes the next step queued for
// its URL: steps queued for the exact URL first, otherwise those of the longest matching prefix. A step is a
// response (returned) or a TransportError (thrown). A request with no step left throws
// fundtrail::Error(NotFound) naming it, so an unexpected request fails the test loudly.
// Thread-safe: one ReplayTransport may serve several threads (see make_handle()).
class ReplayTransport : public HttpTransport {
 public:
  enum class Match { Exact, Prefix };

  // Queues `response` (`times` times) for requests to `url`.
  void enqueue(const std::string& url, const HttpResponse& response, std::size_t times = 1, Match match = Match::Exact);
  // Queues a thrown TransportError (`times` times) for requests to `url`.
  void enqueue_error(const std::string& url, const TransportError& error, std::size_t times = 1,
                     Match match = Match::Exact);

  HttpResponse perform(const HttpRequest& request) override;

  // Every request performed so far, in the order they arrived.
  std::vector<HttpRequest> requests() const;
  std::size_t request_count() const;
  // Steps queued but not consumed yet (over all URLs).
  std::size_t pending() const;

  // A transport that forwards to this one, for factories that must hand out one transport per thread
  // (PoliteClient). This ReplayTransport must outlive every handle.
  std::unique_ptr<HttpTransport> make_handle();

 private:
  using Step = std::variant<HttpResponse, TransportError>;
  struct Script {
    std::string url;
    Match match;
    std::deque<Step> steps;
  };
  void add(const std::string& url, Match match, const Step& step, std::size_t times);

  mutable std::mutex mutex_;
  std::vector<Script> scripts_;
  std::vector<HttpRequest> requests_;
};

}  // namespace fundtrail::ingest
