// Matchers for the libami tests: the testing kit's (ami/testing/matchers.h: IsOk, HasErrorCode,
// decision and value matchers; ami/testing/no_change.h: EXPECT_NO_CHANGE), and MessageHas.
#ifndef AMI_TESTS_TEST_UTIL_H_
#define AMI_TESTS_TEST_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "ami/testing/matchers.h"
#include "ami/testing/no_change.h"
#include "gmock/gmock.h"

namespace ami::testing {

// Matches a non-OK Status or StatusOr whose message contains `text`.
MATCHER_P(MessageHas, text, std::string("message contains ") + ::testing::PrintToString(text)) {
  const absl::Status& s = internal::StatusOf(arg);
  *result_listener << "status: " << s;
  return !s.ok() && std::string(s.message()).find(text) != std::string::npos;
}

}  // namespace ami::testing

#endif  // AMI_TESTS_TEST_UTIL_H_
