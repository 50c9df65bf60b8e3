#include "fundtrail/ingest/evm_jsonrpc_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "evm_page_parts.hpp"
#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {
namespace {

using nlohmann::json;

std::string quantity(std::int64_t value) {
  std::ostringstream out;
  out << "0x" << std::hex << value;
  return out.str();
}

std::string address_topic(const std::string& address) { return "0x000000000000000000000000" + address.substr(2); }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "v1:<next block>:<last block>:<range>"
struct Cursor {
  std::int64_t next = 0;
  std::int64_t last = 0;
  std::int64_t range = 0;
};

std::string format_cursor(const Cursor& cursor) {
  return "v1:" + std::to_string(cursor.next) + ":" + std::to_string(cursor.last) + ":" + std::to_string(cursor.range);
}

Cursor parse_cursor(const std::string& text) {
  Cursor cursor;
  char tail = 0;
  long long next = 0, last = 0, range = 0;
  if (std::sscanf(text.c_str(), "v1:%lld:%lld:%lld%c", &next, &last, &range, &tail) != 3 || next < 0 || last < 0 ||
      range < 1) {
    throw Error(ErrorKind::Corruption, "stored JSON-RPC crawl cursor '" + printable_excerpt(text) + "' is not valid");
  }
  cursor.next = next;
  cursor.last = last;
  cursor.range = range;
  return cursor;
}

}  // namespace

bool evm_range_too_large(std::int64_t code, std::string_view message) {
  if (code == -32005) return true;  // Infura, and EIP-1474's "limit exceeded"
  const std::string text = lower(message);
  for (const char* marker : {"too many", "range", "limit", "exceed", "more than", "too large", "timeout", "timed out",
                             "size", "query returned"}) {
    if (text.find(marker) != std::string::npos) return true;
  }
  return false;
}

EvmJsonRpcSource::EvmJsonRpcSource(PoliteClient& client, EvmJsonRpcOptions options)
    : rpc_(client, options.endpoint), options_(std::move(options)) {
  if (options_.max_block_range < 1 || options_.max_scanned_blocks < 1 || options_.max_batch < 1) {
    throw Error(ErrorKind::Usage, "block ranges and batch sizes must be at least 1");
  }
  const json id = rpc_.call("eth_chainId");
  const auto node_chain = static_cast<std::uint64_t>(evm_quantity_i64(id, rpc_.endpoint() + " eth_chainId"));
  if (options_.chain_id && *options_.chain_id != node_chain) {
    throw Error(ErrorKind::Usage, "--evm-chain-id " + std::to_string(*options_.chain_id) + " but the node at " +
                                      rpc_.endpoint() + " serves chain " + std::to_string(node_chain));
  }
  chain_id_ = node_chain;
  if (options_.native_scan == EvmNativeScan::Auto) {
    // trace_filter sees internal transfers; Otterscan's index finds a wallet's transactions without reading
    // every block (top-level transfers only); reading blocks works everywhere.
    const EvmBatchReply probe = rpc_.batch(
        {EvmCall{"trace_filter",
                 json::array({json{{"fromBlock", "0x0"},
                                   {"toBlock", "0x0"},
                                   {"fromAddress", json::array({"0x0000000000000000000000000000000000000000"})}}})}});
    options_.native_scan = probe.answers.front().ok() ? EvmNativeScan::TraceFilter : EvmNativeScan::Blocks;
    if (options_.native_scan == EvmNativeScan::Blocks &&
        rpc_.batch({EvmCall{"ots_getApiLevel", json::array()}}).answers.front().ok()) {
      options_.native_scan = EvmNativeScan::Ots;
      spdlog::warn(
          "{}: trace_filter is not available: the wallet's transactions are found with Otterscan's ots_ index; "
          "internal (contract) transfers are not seen",
          rpc_.endpoint());
    } else if (options_.native_scan == EvmNativeScan::Blocks) {
      spdlog::warn(
          "{}: trace_filter is not available ({}): native transfers are read block by block and internal "
          "(contract) transfers are not seen",
          rpc_.endpoint(), printable_excerpt(probe.answers.front().error_message, 120));
    }
  }
}

