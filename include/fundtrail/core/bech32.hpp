#pragma once
// Bech32 (BIP-173) and Bech32m (BIP-350) and SegWit address decoding/encoding.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fundtrail::core {

enum class Bech32Encoding { Bech32, Bech32m };

struct SegwitAddress {
  std::string hrp;                    // "bc", "tb", "bcrt"
  int witness_version = -1;           // 0..16
  std::vector<std::uint8_t> program;  // 2..40 bytes
};

// A Bech32/Bech32m string without SegWit meaning: the human-readable part and the 5-bit data values.
struct Bech32String {
  Bech32Encoding encoding = Bech32Encoding::Bech32;
  std::string hrp;                 // lower case
  std::vector<std::uint8_t> data;  // 5-bit values (0..31), checksum removed
};

// Decodes any Bech32 or Bech32m string (length <= 90, hrp characters 33..126, no mixed case) and tells which
// checksum constant matched. Throws fundtrail::Error(InvalidArgument) with the reason ("bad checksum",
// "missing separator '1'", "invalid data character 'b' at position 3", ...).
Bech32String bech32_decode(std::string_view text);

// Lower-case string with the checksum of `encoding`; throws on an empty or out-of-range hrp, a value > 31 or
// a result longer than 90 characters.
std::string bech32_encode(std::string_view hrp, const std::vector<std::uint8_t>& values, Bech32Encoding encoding);

// Decodes and validates a SegWit address for any hrp: checksum, charset, mixed case, length <= 90,
// version 0 must use Bech32 with a 20- or 32-byte program, versions 1..16 must use Bech32m.
// Throws fundtrail::Error(InvalidArgument) with a reason ("bad checksum", "mixed case", "invalid program
// length 19 for witness version 0", ...).
SegwitAddress decode_segwit_address(std::string_view address);

// decode_segwit_address without exceptions, for per-row validation: false with the same reason in `reason`.
bool try_decode_segwit_address(std::string_view address, SegwitAddress& out, std::string& reason);

// Lower-case SegWit address; throws on invalid version/program.
std::string encode_segwit_address(std::string_view hrp, int witness_version, const std::vector<std::uint8_t>& program);

}  // namespace fundtrail::core
