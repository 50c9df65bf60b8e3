#pragma once
// Cryptographic digests used by address codecs, TRON txID checks and evidence records.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace fundtrail::core {

using Digest32 = std::array<std::uint8_t, 32>;

Digest32 sha256(std::span<const std::uint8_t> data);
Digest32 sha256(std::string_view data);
Digest32 double_sha256(std::span<const std::uint8_t> data);

// SHA-256 of bytes that arrive in pieces (a file hashed as it is read, instead of in a pass of its own).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void update(std::string_view bytes);
  // The digest of everything given so far; the hasher then starts over.
  Digest32 finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};
// Keccak-256 as used by Ethereum (original Keccak padding, NOT NIST SHA3-256).
Digest32 keccak256(std::span<const std::uint8_t> data);
Digest32 keccak256(std::string_view data);

std::string to_hex(std::span<const std::uint8_t> bytes);
// The same written to `out` (2 * bytes.size() characters), for callers that spell hex straight into a buffer.
void write_hex(std::span<const std::uint8_t> bytes, char* out);
// Decodes hex (even length, no prefix, either case); throws fundtrail::Error(InvalidArgument) otherwise.
std::string hex_to_bytes(std::string_view hex);

}  // namespace fundtrail::core
