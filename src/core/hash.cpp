#include "fundtrail/core/hash.hpp"

#include <openssl/evp.h>

#include <memory>

#include "fundtrail/core/error.hpp"

namespace fundtrail::core {

namespace {

// OpenSSL 3 looks the algorithm up in its provider registry on every EVP_sha256() init; fetching once and
// reusing one context per thread keeps a digest of an address-sized input well under a microsecond.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* thread_md_ctx() {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

// No kind fits an allocation failure inside OpenSSL exactly; it is an environment failure, not bad input.
[[noreturn]] void throw_openssl_failure() { throw Error(ErrorKind::IoError, "OpenSSL SHA-256 computation failed"); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Digest32 sha256(std::span<const std::uint8_t> data) {
  const EVP_MD* md = sha256_md();
  EVP_MD_CTX* ctx = thread_md_ctx();
  if (md == nullptr || ctx == nullptr) throw_openssl_failure();
  Digest32 out{};
  unsigned int size = 0;
  if (EVP_DigestInit_ex(ctx, md, nullptr) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &size) != 1 || size != out.size()) {
    throw_openssl_failure();
  }
  return out;
}

struct Sha256Hasher::Context {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx{EVP_MD_CTX_new()};
};

Sha256Hasher::Sha256Hasher() : context_(std::make_unique<Context>()) {
  const EVP_MD* md = sha256_md();
  if (md == nullptr || context_->ctx == nullptr || EVP_DigestInit_ex(context_->ctx.get(), md, nullptr) != 1) {
    throw_openssl_failure();
  }
}

Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::update(std::string_view bytes) {
  if (EVP_DigestUpdate(context_->ctx.get(), bytes.data(), bytes.size()) != 1) throw_openssl_failure();
}

Digest32 Sha256Hasher::finish() {
  Digest32 out{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context_->ctx.get(), out.data(), &size) != 1 || size != out.size() ||
      EVP_DigestInit_ex(context_->ctx.get(), sha256_md(), nullptr) != 1) {
    throw_openssl_failure();
  }
  return out;
}

Digest32 sha256(std::string_view data) {
  return sha256(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

Digest32 double_sha256(std::span<const std::uint8_t> data) {
  const Digest32 first = sha256(data);
  return sha256(std::span<const std::uint8_t>(first));
}

void write_hex(std::span<const std::uint8_t> bytes, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (const std::uint8_t byte : bytes) {
    *out++ = kDigits[byte >> 4];
    *out++ = kDigits[byte & 0xf];
  }
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2, '\0');
  write_hex(bytes, out.data());
  return out;
}

std::string hex_to_bytes(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    throw invalid_argument("invalid hex '" + printable_excerpt(hex) + "': odd length " + std::to_string(hex.size()));
  }
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_value(hex[i]);
    const int low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) {
      const std::size_t bad = high < 0 ? i : i + 1;
      throw invalid_argument("invalid hex '" + printable_excerpt(hex) + "': invalid character '" +
                             printable_excerpt(hex.substr(bad, 1)) + "' at position " + std::to_string(bad + 1));
    }
    out[i / 2] = static_cast<char>((high << 4) | low);
  }
  return out;
}

}  // namespace fundtrail::core
