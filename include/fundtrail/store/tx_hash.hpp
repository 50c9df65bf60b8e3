#pragma once
// A transaction hash as the label index keeps it: exact text, or, for the usual 64 lower-case hex digits
// (optionally after "0x"), their 32 bytes, spelled out only where the hash is written. A report of hundreds
// of thousands of transfers spells each hash straight into its output, not into memory first.
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace fundtrail::store {

class TxHash {
 public:
  TxHash() = default;
  explicit TxHash(std::string_view text) : text_(text) {}
  TxHash(const std::uint8_t* bytes, bool hex_prefix) : bytes_(bytes), hex_prefix_(hex_prefix) {}

  std::size_t size() const { return bytes_ ? (hex_prefix_ ? 66 : 64) : text_.size(); }
  bool is_hex() const { return bytes_ != nullptr; }  // spelled in hex digits: plain ASCII
  std::string_view text() const { return text_; }    // the hash when !is_hex()
  void write(char* out) const;                       // size() characters
  std::string str() const;

  friend bool operator==(const TxHash& a, const TxHash& b) { return a.str() == b.str(); }
  friend std::ostream& operator<<(std::ostream& out, const TxHash& hash) { return out << hash.str(); }

 private:
  std::string_view text_;                // views what the hash was made from (a mapping, an arena)
  const std::uint8_t* bytes_ = nullptr;  // ditto
  bool hex_prefix_ = false;
};

}  // namespace fundtrail::store
