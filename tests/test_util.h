// Status matchers for the libami tests (Abseil 20220623 ships none).
#ifndef AMI_TESTS_TEST_UTIL_H_
#define AMI_TESTS_TEST_UTIL_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ami/errors.h"
#include "gmock/gmock.h"

namespace ami::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// Matches an OK Status or StatusOr.
MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status: " << s;
  return s.ok();
}

// Matches a Status or StatusOr that carries AWS error code `code` (and its canonical code).
MATCHER_P(HasErrorCode, code, std::string("has AWS error code ") + std::string(ErrorCodeName(code))) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status: " << s;
  return !s.ok() && GetErrorCode(s) == code && s.code() == CanonicalCode(code);
}

// Matches a non-OK Status or StatusOr whose message contains `text`.
MATCHER_P(MessageHas, text, std::string("message contains ") + ::testing::PrintToString(text)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status: " << s;
  return !s.ok() && std::string(s.message()).find(text) != std::string::npos;
}

}  // namespace ami::testing

#endif  // AMI_TESTS_TEST_UTIL_H_
