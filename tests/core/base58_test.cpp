#include "fundtrail/core/base58.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "fundtrail/core/hash.hpp"

namespace fundtrail::core {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view hex) {
  const std::string raw = hex_to_bytes(hex);
  return {raw.begin(), raw.end()};
}

struct Vector {
  std::string_view hex;
  std::string_view base58;
};

// Bitcoin Core's base58_encode_decode.json, cross-checked with Python big integers.
constexpr Vector kVectors[] = {
    {"", ""},
    {"61", "2g"},
    {"626262", "a3gV"},
    {"636363", "aPEr"},
    {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
    {"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
    {"516b6fcd0f", "ABnLTmg"},
    {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
    {"572e4794", "3EFU7m"},
    {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
    {"10c8511e", "Rt5zm"},
    {"00000000000000000000", "1111111111"},
    {"000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5",
     "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"},
};

TEST(Base58Test, EncodesKnownVectors) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(base58_encode(bytes_of(v.hex)), v.base58) << v.hex;
  }
}

TEST(Base58Test, DecodesKnownVectors) {
  for (const auto& v : kVectors) {
    const auto decoded = base58_decode(v.base58);
    ASSERT_TRUE(decoded.has_value()) << v.base58;
    EXPECT_EQ(to_hex(*decoded), v.hex) << v.base58;
  }
}

// Encode and decode use different big-number code (limb division vs. limb multiply-add), so agreement over
// random lengths, including runs of leading zero bytes, cross-checks both beyond the fixed vectors.
TEST(Base58Test, RandomBytesRoundTrip) {
  std::mt19937 rng(20240601);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::uint8_t> bytes(rng() % 80);
    const std::size_t zeros = bytes.empty() ? 0 : rng() % (bytes.size() + 1) / 4;
    for (std::size_t i = zeros; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(rng());
    const std::string text = base58_encode(bytes);
    const auto decoded = base58_decode(text);
    ASSERT_TRUE(decoded.has_value()) << text;
    EXPECT_EQ(*decoded, bytes) << text;
  }
}

// '0', 'O', 'I' and 'l' are left out of the alphabet because they are easily confused.
TEST(Base58Test, RejectsCharactersOutsideTheAlphabet) {
  for (std::string_view text :
       {"1A1zP1eP0QGefi2", "1A1zP1ePOQGefi2", "1A1zP1ePIQGefi2", "1A1zP1ePlQGefi2", "a3g V", "a3gV\n", "a3g\xc3\xa9"}) {
    EXPECT_EQ(base58_decode(text), std::nullopt) << text;
  }
}

TEST(Base58Test, DecodeIntoFillsTheCallersBuffer) {
  std::array<std::uint8_t, 25> buffer{};
  const auto size = base58_decode_into("1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L", buffer);
  ASSERT_EQ(size, 25u);
  EXPECT_EQ(to_hex(buffer), "00eb15231dfceb60925886b67d065299925915aeb172c06647");
}

TEST(Base58Test, DecodeIntoRefusesWhatDoesNotFit) {
  std::array<std::uint8_t, 24> small{};
  EXPECT_EQ(base58_decode_into("1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L", small), std::nullopt);
  // Leading '1's are zero bytes and count against the buffer too.
  std::array<std::uint8_t, 3> three{};
  EXPECT_EQ(base58_decode_into("1111", three), std::nullopt);
  EXPECT_EQ(base58_decode_into("111", three), 3u);
  // Hostile length must be refused, not decoded in quadratic time.
  EXPECT_EQ(base58_decode_into(std::string(1 << 20, 'z'), small), std::nullopt);
}

TEST(Base58CheckTest, DecodesKnownAddresses) {
  const auto genesis = base58check_decode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
  ASSERT_EQ(genesis.status, Base58CheckStatus::Ok);
  EXPECT_EQ(to_hex(genesis.payload), "0062e907b15cbf27d5425399ebf6f0fb50ebb88f18");
  const auto p2sh = base58check_decode("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy");
  ASSERT_EQ(p2sh.status, Base58CheckStatus::Ok);
  EXPECT_EQ(to_hex(p2sh.payload), "05b472a266d0bd89c13706a4132ccfb16f7c3b9fcb");
}

TEST(Base58CheckTest, EncodesKnownAddress) {
  EXPECT_EQ(base58check_encode(bytes_of("0062e907b15cbf27d5425399ebf6f0fb50ebb88f18")),
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
}

TEST(Base58CheckTest, OneChangedCharacterBreaksTheChecksum) {
  for (std::string_view text : {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DiVfNa",
                                "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz"}) {
    const auto result = base58check_decode(text);
    EXPECT_EQ(result.status, Base58CheckStatus::BadChecksum) << text;
    EXPECT_TRUE(result.payload.empty()) << text;
  }
}

TEST(Base58CheckTest, ReportsBadCharacterAndTooShort) {
  EXPECT_EQ(base58check_decode("1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a").status, Base58CheckStatus::BadCharacter);
  EXPECT_EQ(base58check_decode("").status, Base58CheckStatus::TooShort);
  EXPECT_EQ(base58check_decode("2g").status, Base58CheckStatus::TooShort);         // 1 byte
  EXPECT_EQ(base58check_decode("3EFU7m").status, Base58CheckStatus::BadChecksum);  // 4 bytes: empty payload
}

}  // namespace
}  // namespace fundtrail::core
