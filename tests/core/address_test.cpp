#include "fundtrail/core/address.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "fundtrail/core/error.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::core {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// The message of the fundtrail::Error `fn` throws, after checking it is an InvalidArgument; "" if none.
using test::invalid_argument_message;

std::string rejection(Chain chain, std::string_view address) {
  return invalid_argument_message([&] { normalize_address(chain, address); });
}

// Base58Check payloads verified with Python hashlib: versions 0x00, 0x05, 0x6f, 0xc4.
constexpr std::string_view kBtcLegacy[] = {
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",   // mainnet P2PKH (genesis coinbase)
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",   // mainnet P2PKH
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",   // mainnet P2SH
    "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",   // testnet P2PKH
    "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc",  // testnet P2SH
};

constexpr std::string_view kTronUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
constexpr std::string_view kTronUsdtHex = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c";
constexpr std::string_view kTronOther = "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7";
constexpr std::string_view kTronOtherHex = "4174472e7d35395a6b5add427eecb7f4b62ad2b071";

// ---- btc ----

TEST(BtcAddressTest, LegacyAddressesAreKeptAsTheyAre) {
  for (std::string_view address : kBtcLegacy) EXPECT_EQ(normalize_address(Chain::Btc, address), address);
}

TEST(BtcAddressTest, SegwitAddressesAreLowerCased) {
  EXPECT_EQ(normalize_address(Chain::Btc, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  EXPECT_EQ(normalize_address(Chain::Btc, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
  EXPECT_EQ(normalize_address(Chain::Btc, "TB1QRP33G0Q5C5TXSP9ARYSRX4K6ZDKFS4NCE4XJ0GDCCCEFVPYSXF3Q0SL5K7"),
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7");
  EXPECT_EQ(normalize_address(Chain::Btc, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"),
            "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080");
}

TEST(BtcAddressTest, OneChangedCharacterIsABadChecksum) {
  EXPECT_THAT(rejection(Chain::Btc, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"),
              AllOf(HasSubstr("invalid btc address '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb'"), HasSubstr("bad checksum")));
  EXPECT_THAT(
      rejection(Chain::Btc, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"),
      AllOf(HasSubstr("invalid btc address 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5'"), HasSubstr("bad checksum")));
}

TEST(BtcAddressTest, WrongLength) {
  EXPECT_THAT(rejection(Chain::Btc, "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf"), HasSubstr("wrong length"));
  EXPECT_THAT(rejection(Chain::Btc, "11A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"), HasSubstr("wrong length"));
  EXPECT_THAT(rejection(Chain::Btc, std::string(60, '2')), HasSubstr("wrong length"));
}

TEST(BtcAddressTest, ConfusableCharactersAreInvalid) {
  for (char bad : {'0', 'O', 'I', 'l'}) {
    std::string address(kBtcLegacy[0]);
    address[5] = bad;
    EXPECT_THAT(rejection(Chain::Btc, address),
                HasSubstr(std::string("invalid character '") + bad + "' at position 6"));
  }
}

TEST(BtcAddressTest, OtherNetworksAreAnUnknownPrefix) {
  EXPECT_THAT(rejection(Chain::Btc, kTronUsdt), HasSubstr("unknown prefix 0x41"));
  // SegWit with a foreign hrp: BIP-173's "tc" vector and a Litecoin-style "ltc" one (Python reference encoder).
  EXPECT_THAT(rejection(Chain::Btc, "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty"), HasSubstr("unknown prefix 'tc'"));
  EXPECT_THAT(rejection(Chain::Btc, "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9"), HasSubstr("unknown prefix 'ltc'"));
  // Starts like mainnet, but the separator is the last '1': the hrp is "bc1x".
  EXPECT_THAT(rejection(Chain::Btc, "bc1x1qw508d6qejxtdg4y5r3zarvary0c5xw7kglx4m7"),
              HasSubstr("unknown prefix 'bc1x'"));
}

TEST(BtcAddressTest, SegwitReasonsAreCarriedThrough) {
  EXPECT_THAT(rejection(Chain::Btc, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7"),
              HasSubstr("mixed case"));
  EXPECT_THAT(rejection(Chain::Btc, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd"),
              HasSubstr("requires a bech32m checksum"));
}

// ---- eth (EIP-55 test cases) ----

// EIP-55's lists: "all caps" and "all lower" are checksummed forms that happen to need no other case.
constexpr std::string_view kEip55Vectors[] = {
    "0x52908400098527886E0F7030069857D2E4169EE7",  // all caps
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",  // all lower
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",  // normal
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};
constexpr std::string_view kEip55Mixed = kEip55Vectors[4];
constexpr std::string_view kEip55AllLower = kEip55Vectors[2];

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return out;
}

TEST(EthAddressTest, Eip55VectorsNormaliseToLowerCase) {
  for (std::string_view address : kEip55Vectors) {
    EXPECT_EQ(normalize_address(Chain::Eth, address), lower(address));
  }
}

TEST(EthAddressTest, Eip55ChecksumReproducesTheVectors) {
  for (std::string_view address : kEip55Vectors) EXPECT_EQ(eip55_checksum(lower(address)), address);
}

TEST(EthAddressTest, OneFlippedCaseIsAChecksumMismatch) {
  EXPECT_THAT(rejection(Chain::Eth, "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
              AllOf(HasSubstr("invalid eth address '0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'"),
                    HasSubstr("EIP-55 checksum mismatch")));
  // Lowering one letter of an all-caps vector makes it mixed case, which must then carry a valid checksum.
  EXPECT_THAT(rejection(Chain::Eth, "0x52908400098527886e0F7030069857D2E4169EE7"),
              HasSubstr("EIP-55 checksum mismatch"));
}

// EIP-55: all-upper input has no checksum to verify, even when its checksummed form is mixed.
TEST(EthAddressTest, AllUpperWithoutChecksumIsAccepted) {
  EXPECT_EQ(normalize_address(Chain::Eth, "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"),
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
}

TEST(EthAddressTest, ShapeErrors) {
  EXPECT_THAT(rejection(Chain::Eth, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae"),
              HasSubstr("wrong length (41 characters, expected 42)"));
  EXPECT_THAT(rejection(Chain::Eth, "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), HasSubstr("missing 0x prefix"));
  EXPECT_THAT(rejection(Chain::Eth, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg"),
              HasSubstr("invalid character 'g' at position 42"));
}

TEST(EthAddressTest, Eip55ChecksumRejectsNonAddresses) {
  EXPECT_THAT(invalid_argument_message([] { eip55_checksum("0x1234"); }), HasSubstr("wrong length"));
}

// ---- tron ----

TEST(TronAddressTest, Base58FormIsKeptAsItIs) {
  EXPECT_EQ(normalize_address(Chain::Tron, kTronUsdt), kTronUsdt);
  EXPECT_EQ(normalize_address(Chain::Tron, kTronOther), kTronOther);
}

TEST(TronAddressTest, HexFormsBecomeBase58) {
  EXPECT_EQ(normalize_address(Chain::Tron, kTronUsdtHex), kTronUsdt);
  EXPECT_EQ(normalize_address(Chain::Tron, "0x41a614f803b6fd780986a42c78ec9c7f77e6ded13c"), kTronUsdt);
  EXPECT_EQ(normalize_address(Chain::Tron, "0X41A614F803B6FD780986A42C78EC9C7F77E6DED13C"), kTronUsdt);
  EXPECT_EQ(normalize_address(Chain::Tron, kTronOtherHex), kTronOther);
}

TEST(TronAddressTest, ConversionsBetweenForms) {
  EXPECT_EQ(tron_base58_to_hex(kTronUsdt), kTronUsdtHex);
  EXPECT_EQ(tron_base58_to_hex(kTronOther), kTronOtherHex);
  EXPECT_EQ(tron_hex_to_base58(kTronUsdtHex), kTronUsdt);
  EXPECT_EQ(tron_hex_to_base58("0x4174472E7D35395A6B5ADD427EECB7F4B62AD2B071"), kTronOther);
}

TEST(TronAddressTest, ForeignBase58PrefixIsUnknown) {
  EXPECT_THAT(
      rejection(Chain::Tron, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
      AllOf(HasSubstr("invalid tron address '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'"), HasSubstr("unknown prefix 0x00")));
  EXPECT_THAT(rejection(Chain::Tron, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"), HasSubstr("unknown prefix 0x05"));
  EXPECT_THAT(rejection(Chain::Tron, "42a614f803b6fd780986a42c78ec9c7f77e6ded13c"), HasSubstr("unknown prefix 0x42"));
  EXPECT_THAT(invalid_argument_message([] { tron_base58_to_hex("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"); }),
              HasSubstr("unknown prefix 0x00"));
}

TEST(TronAddressTest, DamagedAddresses) {
  EXPECT_THAT(rejection(Chain::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"), HasSubstr("bad checksum"));
  EXPECT_THAT(rejection(Chain::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj"), HasSubstr("wrong length"));
  EXPECT_THAT(rejection(Chain::Tron, "41a614f8"), HasSubstr("wrong length"));
  // An eth-style 20-byte hex address lacks TRON's 0x41 byte.
  EXPECT_THAT(rejection(Chain::Tron, "0xa614f803b6fd780986a42c78ec9c7f77e6ded13c"),
              HasSubstr("wrong length (40 hex digits, expected 42)"));
  EXPECT_THAT(rejection(Chain::Tron, "0x41a614f803b6fd780986a42c78ec9c7f77e6ded13z"),
              HasSubstr("invalid character 'z' at position 44"));
  EXPECT_THAT(invalid_argument_message([] { tron_hex_to_base58(""); }), HasSubstr("empty"));
}

// ---- generic ----

TEST(GenericAddressTest, FreeStringsAreTrimmedOfSpaces) {
  EXPECT_EQ(normalize_address(Chain::Generic, "Binance:user-123"), "Binance:user-123");
  EXPECT_EQ(normalize_address(Chain::Generic, "  acct 42  "), "acct 42");
  EXPECT_EQ(normalize_address(Chain::Generic, "Z\xc3\xbcrich IBAN CH93"), "Z\xc3\xbcrich IBAN CH93");
  EXPECT_EQ(normalize_address(Chain::Generic, std::string(256, 'a')), std::string(256, 'a'));
}

TEST(GenericAddressTest, RejectsEmptyControlAndOversized) {
  EXPECT_THAT(rejection(Chain::Generic, ""), HasSubstr("invalid generic address '': empty"));
  EXPECT_THAT(rejection(Chain::Generic, "   "), HasSubstr("empty"));
  EXPECT_THAT(rejection(Chain::Generic, "a\tb"), HasSubstr("control character '\\x09' at position 2"));
  EXPECT_THAT(rejection(Chain::Generic, "ab\x7f"), HasSubstr("control character '\\x7f'"));
  EXPECT_THAT(rejection(Chain::Generic, std::string(257, 'a')), HasSubstr("too long (257 bytes, max 256)"));
}

// ---- messages ----

// Addresses come from untrusted files: the quoted copy must be short and free of line breaks and escapes.
TEST(AddressMessageTest, HostileInputIsTruncatedAndEscaped) {
  const std::string hostile = "0x\n\x1b[2J" + std::string(1000, 'A');
  const std::string message = rejection(Chain::Eth, hostile);
  EXPECT_THAT(message, AllOf(HasSubstr("invalid eth address '0x\\x0a\\x1b[2J"), HasSubstr("...'"), Not(HasSubstr("\n")),
                             Not(HasSubstr("\x1b"))));
  EXPECT_LT(message.size(), 200u);
}

TEST(AddressMessageTest, EmptyAddressSaysSo) {
  EXPECT_THAT(rejection(Chain::Btc, ""), HasSubstr("invalid btc address '': empty"));
}

// ---- validity and inference ----

TEST(AddressValidityTest, IsValidAgreesWithNormalize) {
  EXPECT_TRUE(is_valid_address(Chain::Btc, kBtcLegacy[0]));
  EXPECT_FALSE(is_valid_address(Chain::Btc, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"));
  EXPECT_TRUE(is_valid_address(Chain::Eth, kEip55Mixed));
  EXPECT_FALSE(is_valid_address(Chain::Eth, "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
  EXPECT_TRUE(is_valid_address(Chain::Tron, kTronUsdtHex));
  EXPECT_FALSE(is_valid_address(Chain::Tron, kBtcLegacy[0]));
  EXPECT_FALSE(is_valid_address(Chain::Generic, "a\nb"));
}

TEST(InferChainTest, EachFormatPointsToItsChain) {
  for (std::string_view address : kBtcLegacy) EXPECT_EQ(infer_chain(address), Chain::Btc) << address;
  EXPECT_EQ(infer_chain("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), Chain::Btc);
  EXPECT_EQ(infer_chain("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"), Chain::Btc);
  EXPECT_EQ(infer_chain("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"), Chain::Btc);
  // Upper-case testnet SegWit starts with 'T' like TRON.
  EXPECT_EQ(infer_chain("TB1QRP33G0Q5C5TXSP9ARYSRX4K6ZDKFS4NCE4XJ0GDCCCEFVPYSXF3Q0SL5K7"), Chain::Btc);
  EXPECT_EQ(infer_chain(kEip55Mixed), Chain::Eth);
  EXPECT_EQ(infer_chain(kEip55AllLower), Chain::Eth);
  EXPECT_EQ(infer_chain(kTronUsdt), Chain::Tron);
  EXPECT_EQ(infer_chain(kTronUsdtHex), Chain::Tron);
  EXPECT_EQ(infer_chain("0x41a614f803b6fd780986a42c78ec9c7f77e6ded13c"), Chain::Tron);
}

// A mistyped address must not be attributed to a chain; generic is never inferred.
TEST(InferChainTest, NoGuessForDamagedOrFreeText) {
  EXPECT_EQ(infer_chain(""), std::nullopt);
  EXPECT_EQ(infer_chain("Binance:user-123"), std::nullopt);
  EXPECT_EQ(infer_chain("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"), std::nullopt);
  EXPECT_EQ(infer_chain("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), std::nullopt);
  EXPECT_EQ(infer_chain("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae"), std::nullopt);
  EXPECT_EQ(infer_chain("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"), std::nullopt);
  EXPECT_EQ(infer_chain("ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9"), std::nullopt);
}

}  // namespace
}  // namespace fundtrail::core
