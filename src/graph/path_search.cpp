#include "fundtrail/graph/path_search.hpp"

#include <algorithm>
#include <unordered_map>

#include "fundtrail/core/error.hpp"

namespace fundtrail::graph {
namespace {

// Marks "cannot reach TO": real transfer times are far from the int64 extremes (years 0000-9999).
constexpr core::UnixSeconds kUnreachable = core::kMinTime;

// dep_r(v) for every wallet that can reach TO within max_hops, stored as the rounds at which it improved:
// dep_r is non-decreasing in r and changes only a few times, so a step list is much smaller than a table
// of max_hops + 1 times per wallet.
class LatestDepartures {
 public:
  LatestDepartures(const TransferGraph& graph, NodeId to, const PathSearchOptions& options) {
    const bool timed = options.time_order;
    const EdgeFilter& filter = options.filter;
    add_step(to, 0, timed ? filter.until : core::kMaxTime);
    std::vector<NodeId> frontier{to};
    std::unordered_map<NodeId, core::UnixSeconds> improved;
    for (unsigned round = 1; round <= options.max_hops && !frontier.empty(); ++round) {
      improved.clear();
      // Only wallets that improved last round can improve others: the rest offer what they offered before.
      for (NodeId node : frontier) {
        const core::UnixSeconds bound = steps_[index_.at(node)].back().time;
        auto entries = graph.in_edges(node);
        auto last = !timed ? entries.end()
                           : std::upper_bound(entries.begin(), entries.end(), bound,
                                              [&graph](core::UnixSeconds t, const InEdge& in) {
                                                return t < graph.edge(in.edge).timestamp;
                                              });
        for (auto it = entries.begin(); it != last; ++it) {
          const Edge& edge = graph.edge(it->edge);
          if (!filter.passes(graph, edge)) continue;
          const core::UnixSeconds candidate = timed ? edge.timestamp : core::kMaxTime;
          if (candidate <= departure(it->from, options.max_hops)) continue;
          auto [slot, inserted] = improved.try_emplace(it->from, candidate);
          if (!inserted && candidate > slot->second) slot->second = candidate;
        }
      }
      frontier.clear();
      for (const auto& [node, time] : improved) {
        add_step(node, round, time);
        frontier.push_back(node);
      }
      // Later rounds and the search visit wallets in hash order otherwise; sorting keeps runs reproducible.
      std::sort(frontier.begin(), frontier.end());
    }
  }

  std::size_t size() const { return steps_.size(); }

  // Dense index of a wallet that can reach TO within max_hops, or -1.
  std::int64_t index(NodeId node) const {
    auto found = index_.find(node);
    return found == index_.end() ? -1 : static_cast<std::int64_t>(found->second);
  }

  // dep_r of the wallet with dense index `index`: kUnreachable when TO is more than r hops away.
  core::UnixSeconds at(std::size_t index, unsigned r) const {
    core::UnixSeconds time = kUnreachable;
    for (const Step& step : steps_[index]) {
      if (step.round > r) break;
      time = step.time;
    }
    return time;
  }

 private:
  struct Step {
    unsigned round;
    core::UnixSeconds time;
  };

  core::UnixSeconds departure(NodeId node, unsigned r) const {
    const std::int64_t i = index(node);
    return i < 0 ? kUnreachable : at(static_cast<std::size_t>(i), r);
  }

  void add_step(NodeId node, unsigned round, core::UnixSeconds time) {
    auto [slot, inserted] = index_.try_emplace(node, static_cast<std::uint32_t>(steps_.size()));
    if (inserted) steps_.emplace_back();
    steps_[slot->second].push_back(Step{round, time});
  }

  std::unordered_map<NodeId, std::uint32_t> index_;
  std::vector<std::vector<Step>> steps_;
};

class Search {
 public:
  Search(const TransferGraph& graph, NodeId to, const PathSearchOptions& options, const LatestDepartures& departures,
         PathSearchResult& result)
      : graph_(graph), to_(to), options_(options), departures_(departures), result_(result),
        seen_(departures.size(), 0) {}

