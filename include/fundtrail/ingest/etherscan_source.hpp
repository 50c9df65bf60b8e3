#pragma once
// Etherscan API V2 (one endpoint and key for Ethereum and ~50 other EVM networks, told apart by chainid=) as
// an AccountSource. docs/providers.md and /work/shared/docs/API-FORMATS.md section 2 describe the API.
//
// A wallet's history is read in three phases, one action each: txlist (the wallet's own transactions:
// native value, fee, failure), txlistinternal (native coin moved by contract calls) and tokentx (ERC-20
// Transfer events). Each phase walks block ranges rather than deep pages, because Etherscan refuses
// page x offset > 10,000:
//   startblock=S&endblock=E&page=P&offset=N&sort=asc
// A page with N records means "maybe more": the next request restarts at startblock = the page's last block
// (that block's records come again; the store keeps one copy of each, and grouping a page's records by hash
// keeps identical transfers of one transaction apart). Only when a whole page lies in block S itself does the
// walk go to page P + 1 of S, up to P x N = 10,000 (beyond: an error, the API cannot list more).
// Known limit: identical transfers (same kind, asset, from, to, amount) of one transaction split across two
// pages of such a block count once.
//
// fetch_page() performs exactly one HTTP request through the PoliteClient, so the crawler commits every page.
// The opaque cursor is "<action>:<startblock>:<page>", e.g. "tokentx:6271590:1".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fundtrail/ingest/account_source.hpp"
#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/ingest/polite_client.hpp"

namespace fundtrail::ingest {

inline constexpr std::string_view kDefaultEtherscanEndpoint = "https://api.etherscan.io/v2/api";
// Etherscan refuses a result window (page x offset) above this.
inline constexpr unsigned kEtherscanMaxResultWindow = 10000;

struct EtherscanOptions {
  std::string endpoint = std::string(kDefaultEtherscanEndpoint);
  std::uint64_t chain_id = 1;          // chainid= (1 Ethereum, 56 BSC, 137 Polygon, 42161 Arbitrum ...)
  std::optional<std::string> api_key;  // apikey= (the CLI reads ETHERSCAN_API_KEY); never in locators or messages
  // from_block/to_block -> startblock/endblock; since/until (UTC seconds) drop records outside.
  AccountWindow window;
  unsigned page_size = 1000;  // offset=, records per request (1 ... 10,000)
};

// True for Etherscan's HTTP 200 way of saying "slow down": status "0" with a result such as "Max rate limit
// reached" or "Max calls per sec rate limit reached (5/sec)". Not for "Max daily rate limit reached" (waiting
// seconds does not help). For PolitenessOptions::retry_if.
bool etherscan_rate_limited(const HttpResponse& response);

class EtherscanSource : public AccountSource {
 public:
  // `client` performs every request and must outlive the source. Throws fundtrail::Error(Usage) for a
  // non-http(s) endpoint, page_size outside 1 ... 10,000, chain_id 0, a negative from_block or
  // to_block < from_block.
  EtherscanSource(PoliteClient& client, EtherscanOptions options);

  core::Chain chain() const override;      // core::Chain::Eth (every EVM network; network() tells them apart)
  std::string provider() const override;   // "etherscan"
  std::uint64_t network() const override;  // options.chain_id

  // One request: the page of the phase and block range in `cursor` (nullopt = txlist from from_block).
  // Transactions carry hash, block, timestamp and the phase's transfers (txlist also sender, callee, fee,
  // type, failure); every evidence index is 0 (the single response). next_cursor is nullopt after the last
  // tokentx page. Throws fundtrail::Error naming the redacted URL: IoError for an HTTP status other than 200
  // or an error answer (invalid key, unsupported chainid, rate limit still reached after the client's
  // retries ...), InvalidArgument for a malformed body or record (HTML page, truncated JSON, value "1e18",
  // bad address ...), an address that is not an eth address or a cursor this source did not make.
  AccountPage fetch_page(const std::string& address, const std::optional<std::string>& cursor) override;

 private:
  PoliteClient& client_;
  EtherscanOptions options_;
};

}  // namespace fundtrail::ingest
