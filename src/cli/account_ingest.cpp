#include "account_ingest.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/account_crawler.hpp"
#include "fundtrail/ingest/etherscan_source.hpp"
#include "fundtrail/ingest/evm_jsonrpc_source.hpp"
#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/ingest/polite_client.hpp"
#include "fundtrail/ingest/trongrid_source.hpp"
#include "interrupt_watcher.hpp"
#include "progress_bar.hpp"

namespace fundtrail::cli {
namespace {

// Public JSON-RPC endpoint without a key (no trace_filter there: blocks are read one by one).
constexpr std::string_view kDefaultEvmRpcEndpoint = "https://ethereum-rpc.publicnode.com";

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// Polite defaults: Etherscan's free tier allows 3 calls/s per key (5 with a paid plan); TronGrid suspends a
// client for 30 s above ~15/s with a key and far less without; public JSON-RPC nodes throttle around 10/s.
double default_rate(const std::string& provider, bool has_key) {
  if (provider == "etherscan") return 3.0;
  if (provider == "trongrid") return has_key ? 10.0 : 3.0;
  return 10.0;
}

}  // namespace

void apply_timeout(ingest::CurlOptions& curl, double seconds) {
  if (seconds <= 0) return;
  curl.total_timeout_ms = static_cast<long>(seconds * 1000);
  curl.low_speed_time_s = std::max(1L, std::min(20L, static_cast<long>(seconds)));
}

void run_account_ingest(const AccountIngestArgs& args, const GlobalOptions& options) {
  const core::Chain chain = core::chain_from_string(args.chain);
  std::vector<std::string> seeds;
  for (const std::string& seed : args.seeds) seeds.push_back(core::normalize_address(chain, seed));

  std::optional<std::string> api_key;
  if (args.provider == "etherscan") api_key = environment("ETHERSCAN_API_KEY");
  if (args.provider == "trongrid") api_key = environment("TRONGRID_API_KEY");
  if (args.provider == "etherscan" && !api_key) {
    spdlog::warn("ETHERSCAN_API_KEY is not set: Etherscan API V2 answers most requests only with a key");
  }

  ingest::PolitenessOptions politeness;
  politeness.rate_per_second = args.rate.value_or(default_rate(args.provider, api_key.has_value()));
  politeness.burst = std::max(1.0, politeness.rate_per_second / 5.0);
  politeness.concurrency = args.concurrency;
  politeness.retry_on_403 = args.provider == "trongrid";           // TronGrid's rate-limit suspension answers 403
  if (args.provider == "trongrid") politeness.max_backoff_s = 35;  // its suspensions last ~30 s
  if (args.provider == "etherscan") politeness.retry_if = ingest::etherscan_rate_limited;
  ingest::CurlOptions curl;
  curl.proxy = args.proxy;
  apply_timeout(curl, args.timeout_s);
  ingest::PoliteClient client(
      args.provider, [curl] { return ingest::make_curl_transport(curl); }, politeness);

  ingest::AccountWindow window;
  window.since = args.crawl.since;
  window.until = args.crawl.until;
  window.from_block = args.from_block;
  window.to_block = args.to_block;

  std::unique_ptr<ingest::AccountSource> source;
  if (args.provider == "jsonrpc") {
    ingest::EvmJsonRpcOptions rpc;
    rpc.endpoint = args.endpoint.empty() ? std::string(kDefaultEvmRpcEndpoint) : args.endpoint;
    rpc.chain_id = args.evm_chain_id;
    rpc.window = window;
    rpc.max_block_range = args.max_block_range;
    rpc.native_scan = args.native_scan == "trace"    ? ingest::EvmNativeScan::TraceFilter
                      : args.native_scan == "ots"    ? ingest::EvmNativeScan::Ots
                      : args.native_scan == "blocks" ? ingest::EvmNativeScan::Blocks
                                                     : ingest::EvmNativeScan::Auto;
    source = std::make_unique<ingest::EvmJsonRpcSource>(client, rpc);
  } else if (args.provider == "etherscan") {
    ingest::EtherscanOptions etherscan;
    if (!args.endpoint.empty()) etherscan.endpoint = args.endpoint;
    etherscan.chain_id = args.evm_chain_id.value_or(1);
    etherscan.api_key = api_key;
    etherscan.window = window;
    source = std::make_unique<ingest::EtherscanSource>(client, etherscan);
  } else {
    ingest::TronGridOptions trongrid;
    if (!args.endpoint.empty()) trongrid.endpoint = args.endpoint;
    trongrid.api_key = api_key;
    trongrid.window = window;
    source = std::make_unique<ingest::TronGridSource>(client, trongrid);
  }

  auto store = open_store(options, store::OpenMode::CreateIfMissing);
  ProgressBar progress("crawling", !options.quiet);
  InterruptWatcher watcher(client);
  ingest::AccountCrawler crawler(*store, client, *source, args.crawl, ingest::account_crawl_scope(*source, window));
  ingest::CrawlSummary summary;
  const char* interrupted = "interrupted: the pages fetched so far are committed; run the same command again to resume";
  try {
    summary = crawler.run(seeds, [&progress](const ingest::CrawlProgress& p) {
      progress.update(p.addresses_done, p.addresses_done + p.addresses_queued);
    });
  } catch (const Error&) {
    progress.finish();
    refresh_read_caches(*store);  // what was committed is traceable at once
    if (client.stop_requested()) throw Error(ErrorKind::IoError, interrupted);
    throw;
  }
  progress.finish();
  refresh_read_caches(*store);
  if (client.stop_requested()) throw Error(ErrorKind::IoError, interrupted);
  std::cout << "ingested " << args.chain << " via " << args.provider << ": " << summary.addresses << " addresses, "
            << summary.transactions << " transactions, " << summary.transfers << " new transfers, " << summary.requests
            << " requests, " << summary.retries << " retries, " << summary.hubs.size() << " hubs not expanded, "
            << summary.still_queued << " addresses still queued";
  if (chain == core::Chain::Eth) std::cout << ", chain id " << source->network();
  std::cout << " (" << std::fixed << std::setprecision(1) << summary.seconds << " s)\n";
  for (const std::string& hub : summary.hubs) std::cout << "hub (not expanded): " << hub << "\n";
}

}  // namespace fundtrail::cli
