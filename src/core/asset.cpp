#include "fundtrail/core/asset.hpp"

namespace fundtrail::core {

namespace {

struct AssetRow {
  Chain chain;
  std::string_view symbol;
  unsigned decimals;
  std::string_view contract;
};

// Contracts are stored in each chain's normalised form (see address.hpp) so they compare equal to
// normalize_address() output without another pass.
constexpr AssetRow kAssets[] = {
    {Chain::Btc, "BTC", 8, ""},
    {Chain::Eth, "ETH", 18, ""},
    {Chain::Eth, "USDT", 6, "0xdac17f958d2ee523a2206206994597c13d831ec7"},
    {Chain::Eth, "USDC", 6, "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"},
    {Chain::Eth, "DAI", 18, "0x6b175474e89094c44da98b954eedeac495271d0f"},
    {Chain::Eth, "WETH", 18, "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"},
    {Chain::Tron, "TRX", 6, ""},
    {Chain::Tron, "USDT", 6, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
    {Chain::Tron, "USDC", 6, "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8"},
    // Off-chain ledgers (exchange and bank exports) have no contracts: the symbol alone names the asset.
    {Chain::Generic, "USD", 2, ""},
    {Chain::Generic, "EUR", 2, ""},
    {Chain::Generic, "GBP", 2, ""},
    {Chain::Generic, "CNY", 2, ""},
    {Chain::Generic, "BTC", 8, ""},
    {Chain::Generic, "ETH", 18, ""},
    {Chain::Generic, "USDT", 6, ""},
    {Chain::Generic, "TRX", 6, ""},
};

bool equals_ignore_ascii_case(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c != upper[i]) return false;
  }
  return true;
}

AssetInfo to_info(const AssetRow& row) {
  return AssetInfo{row.chain, std::string(row.symbol), row.decimals, std::string(row.contract)};
}

}  // namespace

std::optional<AssetInfo> known_asset(Chain chain, std::string_view symbol) {
  for (const auto& row : kAssets) {
    if (row.chain == chain && equals_ignore_ascii_case(symbol, row.symbol)) return to_info(row);
  }
  return std::nullopt;
}

std::optional<AssetInfo> native_asset(Chain chain) {
  switch (chain) {
    case Chain::Btc:
      return known_asset(chain, "BTC");
    case Chain::Eth:
      return known_asset(chain, "ETH");
    case Chain::Tron:
      return known_asset(chain, "TRX");
    case Chain::Generic:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace fundtrail::core
