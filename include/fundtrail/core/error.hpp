#pragma once
// Error policy (see CONTRIBUTING.md): library code throws fundtrail::Error with a kind and a message that
// carries its context (file, line, address, URL ...). Only the CLI's top level catches, prints one line on
// stderr and maps the kind to an exit code (Usage -> 2, everything else -> 1).
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fundtrail {

enum class ErrorKind {
  InvalidArgument,  // bad user input: address, amount, timestamp, option value
  NotFound,         // an address / transaction / asset that the store does not hold
  Corruption,       // a store or snapshot file that does not have the expected shape
  IoError,          // file system, SQLite, network
  Usage,            // command-line usage error (exit code 2)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

inline Error invalid_argument(const std::string& message) { return {ErrorKind::InvalidArgument, message}; }
inline Error not_found(const std::string& message) { return {ErrorKind::NotFound, message}; }

enum class ExcerptStyle {
  // Printable ASCII only: every other byte (also UTF-8 and the backslash) as \xNN; a cut is marked "...".
  Ascii,
  // In double quotes, UTF-8 kept (the cut never splits a sequence): only control bytes as \xNN, '"' and '\'
  // escaped with a backslash; a cut is marked "... (N bytes)" with the full size. For values (amounts,
  // timestamps) whose own spelling matters.
  QuotedUtf8,
};

// User input quoted in a message: at most `max_bytes` bytes of it, escaped as `style` says, so hostile input
// can neither flood a log nor inject terminal escapes or line breaks.
inline std::string printable_excerpt(std::string_view text, std::size_t max_bytes = 100,
                                     ExcerptStyle style = ExcerptStyle::Ascii) {
  static constexpr char kHex[] = "0123456789abcdef";
  const bool quoted = style == ExcerptStyle::QuotedUtf8;
  const bool truncated = text.size() > max_bytes;
  std::size_t shown = truncated ? max_bytes : text.size();
  if (quoted && truncated) {
    while (shown > 0 && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80) --shown;
  }
  std::string out;
  out.reserve(shown + 5);
  if (quoted) out += '"';
  for (std::size_t i = 0; i < shown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool plain = quoted ? byte >= 0x20 && byte != 0x7f : byte >= 0x20 && byte < 0x7f && byte != '\\';
    if (plain) {
      if (quoted && (byte == '"' || byte == '\\')) out += '\\';
      out += static_cast<char>(byte);
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  if (quoted) out += '"';
  if (truncated) out += quoted ? "... (" + std::to_string(text.size()) + " bytes)" : "...";
  return out;
}

}  // namespace fundtrail
