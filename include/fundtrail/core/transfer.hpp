#pragma once
// One movement of value, the unit of the graph. A UTXO transaction yields several transfers (input
// address -> output address, see docs/bitcoin-model.md once [2] lands); an account-model transaction yields
// one per native, internal or token movement. `index` makes (chain, tx_hash, index) unique.
#include <cstdint>
#include <optional>
#include <string>

#include "fundtrail/core/amount.hpp"
#include "fundtrail/core/chain.hpp"
#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::core {

struct Transfer {
  Chain chain{};
  std::string tx_hash;
  std::uint32_t index = 0;
  std::string from;  // normalised address
  std::string to;    // normalised address
  std::string asset;  // symbol as given (upper-cased)
  unsigned decimals = 0;
  Amount amount;     // base units
  std::optional<std::int64_t> block_height;
  UnixSeconds timestamp = 0;  // UTC
};

}  // namespace fundtrail::core
