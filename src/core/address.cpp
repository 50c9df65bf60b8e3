#include "fundtrail/core/address.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "fundtrail/core/base58.hpp"
#include "fundtrail/core/bech32.hpp"
#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"
#include "normal_address_memo.hpp"

namespace fundtrail::core {

namespace {

constexpr std::size_t kMaxGenericBytes = 256;
constexpr std::size_t kEthLength = 42;      // "0x" + 40 hex
constexpr std::size_t kTronHexLength = 42;  // "41" + 40 hex
constexpr std::size_t kLegacySize = 25;     // version byte + 20-byte hash + 4-byte checksum
constexpr std::uint8_t kTronVersion = 0x41;
// Base58 of 25 bytes never exceeds 35 characters; the slack still reports long garbage as "wrong length".
constexpr std::size_t kMaxLegacyChars = 50;

enum HexClass : std::uint8_t { kNotHex = 0, kDigit, kLowerHex, kUpperHex };

constexpr std::array<std::uint8_t, 256> make_hex_table() {
  std::array<std::uint8_t, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = kDigit;
  for (int c = 'a'; c <= 'f'; ++c) table[c] = kLowerHex;
  for (int c = 'A'; c <= 'F'; ++c) table[c] = kUpperHex;
  return table;
}
constexpr std::array<std::uint8_t, 256> kHexClass = make_hex_table();

std::uint8_t hex_class(char c) { return kHexClass[static_cast<unsigned char>(c)]; }

int hex_nibble(char c) {
  switch (hex_class(c)) {
    case kDigit:
      return c - '0';
    case kLowerHex:
      return c - 'a' + 10;
    case kUpperHex:
      return c - 'A' + 10;
    default:
      return -1;
  }
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool starts_with_ignore_case(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    if (ascii_lower(text[i]) != lower_prefix[i]) return false;
  }
  return true;
}

bool has_hex_prefix(std::string_view text) {
  return text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

std::string char_at(std::string_view text, std::size_t index) {
  return "'" + printable_excerpt(text.substr(index, 1)) + "' at position " + std::to_string(index + 1);
}

std::string prefix_byte(std::uint8_t version) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[version >> 4] + kDigits[version & 0xf];
}

[[noreturn]] void fail(Chain chain, std::string_view address, const std::string& reason) {
  throw invalid_argument("invalid " + std::string(to_string(chain)) + " address '" + printable_excerpt(address) +
                         "': " + reason);
}

// ---- Base58Check with a version byte (BTC legacy, TRON) ----

bool is_base58_char(char c) {
  return (c >= '1' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O') || (c >= 'a' && c <= 'z' && c != 'l');
}

// Validates a 25-byte Base58Check string and yields its version byte and 20-byte hash, without allocating.
bool check_legacy(std::string_view address, std::array<std::uint8_t, kLegacySize>& bytes, std::string& reason) {
  for (std::size_t i = 0; i < address.size(); ++i) {
    if (!is_base58_char(address[i])) {
      reason = "invalid character " + char_at(address, i);
      return false;
    }
  }
  const auto size = address.size() <= kMaxLegacyChars ? base58_decode_into(address, bytes) : std::nullopt;
  if (!size || *size != kLegacySize) {
    reason = "wrong length (" + std::to_string(address.size()) + " characters)";
    return false;
  }
  const Digest32 check = double_sha256(std::span<const std::uint8_t>(bytes.data(), kLegacySize - 4));
  if (!std::equal(check.begin(), check.begin() + 4, bytes.begin() + (kLegacySize - 4))) {
    reason = "bad checksum";
    return false;
  }
  return true;
}

// ---- btc ----

bool is_btc_version(std::uint8_t version) {
  return version == 0x00 || version == 0x05 || version == 0x6f || version == 0xc4;
}

bool is_btc_hrp(std::string_view hrp) { return hrp == "bc" || hrp == "tb" || hrp == "bcrt"; }

bool check_btc_segwit(std::string_view address, std::string* normalized, std::string& reason) {
  SegwitAddress decoded;
  if (!try_decode_segwit_address(address, decoded, reason)) return false;
  if (!is_btc_hrp(decoded.hrp)) {
    reason = "unknown prefix '" + printable_excerpt(decoded.hrp) + "'";
    return false;
  }
  if (normalized != nullptr) {
    normalized->resize(address.size());
    for (std::size_t i = 0; i < address.size(); ++i) (*normalized)[i] = ascii_lower(address[i]);
  }
  return true;
}

bool check_btc(std::string_view address, std::string* normalized, std::string& reason) {
  if (starts_with_ignore_case(address, "bc1") || starts_with_ignore_case(address, "tb1") ||
      starts_with_ignore_case(address, "bcrt1")) {
    return check_btc_segwit(address, normalized, reason);
  }
  std::array<std::uint8_t, kLegacySize> bytes{};
  if (!check_legacy(address, bytes, reason)) {
    // Another network's SegWit address ("tc1...", "ltc1...") fails Base58 on its '0'/'l'; name the real cause.
    SegwitAddress other;
    std::string segwit_reason;
    if (try_decode_segwit_address(address, other, segwit_reason)) {
      reason = "unknown prefix '" + printable_excerpt(other.hrp) + "'";
    }
    return false;
  }
  if (!is_btc_version(bytes[0])) {
    reason = "unknown prefix " + prefix_byte(bytes[0]);
    return false;
  }
  if (normalized != nullptr) normalized->assign(address);
  return true;
}

// ---- eth (EIP-55) ----

// EIP-55: a letter is upper case exactly when the matching nibble of keccak256(lower-case hex) is >= 8.
bool eip55_letters_match(std::string_view digits40, const Digest32& hash) {
  for (std::size_t i = 0; i < digits40.size(); ++i) {
    const std::uint8_t cls = hex_class(digits40[i]);
    if (cls == kDigit) continue;
    const unsigned nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0xf;
    if ((cls == kUpperHex) != (nibble >= 8)) return false;
  }
  return true;
}

Digest32 eip55_hash(std::string_view digits40) {
  std::array<char, 40> lower{};
  for (std::size_t i = 0; i < 40; ++i) lower[i] = ascii_lower(digits40[i]);
  return keccak256(std::string_view(lower.data(), lower.size()));
}

// Shape only ("0x" + 40 hex digits of any case); reports whether upper/lower-case letters occur.
bool check_eth_shape(std::string_view address, bool& has_upper, bool& has_lower, std::string& reason) {
  if (address.size() < 2 || address[0] != '0' || address[1] != 'x') {
    reason = "missing 0x prefix";
    return false;
  }
  if (address.size() != kEthLength) {
    reason = "wrong length (" + std::to_string(address.size()) + " characters, expected 42)";
    return false;
  }
  // One OR per character (no branch) keeps the per-row check of an all-lower address to a few ns.
  unsigned seen = 0;
  for (std::size_t i = 2; i < kEthLength; ++i) seen |= 1u << hex_class(address[i]);
  if ((seen & (1u << kNotHex)) != 0) {
    std::size_t bad = 2;
    while (hex_class(address[bad]) != kNotHex) ++bad;
    reason = "invalid character " + char_at(address, bad);
    return false;
  }
  has_upper = (seen & (1u << kUpperHex)) != 0;
  has_lower = (seen & (1u << kLowerHex)) != 0;
  return true;
}

bool check_eth(std::string_view address, std::string* normalized, std::string& reason) {
  bool has_upper = false;
  bool has_lower = false;
  if (!check_eth_shape(address, has_upper, has_lower, reason)) return false;
  // EIP-55: only mixed case carries a checksum; all-lower and all-upper are accepted as they are.
  if (has_upper && has_lower) {
    const std::string_view digits = address.substr(2);
    if (!eip55_letters_match(digits, eip55_hash(digits))) {
      reason = "EIP-55 checksum mismatch";
      return false;
    }
  }
  if (normalized != nullptr) {
    normalized->assign(address);
    if (has_upper) {
      for (std::size_t i = 2; i < kEthLength; ++i) (*normalized)[i] = ascii_lower(address[i]);
    }
  }
  return true;
}

// ---- tron ----

bool check_tron_hex(std::string_view address, std::string* normalized, std::string& reason) {
  const std::string_view hex = has_hex_prefix(address) ? address.substr(2) : address;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (hex_class(hex[i]) == kNotHex) {
      reason = "invalid character " + char_at(address, i + (address.size() - hex.size()));
      return false;
    }
  }
  if (hex.size() != kTronHexLength) {
    reason = "wrong length (" + std::to_string(hex.size()) + " hex digits, expected 42)";
    return false;
  }
  std::vector<std::uint8_t> payload(kTronHexLength / 2);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<std::uint8_t>((hex_nibble(hex[2 * i]) << 4) | hex_nibble(hex[2 * i + 1]));
  }
  if (payload[0] != kTronVersion) {
    reason = "unknown prefix " + prefix_byte(payload[0]);
    return false;
  }
  if (normalized != nullptr) *normalized = base58check_encode(payload);
  return true;
}

bool check_tron_base58(std::string_view address, std::array<std::uint8_t, kLegacySize>& bytes, std::string& reason) {
  if (!check_legacy(address, bytes, reason)) return false;
  if (bytes[0] != kTronVersion) {
    reason = "unknown prefix " + prefix_byte(bytes[0]);
    return false;
  }
  return true;
}

bool looks_like_tron_hex(std::string_view address) {
  if (has_hex_prefix(address)) return true;
  if (address.size() != kTronHexLength) return false;
  for (char c : address) {
    if (hex_class(c) == kNotHex) return false;
  }
  return true;
}

bool check_tron(std::string_view address, std::string* normalized, std::string& reason) {
  if (looks_like_tron_hex(address)) return check_tron_hex(address, normalized, reason);
  std::array<std::uint8_t, kLegacySize> bytes{};
  if (!check_tron_base58(address, bytes, reason)) return false;
  if (normalized != nullptr) normalized->assign(address);
  return true;
}

// ---- generic ----

bool check_generic(std::string_view address, std::string* normalized, std::string& reason) {
  const std::size_t first = address.find_first_not_of(' ');
  if (first == std::string_view::npos) {
    reason = "empty";
    return false;
  }
  const std::string_view trimmed = address.substr(first, address.find_last_not_of(' ') - first + 1);
  if (trimmed.size() > kMaxGenericBytes) {
    reason = "too long (" + std::to_string(trimmed.size()) + " bytes, max 256)";
    return false;
  }
  for (std::size_t i = 0; i < trimmed.size(); ++i) {
    const auto c = static_cast<unsigned char>(trimmed[i]);
    if (c < 0x20 || c == 0x7f) {
      reason = "control character " + char_at(address, first + i);
      return false;
    }
  }
  if (normalized != nullptr) normalized->assign(trimmed);
  return true;
}

bool check(Chain chain, std::string_view address, std::string* normalized, std::string& reason) {
  if (address.empty()) {
    reason = "empty";
    return false;
  }
  switch (chain) {
    case Chain::Btc:
      return check_btc(address, normalized, reason);
    case Chain::Eth:
      return check_eth(address, normalized, reason);
    case Chain::Tron:
      return check_tron(address, normalized, reason);
    case Chain::Generic:
      return check_generic(address, normalized, reason);
  }
  reason = "unknown chain";
  return false;
}

}  // namespace

