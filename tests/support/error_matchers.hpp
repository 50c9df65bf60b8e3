#pragma once
// Checking the fundtrail::Error an action throws: its kind and its message. Header-only and core-only, so
// every test binary can use it.
//
//   EXPECT_THAT([&] { parse(text); }, ThrowsError(ErrorKind::InvalidArgument, HasSubstr("line 3")));
//   EXPECT_THAT(invalid_argument_message([&] { parse(text); }), HasSubstr("line 3"));
//   const std::optional<Error> error = error_from([&] { parse(text); });  // to inspect it otherwise
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <exception>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "fundtrail/core/error.hpp"

namespace fundtrail::test {

inline const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidArgument: return "InvalidArgument";
    case ErrorKind::NotFound: return "NotFound";
    case ErrorKind::Corruption: return "Corruption";
    case ErrorKind::IoError: return "IoError";
    case ErrorKind::Usage: return "Usage";
  }
  return "(unknown ErrorKind)";
}

// Runs `fn`; the fundtrail::Error it throws, or std::nullopt when it returns. Other exceptions propagate.
template <typename Fn>
std::optional<Error> error_from(Fn&& fn) {
  try {
    std::forward<Fn>(fn)();
  } catch (const Error& error) {
    return error;
  }
  return std::nullopt;
}

// Runs `fn`, expecting a fundtrail::Error of `kind` (a non-fatal failure otherwise), and returns its message
// for matching; "" when nothing was thrown.
template <typename Fn>
std::string error_message(Fn&& fn, ErrorKind kind) {
  try {
    std::forward<Fn>(fn)();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), kind) << "expected " << error_kind_name(kind) << ", got "
                                  << error_kind_name(error.kind()) << ": " << error.what();
    return error.what();
  }
  ADD_FAILURE() << "no fundtrail::Error thrown (expected " << error_kind_name(kind) << ")";
  return {};
}

template <typename Fn>
std::string invalid_argument_message(Fn&& fn) {
  return error_message(std::forward<Fn>(fn), ErrorKind::InvalidArgument);
}

// Matcher for a callable (as gmock's Throws): calling it throws a fundtrail::Error of `kind` whose message
// matches `message`.
class ThrowsErrorMatcher {
 public:
  using is_gtest_matcher = void;

  ThrowsErrorMatcher(ErrorKind kind, ::testing::Matcher<const std::string&> message)
      : kind_(kind), message_(std::move(message)) {}

  template <typename Fn>
  bool MatchAndExplain(const Fn& fn, std::ostream* os) const {
    try {
      fn();
    } catch (const Error& error) {
      const std::string what = error.what();
      const bool kind_matches = error.kind() == kind_;
      ::testing::StringMatchResultListener listener;
      const bool message_matches = message_.MatchAndExplain(what, &listener);
      if (os) {
        *os << "throws " << error_kind_name(error.kind()) << " \"" << what << "\"";
        if (!kind_matches) *os << ", the wrong kind";
        if (!message_matches) *os << (kind_matches ? ", whose" : ", and its") << " message does not match";
        if (!message_matches && !listener.str().empty()) *os << " (" << listener.str() << ")";
      }
      return kind_matches && message_matches;
    } catch (const std::exception& other) {
      if (os) *os << "throws an exception that is not a fundtrail::Error: " << other.what();
      return false;
    }
    if (os) *os << "throws nothing";
    return false;
  }

  void DescribeTo(std::ostream* os) const {
    *os << "throws a fundtrail::Error of kind " << error_kind_name(kind_) << " whose message ";
    message_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "does not throw a fundtrail::Error of kind " << error_kind_name(kind_) << " whose message ";
    message_.DescribeTo(os);
  }

 private:
  ErrorKind kind_;
  ::testing::Matcher<const std::string&> message_;
};

inline ThrowsErrorMatcher ThrowsError(ErrorKind kind,
                                      ::testing::Matcher<const std::string&> message = ::testing::_) {
  return {kind, std::move(message)};
}

}  // namespace fundtrail::test
