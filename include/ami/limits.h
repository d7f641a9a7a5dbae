// The largest inputs libami reads, so that hostile or broken input meets a clear error instead
// of exhausting memory. Exceeding one of these is `ResourceLimitExceeded` naming the limit, except
// kMaxScenarioClockAdvance, a value out of range (`InvalidParameterValue`). Bounds that belong to
// a value live with it and are listed in README.md ("Limits"): kMaxStateFileBytes,
// kMaxStateRecordBytes and kMaxSizingHint (state_file.h), kMaxLaunchPermissionEntities (image.h),
// kMaxUserTagsPerResource (tags.h), the DescribeImages bounds (describe.h), the Allowed AMIs and
// Recycle Bin bounds (lifecycle.h).
#ifndef AMI_LIMITS_H_
#define AMI_LIMITS_H_

#include <cstddef>

#include "absl/time/time.h"

namespace ami {

// One value's JSON text (FromJson).
inline constexpr size_t kMaxJsonValueBytes = size_t{16} << 20;
// The deepest nesting of JSON arrays and objects read (AWS CLI output nests under 10 deep).
inline constexpr size_t kMaxJsonDepth = 64;
// Decoded JSON may take at most this many times its text's size in memory, plus the allowance
// below (AWS CLI output decodes to less than its size; `{}` repeated would not).
inline constexpr size_t kMaxJsonDecodeFactor = 8;
inline constexpr size_t kJsonDecodeAllowanceBytes = size_t{1} << 20;
// One AWS CLI output file given to ImportAwsCli.
inline constexpr size_t kMaxAwsCliFileBytes = size_t{256} << 20;
// One key policy document (get-key-policy's Policy): AWS KMS's own limit, 32 KiB.
inline constexpr size_t kMaxKeyPolicyBytes = 32768;
// One scenario file's text, and its steps.
inline constexpr size_t kMaxScenarioBytes = size_t{16} << 20;
inline constexpr int kMaxScenarioSteps = 100000;
// The images, snapshots, instances and KMS keys one scenario may create or import.
inline constexpr size_t kMaxScenarioCreatedResources = 100000;
// The most one step may move a scenario's clock (`advance`, `advance_clock`): 100 years.
inline constexpr absl::Duration kMaxScenarioClockAdvance = absl::Hours(24 * 36525);

}  // namespace ami

#endif  // AMI_LIMITS_H_