  // All paths of exactly `length` hops, best `keep` of them; false when the budget ran out.
  bool run(NodeId from, unsigned length, std::size_t keep) {
    length_ = length;
    keep_ = keep;
    found_.clear();
    wallets_.assign(1, from);
    transfers_.clear();
    const core::UnixSeconds start = options_.time_order ? options_.filter.since : core::kMinTime;
    const std::int64_t from_index = departures_.index(from);
    bool complete = true;
    if (from_index >= 0 && reachable(static_cast<std::size_t>(from_index), length, start)) {
      complete = extend(from, start);
    }
    std::sort(found_.begin(), found_.end(), [this](const FoundPath& a, const FoundPath& b) { return better(a, b); });
    if (found_.size() > keep_) found_.resize(keep_);
    for (FoundPath& path : found_) result_.paths.push_back(std::move(path));
    return complete;
  }

 private:
  bool reachable(std::size_t index, unsigned hops_left, core::UnixSeconds arrival) const {
    const core::UnixSeconds departure = departures_.at(index, hops_left);
    return departure != kUnreachable && departure >= arrival;
  }

  bool on_path(NodeId node) const { return std::find(wallets_.begin(), wallets_.end(), node) != wallets_.end(); }

  struct Candidate {
    NodeId next;
    EdgeIndex edge;
  };

  bool spend() {
    if (result_.expansions >= options_.max_expansions) return false;
    ++result_.expansions;
    return true;
  }

  // The last hop: only node -> TO transfers matter, so scan whichever of node's out-edges and TO's in-edges
  // (both from `arrival` on) is shorter. A hub one hop before TO would otherwise cost its whole out-degree
  // on every visit. Both lists are ordered by (time, transfer id), so either finds the same witness.
  bool close(NodeId node, core::UnixSeconds arrival) {
    auto out = graph_.out_edges(node);
    auto out_first = std::lower_bound(out.begin(), out.end(), arrival,
                                      [](const Edge& e, core::UnixSeconds t) { return e.timestamp < t; });
    auto in = graph_.in_edges(to_);
    auto in_first = std::lower_bound(in.begin(), in.end(), arrival, [this](const InEdge& e, core::UnixSeconds t) {
      return graph_.edge(e.edge).timestamp < t;
    });
    if (in.end() - in_first < out.end() - out_first) {
      for (auto it = in_first; it != in.end(); ++it) {
        if (!spend()) return false;
        if (it->from == node && options_.filter.passes(graph_, graph_.edge(it->edge))) {
          record(it->edge);
          break;
        }
      }
    } else {
      for (auto it = out_first; it != out.end(); ++it) {
        if (!spend()) return false;
        if (it->to == to_ && options_.filter.passes(graph_, *it)) {
          record(graph_.index_of(*it));
          break;
        }
      }
    }
    return true;
  }

