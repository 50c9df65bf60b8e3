#pragma once
// A transaction of an account-model chain (Ethereum and other EVM chains, TRON) with the value movements
// inside it, as provider adapters (ingest/account_source.hpp) read them and store::AccountWriter stores them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fundtrail/core/amount.hpp"
#include "fundtrail/core/timestamp.hpp"

namespace fundtrail::core {

// What kind of movement a transfer is. Part of the transfer's identity inside its transaction.
enum class TransferKind : std::uint8_t {
  Native = 0,    // the transaction's own value (ETH, TRX): at most one per transaction
  Internal = 1,  // native coin moved by a contract call (EVM trace / TRON internal transaction)
  Token = 2,     // ERC-20 / TRC-20 Transfer event
};

// The coin or token a transfer moves, as the provider described it. Symbol and name are attacker-controlled
// text (anyone can deploy a token called "USDT" or "<script>"): stored verbatim, told apart by contract.
struct AccountAsset {
  std::string contract;                // normalised contract address; empty = the chain's native coin
  std::optional<std::string> symbol;   // as the provider or the contract said
  std::optional<std::string> name;
  std::optional<unsigned> decimals;    // required the first time a token is stored (unless well known)
};

struct AccountTransfer {
  TransferKind kind = TransferKind::Native;
  std::string from;  // normalised (core::normalize_address of the chain)
  std::string to;
  AccountAsset asset;
  Amount amount;        // base units (wei, sun, token units), < 2^256
  std::size_t evidence = 0;   // which response it was read from (the adapter's numbering)
};

struct AccountTransaction {
  std::string hash;  // EVM: "0x" + 64 lower-case hex; TRON: 64 lower-case hex
  std::optional<std::int64_t> block_height;
  UnixSeconds timestamp = 0;  // UTC seconds (block time)
  bool failed = false;              // reverted / not SUCCESS: kept as evidence, moves no value
  std::optional<std::string> from;  // who sent the transaction (normalised)
  std::optional<std::string> to;    // the called account or contract; nullopt for a contract creation
  std::optional<Amount> fee;  // paid in the native coin, base units, when the provider tells it
  std::string type;                 // "call", "create", "TransferContract", "TriggerSmartContract", ...
  std::vector<AccountTransfer> transfers;  // none when failed
  std::size_t evidence = 0;         // which response it was read from
};

}  // namespace fundtrail::core
