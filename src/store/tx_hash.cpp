#include "fundtrail/store/tx_hash.hpp"

#include <cstring>
#include <span>

#include "fundtrail/core/hash.hpp"

namespace fundtrail::store {

void TxHash::write(char* out) const {
  if (!bytes_) {
    std::memcpy(out, text_.data(), text_.size());
    return;
  }
  if (hex_prefix_) {
    *out++ = '0';
    *out++ = 'x';
  }
  core::write_hex(std::span(bytes_, 32), out);
}

std::string TxHash::str() const {
  std::string text(size(), '\0');
  write(text.data());
  return text;
}

}  // namespace fundtrail::store
