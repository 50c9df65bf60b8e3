#pragma once
// What the answers of one JSON-RPC page say about a wallet before receipts are read: the value movements
// found in ERC-20 logs, traces, blocks or Otterscan's index, the transactions involved and their blocks.
// Private to EvmJsonRpcSource (src/ingest), split out so the page walk and the record reading are apart.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fundtrail/core/account_transaction.hpp"
#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::ingest {

// A value movement found in a log, a trace or a block, before receipts say whether its transaction succeeded.
struct EvmMovement {
  std::string tx_hash;
  core::AccountTransfer transfer;
  std::vector<int> trace_address;  // empty: the transaction itself (or a token log)
};

class EvmPageParts {
 public:
  // `address`: the crawled wallet (normalised); `context`: endpoint and block range, for messages.
  EvmPageParts(std::string address, std::string context) : address_(std::move(address)), context_(std::move(context)) {}

  // An eth_getLogs answer (Transfer topic filter); ERC-721 Transfers (4 topics) and removed logs are skipped.
  void add_logs(const nlohmann::json& logs, std::size_t evidence);
  // A trace_filter answer: the wallet's native (top-level) and internal value transfers; every transaction
  // seen (even a failed or zero-value one) is remembered as the wallet's activity.
  void add_traces(const nlohmann::json& traces, std::size_t evidence);
  // A whole transaction (from a block with transactions, or Otterscan's index) in block `number`.
  void add_transaction(const nlohmann::json& tx, std::int64_t number, std::size_t evidence);
  // An eth_getBlockByNumber(n, true) answer.
  void add_block(const nlohmann::json& block, std::size_t evidence);

  std::vector<EvmMovement> pending;
  std::set<std::string> hashes;                          // transactions involved
  std::map<std::string, std::int64_t> block_of;          // tx hash -> block
  std::map<std::int64_t, core::UnixSeconds> block_time;  // known block timestamps
  std::set<std::string> traced;                          // transactions with internal transfers
  std::map<std::string, core::Amount> creation_value;    // block scan: contract creations with value

 private:
  std::string address_;
  std::string context_;
};

// The field `name` of `object`; fundtrail::Error(InvalidArgument) naming `what` when absent or not an object.
const nlohmann::json& evm_field(const nlohmann::json& object, const char* name, std::string_view what);
// A trace's traceAddress ([] for the top-level call).
std::vector<int> evm_trace_path(const nlohmann::json& trace, std::string_view what);

}  // namespace fundtrail::ingest
