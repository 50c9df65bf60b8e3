#include "fundtrail/report/trace_output.hpp"

#include <array>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

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

// The rows of the "nodes" and "edges" arrays in batches; with a large report whose rows may be described
// concurrently (TraceReport::rows_concurrent), two threads take the batches in turn. This one writes its
// batches straight to the output; the other formats into a few reusable buffers that this one splices in
// their turn. Output is byte for byte what one thread writes; memory stays a few buffers, whatever the size.
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
      helper_ = std::thread([this] { format_odd_batches(); });
    }
  }
  ~RowWriter() { stop(); }
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;

  // Writes the rows of `section` into the array `json` has open.
  void write(Section section) {
    for (; next_ < batches_.size() && batches_[next_].section == section; ++next_) {
      if (!helper_.joinable() || next_ % 2 == 0) {
        format(batches_[next_], json_);
        continue;
      }
      Slot& slot = slots_[(next_ / 2) % kSlots];
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return slot.ready; });
      if (slot.error) std::rethrow_exception(slot.error);
      json_.splice_items(*slot.items);
      slot.ready = false;
      lock.unlock();
      changed_.notify_all();
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
  struct Slot {
    std::unique_ptr<JsonWriter> items;
    bool ready = false;  // formatted, not yet spliced
    std::exception_ptr error;
  };

  void format(const Batch& batch, JsonWriter& json) const {
    for (std::size_t i = batch.begin; i < batch.end; ++i) {
      if (batch.section == Section::Nodes) {
        write_node(json, report_.node(i));
      } else {
        write_edge(json, report_.edge(i));
      }
    }
  }

  void format_odd_batches() {
    for (std::size_t k = 1; k < batches_.size(); k += 2) {
      Slot& slot = slots_[(k / 2) % kSlots];
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !slot.ready || stopping_; });
        if (stopping_) return;
      }
      try {
        slot.items->restart_items(JsonWriter::ArrayItems{2, batches_[k].begin});
        format(batches_[k], *slot.items);
      } catch (...) {
        slot.error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex_);
        slot.ready = true;
      }
      changed_.notify_all();
      if (slot.error) return;
    }
  }

  void stop() {
    if (!helper_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    helper_.join();
  }

  const TraceReport& report_;
  JsonWriter& json_;
  std::vector<Batch> batches_;
  std::size_t next_ = 0;
  std::array<Slot, kSlots> slots_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
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
