// Bech32 per BIP-173, Bech32m per BIP-350 (which also restricts witness versions 1..16 to Bech32m).
#include "fundtrail/core/bech32.hpp"

#include <array>

#include "fundtrail/core/error.hpp"

namespace fundtrail::core {

namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t kMaxLength = 90;
constexpr std::size_t kChecksumLength = 6;
constexpr std::uint32_t kBech32Constant = 1;
constexpr std::uint32_t kBech32mConstant = 0x2bc830a3;

constexpr std::array<std::int8_t, 128> make_value_table() {
  std::array<std::int8_t, 128> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < kCharset.size(); ++i) {
    table[static_cast<unsigned char>(kCharset[i])] = static_cast<std::int8_t>(i);
    table[static_cast<unsigned char>(kCharset[i] - ('a' <= kCharset[i] && kCharset[i] <= 'z' ? 32 : 0))] =
        static_cast<std::int8_t>(i);
  }
  return table;
}
constexpr std::array<std::int8_t, 128> kValue = make_value_table();

class Polymod {
 public:
  void feed(std::uint32_t value) {
    const std::uint32_t top = chk_ >> 25;
    chk_ = ((chk_ & 0x1ffffff) << 5) ^ value;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk_ ^= kGenerator[i];
    }
  }
  // The hrp enters the checksum as its high bits, a zero, then its low bits ("hrp expansion").
  void feed_hrp(std::string_view lower_hrp) {
    for (char c : lower_hrp) feed(static_cast<unsigned char>(c) >> 5);
    feed(0);
    for (char c : lower_hrp) feed(static_cast<unsigned char>(c) & 31);
  }
  std::uint32_t value() const { return chk_; }

 private:
  static constexpr std::array<std::uint32_t, 5> kGenerator{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  std::uint32_t chk_ = 1;
};

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

std::string at_position(std::string_view text, std::size_t index) {
  return "'" + printable_excerpt(text.substr(index, 1)) + "' at position " + std::to_string(index + 1);
}

bool decode_string(std::string_view text, Bech32String& out, std::string& reason) {
  if (text.size() > kMaxLength) {
    reason = "too long (" + std::to_string(text.size()) + " characters, max 90)";
    return false;
  }
  bool has_lower = false;
  bool has_upper = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 33 || c > 126) {
      reason = "invalid character " + at_position(text, i);
      return false;
    }
    has_lower |= c >= 'a' && c <= 'z';
    has_upper |= c >= 'A' && c <= 'Z';
  }
  if (has_lower && has_upper) {
    reason = "mixed case";
    return false;
  }
  const std::size_t separator = text.rfind('1');
  if (separator == std::string_view::npos) {
    reason = "missing separator '1'";
    return false;
  }
  if (separator == 0) {
    reason = "empty human-readable part";
    return false;
  }
  if (text.size() - separator - 1 < kChecksumLength) {
    reason = "checksum too short";
    return false;
  }

  out.hrp.resize(separator);
  for (std::size_t i = 0; i < separator; ++i) out.hrp[i] = to_lower(text[i]);
  Polymod polymod;
  polymod.feed_hrp(out.hrp);
  out.data.clear();
  out.data.reserve(text.size() - separator - 1 - kChecksumLength);
  for (std::size_t i = separator + 1; i < text.size(); ++i) {
    const std::int8_t value = kValue[static_cast<unsigned char>(text[i])];
    if (value < 0) {
      reason = "invalid data character " + at_position(text, i);
      return false;
    }
    polymod.feed(static_cast<std::uint32_t>(value));
    if (i < text.size() - kChecksumLength) out.data.push_back(static_cast<std::uint8_t>(value));
  }
  if (polymod.value() == kBech32Constant) {
    out.encoding = Bech32Encoding::Bech32;
  } else if (polymod.value() == kBech32mConstant) {
    out.encoding = Bech32Encoding::Bech32m;
  } else {
    reason = "bad checksum";
    return false;
  }
  return true;
}

// Regroups bits; when not padding, BIP-173 allows at most 4 leftover bits and requires them to be zero.
bool convert_bits(const std::uint8_t* in, std::size_t size, int from, int to, bool pad, std::vector<std::uint8_t>& out,
                  std::string& reason) {
  std::uint32_t acc = 0;
  int bits = 0;
  const std::uint32_t max_value = (1u << to) - 1;
  const std::uint32_t max_acc = (1u << (from + to - 1)) - 1;
  for (std::size_t i = 0; i < size; ++i) {
    acc = ((acc << from) | in[i]) & max_acc;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & max_value));
    }
  }
  if (pad) {
    if (bits > 0) out.push_back(static_cast<std::uint8_t>((acc << (to - bits)) & max_value));
  } else if (bits >= from) {
    reason = "zero padding of more than 4 bits";
    return false;
  } else if (((acc << (to - bits)) & max_value) != 0) {
    reason = "non-zero padding";
    return false;
  }
  return true;
}

