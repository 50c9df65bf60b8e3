#pragma once
// Base58 and Base58Check (Bitcoin's alphabet), used by BTC legacy addresses and TRON addresses.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fundtrail::core {

std::string base58_encode(const std::vector<std::uint8_t>& bytes);
// std::nullopt on a character outside the alphabet.
std::optional<std::vector<std::uint8_t>> base58_decode(std::string_view text);
// Allocation-free form for per-row hot paths: decodes into `out` and returns the decoded size; std::nullopt
// on a character outside the alphabet or when the result does not fit in `out`.
std::optional<std::size_t> base58_decode_into(std::string_view text, std::span<std::uint8_t> out);

// Payload + first 4 bytes of double SHA-256.
std::string base58check_encode(const std::vector<std::uint8_t>& payload);

enum class Base58CheckStatus { Ok, BadCharacter, TooShort, BadChecksum };
struct Base58CheckResult {
  Base58CheckStatus status;
  std::vector<std::uint8_t> payload;  // without the checksum; empty unless Ok
};
Base58CheckResult base58check_decode(std::string_view text);

}  // namespace fundtrail::core
