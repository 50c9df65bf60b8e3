#include "fundtrail/ingest/csv_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fundtrail/core/error.hpp"
#include "support/error_matchers.hpp"

namespace fundtrail::ingest {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using Records = std::vector<std::vector<std::string>>;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// A real (temporary) file rather than fmemopen, so reads go through the same stdio path as production.
FilePtr file_with(std::string_view content) {
  FilePtr file(std::tmpfile());
  if (!file) throw std::runtime_error("tmpfile failed");
  if (!content.empty() && std::fwrite(content.data(), 1, content.size(), file.get()) != content.size()) {
    throw std::runtime_error("fwrite failed");
  }
  std::rewind(file.get());
  return file;
}

struct Parsed {
  Records records;
  std::vector<std::uint64_t> lines;
  std::uint64_t bytes = 0;
};

Parsed parse(std::string_view content) {
  FilePtr file = file_with(content);
  CsvReader reader(file.get(), "test.csv");
  Parsed parsed;
  std::vector<std::string_view> fields;
  while (reader.next(fields)) {
    parsed.records.emplace_back(fields.begin(), fields.end());
    parsed.lines.push_back(reader.line());
  }
  parsed.bytes = reader.bytes_read();
  return parsed;
}

Records records_of(std::string_view content) { return parse(content).records; }

// Parses until the reader throws; the caller checks the message. Records read before the error are fine.
std::string parse_error(std::string_view content, std::size_t max_record_bytes = CsvReader::kDefaultMaxRecordBytes) {
  FilePtr file = file_with(content);
  CsvReader reader(file.get(), "test.csv");
  reader.set_max_record_bytes(max_record_bytes);
  std::vector<std::string_view> fields;
  return test::invalid_argument_message([&] {
    while (reader.next(fields)) {
    }
  });
}

TEST(CsvReader, PlainRecordsWithLineNumbers) {
  const Parsed parsed = parse("tx,from,to\n1,a,b\n2,c,d\n");
  EXPECT_EQ(parsed.records, (Records{{"tx", "from", "to"}, {"1", "a", "b"}, {"2", "c", "d"}}));
  EXPECT_THAT(parsed.lines, ElementsAre(1, 2, 3));
}

TEST(CsvReader, QuotedFieldsWithCommasNewlinesAndDoubledQuotes) {
  EXPECT_EQ(records_of("\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",\"\"\n"),
            (Records{{"a,b", "say \"hi\"", "line1\nline2", ""}}));
  EXPECT_EQ(records_of("\"\"\"\"\n"), (Records{{"\""}}));
}

TEST(CsvReader, CrlfLineEnds) {
  const Parsed parsed = parse("a,b\r\nc,\"x\r\ny\"\r\ne,f\r\n");
  // CRLF inside quotes is data; outside it is one line end, never leaving a '\r' on the last field.
  EXPECT_EQ(parsed.records, (Records{{"a", "b"}, {"c", "x\r\ny"}, {"e", "f"}}));
  EXPECT_THAT(parsed.lines, ElementsAre(1, 2, 4));
}

TEST(CsvReader, LoneCarriageReturnIsData) {
  EXPECT_EQ(records_of("a\rb,c\n"), (Records{{"a\rb", "c"}}));
  EXPECT_EQ(records_of("a,b\r"), (Records{{"a", "b"}}));
}

TEST(CsvReader, ByteOrderMarkSkippedOnlyAtStart) {
  const std::string content = "\xEF\xBB\xBFid,amount\n\xEF\xBB\xBFx,1\n";
  const Parsed parsed = parse(content);
  EXPECT_EQ(parsed.records, (Records{{"id", "amount"}, {"\xEF\xBB\xBFx", "1"}}));
  EXPECT_EQ(parsed.bytes, content.size());
  EXPECT_TRUE(records_of("\xEF\xBB\xBF").empty());
}

TEST(CsvReader, EmptyFields) {
  EXPECT_EQ(records_of(",,\n"), (Records{{"", "", ""}}));
  EXPECT_EQ(records_of("a,,b\n"), (Records{{"a", "", "b"}}));
  EXPECT_EQ(records_of("a,b,"), (Records{{"a", "b", ""}}));
  // A lone "" is a record with one empty field, unlike a blank line.
  EXPECT_EQ(records_of("\"\"\n"), (Records{{""}}));
}

TEST(CsvReader, LastLineWithOrWithoutLineEnd) {
  EXPECT_EQ(records_of("a,b\nc,d"), (Records{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(records_of("a,b\nc,d\n"), (Records{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(records_of("a,\"b\""), (Records{{"a", "b"}}));
  EXPECT_TRUE(records_of("").empty());
}

TEST(CsvReader, BlankLinesSkippedButCounted) {
  const Parsed parsed = parse("\na\n\n\r\nb\n\n");
  EXPECT_EQ(parsed.records, (Records{{"a"}, {"b"}}));
  EXPECT_THAT(parsed.lines, ElementsAre(2, 5));
}

TEST(CsvReader, LineNumbersAcrossMultiLineQuotedFields) {
  const Parsed parsed = parse("h1,h2\n\"x\ny\nz\",1\nnext,2\r\n\"p\r\nq\",3\r\nlast,4");
  EXPECT_EQ(parsed.records.size(), 5U);
  EXPECT_THAT(parsed.lines, ElementsAre(1, 2, 5, 6, 8));
}

TEST(CsvReader, UnterminatedQuoteReportsOpeningLine) {
  EXPECT_THAT(parse_error("a,b\nc,\"open\nmore\nstill\n"),
              AllOf(StartsWith("test.csv:2: "), HasSubstr("unterminated quoted field")));
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsAnError) {
  EXPECT_THAT(parse_error("a,b\n\"multi\nline\",ok\nc,d\"e\n"),
              AllOf(StartsWith("test.csv:4: "), HasSubstr("quote inside an unquoted field")));
  EXPECT_THAT(parse_error(" \"a\",b\n"), StartsWith("test.csv:1: quote inside an unquoted field"));
}

TEST(CsvReader, TextAfterClosingQuoteIsAnError) {
  EXPECT_THAT(parse_error("x\n\"a\"b,c\n"),
              AllOf(StartsWith("test.csv:2: "), HasSubstr("unexpected text after a closing quote")));
  EXPECT_THAT(parse_error("\"a\" ,b\n"), HasSubstr("unexpected text after a closing quote"));
  EXPECT_THAT(parse_error("\"a\"\rb\n"), HasSubstr("unexpected text after a closing quote"));
}

TEST(CsvReader, FieldsMayHoldArbitraryBytes) {
  const std::string binary("\x00\x01\xff\xfe", 4);
  EXPECT_EQ(records_of("\"" + binary + "\"," + binary + "\n"), (Records{{binary, binary}}));
}

TEST(CsvReader, BytesReadCoversWholeInput) {
  const std::string content = "a,b\n\"c\nd\",e\n";
  EXPECT_EQ(parse(content).bytes, content.size());
}

TEST(CsvReader, HugeQuotedFieldLargerThanBuffer) {
  // 3 MiB of quoted content with commas, newlines and doubled quotes scattered across several refills.
  std::string value;
  std::string encoded = "before,\"";
  std::mt19937 rng(42);
  std::uint64_t newlines = 0;
  while (value.size() < 3 * CsvReader::kBufferSize) {
    const auto r = rng() % 64;
    const char c = r == 0 ? '"' : r == 1 ? '\n' : r == 2 ? ',' : static_cast<char>('a' + r % 26);
    value += c;
    encoded += c;
    if (c == '"') encoded += '"';
    if (c == '\n') ++newlines;
  }
  encoded += "\",after\nnext,row\n";
  const Parsed parsed = parse(encoded);
  ASSERT_EQ(parsed.records.size(), 2U);
  ASSERT_EQ(parsed.records[0].size(), 3U);
  EXPECT_EQ(parsed.records[0][0], "before");
  EXPECT_TRUE(parsed.records[0][1] == value) << "3 MiB field differs";
  EXPECT_EQ(parsed.records[0][2], "after");
  EXPECT_EQ(parsed.records[1], (std::vector<std::string>{"next", "row"}));
  EXPECT_THAT(parsed.lines, ElementsAre(1, 2 + newlines));
  EXPECT_EQ(parsed.bytes, encoded.size());
}

TEST(CsvReader, HugeUnquotedFieldLargerThanBuffer) {
  const std::string value(3 * CsvReader::kBufferSize + 17, 'z');
  const Parsed parsed = parse("x," + value + "\r\ny,1\r\n");
  ASSERT_EQ(parsed.records.size(), 2U);
  EXPECT_TRUE(parsed.records[0][1] == value) << "size " << parsed.records[0][1].size();
  EXPECT_EQ(parsed.records[1], (std::vector<std::string>{"y", "1"}));
}

// Every two-byte decision (CRLF, doubled quote, closing quote then delimiter, CR then data) must survive the
// buffer ending between its bytes. Each snippet is shifted across the boundary one byte at a time and must
// parse exactly as it does on its own.
TEST(CsvReader, TokensSplitAcrossBufferBoundary) {
  const std::vector<std::string> snippets = {
      "a,b\r\nc,d\r\n", "\"x\"\"y\",z\n", "\"q\",\"r\"\r\nnext\n", "p\rq,s\n", "\"m\nn\",o\r\n\r\nt\n", "u,v\r",
      "\"\"\"\"\n",     "w,\"e\"",        "\"line\r\nbreak\"\n",   ",,\n",
  };
  for (const std::string& snippet : snippets) {
    const Parsed alone = parse(snippet);
    ASSERT_FALSE(alone.records.empty()) << snippet;
    for (std::size_t shift = 0; shift <= snippet.size(); ++shift) {
      // First record: a filler line that ends exactly `shift` bytes before the boundary.
      const std::size_t filler = CsvReader::kBufferSize - shift - 1;
      const std::string content = std::string(filler, 'f') + "\n" + snippet;
      Parsed shifted = parse(content);
      ASSERT_FALSE(shifted.records.empty());
      ASSERT_EQ(shifted.records.front(), std::vector<std::string>{std::string(filler, 'f')});
      shifted.records.erase(shifted.records.begin());
      shifted.lines.erase(shifted.lines.begin());
      for (auto& line : shifted.lines) --line;
      EXPECT_EQ(shifted.records, alone.records) << "snippet " << testing::PrintToString(snippet) << " shift " << shift;
      EXPECT_EQ(shifted.lines, alone.lines) << "snippet " << testing::PrintToString(snippet) << " shift " << shift;
      EXPECT_EQ(shifted.bytes, content.size());
    }
  }
}

TEST(CsvReader, RandomRecordsRoundTrip) {
  // Encodes random records the way a careful writer would, mixing LF/CRLF and optional quoting, over
  // several buffers; the reader must return exactly the fields and starting lines that went in.
  std::mt19937_64 rng(7);
  const std::string alphabet = "abc,\"\n\r 19.\xc3\xa9";
  Records expected;
  std::vector<std::uint64_t> expected_lines;
  std::string encoded;
  std::uint64_t line = 1;
  while (encoded.size() < 3 * CsvReader::kBufferSize) {
    std::vector<std::string> record(1 + rng() % 9);
    std::string row;
    for (std::size_t i = 0; i < record.size(); ++i) {
      std::string& field = record[i];
      const std::size_t length = rng() % 12;
      for (std::size_t k = 0; k < length; ++k) field += alphabet[rng() % alphabet.size()];
      const bool needs_quotes =
          field.find_first_of(",\"\r\n") != std::string::npos || (record.size() == 1 && field.empty());
      if (i > 0) row += ',';
      if (needs_quotes || rng() % 4 == 0) {
        row += '"';
        for (char c : field) {
          if (c == '"') row += '"';
          row += c;
        }
        row += '"';
      } else {
        row += field;
      }
    }
    row += rng() % 2 == 0 ? "\n" : "\r\n";
    if (rng() % 50 == 0) row += "\n";  // blank line
    expected.push_back(record);
    expected_lines.push_back(line);
    line += static_cast<std::uint64_t>(std::count(row.begin(), row.end(), '\n'));
    encoded += row;
  }
  const Parsed parsed = parse(encoded);
  ASSERT_EQ(parsed.records.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(parsed.records[i], expected[i]) << "record " << i;
    ASSERT_EQ(parsed.lines[i], expected_lines[i]) << "record " << i;
  }
}

TEST(CsvReader, RecordSizeLimitCatchesRunawayQuote) {
  const std::string runaway = "ok,1\n\"never closed," + std::string(4 * CsvReader::kBufferSize, 'x');
  EXPECT_THAT(parse_error(runaway, CsvReader::kBufferSize),
              AllOf(StartsWith("test.csv:2: "), HasSubstr("record longer than 1048576 bytes")));
  // The limit holds even when the whole record fits in one buffer.
  EXPECT_THAT(parse_error("a,b\n" + std::string(100, 'y') + "\n", 50),
              AllOf(StartsWith("test.csv:2: "), HasSubstr("record longer than 50 bytes")));
}

TEST(CsvReader, OpensFileByPath) {
  const std::filesystem::path path = std::filesystem::path(testing::TempDir()) / "csv_reader_test_by_path.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "h\n\"a\nb\n";
  }
  CsvReader reader(path.string());
  std::vector<std::string_view> fields;
  ASSERT_TRUE(reader.next(fields));
  EXPECT_THAT(fields, ElementsAre("h"));
  try {
    reader.next(fields);
    ADD_FAILURE() << "no error for unterminated quote";
  } catch (const Error& error) {
    // Messages from path-opened readers name the path, so users can find the file.
    EXPECT_THAT(error.what(), StartsWith(path.string() + ":2: unterminated quoted field"));
  }
  std::filesystem::remove(path);
}

TEST(CsvReader, MissingFileIsIoError) {
  const std::string path = testing::TempDir() + "/no/such/dir/file.csv";
  EXPECT_THAT([&] { CsvReader reader(path); },
              test::ThrowsError(ErrorKind::IoError, AllOf(HasSubstr(path), HasSubstr("No such file or directory"))))
      << "opened a missing file, or refused it for another reason";
}

TEST(CsvReader, ReusesCallerVector) {
  const std::string content = "a,b,c\nd\n";
  FilePtr file = file_with(content);
  CsvReader reader(file.get(), "t");
  std::vector<std::string_view> fields{"stale", "stale", "stale", "stale"};
  ASSERT_TRUE(reader.next(fields));
  EXPECT_THAT(fields, ElementsAre("a", "b", "c"));
  ASSERT_TRUE(reader.next(fields));
  EXPECT_THAT(fields, ElementsAre("d"));
  EXPECT_FALSE(reader.next(fields));
  EXPECT_TRUE(fields.empty());
  EXPECT_FALSE(reader.next(fields));  // stays at end of input
}

// The observer sees every byte of the stream once, in order, BOM and line ends included, across the refills
// of a file several buffers long: the importer's file hash is taken from it.
TEST(CsvReaderTest, ObserverSeesEveryByteOfTheStreamInOrder) {
  std::string content =
      "\xEF\xBB\xBF"
      "a,b\r\n";
  std::mt19937 random(7);
  while (content.size() < 3 * CsvReader::kBufferSize + 12345) {
    content += std::to_string(random()) + ",\"quoted, \"\"text\"\"\"\r\n";
  }
  FilePtr file = file_with(content);
  CsvReader reader(file.get(), "observed.csv");
  std::string observed;
  std::size_t pieces = 0;
  reader.observe_bytes([&](std::string_view bytes) {
    observed.append(bytes);
    ++pieces;
  });
  std::vector<std::string_view> fields;
  std::size_t records = 0;
  while (reader.next(fields)) ++records;
  EXPECT_GT(records, 1000u);
  EXPECT_GE(pieces, 4u);
  EXPECT_TRUE(observed == content) << "observed " << observed.size() << " of " << content.size() << " bytes";
}

}  // namespace
}  // namespace fundtrail::ingest
