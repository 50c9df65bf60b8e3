// `fundtrail evidence ADDRESS|TXID`
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "command_context.hpp"
#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/graph/graph_snapshot.hpp"
#include "fundtrail/store/evidence.hpp"

namespace fundtrail::cli {
namespace {

// Sources behind every transfer into or out of the wallet, found through the graph (no table scan).
std::set<std::int64_t> wallet_sources(store::CaseStore& store, std::int64_t address_id) {
  const graph::TransferGraph graph = graph::load_graph(store);
  store::EvidenceReader reader(store);
  std::set<std::int64_t> ids;
  const auto node = static_cast<graph::NodeId>(address_id);
  for (const graph::Edge& edge : graph.out_edges(node)) {
    if (auto id = reader.transfer_source(edge.transfer_id)) ids.insert(*id);
  }
  for (const graph::InEdge& in : graph.in_edges(node)) {
    if (auto id = reader.transfer_source(graph.edge(in.edge).transfer_id)) ids.insert(*id);
  }
  return ids;
}

}  // namespace

void register_evidence(CLI::App& app, GlobalOptions& options) {
  struct Args {
    std::string subject;
    std::string chain;
    std::string format = "table";
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("evidence", "List the recorded sources (files, API responses) behind a wallet or transaction");
  command->add_option("subject", args->subject, "Wallet address or transaction hash")->required();
  command->add_option("--chain", args->chain, "btc | eth | tron | generic (for an address; inferred when clear)");
  command->add_option("--format", args->format, "table | json")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  command->callback([args, &options] {
    auto store = open_store(options, store::OpenMode::MustExist);
    std::set<std::int64_t> ids;
    std::string what;
    std::optional<core::Chain> chain = args->chain.empty() ? core::infer_chain(args->subject)
                                                           : std::optional<core::Chain>(resolve_chain(args->chain, args->subject));
    std::optional<std::int64_t> address_id;
    if (chain) address_id = store->find_address(*chain, core::normalize_address(*chain, args->subject));
    if (address_id) {
      ids = wallet_sources(*store, *address_id);
      what = "wallet " + args->subject;
    } else {
      store::EvidenceReader reader(*store);
      for (std::int64_t id : reader.transaction_sources(args->subject)) ids.insert(id);
      if (ids.empty()) {
        throw not_found("'" + printable_excerpt(args->subject) + "' is neither a wallet nor a transaction with " +
                        "recorded sources in " + store->path());
      }
      what = "transaction " + args->subject;
    }
    store::EvidenceReader reader(*store);
    auto list = nlohmann::ordered_json::array();
    for (std::int64_t id : ids) {
      const store::SourceRecord record = reader.source(id);
      nlohmann::ordered_json item;
      item["id"] = record.id;
      item["kind"] = record.kind;
      item["provider"] = record.provider;
      item["locator"] = record.locator;
      item["fetched_at"] = core::format_iso8601(record.fetched_at);
      item["status"] = record.status ? nlohmann::ordered_json(*record.status) : nullptr;
      item["bytes"] = record.byte_size ? nlohmann::ordered_json(*record.byte_size) : nullptr;
      item["sha256"] = record.sha256;
      item["raw_kept"] = record.has_body;
      list.push_back(std::move(item));
    }
    // For a transaction: what is stored about it (a failed EVM/TRON transaction has no transfers, only this).
    auto transactions = nlohmann::ordered_json::array();
    if (!address_id) {
      for (const store::StoredTransaction& record : reader.transactions(args->subject)) {
        nlohmann::ordered_json item;
        item["chain"] = std::string(core::to_string(record.chain));
        item["tx_hash"] = record.tx_hash;
        item["block_height"] = record.block_height ? nlohmann::ordered_json(*record.block_height) : nullptr;
        item["timestamp"] = core::format_iso8601(record.timestamp);
        auto optional = [](const std::optional<std::string>& value) {
          return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
        };
        item["network"] = record.network ? nlohmann::ordered_json(*record.network) : nullptr;
        item["status"] = optional(record.status);
        item["sender"] = optional(record.sender);
        item["callee"] = optional(record.callee);
        item["fee"] = optional(record.fee);
        item["type"] = optional(record.type);
        transactions.push_back(std::move(item));
      }
    }
    if (args->format == "json") {
      nlohmann::ordered_json json;
      json["subject"] = args->subject;
      if (!address_id) json["transactions"] = transactions;
      json["sources"] = std::move(list);
      std::cout << json.dump(2) << "\n";
      return;
    }
    for (const auto& item : transactions) {
      std::cout << item["chain"].get<std::string>() << " transaction " << item["tx_hash"].get<std::string>() << "  "
                << item["timestamp"].get<std::string>();
      if (!item["block_height"].is_null()) std::cout << "  block " << item["block_height"].get<std::int64_t>();
      if (!item["status"].is_null()) std::cout << "  " << item["status"].get<std::string>();
      if (!item["fee"].is_null()) std::cout << "  fee " << item["fee"].get<std::string>() << " (base units)";
      std::cout << "\n";
    }
    std::cout << "Evidence for " << what << ": " << list.size() << " source(s)\n";
    for (const auto& item : list) {
      std::cout << "  #" << item["id"].get<std::int64_t>() << "  " << item["fetched_at"].get<std::string>() << "  "
                << item["kind"].get<std::string>() << "/" << item["provider"].get<std::string>() << "  "
                << item["locator"].get<std::string>();
      if (!item["status"].is_null()) std::cout << "  HTTP " << item["status"].get<int>();
      if (!item["bytes"].is_null()) std::cout << "  " << item["bytes"].get<std::int64_t>() << " bytes";
      std::cout << "  sha256 " << item["sha256"].get<std::string>() << (item["raw_kept"].get<bool>() ? "  (raw kept)" : "")
                << "\n";
    }
  });
}

}  // namespace fundtrail::cli
