#pragma once
// Esplora REST (Blockstream electrs, mempool.space; testnet/signet by endpoint) as a source of Bitcoin
// address histories. Builds requests and parses responses; PoliteClient performs them, so the crawler can
// keep several addresses' pages in flight at once.
//   GET /address/:a                      -> chain_stats/mempool_stats.tx_count (hub detection)
//   GET /address/:a/txs                  -> up to 50 mempool + the newest 25 confirmed transactions
//   GET /address/:a/txs/chain/:last_txid -> the next 25 confirmed (a page with fewer than 25 is the last)
//   GET /tx/:txid                        -> one transaction (refreshing unconfirmed ones)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/btc_transaction.hpp"
#include "fundtrail/ingest/http_transport.hpp"

namespace fundtrail::ingest {

inline constexpr std::string_view kDefaultEsploraEndpoint = "https://blockstream.info/api";
inline constexpr std::size_t kEsploraChainPageSize = 25;  // electrs CHAIN_TXS_PER_PAGE

struct EsploraPage {
  std::vector<core::BtcTransaction> transactions;  // newest first, as the server sent them
  std::optional<std::string> next_cursor;          // last confirmed txid when another page may follow
};

class EsploraSource {
 public:
  // `endpoint` without a trailing slash is fine either way ("https://mempool.space/api").
  explicit EsploraSource(std::string endpoint);

  HttpRequest address_summary_request(std::string_view address) const;
  // First page when `cursor` is empty, else the confirmed page after the txid in `cursor`.
  HttpRequest history_page_request(std::string_view address, const std::optional<std::string>& cursor) const;
  HttpRequest transaction_request(std::string_view txid) const;

  // Total transactions (confirmed + mempool) from GET /address/:a. Throws fundtrail::Error(InvalidArgument)
  // naming `context` for a body that is not the expected JSON.
  static std::int64_t parse_tx_count(std::string_view body, std::string_view context);
  // A history page. The next cursor is the last confirmed txid when the page holds the full 25 confirmed
  // transactions; a short page is the last. Throws (InvalidArgument) for malformed bodies or a non-200
  // status, naming `context`.
  static EsploraPage parse_history_page(const HttpResponse& response, std::string_view context);

 private:
  std::string endpoint_;
};

}  // namespace fundtrail::ingest
