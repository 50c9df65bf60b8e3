// Traversal-only timer for tools/bench: maps a store's graph snapshot and times graph::trace() in-process,
// without start-up, store look-ups for labels or output. Linked against the static libraries of a fundtrail
// build tree by tools/bench (it is skipped when that tree is not found).
//
//   bench_traverse DB CHAIN SEED HOPS[,HOPS...] RUNS
//
// Prints one JSON object:
//   {"load_ms": ..., "traces": {"3": {"cold_ms": ..., "runs_ms": [...], "nodes": N, "edges": E}, ...}}.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "fundtrail/core/address.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/graph/graph_snapshot.hpp"
#include "fundtrail/graph/trace.hpp"
#include "fundtrail/store/case_store.hpp"

int main(int argc, char** argv) {
  using namespace fundtrail;
  using Clock = std::chrono::steady_clock;
  if (argc != 6) {
    std::fprintf(stderr, "usage: bench_traverse DB CHAIN SEED HOPS[,HOPS...] RUNS\n");
    return 2;
  }
  try {
    const auto chain = core::parse_chain(argv[2]);
    if (!chain) throw std::runtime_error(std::string("unknown chain ") + argv[2]);
    const int runs = std::max(1, std::atoi(argv[5]));
    std::vector<unsigned> hop_counts;
    std::stringstream list(argv[4]);
    for (std::string item; std::getline(list, item, ',');) hop_counts.push_back(static_cast<unsigned>(std::stoul(item)));

    const auto load_start = Clock::now();
    store::CaseStore store(argv[1], store::OpenMode::MustExist);
    const auto seed = store.find_address(*chain, core::normalize_address(*chain, argv[3]));
    if (!seed) throw std::runtime_error(std::string("seed not in store: ") + argv[3]);
    graph::TransferGraph graph = graph::load_graph(store);
    const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - load_start).count();

    std::printf("{\"load_ms\": %.3f, \"traces\": {", load_ms);
    for (std::size_t h = 0; h < hop_counts.size(); ++h) {
      graph::TraceOptions options;
      options.hops = hop_counts[h];
      // One untimed run first: it faults in the snapshot pages this trace reads and sizes the per-thread
      // workspace, as loading does for networkx, whose load time the comparison also excludes.
      const auto cold_start = Clock::now();
      graph::trace(graph, static_cast<graph::NodeId>(*seed), graph::TraceDirection::Forward, options);
      const double cold_ms = std::chrono::duration<double, std::milli>(Clock::now() - cold_start).count();
      std::printf("%s\"%u\": {\"cold_ms\": %.3f, \"runs_ms\": [", h ? ", " : "", hop_counts[h], cold_ms);
      std::size_t nodes = 0, edges = 0;
      for (int run = 0; run < runs; ++run) {
        const auto start = Clock::now();
        graph::TraceResult result =
            graph::trace(graph, static_cast<graph::NodeId>(*seed), graph::TraceDirection::Forward, options);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        nodes = result.nodes.size();
        edges = result.edges.size();
        std::printf("%s%.3f", run ? ", " : "", ms);
      }
      std::printf("], \"nodes\": %zu, \"edges\": %zu}", nodes, edges);
    }
    std::printf("}}\n");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_traverse: %s\n", error.what());
    return 1;
  }
  return 0;
}
