#include "evm_page_parts.hpp"

#include <algorithm>
#include <cctype>

#include "fundtrail/core/error.hpp"
#include "fundtrail/ingest/evm_jsonrpc_source.hpp"
#include "fundtrail/ingest/evm_rpc.hpp"

namespace fundtrail::ingest {
namespace {

using core::TransferKind;
using nlohmann::json;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

const json& evm_field(const json& object, const char* name, std::string_view what) {
  if (!object.is_object()) throw invalid_argument(std::string(what) + ": expected an object");
  const auto it = object.find(name);
  if (it == object.end()) throw invalid_argument(std::string(what) + ": missing '" + name + "'");
  return *it;
}

std::vector<int> evm_trace_path(const json& trace, std::string_view what) {
  std::vector<int> path;
  const auto it = trace.find("traceAddress");
  if (it == trace.end() || !it->is_array()) throw invalid_argument(std::string(what) + ": trace without traceAddress");
  for (const json& step : *it) {
    if (!step.is_number_unsigned())
      throw invalid_argument(std::string(what) + ": traceAddress is not a list of indexes");
    path.push_back(step.get<int>());
  }
  return path;
}

void EvmPageParts::add_logs(const json& logs, std::size_t evidence) {
  if (!logs.is_array()) throw invalid_argument(context_ + ": eth_getLogs did not answer a list");
  for (const json& log : logs) {
    if (log.value("removed", false)) continue;  // reorganised away
    const json& topics = evm_field(log, "topics", context_);
    if (!topics.is_array() || topics.size() != 3) continue;  // ERC-721 (4 topics) or not a Transfer
    if (lower(topics[0].is_string() ? topics[0].get<std::string>() : "") != kErc20TransferTopic) continue;
    EvmMovement item;
    item.tx_hash = evm_hash(evm_field(log, "transactionHash", context_), context_ + " transactionHash");
    item.transfer.kind = TransferKind::Token;
    item.transfer.evidence = evidence;
    item.transfer.from = evm_topic_address(topics[1], context_ + " topic 1");
    item.transfer.to = evm_topic_address(topics[2], context_ + " topic 2");
    item.transfer.asset.contract = evm_address(evm_field(log, "address", context_), context_ + " log address");
    const json& data = evm_field(log, "data", context_);
    if (!data.is_string() || data.get<std::string>().size() != 66) {
      throw invalid_argument(context_ + ": Transfer log of " + item.tx_hash + " has no 32-byte amount");
    }
    item.transfer.amount = evm_quantity_amount(data, context_ + " log data");
    const std::int64_t block = evm_quantity_i64(evm_field(log, "blockNumber", context_), context_ + " blockNumber");
    block_of[item.tx_hash] = block;
    if (log.contains("blockTimestamp") && log["blockTimestamp"].is_string()) {
      block_time[block] = evm_quantity_i64(log["blockTimestamp"], context_ + " blockTimestamp");
    }
    hashes.insert(item.tx_hash);
    pending.push_back(std::move(item));
  }
}

void EvmPageParts::add_traces(const json& traces, std::size_t evidence) {
  if (!traces.is_array()) throw invalid_argument(context_ + ": trace_filter did not answer a list");
  for (const json& trace : traces) {
    const std::string type = trace.value("type", "");
    if (type == "reward" || !trace.contains("transactionHash") || trace["transactionHash"].is_null()) continue;
    const std::string hash = evm_hash(trace["transactionHash"], context_ + " trace transactionHash");
    hashes.insert(hash);  // even without value: a failed or zero-value call is still the wallet's activity
    block_of[hash] = evm_quantity_i64(evm_field(trace, "blockNumber", context_), context_ + " trace blockNumber");
    if (trace.contains("error")) continue;
    const json& action = evm_field(trace, "action", context_);
    EvmMovement item;
    item.tx_hash = hash;
    item.trace_address = evm_trace_path(trace, context_);
    item.transfer.evidence = evidence;
    if (type == "call") {
      if (action.value("callType", "call") != "call") continue;  // delegatecall/staticcall move no value
      item.transfer.from = evm_address(evm_field(action, "from", context_), context_ + " trace from");
      item.transfer.to = evm_address(evm_field(action, "to", context_), context_ + " trace to");
      item.transfer.amount = evm_quantity_amount(evm_field(action, "value", context_), context_ + " trace value");
    } else if (type == "create") {
      item.transfer.from = evm_address(evm_field(action, "from", context_), context_ + " trace from");
      const json& result = evm_field(trace, "result", context_);
      item.transfer.to = evm_address(evm_field(result, "address", context_), context_ + " created address");
      item.transfer.amount = evm_quantity_amount(evm_field(action, "value", context_), context_ + " trace value");
    } else if (type == "suicide" || type == "selfdestruct") {
      item.transfer.from = evm_address(evm_field(action, "address", context_), context_ + " trace address");
      item.transfer.to = evm_address(evm_field(action, "refundAddress", context_), context_ + " refund address");
      item.transfer.amount = evm_quantity_amount(evm_field(action, "balance", context_), context_ + " balance");
    } else {
      continue;
    }
    if (item.transfer.amount.is_zero()) continue;
    if (item.transfer.from != address_ && item.transfer.to != address_) continue;
    item.transfer.kind = item.trace_address.empty() ? TransferKind::Native : TransferKind::Internal;
    if (!item.trace_address.empty()) traced.insert(hash);
    pending.push_back(std::move(item));
  }
}

void EvmPageParts::add_transaction(const json& tx, std::int64_t number, std::size_t evidence) {
  const std::string from = evm_address(evm_field(tx, "from", context_), context_ + " tx from");
  const json& to_field = evm_field(tx, "to", context_);
  const std::optional<std::string> to =
      to_field.is_null() ? std::nullopt : std::optional(evm_address(to_field, context_ + " tx to"));
  if (from != address_ && to != address_) return;
  const std::string hash = evm_hash(evm_field(tx, "hash", context_), context_ + " tx hash");
  hashes.insert(hash);
  block_of[hash] = number;
  const core::Amount value = evm_quantity_amount(evm_field(tx, "value", context_), context_ + " tx value");
  if (value.is_zero()) return;
  if (!to) {  // a creation's value goes to the address its receipt names
    creation_value.emplace(hash, value);
    return;
  }
  EvmMovement item;
  item.tx_hash = hash;
  item.transfer.kind = TransferKind::Native;
  item.transfer.from = from;
  item.transfer.to = *to;
  item.transfer.amount = value;
  item.transfer.evidence = evidence;
  pending.push_back(std::move(item));
}

void EvmPageParts::add_block(const json& block, std::size_t evidence) {
  const std::int64_t number = evm_quantity_i64(evm_field(block, "number", context_), context_ + " block number");
  block_time[number] = evm_quantity_i64(evm_field(block, "timestamp", context_), context_ + " block timestamp");
  for (const json& tx : evm_field(block, "transactions", context_)) add_transaction(tx, number, evidence);
}

}  // namespace fundtrail::ingest
