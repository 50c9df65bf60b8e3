#pragma once
// TronGrid v1 (https://api.trongrid.io, ../shared/docs/API-FORMATS.md section 3) as a source of TRON wallet
// histories for the account crawler. A wallet's history is read in two phases, each paged by TronGrid's
// `fingerprint`, oldest first:
//   1. GET /v1/accounts/{a}/transactions?only_confirmed=true&limit=N&order_by=block_timestamp,asc
//          [&min_timestamp=MS][&max_timestamp=MS]&search_internal=true[&fingerprint=FP]
//      TRX payments, contract calls and the TRX contracts moved internally (trongrid_json.hpp).
//   2. GET /v1/accounts/{a}/transactions/trc20?<the same, without search_internal>
//      TRC-20 token transfers (USDT ...).
// The next page repeats every parameter and adds meta.fingerprint of the page before; a page without a
// fingerprint ends its phase. An empty page that still carries a fingerprint (TronGrid sends those) is followed
// only when the fingerprint is new, so a server repeating itself cannot loop the crawl; a non-empty page
// repeating the fingerprint it was asked with is an error for the same reason.
//
// Cursors (AccountPage::next_cursor, opaque to the crawler): "tx:<fingerprint>" or "trc20:<fingerprint>"
// (empty fingerprint = the phase's first page); std::nullopt as input = "tx:".
//
// One fetch_page() = one HTTP request through the PoliteClient (which rate-limits and retries 429, 5xx and,
// when constructed with retry_on_403 as the CLI does for TronGrid, the 403 of a suspended key). The API key is
// sent only as the TRON-PRO-API-KEY header, never in the URL, so locators and messages cannot leak it.
// fetch_page() keeps no state between calls, so several threads may call it at once (PoliteClient is
// thread-safe).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/ingest/account_source.hpp"
#include "fundtrail/ingest/polite_client.hpp"
#include "fundtrail/ingest/trongrid_json.hpp"

namespace fundtrail::ingest {

inline constexpr std::string_view kDefaultTronGridEndpoint = "https://api.trongrid.io";
inline constexpr unsigned kTronGridMaxPageSize = 200;  // TronGrid's cap on `limit`

struct TronGridOptions {
  std::string endpoint = std::string(kDefaultTronGridEndpoint);  // http(s) base URL, trailing '/' optional
  std::optional<std::string> api_key;  // sent as header TRON-PRO-API-KEY (the CLI reads env TRONGRID_API_KEY)
  AccountWindow window;                // since/until (UTC seconds, inclusive) -> min_timestamp/max_timestamp (ms)
  unsigned page_size = kTronGridMaxPageSize;  // `limit`, 1..200
};

class TronGridSource : public AccountSource {
 public:
  // `client` must outlive the source. Throws fundtrail::Error(Usage) for an endpoint that is not an http(s)
  // URL, a page size outside 1..200 or a window whose until is before its since.
  TronGridSource(PoliteClient& client, TronGridOptions options);

  core::Chain chain() const override;      // core::Chain::Tron
  std::string provider() const override;   // "trongrid"
  std::uint64_t network() const override;  // 0

  // One page of `address`'s history (Base58Check or hex; normalised here). Throws fundtrail::Error: the
  // PoliteClient's IoError once its retries are spent (or "interrupted"); InvalidArgument naming the redacted
  // URL for a response that is not a usable TronGrid page (non-200 status, HTML, truncated JSON,
  // success:false, malformed records, a txID that is not the SHA-256 of its raw_data_hex) or for a cursor this
  // source did not make.
  AccountPage fetch_page(const std::string& address, const std::optional<std::string>& cursor) override;

  // The request fetch_page() makes for `cursor` (exposed for tests and for logging what would be asked).
  HttpRequest page_request(const std::string& address, const std::optional<std::string>& cursor) const;

 private:
  PoliteClient& client_;
  TronGridOptions options_;
};

}  // namespace fundtrail::ingest
