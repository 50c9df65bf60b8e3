// The libcurl transport. Every option is re-applied per request after curl_easy_reset(), which keeps the
// handle's connection cache, DNS cache and TLS session cache: keep-alive without options leaking from one
// request (say a POST body) into the next.
#include <array>
#include <memory>
#include <string>
#include <utility>

#include "curl_library.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/http_transport.hpp"

namespace fundtrail::ingest {

std::string default_user_agent() {
#ifdef FUNDTRAIL_VERSION
  return "fundtrail/" FUNDTRAIL_VERSION " (+investigations)";
#else
  return "fundtrail (+investigations)";
#endif
}

namespace {

// Whether the same request may succeed if tried again later. Anything that says "the server or the network
// hiccuped" is retryable; anything that says "this request or this peer is wrong" is not, so a bad
// certificate is never papered over by retries.
bool is_retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:  // resolvers (and Tor exits) fail transiently
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:  // includes the low-speed (stall) abort
    case CURLE_PARTIAL_FILE:        // body shorter than Content-Length: connection dropped
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:  // handshake cut off mid-way; verification failures have their own codes
    case CURLE_PROXY:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_AGAIN:
      return true;
    default:
      return false;
  }
}

bool is_http_token(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' ||
                    c == '*' || c == '+' || c == '^' || c == '`' || c == '|' || c == '~';
    if (!ok) return false;
  }
  return true;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_library().slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options) : options_(std::move(options)), curl_(curl_library()) {
    handle_ = curl_.easy_init();
    if (handle_ == nullptr) throw Error(ErrorKind::IoError, "cannot create a libcurl handle");
  }
  ~CurlTransport() override { curl_.easy_cleanup(handle_); }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse perform(const HttpRequest& request) override {
    const std::string context =
        printable_excerpt(request.method, 20) + " " + printable_excerpt(redact_url(request.url), 300);
    if (!is_http_token(request.method)) throw invalid_argument(context + ": invalid HTTP method");
    if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0) {
      throw invalid_argument(context + ": only http:// and https:// URLs are supported");
    }

    SlistPtr header_list;
    // An empty "Expect:" stops curl from waiting up to a second for "100 Continue" before sending a body.
    header_list.reset(append(curl_, header_list.release(), "Expect:", context));
    for (const auto& [name, value] : request.headers) {
      // CR or LF in a header would let a value smuggle extra headers (or a second request) onto the wire.
      if (!is_http_token(name) || value.find_first_of("\r\n") != std::string::npos) {
        throw invalid_argument(context + ": invalid header " + printable_excerpt(name, 60));
      }
      header_list.reset(append(curl_, header_list.release(), name + ": " + value, context));
    }

    Exchange exchange;
    exchange.max_bytes = options_.max_response_bytes;
    curl_.easy_reset(handle_);
    error_buffer_[0] = '\0';
    set(CURLOPT_ERRORBUFFER, error_buffer_.data());
    set(CURLOPT_URL, request.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: we are multi-threaded
    set(CURLOPT_FOLLOWLOCATION, 0L);
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    set(CURLOPT_ACCEPT_ENCODING, "");  // offer every encoding this libcurl decodes (gzip, deflate, ...)
    set(CURLOPT_SSL_VERIFYPEER, 1L);   // the defaults, stated so that nobody "temporarily" turns them off
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    set(CURLOPT_PROXY, options_.proxy.c_str());  // "" also ignores proxy environment variables
    set(CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
    set(CURLOPT_TIMEOUT_MS, options_.total_timeout_ms);
    set(CURLOPT_LOW_SPEED_LIMIT, 1L);
    set(CURLOPT_LOW_SPEED_TIME, options_.low_speed_time_s);
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_USERAGENT, options_.user_agent.c_str());
    set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_response_bytes));
    set(CURLOPT_HTTPHEADER, header_list.get());
    set(CURLOPT_WRITEFUNCTION, &CurlTransport::on_body);
    set(CURLOPT_WRITEDATA, &exchange);
    set(CURLOPT_HEADERFUNCTION, &CurlTransport::on_header);
    set(CURLOPT_HEADERDATA, &exchange);

    if (request.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else if (request.method == "GET" && request.body.empty()) {
      set(CURLOPT_HTTPGET, 1L);
    } else {
      // POSTFIELDS alone would turn any method into POST; CUSTOMREQUEST keeps the one asked for.
      if (request.method != "POST") set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      set(CURLOPT_POSTFIELDS, request.body.data());
    }

    const CURLcode code = curl_.easy_perform(handle_);
    if (exchange.over_cap || code == CURLE_FILESIZE_EXCEEDED) {
      throw TransportError("response larger than the cap of " + std::to_string(options_.max_response_bytes) + " bytes",
                           false, context);
    }
    if (code != CURLE_OK) {
      std::string reason = "curl error " + std::to_string(static_cast<int>(code)) + ": ";
      reason += error_buffer_[0] != '\0' ? printable_excerpt(error_buffer_.data(), CURL_ERROR_SIZE)
                                         : std::string(curl_.easy_strerror(code));
      throw TransportError(std::move(reason), is_retryable(code), context);
    }

    HttpResponse response;
    long status = 0;
    curl_.easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &status);
    double seconds = 0;
    curl_.easy_getinfo(handle_, CURLINFO_TOTAL_TIME, &seconds);
    response.status = static_cast<int>(status);
    response.seconds = seconds;
    response.body = std::move(exchange.body);
    response.headers = std::move(exchange.headers);
    return response;
  }

 private:
  struct Exchange {
    std::size_t max_bytes = 0;
    bool over_cap = false;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };

  template <typename Value>
  void set(CURLoption option, Value value) {
    const CURLcode code = curl_.easy_setopt(handle_, option, value);
    // Only an option this libcurl lacks fails here; that is a build problem, not a network one.
    if (code != CURLE_OK) {
      throw Error(ErrorKind::IoError, "libcurl rejected option " + std::to_string(static_cast<int>(option)) + ": " +
                                          curl_.easy_strerror(code));
    }
  }

  static curl_slist* append(const CurlLibrary& curl, curl_slist* list, const std::string& line,
                            const std::string& context) {
    curl_slist* appended = curl.slist_append(list, line.c_str());
    if (appended == nullptr) {
      curl.slist_free_all(list);
      throw Error(ErrorKind::IoError, context + ": out of memory building headers");
    }
    return appended;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& exchange = *static_cast<Exchange*>(user);
    const std::size_t bytes = size * count;
    // Counted after decoding, so a small gzip bomb cannot grow past the cap either.
    if (exchange.body.size() + bytes > exchange.max_bytes) {
      exchange.over_cap = true;
      return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
    exchange.body.append(data, bytes);
    return bytes;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto& exchange = *static_cast<Exchange*>(user);
    const std::size_t bytes = size * count;
    const std::string_view line(data, bytes);
    if (line.rfind("HTTP/", 0) == 0) {
      // A new status line (after "100 Continue", or a proxy's CONNECT reply): only the final response's
      // headers are reported.
      exchange.headers.clear();
      return bytes;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return bytes;  // blank line ending the headers
    std::string name(trim(line.substr(0, colon)));
    for (char& c : name) c = ascii_lower(c);
    exchange.headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
    return bytes;
  }

  CurlOptions options_;
  const CurlLibrary& curl_;
  CURL* handle_ = nullptr;
  std::array<char, CURL_ERROR_SIZE> error_buffer_{};
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(const CurlOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace fundtrail::ingest
