#include "fundtrail/report/trace_output.hpp"

#include <array>
#include <atomic>
#include <exception>
#include <memory>
#include <thread>

#include "fundtrail/core/change_signal.hpp"
#include "fundtrail/report/json_writer.hpp"
#include "fundtrail/report/rendering.hpp"

namespace fundtrail::report {
namespace {

void write_totals(JsonWriter& json, const AssetTotals& totals) {
  json.begin_array();
  for (const AssetTotal& total : totals) {
    json.begin_object();
    json.member("asset", total.asset);
    write_contract(json, total.contract);
    json.member_plain("amount", total.amount);
    json.end_object();
  }
  json.end_array();
}

std::string totals_text(const AssetTotals& totals) {
  std::string text;
  for (const AssetTotal& total : totals) {
    if (!text.empty()) text += ", ";
    text += total.amount + " " + display_label(total.asset);
  }
  return text.empty() ? "-" : text;
}

void write_node(JsonWriter& json, const ReportNode& node) {
  json.begin_object();
  json.member("address", node.address);
  json.member_plain("chain", core::to_string(node.chain));
  json.member("hop", node.hop);
  json.member_plain("direction", node.direction);
  if (node.reached) {
    json.member_plain("reached", core::format_iso8601_text(*node.reached).view());
  } else {
    json.member_null("reached");
  }
  json.key("received");
  write_totals(json, node.received);
  json.key("sent");
  write_totals(json, node.sent);
  json.end_object();
}

void write_edge(JsonWriter& json, const ReportEdge& edge) {
  json.begin_object();
  write_transfer_fields(json, edge);
  json.member("hop", edge.hop);
  json.member_plain("direction", edge.direction);
  json.end_object();
}

// The rows of the "nodes" and "edges" arrays in batches. With a large report whose rows may be described
// concurrently (TraceReport::rows_concurrent), two threads take the batches as they come (an atomic counter):
// this one writes the next batch straight to the output when it takes it in turn, and otherwise formats it
// into one of a few reusable buffers, which it splices into the output in order. Taking batches as they come
// rather than every other one keeps both threads busy: this one writes the output and splices, the other may
// be slowed by page faults, and a fixed share had one waiting ~200 times per 10M trace. Output is byte for
// byte what one thread writes; memory stays a few buffers, whatever the size.
class RowWriter {
 public:
  enum class Section { Nodes, Edges };

  RowWriter(const TraceReport& report, JsonWriter& json) : report_(report), json_(json) {
    for (const Section section : {Section::Nodes, Section::Edges}) {
      const std::size_t rows = section == Section::Nodes ? report.node_count() : report.edge_count();
      for (std::size_t begin = 0; begin < rows; begin += kBatchRows) {
        batches_.push_back(Batch{section, begin, std::min(rows, begin + kBatchRows)});
      }
    }
    if (report.rows_concurrent() && report.node_count() + report.edge_count() >= kParallelRows) {
      for (Slot& slot : slots_) slot.items = std::make_unique<JsonWriter>(JsonWriter::ArrayItems{});
      helper_ = std::thread([this] { format_batches(); });
    }
  }
  ~RowWriter() { stop(); }
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;

  // Writes the rows of `section` into the array `json` has open.
  void write(Section section) {
    for (std::size_t next; (next = written_.load()) < batches_.size() && batches_[next].section == section;) {
      Slot& slot = slot_of(next);
      if (slot.ready.load()) {
        if (slot.error) std::rethrow_exception(slot.error);
        json_.splice_items(*slot.items);
        slot.ready.store(false);
        advance_written(next);
        continue;
      }
      std::size_t free = claimed_.load();
      if (free == next) {
        if (claimed_.compare_exchange_strong(free, next + 1)) {
          format(batches_[next], json_);
          advance_written(next);
        }
        continue;
      }
      // The helper is formatting the next batch: format a later one meanwhile, if a buffer is free.
      if (free < batches_.size() && free < next + kSlots && claimed_.compare_exchange_strong(free, free + 1)) {
        format_into_slot(free);
        continue;
      }
      progress_.wait([&] { return slot.ready.load(); });
    }
  }

 private:
  static constexpr std::size_t kBatchRows = 1024;
  static constexpr std::size_t kParallelRows = 20000;
  static constexpr std::size_t kSlots = 4;

  struct Batch {
    Section section;
    std::size_t begin;
    std::size_t end;
  };
  // Batch b is formatted into slot b % kSlots, and only once batch b - kSlots is in the output.
  struct Slot {
    std::unique_ptr<JsonWriter> items;
    std::atomic<bool> ready = false;  // formatted (or failed), not yet spliced
    std::exception_ptr error;
  };

  Slot& slot_of(std::size_t batch) { return slots_[batch % kSlots]; }

  void format(const Batch& batch, JsonWriter& json) const {
    for (std::size_t i = batch.begin; i < batch.end; ++i) {
      if (batch.section == Section::Nodes) {
        write_node(json, report_.node(i));
      } else {
        write_edge(json, report_.edge(i));
      }
    }
  }

