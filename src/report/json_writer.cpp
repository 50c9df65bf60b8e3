#include "fundtrail/report/json_writer.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace fundtrail::report {

namespace {

// True when any byte of `word` is < 0x20, >= 0x7f, '"' or '\\' (SWAR: eight bytes per step).
bool needs_escape(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  const std::uint64_t control = (word - kOnes * 0x20) & ~word;  // bytes < 0x20 (or >= 0x80, caught below)
  const std::uint64_t high = word + kOnes * 0x01;               // 0x7f -> 0x80; >= 0x80 keep their top bit
  const std::uint64_t quote = word ^ (kOnes * '"');
  const std::uint64_t backslash = word ^ (kOnes * '\\');
  const std::uint64_t is_quote = (quote - kOnes) & ~quote;  // zero bytes of word ^ '"'
  const std::uint64_t is_backslash = (backslash - kOnes) & ~backslash;
  return ((control | high | word | is_quote | is_backslash) & kHigh) != 0;
}

// Plain printable ASCII needs no escaping (the common case: addresses, hashes, decimals).
bool is_plain(std::string_view text) {
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if (needs_escape(word)) return false;
  }
  for (; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte >= 0x7f || byte == '"' || byte == '\\') return false;
  }
  return true;
}

// A trace report is tens of megabytes of small pieces: they are gathered here and handed to the stream in
// large blocks, because each ostream insertion costs a sentry, a locale check and a virtual call.
constexpr std::size_t kFlushBytes = 1 << 18;

}  // namespace

bool JsonWriter::is_plain_text(std::string_view text) { return is_plain(text); }

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

JsonWriter::JsonWriter(std::ostream& out)
    : out_(&out), block_(std::make_unique<char[]>(kFlushBytes)), cursor_(block_.get()), end_(cursor_ + kFlushBytes) {}

JsonWriter::JsonWriter(ArrayItems position)
    : block_(std::make_unique_for_overwrite<char[]>(kFlushBytes)), cursor_(block_.get()), end_(cursor_ + kFlushBytes) {
  restart_items(position);
}

JsonWriter::~JsonWriter() { flush(); }

void JsonWriter::flush() {
  if (!out_ || cursor_ == block_.get()) return;
  out_->write(block_.get(), static_cast<std::streamsize>(cursor_ - block_.get()));
  cursor_ = block_.get();
}

void JsonWriter::make_room(std::size_t bytes) {
  const auto used = static_cast<std::size_t>(cursor_ - block_.get());
  if (!out_) {  // array items: the text stays, the block grows
    const std::size_t size = std::max(2 * static_cast<std::size_t>(end_ - block_.get()), used + bytes);
    auto grown = std::make_unique_for_overwrite<char[]>(size);
    std::memcpy(grown.get(), block_.get(), used);
    block_ = std::move(grown);
    cursor_ = block_.get() + used;
    end_ = block_.get() + size;
    return;
  }
  flush();
  if (bytes > static_cast<std::size_t>(end_ - cursor_)) {  // one piece larger than a block
    block_ = std::make_unique<char[]>(bytes);
    cursor_ = block_.get();
    end_ = cursor_ + bytes;
  }
}

void JsonWriter::restart_items(ArrayItems position) {
  if (out_ || position.depth == 0) throw std::logic_error("JsonWriter::restart_items: not an array items writer");
  cursor_ = block_.get();
  base_depth_ = position.depth - 1;
  stack_.assign(1, Level{false, position.items_before == 0});
  after_key_ = false;
}

void JsonWriter::splice_items(const JsonWriter& items) {
  if (items.out_ || stack_.empty() || stack_.back().is_object) {
    throw std::logic_error("JsonWriter::splice_items: needs array items, inside an array");
  }
  const std::string_view text(items.block_.get(), static_cast<std::size_t>(items.cursor_ - items.block_.get()));
  if (text.empty()) return;
  stack_.back().empty = false;
  if (out_ && text.size() >= kFlushBytes) {  // large: straight to the stream
    flush();
    out_->write(text.data(), static_cast<std::streamsize>(text.size()));
  } else {
    put(text);
  }
}

void JsonWriter::put(std::string_view text) {
  char* at = room(text.size());
  std::memcpy(at, text.data(), text.size());
  cursor_ += text.size();
}

void JsonWriter::maybe_flush() {
  // A finished document goes out at once, so text the caller writes to the stream afterwards follows it.
  if (stack_.empty()) flush();
}

void JsonWriter::write_quoted(std::string_view text) {
  if (is_plain(text)) {
    char* at = room(text.size() + 2);
    *at = '"';
    std::memcpy(at + 1, text.data(), text.size());
    at[text.size() + 1] = '"';
    cursor_ = at + text.size() + 2;
  } else {
    put(json_quote(text));
  }
}

void JsonWriter::newline_indent(std::size_t depth) {
  static constexpr std::string_view kIndent = "\n                                                                ";
  std::size_t width = 2 * depth;
  const std::size_t first = std::min(width, kIndent.size() - 1);
  put(kIndent.substr(0, first + 1));
  for (width -= first; width > 0; --width) put(' ');
}

void JsonWriter::separate() {
  Level& level = stack_.back();
  if (!level.empty) put(',');
  level.empty = false;
  newline_indent(base_depth_ + stack_.size());
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!stack_.empty()) separate();
}

JsonWriter& JsonWriter::key(JsonKey name) {
  separate();
  const std::string_view text = name.view();
  char* at = room(text.size() + 4);
  *at = '"';
  std::memcpy(at + 1, text.data(), text.size());
  std::memcpy(at + 1 + text.size(), "\": ", 3);
  cursor_ = at + text.size() + 4;
  after_key_ = true;
  return *this;
}

void JsonWriter::begin_object() {
  before_value();
  put('{');
  stack_.push_back(Level{true});
}

void JsonWriter::end_object() {
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline_indent(base_depth_ + stack_.size());
  put('}');
  maybe_flush();
}

void JsonWriter::begin_array() {
  before_value();
  put('[');
  stack_.push_back(Level{false});
}

void JsonWriter::end_array() {
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline_indent(base_depth_ + stack_.size());
  put(']');
  maybe_flush();
}

void JsonWriter::value(std::string_view text) {
  before_value();
  write_quoted(text);
  if (stack_.empty()) flush();
}

template <typename Integer>
void JsonWriter::write_integer(Integer number) {
  before_value();
  char* at = room(24);
  cursor_ = std::to_chars(at, at + 24, number).ptr;
  if (stack_.empty()) flush();
}

void JsonWriter::value(std::int64_t number) { write_integer(number); }

void JsonWriter::value(std::uint64_t number) { write_integer(number); }

void JsonWriter::value_plain(std::string_view text) {
  before_value();
  char* at = room(text.size() + 2);
  *at = '"';
  std::memcpy(at + 1, text.data(), text.size());
  at[text.size() + 1] = '"';
  cursor_ = at + text.size() + 2;
  if (stack_.empty()) flush();
}

void JsonWriter::value(bool flag) {
  before_value();
  put(flag ? "true" : "false");
  if (stack_.empty()) flush();
}

void JsonWriter::null() {
  before_value();
  put("null");
  if (stack_.empty()) flush();
}

}  // namespace fundtrail::report
