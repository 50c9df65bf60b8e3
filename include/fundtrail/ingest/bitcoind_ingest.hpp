#pragma once
// Bitcoin transactions from a Bitcoin Core node (BitcoindRpc) into the case store.
//
// Bitcoin Core has no address index: it can list a block's transactions (getblock) and, with -txindex, look
// up any transaction (getrawtransaction), but it cannot list an address's history. Hence two ways in:
//  * blocks: every transaction of the blocks FROM..TO (heights, inclusive);
//  * transactions: given txids, and with hops > 1 the transactions that created their inputs, breadth first
//    (hop 0 = the given transactions; hops = 2 adds their parents, 3 their grandparents ...). Core cannot
//    go forward (who spent an output) without an index, so only this backward direction exists.
//
// Evidence and resuming: every block is one SQLite transaction holding its transactions and the evidence
// record of the getblock response (kind http, provider "bitcoind", locator "<endpoint> getblock <hash>",
// status, size, SHA-256, the zstd body with keep_raw). A block whose evidence record is in the store was
// stored completely and is skipped by a later run (a block that replaced it in a reorganisation has another
// hash and is fetched). Every transaction fetched with getrawtransaction is likewise committed on its own
// with its response ("<endpoint> getrawtransaction <txid>"); a transaction already stored confirmed is not
// fetched again (its stored inputs give the next hop), so a rerun fetches only what is missing.
// Locators hold BitcoindRpc::endpoint(): the endpoint without credentials (refused in URLs) or query secrets.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/ingest/bitcoind_rpc.hpp"
#include "fundtrail/store/case_store.hpp"

namespace fundtrail::ingest {

struct BlockRange {
  std::int64_t from = 0;
  std::int64_t to = 0;  // inclusive
};

// "FROM..TO" (decimal heights, FROM <= TO) or a single height "H". Throws fundtrail::Error(Usage) otherwise.
BlockRange parse_block_range(std::string_view text);

struct BitcoindIngestOptions {
  bool keep_raw = false;    // keep response bodies (zstd) in sources.body
  std::size_t parallel = 1;  // blocks / transactions requested at once (= --concurrency)
  unsigned hops = 1;        // transactions: 1 = the given ones only; n = n - 1 levels of inputs' creators
};

struct BitcoindProgress {
  std::size_t done = 0;   // blocks or transactions handled
  std::size_t total = 0;  // known so far (a transaction crawl discovers more as it goes)
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
};

struct BitcoindSummary {
  std::size_t blocks = 0;               // blocks fetched and stored in this run
  std::size_t blocks_skipped = 0;       // stored by an earlier run
  std::size_t transactions_fetched = 0;  // getrawtransaction answers stored
  std::size_t transactions_known = 0;    // already stored confirmed: not fetched again
  std::uint64_t transactions = 0;       // transactions written new or changed
  std::int64_t transfers = 0;           // new transfers in the store
  std::uint64_t requests = 0;           // HTTP requests, retries included
  std::uint64_t retries = 0;
  double seconds = 0;
};

class BitcoindIngest {
 public:
  // Throws fundtrail::Error(Usage) for hops == 0.
  BitcoindIngest(store::CaseStore& store, BitcoindRpc& rpc, BitcoindIngestOptions options);

  // Stores every transaction of the blocks range.from..range.to of the node's active chain. Throws
  // fundtrail::Error for an RPC error (e.g. -8 "Block height out of range"), a block that cannot be used
  // (naming the endpoint, method and block) or an interruption; blocks committed before stay.
  BitcoindSummary ingest_blocks(BlockRange range, const std::function<void(const BitcoindProgress&)>& on_progress);

  // Stores `txids` (64 hex digits, any case) and, per options.hops, the transactions that created their
  // inputs. Throws fundtrail::Error(InvalidArgument) for a malformed txid, (NotFound) when the node does not
  // know a transaction (RpcError -5: "needs -txindex or the transaction is unknown"), and as ingest_blocks.
  BitcoindSummary ingest_transactions(const std::vector<std::string>& txids,
                                      const std::function<void(const BitcoindProgress&)>& on_progress);

 private:
  store::CaseStore& store_;
  BitcoindRpc& rpc_;
  BitcoindIngestOptions options_;
};

}  // namespace fundtrail::ingest
