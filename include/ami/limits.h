// The largest inputs libami reads, so that hostile or broken input meets a clear error instead
// of exhausting memory. Exceeding one of these is `ResourceLimitExceeded` naming the limit.
// Bounds that belong to a value live with it and are listed in README.md ("Limits"):
// kMaxStateRecordBytes and kMaxSizingHint (state_file.h), kMaxLaunchPermissionEntities (image.h),
// kMaxUserTagsPerResource (tags.h), the DescribeImages bounds (describe.h), the Allowed AMIs and
// Recycle Bin bounds (lifecycle.h).
#ifndef AMI_LIMITS_H_
#define AMI_LIMITS_H_

#include <cstddef>

namespace ami {

// One value's JSON text (FromJson).
inline constexpr size_t kMaxJsonValueBytes = size_t{16} << 20;
// One AWS CLI output file given to ImportAwsCli.
inline constexpr size_t kMaxAwsCliFileBytes = size_t{256} << 20;
// One scenario file's text, and its steps.
inline constexpr size_t kMaxScenarioBytes = size_t{16} << 20;
inline constexpr int kMaxScenarioSteps = 100000;

}  // namespace ami

#endif  // AMI_LIMITS_H_
