#pragma once
// `fundtrail ingest --chain eth|tron ...`: crawls account-model wallets through a provider (jsonrpc,
// etherscan, trongrid) with ingest::AccountCrawler.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "command_context.hpp"
#include "fundtrail/ingest/crawl_options.hpp"
#include "fundtrail/ingest/http_transport.hpp"

namespace fundtrail::cli {

struct AccountIngestArgs {
  std::string chain;     // "eth" | "tron"
  std::string provider;  // "jsonrpc" | "etherscan" | "trongrid"
  std::string endpoint;  // empty: the provider's public default
  std::vector<std::string> seeds;
  ingest::CrawlOptions crawl;
  std::optional<double> rate;  // requests per second; nullopt: the provider's polite default
  unsigned concurrency = 2;
  std::string proxy;
  double timeout_s = 0;  // 0: default
  std::optional<std::uint64_t> evm_chain_id;
  std::optional<std::int64_t> from_block;
  std::optional<std::int64_t> to_block;
  std::string native_scan = "auto";  // jsonrpc: auto | trace | blocks
  std::int64_t max_block_range = 5000;
};

void run_account_ingest(const AccountIngestArgs& args, const GlobalOptions& options);

// --timeout: the whole exchange may take `seconds`, and a response stalled (under 1 byte/s) for that long (at
// most 20 s) is abandoned; either is retried like any transient failure. 0 keeps `curl`'s defaults.
void apply_timeout(ingest::CurlOptions& curl, double seconds);

}  // namespace fundtrail::cli
