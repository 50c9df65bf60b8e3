// The real libcurl transport (and PoliteClient over it) against tests/ingest/fake_http_server.py, started per
// test on 127.0.0.1 with an ephemeral port. Nothing but 127.0.0.1 is contacted: proxies are disabled by
// CurlOptions' empty proxy, whatever the environment says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/ingest/polite_client.hpp"
#include "cli/local_server.hpp"

namespace fundtrail::ingest {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

HttpRequest get(std::string url) {
  HttpRequest request;
  request.url = std::move(url);
  return request;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cli::find_in_path("python3").empty()) GTEST_SKIP() << "python3 not found: cannot run the fake server";
    server_ = cli::LocalServer::python(std::string(FUNDTRAIL_SOURCE_DIR) + "/tests/ingest/fake_http_server.py");
    // Short timeouts keep the failure tests fast; nothing here needs more than a fraction of them.
    options_.connect_timeout_ms = 2000;
    options_.total_timeout_ms = 8000;
    options_.low_speed_time_s = 1;
  }
  void TearDown() override { server_.reset(); }

  std::string url(const std::string& path) const { return server_->endpoint() + path; }
  nlohmann::json stats(HttpTransport& transport) {
    return nlohmann::json::parse(transport.perform(get(url("/stats"))).body);
  }

  std::unique_ptr<cli::LocalServer> server_;
  CurlOptions options_;
};

TEST_F(CurlTransportTest, GetReturnsStatusBodyAndLowerCaseHeaders) {
  auto transport = make_curl_transport(options_);
  const HttpResponse response = transport->perform(get(url("/ok")));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body), nlohmann::json({{"ok", true}}));
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  for (const auto& [name, value] : response.headers) {
    EXPECT_TRUE(std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) << name;
  }
  EXPECT_TRUE(std::any_of(response.headers.begin(), response.headers.end(),
                          [](const auto& header) { return header.first == "content-length"; }));
  EXPECT_GT(response.seconds, 0.0);
}

TEST_F(CurlTransportTest, KeepAliveReusesOneConnection) {
  auto transport = make_curl_transport(options_);
  const int before = stats(*transport)["connections"];
  for (int i = 0; i < 5; ++i) ASSERT_EQ(transport->perform(get(url("/ok"))).status, 200);
  const nlohmann::json after = stats(*transport);
  EXPECT_EQ(after["connections"].get<int>(), before);  // the connection of the first /stats, reused
  EXPECT_EQ(after["requests"].get<int>(), 7);

  // A second transport is a second connection: the count above is really counting.
  auto other = make_curl_transport(options_);
  EXPECT_EQ(stats(*other)["connections"].get<int>(), before + 1);
}

TEST_F(CurlTransportTest, GzipBodyIsDecoded) {
  auto transport = make_curl_transport(options_);
  const HttpResponse response = transport->perform(get(url("/gzip")));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-encoding"), "gzip");  // it really travelled compressed
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["compressed"], true);
  EXPECT_EQ(body["padding"].get<std::string>().size(), 1000u);
}

TEST_F(CurlTransportTest, TooManyRequestsIsAResponseWithRetryAfter) {
  auto transport = make_curl_transport(options_);
  const HttpResponse response = transport->perform(get(url("/status/429?retry_after=1")));
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.header("Retry-After"), "1");
}

TEST_F(CurlTransportTest, HtmlErrorPageIsAResponse) {
  auto transport = make_curl_transport(options_);
  const HttpResponse response = transport->perform(get(url("/html-error")));
  EXPECT_EQ(response.status, 502);
  EXPECT_THAT(response.body, HasSubstr("<html>"));
}

TEST_F(CurlTransportTest, RedirectIsReturnedNotFollowed) {
  auto transport = make_curl_transport(options_);
  const HttpResponse response = transport->perform(get(url("/redirect")));
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.header("location"), "/ok");
}

TEST_F(CurlTransportTest, StallIsARetryableTimeoutWithinTheLowSpeedWindow) {
  auto transport = make_curl_transport(options_);
  const auto start = std::chrono::steady_clock::now();
  try {
    transport->perform(get(url("/stall?s=6")));
    FAIL() << "expected a TransportError";
  } catch (const TransportError& error) {
    EXPECT_TRUE(error.retryable());
    EXPECT_THAT(error.reason(), StartsWith("curl error 28"));
    EXPECT_THAT(error.what(), HasSubstr("GET http://127.0.0.1:"));
  }
  const double elapsed = seconds_since(start);
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 4.0);  // the stall detector, not the 8 s total timeout (nor the server's 6 s)
}

TEST_F(CurlTransportTest, TruncatedBodyIsRetryable) {
  auto transport = make_curl_transport(options_);
  try {
    transport->perform(get(url("/truncated")));
    FAIL() << "expected a TransportError";
  } catch (const TransportError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::IoError);
    EXPECT_TRUE(error.retryable());
    EXPECT_THAT(error.reason(), StartsWith("curl error 18"));
  }
  // The handle stays usable after a failed exchange.
  EXPECT_EQ(transport->perform(get(url("/ok"))).status, 200);
}

