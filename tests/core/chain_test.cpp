#include "fundtrail/core/chain.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "fundtrail/core/error.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The message of the fundtrail::Error `fn` throws, after checking it is an InvalidArgument; "" if none.
using test::invalid_argument_message;

// These spellings are persisted in the store, CSV and JSON: changing one breaks existing cases.
TEST(ChainTest, ToStringUsesTheStoredSpelling) {
  EXPECT_EQ(to_string(Chain::Btc), "btc");
  EXPECT_EQ(to_string(Chain::Eth), "eth");
  EXPECT_EQ(to_string(Chain::Tron), "tron");
  EXPECT_EQ(to_string(Chain::Generic), "generic");
}

TEST(ChainTest, ParseIsCaseInsensitive) {
  EXPECT_EQ(parse_chain("btc"), Chain::Btc);
  EXPECT_EQ(parse_chain("ETH"), Chain::Eth);
  EXPECT_EQ(parse_chain("Tron"), Chain::Tron);
  EXPECT_EQ(parse_chain("gEnErIc"), Chain::Generic);
}

TEST(ChainTest, ParseRejectsNearMisses) {
  EXPECT_EQ(parse_chain(""), std::nullopt);
  EXPECT_EQ(parse_chain("bitcoin"), std::nullopt);
  EXPECT_EQ(parse_chain("et"), std::nullopt);
  EXPECT_EQ(parse_chain("btc "), std::nullopt);  // trimming is the caller's decision, not the parser's
  EXPECT_EQ(parse_chain("trx"), std::nullopt);
}

TEST(ChainTest, EveryChainRoundTripsThroughItsSpelling) {
  for (Chain chain : {Chain::Btc, Chain::Eth, Chain::Tron, Chain::Generic}) {
    EXPECT_EQ(parse_chain(to_string(chain)), chain) << to_string(chain);
  }
}

TEST(ChainTest, ChainFromStringNamesTheTextAndTheChoices) {
  EXPECT_EQ(chain_from_string("TRON"), Chain::Tron);
  const std::string message = invalid_argument_message([] { chain_from_string("bitcoin"); });
  EXPECT_THAT(message, HasSubstr("'bitcoin'"));
  EXPECT_THAT(message, HasSubstr("btc, eth, tron, generic"));
}

// The text comes from CSV files and command lines: it must not flood or break the one-line error output.
TEST(ChainTest, ChainFromStringQuotesHostileTextSafely) {
  const std::string hostile = std::string(500, 'x') + "\n\x1b[31m";
  const std::string message = invalid_argument_message([&] { chain_from_string(hostile); });
  EXPECT_THAT(message, Not(HasSubstr("\n")));
  EXPECT_THAT(message, Not(HasSubstr("\x1b")));
  EXPECT_THAT(message, HasSubstr("..."));
  EXPECT_LT(message.size(), 200u);
}

}  // namespace
}  // namespace fundtrail::core
