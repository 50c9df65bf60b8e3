// Test vectors typed in from BIP-173 and BIP-350 ("Test vectors" sections).
#include "fundtrail/core/bech32.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "fundtrail/core/error.hpp"
#include "fundtrail/core/hash.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::core {
namespace {

using ::testing::HasSubstr;

// The message of the fundtrail::Error `fn` throws, after checking it is an InvalidArgument; "" if none.
using test::invalid_argument_message;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return out;
}

struct Invalid {
  std::string_view text;
  std::string_view reason;
};

// ---- plain strings ----

constexpr std::string_view kValidBech32[] = {
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
};

constexpr std::string_view kValidBech32m[] = {
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
};

// Each valid string must decode with its own constant (no string is valid under both) and re-encode to itself.
TEST(Bech32Test, Bip173ValidStrings) {
  for (std::string_view text : kValidBech32) {
    const Bech32String decoded = bech32_decode(text);
    EXPECT_EQ(decoded.encoding, Bech32Encoding::Bech32) << text;
    EXPECT_EQ(bech32_encode(decoded.hrp, decoded.data, Bech32Encoding::Bech32), lower(text));
  }
}

TEST(Bech32Test, Bip350ValidStrings) {
  for (std::string_view text : kValidBech32m) {
    const Bech32String decoded = bech32_decode(text);
    EXPECT_EQ(decoded.encoding, Bech32Encoding::Bech32m) << text;
    EXPECT_EQ(bech32_encode(decoded.hrp, decoded.data, Bech32Encoding::Bech32m), lower(text));
  }
}

TEST(Bech32Test, DecodeExposesHrpAndData) {
  const Bech32String decoded = bech32_decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw");
  EXPECT_EQ(decoded.hrp, "abcdef");
  ASSERT_EQ(decoded.data.size(), 32u);
  for (std::size_t i = 0; i < 32; ++i) EXPECT_EQ(decoded.data[i], i);  // the data part is the charset in order
}

