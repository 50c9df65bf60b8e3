#include "fundtrail/core/asset.hpp"

#include <gtest/gtest.h>

#include "fundtrail/core/address.hpp"

namespace fundtrail::core {
namespace {

struct Expected {
  Chain chain;
  std::string_view symbol;
  unsigned decimals;
  std::string_view contract;
};

// Contracts checked against their EIP-55 / Base58Check forms with an independent Python implementation.
constexpr Expected kTable[] = {
    {Chain::Btc, "BTC", 8, ""},
    {Chain::Eth, "ETH", 18, ""},
    {Chain::Eth, "USDT", 6, "0xdac17f958d2ee523a2206206994597c13d831ec7"},
    {Chain::Eth, "USDC", 6, "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"},
    {Chain::Eth, "DAI", 18, "0x6b175474e89094c44da98b954eedeac495271d0f"},
    {Chain::Eth, "WETH", 18, "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"},
    {Chain::Tron, "TRX", 6, ""},
    {Chain::Tron, "USDT", 6, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
    {Chain::Tron, "USDC", 6, "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8"},
    {Chain::Generic, "USD", 2, ""},
    {Chain::Generic, "EUR", 2, ""},
    {Chain::Generic, "GBP", 2, ""},
    {Chain::Generic, "CNY", 2, ""},
    {Chain::Generic, "BTC", 8, ""},
    {Chain::Generic, "ETH", 18, ""},
    {Chain::Generic, "USDT", 6, ""},
    {Chain::Generic, "TRX", 6, ""},
};

TEST(AssetTest, BuiltInTableMatchesTheHeader) {
  for (const auto& e : kTable) {
    const auto asset = known_asset(e.chain, e.symbol);
    ASSERT_TRUE(asset.has_value()) << to_string(e.chain) << " " << e.symbol;
    EXPECT_EQ(asset->chain, e.chain);
    EXPECT_EQ(asset->symbol, e.symbol);
    EXPECT_EQ(asset->decimals, e.decimals) << e.symbol;
    EXPECT_EQ(asset->contract, e.contract) << e.symbol;
  }
}

// Stored contracts are compared with normalised transfer addresses, so they must already be normalised.
TEST(AssetTest, ContractsAreInNormalisedForm) {
  for (const auto& e : kTable) {
    if (e.contract.empty()) continue;
    EXPECT_EQ(normalize_address(e.chain, e.contract), e.contract) << e.symbol;
  }
}

TEST(AssetTest, SymbolLookupIsCaseInsensitive) {
  const auto usdt = known_asset(Chain::Tron, "usdt");
  ASSERT_TRUE(usdt.has_value());
  EXPECT_EQ(usdt->symbol, "USDT");
  EXPECT_EQ(usdt->contract, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  EXPECT_EQ(known_asset(Chain::Eth, "WeTh")->decimals, 18u);
}

// A symbol is only known on the chains the header lists: guessing decimals elsewhere would corrupt amounts.
TEST(AssetTest, UnknownPairsAreNotGuessed) {
  EXPECT_EQ(known_asset(Chain::Btc, "ETH"), std::nullopt);
  EXPECT_EQ(known_asset(Chain::Tron, "DAI"), std::nullopt);
  EXPECT_EQ(known_asset(Chain::Generic, "USDC"), std::nullopt);
  EXPECT_EQ(known_asset(Chain::Eth, "USDT "), std::nullopt);
  EXPECT_EQ(known_asset(Chain::Eth, ""), std::nullopt);
}

TEST(AssetTest, NativeAssets) {
  EXPECT_EQ(native_asset(Chain::Btc)->symbol, "BTC");
  EXPECT_EQ(native_asset(Chain::Eth)->decimals, 18u);
  EXPECT_EQ(native_asset(Chain::Tron)->symbol, "TRX");
  EXPECT_TRUE(native_asset(Chain::Tron)->contract.empty());
  EXPECT_EQ(native_asset(Chain::Generic), std::nullopt);
}

TEST(AssetTest, DecimalsStayWithinUint256) {
  for (const auto& e : kTable) EXPECT_LE(known_asset(e.chain, e.symbol)->decimals, kMaxDecimals) << e.symbol;
}

}  // namespace
}  // namespace fundtrail::core
