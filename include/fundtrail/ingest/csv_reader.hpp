#pragma once
// Streaming RFC 4180 CSV reader: bounded memory whatever the file size. Handles quoted fields with embedded
// commas, doubled quotes and line breaks, CRLF or LF line ends, a UTF-8 byte-order mark, and a last line
// without a line end.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fundtrail::ingest {

class CsvReader {
 public:
  // Bytes read from the stream at a time; a record may be longer (it is assembled across refills).
  static constexpr std::size_t kBufferSize = std::size_t{1} << 20;
  // Default cap on one record's unescaped size, so that an unterminated quote near the start of a huge file
  // fails with a clear message instead of pulling the rest of the file into memory.
  static constexpr std::size_t kDefaultMaxRecordBytes = std::size_t{64} << 20;

  // Opens `path` for reading; throws fundtrail::Error(IoError) naming the path when it cannot.
  explicit CsvReader(const std::string& path);
  // Reads from an already-open stream (not closed by the reader); `name` is used in error messages.
  CsvReader(std::FILE* stream, std::string name);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `fields` (string_views valid until the next call). Returns false at end of
  // input. Blank lines (empty, or just CRLF) are skipped. Line ends are LF or CRLF; a CR not followed by LF
  // is field data. Throws fundtrail::Error(InvalidArgument) "<name>:<line>: ..." on an unterminated quoted
  // field (line of its opening quote), a quote inside an unquoted field, text after a closing quote, or a
  // record longer than max_record_bytes(); fundtrail::Error(IoError) on a read error.
  bool next(std::vector<std::string_view>& fields);

  // 1-based physical line number on which the last record returned by next() started.
  std::uint64_t line() const noexcept { return record_line_; }
  // Bytes consumed so far (for progress reporting).
  std::uint64_t bytes_read() const noexcept { return bytes_consumed_; }

  // Calls `observer` with every piece of the stream as it is read, in order, BOM and all: the importer hashes
  // the file on the way instead of reading it twice.
  void observe_bytes(std::function<void(std::string_view)> observer) { observer_ = std::move(observer); }

  std::size_t max_record_bytes() const noexcept { return max_record_bytes_; }
  void set_max_record_bytes(std::size_t bytes) noexcept { max_record_bytes_ = bytes; }

 private:
  enum class FieldEnd { Comma, LineEnd, EndOfInput };

  bool fill();
  bool fill_within_record();
  FieldEnd read_unquoted_field();
  FieldEnd read_quoted_field();
  [[noreturn]] void fail(std::uint64_t line, const std::string& reason) const;

  std::FILE* stream_ = nullptr;
  bool owns_stream_ = false;
  std::string name_;
  std::unique_ptr<char[]> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool started_ = false;             // first fill done (and a byte-order mark skipped)
  std::uint64_t buffer_offset_ = 0;  // stream offset of buffer_[0]
  std::uint64_t line_ = 1;
  std::uint64_t record_line_ = 0;
  std::uint64_t bytes_consumed_ = 0;
  std::function<void(std::string_view)> observer_;
  std::size_t max_record_bytes_ = kDefaultMaxRecordBytes;
  std::string record_;                     // unescaped field bytes of the current record
  std::vector<std::size_t> field_bounds_;  // start/end offsets into record_
};

}  // namespace fundtrail::ingest
