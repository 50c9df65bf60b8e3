// display_label: token symbols and names are attacker-controlled; a terminal table must show them inert.
#include <gtest/gtest.h>

#include <string>

#include "fundtrail/report/rendering.hpp"

namespace fundtrail::report {
namespace {

TEST(DisplayLabel, PlainSymbolsAreUnchanged) {
  EXPECT_EQ(display_label("USDT"), "USDT");
  EXPECT_EQ(display_label("Ξ-ETH"), "Ξ-ETH");
  EXPECT_EQ(display_label(""), "");
}

TEST(DisplayLabel, ControlCharactersAndBackslashesBecomeVisibleEscapes) {
  EXPECT_EQ(display_label("A\x1b[31mB\x07\n"), "A\\x1b[31mB\\x07\\x0a");
  EXPECT_EQ(display_label("a\\x1b"), "a\\x5cx1b") << "a literal backslash must not fake an escape";
  EXPECT_EQ(display_label(std::string("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(display_label("\x7f"), "\\x7f");
  EXPECT_EQ(display_label("\xc2\x9b" "2J"), "\\u{009b}2J") << "C1 CSI";
}

TEST(DisplayLabel, BidirectionalOverridesAreEscaped) {
  // U+202E RIGHT-TO-LEFT OVERRIDE would show "USDT" reversed text after it; U+2066 LEFT-TO-RIGHT ISOLATE.
  EXPECT_EQ(display_label("USD\xe2\x80\xae" "TX"), "USD\\u{202e}TX");
  EXPECT_EQ(display_label("\xe2\x81\xa6" "a"), "\\u{2066}a");
  EXPECT_EQ(display_label("\xe2\x80\x94"), "\xe2\x80\x94") << "an em dash is harmless";
}

TEST(DisplayLabel, LongTextIsCutWithoutSplittingACharacter) {
  const std::string long_text(10'000, 'A');
  EXPECT_EQ(display_label(long_text, 8), "AAAAAAAA...");
  // 7 ASCII bytes then a 2-byte character: the cut comes after the whole character, never inside it.
  EXPECT_EQ(display_label("AAAAAAAé" "BBBB", 8), "AAAAAAAé...");
  EXPECT_EQ(display_label("short", 8), "short");
}

}  // namespace
}  // namespace fundtrail::report
