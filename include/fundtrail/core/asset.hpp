#pragma once
// Assets carry their decimals: an amount is only meaningful with them.
#include <optional>
#include <string>
#include <string_view>

#include "fundtrail/core/chain.hpp"

namespace fundtrail::core {

struct AssetInfo {
  Chain chain{};
  std::string symbol;    // "BTC", "ETH", "TRX", "USDT" (display only: assets are told apart by chain+contract)
  unsigned decimals = 0;
  std::string contract;  // token contract in the chain's normalised address form; empty for native coins
};

// Largest number of decimals an asset may declare (uint256 holds 77 full decimal digits).
inline constexpr unsigned kMaxDecimals = 77;

// Built-in knowledge of well-known assets by (chain, symbol), case-insensitive symbol:
// btc: BTC 8; eth: ETH 18, USDT 6, USDC 6, DAI 18, WETH 18; tron: TRX 6, USDT 6, USDC 6;
// generic: USD 2, EUR 2, GBP 2, CNY 2, BTC 8, ETH 18, USDT 6, TRX 6.
std::optional<AssetInfo> known_asset(Chain chain, std::string_view symbol);

// The native coin of a chain (BTC, ETH, TRX); std::nullopt for generic.
std::optional<AssetInfo> native_asset(Chain chain);

}  // namespace fundtrail::core
