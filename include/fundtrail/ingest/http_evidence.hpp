#pragma once
// Evidence records of HTTP responses, shared by every API ingester (Esplora, Bitcoin Core RPC, ...): what was
// asked (secrets removed), when, the status, the size and SHA-256 of the decoded body and, with --keep-raw,
// the body itself zstd-compressed, so every stored number can be traced to the exact bytes it was read from.
#include <string>
#include <string_view>

#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/store/transfer_writer.hpp"

namespace fundtrail::ingest {

// The evidence record of `response`: kind "http", `provider`, `locator` exactly as given (the caller's
// description of what was asked: it must not contain credentials), fetched_at = now (UTC), the status, the
// body's byte size and hex SHA-256 (core::sha256 + core::to_hex), and with `keep_raw` the body compressed with
// zstd (level 3). Throws fundtrail::Error(IoError) if compression fails.
store::SourceInfo http_evidence(std::string_view provider, std::string locator, const HttpResponse& response,
                                bool keep_raw);

// The same with locator redact_url(request.url): for REST providers, where the URL says what was asked.
store::SourceInfo http_evidence(std::string_view provider, const HttpRequest& request, const HttpResponse& response,
                                bool keep_raw);

// zstd (level 3) of `data`. Throws fundtrail::Error(IoError) on failure.
std::string zstd_compress(std::string_view data);

// The current time, UTC seconds since the Unix epoch.
core::UnixSeconds utc_now();

}  // namespace fundtrail::ingest
