#pragma once
// Streams JSON straight to an ostream in the exact layout of nlohmann::json::dump(2) (2-space indent,
// "key": value, [] and {} for empty containers), without building a document first: a trace of millions of
// transfers is written in constant memory and a fraction of the time. Strings are escaped like nlohmann
// (invalid UTF-8 replaced by U+FFFD), so attacker-chosen text (token names, labels) cannot break the output.
#include <boost/container/small_vector.hpp>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace fundtrail::report {

// A key spelled in the source: checked at compile time to need no escaping, so writing it is a plain copy
// (a trace writes a dozen keys per row, millions in all).
class JsonKey {
 public:
  template <std::size_t N>
  consteval JsonKey(const char (&name)[N]) : name_(name, N - 1) {  // NOLINT: implicit by design
    for (char c : name_) {
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
        throw "a JSON key literal must be printable ASCII without quotes";
    }
  }
  std::string_view view() const { return name_; }

 private:
  std::string_view name_;
};

class JsonWriter {
 public:
  // Text is buffered and written to `out` in large blocks: when a top-level value is complete, by flush(),
  // and on destruction.
  explicit JsonWriter(std::ostream& out);
  // A writer that keeps its text in memory: elements of an array that another writer has open, formatted
  // elsewhere (on another thread) and taken over in order with splice_items(). `depth` counts the open
  // containers, the array included (its indentation); `items_before` the array's elements before these
  // (the separator).
  struct ArrayItems {
    std::size_t depth = 1;
    std::size_t items_before = 0;
  };
  explicit JsonWriter(ArrayItems position);
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void flush();

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  // Inside an object: the next value's key.
  JsonWriter& key(JsonKey name);
  // Inside an array: the elements an ArrayItems writer holds, as the next elements.
  void splice_items(const JsonWriter& items);
  // An ArrayItems writer: forgets its text (keeping its memory) and starts again at `position`.
  void restart_items(ArrayItems position);

  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(const std::string& text) { value(std::string_view(text)); }
  void value(std::int64_t number);
  void value(std::uint64_t number);
  void value(int number) { value(static_cast<std::int64_t>(number)); }
  void value(unsigned number) { value(static_cast<std::uint64_t>(number)); }
  void value(bool flag);
  void null();
  // A string the caller knows needs no escaping (digits, hex, a formatted time: never outside text),
  // copied without a check; or spelled in place by `spell(char* out)` writing exactly `size` characters.
  void value_plain(std::string_view text);
  template <typename Spell>
  void value_plain(std::size_t size, Spell&& spell) {
    before_value();
    char* at = room(size + 2);
    *at = '"';
    spell(at + 1);
    at[size + 1] = '"';
    cursor_ = at + size + 2;
    if (stack_.empty()) flush();
  }
  // A member of the innermost object, key and value at once: the same bytes as key(name).value(...), with
  // one bounds check (a trace writes a dozen members per row, millions in all).
  void member(JsonKey name, std::string_view text) {
    if (!is_plain_text(text)) return void(key(name).value(text));
    write_member(name, text);
  }
  void member_plain(JsonKey name, std::string_view text) { write_member(name, text); }  // see value_plain
  void member(JsonKey name, std::int64_t number) { write_member_number(name, number); }
  void member(JsonKey name, std::uint64_t number) { write_member_number(name, number); }
  void member(JsonKey name, unsigned number) { write_member_number(name, std::uint64_t{number}); }
  void member_null(JsonKey name) {
    char* at = member_head(name, 4);
    std::memcpy(at, "null", 4);
    cursor_ = at + 4;
  }

  template <typename T>
  void value(const std::optional<T>& maybe) {
    if (maybe) {
      value(*maybe);
    } else {
      null();
    }
  }

 private:
  struct Level {
    bool is_object;
    bool empty = true;
  };
  void before_value();
  void separate();  // before a member of the innermost container
  void newline_indent(std::size_t depth);
  void write_quoted(std::string_view text);
  template <typename Integer>
  void write_integer(Integer number);
  void maybe_flush();
  static bool is_plain_text(std::string_view text);

  // The separator, indentation and key of a member, with room for `value_bytes` after them: where the value
  // goes (the caller moves cursor_ past what it writes).
  char* member_head(JsonKey name, std::size_t value_bytes) {
    static constexpr std::size_t kFastDepth = 16;
    const std::size_t depth = base_depth_ + stack_.size();
    if (depth > kFastDepth) {
      key(name);
      after_key_ = false;
      return room(value_bytes);
    }
    static constexpr std::string_view kSeparator = ",\n                                ";  // ",\n" + 2 * kFastDepth
    static_assert(kSeparator.size() == 2 + 2 * kFastDepth);
    Level& level = stack_.back();
    const std::size_t skip = level.empty ? 1 : 0;
    level.empty = false;
    const std::string_view key_text = name.view();
    const std::size_t head = 2 + 2 * depth - skip;
    char* at = room(head + key_text.size() + 4 + value_bytes);
    std::memcpy(at, kSeparator.data() + skip, head);
    at += head;
    *at++ = '"';
    std::memcpy(at, key_text.data(), key_text.size());
    at += key_text.size();
    std::memcpy(at, "\": ", 3);
    return at + 3;
  }
  void write_member(JsonKey name, std::string_view text) {
    char* at = member_head(name, text.size() + 2);
    *at = '"';
    std::memcpy(at + 1, text.data(), text.size());
    at[text.size() + 1] = '"';
    cursor_ = at + text.size() + 2;
  }
  template <typename Integer>
  void write_member_number(JsonKey name, Integer number) {
    char* at = member_head(name, 24);
    cursor_ = std::to_chars(at, at + 24, number).ptr;
  }

  // Text goes into one block through a cursor: a trace writes millions of small pieces, and a std::string
  // append checks and updates its size for each.
  char* room(std::size_t bytes) {  // space for `bytes` more characters at cursor_
    if (static_cast<std::size_t>(end_ - cursor_) < bytes) make_room(bytes);
    return cursor_;
  }
  void make_room(std::size_t bytes);
  void put(char c) { *room(1) = c, ++cursor_; }
  void put(std::string_view text);

  std::ostream* out_ = nullptr;  // null: ArrayItems, the text stays in block_, which grows
  std::size_t base_depth_ = 0;
  std::unique_ptr<char[]> block_;
  char* cursor_ = nullptr;
  char* end_ = nullptr;
  // Inside the writer, not on the heap: two writers filled by two threads at a high rate must not share a
  // cache line through their allocations.
  boost::container::small_vector<Level, 32> stack_;
  bool after_key_ = false;
};

// nlohmann-compatible escaping of one string, quotes included.
std::string json_quote(std::string_view text);

}  // namespace fundtrail::report
