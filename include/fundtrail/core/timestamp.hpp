#pragma once
// Timestamps are UTC seconds since the Unix epoch everywhere in fundtrail.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace fundtrail::core {

using UnixSeconds = std::int64_t;
inline constexpr UnixSeconds kMinTime = std::numeric_limits<UnixSeconds>::min();
inline constexpr UnixSeconds kMaxTime = std::numeric_limits<UnixSeconds>::max();

// Accepts unix seconds ("1709294400", "-86400": an optional '-', digits only, within int64) or ISO-8601 UTC:
// "2024-03-01T12:00:00Z", "2024-03-01 12:00:00Z", "2024-03-01T12:00:00+00:00", "2024-03-01T12:00:00.250Z"
// (fraction truncated), "2024-03-01" (midnight UTC).
// A time with a non-zero offset like "+02:00" or "-03:30" (always +HH:MM, at most 23:59) is converted to UTC
// by subtracting the offset; a time with neither a 'Z' nor an offset is rejected because its zone is unknown.
// Years are exactly four digits (0000-9999, proleptic Gregorian); seconds are required.
// Leap seconds: Unix time cannot represent them, so a second of 60 is accepted only where a leap second can
// occur, at 23:59:60 UTC (after applying the offset), and is read as 23:59:59; any other ":60" is rejected.
// Throws fundtrail::Error(InvalidArgument) naming the text and the reason (bad month, day 31 in April ...).
UnixSeconds parse_timestamp(std::string_view text);

// "2024-03-01T12:00:00Z". Throws fundtrail::Error(InvalidArgument) for times outside the years 0000-9999.
std::string format_iso8601(UnixSeconds seconds);

// The same text without a heap allocation, for writers of many rows.
struct Iso8601Text {
  std::array<char, 20> chars{};
  std::string_view view() const { return {chars.data(), chars.size()}; }
};
Iso8601Text format_iso8601_text(UnixSeconds seconds);

}  // namespace fundtrail::core
