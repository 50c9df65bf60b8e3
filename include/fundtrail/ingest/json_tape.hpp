#pragma once
// A strict JSON parser (RFC 8259) that records a document as a flat "tape" of values pointing into the
// input, for provider responses read at volume. nlohmann's DOM built a map node and a std::string per key
// and value: ~37 us per 1.5 kB Esplora transaction, more than storing it. The tape is one vector of 16-byte
// entries reused from document to document; strings without escapes are views of the input.
//
// It accepts and refuses what nlohmann::json::parse does, which the providers' parsers were written against:
//  * one value surrounded by optional whitespace (space, tab, CR, LF), nothing after it;
//  * strings: valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), no unescaped
//    control characters, escapes \" \\ \/ \b \f \n \r \t \uXXXX (a high surrogate must be followed by a
//    low one), decoded;
//  * numbers per the JSON grammar. An integer without fraction or exponent is Unsigned when >= 0 and it fits
//    64 bits, Signed when < 0 and it fits int64; every other number is Float and must be finite as a double
//    ("number overflow", like nlohmann). The text is kept, so callers never need the double;
//  * duplicate keys are allowed; find() returns the last one (nlohmann keeps the last).
// Two deliberate differences: a UTF-8 byte order mark is not skipped (nlohmann skips it; provider bodies
// never start with one), and a NUL byte after the document is refused (nlohmann takes NUL for the end of
// the input and ignores what follows it).
// Nesting depth is limited only by memory (the parser keeps its own stack, it does not recurse).
// Errors throw JsonSyntaxError naming the byte offset and what was expected there.
#include <cstdint>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fundtrail::ingest {

class JsonSyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class JsonType : std::uint8_t { Null, False, True, Object, Array, String, Unsigned, Signed, Float };

class JsonTape;

// One value of a parsed tape: two words, valid while its tape lives and parses nothing else.
class JsonValue {
 public:
  JsonValue(const JsonTape& tape, std::uint32_t index) : tape_(&tape), index_(index) {}

  JsonType type() const noexcept;
  bool is_null() const noexcept { return type() == JsonType::Null; }
  bool is_boolean() const noexcept { return type() == JsonType::True || type() == JsonType::False; }
  bool is_object() const noexcept { return type() == JsonType::Object; }
  bool is_array() const noexcept { return type() == JsonType::Array; }
  bool is_string() const noexcept { return type() == JsonType::String; }
  bool is_number() const noexcept { return type() >= JsonType::Unsigned; }
  bool is_number_integer() const noexcept { return type() == JsonType::Unsigned || type() == JsonType::Signed; }
  bool is_number_unsigned() const noexcept { return type() == JsonType::Unsigned; }
  bool is_number_float() const noexcept { return type() == JsonType::Float; }

  bool boolean() const noexcept { return type() == JsonType::True; }
  // The decoded string (is_string()), or a number's text as it appeared in the input (is_number()).
  std::string_view text() const noexcept;
  // Precondition: is_number_unsigned() / is_number_integer() (a Signed value is < 0).
  std::uint64_t unsigned_value() const noexcept;
  std::int64_t signed_value() const noexcept;

  // Elements of an array or members of an object.
  std::size_t size() const noexcept;
  // The member's value (the last one when the key repeats), or std::nullopt; also for non-objects.
  std::optional<JsonValue> find(std::string_view key) const noexcept;

  // Array elements in order: for (JsonValue element : array.elements()).
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = JsonValue;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = JsonValue;
    Iterator(const JsonTape& tape, std::uint32_t index) : tape_(&tape), index_(index) {}
    JsonValue operator*() const { return JsonValue(*tape_, index_); }
    Iterator& operator++() noexcept;
    Iterator operator++(int) noexcept {
      Iterator copy = *this;
      ++*this;
      return copy;
    }
    bool operator==(const Iterator& other) const noexcept { return index_ == other.index_; }

   private:
    const JsonTape* tape_;
    std::uint32_t index_;
  };
  struct Range {
    Iterator first;
    Iterator last;
    Iterator begin() const { return first; }
    Iterator end() const { return last; }
  };
  // Empty for anything but an array.
  Range elements() const noexcept;

 private:
  const JsonTape* tape_;
  std::uint32_t index_;
};

class JsonTape {
 public:
  // Parses `text` (which must outlive the tape's values) into this tape, replacing what it held.
  // Throws JsonSyntaxError; the tape is then empty.
  void parse(std::string_view text);
  JsonValue root() const;

 private:
  friend class JsonValue;
  struct Entry {
    JsonType type;
    bool decoded;          // strings with escapes: the text is in decoded_, not the input
    std::uint32_t offset;  // of the text (strings, numbers)
    std::uint32_t length;  // of the text; containers: elements or members
    std::uint32_t end;     // index after this value's last descendant
  };

  [[noreturn]] void fail(std::size_t at, const std::string& what) const;
  void skip_whitespace() noexcept;
  void parse_string();
  void parse_escaped_string(std::size_t begin);
  void append_escape();
  void check_utf8_sequence();
  void parse_number();
  void parse_literal(std::string_view word, JsonType type);
  std::uint32_t push(JsonType type, std::size_t offset, std::size_t length);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> open_;  // containers not yet closed
  std::string decoded_;
};

}  // namespace fundtrail::ingest
