// Times as the AWS APIs print them. Thread-safe: pure functions.
#ifndef AMI_AWS_TIME_H_
#define AMI_AWS_TIME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ami {

// ISO 8601 in UTC with milliseconds ("2024-05-01T12:00:00.000Z"), or more digits when the time
// has them.
std::string FormatAwsTime(absl::Time t);
// Reads an RFC 3339 time ("…Z" or "…+00:00", any fraction); `InvalidParameterValue` otherwise.
absl::StatusOr<absl::Time> ParseAwsTime(absl::string_view text);

}  // namespace ami

#endif  // AMI_AWS_TIME_H_
