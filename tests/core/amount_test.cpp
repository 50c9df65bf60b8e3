#include "fundtrail/core/amount.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <vector>
#include <string>

#include "fundtrail/core/error.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// 2^256 - 1 and 2^256, spelled out so the tests do not depend on the multiprecision code under test.
constexpr const char* kMax256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
constexpr const char* kTwoTo256 =
    "115792089237316195423570985008687907853269984665640564039457584007913129639936";

uint512 max_uint256() { return (uint512(1) << 256) - 1; }

// The message of the fundtrail::Error `fn` throws, after checking it is an InvalidArgument; "" if none.
using test::invalid_argument_message;

std::string display_error(std::string_view text, unsigned decimals) {
  return invalid_argument_message([&] { Amount::parse_display(text, decimals); });
}

std::string base_units_error(std::string_view text) {
  return invalid_argument_message([&] { Amount::parse_base_units(text); });
}

TEST(AmountParseDisplay, ScalesByDecimals) {
  EXPECT_EQ(Amount::parse_display("1.5", 8), Amount(150000000));
  EXPECT_EQ(Amount::parse_display("250.000001", 6), Amount(250000001));
  EXPECT_EQ(Amount::parse_display("12", 2), Amount(1200));
  EXPECT_EQ(Amount::parse_display("0.00000001", 8), Amount(1));
  EXPECT_EQ(Amount::parse_display("123.456789", 6), Amount(123456789));
  EXPECT_EQ(Amount::parse_display("42", 0), Amount(42));
}

TEST(AmountParseDisplay, ZeroInEveryShape) {
  EXPECT_TRUE(Amount::parse_display("0", 8).is_zero());
  EXPECT_TRUE(Amount::parse_display("0.0", 18).is_zero());
  EXPECT_TRUE(Amount::parse_display("000.000000000000000000000", 18).is_zero());
  EXPECT_TRUE(Amount::parse_display("0", 77).is_zero());
}

TEST(AmountParseDisplay, LeadingZerosAreHarmless) {
  EXPECT_EQ(Amount::parse_display("007.50", 2), Amount(750));
  // Leading zeros must not count towards the 256-bit digit budget.
  const std::string padded = std::string(100, '0') + "1";
  EXPECT_EQ(Amount::parse_display(padded, 77), Amount(boost::multiprecision::pow(uint512(10), 77)));
}

TEST(AmountParseDisplay, TrailingZerosBeyondDecimalsAreAccepted) {
  EXPECT_EQ(Amount::parse_display("1.500000000", 8), Amount(150000000));
  EXPECT_EQ(Amount::parse_display("3.000", 0), Amount(3));
}

TEST(AmountParseDisplay, SmallestEtherUnit) {
  EXPECT_EQ(Amount::parse_display("0.000000000000000001", 18), Amount(1));
}

TEST(AmountParseDisplay, UpperBoundaryOfFastPathIsExact) {
  // 19 significant digits is the most the uint64 path takes; 20 must go through multiprecision.
  EXPECT_EQ(Amount::parse_display("9999999999999999999", 0), Amount(9999999999999999999ULL));
  EXPECT_EQ(Amount::parse_display("18446744073709551615", 0), Amount(18446744073709551615ULL));
  EXPECT_EQ(Amount::parse_display("18446744073709551616", 0).to_base_units(), "18446744073709551616");
  EXPECT_EQ(Amount::parse_display("1.8446744073709551616", 19).to_base_units(), "18446744073709551616");
  EXPECT_EQ(Amount::parse_display("99999999999.99999999", 8).to_base_units(), "9999999999999999999");
}

TEST(AmountParseDisplay, MaxUint256WeiRoundTrips) {
  // 2^256 - 1 wei written in ether: 115792089237316195423570985008687907853269984665640.564039457584007913129639935
  const std::string max_ether = std::string(kMax256).insert(78 - 18, ".");
  const Amount amount = Amount::parse_display(max_ether, 18);
  EXPECT_EQ(amount.value(), max_uint256());
  EXPECT_TRUE(amount.fits_uint256());
  EXPECT_EQ(amount.to_display(18), max_ether);
  EXPECT_EQ(amount.to_base_units(), kMax256);
}

