// Keccak-256 as Ethereum uses it: the Keccak-f[1600] permutation in a sponge of rate 1088 bits with the
// original Keccak padding (Bertoni, Daemen, Peeters, Van Assche 2011; FIPS 202 section 3 for the
// permutation, without SHA-3's domain bits). Written here rather than taken from a crypto library: loading
// Crypto++ for this one function cost every command ~1.5 ms of start-up in symbol relocations.
#include <bit>
#include <cstring>

#include "fundtrail/core/hash.hpp"

namespace fundtrail::core {
namespace {

constexpr std::size_t kRateBytes = 136;

constexpr std::uint64_t kRoundConstants[24] = {
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000, 0x000000000000808B,
    0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008A, 0x0000000000000088,
    0x0000000080008009, 0x000000008000000A, 0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008};

// Rotation of lane (x, y), stored at x + 5y (the rho step).
constexpr int kRotations[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

void permute(std::uint64_t (&a)[25]) {
  for (const std::uint64_t round_constant : kRoundConstants) {
    std::uint64_t column[5];
    for (int x = 0; x < 5; ++x) column[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      const std::uint64_t d = column[(x + 4) % 5] ^ std::rotl(column[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[x + y] ^= d;
    }
    std::uint64_t b[25];
    for (int x = 0; x < 5; ++x) {  // rho and pi: B[y, 2x + 3y] = rot(A[x, y])
      for (int y = 0; y < 5; ++y) b[y + 5 * ((2 * x + 3 * y) % 5)] = std::rotl(a[x + 5 * y], kRotations[x + 5 * y]);
    }
    for (int y = 0; y < 25; y += 5) {  // chi
      for (int x = 0; x < 5; ++x) a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]);
    }
    a[0] ^= round_constant;  // iota
  }
}

// XORs one block of the rate into the state, lanes little-endian.
void absorb(std::uint64_t (&a)[25], const std::uint8_t* block) {
  for (std::size_t lane = 0; lane < kRateBytes / 8; ++lane) {
    std::uint64_t value = 0;
    for (int byte = 7; byte >= 0; --byte) value = value << 8 | block[lane * 8 + static_cast<std::size_t>(byte)];
    a[lane] ^= value;
  }
  permute(a);
}

}  // namespace

Digest32 keccak256(std::span<const std::uint8_t> data) {
  std::uint64_t state[25] = {};
  std::size_t offset = 0;
  for (; data.size() - offset >= kRateBytes; offset += kRateBytes) absorb(state, data.data() + offset);
  std::uint8_t last[kRateBytes] = {};
  std::memcpy(last, data.data() + offset, data.size() - offset);
  last[data.size() - offset] ^= 0x01;  // Keccak's pad10*1 (SHA-3 would put 0x06 here)
  last[kRateBytes - 1] ^= 0x80;
  absorb(state, last);
  Digest32 out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(state[i / 8] >> (8 * (i % 8)));
  return out;
}

Digest32 keccak256(std::string_view data) {
  return keccak256(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

}  // namespace fundtrail::core
