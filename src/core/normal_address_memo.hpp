#pragma once
// Remembers btc addresses already found valid and in normal form. Checking one costs a Base58 decode and a
// double SHA-256 (or a Bech32 decode), about a microsecond, and an ingest checks each address several times
// (the parser, then core::validate when parsing and again before storing) while the same addresses recur
// across a wallet's history. The check is a pure function of the text, so a remembered answer is exact.
// One memo per thread (no locking); bounded: when full it starts over.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace fundtrail::core {

class NormalAddressMemo {
 public:
  static constexpr std::size_t kMaxEntries = 1 << 15;

  bool contains(std::string_view address) const { return addresses_.find(address) != addresses_.end(); }

  void insert(std::string_view address) {
    if (addresses_.size() >= kMaxEntries) addresses_.clear();
    addresses_.emplace(address);
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> addresses_;
};

}  // namespace fundtrail::core
