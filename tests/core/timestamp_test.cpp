#include "fundtrail/core/timestamp.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

#include "fundtrail/core/error.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::core {
namespace {

using ::testing::HasSubstr;

// The message of the fundtrail::Error `fn` throws, after checking it is an InvalidArgument; "" if none.
using test::invalid_argument_message;

std::string parse_error(std::string_view text) {
  return invalid_argument_message([&] { parse_timestamp(text); });
}

TEST(ParseTimestamp, KnownPairs) {
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_timestamp("2024-03-01T12:00:00Z"), 1709294400);
  EXPECT_EQ(parse_timestamp("2009-01-03T18:15:05Z"), 1231006505);  // Bitcoin genesis block
  EXPECT_EQ(parse_timestamp("2000-02-29T00:00:00Z"), 951782400);
  EXPECT_EQ(parse_timestamp("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(parse_timestamp("0000-01-01T00:00:00Z"), -62167219200);
  EXPECT_EQ(parse_timestamp("9999-12-31T23:59:59Z"), 253402300799);
}

TEST(ParseTimestamp, AcceptedSpellings) {
  EXPECT_EQ(parse_timestamp("2024-03-01 12:00:00Z"), 1709294400);
  EXPECT_EQ(parse_timestamp("2024-03-01t12:00:00z"), 1709294400);
  EXPECT_EQ(parse_timestamp("2024-03-01T12:00:00+00:00"), 1709294400);
  EXPECT_EQ(parse_timestamp("2024-03-01T12:00:00-00:00"), 1709294400);
  EXPECT_EQ(parse_timestamp("2024-03-01"), 1709251200);
}

TEST(ParseTimestamp, FractionIsTruncated) {
  EXPECT_EQ(parse_timestamp("2024-03-01T12:00:00.250Z"), 1709294400);
  EXPECT_EQ(parse_timestamp("2024-03-01T12:00:00.999999999+00:00"), 1709294400);
  // Truncating the seconds field before 1970 still lands on the earlier second.
  EXPECT_EQ(parse_timestamp("1969-12-31T23:59:59.9Z"), -1);
  EXPECT_THAT(parse_error("2024-03-01T12:00:00.Z"), HasSubstr("no digits after the decimal point"));
}

TEST(ParseTimestamp, OffsetsConvertToUtc) {
  EXPECT_EQ(parse_timestamp("2024-03-01T17:30:00+05:30"), 1709294400);
  EXPECT_EQ(parse_timestamp("2024-03-01T09:00:00-03:00"), 1709294400);
  // The offset moves the instant across a day and a year boundary.
  EXPECT_EQ(parse_timestamp("2024-01-01T02:00:00+03:00"), parse_timestamp("2023-12-31T23:00:00Z"));
  EXPECT_EQ(parse_timestamp("2023-12-31T21:00:00-03:00"), parse_timestamp("2024-01-01T00:00:00Z"));
  EXPECT_THAT(parse_error("2024-03-01T12:00:00+24:00"), HasSubstr("offset out of range"));
  EXPECT_THAT(parse_error("2024-03-01T12:00:00+05:60"), HasSubstr("offset out of range"));
  EXPECT_THAT(parse_error("2024-03-01T12:00:00+0530"), HasSubstr("expected ':' in the offset"));
}

TEST(ParseTimestamp, LeapYears) {
  EXPECT_EQ(parse_timestamp("2024-02-29T00:00:00Z"), 1709164800);
  EXPECT_EQ(parse_timestamp("2000-02-29"), 951782400);
  EXPECT_THAT(parse_error("2023-02-29T00:00:00Z"), HasSubstr("day 29 is out of range: 2023-02 has 28 days"));
  EXPECT_THAT(parse_error("1900-02-29"), HasSubstr("1900-02 has 28 days"));  // century rule
  EXPECT_THAT(parse_error("2024-02-30"), HasSubstr("2024-02 has 29 days"));
}

TEST(ParseTimestamp, RejectsOutOfRangeFields) {
  EXPECT_THAT(parse_error("2024-13-01T00:00:00Z"), HasSubstr("month 13 is out of range 1-12"));
  EXPECT_THAT(parse_error("2024-00-01T00:00:00Z"), HasSubstr("month 0 is out of range"));
  EXPECT_THAT(parse_error("2024-04-31T00:00:00Z"), HasSubstr("day 31 is out of range: 2024-04 has 30 days"));
  EXPECT_THAT(parse_error("2024-04-00T00:00:00Z"), HasSubstr("day 0 is out of range"));
  EXPECT_THAT(parse_error("2024-03-01T24:00:00Z"), HasSubstr("hour 24 is out of range 0-23"));
  EXPECT_THAT(parse_error("2024-03-01T12:60:00Z"), HasSubstr("minute 60 is out of range 0-59"));
  EXPECT_THAT(parse_error("2024-03-01T12:00:61Z"), HasSubstr("second 61 is out of range 0-60"));
}

TEST(ParseTimestamp, LeapSecondOnlyAtEndOfUtcDay) {
  EXPECT_EQ(parse_timestamp("2016-12-31T23:59:60Z"), parse_timestamp("2016-12-31T23:59:59Z"));
  // 23:59:60 UTC seen from India is 05:29:60 local.
  EXPECT_EQ(parse_timestamp("2017-01-01T05:29:60+05:30"), parse_timestamp("2016-12-31T23:59:59Z"));
  EXPECT_THAT(parse_error("2016-12-31T12:34:60Z"), HasSubstr("only valid for a leap second at 23:59:60 UTC"));
  EXPECT_THAT(parse_error("2016-12-31T23:59:60+01:00"), HasSubstr("only valid for a leap second"));
}

TEST(ParseTimestamp, RequiresAZone) {
  EXPECT_THAT(parse_error("2024-03-01T12:00:00"), HasSubstr("no time zone"));
  EXPECT_THAT(parse_error("2024-03-01 12:00:00.5"), HasSubstr("no time zone"));
  EXPECT_THAT(parse_error("2024-03-01T12:00:00 UTC"), HasSubstr("expected 'Z' or an offset"));
}

TEST(ParseTimestamp, RejectsMalformedText) {
  EXPECT_THAT(parse_error(""), HasSubstr("empty"));
  EXPECT_THAT(parse_error("yesterday"), HasSubstr("expected unix seconds or an ISO-8601"));
  EXPECT_THAT(parse_error("03/01/2024"), HasSubstr("expected unix seconds or an ISO-8601"));
  EXPECT_THAT(parse_error("2024-3-1"), HasSubstr("expected 2 digits for the month"));
  EXPECT_THAT(parse_error("2024-03-01T12:00Z"), HasSubstr("seconds are required"));
  EXPECT_THAT(parse_error("2024-03-01X12:00:00Z"), HasSubstr("expected 'T' or a space"));
  EXPECT_THAT(parse_error("2024-03-01T12:00:00Zjunk"), HasSubstr("unexpected text after the time zone"));
  EXPECT_THAT(parse_error(" 1709294400"), HasSubstr("leading or trailing whitespace"));
  EXPECT_THAT(parse_error("+1709294400"), HasSubstr("expected unix seconds"));
  EXPECT_THAT(parse_error("-"), HasSubstr("expected unix seconds"));
  EXPECT_THAT(parse_error("1709294400.5"), HasSubstr("expected unix seconds"));
  const std::string long_text(65, '1');
  EXPECT_THAT(parse_error(long_text), HasSubstr("longer than 64 characters"));
}

TEST(ParseTimestamp, MessageNamesTextWithControlCharactersEscaped) {
  const std::string message = parse_error("2024-13-01\n");
  EXPECT_THAT(message, HasSubstr("invalid timestamp \"2024-13-01\\x0a\""));
}

TEST(ParseTimestamp, UnixSeconds) {
  EXPECT_EQ(parse_timestamp("1709294400"), 1709294400);
  EXPECT_EQ(parse_timestamp("0"), 0);
  EXPECT_EQ(parse_timestamp("-86400"), -86400);
  EXPECT_EQ(parse_timestamp("0001709294400"), 1709294400);
  EXPECT_EQ(parse_timestamp("9223372036854775807"), kMaxTime);
  EXPECT_EQ(parse_timestamp("-9223372036854775808"), kMinTime);
  EXPECT_THAT(parse_error("9223372036854775808"), HasSubstr("outside the 64-bit range"));
  EXPECT_THAT(parse_error("-9223372036854775809"), HasSubstr("outside the 64-bit range"));
  EXPECT_THAT(parse_error("99999999999999999999999"), HasSubstr("outside the 64-bit range"));
}

TEST(FormatIso8601, KnownPairs) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(1709294400), "2024-03-01T12:00:00Z");
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_iso8601(1709164800), "2024-02-29T00:00:00Z");
  EXPECT_EQ(format_iso8601(-62167219200), "0000-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(253402300799), "9999-12-31T23:59:59Z");
}