TEST(AmountParseDisplay, SeventySevenDecimals) {
  // 10^77 is the largest power of ten below 2^256: "1" with 77 decimals fits, "2" does not.
  EXPECT_EQ(Amount::parse_display("1", 77).to_base_units(), "1" + std::string(77, '0'));
  EXPECT_EQ(Amount::parse_display("0." + std::string(76, '0') + "1", 77), Amount(1));
  EXPECT_EQ(Amount::parse_display("1.15792089237316195423570985008687907853269984665640564039457584007913129639935", 77)
                .value(),
            max_uint256());
  EXPECT_THAT(display_error("2", 77), HasSubstr("exceeds 256 bits"));
  EXPECT_THAT(display_error("1", 78), HasSubstr("78 decimals exceeds the maximum of 77"));
}

TEST(AmountParseDisplay, RejectsTwoTo256) {
  EXPECT_THAT(display_error(kTwoTo256, 0), HasSubstr("exceeds 256 bits"));
  const std::string two_to_256_ether = std::string(kTwoTo256).insert(78 - 18, ".");
  EXPECT_THAT(display_error(two_to_256_ether, 18), HasSubstr("exceeds 256 bits"));
  // Too many integer digits is caught before any multiprecision work.
  EXPECT_THAT(display_error(std::string(79, '9'), 0), HasSubstr("exceeds 256 bits"));
  EXPECT_THAT(display_error("1" + std::string(60, '0'), 18), HasSubstr("exceeds 256 bits"));
}

TEST(AmountParseDisplay, RejectsOverPrecision) {
  const std::string message = display_error("0.000000001", 8);
  EXPECT_THAT(message, HasSubstr("more than 8 decimal places"));
  EXPECT_THAT(message, HasSubstr("\"0.000000001\""));
  EXPECT_THAT(display_error("1.5", 0), HasSubstr("more than 0 decimal places"));
  EXPECT_THAT(display_error("1.0000001", 6), HasSubstr("more than 6 decimal places"));
  // A non-zero digit hidden behind padding zeros is still over-precision.
  EXPECT_THAT(display_error("1.10000000000001", 8), HasSubstr("more than 8 decimal places"));
}

TEST(AmountParseDisplay, RejectsMalformedText) {
  EXPECT_THAT(display_error("", 8), HasSubstr("empty"));
  EXPECT_THAT(display_error("-1", 8), HasSubstr("negative"));
  EXPECT_THAT(display_error("+1", 8), HasSubstr("sign is not allowed"));
  EXPECT_THAT(display_error("1e5", 8), HasSubstr("exponent notation"));
  EXPECT_THAT(display_error("1.5E3", 8), HasSubstr("exponent notation"));
  EXPECT_THAT(display_error("1,5", 8), HasSubstr("',' is not accepted"));
  EXPECT_THAT(display_error("1,000.00", 8), HasSubstr("',' is not accepted"));
  EXPECT_THAT(display_error(" 1", 8), HasSubstr("leading or trailing whitespace"));
  EXPECT_THAT(display_error("1 ", 8), HasSubstr("leading or trailing whitespace"));
  EXPECT_THAT(display_error("1 000", 8), HasSubstr("whitespace inside"));
  EXPECT_THAT(display_error("1.", 8), HasSubstr("no digit after the decimal point"));
  EXPECT_THAT(display_error(".5", 8), HasSubstr("no digit before the decimal point"));
  EXPECT_THAT(display_error(".", 8), HasSubstr("no digit before the decimal point"));
  EXPECT_THAT(display_error("1.2.3", 8), HasSubstr("more than one decimal point"));
  EXPECT_THAT(display_error("12abc", 8), HasSubstr("unexpected character 'a' at position 3"));
  EXPECT_THAT(display_error("0x10", 8), HasSubstr("unexpected character 'x'"));
}

