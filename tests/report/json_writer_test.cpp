// JsonWriter must produce exactly what nlohmann::json::dump(2) produces: scripts and golden files depend
// on the bytes, and the trace output switched from one to the other.
#include "fundtrail/report/json_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace fundtrail::report {
namespace {

std::string reference(const nlohmann::ordered_json& json) {
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(JsonWriter, MatchesNlohmannLayoutForNestedContainers) {
  nlohmann::ordered_json json;
  json["seed"] = "T1";
  json["hops"] = 3;
  json["negative"] = -7;
  json["flag"] = false;
  json["none"] = nullptr;
  json["empty_array"] = nlohmann::ordered_json::array();
  json["empty_object"] = nlohmann::ordered_json::object();
  json["list"] = {{{"a", 1}, {"b", nlohmann::ordered_json::array({"x", "y"})}}, {{"a", 2}, {"b", nullptr}}};

  std::ostringstream out;
  JsonWriter writer(out);
  writer.begin_object();
  writer.key("seed").value("T1");
  writer.key("hops").value(3);
  writer.key("negative").value(std::int64_t{-7});
  writer.key("flag").value(false);
  writer.key("none").null();
  writer.key("empty_array").begin_array();
  writer.end_array();
  writer.key("empty_object").begin_object();
  writer.end_object();
  writer.key("list").begin_array();
  writer.begin_object();
  writer.key("a").value(1);
  writer.key("b").begin_array();
  writer.value("x");
  writer.value("y");
  writer.end_array();
  writer.end_object();
  writer.begin_object();
  writer.key("a").value(2);
  writer.key("b").null();
  writer.end_object();
  writer.end_array();
  writer.end_object();
  EXPECT_EQ(out.str(), reference(json));
}

TEST(JsonWriter, EscapesHostileStringsLikeNlohmann) {
  // Token names are attacker-controlled: quotes, backslashes, control characters, markup, invalid UTF-8.
  const std::string hostile[] = {"say \"hi\"",
                                 "back\\slash",
                                 std::string("nul\0byte", 8),
                                 "tab\tnew\nline\x1f",
                                 "<script>alert(1)</script>",
                                 "\xff\xfe invalid utf8",
                                 "caf\xc3\xa9 ok",
                                 ""};
  for (const std::string& text : hostile) {
    nlohmann::ordered_json json = nlohmann::ordered_json::array({text});
    std::ostringstream out;
    JsonWriter writer(out);
    writer.begin_array();
    writer.value(text);
    writer.end_array();
    EXPECT_EQ(out.str(), reference(json)) << "input of " << text.size() << " bytes";
  }
}

TEST(JsonWriter, QuotesPlainTextWithoutEscaping) {
  EXPECT_EQ(json_quote("TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt"), "\"TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt\"");
  EXPECT_EQ(json_quote("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(json_quote("\x01"), "\"\\u0001\"");
}

TEST(JsonWriter, FindsEveryByteThatNeedsEscapingAtEveryPosition) {
  // The plain-text check reads eight bytes at a time: each special byte must be found wherever it sits in
  // the word, next to any neighbour, and the bytes around the specials (0x1f/0x20, 0x7e/0x7f) told apart.
  const unsigned char specials[] = {0x00, 0x01, 0x1f, '"', '\\', 0x7f, 0x80, 0xc3, 0xff};
  const unsigned char plain[] = {0x20, '!', '#', '[', ']', 0x7e, 'a', '0'};
  for (std::size_t length = 1; length <= 19; ++length) {
    for (std::size_t position = 0; position < length; ++position) {
      for (unsigned char filler : plain) {
        std::string text(length, static_cast<char>(filler));
        EXPECT_EQ(json_quote(text), "\"" + text + "\"") << "plain filler " << int(filler) << " length " << length;
        for (unsigned char special : specials) {
          text[position] = static_cast<char>(special);
          const std::string expected =
              nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          EXPECT_EQ(json_quote(text), expected) << "byte " << int(special) << " at " << position << " of " << length;
          text[position] = static_cast<char>(filler);
        }
      }
    }
  }
}

TEST(JsonWriter, WritesAFinishedDocumentBeforeTextThatFollowsIt) {
  std::ostringstream out;
  {
    JsonWriter writer(out);
    writer.begin_object();
    writer.key("a").value(1);
    writer.end_object();
    out << "\n";  // as the commands end their output, while the writer still lives
    writer.begin_array();
    writer.end_array();
  }
  EXPECT_EQ(out.str(), "{\n  \"a\": 1\n}\n[]");
}

// Array elements formatted by other writers (ArrayItems, on another thread in a trace) and spliced in turn
// with elements written directly must give the bytes one writer gives: separators, indentation at any
// depth, empty batches, and a batch larger than the writer's block.
TEST(JsonWriter, ArrayItemsSplicedInTurnGiveTheBytesOfOneWriter) {
  const auto element = [](JsonWriter& json, int i) {
    json.begin_object();
    json.key("i").value(i);
    json.key("name").value(std::string(i % 7 == 0 ? 40000 : 5, static_cast<char>('a' + i % 26)));
    json.key("tags").begin_array();
    if (i % 3 == 0) json.value_plain("2024-03-01T12:00:00Z");
    json.end_array();
    json.end_object();
  };
  for (const int count : {0, 1, 2, 7, 200}) {
    for (const std::size_t first_spliced : {0u, 1u}) {
      for (const std::size_t batch : {std::size_t{1}, std::size_t{3}, std::size_t{150}}) {
        std::ostringstream direct;
        std::ostringstream spliced;
        JsonWriter one(direct);
        JsonWriter two(spliced);
        for (JsonWriter* json : {&one, &two}) {
          json->begin_object();
          json->key("outer").begin_object();
          json->key("rows").begin_array();
        }
        for (int i = 0; i < count; ++i) element(one, i);
        JsonWriter items(JsonWriter::ArrayItems{3, 0});
        for (std::size_t begin = 0; begin < static_cast<std::size_t>(count) || begin == 0; begin += batch) {
          const std::size_t end = std::min(begin + batch, static_cast<std::size_t>(count));
          if ((begin / batch + first_spliced) % 2 == 0) {  // this batch directly, the next through an items writer
            for (std::size_t i = begin; i < end; ++i) element(two, static_cast<int>(i));
          } else {
            items.restart_items(JsonWriter::ArrayItems{3, begin});
            for (std::size_t i = begin; i < end; ++i) element(items, static_cast<int>(i));
            two.splice_items(items);
          }
          if (count == 0) {
            items.restart_items(JsonWriter::ArrayItems{3, 0});
            two.splice_items(items);  // nothing: the array stays empty ("[]")
            break;
          }
        }
        for (JsonWriter* json : {&one, &two}) {
          json->end_array();
          json->end_object();
          json->key("after").value(true);
          json->end_object();
        }
        EXPECT_EQ(spliced.str(), direct.str())
            << count << " rows in batches of " << batch << ", first spliced " << first_spliced;
        EXPECT_EQ(direct.str(), reference(nlohmann::ordered_json::parse(direct.str()))) << count;
      }
    }
  }
}

TEST(JsonWriter, SplicingNeedsArrayItemsInsideAnArray) {
  std::ostringstream out;
  JsonWriter json(out);
  JsonWriter items(JsonWriter::ArrayItems{1, 0});
  json.begin_object();
  EXPECT_THROW(json.splice_items(items), std::logic_error);  // inside an object
  json.key("a").begin_array();
  EXPECT_THROW(json.splice_items(json), std::logic_error);  // not an items writer
  EXPECT_THROW(json.restart_items(JsonWriter::ArrayItems{1, 0}), std::logic_error);
}

// member() writes key and value at once: the bytes of key().value(), escaping included, at any depth (the
// fast path covers the usual depths, deeper ones go the long way).
TEST(JsonWriter, MembersAreKeysWithValuesAtAnyDepth) {
  for (const int depth : {0, 1, 3, 15, 16, 17, 40}) {
    std::ostringstream by_member;
    std::ostringstream by_key;
    JsonWriter fast(by_member);
    JsonWriter slow(by_key);
    for (JsonWriter* json : {&fast, &slow}) {
      json->begin_object();
      for (int d = 0; d < depth; ++d) json->key("n").begin_object();
    }
    fast.member("plain", "TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt");
    slow.key("plain").value("TFshRQ3hWs1VaiZbxSqHYcLAmPq6Mv7SEt");
    fast.member("hostile", "say \"hi\"\n\xff");
    slow.key("hostile").value("say \"hi\"\n\xff");
    fast.member_plain("time", "2024-03-01T12:00:00Z");
    slow.key("time").value("2024-03-01T12:00:00Z");
    fast.member("negative", std::int64_t{-42});
    slow.key("negative").value(std::int64_t{-42});
    fast.member("big", std::uint64_t{18446744073709551615u});
    slow.key("big").value(std::uint64_t{18446744073709551615u});
    fast.member("hop", 3u);
    slow.key("hop").value(3u);
    fast.member_null("none");
    slow.key("none").null();
    for (JsonWriter* json : {&fast, &slow}) {
      for (int d = 0; d < depth; ++d) json->end_object();
      json->end_object();
    }
    EXPECT_EQ(by_member.str(), by_key.str()) << "depth " << depth;
    EXPECT_EQ(by_key.str(), reference(nlohmann::ordered_json::parse(by_key.str()))) << "depth " << depth;
  }
}

TEST(JsonWriter, PlainValuesAreWrittenAsGiven) {
  std::ostringstream out;
  {
    JsonWriter json(out);
    json.begin_array();
    json.value_plain("0x00ff");
    json.value_plain(4, [](char* at) { std::memcpy(at, "beef", 4); });
    json.end_array();
  }
  EXPECT_EQ(out.str(), "[\n  \"0x00ff\",\n  \"beef\"\n]");
}

}  // namespace
}  // namespace fundtrail::report
