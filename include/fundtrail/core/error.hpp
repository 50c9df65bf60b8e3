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

// User input quoted in a message: at most `max_bytes` bytes of it (then "..."), every byte outside printable
// ASCII shown as \xNN, so hostile input can neither flood a log nor inject terminal escapes or line breaks.
inline std::string printable_excerpt(std::string_view text, std::size_t max_bytes = 100) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() < max_bytes ? text.size() : max_bytes + 3);
  for (std::size_t i = 0; i < text.size() && i < max_bytes; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out += static_cast<char>(byte);
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

}  // namespace fundtrail
