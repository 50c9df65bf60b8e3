#pragma once
// Address validation and normalisation per chain. The normalised form is what the store keeps and what
// every output prints:
//   btc:     Base58Check P2PKH/P2SH (mainnet 0x00/0x05, testnet 0x6f/0xc4) unchanged; Bech32/Bech32m SegWit
//            addresses (bc, tb, bcrt) in lower case.
//   eth:     "0x" + 40 lower-case hex digits. Mixed-case input must pass the EIP-55 checksum; all-lower and
//            all-upper hex are accepted without checksum (EIP-55's rule).
//   tron:    Base58Check with the 0x41 prefix ("T..."); the hex form "41" + 40 hex (optionally "0x41...") is
//            accepted and converted to Base58.
//   generic: any non-empty string without control characters, trimmed of surrounding spaces, <= 256 bytes.
#include <optional>
#include <string>
#include <string_view>

#include "fundtrail/core/chain.hpp"

namespace fundtrail::core {

// Returns the normalised address or throws fundtrail::Error(InvalidArgument) whose message names the
// address, the chain and why: "invalid btc address '1A1z...': bad checksum", "... wrong length",
// "... unknown prefix", "invalid eth address '0xAbC...': EIP-55 checksum mismatch".
std::string normalize_address(Chain chain, std::string_view address);

// Non-throwing check.
bool is_valid_address(Chain chain, std::string_view address);

// The chain an address's format implies when unambiguous: btc (1.../3.../bc1.../tb1.../m/n/2 testnet),
// eth (0x + 40 hex), tron (T... Base58Check with 0x41 or 41 + 40 hex). std::nullopt when no format matches.
// Never infers `generic`. Only a valid address infers its chain: a damaged one (bad checksum, EIP-55 mismatch)
// gives std::nullopt, so a free-text account id or a typo is never attributed to a chain.
std::optional<Chain> infer_chain(std::string_view address);

// TRON conversions; throw on invalid input.
std::string tron_hex_to_base58(std::string_view hex41);  // "41..." (or "0x41...") -> "T..."
std::string tron_base58_to_hex(std::string_view base58);  // "T..." -> "41..." lower-case hex

// EIP-55 mixed-case checksum form of an eth address (input any case, 0x + 40 hex).
std::string eip55_checksum(std::string_view address);

}  // namespace fundtrail::core