TEST(AmountParseDisplay, RejectsNonFiniteWords) {
  for (const char* word : {"NaN", "nan", "inf", "Infinity", "INF"}) {
    EXPECT_THAT(display_error(word, 8), HasSubstr("not a finite number")) << word;
  }
}

TEST(AmountParseDisplay, RejectsOverlongInputWithShortMessage) {
  const std::string zeros(201, '0');
  const std::string message = display_error(zeros, 8);
  EXPECT_THAT(message, HasSubstr("longer than 200 characters"));
  EXPECT_THAT(message, HasSubstr("(201 bytes)"));
  // The echo is capped so a hostile cell cannot flood logs.
  EXPECT_LT(message.size(), 200U);
  // Exactly 200 characters is still allowed.
  EXPECT_TRUE(Amount::parse_display(std::string(200, '0'), 8).is_zero());
}

TEST(AmountParseDisplay, MessageEscapesControlCharacters) {
  const std::string message = display_error("1\n2\x1b[31m", 8);
  EXPECT_THAT(message, HasSubstr("\"1\\x0a2\\x1b[31m\""));
  EXPECT_THAT(message, Not(HasSubstr("\n")));
  EXPECT_THAT(message, HasSubstr("invalid amount"));
}

TEST(AmountParseBaseUnits, DecimalAndHex) {
  EXPECT_EQ(Amount::parse_base_units("0"), Amount(0));
  EXPECT_EQ(Amount::parse_base_units("1000000000000000000"), Amount(1000000000000000000ULL));
  EXPECT_EQ(Amount::parse_base_units("0x0"), Amount(0));
  EXPECT_EQ(Amount::parse_base_units("0xde0b6b3a7640000"), Amount(1000000000000000000ULL));
  EXPECT_EQ(Amount::parse_base_units("0XDE0B6B3A7640000"), Amount(1000000000000000000ULL));
  EXPECT_EQ(Amount::parse_base_units("0x10000000000000000").to_base_units(), "18446744073709551616");
  EXPECT_EQ(Amount::parse_base_units("00042"), Amount(42));
}

TEST(AmountParseBaseUnits, MaxUint256RoundTrips) {
  EXPECT_EQ(Amount::parse_base_units(kMax256).value(), max_uint256());
  EXPECT_EQ(Amount::parse_base_units(kMax256).to_base_units(), kMax256);
  EXPECT_EQ(Amount::parse_base_units("0x" + std::string(64, 'f')).value(), max_uint256());
  EXPECT_EQ(Amount::parse_base_units("0x000" + std::string(64, 'F')).value(), max_uint256());
}

TEST(AmountParseBaseUnits, RejectsTwoTo256AndJunk) {
  EXPECT_THAT(base_units_error(kTwoTo256), HasSubstr("exceeds 256 bits"));
  EXPECT_THAT(base_units_error("0x1" + std::string(64, '0')), HasSubstr("exceeds 256 bits"));
  EXPECT_THAT(base_units_error(""), HasSubstr("empty"));
  EXPECT_THAT(base_units_error("0x"), HasSubstr("no hex digits"));
  EXPECT_THAT(base_units_error("0xfg"), HasSubstr("unexpected character 'g' at position 4"));
  EXPECT_THAT(base_units_error("1.5"), HasSubstr("decimal point is not allowed"));
  EXPECT_THAT(base_units_error("-1"), HasSubstr("negative"));
  EXPECT_THAT(base_units_error("1e18"), HasSubstr("exponent notation"));
  EXPECT_THAT(base_units_error(std::string(201, '1')), HasSubstr("longer than 200 characters"));
  EXPECT_THAT(base_units_error("12a"), HasSubstr("invalid base-unit amount \"12a\""));
}

