#include "fundtrail/ingest/esplora_source.hpp"

#include <nlohmann/json.hpp>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/esplora_json.hpp"

namespace fundtrail::ingest {
namespace {

void require_ok(const HttpResponse& response, std::string_view context) {
  if (response.status != 200) {
    throw invalid_argument(std::string(context) + ": HTTP status " + std::to_string(response.status) + ": " +
                           printable_excerpt(response.body, 200));
  }
}

}  // namespace

EsploraSource::EsploraSource(std::string endpoint) : endpoint_(std::move(endpoint)) {
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
  if (endpoint_.rfind("http://", 0) != 0 && endpoint_.rfind("https://", 0) != 0) {
    throw Error(ErrorKind::Usage, "esplora endpoint must be an http(s) URL: '" + printable_excerpt(endpoint_) + "'");
  }
}

HttpRequest EsploraSource::address_summary_request(std::string_view address) const {
  HttpRequest request;
  request.url = endpoint_ + "/address/" + std::string(address);
  return request;
}

HttpRequest EsploraSource::history_page_request(std::string_view address,
                                                const std::optional<std::string>& cursor) const {
  HttpRequest request;
  request.url = endpoint_ + "/address/" + std::string(address) + "/txs";
  if (cursor) request.url += "/chain/" + *cursor;
  return request;
}

HttpRequest EsploraSource::transaction_request(std::string_view txid) const {
  HttpRequest request;
  request.url = endpoint_ + "/tx/" + std::string(txid);
  return request;
}

std::int64_t EsploraSource::parse_tx_count(std::string_view body, std::string_view context) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto count_of = [&](const char* section) -> std::int64_t {
    if (!json.is_object() || !json.contains(section) || !json[section].is_object()) {
      throw invalid_argument(std::string(context) + ": not an Esplora address summary (missing " + section +
                             "): " + printable_excerpt(body, 120));
    }
    const auto& value = json[section].value("tx_count", nlohmann::json());
    if (!value.is_number_unsigned()) {
      throw invalid_argument(std::string(context) + ": " + section + ".tx_count is not a non-negative integer");
    }
    return value.get<std::int64_t>();
  };
  return count_of("chain_stats") + count_of("mempool_stats");
}

EsploraPage EsploraSource::parse_history_page(const HttpResponse& response, std::string_view context) {
  require_ok(response, context);
  EsploraPage page;
  page.transactions = parse_esplora_tx_list(response.body, context);
  std::size_t confirmed = 0;
  const core::BtcTransaction* last_confirmed = nullptr;
  for (const auto& tx : page.transactions) {
    if (tx.confirmed) {
      ++confirmed;
      last_confirmed = &tx;
    }
  }
  if (confirmed >= kEsploraChainPageSize && last_confirmed != nullptr) page.next_cursor = last_confirmed->txid;
  return page;
}

}  // namespace fundtrail::ingest