  // Extends the partial path ending at wallets_.back(), where the money arrives at `arrival`.
  bool extend(NodeId node, core::UnixSeconds arrival) {
    const unsigned hops_left_after = length_ - static_cast<unsigned>(transfers_.size()) - 1;
    if (hops_left_after == 0) return close(node, arrival);
    auto edges = graph_.out_edges(node);
    auto first = std::lower_bound(edges.begin(), edges.end(), arrival,
                                  [](const Edge& e, core::UnixSeconds t) { return e.timestamp < t; });
    // Candidates are collected before recursing, so one `seen_` generation per scan is enough.
    std::vector<Candidate> candidates;
    if (++generation_ == 0) {  // wrapped: stale marks could alias the new generation
      std::fill(seen_.begin(), seen_.end(), 0);
      generation_ = 1;
    }
    const std::uint32_t generation = generation_;
    for (auto it = first; it != edges.end(); ++it) {
      if (!spend()) return false;
      const Edge& edge = *it;
      if (!options_.filter.passes(graph_, edge)) continue;
      const std::int64_t index = departures_.index(edge.to);
      if (index < 0) continue;
      // Edges are in time order, so the first usable one to a wallet is its greedy witness; a later one
      // cannot pass pruning where the earliest failed.
      std::uint32_t& seen = seen_[static_cast<std::size_t>(index)];
      if (seen == generation) continue;
      seen = generation;
      // TO ends a path only after exactly `length_` hops, which close() handles.
      if (edge.to == to_ || on_path(edge.to)) continue;
      const core::UnixSeconds next_arrival = options_.time_order ? edge.timestamp : core::kMinTime;
      if (!reachable(static_cast<std::size_t>(index), hops_left_after, next_arrival)) continue;
      candidates.push_back(Candidate{edge.to, graph_.index_of(edge)});
    }
    for (const Candidate& candidate : candidates) {
      wallets_.push_back(candidate.next);
      transfers_.push_back(candidate.edge);
      const core::UnixSeconds next_arrival = options_.time_order ? graph_.edge(candidate.edge).timestamp : core::kMinTime;
      const bool complete = extend(candidate.next, next_arrival);
      wallets_.pop_back();
      transfers_.pop_back();
      if (!complete) return false;
    }
    return true;
  }

  void record(EdgeIndex last) {
    FoundPath path;
    path.wallets = wallets_;
    path.wallets.push_back(to_);
    path.transfers = transfers_;
    path.transfers.push_back(last);
    found_.push_back(std::move(path));
    // Keeps memory bounded when a length has far more paths than are wanted.
    if (found_.size() >= 2 * keep_ + 1024) {
      std::nth_element(found_.begin(), found_.begin() + static_cast<std::ptrdiff_t>(keep_), found_.end(),
                       [this](const FoundPath& a, const FoundPath& b) { return better(a, b); });
      found_.resize(keep_);
    }
  }

  bool wallet_less(NodeId a, NodeId b) const { return options_.wallet_less ? options_.wallet_less(a, b) : a < b; }

  bool better(const FoundPath& a, const FoundPath& b) const {
    const core::UnixSeconds ta = graph_.edge(a.transfers.back()).timestamp;
    const core::UnixSeconds tb = graph_.edge(b.transfers.back()).timestamp;
    if (ta != tb) return ta < tb;
    return std::lexicographical_compare(a.wallets.begin(), a.wallets.end(), b.wallets.begin(), b.wallets.end(),
                                        [this](NodeId x, NodeId y) { return wallet_less(x, y); });
  }

  const TransferGraph& graph_;
  NodeId to_;
  const PathSearchOptions& options_;
  const LatestDepartures& departures_;
  PathSearchResult& result_;
  std::vector<std::uint32_t> seen_;  // by dense index of LatestDepartures
  std::uint32_t generation_ = 0;
  unsigned length_ = 0;
  std::size_t keep_ = 0;
  std::vector<NodeId> wallets_;
  std::vector<EdgeIndex> transfers_;
  std::vector<FoundPath> found_;
};

}  // namespace

PathSearchResult find_paths(const TransferGraph& graph, NodeId from, NodeId to, const PathSearchOptions& options) {
  if (options.max_hops == 0) throw invalid_argument("max_hops must be at least 1");
  if (options.limit == 0) throw invalid_argument("limit must be at least 1");
  if (!graph.has_node(from)) throw not_found("node " + std::to_string(from) + " is not in the graph");
  if (!graph.has_node(to)) throw not_found("node " + std::to_string(to) + " is not in the graph");
  if (from == to) throw invalid_argument("a path needs two different wallets");

  PathSearchResult result;
  result.from = from;
  result.to = to;
  const LatestDepartures departures(graph, to, options);
  Search search(graph, to, options, departures, result);
  for (unsigned length = 1; length <= options.max_hops && result.paths.size() < options.limit; ++length) {
    if (!search.run(from, length, options.limit - result.paths.size())) {
      result.truncated = true;
      return result;
    }
    result.complete_hops = length;
  }
  return result;
}

}  // namespace fundtrail::graph