TEST_F(CurlTransportTest, ConnectionRefusedIsRetryable) {
  // A port that was free a moment ago (bound, then closed): nobody listens there.
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(probe, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(probe);
  auto transport = make_curl_transport(options_);
  try {
    transport->perform(get("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/ok"));
    FAIL() << "expected a TransportError";
  } catch (const TransportError& error) {
    EXPECT_TRUE(error.retryable());
    EXPECT_THAT(error.reason(), StartsWith("curl error 7"));
  }
}

TEST_F(CurlTransportTest, ResponseOverTheCapIsNotRetryable) {
  options_.max_response_bytes = 1000;
  auto transport = make_curl_transport(options_);
  EXPECT_EQ(transport->perform(get(url("/big?bytes=1000"))).body.size(), 1000u);  // the cap itself is fine
  try {
    transport->perform(get(url("/big?bytes=100000")));
    FAIL() << "expected a TransportError";
  } catch (const TransportError& error) {
    EXPECT_FALSE(error.retryable());
    EXPECT_THAT(error.reason(), HasSubstr("cap of 1000 bytes"));
  }
}

TEST_F(CurlTransportTest, PostSendsMethodBodyHeadersAndUserAgent) {
  auto transport = make_curl_transport(options_);
  HttpRequest request = get(url("/echo"));
  request.method = "POST";
  request.body = R"({"jsonrpc":"2.0","id":1})";
  request.headers = {{"Content-Type", "application/json"}, {"X-Case", "42"}};
  const auto echo = nlohmann::json::parse(transport->perform(request).body);
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["body"], request.body);
  EXPECT_EQ(echo["headers"]["x-case"], "42");
  EXPECT_EQ(echo["headers"]["content-type"], "application/json");
  EXPECT_THAT(echo["headers"]["user-agent"].get<std::string>(), StartsWith("fundtrail/"));
  EXPECT_FALSE(echo["headers"].contains("expect"));

  // The next GET on the same handle carries nothing over from the POST.
  const auto second = nlohmann::json::parse(transport->perform(get(url("/echo"))).body);
  EXPECT_EQ(second["method"], "GET");
  EXPECT_EQ(second["body"], "");
  EXPECT_FALSE(second["headers"].contains("x-case"));
}

TEST_F(CurlTransportTest, HeaderInjectionAndOtherSchemesAreRejected) {
  auto transport = make_curl_transport(options_);
  HttpRequest request = get(url("/ok"));
  request.headers = {{"X-Api-Key", "abc\r\nX-Injected: 1"}};
  try {
    transport->perform(request);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
  }
  try {
    transport->perform(get("file:///etc/passwd"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
  }
}

TEST_F(CurlTransportTest, PoliteClientRecoversFromServerErrors) {
  PolitenessOptions politeness;
  politeness.max_attempts = 4;
  politeness.base_backoff_s = 0.01;
  PoliteClient client(
      "local", [this] { return make_curl_transport(options_); }, politeness);
  const HttpResponse response = client.fetch(get(url("/flaky?id=recover&fail=2")));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["calls"], 3);
  EXPECT_EQ(client.stats().retries, 2u);
  EXPECT_EQ(client.stats().requests, 3u);
}

TEST_F(CurlTransportTest, PoliteClientGivesUpWithTheLastStatusNotTheHtml) {
  PolitenessOptions politeness;
  politeness.max_attempts = 2;
  politeness.base_backoff_s = 0.01;
  PoliteClient client(
      "local", [this] { return make_curl_transport(options_); }, politeness);
  try {
    client.fetch(get(url("/html-error?apikey=S3CRET")));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("provider local: GET http://127.0.0.1:"),
                                    HasSubstr("/html-error?apikey=REDACTED failed after 2 attempts: last status 502"),
                                    Not(HasSubstr("<html>")), Not(HasSubstr("S3CRET"))));
  }
}

TEST_F(CurlTransportTest, PoliteClientFetchAllKeepsConnectionsAlive) {
  PolitenessOptions politeness;
  politeness.concurrency = 2;
  PoliteClient client(
      "local", [this] { return make_curl_transport(options_); }, politeness);
  std::vector<HttpRequest> requests;
  for (int i = 0; i < 10; ++i) requests.push_back(get(url("/slow?ms=10")));
  const auto responses = client.fetch_all(requests);
  for (const auto& response : responses) EXPECT_EQ(response.status, 200);
  auto probe = make_curl_transport(options_);
  // Two workers' connections plus the probe's own, not one per request.
  EXPECT_LE(stats(*probe)["connections"].get<int>(), 3);
}

}  // namespace
}  // namespace fundtrail::ingest
