#include "fundtrail/core/base58.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "fundtrail/core/hash.hpp"

namespace fundtrail::core {

namespace {

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

constexpr std::array<std::int8_t, 256> make_digit_table() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr std::array<std::int8_t, 256> kDigit = make_digit_table();

// 58^5 is the largest power of 58 below 2^32: five characters are folded into one 32-bit multiply-add over
// 32-bit limbs, which makes a 34-character address about 7 x 7 limb operations instead of 34 x 25 byte ones.
constexpr std::array<std::uint32_t, 6> kPow58{
    1, 58, 58 * 58, 58 * 58 * 58, 58u * 58 * 58 * 58, 58u * 58 * 58 * 58 * 58};
constexpr std::size_t kGroup = 5;
constexpr std::size_t kStackLimbs = 64;

// Upper bound of 32-bit limbs for `digits` base-58 digits (log2(58)/32 = 0.18306 < 733/4000).
std::size_t max_limbs(std::size_t digits) { return digits * 733 / 4000 + 1; }

// Decodes into out[0..cap); false on a bad character or when the value needs more than `cap` bytes.
bool decode(std::string_view text, std::uint8_t* out, std::size_t cap, std::size_t& size) {
  std::size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  const std::string_view digits = text.substr(zeros);
  // The leading digit is non-zero, so the value is >= 58^(n-1): refusing early keeps hostile megabyte
  // strings from costing quadratic time when the caller only has room for an address.
  const std::size_t min_bytes = digits.empty() ? 0 : (digits.size() - 1) * 732 / 1000;
  if (zeros > cap || min_bytes > cap - zeros) return false;

  std::array<std::uint32_t, kStackLimbs> stack_limbs;
  std::vector<std::uint32_t> heap_limbs;
  std::uint32_t* limbs = stack_limbs.data();
  if (max_limbs(digits.size()) > kStackLimbs) {
    heap_limbs.resize(max_limbs(digits.size()));
    limbs = heap_limbs.data();
  }
  std::size_t used = 0;
  for (std::size_t pos = 0; pos < digits.size(); pos += kGroup) {
    const std::size_t count = std::min(kGroup, digits.size() - pos);
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const std::int8_t d = kDigit[static_cast<unsigned char>(digits[pos + i])];
      if (d < 0) return false;
      carry = carry * 58 + static_cast<std::uint64_t>(d);
    }
    const std::uint64_t multiplier = kPow58[count];
    for (std::size_t i = 0; i < used; ++i) {
      const std::uint64_t t = static_cast<std::uint64_t>(limbs[i]) * multiplier + carry;
      limbs[i] = static_cast<std::uint32_t>(t);
      carry = t >> 32;
    }
    if (carry != 0) limbs[used++] = static_cast<std::uint32_t>(carry);
  }

  std::size_t value_bytes = used * 4;
  if (used > 0) {
    const std::uint32_t top = limbs[used - 1];
    value_bytes -= top >= (1u << 24) ? 0 : top >= (1u << 16) ? 1 : top >= (1u << 8) ? 2 : 3;
  }
  if (value_bytes > cap - zeros) return false;
  std::memset(out, 0, zeros);
  std::uint8_t* end = out + zeros + value_bytes;
  for (std::size_t i = 0; i < value_bytes; ++i) {
    *--end = static_cast<std::uint8_t>(limbs[i / 4] >> (8 * (i % 4)));
  }
  size = zeros + value_bytes;
  return true;
}

}  // namespace

std::string base58_encode(const std::vector<std::uint8_t>& bytes) {
  std::size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0) ++zeros;
  const std::size_t value_bytes = bytes.size() - zeros;

  // The value as big-endian 32-bit limbs, divided by 58^5 per pass: five digits per division over the limbs
  // instead of one per byte-wise pass (a TRON hex address converts on every imported row).
  const std::size_t limb_count = (value_bytes + 3) / 4;
  std::array<std::uint32_t, kStackLimbs> stack_limbs;
  std::vector<std::uint32_t> heap_limbs;
  std::uint32_t* limbs = stack_limbs.data();
  if (limb_count > kStackLimbs) {
    heap_limbs.resize(limb_count);
    limbs = heap_limbs.data();
  }
  std::fill(limbs, limbs + limb_count, 0u);
  for (std::size_t i = 0; i < value_bytes; ++i) {
    const std::size_t from_end = value_bytes - 1 - i;  // byte significance
    limbs[limb_count - 1 - from_end / 4] |= static_cast<std::uint32_t>(bytes[zeros + i]) << (8 * (from_end % 4));
  }

  // log(256)/log(58) = 1.3657 < 138/100; plus up to 4 zero digits from the last group of five.
  std::string reversed;
  reversed.reserve(value_bytes * 138 / 100 + 6);
  std::size_t first = 0;  // most significant non-zero limb
  while (first < limb_count && limbs[first] == 0) ++first;
  while (first < limb_count) {
    std::uint64_t remainder = 0;
    for (std::size_t i = first; i < limb_count; ++i) {
      const std::uint64_t current = (remainder << 32) | limbs[i];
      limbs[i] = static_cast<std::uint32_t>(current / kPow58[kGroup]);
      remainder = current % kPow58[kGroup];
    }
    for (std::size_t d = 0; d < kGroup; ++d) {
      reversed += kAlphabet[remainder % 58];
      remainder /= 58;
    }
    while (first < limb_count && limbs[first] == 0) ++first;
  }
  while (!reversed.empty() && reversed.back() == kAlphabet[0]) reversed.pop_back();

  std::string out(zeros, kAlphabet[0]);
  out.append(reversed.rbegin(), reversed.rend());
  return out;
}

std::optional<std::size_t> base58_decode_into(std::string_view text, std::span<std::uint8_t> out) {
  std::size_t size = 0;
  if (!decode(text, out.data(), out.size(), size)) return std::nullopt;
  return size;
}

std::optional<std::vector<std::uint8_t>> base58_decode(std::string_view text) {
  std::size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  // log(58)/log(256) = 0.7322 < 733/1000.
  std::vector<std::uint8_t> out(zeros + (text.size() - zeros) * 733 / 1000 + 1);
  std::size_t size = 0;
  if (!decode(text, out.data(), out.size(), size)) return std::nullopt;
  out.resize(size);
  return out;
}

std::string base58check_encode(const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> data(payload);
  const Digest32 check = double_sha256(payload);
  data.insert(data.end(), check.begin(), check.begin() + 4);
  return base58_encode(data);
}

Base58CheckResult base58check_decode(std::string_view text) {
  auto decoded = base58_decode(text);
  if (!decoded) return {Base58CheckStatus::BadCharacter, {}};
  if (decoded->size() < 4) return {Base58CheckStatus::TooShort, {}};
  const std::size_t payload_size = decoded->size() - 4;
  const Digest32 check = double_sha256(std::span<const std::uint8_t>(decoded->data(), payload_size));
  if (!std::equal(check.begin(), check.begin() + 4, decoded->begin() + static_cast<std::ptrdiff_t>(payload_size))) {
    return {Base58CheckStatus::BadChecksum, {}};
  }
  decoded->resize(payload_size);
  return {Base58CheckStatus::Ok, std::move(*decoded)};
}

}  // namespace fundtrail::core
