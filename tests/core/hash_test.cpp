#include "fundtrail/core/hash.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::core {
namespace {

using ::testing::HasSubstr;

// The message of the fundtrail::Error `fn` throws, after checking it is an InvalidArgument; "" if none.
using test::invalid_argument_message;

std::string hex(const Digest32& digest) { return to_hex(digest); }

// FIPS 180-2 examples plus the empty string.
TEST(HashTest, Sha256KnownVectors) {
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hex(sha256(std::string(1000000, 'a'))), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// A zero byte must be hashed, not taken as a terminator.
TEST(HashTest, Sha256OfBinaryBytes) {
  const std::vector<std::uint8_t> zero{0x00};
  EXPECT_EQ(hex(sha256(zero)), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(HashTest, DoubleSha256IsShaOfTheDigest) {
  const std::string text = "hello";
  const std::vector<std::uint8_t> bytes(text.begin(), text.end());
  EXPECT_EQ(hex(double_sha256(bytes)), "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50");
}

// Ethereum's Keccak differs from NIST SHA3-256 only in padding, so the empty input tells them apart.
TEST(HashTest, Keccak256IsNotSha3) {
  EXPECT_EQ(hex(keccak256("")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_NE(hex(keccak256("")), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  EXPECT_EQ(hex(keccak256("abc")), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

// 135 and 136 bytes straddle the 136-byte rate: one-byte padding versus an extra padding block.
// Expected values from an independent pure-Python Keccak-f[1600].
TEST(HashTest, Keccak256AroundTheRateBoundary) {
  EXPECT_EQ(hex(keccak256(std::string(135, 'a'))), "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446");
  EXPECT_EQ(hex(keccak256(std::string(136, 'a'))), "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e");
  EXPECT_EQ(hex(keccak256(std::string(200, 'a'))), "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d");
}

// Several blocks of every byte value (byte i = 31 i + 7): the multi-block path. Expected values from Crypto++
// 8.7's Keccak_256, an independent implementation.
TEST(HashTest, Keccak256OverManyBlocks) {
  const auto pattern = [](std::size_t size) {
    std::string bytes;
    for (std::size_t i = 0; i < size; ++i) bytes.push_back(static_cast<char>(i * 31 + 7));
    return bytes;
  };
  EXPECT_EQ(hex(keccak256(pattern(272))), "c62d6a60780d4e03408834062e58004a549cff1c7487c0b9a130810621b0fcae");
  EXPECT_EQ(hex(keccak256(pattern(273))), "b47ca693c8d675afa3b0b644da6dc96613f07c6f8971f9a0077ed6b7c994561d");
  EXPECT_EQ(hex(keccak256(pattern(1000))), "c77d9bffcae9f0984e6dff7eea63cc14cad5f367f791e27b08a1953f192f30a5");
  EXPECT_EQ(hex(keccak256(pattern(100000))), "cbbdbce22fd6fe62df332a4262961bc10543b76a62a8a9d93e08e069605684fa");
}

// Bytes given in pieces hash as the whole; finish() starts the hasher over.
TEST(HashTest, Sha256HasherOfPiecesEqualsTheDigestOfTheWhole) {
  std::string whole;
  for (int i = 0; i < 5000; ++i) whole += std::to_string(i * 7919) + ",";
  Sha256Hasher hasher;
  for (std::size_t at = 0, size = 1; at < whole.size(); at += size, size = size * 3 % 1021 + 1) {
    hasher.update(std::string_view(whole).substr(at, size));
  }
  EXPECT_EQ(hex(hasher.finish()), hex(sha256(whole)));
  hasher.update("abc");
  EXPECT_EQ(hex(hasher.finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(hasher.finish()), hex(sha256(std::string_view())));
}

TEST(HashTest, ToHexIsLowerCaseWithLeadingZeros) {
  const std::vector<std::uint8_t> bytes{0x00, 0x0f, 0xa0, 0xff};
  EXPECT_EQ(to_hex(bytes), "000fa0ff");
  EXPECT_EQ(to_hex(std::vector<std::uint8_t>{}), "");
}

TEST(HashTest, HexToBytesAcceptsEitherCase) {
  EXPECT_EQ(hex_to_bytes("00ffAb"), std::string("\x00\xff\xab", 3));
  EXPECT_EQ(hex_to_bytes(""), "");
}

TEST(HashTest, HexToBytesRejectsOddLength) {
  EXPECT_THAT(invalid_argument_message([] { hex_to_bytes("abc"); }), HasSubstr("odd length 3"));
}

TEST(HashTest, HexToBytesRejectsNonHexAndPrefixes) {
  EXPECT_THAT(invalid_argument_message([] { hex_to_bytes("0g"); }), HasSubstr("invalid character 'g' at position 2"));
  // The header promises "no prefix": a 0x form is the caller's to strip.
  EXPECT_THAT(invalid_argument_message([] { hex_to_bytes("0x00"); }), HasSubstr("invalid character 'x'"));
}

}  // namespace
}  // namespace fundtrail::core
