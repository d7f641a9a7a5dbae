// Data Lifecycle Manager's state in a cloud: AMI policies and the AMIs each still manages.
// Internal to libami.
#ifndef AMI_LIB_AUTOMATION_DLM_STATE_H_
#define AMI_LIB_AUTOMATION_DLM_STATE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ami/automation/automation.h"
#include "ami/ids.h"

namespace ami::internal {

// An AMI a policy made (or copied) and still manages.
struct DlmImage {
  ImageId image;
  absl::Time created;
  // True once the policy has deprecated the AMI (or found it deprecated by hand): a deprecation
  // or cancellation made by hand after that is not overridden (BACKUP-8).
  bool deprecation_set = false;
  friend bool operator==(const DlmImage& a, const DlmImage& b) {
    return a.image == b.image && a.created == b.created && a.deprecation_set == b.deprecation_set;
  }
};

// The AMIs of one source (an instance, or an instance's copies to one Region), oldest first.
using DlmSeries = std::deque<DlmImage>;

struct DlmPolicyState {
  LifecyclePolicy policy;
  // The policy's place in the order of definitions (Trigger::order).
  uint64_t order = 0;
  // Per schedule: the AMIs made from each instance.
  std::vector<std::map<InstanceId, DlmSeries>> made;
  // Per schedule and cross-Region copy rule: the copies made of each instance's AMIs.
  std::vector<std::vector<std::map<InstanceId, DlmSeries>>> copies;
  // Source AMIs whose copies are still to be made: (schedule, image).
  friend bool operator==(const DlmPolicyState& a, const DlmPolicyState& b);
};

struct DlmState {
  // By policy id.
  std::map<std::string, DlmPolicyState> policies;
  uint64_t next_number = 1;
  friend bool operator==(const DlmState& a, const DlmState& b);
};

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_DLM_STATE_H_
