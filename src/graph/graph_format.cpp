#include "graph_format.hpp"

#include <algorithm>
#include <cstring>

namespace fundtrail::graph {
namespace {

constexpr std::uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;

inline std::uint64_t rotl(std::uint64_t value, int bits) { return (value << bits) | (value >> (64 - bits)); }
inline std::uint64_t mix(std::uint64_t lane, std::uint64_t word) { return rotl(lane + word * kPrime2, 31) * kPrime1; }

void absorb(std::uint64_t (&lanes)[4], const std::byte* data, std::size_t size) {
  std::size_t pos = 0;
  for (; pos + 32 <= size; pos += 32) {
    std::uint64_t words[4];
    std::memcpy(words, data + pos, 32);
    for (int lane = 0; lane < 4; ++lane) lanes[lane] = mix(lanes[lane], words[lane]);
  }
  for (int lane = 0; pos < size; pos += 8, lane = (lane + 1) % 4) {
    std::uint64_t word = 0;
    std::memcpy(&word, data + pos, std::min<std::size_t>(8, size - pos));
    lanes[lane] = mix(lanes[lane], word);
  }
}

}  // namespace

std::uint64_t image_checksum(const std::byte* image, std::size_t size) {
  std::uint64_t lanes[4] = {kPrime1, kPrime2, 0, ~kPrime1};
  GraphHeader header{};
  std::memcpy(&header, image, sizeof header);
  header.checksum = 0;
  absorb(lanes, reinterpret_cast<const std::byte*>(&header), sizeof header);
  absorb(lanes, image + sizeof header, size - sizeof header);
  std::uint64_t result = size;
  for (std::uint64_t lane : lanes) result = rotl(result ^ mix(0, lane), 27) * kPrime1 + kPrime2;
  return result;
}

}  // namespace fundtrail::graph