std::string program_problem(int version, std::size_t size) {
  if (version < 0 || version > 16) return "invalid witness version " + std::to_string(version);
  if (size < 2 || size > 40) return "invalid program length " + std::to_string(size);
  if (version == 0 && size != 20 && size != 32) {
    return "invalid program length " + std::to_string(size) + " for witness version 0";
  }
  return {};
}

std::string_view encoding_name(Bech32Encoding encoding) {
  return encoding == Bech32Encoding::Bech32 ? "bech32" : "bech32m";
}

}  // namespace

Bech32String bech32_decode(std::string_view text) {
  Bech32String out;
  std::string reason;
  if (!decode_string(text, out, reason)) {
    throw invalid_argument("invalid bech32 string '" + printable_excerpt(text) + "': " + reason);
  }
  return out;
}

std::string bech32_encode(std::string_view hrp, const std::vector<std::uint8_t>& values, Bech32Encoding encoding) {
  const auto fail = [&](const std::string& reason) {
    return invalid_argument("cannot bech32-encode hrp '" + printable_excerpt(hrp) + "': " + reason);
  };
  if (hrp.empty()) throw fail("empty human-readable part");
  const std::size_t length = hrp.size() + 1 + values.size() + kChecksumLength;
  if (length > kMaxLength) throw fail("too long (" + std::to_string(length) + " characters, max 90)");
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < hrp.size(); ++i) {
    const auto c = static_cast<unsigned char>(hrp[i]);
    if (c < 33 || c > 126) throw fail("invalid character " + at_position(hrp, i));
    out += to_lower(hrp[i]);
  }
  Polymod polymod;
  polymod.feed_hrp(out);
  out += '1';
  for (const std::uint8_t value : values) {
    if (value > 31) throw fail("data value " + std::to_string(value) + " exceeds 31");
    polymod.feed(value);
    out += kCharset[value];
  }
  for (std::size_t i = 0; i < kChecksumLength; ++i) polymod.feed(0);
  const std::uint32_t checksum =
      polymod.value() ^ (encoding == Bech32Encoding::Bech32 ? kBech32Constant : kBech32mConstant);
  for (std::size_t i = 0; i < kChecksumLength; ++i) out += kCharset[(checksum >> (5 * (5 - i))) & 31];
  return out;
}

bool try_decode_segwit_address(std::string_view address, SegwitAddress& out, std::string& reason) {
  Bech32String decoded;
  if (!decode_string(address, decoded, reason)) return false;
  if (decoded.data.empty()) {
    reason = "empty data section";
    return false;
  }
  const int version = decoded.data[0];
  std::vector<std::uint8_t> program;
  program.reserve((decoded.data.size() - 1) * 5 / 8);
  if (!convert_bits(decoded.data.data() + 1, decoded.data.size() - 1, 5, 8, false, program, reason)) return false;
  if (std::string problem = program_problem(version, program.size()); !problem.empty()) {
    reason = std::move(problem);
    return false;
  }
  const Bech32Encoding required = version == 0 ? Bech32Encoding::Bech32 : Bech32Encoding::Bech32m;
  if (decoded.encoding != required) {
    reason = "witness version " + std::to_string(version) + " requires a " + std::string(encoding_name(required)) +
             " checksum, found " + std::string(encoding_name(decoded.encoding));
    return false;
  }
  out.hrp = std::move(decoded.hrp);
  out.witness_version = version;
  out.program = std::move(program);
  return true;
}

SegwitAddress decode_segwit_address(std::string_view address) {
  SegwitAddress out;
  std::string reason;
  if (!try_decode_segwit_address(address, out, reason)) {
    throw invalid_argument("invalid segwit address '" + printable_excerpt(address) + "': " + reason);
  }
  return out;
}

std::string encode_segwit_address(std::string_view hrp, int witness_version, const std::vector<std::uint8_t>& program) {
  if (std::string problem = program_problem(witness_version, program.size()); !problem.empty()) {
    throw invalid_argument("cannot encode segwit address for hrp '" + printable_excerpt(hrp) + "': " + problem);
  }
  std::vector<std::uint8_t> values{static_cast<std::uint8_t>(witness_version)};
  values.reserve(1 + (program.size() * 8 + 4) / 5);
  std::string unused;
  convert_bits(program.data(), program.size(), 8, 5, true, values, unused);
  return bech32_encode(hrp, values, witness_version == 0 ? Bech32Encoding::Bech32 : Bech32Encoding::Bech32m);
}

}  // namespace fundtrail::core
