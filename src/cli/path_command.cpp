// `fundtrail path FROM TO` (implemented in graph/path_search)
#include <CLI/CLI.hpp>
#include <iostream>

#include "command_context.hpp"
#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/graph/graph_snapshot.hpp"
#include "fundtrail/graph/path_search.hpp"
#include "fundtrail/report/path_report.hpp"
#include "trace_options.hpp"

namespace fundtrail::cli {

void register_path(CLI::App& app, GlobalOptions& options) {
  struct Args {
    std::string from;
    std::string to;
    std::string chain;
    unsigned max_hops = 6;
    std::size_t limit = 5;
    std::uint64_t max_expansions = graph::PathSearchOptions{}.max_expansions;
    bool no_time_order = false;
    std::string format = "table";
    FilterArgs filter;
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("path", "Is FROM linked to TO? The shortest money trails between two wallets");
  command->footer(
      "Lists up to --limit simple paths (no wallet twice) of at most --max-hops transfers, shortest first.\n"
      "Time order: each transfer happens at or after the previous one (same second allowed). Each path is shown\n"
      "with its earliest possible chain of transfers. See include/fundtrail/graph/path_search.hpp.");
  command->add_option("from", args->from, "Source wallet")->required();
  command->add_option("to", args->to, "Destination wallet")->required();
  command->add_option("--chain", args->chain, "btc | eth | tron | generic (inferred from FROM when clear)");
  command->add_option("--max-hops", args->max_hops, "Longest path, in transfers")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  command->add_option("--limit", args->limit, "Number of paths to list")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}))
      ->capture_default_str();
  command->add_option("--max-expansions", args->max_expansions,
                      "Search budget in transfers examined; the output says when it ran out")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  add_filter_options(*command, args->filter);
  command->add_flag("--no-time-order", args->no_time_order, "Plain connectivity, ignoring time");
  command->add_option("--format", args->format, "table | json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  command->callback([args, &options] {
    const core::Chain chain = resolve_chain(args->chain, args->from);
    // An address whose format names another chain cannot be on this one; say so rather than "invalid".
    if (const auto to_chain = core::infer_chain(args->to); to_chain && *to_chain != chain && chain != core::Chain::Generic) {
      throw Error(ErrorKind::Usage, "FROM is on " + std::string(core::to_string(chain)) + " but TO looks like a " +
                                        std::string(core::to_string(*to_chain)) +
                                        " address: both must be on the same chain");
    }
    auto store = open_store(options, store::OpenMode::MustExist);
    const std::int64_t from = require_address(*store, chain, args->from);
    const std::int64_t to = require_address(*store, chain, args->to);
    if (from == to) throw Error(ErrorKind::Usage, "FROM and TO are the same wallet");

    graph::PathSearchOptions search_options;
    search_options.max_hops = args->max_hops;
    search_options.limit = args->limit;
    search_options.max_expansions = args->max_expansions;
    search_options.time_order = !args->no_time_order;
    search_options.filter = build_filter(args->filter, chain, store->assets());
    graph::TransferGraph graph = graph::load_graph(*store);

    report::GraphLabels labels(*store);
    // Ties are ordered by address text, so the order does not depend on the order data was imported in.
    search_options.wallet_less = [&labels](graph::NodeId a, graph::NodeId b) {
      return labels.address(a).address < labels.address(b).address;
    };
    const graph::PathSearchResult result =
        graph::find_paths(graph, static_cast<graph::NodeId>(from), static_cast<graph::NodeId>(to), search_options);

    report::PathRequest request;
    request.from = core::normalize_address(chain, args->from);
    request.to = core::normalize_address(chain, args->to);
    request.chain = chain;
    request.max_hops = args->max_hops;
    request.limit = args->limit;
    request.time_order = search_options.time_order;
    static_cast<report::TransferFilters&>(request) = echoed_filters(args->filter, search_options.filter);

    const report::PathReport report = report::build_path_report(graph, labels, request, result);
    if (args->format == "json") {
      report::write_path_json(std::cout, report);
    } else {
      report::write_path_table(std::cout, report);
    }
  });
}

}  // namespace fundtrail::cli
