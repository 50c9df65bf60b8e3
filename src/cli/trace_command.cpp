// `fundtrail trace ADDRESS`
#include <CLI/CLI.hpp>
#include <iostream>

#include "command_context.hpp"
#include "stage_timer.hpp"
#include "fundtrail/core/address.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/graph/graph_snapshot.hpp"
#include "fundtrail/graph/trace.hpp"
#include "fundtrail/report/trace_output.hpp"
#include "trace_options.hpp"

namespace fundtrail::cli {

void register_trace(CLI::App& app, GlobalOptions& options) {
  struct Args {
    std::string address;
    std::string chain;
    std::string direction = "out";
    unsigned hops = 3;
    bool no_time_order = false;
    std::string format = "table";
    FilterArgs filter;
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("trace", "Follow funds from (out) or to (in) a seed wallet, N hops");
  command->footer(
      "Time order: forward, a wallet's outgoing transfer is followed only if it happens at or after the earliest\n"
      "time the traced funds can have arrived there; backward, the mirror image. See docs/trace-semantics.md.");
  command->add_option("address", args->address, "Seed wallet")->required();
  command->add_option("--chain", args->chain, "btc | eth | tron | generic (inferred from the address when clear)");
  command->add_option("--direction", args->direction, "out (where the money went), in (where it came from), both")
      ->check(CLI::IsMember({"out", "in", "both"}))
      ->capture_default_str();
  command->add_option("--hops", args->hops, "Number of hops")->check(CLI::Range(1u, 64u))->capture_default_str();
  add_filter_options(*command, args->filter);
  command->add_flag("--no-time-order", args->no_time_order, "Plain hop-bounded reachability, ignoring time");
  command->add_option("--format", args->format, "table | json | csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();

  command->callback([args, &options] {
    StageTimer timer("trace");
    const core::Chain chain = resolve_chain(args->chain, args->address);
    auto store = open_store(options, store::OpenMode::MustExist);
    const std::int64_t seed = require_address(*store, chain, args->address);
    graph::TraceOptions trace_options;
    trace_options.hops = args->hops;
    trace_options.time_order = !args->no_time_order;
    trace_options.filter = build_filter(args->filter, chain, store->assets());
    graph::TransferGraph graph = graph::load_graph(*store);
    timer.lap("store and graph opened");

    std::vector<graph::TraceResult> results;
    const auto seed_node = static_cast<graph::NodeId>(seed);
    if (args->direction != "in") results.push_back(graph::trace(graph, seed_node, graph::TraceDirection::Forward, trace_options));
    if (args->direction != "out") results.push_back(graph::trace(graph, seed_node, graph::TraceDirection::Backward, trace_options));

    timer.lap("traversal");

    report::TraceRequest request;
    request.seed = core::normalize_address(chain, args->address);
    request.chain = chain;
    request.direction = args->direction;
    request.hops = args->hops;
    request.time_order = trace_options.time_order;
    static_cast<report::TransferFilters&>(request) = echoed_filters(args->filter, trace_options.filter);

    report::GraphLabels labels(*store);
    const report::TraceReport report = report::build_trace_report(graph, labels, request, results);
    timer.lap("report built");
    if (args->format == "json") {
      report::write_trace_json(std::cout, report);
    } else if (args->format == "csv") {
      report::write_trace_csv(std::cout, report);
    } else {
      report::write_trace_table(std::cout, report);
    }
    std::cout.flush();
    timer.lap("written");
  });
}

}  // namespace fundtrail::cli