// The BIPs write the out-of-range hrp bytes as 0x20/0x7F/0x80; here they are ' ' and octal \177 / \200, because
// a hex escape would swallow the following '1'.
TEST(Bech32Test, Bip173InvalidStrings) {
  const Invalid cases[] = {
      {" 1nwldj5", "invalid character ' ' at position 1"},
      {"\1771axkwrx", "invalid character '\\x7f' at position 1"},
      {"\2001eym55h", "invalid character '\\x80' at position 1"},
      {"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", "too long"},
      {"pzry9x0s0muk", "missing separator"},
      {"1pzry9x0s0muk", "empty human-readable part"},
      {"x1b4n0q5v", "invalid data character 'b' at position 3"},
      {"li1dgmt3", "checksum too short"},
      {"de1lg7wt\xff", "invalid character '\\xff' at position 9"},
      {"A1G7SGD8", "bad checksum"},  // checksum computed over the upper-case hrp
      {"10a06t8", "empty human-readable part"},
      {"1qzzfhee", "empty human-readable part"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(invalid_argument_message([&] { bech32_decode(c.text); }), HasSubstr(c.reason)) << c.text;
  }
}

TEST(Bech32Test, Bip350InvalidStrings) {
  const Invalid cases[] = {
      {" 1xj0phk", "invalid character"},
      {"\1771g6xzxy", "invalid character"},
      {"\2001vctc34", "invalid character"},
      {"an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4", "too long"},
      {"qyrz8wqd2c9m", "missing separator"},
      {"1qyrz8wqd2c9m", "empty human-readable part"},
      {"y1b0jsk6g", "invalid data character 'b'"},
      {"lt1igcx5c0", "invalid data character 'i'"},
      {"in1muywd", "checksum too short"},
      {"mm1crxm3i", "invalid data character 'i'"},
      {"au1s5cgom", "invalid data character 'o'"},
      {"M1VUXWEZ", "bad checksum"},
      {"16plkw9", "empty human-readable part"},
      {"1p2gdwpf", "empty human-readable part"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(invalid_argument_message([&] { bech32_decode(c.text); }), HasSubstr(c.reason)) << c.text;
  }
}

TEST(Bech32Test, EncodeRejectsWhatCannotBeDecoded) {
  EXPECT_THAT(invalid_argument_message([] { bech32_encode("", {}, Bech32Encoding::Bech32); }),
              HasSubstr("empty human-readable part"));
  EXPECT_THAT(invalid_argument_message([] { bech32_encode("a", {32}, Bech32Encoding::Bech32); }),
              HasSubstr("data value 32 exceeds 31"));
  EXPECT_THAT(invalid_argument_message([] { bech32_encode(std::string(84, 'a'), {}, Bech32Encoding::Bech32m); }),
              HasSubstr("too long (91 characters"));
}

// ---- SegWit addresses ----

// The scriptPubKey a SegWit address stands for: OP_n (0x00 or 0x50+n), push of the program.
std::string script_pubkey(const SegwitAddress& address) {
  const int op = address.witness_version == 0 ? 0 : 0x50 + address.witness_version;
  std::vector<std::uint8_t> script{static_cast<std::uint8_t>(op), static_cast<std::uint8_t>(address.program.size())};
  script.insert(script.end(), address.program.begin(), address.program.end());
  return to_hex(script);
}

TEST(SegwitTest, Bip350ValidAddresses) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
      {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
       "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
      {"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
       "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
      {"BC1SW50QGDZ25J", "6002751e"},
      {"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"},
      {"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
       "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
      {"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
       "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
       "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
  };
  for (const auto& [address, script] : cases) {
    const SegwitAddress decoded = decode_segwit_address(address);
    EXPECT_EQ(script_pubkey(decoded), script) << address;
    EXPECT_EQ(encode_segwit_address(decoded.hrp, decoded.witness_version, decoded.program), lower(address));
  }
}

// Any hrp decodes; which networks are acceptable is address.cpp's decision.
TEST(SegwitTest, DecodeIsHrpAgnostic) {
  EXPECT_EQ(decode_segwit_address("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty").hrp, "tc");
  EXPECT_EQ(decode_segwit_address("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut").hrp, "tc");
}

TEST(SegwitTest, Bip173InvalidAddresses) {
  const Invalid cases[] = {
      {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bad checksum"},
      {"BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "invalid witness version 17"},
      {"bc1rw5uspcuh", "invalid program length 1"},
      {"bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", "invalid program length 41"},
      {"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "invalid program length 16 for witness version 0"},
      {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "mixed case"},
      {"bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "zero padding of more than 4 bits"},
      {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", "non-zero padding"},
      {"bc1gmk9yu", "empty data section"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(invalid_argument_message([&] { decode_segwit_address(c.text); }), HasSubstr(c.reason)) << c.text;
  }
}

TEST(SegwitTest, Bip350InvalidAddresses) {
  const Invalid cases[] = {
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "witness version 1 requires a bech32m"},
      {"tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "witness version 2 requires a bech32m"},
      {"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "witness version 16 requires a bech32m"},
      {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "witness version 0 requires a bech32 checksum"},
      {"tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
       "witness version 0 requires a bech32 checksum"},
      {"bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "invalid data character 'o'"},
      {"BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "invalid witness version 17"},
      {"bc1pw5dgrnzv", "invalid program length 1"},
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "invalid program length 41"},
      {"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "invalid program length 16 for witness version 0"},
      {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "mixed case"},
      {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "zero padding of more than 4 bits"},
      {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", "non-zero padding"},
      {"bc1gmk9yu", "empty data section"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(invalid_argument_message([&] { decode_segwit_address(c.text); }), HasSubstr(c.reason)) << c.text;
  }
}

// BIP-173 once listed these v1+ addresses as valid; BIP-350 moved v1..16 to Bech32m, so they must now fail.
TEST(SegwitTest, Bip173VersionOnePlusVectorsAreNowInvalid) {
  for (std::string_view address : {"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
                                   "BC1SW50QA3JX3S", "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj"}) {
    EXPECT_THAT(invalid_argument_message([&] { decode_segwit_address(address); }),
                HasSubstr("requires a bech32m checksum, found bech32"))
        << address;
  }
}

TEST(SegwitTest, DecodeErrorNamesTheAddress) {
  EXPECT_THAT(invalid_argument_message([] { decode_segwit_address("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"); }),
              HasSubstr("'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5'"));
}

TEST(SegwitTest, TryDecodeReportsWithoutThrowing) {
  SegwitAddress out;
  std::string reason;
  EXPECT_FALSE(try_decode_segwit_address("bc1gmk9yu", out, reason));
  EXPECT_EQ(reason, "empty data section");
  EXPECT_TRUE(try_decode_segwit_address("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", out, reason));
  EXPECT_EQ(out.witness_version, 0);
  EXPECT_EQ(to_hex(out.program), "751e76e8199196d454941c45d1b3a323f1433bd6");
}

// Expected strings from an independent Python transcription of the BIP-173 reference encoder.
TEST(SegwitTest, EncodeProducesLowerCase) {
  const std::string raw = hex_to_bytes("751e76e8199196d454941c45d1b3a323f1433bd6");
  const std::vector<std::uint8_t> program(raw.begin(), raw.end());
  EXPECT_EQ(encode_segwit_address("BC", 0, program), "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  EXPECT_EQ(encode_segwit_address("bcrt", 0, program), "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080");
}

TEST(SegwitTest, EncodeRejectsInvalidPrograms) {
  const std::vector<std::uint8_t> p20(20, 0x11);
  EXPECT_THAT(invalid_argument_message([&] { encode_segwit_address("bc", 17, p20); }),
              HasSubstr("invalid witness version 17"));
  EXPECT_THAT(invalid_argument_message([&] { encode_segwit_address("bc", -1, p20); }),
              HasSubstr("invalid witness version -1"));
  EXPECT_THAT(invalid_argument_message([] { encode_segwit_address("bc", 0, std::vector<std::uint8_t>(19)); }),
              HasSubstr("invalid program length 19 for witness version 0"));
  EXPECT_THAT(invalid_argument_message([] { encode_segwit_address("bc", 1, std::vector<std::uint8_t>(41)); }),
              HasSubstr("invalid program length 41"));
}

}  // namespace
}  // namespace fundtrail::core
