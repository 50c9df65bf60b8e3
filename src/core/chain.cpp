#include "fundtrail/core/chain.hpp"

#include <array>
#include <string>

#include "fundtrail/core/error.hpp"

namespace fundtrail::core {

namespace {

struct ChainName {
  Chain chain;
  std::string_view name;
};

constexpr std::array<ChainName, 4> kChainNames{{
    {Chain::Btc, "btc"},
    {Chain::Eth, "eth"},
    {Chain::Tron, "tron"},
    {Chain::Generic, "generic"},
}};

bool equals_ignore_ascii_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(Chain chain) {
  for (const auto& entry : kChainNames) {
    if (entry.chain == chain) return entry.name;
  }
  // Only reachable through a cast from a corrupt integer (e.g. a damaged store row): say so rather than UB.
  return "unknown";
}

std::optional<Chain> parse_chain(std::string_view text) {
  for (const auto& entry : kChainNames) {
    if (equals_ignore_ascii_case(text, entry.name)) return entry.chain;
  }
  return std::nullopt;
}

Chain chain_from_string(std::string_view text) {
  if (auto chain = parse_chain(text)) return *chain;
  throw invalid_argument("unknown chain '" + printable_excerpt(text) + "': expected one of btc, eth, tron, generic");
}

}  // namespace fundtrail::core
