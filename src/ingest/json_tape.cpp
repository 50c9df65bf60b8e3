#include "fundtrail/ingest/json_tape.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <system_error>

#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {
namespace {

// What a byte means inside a string: most bytes are plain and checked with one table lookup.
enum StringByte : std::uint8_t { kPlain = 0, kQuote, kBackslash, kControl, kNonAscii };

constexpr std::array<std::uint8_t, 256> make_string_bytes() {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = kControl;
  table['"'] = kQuote;
  table['\\'] = kBackslash;
  for (int c = 0x80; c < 0x100; ++c) table[c] = kNonAscii;
  return table;
}
constexpr std::array<std::uint8_t, 256> kStringBytes = make_string_bytes();

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// The digits of a non-negative integer; false when the value does not fit 64 bits.
bool accumulate_digits(std::string_view digits, std::uint64_t& value) noexcept {
  value = 0;
  for (char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

// For a grammatical JSON number that is not 0: whether its magnitude is >= 1, from its first significant
// digit's decimal position and the exponent (saturated: hostile exponents have thousands of digits).
bool at_least_one(std::string_view number) noexcept {
  std::size_t i = number[0] == '-' ? 1 : 0;
  std::int64_t position = 0;  // decimal exponent of the first significant digit
  if (number[i] != '0') {
    const std::size_t start = i;
    while (i < number.size() && is_digit(number[i])) ++i;
    position = static_cast<std::int64_t>(i - start) - 1;
  } else {
    ++i;
    if (i < number.size() && number[i] == '.') {
      ++i;
      std::int64_t zeros = 0;
      while (i < number.size() && number[i] == '0') ++i, ++zeros;
      if (i >= number.size() || !is_digit(number[i])) return false;  // all zeros: the value is 0
      position = -(zeros + 1);
    } else {
      return false;  // 0 or 0e...
    }
  }
  while (i < number.size() && number[i] != 'e' && number[i] != 'E') ++i;
  std::int64_t exponent = 0;
  if (i < number.size()) {
    ++i;
    const bool negative = number[i] == '-';
    if (number[i] == '+' || number[i] == '-') ++i;
    for (; i < number.size(); ++i) exponent = std::min<std::int64_t>(exponent * 10 + (number[i] - '0'), 1'000'000);
    if (negative) exponent = -exponent;
  }
  return position + exponent >= 0;
}

std::string describe_byte(std::string_view text, std::size_t at) {
  if (at >= text.size()) return "the end of the input";
  return "'" + printable_excerpt(text.substr(at, 1)) + "'";
}

}  // namespace

// ---- JsonValue ----

JsonType JsonValue::type() const noexcept { return tape_->entries_[index_].type; }

std::string_view JsonValue::text() const noexcept {
  const JsonTape::Entry& entry = tape_->entries_[index_];
  const std::string_view source = entry.decoded ? std::string_view(tape_->decoded_) : tape_->text_;
  return source.substr(entry.offset, entry.length);
}

std::uint64_t JsonValue::unsigned_value() const noexcept {
  std::uint64_t value = 0;
  accumulate_digits(text(), value);  // checked to fit when parsed
  return value;
}

std::int64_t JsonValue::signed_value() const noexcept {
  if (type() == JsonType::Unsigned) return static_cast<std::int64_t>(unsigned_value());
  std::uint64_t magnitude = 0;
  accumulate_digits(text().substr(1), magnitude);  // <= 2^63, checked when parsed
  return static_cast<std::int64_t>(0 - magnitude);
}

std::size_t JsonValue::size() const noexcept {
  const JsonTape::Entry& entry = tape_->entries_[index_];
  return (entry.type == JsonType::Object || entry.type == JsonType::Array) ? entry.length : 0;
}

std::optional<JsonValue> JsonValue::find(std::string_view key) const noexcept {
  const JsonTape::Entry& object = tape_->entries_[index_];
  if (object.type != JsonType::Object) return std::nullopt;
  std::optional<JsonValue> found;
  // Members are key, value, key, value...; a value's `end` is where the next key starts.
  for (std::uint32_t at = index_ + 1; at < object.end; at = tape_->entries_[at + 1].end) {
    if (JsonValue(*tape_, at).text() == key) found = JsonValue(*tape_, at + 1);
  }
  return found;
}

JsonValue::Iterator& JsonValue::Iterator::operator++() noexcept {
  index_ = tape_->entries_[index_].end;
  return *this;
}

JsonValue::Range JsonValue::elements() const noexcept {
  const JsonTape::Entry& entry = tape_->entries_[index_];
  if (entry.type != JsonType::Array) return Range{Iterator(*tape_, index_), Iterator(*tape_, index_)};
  return Range{Iterator(*tape_, index_ + 1), Iterator(*tape_, entry.end)};
}

// ---- JsonTape ----

JsonValue JsonTape::root() const {
  if (entries_.empty()) throw std::logic_error("JsonTape::root() before a successful parse");
  return JsonValue(*this, 0);
}

void JsonTape::fail(std::size_t at, const std::string& what) const {
  throw JsonSyntaxError("syntax error at byte " + std::to_string(at) + ": " + what);
}

void JsonTape::skip_whitespace() noexcept {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    ++pos_;
  }
}

std::uint32_t JsonTape::push(JsonType type, std::size_t offset, std::size_t length) {
  const auto index = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back(Entry{type, false, static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(length),
                           index + 1});
  return index;
}

void JsonTape::parse(std::string_view text) {
  entries_.clear();
  open_.clear();
  decoded_.clear();
  text_ = text;
  pos_ = 0;
  // Offsets and indexes are 32-bit; no provider response comes near this.
  if (text.size() >= std::numeric_limits<std::uint32_t>::max()) fail(0, "document larger than 4 GiB");
  entries_.reserve(text.size() / 12 + 16);
  try {
    enum class Expect { Value, Key, AfterValue } expect = Expect::Value;
    while (true) {
      skip_whitespace();
      if (expect == Expect::Key) {
        if (pos_ >= text_.size() || text_[pos_] != '"') fail(pos_, "expected a string key, got " + describe_byte(text_, pos_));
        parse_string();
        skip_whitespace();
        if (pos_ >= text_.size() || text_[pos_] != ':') fail(pos_, "expected ':', got " + describe_byte(text_, pos_));
        ++pos_;
        expect = Expect::Value;
        continue;
      }
      if (expect == Expect::Value) {
        if (pos_ >= text_.size()) fail(pos_, "unexpected end of input, expected a value");
        const char c = text_[pos_];
        if (c == '{' || c == '[') {
          const bool object = c == '{';
          open_.push_back(push(object ? JsonType::Object : JsonType::Array, pos_, 0));
          ++pos_;
          skip_whitespace();
          if (pos_ < text_.size() && text_[pos_] == (object ? '}' : ']')) {
            ++pos_;
            entries_[open_.back()].end = static_cast<std::uint32_t>(entries_.size());
            open_.pop_back();
            expect = Expect::AfterValue;
          } else {
            expect = object ? Expect::Key : Expect::Value;
          }
          continue;
        }
        if (c == '"') {
          parse_string();
        } else if (c == '-' || is_digit(c)) {
          parse_number();
        } else if (c == 't') {
          parse_literal("true", JsonType::True);
        } else if (c == 'f') {
          parse_literal("false", JsonType::False);
        } else if (c == 'n') {
          parse_literal("null", JsonType::Null);
        } else {
          fail(pos_, "expected a value, got " + describe_byte(text_, pos_));
        }
        expect = Expect::AfterValue;
        continue;
      }
      // AfterValue: the value just completed belongs to the innermost open container, if any.
      if (open_.empty()) break;
      Entry& container = entries_[open_.back()];
      ++container.length;
      const bool object = container.type == JsonType::Object;
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        expect = object ? Expect::Key : Expect::Value;
      } else if (pos_ < text_.size() && text_[pos_] == (object ? '}' : ']')) {
        ++pos_;
        container.end = static_cast<std::uint32_t>(entries_.size());
        open_.pop_back();
        // Stays AfterValue: the closed container is a value of its parent.
      } else {
        fail(pos_, std::string("expected ',' or '") + (object ? '}' : ']') + "', got " + describe_byte(text_, pos_));
      }
    }
    if (pos_ != text_.size()) fail(pos_, "unexpected " + describe_byte(text_, pos_) + " after the document");
  } catch (const JsonSyntaxError&) {
    entries_.clear();
    throw;
  }
}

