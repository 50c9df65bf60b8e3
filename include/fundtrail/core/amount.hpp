#pragma once
// Exact amounts in integer base units (satoshi, wei, sun, token units). Never floating point.
// A single transfer's amount is limited to 256 bits (uint256, the EVM's range); sums are kept in 512 bits so
// that totals of hostile tokens cannot overflow.
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace fundtrail::core {

using uint256 = boost::multiprecision::uint256_t;
using uint512 = boost::multiprecision::uint512_t;
__extension__ using uint128 = unsigned __int128;

class Amount {
 public:
  Amount() = default;
  explicit Amount(std::uint64_t base_units) : value_(base_units) {}
  explicit Amount(const uint512& base_units) : value_(base_units) {}

  // Parses a display-unit decimal ("1.5", "250.000001", "0", "12", "007.50") into base units with `decimals`
  // digits after the point. Throws fundtrail::Error(InvalidArgument) with the text and the reason when the
  // text is empty or longer than 200 characters, signed, has exponent notation, whitespace, ',' or other
  // stray characters, is NaN/infinity, has a point without digits on both sides ("1." and ".5" are
  // rejected), has more fractional digits than `decimals` (unless the extra digits are zeros), or exceeds
  // 2^256 - 1 base units; also when `decimals` > kMaxDecimals (77).
  static Amount parse_display(std::string_view text, unsigned decimals);

  // Parses a non-negative integer in base units (decimal digits only, or 0x/0X-prefixed hex), <= 2^256 - 1,
  // at most 200 characters. Throws like parse_display.
  static Amount parse_base_units(std::string_view text);

  // Exact display-unit decimal: "1.5", "0.00000001", "250.000001", "12" (no trailing zeros, no trailing point).
  std::string to_display(unsigned decimals) const;
  // Base units as decimal digits.
  std::string to_base_units() const;

  const uint512& value() const noexcept { return value_; }
  bool is_zero() const noexcept { return value_.is_zero(); }
  bool fits_uint256() const;

  // Throws fundtrail::Error(InvalidArgument) instead of wrapping if the sum exceeds 512 bits.
  Amount& operator+=(const Amount& other);
  friend Amount operator+(Amount lhs, const Amount& rhs) { return lhs += rhs; }
  friend bool operator==(const Amount& lhs, const Amount& rhs) { return lhs.value_ == rhs.value_; }
  friend bool operator<(const Amount& lhs, const Amount& rhs) { return lhs.value_ < rhs.value_; }
  friend bool operator<=(const Amount& lhs, const Amount& rhs) { return lhs.value_ <= rhs.value_; }
  friend bool operator>(const Amount& lhs, const Amount& rhs) { return lhs.value_ > rhs.value_; }
  friend bool operator>=(const Amount& lhs, const Amount& rhs) { return lhs.value_ >= rhs.value_; }

 private:
  uint512 value_{0};
};

// The text of Amount(base_units).to_display(decimals) for base units below 2^128 (every real transfer and
// almost every total), without multiprecision arithmetic: reports format hundreds of thousands of them.
std::string to_display(uint128 base_units, unsigned decimals);

}  // namespace fundtrail::core
