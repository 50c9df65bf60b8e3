// `fundtrail ingest ADDRESS... --chain btc [--provider esplora] ...`
// `fundtrail ingest --chain btc --provider bitcoind [--endpoint URL] (--blocks FROM..TO | --tx TXID...) ...`
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "command_context.hpp"
#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/ingest/bitcoind_ingest.hpp"
#include "fundtrail/ingest/bitcoind_rpc.hpp"
#include "fundtrail/ingest/btc_crawler.hpp"
#include "fundtrail/ingest/http_transport.hpp"
#include "fundtrail/ingest/polite_client.hpp"
#include "account_ingest.hpp"
#include "interrupt_watcher.hpp"
#include "progress_bar.hpp"

namespace fundtrail::cli {
namespace {

struct BitcoindArgs {
  std::string endpoint;
  std::string blocks;
  std::vector<std::string> txids;
  std::string rpc_cookie;
  unsigned hops = 1;
  double rate = 0;
  unsigned concurrency = 2;
  std::string proxy;
  bool keep_raw = false;
  double timeout = 0;
};

// Bitcoin Core: no address index, so blocks by height or transactions by txid (and their inputs' creators).
void run_bitcoind(const BitcoindArgs& args, bool rate_given, const GlobalOptions& options) {
  ingest::PolitenessOptions politeness;
  // A node of one's own: 50/s keeps it responsive for its other users (rpcworkqueue); --rate to change.
  politeness.rate_per_second = rate_given ? args.rate : 50.0;
  politeness.burst = std::max(1.0, politeness.rate_per_second / 5.0);
  politeness.concurrency = args.concurrency;
  ingest::CurlOptions curl;
  curl.proxy = args.proxy;
  curl.total_timeout_ms = 300'000;                   // getblock verbosity 3 of a full block takes seconds
  curl.max_response_bytes = std::size_t{512} << 20;  // and is tens of MB of JSON
  apply_timeout(curl, args.timeout);
  const std::optional<std::string> cookie =
      args.rpc_cookie.empty() ? std::nullopt : std::optional<std::string>(args.rpc_cookie);
  ingest::BitcoindRpc rpc(args.endpoint.empty() ? std::string(ingest::kDefaultBitcoindEndpoint) : args.endpoint,
                          ingest::resolve_rpc_credentials(cookie),
                          [curl] { return ingest::make_curl_transport(curl); }, politeness);

  ingest::BitcoindIngestOptions ingest_options;
  ingest_options.keep_raw = args.keep_raw;
  ingest_options.parallel = args.concurrency;
  ingest_options.hops = args.hops;
  std::optional<ingest::BlockRange> range;
  if (!args.blocks.empty()) range = ingest::parse_block_range(args.blocks);

  auto store = open_store(options, store::OpenMode::CreateIfMissing);
  InterruptWatcher watcher(rpc.client());
  ingest::BitcoindIngest runner(*store, rpc, ingest_options);
  ingest::BitcoindSummary blocks;
  ingest::BitcoindSummary txs;
  try {
    if (range) {
      ProgressBar progress("blocks", !options.quiet);
      blocks = runner.ingest_blocks(*range, [&progress](const ingest::BitcoindProgress& p) {
        progress.update(p.done, p.total);
      });
      progress.finish();
    }
    if (!args.txids.empty()) {
      ProgressBar progress("transactions", !options.quiet);
      txs = runner.ingest_transactions(args.txids, [&progress](const ingest::BitcoindProgress& p) {
        progress.update(p.done, p.total);
      });
      progress.finish();
    }
  } catch (const Error&) {
    if (!rpc.client().stop_requested()) throw;
  }
  if (rpc.client().stop_requested()) {  // also when Ctrl-C came after the last request: never report success
    refresh_read_caches(*store);
    throw Error(ErrorKind::IoError, "interrupted: the blocks and transactions fetched so far are committed; run "
                                    "the same command again to resume");
  }
  refresh_read_caches(*store);
  const ingest::ClientStats stats = rpc.client().stats();
  std::cout << "ingested btc via bitcoind: ";
  if (range) {
    std::cout << blocks.blocks << " blocks (" << blocks.blocks_skipped << " already stored), ";
  }
  if (!args.txids.empty()) {
    std::cout << txs.transactions_fetched << " transactions fetched (" << txs.transactions_known
              << " already stored), ";
  }
  std::cout << blocks.transactions + txs.transactions << " transactions, " << blocks.transfers + txs.transfers
            << " new transfers, " << stats.requests << " requests, " << stats.retries << " retries (" << std::fixed
            << std::setprecision(1) << blocks.seconds + txs.seconds << " s)\n";
}

}  // namespace

void register_ingest(CLI::App& app, GlobalOptions& options) {
  struct Args {
    std::vector<std::string> addresses;
    std::string chain = "btc";
    std::string provider;  // default per chain: esplora (btc), etherscan (eth), trongrid (tron)
    std::uint64_t evm_chain_id = 1;
    std::int64_t from_block = 0;
    std::int64_t to_block = 0;
    std::string native_scan = "auto";
    std::int64_t max_block_range = 5000;
    std::string endpoint;
    unsigned hops = 1;
    std::string direction = "both";
    std::string since;
    std::string until;
    std::size_t max_addresses = 1000;
    std::int64_t max_txs_per_address = 10000;
    double rate = 0;
    bool rate_given = false;
    unsigned concurrency = 2;
    std::string proxy;
    double timeout = 0;  // seconds per request; 0 = the provider's default
    bool keep_raw = false;
    std::string blocks;
    std::vector<std::string> txids;
    std::string rpc_cookie;
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand(
      "ingest", "Crawl wallets' transactions from a public API (or blocks and transactions from a Bitcoin Core node) "
                "into the case store");
  command->footer(
      "Breadth-first over counterparties up to --hops (1 = the seeds' own history). Resumable: rerun the same\n"
      "command after an interruption and it continues from the committed pages. Every response is recorded as\n"
      "evidence (URL with secrets redacted, time, status, size, SHA-256; the body too with --keep-raw).\n"
      "Use --proxy socks5h://127.0.0.1:9050 (Tor) so the API operator does not learn which wallets you examine.\n"
      "--provider bitcoind (a Bitcoin Core node, default http://127.0.0.1:8332) has no address index: it stores\n"
      "--blocks FROM..TO, or --tx TXID [--hops N --direction in] (the transaction and the ones that funded it;\n"
      "needs -txindex). Credentials: BITCOIND_RPC_USER/BITCOIND_RPC_PASSWORD, or --rpc-cookie PATH (default\n"
      "~/.bitcoin/.cookie when present).\n"
      "--chain eth: --provider etherscan (API V2, key from ETHERSCAN_API_KEY, --evm-chain-id for other EVM chains)\n"
      "or --provider jsonrpc --endpoint URL (any node; trace_filter when offered, else block by block; --from-block\n"
      "/--to-block). --chain tron: TronGrid (key from TRONGRID_API_KEY). See docs/providers.md.");
  command->add_option("addresses", args->addresses, "Seed wallets");
  command->add_option("--chain", args->chain, "btc, eth (Ethereum and other EVM chains: see --evm-chain-id) or tron")
      ->check(CLI::IsMember({"btc", "eth", "tron"}))
      ->capture_default_str();
  command->add_option("--provider", args->provider,
                      "btc: esplora (default) or bitcoind; eth: etherscan (default) or jsonrpc; tron: trongrid")
      ->check(CLI::IsMember({"esplora", "bitcoind", "jsonrpc", "etherscan", "trongrid"}));
  command->add_option("--evm-chain-id", args->evm_chain_id,
                      "eth: the EVM network (1 Ethereum, 56 BSC, 137 Polygon, 42161 Arbitrum, 10 Optimism, 8453 Base "
                      "...); jsonrpc checks it against the node")
      ->check(CLI::PositiveNumber);
  command->add_option("--from-block", args->from_block, "eth: first block of the crawl window")->check(CLI::NonNegativeNumber);
  command->add_option("--to-block", args->to_block, "eth: last block of the crawl window (jsonrpc default: the head)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--native-scan", args->native_scan,
                      "jsonrpc: how native and internal transfers are found: trace (trace_filter), ots (Otterscan's "
                      "address index; no internal transfers), blocks (read every block; no internal transfers) or "
                      "auto (the first of these the node offers)")
      ->check(CLI::IsMember({"auto", "trace", "ots", "blocks"}))
      ->capture_default_str();
  command->add_option("--max-block-range", args->max_block_range,
                      "jsonrpc: blocks per request at most (halved automatically when the node refuses a range)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}))
      ->capture_default_str();
  command->add_option("--endpoint", args->endpoint,
                      "API base URL. esplora: default https://blockstream.info/api (mempool.space, testnet/signet by URL); "
                      "bitcoind: the node's RPC URL (default http://127.0.0.1:8332); etherscan: default "
                      "https://api.etherscan.io/v2/api; jsonrpc: the node (default https://ethereum-rpc.publicnode.com); "
                      "trongrid: default https://api.trongrid.io");
  command->add_option("--hops", args->hops, "Hops to crawl (1 = seeds only)")->check(CLI::Range(1u, 16u))->capture_default_str();
  command->add_option("--direction", args->direction, "Expand through outputs (out), inputs (in) or both")
      ->check(CLI::IsMember({"out", "in", "both"}))
      ->capture_default_str();
  command->add_option("--since", args->since, "Ignore transactions before T (ISO-8601 UTC or unix seconds)");
  command->add_option("--until", args->until, "Ignore transactions after T");
  command->add_option("--max-addresses", args->max_addresses, "Histories fetched in this run at most")
      ->capture_default_str();
  command->add_option("--max-txs-per-address", args->max_txs_per_address,
                      "Wallets with more transactions are stored as hubs, not expanded")
      ->capture_default_str();
  command->add_option("--rate", args->rate, "Requests per second (default: esplora 5, bitcoind 50, etherscan 3, jsonrpc 10, trongrid 3 or 10 with "
                      "a key)")
      ->check(CLI::PositiveNumber);
  command->add_option("--concurrency", args->concurrency, "Requests in flight")->check(CLI::Range(1u, 64u))->capture_default_str();
  command->add_option("--proxy", args->proxy, "Proxy URL, e.g. socks5h://127.0.0.1:9050");
  command->add_option("--timeout", args->timeout,
                      "Seconds one request may take, and may stall, before it is abandoned and retried (default 60; "
                      "bitcoind 300)")
      ->check(CLI::Range(1.0, 3600.0));
  command->add_flag("--keep-raw", args->keep_raw, "Keep response bodies (zstd-compressed) for re-parsing");
  command->add_option("--blocks", args->blocks, "bitcoind: store every transaction of the blocks FROM..TO (heights)");
  command->add_option("--tx", args->txids, "bitcoind: store this transaction (repeatable); with --hops N --direction "
                                           "in also the transactions that created its inputs");
  command->add_option("--rpc-cookie", args->rpc_cookie,
                      "bitcoind: cookie file with user:password (default ~/.bitcoin/.cookie when it exists)");

  command->callback([args, &options, command] {
    const auto given = [command](const char* name) { return command->count(name) > 0; };
    if (args->provider.empty()) {
      args->provider = args->chain == "eth" ? "etherscan" : args->chain == "tron" ? "trongrid" : "esplora";
    }
    const bool provider_fits = args->chain == "btc"    ? (args->provider == "esplora" || args->provider == "bitcoind")
                               : args->chain == "eth" ? (args->provider == "jsonrpc" || args->provider == "etherscan")
                                                      : args->provider == "trongrid";
    if (!provider_fits) {
      throw Error(ErrorKind::Usage, "--provider " + args->provider + " does not serve --chain " + args->chain);
    }
    if (args->chain != "eth") {
      for (const char* name : {"--evm-chain-id", "--from-block", "--to-block"}) {
        if (given(name)) throw Error(ErrorKind::Usage, std::string(name) + " applies to --chain eth only");
      }
    }
    if (args->provider != "jsonrpc") {
      for (const char* name : {"--native-scan", "--max-block-range"}) {
        if (given(name)) throw Error(ErrorKind::Usage, std::string(name) + " applies to --provider jsonrpc only");
      }
    }
    if (given("--from-block") && given("--to-block") && args->from_block > args->to_block) {
      throw Error(ErrorKind::Usage, "--from-block is after --to-block");
    }
    if (args->provider == "bitcoind") {
      if (!args->addresses.empty()) {
        throw Error(ErrorKind::Usage, "--provider bitcoind cannot look up addresses (Bitcoin Core has no address "
                                      "index): use --blocks FROM..TO or --tx TXID");
      }
      if (args->blocks.empty() && args->txids.empty()) {
        throw Error(ErrorKind::Usage, "--provider bitcoind needs --blocks FROM..TO or --tx TXID");
      }
      for (const char* name : {"--since", "--until", "--max-addresses", "--max-txs-per-address"}) {
        if (given(name)) throw Error(ErrorKind::Usage, std::string(name) + " applies to address crawls (esplora) only");
      }
      if (given("--hops") && args->txids.empty()) throw Error(ErrorKind::Usage, "--hops applies to --tx only");
      if (args->hops > 1 && args->direction != "in") {
        throw Error(ErrorKind::Usage, "--provider bitcoind can only follow inputs backwards (Bitcoin Core has no "
                                      "index of spending transactions): use --direction in with --hops");
      }
      for (const std::string& txid : args->txids) {
        if (txid.size() != 64 || txid.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
          throw Error(ErrorKind::Usage, "--tx '" + printable_excerpt(txid, 80) + "': expected a txid (64 hex digits)");
        }
      }
      if (!args->blocks.empty()) ingest::parse_block_range(args->blocks);  // usage errors before connecting
      BitcoindArgs bitcoind{args->endpoint, args->blocks, args->txids,      args->rpc_cookie, args->hops,
                            args->rate,     args->concurrency, args->proxy, args->keep_raw, args->timeout};
      run_bitcoind(bitcoind, given("--rate"), options);
      return;
    }
    for (const char* name : {"--blocks", "--tx", "--rpc-cookie"}) {
      if (given(name)) throw Error(ErrorKind::Usage, std::string(name) + " needs --provider bitcoind");
    }
    if (args->addresses.empty()) throw Error(ErrorKind::Usage, "addresses is required (the seed wallets to crawl)");
    if (args->chain != "btc") {
      AccountIngestArgs account;
      account.chain = args->chain;
      account.provider = args->provider;
      account.endpoint = args->endpoint;
      account.seeds = args->addresses;
      account.crawl.hops = args->hops;
      account.crawl.direction = args->direction == "out"  ? ingest::CrawlDirection::Out
                                : args->direction == "in" ? ingest::CrawlDirection::In
                                                          : ingest::CrawlDirection::Both;
      if (!args->since.empty()) account.crawl.since = core::parse_timestamp(args->since);
      if (!args->until.empty()) account.crawl.until = core::parse_timestamp(args->until);
      account.crawl.max_addresses = args->max_addresses;
      account.crawl.max_txs_per_address = args->max_txs_per_address;
      account.crawl.keep_raw = args->keep_raw;
      if (given("--rate")) account.rate = args->rate;
      account.concurrency = args->concurrency;
      account.proxy = args->proxy;
      account.timeout_s = args->timeout;
      if (given("--evm-chain-id")) account.evm_chain_id = args->evm_chain_id;
      if (given("--from-block")) account.from_block = args->from_block;
      if (given("--to-block")) account.to_block = args->to_block;
      account.native_scan = args->native_scan;
      account.max_block_range = args->max_block_range;
      run_account_ingest(account, options);
      return;
    }
    std::vector<std::string> seeds;
    for (const std::string& address : args->addresses) seeds.push_back(core::normalize_address(core::Chain::Btc, address));
    ingest::CrawlOptions crawl;
    crawl.hops = args->hops;
    crawl.direction = args->direction == "out"  ? ingest::CrawlDirection::Out
                      : args->direction == "in" ? ingest::CrawlDirection::In
                                                : ingest::CrawlDirection::Both;
    if (!args->since.empty()) crawl.since = core::parse_timestamp(args->since);
    if (!args->until.empty()) crawl.until = core::parse_timestamp(args->until);
    crawl.max_addresses = args->max_addresses;
    crawl.max_txs_per_address = args->max_txs_per_address;
    crawl.keep_raw = args->keep_raw;
    crawl.parallel_addresses = args->concurrency;

    ingest::PolitenessOptions politeness;
    // blockstream.info and mempool.space publish no limit but answer 429 when pushed: 5/s is polite.
    politeness.rate_per_second = command->count("--rate") > 0 ? args->rate : 5.0;
    politeness.burst = std::max(1.0, politeness.rate_per_second / 5.0);
    politeness.concurrency = args->concurrency;
    ingest::CurlOptions curl;
    curl.proxy = args->proxy;
    apply_timeout(curl, args->timeout);
    ingest::PoliteClient client("esplora", [curl] { return ingest::make_curl_transport(curl); }, politeness);
    ingest::EsploraSource source(args->endpoint.empty() ? std::string(ingest::kDefaultEsploraEndpoint) : args->endpoint);

    auto store = open_store(options, store::OpenMode::CreateIfMissing);
    ProgressBar progress("crawling", !options.quiet);
    InterruptWatcher watcher(client);
    ingest::BtcCrawler crawler(*store, client, std::move(source), crawl);
    ingest::CrawlSummary summary;
    try {
      summary = crawler.run(seeds, [&progress](const ingest::CrawlProgress& p) {
        progress.update(p.addresses_done, p.addresses_done + p.addresses_queued);
      });
    } catch (const Error&) {
      progress.finish();
      if (client.stop_requested()) {
        refresh_read_caches(*store);
        throw Error(ErrorKind::IoError, "interrupted: the pages fetched so far are committed; run the same command "
                                        "again to resume");
      }
      throw;
    }
    progress.finish();
    refresh_read_caches(*store);
    // Ctrl-C between two batches ends the loop without an exception: still never report success.
    if (client.stop_requested()) {
      throw Error(ErrorKind::IoError, "interrupted: the pages fetched so far are committed; run the same command "
                                      "again to resume");
    }
    std::cout << "ingested btc via esplora: " << summary.addresses << " addresses, " << summary.transactions
              << " transactions, " << summary.transfers << " new transfers, " << summary.requests << " requests, "
              << summary.retries << " retries, " << summary.hubs.size() << " hubs not expanded, "
              << summary.still_queued << " addresses still queued (" << std::fixed << std::setprecision(1)
              << summary.seconds << " s)\n";
    for (const std::string& hub : summary.hubs) std::cout << "hub (not expanded): " << hub << "\n";
  });
}

}  // namespace fundtrail::cli