AccountPage EvmJsonRpcSource::fetch_page(const std::string& address, const std::optional<std::string>& cursor_text) {
  Cursor cursor;
  if (cursor_text) {
    cursor = parse_cursor(*cursor_text);
  } else {
    cursor.next = options_.window.from_block.value_or(0);
    const std::int64_t head = evm_quantity_i64(rpc_.call("eth_blockNumber"), rpc_.endpoint() + " eth_blockNumber");
    cursor.last = options_.window.to_block ? std::min(*options_.window.to_block, head) : head;
    if (options_.window.to_block && *options_.window.to_block > head) {
      spdlog::warn("{}: --to-block {} is beyond the node's head {}: the crawl stops at the head", rpc_.endpoint(),
                   *options_.window.to_block, head);
    }
    cursor.range =
        options_.native_scan == EvmNativeScan::Blocks ? options_.max_scanned_blocks : options_.max_block_range;
    // Reading every block of a whole chain one request batch at a time would take weeks: ask for a window.
    if (options_.native_scan == EvmNativeScan::Blocks && cursor.last - cursor.next + 1 > kMaxScannedWindow) {
      throw Error(ErrorKind::Usage, rpc_.endpoint() +
                                        " offers neither trace_filter nor ots_: every block would be read, " +
                                        std::to_string(cursor.last - cursor.next + 1) + " blocks (more than " +
                                        std::to_string(kMaxScannedWindow) +
                                        "); give --from-block/--to-block around the activity of interest");
    }
  }
  AccountPage page;
  if (cursor.next > cursor.last) return page;  // empty window: complete
  const bool scan_blocks = options_.native_scan == EvmNativeScan::Blocks;
  const bool ots = options_.native_scan == EvmNativeScan::Ots;
  const std::int64_t cap =
      scan_blocks ? std::min(options_.max_block_range, options_.max_scanned_blocks) : options_.max_block_range;
  std::int64_t range = std::clamp<std::int64_t>(cursor.range, 1, cap);

  // 0. Otterscan: the node's index of the wallet's transactions (whole blocks, oldest first) bounds the range.
  json ots_txs = json::array();
  std::size_t ots_evidence = 0;
  std::int64_t ots_end = cursor.last;
  if (ots) {
    EvmBatchReply search =
        rpc_.batch({EvmCall{"ots_searchTransactionsAfter",
                            json::array({address, std::max<std::int64_t>(0, cursor.next - 1), kOtsPageSize})}});
    const EvmAnswer& answer = search.answers.front();
    if (!answer.ok()) {
      throw invalid_argument(rpc_.endpoint() + " ots_searchTransactionsAfter: JSON-RPC error " +
                             std::to_string(answer.error_code) + ": " + printable_excerpt(answer.error_message, 200));
    }
    const std::string what = rpc_.endpoint() + " ots_searchTransactionsAfter";
    const json& txs = evm_field(*answer.result, "txs", what);
    if (!txs.is_array()) throw invalid_argument(what + ": txs is not a list");
    std::int64_t highest = -1;
    for (const json& tx : txs) {
      const std::int64_t block = evm_quantity_i64(evm_field(tx, "blockNumber", what), what + " blockNumber");
      highest = std::max(highest, block);
      if (block >= cursor.next && block <= cursor.last) ots_txs.push_back(tx);
    }
    // Not the last page: the next search starts after the newest block of this one (pages hold whole blocks).
    const json& last_page = evm_field(*answer.result, "lastPage", what);
    if (!last_page.is_boolean()) throw invalid_argument(what + ": lastPage is not a boolean");
    if (!last_page.get<bool>() && highest >= cursor.next) ots_end = std::min(cursor.last, highest);
    page.responses.push_back({search.locator, search.response});
    ots_evidence = page.responses.size() - 1;
  }

  // 1. Logs and traces of the range, halving it while the node refuses.
  EvmBatchReply first;
  std::int64_t end = 0;
  for (;;) {
    end = std::min(ots_end, cursor.next + range - 1);
    const json from_block = quantity(cursor.next);
    const json to_block = quantity(end);
    std::vector<EvmCall> calls;
    for (int side = 1; side <= 2; ++side) {
      json topics = json::array({std::string(kErc20TransferTopic), nullptr, nullptr});
      topics[side] = address_topic(address);
      calls.push_back(
          {"eth_getLogs", json::array({json{{"fromBlock", from_block}, {"toBlock", to_block}, {"topics", topics}}})});
    }
    if (ots) {
      // Logs only: the wallet's transactions came from the Otterscan index.
    } else if (!scan_blocks) {
      for (const char* side : {"fromAddress", "toAddress"}) {
        calls.push_back(
            {"trace_filter",
             json::array({json{{"fromBlock", from_block}, {"toBlock", to_block}, {side, json::array({address})}}})});
      }
    } else {
      for (std::int64_t block = cursor.next; block <= end; ++block) {
        calls.push_back({"eth_getBlockByNumber", json::array({quantity(block), true})});
      }
    }
    first = rpc_.batch(calls);
    const auto refused =
        std::find_if(first.answers.begin(), first.answers.end(), [](const EvmAnswer& a) { return !a.ok(); });
    if (refused == first.answers.end()) break;
    const std::string method = calls[static_cast<std::size_t>(refused - first.answers.begin())].method;
    if (!evm_range_too_large(refused->error_code, refused->error_message) || range == 1) {
      throw invalid_argument(rpc_.endpoint() + " " + method + " blocks " + std::to_string(cursor.next) + ".." +
                             std::to_string(end) + ": JSON-RPC error " + std::to_string(refused->error_code) + ": " +
                             printable_excerpt(refused->error_message, 200));
    }
    range = std::max<std::int64_t>(1, range / 2);
    spdlog::debug("{} refused blocks {}..{} ({}): retrying with {} blocks", rpc_.endpoint(), cursor.next, end,
                  printable_excerpt(refused->error_message, 80), range);
  }
  page.responses.push_back({first.locator, first.response});
  const std::size_t first_evidence = page.responses.size() - 1;
  const std::string context = rpc_.endpoint() + " blocks " + std::to_string(cursor.next) + ".." + std::to_string(end);

  EvmPageParts parts(address, context);
  parts.add_logs(*first.answers[0].result, first_evidence);
  parts.add_logs(*first.answers[1].result, first_evidence);
  if (!scan_blocks && !ots) {
    parts.add_traces(*first.answers[2].result, first_evidence);
    parts.add_traces(*first.answers[3].result, first_evidence);
  } else if (scan_blocks) {
    for (std::size_t call = 2; call < first.answers.size(); ++call) {
      const json& block = *first.answers[call].result;
      if (block.is_null())
        throw invalid_argument(context + ": the node has no block " +
                               std::to_string(cursor.next + static_cast<std::int64_t>(call) - 2));
      parts.add_block(block, first_evidence);
    }
  } else if (ots) {
    for (const json& tx : ots_txs) {
      const std::int64_t number = evm_quantity_i64(evm_field(tx, "blockNumber", context), context + " blockNumber");
      if (number <= end) parts.add_transaction(tx, number, ots_evidence);
    }
  }
  std::vector<EvmMovement>& pending = parts.pending;
  std::map<std::string, std::int64_t>& block_of = parts.block_of;
  std::map<std::int64_t, core::UnixSeconds>& block_time = parts.block_time;
  std::map<std::string, core::Amount>& creation_value = parts.creation_value;
  const std::set<std::string>& hashes = parts.hashes;
  const std::set<std::string>& traced = parts.traced;

  // 2. Receipts, block times, full traces of transactions with internal transfers, token metadata.
  std::vector<EvmCall> calls;
  std::vector<std::string> receipt_of;
  for (const std::string& hash : hashes) {
    calls.push_back({"eth_getTransactionReceipt", json::array({hash})});
    receipt_of.push_back(hash);
  }
  std::vector<std::int64_t> block_calls;
  for (const auto& [hash, block] : block_of) {
    if (!block_time.count(block) && std::find(block_calls.begin(), block_calls.end(), block) == block_calls.end()) {
      block_calls.push_back(block);
    }
  }
  for (std::int64_t block : block_calls)
    calls.push_back({"eth_getBlockByNumber", json::array({quantity(block), false})});
  const std::vector<std::string> traced_list(traced.begin(), traced.end());
  for (const std::string& hash : traced_list) calls.push_back({"trace_transaction", json::array({hash})});
  std::vector<std::string> token_calls;
  for (const EvmMovement& item : pending) {
    const std::string& contract = item.transfer.asset.contract;
    if (contract.empty() || tokens_.count(contract) ||
        std::find(token_calls.begin(), token_calls.end(), contract) != token_calls.end()) {
      continue;
    }
    token_calls.push_back(contract);
    for (const char* selector : {"0x95d89b41", "0x06fdde03", "0x313ce567"}) {  // symbol(), name(), decimals()
      calls.push_back({"eth_call", json::array({json{{"to", contract}, {"data", selector}}, "latest"})});
    }
  }
  std::vector<EvmAnswer> answers;
  std::vector<std::size_t> answer_evidence;
  for (std::size_t start = 0; start < calls.size(); start += options_.max_batch) {
    const std::vector<EvmCall> part(
        calls.begin() + static_cast<std::ptrdiff_t>(start),
        calls.begin() + static_cast<std::ptrdiff_t>(std::min(calls.size(), start + options_.max_batch)));
    EvmBatchReply reply = rpc_.batch(part);
    page.responses.push_back({reply.locator, reply.response});
    for (EvmAnswer& answer : reply.answers) {
      answers.push_back(std::move(answer));
      answer_evidence.push_back(page.responses.size() - 1);
    }
  }
  std::size_t next_answer = 0;
  auto take = [&](const std::string& what, bool required) -> std::pair<const EvmAnswer*, std::size_t> {
    const std::size_t index = next_answer++;
    const EvmAnswer& answer = answers.at(index);
    if (required && !answer.ok()) {
      throw invalid_argument(context + " " + what + ": JSON-RPC error " + std::to_string(answer.error_code) + ": " +
                             printable_excerpt(answer.error_message, 200));
    }
    return {&answer, answer_evidence.at(index)};
  };

  std::map<std::string, AccountTransaction> txs;
  for (const std::string& hash : receipt_of) {
    const auto [answer, evidence] = take("eth_getTransactionReceipt " + hash, true);
    const json& receipt = *answer->result;
    if (receipt.is_null()) throw invalid_argument(context + ": the node has no receipt for " + hash);
    AccountTransaction& tx = txs[hash];
    tx.hash = hash;
    tx.evidence = evidence;
    tx.block_height = evm_quantity_i64(evm_field(receipt, "blockNumber", context), context + " receipt blockNumber");
    block_of[hash] = *tx.block_height;
    const json& status = evm_field(receipt, "status", context);
    tx.failed = evm_quantity_i64(status, context + " receipt status") == 0;
    tx.from = evm_address(evm_field(receipt, "from", context), context + " receipt from");
    const json& to = evm_field(receipt, "to", context);
    if (!to.is_null()) tx.to = evm_address(to, context + " receipt to");
    tx.type = to.is_null() ? "create" : "call";
    if (receipt.contains("gasUsed") && receipt.contains("effectiveGasPrice")) {
      const core::Amount gas = evm_quantity_amount(receipt["gasUsed"], context + " gasUsed");
      const core::Amount price = evm_quantity_amount(receipt["effectiveGasPrice"], context + " effectiveGasPrice");
      tx.fee = core::Amount(gas.value() * price.value());
    }
    if (const auto value = creation_value.find(hash); value != creation_value.end() && !tx.failed) {
      // Reading blocks, a creation's recipient is only known from its receipt (traces give it directly).
      EvmMovement item;
      item.tx_hash = hash;
      item.transfer.kind = TransferKind::Native;
      item.transfer.from = *tx.from;
      item.transfer.to = evm_address(evm_field(receipt, "contractAddress", context), context + " contractAddress");
      item.transfer.amount = value->second;
      pending.push_back(std::move(item));
    }
  }
  for (std::int64_t block : block_calls) {
    const auto [answer, evidence] = take("eth_getBlockByNumber " + std::to_string(block), true);
    if (answer->result->is_null()) throw invalid_argument(context + ": the node has no block " + std::to_string(block));
    block_time[block] =
        evm_quantity_i64(evm_field(*answer->result, "timestamp", context), context + " block timestamp");
  }
  std::map<std::string, std::vector<std::vector<int>>> reverted;  // tx -> trace paths that failed
  for (const std::string& hash : traced_list) {
    const auto [answer, evidence] = take("trace_transaction " + hash, true);
    if (!answer->result->is_array()) throw invalid_argument(context + ": trace_transaction " + hash + " is not a list");
    for (const json& trace : *answer->result) {
      if (trace.contains("error")) reverted[hash].push_back(evm_trace_path(trace, context));
    }
  }
  for (const std::string& contract : token_calls) {
    TokenInfo info;
    const auto [symbol, e1] = take("symbol() of " + contract, false);
    const auto [name, e2] = take("name() of " + contract, false);
    const auto [decimals, e3] = take("decimals() of " + contract, false);
    if (symbol->ok() && symbol->result->is_string()) info.symbol = evm_abi_string(symbol->result->get<std::string>());
    if (name->ok() && name->result->is_string()) info.name = evm_abi_string(name->result->get<std::string>());
    if (decimals->ok() && decimals->result->is_string() && decimals->result->get<std::string>().size() > 2) {
      const core::Amount value = evm_quantity_amount(*decimals->result, context + " decimals() of " + contract);
      if (value.value() <= 255) info.decimals = static_cast<unsigned>(value.value());
    }
    if (!info.decimals) {
      spdlog::warn("{}: token {} answers no decimals(): its amounts are stored in base units (0 decimals)", context,
                   contract);
      info.decimals = 0;
    }
    tokens_[contract] = info;
  }

  for (EvmMovement& item : pending) {
    AccountTransaction& tx = txs.at(item.tx_hash);
    if (tx.failed) continue;
    bool inside_revert = false;
    for (const std::vector<int>& path : reverted[item.tx_hash]) {
      inside_revert = inside_revert || (path.size() <= item.trace_address.size() &&
                                        std::equal(path.begin(), path.end(), item.trace_address.begin()));
    }
    if (inside_revert) continue;
    if (!item.transfer.asset.contract.empty()) {
      const TokenInfo& info = tokens_.at(item.transfer.asset.contract);
      item.transfer.asset.symbol = info.symbol;
      item.transfer.asset.name = info.name;
      item.transfer.asset.decimals = info.decimals;
    }
    tx.transfers.push_back(std::move(item.transfer));
  }
  for (auto& [hash, tx] : txs) {
    const std::int64_t block = block_of.at(hash);
    const auto time = block_time.find(block);
    if (time == block_time.end()) throw invalid_argument(context + ": no timestamp for block " + std::to_string(block));
    tx.timestamp = time->second;
    page.transactions.push_back(std::move(tx));
  }

  Cursor next{end + 1, cursor.last, std::min(cap, range * 2)};
  if (next.next <= next.last) page.next_cursor = format_cursor(next);
  return page;
}

}  // namespace fundtrail::ingest
