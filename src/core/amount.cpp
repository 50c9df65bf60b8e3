#include "fundtrail/core/amount.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <limits>

#include "fundtrail/core/asset.hpp"
#include "fundtrail/core/error.hpp"

namespace fundtrail::core {
namespace {

// Amount columns come from untrusted exports; anything longer than this is garbage, not a number, and
// refusing it early bounds the work done on hostile input.
constexpr std::size_t kMaxTextLength = 200;
// 2^256 - 1 has 78 decimal digits and 64 hex digits.
constexpr std::size_t kMaxDecimalDigits = 78;
constexpr std::size_t kMaxHexDigits = 64;
// 10^19 - 1 < 2^64 - 1, so any 19-digit decimal fits in a uint64.
constexpr std::size_t kUint64SafeDigits = 19;

constexpr std::array<std::uint64_t, 20> kPow10 = [] {
  std::array<std::uint64_t, 20> table{};
  std::uint64_t value = 1;
  for (auto& entry : table) {
    entry = value;
    value *= 10;
  }
  return table;
}();

const uint512& max_uint256() {
  static const uint512 value = (uint512(1) << 256) - 1;
  return value;
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

[[noreturn]] [[gnu::cold]] void fail(std::string_view what, std::string_view text, const std::string& reason) {
  // At most 80 bytes of the text (never splitting a UTF-8 sequence), quoted, control characters, quotes and
  // backslashes escaped so a hostile cell cannot forge output.
  throw invalid_argument("invalid " + std::string(what) + " " + printable_excerpt(text, 80, ExcerptStyle::QuotedUtf8) +
                         ": " + reason);
}

bool equals_ignore_case(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_word[i]) return false;
  }
  return true;
}

// Explains why text[pos] cannot appear in a number; shared by both parsers so users see one vocabulary.
[[noreturn]] [[gnu::cold]] void fail_character(std::string_view what, std::string_view text, std::size_t pos) {
  const char c = text[pos];
  if (equals_ignore_case(text, "nan") || equals_ignore_case(text, "inf") ||
      equals_ignore_case(text, "infinity")) {
    fail(what, text, "not a finite number");
  }
  if (pos == 0 && c == '-') fail(what, text, "negative amounts are not allowed");
  if (pos == 0 && c == '+') fail(what, text, "a sign is not allowed");
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
    if (pos == 0 || pos + 1 == text.size()) fail(what, text, "leading or trailing whitespace");
    fail(what, text, "whitespace inside the number");
  }
  if (c == ',') fail(what, text, "',' is not accepted: use '.' as the decimal point and no thousands separators");
  if ((c == 'e' || c == 'E') && pos > 0) fail(what, text, "exponent notation is not accepted");
  if (c == '.') fail(what, text, "more than one decimal point");
  std::string shown;
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7F) {
    static constexpr char kHex[] = "0123456789abcdef";
    shown = std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xF];
  } else {
    shown = std::string("character '") + c + "'";
  }
  fail(what, text, "unexpected " + shown + " at position " + std::to_string(pos + 1));
}

// Appends decimal digits to `value`, 19 at a time so each step is one multiprecision multiply-add.
void append_digits(uint512& value, std::string_view digits) {
  while (!digits.empty()) {
    const std::size_t take = std::min(digits.size(), kUint64SafeDigits);
    std::uint64_t chunk = 0;
    for (std::size_t i = 0; i < take; ++i) chunk = chunk * 10 + static_cast<std::uint64_t>(digits[i] - '0');
    value *= kPow10[take];
    value += chunk;
    digits.remove_prefix(take);
  }
}

void append_zeros(uint512& value, std::size_t count) {
  while (count > 0) {
    const std::size_t take = std::min(count, kUint64SafeDigits);
    value *= kPow10[take];
    count -= take;
  }
}

std::string_view strip_leading_zeros(std::string_view digits) {
  std::size_t i = 0;
  while (i < digits.size() && digits[i] == '0') ++i;
  return digits.substr(i);
}

}  // namespace

Amount Amount::parse_display(std::string_view text, unsigned decimals) {
  static constexpr std::string_view kWhat = "amount";
  if (decimals > kMaxDecimals) {
    fail(kWhat, text, std::to_string(decimals) + " decimals exceeds the maximum of " + std::to_string(kMaxDecimals));
  }
  const std::size_t n = text.size();
  if (n == 0) fail(kWhat, text, "empty");
  if (n > kMaxTextLength) fail(kWhat, text, "longer than " + std::to_string(kMaxTextLength) + " characters");

  const char* p = text.data();
  std::size_t i = 0;
  while (i < n && is_digit(p[i])) ++i;
  const std::size_t int_end = i;
  std::size_t frac_begin = n;
  if (i < n) {
    if (p[i] != '.') fail_character(kWhat, text, i);
    if (int_end == 0) fail(kWhat, text, "no digit before the decimal point (write \"0.5\", not \".5\")");
    frac_begin = ++i;
    while (i < n && is_digit(p[i])) ++i;
    if (i < n) fail_character(kWhat, text, i);
    if (frac_begin == n) fail(kWhat, text, "no digit after the decimal point (write \"1\" or \"1.0\", not \"1.\")");
  }

  std::size_t frac_len = n - frac_begin;
  if (frac_len > decimals) {
    // Exports often pad to a fixed width ("1.500000000" for an 8-decimal coin): zeros lose nothing.
    for (std::size_t k = frac_begin + decimals; k < n; ++k) {
      if (p[k] != '0') fail(kWhat, text, "more than " + std::to_string(decimals) + " decimal places");
    }
    frac_len = decimals;
  }

  std::size_t int_begin = 0;
  while (int_begin < int_end && p[int_begin] == '0') ++int_begin;
  const std::size_t int_digits = int_end - int_begin;

  if (int_digits + decimals <= kUint64SafeDigits) {
    std::uint64_t value = 0;
    for (std::size_t k = int_begin; k < int_end; ++k) value = value * 10 + static_cast<std::uint64_t>(p[k] - '0');
    for (std::size_t k = frac_begin; k < frac_begin + frac_len; ++k) {
      value = value * 10 + static_cast<std::uint64_t>(p[k] - '0');
    }
    return Amount(value * kPow10[decimals - frac_len]);
  }

  if (int_digits + decimals > kMaxDecimalDigits) fail(kWhat, text, "exceeds 256 bits in base units");
  uint512 value = 0;
  append_digits(value, text.substr(int_begin, int_digits));
  append_digits(value, text.substr(frac_begin, frac_len));
  append_zeros(value, decimals - frac_len);
  if (value > max_uint256()) fail(kWhat, text, "exceeds 256 bits in base units");
  return Amount(value);
}