TEST(AmountToDisplay, ExactWithoutTrailingZeros) {
  EXPECT_EQ(Amount(150000000).to_display(8), "1.5");
  EXPECT_EQ(Amount(1).to_display(8), "0.00000001");
  EXPECT_EQ(Amount(250000001).to_display(6), "250.000001");
  EXPECT_EQ(Amount(1200).to_display(2), "12");
  EXPECT_EQ(Amount(0).to_display(18), "0");
  EXPECT_EQ(Amount(0).to_display(0), "0");
  EXPECT_EQ(Amount(10).to_display(1), "1");
  EXPECT_EQ(Amount(123).to_display(0), "123");
  EXPECT_EQ(Amount(1).to_display(77), "0." + std::string(76, '0') + "1");
}

TEST(AmountToDisplay, The128BitPathSpellsWhatTheMultiprecisionOneDoes) {
  // Around the 64-bit limit, across the 19-digit pieces and up to 2^128 - 1, with 0, 6, 18, 30 and 77 decimals.
  const uint128 max128 = ~uint128{0};
  std::vector<uint128> values = {0,        1,          9,          10,
                                 999999,   1000000,    UINT64_MAX, uint128{UINT64_MAX} + 1,
                                 max128,   max128 - 1, max128 / 10};
  uint128 power = 1;
  for (int digits = 1; digits <= 38; ++digits) {
    power *= 10;
    values.push_back(power - 1);
    values.push_back(power);
    values.push_back(power + 1);
  }
  for (const uint128 value : values) {
    const uint512 wide = (uint512(static_cast<std::uint64_t>(value >> 64)) << 64) | static_cast<std::uint64_t>(value);
    for (const unsigned decimals : {0u, 6u, 18u, 30u, 77u}) {
      EXPECT_EQ(to_display(value, decimals), Amount(wide).to_display(decimals)) << wide << " with " << decimals;
    }
  }
  EXPECT_EQ(to_display(max128, 0), "340282366920938463463374607431768211455");
  EXPECT_EQ(to_display(uint128{UINT64_MAX} + 1, 6), "18446744073709.551616");
}

TEST(AmountToDisplay, BeyondUint256ForTotals) {
  const Amount total(max_uint256() * 3);
  EXPECT_FALSE(total.fits_uint256());
  EXPECT_EQ(total.to_base_units(),
            "347376267711948586270712955026063723559809953996921692118372752023739388919805");
  EXPECT_EQ(total.to_display(2),
            "3473762677119485862707129550260637235598099539969216921183727520237393889198.05");
}

TEST(AmountToDisplay, RoundTripsRandomValues) {
  std::mt19937_64 rng(20240301);
  for (int i = 0; i < 2000; ++i) {
    const unsigned decimals = static_cast<unsigned>(rng() % 19);
    uint512 value = rng();
    if (i % 2 == 0) value = (value << 64 | rng()) << 64 | rng();  // exercise the multiprecision path too
    const Amount amount(value);
    const std::string text = amount.to_display(decimals);
    ASSERT_EQ(Amount::parse_display(text, decimals), amount) << text << " decimals=" << decimals;
  }
}

TEST(AmountArithmetic, HugeSumsStayExact) {
  Amount total;
  const Amount max_transfer(max_uint256());
  for (int i = 0; i < 1000; ++i) total += max_transfer;
  EXPECT_EQ(total.value(), max_uint256() * 1000);
  EXPECT_FALSE(total.fits_uint256());
  EXPECT_EQ(Amount(1) + Amount(2), Amount(3));
}

TEST(AmountArithmetic, OverflowOf512BitsThrowsAndKeepsValue) {
  const uint512 max512 = ~uint512(0);
  Amount total(max512);
  const std::string message = invalid_argument_message([&] { total += Amount(1); });
  EXPECT_THAT(message, HasSubstr("overflows 512 bits"));
  EXPECT_EQ(total.value(), max512);
}

TEST(AmountComparison, OrdersByValue) {
  EXPECT_LT(Amount(1), Amount(2));
  EXPECT_GT(Amount(max_uint256()), Amount(~std::uint64_t{0}));
  EXPECT_LE(Amount(2), Amount(2));
  EXPECT_GE(Amount(3), Amount(2));
}

}  // namespace
}  // namespace fundtrail::core
