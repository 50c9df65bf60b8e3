#include "fundtrail/store/tx_hash.hpp"

#include <cstring>

namespace fundtrail::store {

void TxHash::write(char* out) const {
  if (!bytes_) {
    std::memcpy(out, text_.data(), text_.size());
    return;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  if (hex_prefix_) {
    *out++ = '0';
    *out++ = 'x';
  }
  for (std::size_t i = 0; i < 32; ++i) {
    *out++ = kDigits[bytes_[i] >> 4];
    *out++ = kDigits[bytes_[i] & 15];
  }
}

std::string TxHash::str() const {
  std::string text(size(), '\0');
  write(text.data());
  return text;
}

}  // namespace fundtrail::store