Amount Amount::parse_base_units(std::string_view text) {
  static constexpr std::string_view kWhat = "base-unit amount";
  const std::size_t n = text.size();
  if (n == 0) fail(kWhat, text, "empty");
  if (n > kMaxTextLength) fail(kWhat, text, "longer than " + std::to_string(kMaxTextLength) + " characters");

  if (n >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    const std::string_view hex = text.substr(2);
    if (hex.empty()) fail(kWhat, text, "no hex digits after 0x");
    for (std::size_t k = 0; k < hex.size(); ++k) {
      if (hex_value(hex[k]) < 0) fail_character(kWhat, text, k + 2);
    }
    const std::string_view significant = strip_leading_zeros(hex);
    if (significant.size() > kMaxHexDigits) fail(kWhat, text, "exceeds 256 bits");
    if (significant.size() <= 16) {
      std::uint64_t value = 0;
      for (char c : significant) value = (value << 4) | static_cast<std::uint64_t>(hex_value(c));
      return Amount(value);
    }
    uint512 value = 0;
    for (char c : significant) {
      value <<= 4;
      value |= static_cast<unsigned>(hex_value(c));
    }
    return Amount(value);
  }

  for (std::size_t k = 0; k < n; ++k) {
    if (!is_digit(text[k])) {
      if (text[k] == '.') fail(kWhat, text, "base units are whole numbers; a decimal point is not allowed");
      fail_character(kWhat, text, k);
    }
  }
  const std::string_view significant = strip_leading_zeros(text);
  if (significant.size() <= kUint64SafeDigits) {
    std::uint64_t value = 0;
    for (char c : significant) value = value * 10 + static_cast<std::uint64_t>(c - '0');
    return Amount(value);
  }
  if (significant.size() > kMaxDecimalDigits) fail(kWhat, text, "exceeds 256 bits");
  uint512 value = 0;
  append_digits(value, significant);
  if (value > max_uint256()) fail(kWhat, text, "exceeds 256 bits");
  return Amount(value);
}

namespace {

// Base-unit digits -> display text: the point `decimals` digits from the right, no trailing zeros after it.
std::string place_point(std::string digits, unsigned decimals) {
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  const std::size_t point = digits.size() - decimals;
  const std::size_t last = digits.find_last_not_of('0');
  if (last == std::string::npos || last < point) return digits.substr(0, point);  // whole: no point
  digits.resize(last + 1);
  digits.insert(point, 1, '.');
  return digits;
}

}  // namespace

std::string to_display(uint128 base_units, unsigned decimals) {
  constexpr std::uint64_t kTen19 = 10'000'000'000'000'000'000ull;
  char buffer[48];
  char* end = buffer + sizeof buffer;
  char* begin = end;
  // Nineteen digits at a time in 64-bit arithmetic; at most three pieces for 128 bits.
  while (base_units > UINT64_MAX) {
    auto piece = static_cast<std::uint64_t>(base_units % kTen19);
    base_units /= kTen19;
    for (int i = 0; i < 19; ++i, piece /= 10) *--begin = static_cast<char>('0' + piece % 10);
  }
  char head[24];
  const auto written = std::to_chars(head, head + sizeof head, static_cast<std::uint64_t>(base_units));
  begin -= written.ptr - head;
  std::memcpy(begin, head, static_cast<std::size_t>(written.ptr - head));
  return place_point(std::string(begin, end), decimals);
}

std::string Amount::to_display(unsigned decimals) const {
  constexpr std::uint64_t kMax = UINT64_MAX;
  if (value_ <= kMax) return core::to_display(uint128{value_.convert_to<std::uint64_t>()}, decimals);
  return place_point(value_.str(), decimals);
}

std::string Amount::to_base_units() const { return value_.str(); }

bool Amount::fits_uint256() const { return value_ <= max_uint256(); }

Amount& Amount::operator+=(const Amount& other) {
  // uint512 arithmetic wraps silently; a wrapped total would under-report funds, so refuse instead.
  uint512 sum = value_ + other.value_;
  if (sum < value_) throw invalid_argument("amount sum overflows 512 bits");
  value_ = std::move(sum);
  return *this;
}

}  // namespace fundtrail::core
