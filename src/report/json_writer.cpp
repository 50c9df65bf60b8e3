#include "fundtrail/report/json_writer.hpp"

#include <nlohmann/json.hpp>

namespace fundtrail::report {

namespace {

// Plain printable ASCII needs no escaping (the common case: addresses, hashes, decimals).
bool is_plain(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

void write_quoted(std::ostream& out, std::string_view text) {
  if (is_plain(text)) {
    out.put('"');
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.put('"');
  } else {
    out << json_quote(text);
  }
}

}  // namespace

std::string json_quote(std::string_view text) {
  if (is_plain(text)) {
    std::string out;
    out.reserve(text.size() + 2);
    out.push_back('"');
    out.append(text);
    out.push_back('"');
    return out;
  }
  return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void JsonWriter::newline_indent(std::size_t depth) {
  out_ << '\n';
  for (std::size_t i = 0; i < depth; ++i) out_ << "  ";
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& level = stack_.back();
  if (!level.empty) out_ << ',';
  level.empty = false;
  newline_indent(stack_.size());
}

JsonWriter& JsonWriter::key(std::string_view name) {
  Level& level = stack_.back();
  if (!level.empty) out_ << ',';
  level.empty = false;
  newline_indent(stack_.size());
  write_quoted(out_, name);
  out_ << ": ";
  after_key_ = true;
  return *this;
}

void JsonWriter::begin_object() {
  before_value();
  out_ << '{';
  stack_.push_back(Level{true});
}

void JsonWriter::end_object() {
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline_indent(stack_.size());
  out_ << '}';
}

void JsonWriter::begin_array() {
  before_value();
  out_ << '[';
  stack_.push_back(Level{false});
}

void JsonWriter::end_array() {
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline_indent(stack_.size());
  out_ << ']';
}

void JsonWriter::value(std::string_view text) {
  before_value();
  write_quoted(out_, text);
}

void JsonWriter::value(std::int64_t number) {
  before_value();
  out_ << number;
}

void JsonWriter::value(std::uint64_t number) {
  before_value();
  out_ << number;
}

void JsonWriter::value(bool flag) {
  before_value();
  out_ << (flag ? "true" : "false");
}

void JsonWriter::null() {
  before_value();
  out_ << "null";
}

}  // namespace fundtrail::report
