// Helpers shared by the Cloud's operations. Internal to libami.
#ifndef AMI_LIB_CLOUD_OPS_COMMON_H_
#define AMI_LIB_CLOUD_OPS_COMMON_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "ami/attributes.h"
#include "ami/policy.h"
#include "ami/requests.h"
#include "cloud/state.h"

namespace ami::internal {

// The status of a decision for an operation: OK to go on, the denial, or DryRunOperation.
// `allow_later` lets a decision that AWS would only deny later go through (KMS-11, LAUNCH-9).
absl::Status Gate(const Decision& decision, const CallContext& ctx, bool allow_later = false);

// Validated user tags (MC-7).
absl::StatusOr<TagSet> UserTags(const std::vector<std::pair<std::string, std::string>>& tags);

// Image and snapshot tags of TagSpecifications (CREATE-9, COPY-4): other resource types fail.
struct SpecifiedTags {
  TagSet image;
  TagSet snapshot;
};
absl::StatusOr<SpecifiedTags> ParseTagSpecifications(const std::vector<TagSpecification>& specs);

}  // namespace ami::internal

#endif  // AMI_LIB_CLOUD_OPS_COMMON_H_
