#include "fundtrail/ingest/http_evidence.hpp"

#include <zstd.h>

#include <chrono>
#include <cstdint>
#include <utility>

#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"

namespace fundtrail::ingest {
namespace {

constexpr int kZstdLevel = 3;

}  // namespace

core::UnixSeconds utc_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string zstd_compress(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), kZstdLevel);
  if (ZSTD_isError(size)) throw Error(ErrorKind::IoError, std::string("zstd: ") + ZSTD_getErrorName(size));
  out.resize(size);
  return out;
}

store::SourceInfo http_evidence(std::string_view provider, std::string locator, const HttpResponse& response,
                                bool keep_raw) {
  store::SourceInfo source;
  source.kind = "http";
  source.provider = std::string(provider);
  source.locator = std::move(locator);
  source.fetched_at = utc_now();
  source.status = response.status;
  source.byte_size = static_cast<std::int64_t>(response.body.size());
  source.sha256 = core::to_hex(core::sha256(response.body));
  if (keep_raw) source.body_zstd = zstd_compress(response.body);
  return source;
}

store::SourceInfo http_evidence(std::string_view provider, const HttpRequest& request, const HttpResponse& response,
                                bool keep_raw) {
  return http_evidence(provider, redact_url(request.url), response, keep_raw);
}

}  // namespace fundtrail::ingest
