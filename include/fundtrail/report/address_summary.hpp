#pragma once
// `fundtrail address ADDRESS`: what one wallet did, from the graph (its out- and in-edges) rather than SQL,
// so the cost is one pass over the wallet's own transfers (a 70,000-transfer hub takes well under a second)
// plus one store lookup per counterparty that can make the top N.
//
// Conventions:
// * Every transfer of the store counts, no filter. Amounts are exact decimals in display units.
// * A self-transfer (from == to == the wallet, e.g. Bitcoin change to the spending address) counts as both
//   received and sent, so received - sent stays the net flow; the wallet is never its own counterparty.
// * Counterparties are ranked per asset by received-from + sent-to in that asset (exact comparison), larger
//   first, ties by address; the top N of each asset are listed.
//
// JSON: {"address", "chain", "first_seen", "last_seen" (ISO-8601 UTC, null without transfers),
//        "transfers": {"in", "out"}, "counterparties": distinct wallets over all assets, "top": N,
//        "assets": [{"asset", "contract" (null for native coins), "received", "sent", "transfers_in",
//                    "transfers_out", "counterparties",
//                    "top_counterparties": [{"address", "received_from", "sent_to", "total",
//                                            "transfers_in", "transfers_out"}]}]}
// Assets are ordered by symbol, then contract.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"
#include "fundtrail/graph/transfer_graph.hpp"
#include "fundtrail/report/graph_labels.hpp"

namespace fundtrail::report {

struct CounterpartyFlow {
  std::string address;
  std::string received_from;  // what the summarised wallet received from this counterparty
  std::string sent_to;        // what it sent to it
  std::string total;          // received_from + sent_to, the ranking key
  std::uint64_t transfers_in = 0;
  std::uint64_t transfers_out = 0;
};

struct AssetSummary {
  std::string asset;     // symbol
  std::string contract;  // empty for native coins and symbol-only assets
  std::string received;
  std::string sent;
  std::uint64_t transfers_in = 0;
  std::uint64_t transfers_out = 0;
  std::size_t counterparties = 0;  // distinct, in this asset
  std::vector<CounterpartyFlow> top_counterparties;
};

struct AddressSummary {
  std::string address;
  core::Chain chain{};
  std::optional<core::UnixSeconds> first_seen;
  std::optional<core::UnixSeconds> last_seen;
  std::uint64_t transfers_in = 0;
  std::uint64_t transfers_out = 0;
  std::size_t counterparties = 0;  // distinct, over all assets
  unsigned top = 10;
  std::vector<AssetSummary> assets;
};

// Throws fundtrail::Error(NotFound) for a node outside the graph.
AddressSummary summarize_address(const graph::TransferGraph& graph, GraphLabels& labels, graph::NodeId node,
                                 unsigned top = 10);

nlohmann::ordered_json address_summary_to_json(const AddressSummary& summary);
void write_address_summary_table(std::ostream& out, const AddressSummary& summary);

}  // namespace fundtrail::report
