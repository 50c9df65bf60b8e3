#include "fundtrail/core/timestamp.hpp"

#include <charconv>
#include <system_error>

#include "fundtrail/core/error.hpp"

namespace fundtrail::core {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;
// Real timestamps are at most ~35 characters ("2024-03-01T12:00:00.123456789+05:30"); the cap only keeps
// hostile cells from being echoed or scanned at length.
constexpr std::size_t kMaxTextLength = 64;

// Days since 1970-01-01 for a proleptic Gregorian date: Howard Hinnant's days_from_civil
// (https://howardhinnant.github.io/date_algorithms.html#days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Inverse of days_from_civil, same source (civil_from_days).
constexpr CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(civil_from_days(11017).year == 2000 && civil_from_days(11017).month == 3);

constexpr bool is_leap_year(std::int64_t y) noexcept { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

constexpr std::int64_t kMinFormattable = days_from_civil(0, 1, 1) * kSecondsPerDay;
constexpr std::int64_t kMaxFormattable = days_from_civil(9999, 12, 31) * kSecondsPerDay + kSecondsPerDay - 1;

[[noreturn]] [[gnu::cold]] void fail(std::string_view text, const std::string& reason) {
  // Same rules as for amounts: at most 80 bytes, quoted, control characters and quotes escaped.
  throw invalid_argument("invalid timestamp " + printable_excerpt(text, 80, ExcerptStyle::QuotedUtf8) + ": " + reason);
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::string two_digits(unsigned value) {
  return {static_cast<char>('0' + value / 10 % 10), static_cast<char>('0' + value % 10)};
}

class IsoParser {
 public:
  explicit IsoParser(std::string_view text) : text_(text) {}

  UnixSeconds parse() {
    const unsigned year = digits(4, "year");
    expect('-', "'-' after the year");
    const unsigned month = digits(2, "month");
    expect('-', "'-' after the month");
    const unsigned day = digits(2, "day");
    if (month < 1 || month > 12) fail(text_, "month " + std::to_string(month) + " is out of range 1-12");
    const unsigned month_days = days_in_month(year, month);
    if (day < 1 || day > month_days) {
      fail(text_, "day " + std::to_string(day) + " is out of range: " + std::to_string(year) + "-" +
                      two_digits(month) + " has " + std::to_string(month_days) + " days");
    }
    const std::int64_t days = days_from_civil(year, month, day);
    if (at_end()) return days * kSecondsPerDay;  // a bare date means midnight UTC

    const char separator = text_[pos_];
    if (separator != 'T' && separator != 't' && separator != ' ') {
      fail(text_, "expected 'T' or a space between date and time at position " + std::to_string(pos_ + 1));
    }
    ++pos_;
    const unsigned hour = digits(2, "hour");
    expect(':', "':' after the hour");
    const unsigned minute = digits(2, "minute");
    expect(':', "':' after the minute (seconds are required)");
    unsigned second = digits(2, "second");
    if (hour > 23) fail(text_, "hour " + std::to_string(hour) + " is out of range 0-23");
    if (minute > 59) fail(text_, "minute " + std::to_string(minute) + " is out of range 0-59");
    if (second > 60) fail(text_, "second " + std::to_string(second) + " is out of range 0-60");
    const bool leap_second = second == 60;
    if (leap_second) second = 59;

    if (!at_end() && text_[pos_] == '.') {
      ++pos_;
      const std::size_t begin = pos_;
      while (!at_end() && is_digit(text_[pos_])) ++pos_;
      if (pos_ == begin) fail(text_, "no digits after the decimal point of the seconds");
    }

    std::int64_t offset = 0;
    if (at_end()) fail(text_, "no time zone: append 'Z' for UTC or an offset like +02:00");
    const char zone = text_[pos_];
    if (zone == 'Z' || zone == 'z') {
      ++pos_;
    } else if (zone == '+' || zone == '-') {
      ++pos_;
      const unsigned offset_hours = digits(2, "offset hours");
      expect(':', "':' in the offset (+HH:MM)");
      const unsigned offset_minutes = digits(2, "offset minutes");
      if (offset_hours > 23 || offset_minutes > 59) fail(text_, "offset out of range (at most +23:59)");
      offset = static_cast<std::int64_t>(offset_hours * 3600 + offset_minutes * 60);
      if (zone == '-') offset = -offset;
    } else {
      fail(text_, "expected 'Z' or an offset like +02:00 at position " + std::to_string(pos_ + 1));
    }
    if (!at_end()) fail(text_, "unexpected text after the time zone at position " + std::to_string(pos_ + 1));

    const UnixSeconds result = days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset;
    // Unix time has no leap seconds; 23:59:60 UTC is folded onto 23:59:59 (see the header). Anywhere else a
    // 60 is a typo, not a leap second.
    if (leap_second && ((result + 1) % kSecondsPerDay + kSecondsPerDay) % kSecondsPerDay != 0) {
      fail(text_, "second 60 is only valid for a leap second at 23:59:60 UTC");
    }
    return result;
  }

 private:
  bool at_end() const noexcept { return pos_ >= text_.size(); }

  unsigned digits(std::size_t count, const char* what) {
    unsigned value = 0;
    for (std::size_t i = 0; i < count; ++i, ++pos_) {
      if (at_end() || !is_digit(text_[pos_])) {
        fail(text_, "expected " + std::to_string(count) + " digits for the " + what + " at position " +
                        std::to_string(pos_ - i + 1));
      }
      value = value * 10 + static_cast<unsigned>(text_[pos_] - '0');
    }
    return value;
  }

  void expect(char c, const char* what) {
    if (at_end() || text_[pos_] != c) fail(text_, std::string("expected ") + what + " at position " + std::to_string(pos_ + 1));
    ++pos_;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

UnixSeconds parse_timestamp(std::string_view text) {
  if (text.empty()) fail(text, "empty");
  if (text.size() > kMaxTextLength) fail(text, "longer than " + std::to_string(kMaxTextLength) + " characters");

  const std::size_t digits_begin = text[0] == '-' ? 1 : 0;
  bool all_digits = text.size() > digits_begin;
  for (std::size_t i = digits_begin; i < text.size() && all_digits; ++i) all_digits = is_digit(text[i]);
  if (all_digits) {
    UnixSeconds value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec == std::errc::result_out_of_range) fail(text, "unix seconds outside the 64-bit range");
    return value;
  }

  if (text.size() >= 5 && is_digit(text[0]) && is_digit(text[1]) && is_digit(text[2]) && is_digit(text[3]) &&
      text[4] == '-') {
    return IsoParser(text).parse();
  }
  if (text[0] == ' ' || text.back() == ' ') fail(text, "leading or trailing whitespace");
  fail(text, "expected unix seconds or an ISO-8601 UTC time like 2024-03-01T12:00:00Z");
}

Iso8601Text format_iso8601_text(UnixSeconds seconds) {
  if (seconds < kMinFormattable || seconds > kMaxFormattable) {
    throw invalid_argument("timestamp " + std::to_string(seconds) +
                           " is outside the years 0000-9999 that ISO-8601 text can show");
  }
  // Floor division: -1 is 1969-12-31T23:59:59, not a day later.
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t rest = seconds % kSecondsPerDay;
  if (rest < 0) {
    rest += kSecondsPerDay;
    --days;
  }
  const CivilDate date = civil_from_days(days);
  const auto second_of_day = static_cast<unsigned>(rest);
  const auto year = static_cast<unsigned>(date.year);

  Iso8601Text text;
  char* out = text.chars.data();
  auto put_two = [](char* at, unsigned value) {
    at[0] = static_cast<char>('0' + value / 10);
    at[1] = static_cast<char>('0' + value % 10);
  };
  out[0] = static_cast<char>('0' + year / 1000);
  out[1] = static_cast<char>('0' + year / 100 % 10);
  out[2] = static_cast<char>('0' + year / 10 % 10);
  out[3] = static_cast<char>('0' + year % 10);
  out[4] = '-';
  put_two(out + 5, static_cast<unsigned>(date.month));
  out[7] = '-';
  put_two(out + 8, static_cast<unsigned>(date.day));
  out[10] = 'T';
  put_two(out + 11, second_of_day / 3600);
  out[13] = ':';
  put_two(out + 14, second_of_day / 60 % 60);
  out[16] = ':';
  put_two(out + 17, second_of_day % 60);
  out[19] = 'Z';
  return text;
}

std::string format_iso8601(UnixSeconds seconds) { return std::string(format_iso8601_text(seconds).view()); }

}  // namespace fundtrail::core
