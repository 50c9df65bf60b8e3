#pragma once
// TempCase plus the in-memory graph of what it holds, for the graph and report tests (which link the graph
// layer anyway; header-only so fundtrail_test_support stays on the store layer).
#include <optional>
#include <string>
#include <string_view>

#include "fundtrail/graph/graph_snapshot.hpp"
#include "fundtrail/graph/transfer_graph.hpp"
#include "support/store_fixture.hpp"

namespace fundtrail::test {

class GraphCase : public TempCase {
 public:
  using TempCase::TempCase;

  // Commits what is queued and builds the graph afresh from the store.
  const graph::TransferGraph& build() {
    commit();
    graph_.reset();
    graph_.emplace(graph::build_graph_in_memory(store()));
    return *graph_;
  }

  // The graph of everything added so far: commits and rebuilds first when transfers are queued.
  const graph::TransferGraph& graph() {
    if (commit()) graph_.reset();
    if (!graph_) graph_.emplace(graph::build_graph_in_memory(store()));
    return *graph_;
  }

  // A wallet's node (its address id) and back; std::runtime_error for an unknown wallet.
  graph::NodeId node(const std::string& address) { return static_cast<graph::NodeId>(address_id(address)); }
  std::string name(graph::NodeId node) { return address(node); }

 private:
  std::optional<graph::TransferGraph> graph_;
};

// A GraphCase written as a timeline: add() takes the time as seconds after `origin` and the amount as an exact
// decimal in display units ("1.50" USD), and returns the case so that additions chain.
class TimelineCase : public GraphCase {
 public:
  TimelineCase(core::UnixSeconds origin, core::Chain chain, std::string_view dir_prefix)
      : GraphCase(chain, dir_prefix), origin_(origin) {}

  TimelineCase& add(const std::string& from, const std::string& to, core::UnixSeconds at,
                    const std::string& amount = "1", const std::string& asset = "USD") {
    add_display(from, to, origin_ + at, amount, asset);
    return *this;
  }

 private:
  core::UnixSeconds origin_;
};

}  // namespace fundtrail::test
