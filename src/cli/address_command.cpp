// `fundtrail address ADDRESS`
#include <CLI/CLI.hpp>
#include <iostream>

#include "command_context.hpp"
#include "fundtrail/graph/graph_snapshot.hpp"
#include "fundtrail/report/address_summary.hpp"

namespace fundtrail::cli {

void register_address(CLI::App& app, GlobalOptions& options) {
  struct Args {
    std::string address;
    std::string chain;
    unsigned top = 10;
    std::string format = "table";
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("address", "What one wallet did: activity, totals per asset, main counterparties");
  command->footer(
      "Counts every transfer in the store. Counterparties are ranked per asset by received + sent amount;\n"
      "a self-transfer counts as received and sent. See include/fundtrail/report/address_summary.hpp.");
  command->add_option("address", args->address, "Wallet")->required();
  command->add_option("--chain", args->chain, "btc | eth | tron | generic (inferred from the address when clear)");
  command->add_option("--top", args->top, "Counterparties listed per asset")
      ->check(CLI::Range(1u, 100000u))
      ->capture_default_str();
  command->add_option("--format", args->format, "table | json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  command->callback([args, &options] {
    const core::Chain chain = resolve_chain(args->chain, args->address);
    auto store = open_store(options, store::OpenMode::MustExist);
    const std::int64_t id = require_address(*store, chain, args->address);
    graph::TransferGraph graph = graph::load_graph(*store);
    report::GraphLabels labels(*store);
    const report::AddressSummary summary =
        report::summarize_address(graph, labels, static_cast<graph::NodeId>(id), args->top);
    if (args->format == "json") {
      std::cout << report::address_summary_to_json(summary).dump(2) << "\n";
    } else {
      report::write_address_summary_table(std::cout, summary);
    }
  });
}

}  // namespace fundtrail::cli