std::string normalize_address(Chain chain, std::string_view address) {
  // Only btc is memoised: eth's all-lower-case check costs a few ns, less than a hash lookup.
  thread_local NormalAddressMemo normal_btc;
  if (chain == Chain::Btc && normal_btc.contains(address)) return std::string(address);
  std::string normalized;
  std::string reason;
  if (!check(chain, address, &normalized, reason)) fail(chain, address, reason);
  if (chain == Chain::Btc && normalized == address) normal_btc.insert(address);
  return normalized;
}

bool is_valid_address(Chain chain, std::string_view address) {
  std::string reason;
  return check(chain, address, nullptr, reason);
}

std::optional<Chain> infer_chain(std::string_view address) {
  // Dispatch on the cheap distinguishing prefix first so a row is decoded once, not once per chain.
  // "TB1..." (an upper-case testnet SegWit address) is why a 'T' that is not TRON still falls through to btc.
  if (has_hex_prefix(address)) {
    if (is_valid_address(Chain::Eth, address)) return Chain::Eth;
    if (is_valid_address(Chain::Tron, address)) return Chain::Tron;
    return std::nullopt;
  }
  if (!address.empty() && (address[0] == 'T' || looks_like_tron_hex(address))) {
    if (is_valid_address(Chain::Tron, address)) return Chain::Tron;
  }
  if (is_valid_address(Chain::Btc, address)) return Chain::Btc;
  return std::nullopt;
}

