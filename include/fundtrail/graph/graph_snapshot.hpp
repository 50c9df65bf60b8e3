#pragma once
// Builds, persists and loads the TransferGraph snapshot of a case store.
#include <string>

#include "fundtrail/graph/transfer_graph.hpp"

namespace fundtrail::store {
class CaseStore;
}

namespace fundtrail::graph {

struct SnapshotStats {
  bool rebuilt = false;        // the snapshot had to be (re)built
  bool incremental = false;    // ... by merging only new transfers into the previous one
  std::size_t new_transfers = 0;
};

// "<store path>.graph".
std::string snapshot_path_for(const std::string& store_path);

// Returns the graph for `store`: maps the snapshot file when it matches the store's data_version;
// otherwise merges the transfers added since the snapshot (or rebuilds it from the whole store when the
// snapshot is missing, unreadable or inconsistent) and writes the new file atomically (temp + rename).
// A snapshot is a cache: a corrupt one is rebuilt with a warning, never trusted.
TransferGraph load_graph(store::CaseStore& store, SnapshotStats* stats = nullptr);

// Builds the graph from the whole store without touching any file (tests, one-off analyses).
TransferGraph build_graph_in_memory(store::CaseStore& store);

}  // namespace fundtrail::graph
