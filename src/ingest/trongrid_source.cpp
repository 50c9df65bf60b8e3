#include "fundtrail/ingest/trongrid_source.hpp"

#include <algorithm>
#include <utility>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::ingest {
namespace {

enum class Phase { Transactions, Trc20 };

struct Cursor {
  Phase phase = Phase::Transactions;
  std::string fingerprint;  // empty: the phase's first page
};

constexpr std::string_view kTransactionsPrefix = "tx:";
constexpr std::string_view kTrc20Prefix = "trc20:";
constexpr std::string_view kApiKeyHeader = "TRON-PRO-API-KEY";
// 9999-12-31T23:59:59Z: the last second a window bound can usefully name (core::format_iso8601's range).
constexpr core::UnixSeconds kLastSecond = 253402300799;
constexpr std::int64_t kMillisPerSecond = 1000;

Cursor decode_cursor(const std::optional<std::string>& cursor) {
  if (!cursor) return {};
  const std::string_view text = *cursor;
  if (text.starts_with(kTransactionsPrefix)) {
    return {Phase::Transactions, std::string(text.substr(kTransactionsPrefix.size()))};
  }
  if (text.starts_with(kTrc20Prefix)) return {Phase::Trc20, std::string(text.substr(kTrc20Prefix.size()))};
  throw invalid_argument("not a trongrid paging cursor: '" + printable_excerpt(text) + "'");
}

std::string encode_cursor(Phase phase, std::string_view fingerprint) {
  return std::string(phase == Phase::Transactions ? kTransactionsPrefix : kTrc20Prefix) + std::string(fingerprint);
}

// RFC 3986 percent-encoding of a query value: the fingerprint is opaque and may hold '+', '/' or '='.
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

// Window bounds in TronGrid's milliseconds; std::nullopt = unbounded on that side.
std::optional<std::int64_t> min_timestamp(core::UnixSeconds since) {
  if (since <= 0) return std::nullopt;  // TRON began in 2018: nothing earlier to leave out
  return std::min(since, kLastSecond) * kMillisPerSecond;
}

std::optional<std::int64_t> max_timestamp(core::UnixSeconds until) {
  if (until >= kLastSecond) return std::nullopt;
  // `until` is inclusive: every millisecond of its last second belongs to the window.
  return std::max<core::UnixSeconds>(until, 0) * kMillisPerSecond + (kMillisPerSecond - 1);
}

// Where the phase continues after `page`, asked for at `position`.
std::optional<std::string> next_cursor(const Cursor& position, const TronGridPage& page, std::string_view locator) {
  if (page.fingerprint && *page.fingerprint != position.fingerprint)
    return encode_cursor(position.phase, *page.fingerprint);
  if (page.fingerprint && page.records > 0) {
    // Following it would fetch this page again, forever; stopping would silently drop the rest of the history.
    throw invalid_argument(std::string(locator) +
                           ": meta.fingerprint repeats the fingerprint this page was requested with; refusing to loop");
  }
  // No fingerprint, or an empty page repeating the one just used: the phase is complete.
  if (position.phase == Phase::Transactions) return encode_cursor(Phase::Trc20, "");
  return std::nullopt;
}

}  // namespace

TronGridSource::TronGridSource(PoliteClient& client, TronGridOptions options)
    : client_(client), options_(std::move(options)) {
  std::string& endpoint = options_.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (!endpoint.starts_with("http://") && !endpoint.starts_with("https://")) {
    throw Error(ErrorKind::Usage, "trongrid endpoint must be an http(s) URL: '" + printable_excerpt(endpoint) + "'");
  }
  if (options_.page_size < 1 || options_.page_size > kTronGridMaxPageSize) {
    throw Error(ErrorKind::Usage, "trongrid page size must be 1.." + std::to_string(kTronGridMaxPageSize) + ", not " +
                                      std::to_string(options_.page_size));
  }
  if (options_.window.until < options_.window.since) {
    throw Error(ErrorKind::Usage, "the time window ends before it starts (until < since)");
  }
}

core::Chain TronGridSource::chain() const { return core::Chain::Tron; }

std::string TronGridSource::provider() const { return "trongrid"; }

std::uint64_t TronGridSource::network() const { return 0; }

HttpRequest TronGridSource::page_request(const std::string& address, const std::optional<std::string>& cursor) const {
  const Cursor position = decode_cursor(cursor);
  const std::string wallet = core::normalize_address(core::Chain::Tron, address);
  HttpRequest request;
  request.url = options_.endpoint + "/v1/accounts/" + wallet +
                (position.phase == Phase::Transactions ? "/transactions" : "/transactions/trc20") +
                "?only_confirmed=true&limit=" + std::to_string(options_.page_size) + "&order_by=block_timestamp,asc";
  if (const auto min = min_timestamp(options_.window.since)) request.url += "&min_timestamp=" + std::to_string(*min);
  if (const auto max = max_timestamp(options_.window.until)) request.url += "&max_timestamp=" + std::to_string(*max);
  if (position.phase == Phase::Transactions) request.url += "&search_internal=true";
  if (!position.fingerprint.empty()) request.url += "&fingerprint=" + percent_encode(position.fingerprint);
  if (options_.api_key) request.headers.emplace_back(std::string(kApiKeyHeader), *options_.api_key);
  return request;
}

AccountPage TronGridSource::fetch_page(const std::string& address, const std::optional<std::string>& cursor) {
  const Cursor position = decode_cursor(cursor);
  const HttpRequest request = page_request(address, cursor);
  const std::string locator = redact_url(request.url);
  AccountPage page;
  page.responses.push_back(FetchedResponse{locator, client_.fetch(request)});
  const HttpResponse& response = page.responses.back().response;
  TronGridPage parsed = position.phase == Phase::Transactions ? parse_trongrid_transactions_page(response, locator)
                                                              : parse_trongrid_trc20_page(response, locator);
  page.transactions = std::move(parsed.transactions);
  page.next_cursor = next_cursor(position, parsed, locator);
  return page;
}

}  // namespace fundtrail::ingest
