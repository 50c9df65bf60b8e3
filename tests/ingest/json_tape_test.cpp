// JsonTape: the values it records, and that it accepts exactly what nlohmann::json::parse accepts (the
// parser the provider code was written against), on hand-written malformed documents and on every
// truncation and many byte mutations of a real one.
#include "fundtrail/ingest/json_tape.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace fundtrail::ingest {
namespace {

using ::testing::HasSubstr;

bool tape_accepts(std::string_view text) {
  JsonTape tape;
  try {
    tape.parse(text);
    return true;
  } catch (const JsonSyntaxError&) {
    return false;
  }
}

bool nlohmann_accepts(std::string_view text) {
  return !nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false).is_discarded();
}

std::string syntax_error(std::string_view text) {
  JsonTape tape;
  try {
    tape.parse(text);
  } catch (const JsonSyntaxError& error) {
    return error.what();
  }
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

TEST(JsonTape, RecordsValuesAndTheirTypes) {
  JsonTape tape;
  const std::string text =
      R"( {"a": [1, -2, 3.5, "x", true, false, null, {}, []], "b": {"c": "d"}, "e": "tab\there \u00e9 \ud83d\ude00"} )";
  tape.parse(text);
  const JsonValue root = tape.root();
  ASSERT_TRUE(root.is_object());
  EXPECT_EQ(root.size(), 3u);
  const JsonValue a = *root.find("a");
  ASSERT_TRUE(a.is_array());
  EXPECT_EQ(a.size(), 9u);
  std::vector<JsonType> types;
  for (const JsonValue element : a.elements()) types.push_back(element.type());
  EXPECT_EQ(types, (std::vector<JsonType>{JsonType::Unsigned, JsonType::Signed, JsonType::Float, JsonType::String,
                                          JsonType::True, JsonType::False, JsonType::Null, JsonType::Object,
                                          JsonType::Array}));
  auto it = a.elements().begin();
  EXPECT_EQ((*it).unsigned_value(), 1u);
  EXPECT_EQ((*++it).signed_value(), -2);
  EXPECT_EQ((*++it).text(), "3.5");
  EXPECT_EQ((*++it).text(), "x");
  EXPECT_EQ(root.find("b")->find("c")->text(), "d");
  EXPECT_EQ(root.find("e")->text(), "tab\there \xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_FALSE(root.find("missing"));
  EXPECT_FALSE(a.find("a")) << "an array has no members";
  EXPECT_EQ(root.find("b")->elements().begin(), root.find("b")->elements().end()) << "an object has no elements";
}

TEST(JsonTape, LastDuplicateKeyWinsLikeNlohmann) {
  JsonTape tape;
  tape.parse(R"({"k": 1, "k": {"x": [1, 2]}, "other": 0, "k": "last"})");
  EXPECT_EQ(tape.root().find("k")->text(), "last");
  EXPECT_EQ(tape.root().size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(R"({"k": 1, "k": "last"})")["k"], "last");
}

TEST(JsonTape, IntegersAreClassifiedLikeNlohmann) {
  const auto type_of = [](const std::string& text) {
    JsonTape tape;
    tape.parse(text);
    return tape.root().type();
  };
  EXPECT_EQ(type_of("0"), JsonType::Unsigned);
  EXPECT_EQ(type_of("18446744073709551615"), JsonType::Unsigned);
  EXPECT_EQ(type_of("18446744073709551616"), JsonType::Float);
  EXPECT_EQ(type_of("-0"), JsonType::Signed);
  EXPECT_EQ(type_of("-9223372036854775808"), JsonType::Signed);
  EXPECT_EQ(type_of("-9223372036854775809"), JsonType::Float);
  EXPECT_EQ(type_of("1.0"), JsonType::Float);
  EXPECT_EQ(type_of("1e2"), JsonType::Float);
  EXPECT_EQ(type_of("1e-400"), JsonType::Float);  // rounds to 0, accepted like nlohmann
  for (const char* number : {"0", "18446744073709551615", "18446744073709551616", "-0", "-9223372036854775808",
                             "-9223372036854775809", "1.0", "1e2"}) {
    const nlohmann::json reference = nlohmann::json::parse(number);
    const JsonType type = type_of(number);
    EXPECT_EQ(type == JsonType::Unsigned, reference.is_number_unsigned()) << number;
    EXPECT_EQ(type == JsonType::Float, reference.is_number_float()) << number;
  }
  JsonTape tape;
  tape.parse("[18446744073709551615, -9223372036854775808, -0]");
  auto it = tape.root().elements().begin();
  EXPECT_EQ((*it).unsigned_value(), 18446744073709551615ULL);
  EXPECT_EQ((*++it).signed_value(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ((*++it).signed_value(), 0);
}

TEST(JsonTape, MalformedDocumentsAreRefusedWithThePosition) {
  EXPECT_THAT(syntax_error(R"({"a": 1,})"), HasSubstr("byte 8"));
  EXPECT_THAT(syntax_error("[1, 2"), HasSubstr("expected ',' or ']'"));
  EXPECT_THAT(syntax_error("1e400"), HasSubstr("number overflow parsing '1e400'"));
  EXPECT_THAT(syntax_error("-1e400"), HasSubstr("number overflow"));
  EXPECT_THAT(syntax_error(R"(["\x"])"), HasSubstr("invalid escape"));
  EXPECT_THAT(syntax_error("[\"a\nb\"]"), HasSubstr("control character"));
  EXPECT_THAT(syntax_error("\"\xff\""), HasSubstr("UTF-8"));
  EXPECT_THAT(syntax_error(R"(["\ud800"])"), HasSubstr("surrogate"));
  EXPECT_THAT(syntax_error("{} x"), HasSubstr("after the document"));
  EXPECT_THAT(syntax_error(""), HasSubstr("end of input"));
  EXPECT_THAT(syntax_error(R"("abc)"), HasSubstr("unterminated string"));
}

// Every case: the tape and nlohmann agree on whether it is JSON.
TEST(JsonTape, AcceptsExactlyWhatNlohmannAccepts) {
  const std::vector<std::string> cases{
      // valid
      "{}", "[]", "0", "-0", "1.5e+10", "-1E-2", "\"\"", "null", "true", "false", " \t\r\n[ ] ", "[[[[[]]]]]",
      R"({"a":{"b":{"c":[1,{"d":null}]}}})", R"(["\"\\\/\b\f\n\r\t\u0000\u00ff\uFFFF\ud800\udc00"])",
      "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"]", "1e-400", "123456789012345678901234567890",
      "[1e308]", "[0.0]", "[0e0]", "[-0.0e-0]",
      // malformed
      "", " ", "{", "}", "[", "]", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':1}",
      "{\"a\":1,}", "{,}", "{\"a\":1 \"b\":2}", "[1]]", "[1]x", "01", "-", "-a", "+1", ".5", "1.", "1.e2", "1e",
      "1e+", "0x10", "NaN", "Infinity", "-Infinity", "nul", "tru", "fals", "nulll", "True", "[\"\\u00\"]",
      "[\"\\u00g0\"]", "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]", "[\"\\ud800x\"]", "[\"\\a\"]",
      "[\"\x01\"]", "[\"\x1f\"]", "\"\x7f\"", "[\"\x80\"]", "[\"\xc0\xaf\"]", "[\"\xc1\xbf\"]", "[\"\xe0\x80\xaf\"]",
      "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xf5\x80\x80\x80\"]", "[\"\xc3\"]", "[\"\xe2\x82\"]",
      "[\"\xf0\x9f\x98\"]", "[1e400]", "[-1e400]", "[1.7976931348623159e308]", "/* c */ {}", "{} // c",
      "[1,\f2]", "\xef\xbb\xbf{}", "\"abc", "[\"abc", std::string("[\"a\0b\"]", 7), std::string("[1\0]", 4)};
  for (const std::string& text : cases) {
    if (text.rfind("\xef\xbb\xbf", 0) == 0) {
      EXPECT_FALSE(tape_accepts(text)) << "a byte order mark is refused (nlohmann skips it)";
      continue;
    }
    EXPECT_EQ(tape_accepts(text), nlohmann_accepts(text)) << "'" << text << "'";
  }
  // nlohmann reads a NUL byte as the end of the input, so it ignores whatever follows one; the tape does not.
  EXPECT_TRUE(nlohmann_accepts(std::string("[1]\0<html>", 10)));
  EXPECT_FALSE(tape_accepts(std::string("[1]\0<html>", 10)));
}

const std::string kRealistic = R"([{"txid":"13f007241d78e8b0b4e57d2ae3fd37bcfe3226534d7cadeba5a549860d960db0","version":2,)"
                               R"("locktime":0,"vin":[{"txid":"cb8f","vout":0,"prevout":{"scriptpubkey":"0014fd",)"
                               R"("scriptpubkey_type":"v0_p2wpkh","scriptpubkey_address":"bc1q\u00e9","value":610677},)"
                               R"("is_coinbase":false,"sequence":2147483648}],"vout":[{"value":-1.5e-3}],)"
                               R"("size":224,"status":{"confirmed":false},"fee":584,"x":[null,true,false,[],{}]}])";

TEST(JsonTape, EveryTruncationAgreesWithNlohmann) {
  ASSERT_TRUE(tape_accepts(kRealistic));
  for (std::size_t length = 0; length < kRealistic.size(); ++length) {
    const std::string_view prefix(kRealistic.data(), length);
    EXPECT_EQ(tape_accepts(prefix), nlohmann_accepts(prefix)) << "'" << prefix << "'";
  }
}

TEST(JsonTape, ByteMutationsAgreeWithNlohmann) {
  std::mt19937 random(20261125);
  const std::string alphabet = "{}[]\",:\\ -+.0123456789eEtrufalsn\x01\x7f\x80\xc3\xa9\xff\xed\xf0ux";
  for (int round = 0; round < 20000; ++round) {
    std::string text = kRealistic;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1);
          break;
        default:
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
      }
    }
    ASSERT_EQ(tape_accepts(text), nlohmann_accepts(text)) << "'" << text << "'";
  }
}

TEST(JsonTape, DeepNestingNeedsNoRecursion) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  JsonTape tape;
  tape.parse(deep);
  EXPECT_EQ(tape.root().size(), 1u);
  EXPECT_FALSE(tape_accepts(std::string(100000, '[') + std::string(99999, ']')));
}

TEST(JsonTape, ReusedTapeForgetsThePreviousDocument) {
  JsonTape tape;
  tape.parse(R"({"a": "x\ny"})");
  tape.parse(R"(["p\tq", {"b": 2}])");
  EXPECT_EQ((*tape.root().elements().begin()).text(), "p\tq");
  EXPECT_THROW(tape.parse("[1,"), JsonSyntaxError);
  EXPECT_THROW(tape.root(), std::logic_error);
}

}  // namespace
}  // namespace fundtrail::ingest