void JsonTape::parse_literal(std::string_view word, JsonType type) {
  if (text_.substr(pos_, word.size()) != word) {
    fail(pos_, "invalid literal '" + printable_excerpt(text_.substr(pos_, word.size()), 8) + "', expected '" +
                   std::string(word) + "'");
  }
  push(type, pos_, word.size());
  pos_ += word.size();
}

void JsonTape::parse_string() {
  const std::size_t begin = ++pos_;  // after the opening quote
  while (pos_ < text_.size()) {
    switch (kStringBytes[static_cast<unsigned char>(text_[pos_])]) {
      case kPlain:
        ++pos_;
        break;
      case kQuote:
        push(JsonType::String, begin, pos_ - begin);
        ++pos_;
        return;
      case kBackslash:
        parse_escaped_string(begin);
        return;
      case kControl:
        fail(pos_, "control character " + describe_byte(text_, pos_) + " in a string must be escaped");
      default:
        check_utf8_sequence();
    }
  }
  fail(begin - 1, "unterminated string");
}

// The slow path, for the rare string with escapes: decoded into decoded_, which the entry then points into.
void JsonTape::parse_escaped_string(std::size_t begin) {
  const std::size_t offset = decoded_.size();
  decoded_.append(text_.substr(begin, pos_ - begin));
  while (pos_ < text_.size()) {
    const std::size_t start = pos_;
    switch (kStringBytes[static_cast<unsigned char>(text_[pos_])]) {
      case kPlain:
        decoded_.push_back(text_[pos_++]);
        break;
      case kQuote: {
        const std::uint32_t index = push(JsonType::String, offset, decoded_.size() - offset);
        entries_[index].decoded = true;
        ++pos_;
        return;
      }
      case kBackslash:
        append_escape();
        break;
      case kControl:
        fail(pos_, "control character " + describe_byte(text_, pos_) + " in a string must be escaped");
      default:
        check_utf8_sequence();
        decoded_.append(text_.substr(start, pos_ - start));
    }
  }
  fail(begin - 1, "unterminated string");
}

