#include "fundtrail/ingest/csv_reader.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "fundtrail/core/error.hpp"

namespace fundtrail::ingest {
namespace {

// Bytes that end the fast scan of an unquoted field.
constexpr std::array<bool, 256> kUnquotedStop = [] {
  std::array<bool, 256> table{};
  table[static_cast<unsigned char>(',')] = true;
  table[static_cast<unsigned char>('\n')] = true;
  table[static_cast<unsigned char>('\r')] = true;
  table[static_cast<unsigned char>('"')] = true;
  return table;
}();

std::string errno_text(int error) { return std::strerror(error); }

}  // namespace

CsvReader::CsvReader(const std::string& path) : name_(path) {
  stream_ = std::fopen(path.c_str(), "rb");
  if (stream_ == nullptr) {
    throw Error(ErrorKind::IoError, "cannot open " + path + ": " + errno_text(errno));
  }
  owns_stream_ = true;
  buffer_ = std::make_unique_for_overwrite<char[]>(kBufferSize);
}

CsvReader::CsvReader(std::FILE* stream, std::string name) : stream_(stream), name_(std::move(name)) {
  if (stream_ == nullptr) throw Error(ErrorKind::IoError, name_ + ": no input stream");
  buffer_ = std::make_unique_for_overwrite<char[]>(kBufferSize);
}

CsvReader::~CsvReader() {
  if (owns_stream_) std::fclose(stream_);
}

void CsvReader::fail(std::uint64_t line, const std::string& reason) const {
  throw Error(ErrorKind::InvalidArgument, name_ + ":" + std::to_string(line) + ": " + reason);
}

// Replaces the (fully consumed) buffer with the next chunk of the stream. Callers copy everything they need
// into record_ before calling, which is what lets a record be longer than the buffer.
bool CsvReader::fill() {
  buffer_offset_ += end_;
  pos_ = 0;
  end_ = 0;
  if (eof_) return false;
  // fread only returns short at end of input or on error, so one call per chunk suffices.
  end_ = std::fread(buffer_.get(), 1, kBufferSize, stream_);
  if (end_ < kBufferSize) {
    if (std::ferror(stream_)) {
      throw Error(ErrorKind::IoError, name_ + ": read error after " + std::to_string(buffer_offset_ + end_) +
                                          " bytes: " + errno_text(errno));
    }
    eof_ = true;
  }
  if (observer_ && end_ > 0) observer_(std::string_view(buffer_.get(), end_));
  if (!started_) {
    started_ = true;
    if (end_ >= 3 && std::memcmp(buffer_.get(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  }
  return pos_ < end_;
}

bool CsvReader::fill_within_record() {
  if (record_.size() > max_record_bytes_) {
    fail(record_line_, "record longer than " + std::to_string(max_record_bytes_) +
                           " bytes (is a quoted field missing its closing quote?)");
  }
  return fill();
}

CsvReader::FieldEnd CsvReader::read_unquoted_field() {
  for (;;) {
    const char* const base = buffer_.get();
    const char* const begin = base + pos_;
    const char* const stop = base + end_;
    const char* p = begin;
    while (p < stop && !kUnquotedStop[static_cast<unsigned char>(*p)]) ++p;
    record_.append(begin, p);
    pos_ = static_cast<std::size_t>(p - base);
    if (p == stop) {
      if (!fill_within_record()) return FieldEnd::EndOfInput;
      continue;
    }
    const char c = *p;
    ++pos_;
    if (c == ',') return FieldEnd::Comma;
    if (c == '\n') {
      ++line_;
      return FieldEnd::LineEnd;
    }
    if (c == '"') fail(line_, "quote inside an unquoted field (quote the whole field and double the quote)");
    // '\r': a line end only as part of CRLF or as the very last byte; otherwise plain data.
    if (pos_ == end_ && !fill_within_record()) return FieldEnd::EndOfInput;
    if (buffer_[pos_] == '\n') {
      ++pos_;
      ++line_;
      return FieldEnd::LineEnd;
    }
    record_.push_back('\r');
  }
}

CsvReader::FieldEnd CsvReader::read_quoted_field() {
  const std::uint64_t opening_line = line_;
  ++pos_;  // opening quote
  for (;;) {
    if (pos_ == end_ && !fill_within_record()) {
      fail(opening_line, "unterminated quoted field (end of input reached before its closing quote)");
    }
    const char* const base = buffer_.get();
    const char* const begin = base + pos_;
    const char* const stop = base + end_;
    const auto* quote = static_cast<const char*>(std::memchr(begin, '"', static_cast<std::size_t>(stop - begin)));
    const char* const run_end = quote != nullptr ? quote : stop;
    line_ += static_cast<std::uint64_t>(std::count(begin, run_end, '\n'));
    record_.append(begin, run_end);
    pos_ = static_cast<std::size_t>(run_end - base);
    if (quote == nullptr) continue;

    ++pos_;  // the quote: either the closing one or the first of a doubled pair
    if (pos_ == end_ && !fill_within_record()) return FieldEnd::EndOfInput;
    const char c = buffer_[pos_];
    if (c == '"') {
      record_.push_back('"');
      ++pos_;
      continue;
    }
    if (c == ',') {
      ++pos_;
      return FieldEnd::Comma;
    }
    if (c == '\n') {
      ++pos_;
      ++line_;
      return FieldEnd::LineEnd;
    }
    if (c == '\r') {
      ++pos_;
      if (pos_ == end_ && !fill_within_record()) return FieldEnd::EndOfInput;
      if (buffer_[pos_] == '\n') {
        ++pos_;
        ++line_;
        return FieldEnd::LineEnd;
      }
    }
    fail(line_, "unexpected text after a closing quote (a quote inside a quoted field must be doubled)");
  }
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  for (;;) {
    if (pos_ == end_ && !fill()) {
      bytes_consumed_ = buffer_offset_ + pos_;
      fields.clear();
      return false;
    }
    record_.clear();
    field_bounds_.clear();
    record_line_ = line_;
    bool any_quoted = false;
    FieldEnd end = FieldEnd::Comma;
    while (end == FieldEnd::Comma) {
      field_bounds_.push_back(record_.size());
      if (pos_ == end_ && !fill_within_record()) {
        end = FieldEnd::EndOfInput;  // "a," at end of input: the last field is empty
      } else if (buffer_[pos_] == '"') {
        any_quoted = true;
        end = read_quoted_field();
      } else {
        end = read_unquoted_field();
      }
      field_bounds_.push_back(record_.size());
    }
    // A line with nothing on it is a blank line, not a record with one empty field ("" is such a record).
    if (field_bounds_.size() == 2 && record_.empty() && !any_quoted) continue;
    if (record_.size() > max_record_bytes_) {
      fail(record_line_, "record longer than " + std::to_string(max_record_bytes_) + " bytes");
    }

    const std::size_t count = field_bounds_.size() / 2;
    fields.resize(count);
    const char* const data = record_.data();
    for (std::size_t i = 0; i < count; ++i) {
      fields[i] = std::string_view(data + field_bounds_[2 * i], field_bounds_[2 * i + 1] - field_bounds_[2 * i]);
    }
    bytes_consumed_ = buffer_offset_ + pos_;
    return true;
  }
}

}  // namespace fundtrail::ingest
