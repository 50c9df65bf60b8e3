#include "fundtrail/report/rendering.hpp"

#include "fundtrail/store/transfer_writer.hpp"

namespace fundtrail::report {

ReportTransfer describe_transfer(const graph::TransferGraph& graph, GraphLabels& labels, graph::EdgeIndex index) {
  return describe_transfer(graph, labels, index, graph.source_of(index));
}

ReportTransfer describe_transfer(const graph::TransferGraph& graph, GraphLabels& labels, graph::EdgeIndex index,
                                 graph::NodeId from) {
  return describe_transfer(graph, labels, index, from, labels.transaction(graph.edge(index).transfer_id));
}

ReportTransfer describe_transfer(const graph::TransferGraph& graph, GraphLabels& labels, graph::EdgeIndex index,
                                 graph::NodeId from, const TransactionLabel& transaction) {
  const graph::Edge& edge = graph.edge(index);
  const core::AssetInfo& asset = labels.asset(edge.asset);
  ReportTransfer transfer;
  transfer.tx_hash = transaction.tx_hash;
  transfer.index = store::transfer_index_of(edge.transfer_id);
  transfer.block_height = transaction.block_height;
  transfer.from = labels.address(from).address;
  transfer.to = labels.address(edge.to).address;
  transfer.timestamp = edge.timestamp;
  transfer.asset = asset.symbol;
  transfer.contract = asset.contract;
  transfer.amount = edge.amount_saturated()
                        ? graph.amount(index).to_display(asset.decimals)
                        : core::to_display(core::uint128{edge.amount_hi} << 64 | edge.amount_lo, asset.decimals);
  return transfer;
}

void write_transfer_fields(JsonWriter& json, const ReportTransfer& transfer) {
  if (transfer.tx_hash.is_hex()) {
    json.key("tx_hash").value_plain(transfer.tx_hash.size(), [&](char* out) { transfer.tx_hash.write(out); });
  } else {
    json.member("tx_hash", transfer.tx_hash.text());
  }
  json.member("index", transfer.index);
  json.member("from", transfer.from);
  json.member("to", transfer.to);
  json.member_plain("timestamp", core::format_iso8601_text(transfer.timestamp).view());
  json.member("asset", transfer.asset);
  write_contract(json, transfer.contract);
  json.member_plain("amount", transfer.amount);
  if (transfer.block_height) {
    json.member("block_height", *transfer.block_height);
  } else {
    json.member_null("block_height");
  }
}

void write_transfer_line(std::ostream& out, const ReportTransfer& transfer) {
  out << core::format_iso8601(transfer.timestamp) << "  " << transfer.from << " -> " << transfer.to << "  "
      << transfer.amount << " " << display_label(transfer.asset);
}

void write_filters(JsonWriter& json, const TransferFilters& filters) {
  json.begin_object();
  json.key("since");
  write_optional_time(json, filters.since);
  json.key("until");
  write_optional_time(json, filters.until);
  json.key("asset").value(filters.asset);
  json.key("min_amount").value(filters.min_amount);
  json.end_object();
}

void write_filters_text(std::ostream& out, const TransferFilters& filters) {
  if (filters.since) out << ", since " << core::format_iso8601(*filters.since);
  if (filters.until) out << ", until " << core::format_iso8601(*filters.until);
  if (filters.asset) out << ", asset " << *filters.asset;
  if (filters.min_amount) out << ", min amount " << *filters.min_amount;
}

void write_optional_time(JsonWriter& json, const std::optional<core::UnixSeconds>& time) {
  if (time) {
    json.value_plain(core::format_iso8601_text(*time).view());
  } else {
    json.null();
  }
}

void write_contract(JsonWriter& json, std::string_view contract) {
  if (contract.empty()) {
    json.member_null("contract");
  } else {
    json.member("contract", contract);
  }
}

std::string display_label(std::string_view text, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (out.size() >= max_bytes) {
      out += "...";
      break;
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    // U+200E/F, U+202A..E, U+2066..9: marks and overrides that change the displayed order of text.
    if (byte == 0xE2 && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      const unsigned code = 0x2000u | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if ((b1 == 0x80 && (b2 == 0x8E || b2 == 0x8F || (b2 >= 0xAA && b2 <= 0xAE))) ||
          (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9)) {
        std::string escaped = "\\u{";
        for (int shift = 12; shift >= 0; shift -= 4) escaped += kHex[(code >> shift) & 0xF];
        out += escaped + "}";
        i += 3;
        continue;
      }
    }
    // C1 controls (U+0080..U+009F; U+009B is a terminal's CSI) as \u{00NN}.
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      const auto code = static_cast<unsigned char>(text[i + 1]);
      out += "\\u{00";
      out += kHex[code >> 4];
      out += kHex[code & 0xF];
      out += "}";
      i += 2;
      continue;
    }
    if (byte < 0x20 || byte == 0x7F || byte == '\\') {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
      ++i;
    } else {
      // A whole UTF-8 sequence at once, so a cut never splits one.
      std::size_t length = 1;
      while (i + length < text.size() && (static_cast<unsigned char>(text[i + length]) & 0xC0) == 0x80) ++length;
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace fundtrail::report