void JsonTape::append_escape() {
  const std::size_t at = pos_++;  // the backslash
  if (pos_ >= text_.size()) fail(at, "unterminated string");
  const char c = text_[pos_++];
  static constexpr std::string_view kEscaped = "\"\\/bfnrt";
  static constexpr std::string_view kMeaning = "\"\\/\b\f\n\r\t";
  if (const std::size_t simple = kEscaped.find(c); simple != std::string_view::npos) {
    decoded_.push_back(kMeaning[simple]);
    return;
  }
  if (c != 'u') fail(at, "invalid escape '\\" + printable_excerpt(std::string_view(&c, 1)) + "'");
  const auto read_hex4 = [this, at]() {
    if (text_.size() - pos_ < 4) fail(at, "\\u must be followed by 4 hex digits");
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = hex_value(text_[pos_ + i]);
      if (digit < 0) fail(at, "\\u must be followed by 4 hex digits");
      value = value << 4 | static_cast<std::uint32_t>(digit);
    }
    pos_ += 4;
    return value;
  };
  std::uint32_t code_point = read_hex4();
  if (code_point >= 0xDC00 && code_point <= 0xDFFF) fail(at, "low surrogate \\u without a high surrogate before it");
  if (code_point >= 0xD800 && code_point <= 0xDBFF) {
    if (text_.substr(pos_, 2) != "\\u") fail(at, "high surrogate \\u must be followed by a low surrogate \\u");
    pos_ += 2;
    const std::uint32_t low = read_hex4();
    if (low < 0xDC00 || low > 0xDFFF) fail(at, "high surrogate \\u must be followed by a low surrogate \\u");
    code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
  }
  append_utf8(decoded_, code_point);
}

// One multi-byte UTF-8 sequence at pos_ (RFC 3629's table: no overlong forms, surrogates or > U+10FFFF).
void JsonTape::check_utf8_sequence() {
  const auto byte = [this](std::size_t i) -> unsigned {
    return i < text_.size() ? static_cast<unsigned char>(text_[i]) : 0u;
  };
  const unsigned lead = byte(pos_);
  unsigned low = 0x80;
  unsigned high = 0xBF;
  std::size_t continuation = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuation = 2;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuation = 3;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    fail(pos_, "invalid UTF-8 byte " + describe_byte(text_, pos_) + " in a string");
  }
  for (std::size_t i = 1; i <= continuation; ++i) {
    const unsigned next = byte(pos_ + i);
    const bool ok = i == 1 ? (next >= low && next <= high) : (next >= 0x80 && next <= 0xBF);
    if (!ok) fail(pos_, "ill-formed UTF-8 sequence in a string");
  }
  pos_ += continuation + 1;
}

void JsonTape::parse_number() {
  const std::size_t begin = pos_;
  const bool negative = text_[pos_] == '-';
  if (negative) ++pos_;
  const std::size_t digits_begin = pos_;
  if (pos_ < text_.size() && text_[pos_] == '0') {
    ++pos_;
  } else if (pos_ < text_.size() && is_digit(text_[pos_])) {
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
  } else {
    fail(pos_, "invalid number: expected a digit, got " + describe_byte(text_, pos_));
  }
  const std::size_t digits_end = pos_;
  bool integer = true;
  if (pos_ < text_.size() && text_[pos_] == '.') {
    integer = false;
    ++pos_;
    if (pos_ >= text_.size() || !is_digit(text_[pos_])) {
      fail(pos_, "invalid number: expected a digit after '.', got " + describe_byte(text_, pos_));
    }
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    integer = false;
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (pos_ >= text_.size() || !is_digit(text_[pos_])) {
      fail(pos_, "invalid number: expected a digit in the exponent, got " + describe_byte(text_, pos_));
    }
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
  }
  const std::string_view number = text_.substr(begin, pos_ - begin);
  if (integer) {
    std::uint64_t magnitude = 0;
    if (accumulate_digits(text_.substr(digits_begin, digits_end - digits_begin), magnitude)) {
      if (!negative) {
        push(JsonType::Unsigned, begin, number.size());
        return;
      }
      if (magnitude <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1) {
        // "-0" is a Signed 0, as in nlohmann.
        push(JsonType::Signed, begin, number.size());
        return;
      }
    }
  }
  // Like nlohmann: any other number is a double, and one too large for a double is refused (one too small
  // to be told from 0 is accepted, as strtod rounds it to 0). from_chars, unlike strtod, ignores the locale.
  double value = 0;
  const auto result = std::from_chars(number.data(), number.data() + number.size(), value);
  if (result.ec == std::errc::result_out_of_range && at_least_one(number)) {
    fail(begin, "number overflow parsing '" + printable_excerpt(number, 40) + "'");
  }
  push(JsonType::Float, begin, number.size());
}

}  // namespace fundtrail::ingest