TEST(FormatIso8601, RejectsYearsOutsideFourDigits) {
  EXPECT_THAT(invalid_argument_message([] { format_iso8601(-62167219201); }), HasSubstr("years 0000-9999"));
  EXPECT_THAT(invalid_argument_message([] { format_iso8601(253402300800); }), HasSubstr("years 0000-9999"));
  EXPECT_THAT(invalid_argument_message([] { format_iso8601(kMinTime); }), HasSubstr("years 0000-9999"));
  EXPECT_THAT(invalid_argument_message([] { format_iso8601(kMaxTime); }), HasSubstr("years 0000-9999"));
}

// An independent oracle: walk the calendar day by day with naive month lengths and compare every midnight
// with what Hinnant's closed-form conversion produces, across several 400-year cycles and both signs.
TEST(FormatIso8601, MatchesNaiveCalendarEveryDay) {
  const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::int64_t day_number = parse_timestamp("1600-01-01") / 86400;
  char expected[32];
  for (int year = 1600; year <= 2400; ++year) {
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    for (int month = 1; month <= 12; ++month) {
      const int days = month_days[month - 1] + (month == 2 && leap ? 1 : 0);
      for (int day = 1; day <= days; ++day, ++day_number) {
        std::snprintf(expected, sizeof expected, "%04d-%02d-%02dT00:00:00Z", year, month, day);
        ASSERT_EQ(format_iso8601(day_number * 86400), expected);
        ASSERT_EQ(parse_timestamp(std::string_view(expected, 10)), day_number * 86400) << expected;
      }
    }
  }
}

TEST(Timestamp, RoundTripsRandomValues) {
  std::mt19937_64 rng(1709294400);
  std::uniform_int_distribution<std::int64_t> any_time(-62167219200, 253402300799);
  std::uniform_int_distribution<int> offset_minutes(-23 * 60 - 59, 23 * 60 + 59);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t t = any_time(rng);
    const std::string text = format_iso8601(t);
    ASSERT_EQ(parse_timestamp(text), t) << text;

    // The same instant written in another zone must come back to the same value.
    const int offset = offset_minutes(rng);
    const std::int64_t local = t + offset * 60;
    if (local < -62167219200 || local > 253402300799) continue;
    std::string with_offset = format_iso8601(local);
    with_offset.pop_back();  // 'Z'
    char zone[16];
    const int magnitude = offset < 0 ? -offset : offset;
    std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
    ASSERT_EQ(parse_timestamp(with_offset + zone), t) << with_offset << zone;
  }
}

}  // namespace
}  // namespace fundtrail::core
