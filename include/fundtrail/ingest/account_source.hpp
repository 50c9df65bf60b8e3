#pragma once
// Account-model chains (Ethereum and other EVM chains, TRON): what every provider adapter (JSON-RPC node,
// Etherscan, TronGrid) hands the crawler. An adapter turns one page of a wallet's history into normalised
// transactions and the value movements inside them, and keeps the HTTP responses it read them from so the
// crawler can record each as evidence. The crawler (AccountCrawler) owns paging state, storage and hops.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fundtrail/core/account_transaction.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/ingest/http_transport.hpp"

namespace fundtrail::ingest {

using core::AccountAsset;
using core::AccountTransaction;
using core::AccountTransfer;
using core::TransferKind;

// One HTTP exchange an adapter made, for the evidence record.
struct FetchedResponse {
  std::string locator;  // what was asked, secrets removed (redact_url of the URL; for JSON-RPC + the methods)
  HttpResponse response;
};

struct AccountPage {
  std::vector<FetchedResponse> responses;
  std::vector<AccountTransaction> transactions;  // any order; a transaction may appear in several pages
  std::optional<std::string> next_cursor;        // nullopt: the wallet's history (in the window) is complete
};

// The time / block window a crawl asks for; adapters narrow their queries with it where the API allows.
struct AccountWindow {
  core::UnixSeconds since = core::kMinTime;
  core::UnixSeconds until = core::kMaxTime;
  std::optional<std::int64_t> from_block;  // EVM only (--from-block / --to-block)
  std::optional<std::int64_t> to_block;
};

class AccountSource {
 public:
  virtual ~AccountSource() = default;
  virtual core::Chain chain() const = 0;
  // "jsonrpc", "etherscan", "trongrid": the evidence records' provider.
  virtual std::string provider() const = 0;
  // EVM chain id (1 Ethereum, 56 BSC, 137 Polygon, 31337 anvil ...); 0 for TRON.
  virtual std::uint64_t network() const = 0;
  // One page of `address`'s history (a normalised address of chain()) starting at `cursor` (an opaque string
  // this adapter produced earlier; nullopt = the first page). Throws fundtrail::Error naming the redacted URL
  // for a response that cannot be used (after PoliteClient's retries), or "interrupted".
  virtual AccountPage fetch_page(const std::string& address, const std::optional<std::string>& cursor) = 0;
};

}  // namespace fundtrail::ingest
