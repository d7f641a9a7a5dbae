// What the story examples share: stop at a setup step that fails, print each step, and count
// each decision or status that is not the one AWS would give. Not thread-safe (one story runs).
#ifndef AMI_EXAMPLES_COMMON_STEPS_H_
#define AMI_EXAMPLES_COMMON_STEPS_H_

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ami/errors.h"
#include "ami/policy.h"

namespace ami::examples {

// How many steps did not behave as expected.
inline int failures = 0;

// The value of a setup step; exits when it failed.
template <typename T>
T Must(absl::StatusOr<T> v, const char* step) {
  if (!v.ok()) {
    std::printf("UNEXPECTED failure at %s: %s\n", step, std::string(v.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(v);
}

inline void MustOk(const absl::Status& s, const char* step) {
  if (!s.ok()) {
    std::printf("UNEXPECTED failure at %s: %s\n", step, std::string(s.message()).c_str());
    std::exit(1);
  }
}

inline void Step(const char* title) { std::printf("\n== %s\n", title); }

// Prints the decision's explanation; counts a failure when its effect is not the expected one.
inline void Show(const Decision& d, bool expect_allowed) {
  std::printf("%s\n", d.Explain().c_str());
  if (d.allowed() != expect_allowed) {
    std::printf("UNEXPECTED decision: expected %s\n", expect_allowed ? "ALLOW" : "DENY");
    ++failures;
  }
}

// Prints the status; counts a failure when its code is not `code` (nullopt: OK).
inline void ExpectCode(const absl::Status& s, std::optional<ErrorCode> code) {
  const std::optional<ErrorCode> got = GetErrorCode(s);
  std::printf("-> %s%s%s\n", got ? std::string(ErrorCodeName(*got)).c_str() : "OK",
              s.ok() ? "" : ": ", std::string(s.message()).c_str());
  if (got != code) {
    std::printf("UNEXPECTED status, expected %s\n",
                code ? std::string(ErrorCodeName(*code)).c_str() : "OK");
    ++failures;
  }
}

}  // namespace ami::examples

#endif  // AMI_EXAMPLES_COMMON_STEPS_H_