  // Formats a batch this thread has claimed into its slot. Returns false when that failed.
  bool format_into_slot(std::size_t batch) {
    Slot& slot = slot_of(batch);
    try {
      slot.items->restart_items(JsonWriter::ArrayItems{2, batches_[batch].begin});
      format(batches_[batch], *slot.items);
    } catch (...) {
      slot.error = std::current_exception();
    }
    slot.ready.store(true);
    progress_.notify();
    return !slot.error;
  }

  void advance_written(std::size_t batch) {
    written_.store(batch + 1);
    progress_.notify();
  }

  // The helper thread: claims the next batch whenever its slot is free, until none are left. A batch that
  // fails is rethrown by write() when its turn comes; the helper stops there.
  void format_batches() {
    for (;;) {
      std::size_t batch = claimed_.load();
      if (batch >= batches_.size()) return;
      if (batch >= written_.load() + kSlots) {
        progress_.wait(
            [&] { return stopping_.load() || claimed_.load() != batch || batch < written_.load() + kSlots; });
        if (stopping_.load()) return;
        continue;
      }
      if (claimed_.compare_exchange_strong(batch, batch + 1) && !format_into_slot(batch)) return;
    }
  }

  void stop() {
    if (!helper_.joinable()) return;
    stopping_.store(true);
    progress_.notify();
    helper_.join();
  }

  const TraceReport& report_;
  JsonWriter& json_;
  std::vector<Batch> batches_;
  std::atomic<std::size_t> claimed_ = 0;  // batches [0, claimed_) are taken by one thread or the other
  std::atomic<std::size_t> written_ = 0;  // batches [0, written_) are in the output
  std::array<Slot, kSlots> slots_;
  std::atomic<bool> stopping_ = false;
  core::ChangeSignal progress_;
  std::thread helper_;
};

}  // namespace

void write_trace_json(std::ostream& out, const TraceReport& report) {
  const TraceRequest& request = report.request();
  JsonWriter json(out);
  json.begin_object();
  json.key("seed").value(request.seed);
  json.key("chain").value(core::to_string(request.chain));
  json.key("direction").value(request.direction);
  json.key("hops").value(request.hops);
  json.key("time_order").value(request.time_order);
  json.key("filters");
  write_filters(json, request);
  json.key("summary").begin_object();
  json.key("nodes").value(static_cast<std::uint64_t>(report.node_count()));
  json.key("edges").value(static_cast<std::uint64_t>(report.edge_count()));
  json.end_object();

  RowWriter rows(report, json);
  json.key("nodes").begin_array();
  rows.write(RowWriter::Section::Nodes);
  json.end_array();
  json.key("edges").begin_array();
  rows.write(RowWriter::Section::Edges);
  json.end_array();
  json.end_object();
  out << "\n";
}

void write_trace_table(std::ostream& out, const TraceReport& report) {
  const TraceRequest& request = report.request();
  out << "Trace " << request.direction << " from " << request.seed << " (" << core::to_string(request.chain) << "), "
      << request.hops << " hop" << (request.hops == 1 ? "" : "s") << ", "
      << (request.time_order ? "time-ordered" : "ignoring time order");
  write_filters_text(out, request);
  out << "\n" << report.node_count() << " wallets, " << report.edge_count() << " transfers\n";

  unsigned hop = 0;
  for (std::size_t i = 0; i < report.edge_count(); ++i) {
    const ReportEdge edge = report.edge(i);
    if (edge.hop != hop) {
      hop = edge.hop;
      out << "\nHop " << hop << "\n";
    }
    out << "  ";
    write_transfer_line(out, edge);
    if (request.direction == "both") out << "  [" << edge.direction << "]";
    out << "  tx " << edge.tx_hash << ":" << edge.index << "\n";
  }
  out << "\nWallets (hop, direction, address: received / sent within this trace)\n";
  for (std::size_t i = 0; i < report.node_count(); ++i) {
    const ReportNode node = report.node(i);
    out << "  " << node.hop << "  " << node.direction << "  " << node.address << ": " << totals_text(node.received)
        << " / " << totals_text(node.sent) << "\n";
  }
}

std::string csv_field(std::string_view text) {
  const bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@');
  const bool quote = formula || text.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) return std::string(text);
  std::string out = "\"";
  if (formula) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void write_trace_csv(std::ostream& out, const TraceReport& report) {
  out << "direction,hop,timestamp,tx_hash,index,from,to,asset,amount,block_height,contract\n";
  for (std::size_t i = 0; i < report.edge_count(); ++i) {
    const ReportEdge edge = report.edge(i);
    out << edge.direction << ',' << edge.hop << ',' << core::format_iso8601(edge.timestamp) << ','
        << csv_field(edge.tx_hash.str()) << ',' << edge.index << ',' << csv_field(edge.from) << ','
        << csv_field(edge.to) << ',' << csv_field(edge.asset) << ',' << edge.amount << ','
        << (edge.block_height ? std::to_string(*edge.block_height) : "") << ',' << csv_field(edge.contract) << '\n';
  }
}

}  // namespace fundtrail::report