std::string tron_hex_to_base58(std::string_view hex41) {
  std::string normalized;
  std::string reason;
  if (hex41.empty()) fail(Chain::Tron, hex41, "empty");
  if (!check_tron_hex(hex41, &normalized, reason)) fail(Chain::Tron, hex41, reason);
  return normalized;
}

std::string tron_base58_to_hex(std::string_view base58) {
  std::array<std::uint8_t, kLegacySize> bytes{};
  std::string reason;
  if (base58.empty()) fail(Chain::Tron, base58, "empty");
  if (!check_tron_base58(base58, bytes, reason)) fail(Chain::Tron, base58, reason);
  return to_hex(std::span<const std::uint8_t>(bytes.data(), kLegacySize - 4));
}

std::string eip55_checksum(std::string_view address) {
  bool has_upper = false;
  bool has_lower = false;
  std::string reason;
  if (!check_eth_shape(address, has_upper, has_lower, reason)) fail(Chain::Eth, address, reason);
  const std::string_view digits = address.substr(2);
  const Digest32 hash = eip55_hash(digits);
  std::string out("0x");
  out.resize(kEthLength);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const unsigned nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0xf;
    const char lower = ascii_lower(digits[i]);
    out[2 + i] = (hex_class(lower) == kLowerHex && nibble >= 8) ? static_cast<char>(lower - 32) : lower;
  }
  return out;
}

}  // namespace fundtrail::core
