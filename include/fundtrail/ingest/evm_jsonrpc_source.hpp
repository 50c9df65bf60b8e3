#pragma once
// A wallet's history from an Ethereum (or other EVM) JSON-RPC node, walked over block ranges:
//  * tokens: ERC-20 Transfer(address,address,uint256) logs (eth_getLogs, by topic, the wallet as sender and as
//    receiver; ERC-721 Transfers, which index the token id as a 4th topic, are not fungible and skipped);
//  * the native coin and internal (contract) transfers: trace_filter (Erigon, Nethermind, reth, anvil) when the
//    node offers it, found out at run time; otherwise the wallet's transactions from Otterscan's address index
//    (ots_searchTransactionsAfter) when offered, else each block of the range with its transactions
//    (eth_getBlockByNumber): top-level transfers only in both, since internal ones need traces (Otterscan's
//    ots_getInternalOperations also lists operations inside reverted calls, which moved nothing);
//  * receipts (eth_getTransactionReceipt) say whether a transaction failed (status 0: kept as failed, moves no
//    value) and its fee; trace_transaction tells whether an internal transfer sits inside a reverted call;
//    block headers give timestamps; eth_call symbol()/name()/decimals() describe tokens seen for the first time.
// A range the node refuses as too large (too many results, range limit, timeout) is halved and retried; a
// range that worked lets the next grow again, up to max_block_range. One fetch_page() covers one range, so the
// crawler commits range by range and resumes at the next.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "fundtrail/ingest/account_source.hpp"
#include "fundtrail/ingest/evm_rpc.hpp"
#include "fundtrail/ingest/polite_client.hpp"

namespace fundtrail::ingest {

inline constexpr std::string_view kErc20TransferTopic =
    "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";  // keccak256("Transfer(address,address,uint256)")

enum class EvmNativeScan { Auto, TraceFilter, Ots, Blocks };

// Blocks a crawl may read one by one (no trace_filter, no ots_) before it asks for --from-block/--to-block.
inline constexpr std::int64_t kMaxScannedWindow = 1'000'000;

// Transactions per ots_searchTransactionsAfter page (Otterscan's own UI asks for 25).
inline constexpr int kOtsPageSize = 25;

struct EvmJsonRpcOptions {
  std::string endpoint;
  std::optional<std::uint64_t> chain_id;  // --evm-chain-id: must equal the node's eth_chainId when given
  AccountWindow window;                   // from_block/to_block (default 0 .. the head at the first page)
  std::int64_t max_block_range = 5000;    // blocks per page at most (logs and traces)
  std::int64_t max_scanned_blocks = 100;  // blocks per page at most when reading whole blocks
  EvmNativeScan native_scan = EvmNativeScan::Auto;
  std::size_t max_batch = 200;  // JSON-RPC calls per HTTP request
};

class EvmJsonRpcSource : public AccountSource {
 public:
  // Asks the node for its chain id (and, with Auto, whether trace_filter works). Throws fundtrail::Error(Usage)
  // when --evm-chain-id disagrees with the node, fundtrail::Error naming the endpoint when it cannot be asked.
  EvmJsonRpcSource(PoliteClient& client, EvmJsonRpcOptions options);

  core::Chain chain() const override { return core::Chain::Eth; }
  std::string provider() const override { return "jsonrpc"; }
  std::uint64_t network() const override { return chain_id_; }
  AccountPage fetch_page(const std::string& address, const std::optional<std::string>& cursor) override;

  // What the run-time probe chose (TraceFilter or Blocks).
  EvmNativeScan native_scan() const { return options_.native_scan; }

 private:
  struct TokenInfo {
    std::optional<std::string> symbol;
    std::optional<std::string> name;
    std::optional<unsigned> decimals;
  };

  EvmRpc rpc_;
  EvmJsonRpcOptions options_;
  std::uint64_t chain_id_ = 0;
  std::map<std::string, TokenInfo> tokens_;  // contract -> metadata read in this run
};

// Whether a JSON-RPC error answer means "ask for a smaller block range" (Infura -32005, Alchemy "Log response
// size exceeded", geth "query returned more than 10000 results", Erigon/QuickNode "block range" limits, ...).
bool evm_range_too_large(std::int64_t code, std::string_view message);

}  // namespace fundtrail::ingest
