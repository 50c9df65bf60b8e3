#pragma once
// The ledgers fundtrail knows. `Generic` is an off-chain ledger (an exchange's or a bank's export) whose
// account ids are free non-empty strings.
#include <cstdint>
#include <optional>
#include <string_view>

namespace fundtrail::core {

enum class Chain : std::uint8_t { Btc = 1, Eth = 2, Tron = 3, Generic = 4 };

// "btc", "eth", "tron", "generic": the spelling used on the command line, in CSV files, JSON and the store.
std::string_view to_string(Chain chain);

// Parses the spelling above (case-insensitive); std::nullopt when unknown.
std::optional<Chain> parse_chain(std::string_view text);

// Like parse_chain but throws fundtrail::Error(InvalidArgument) naming the text and the accepted values.
Chain chain_from_string(std::string_view text);

}  // namespace fundtrail::core
