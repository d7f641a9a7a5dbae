// CreateImage (CREATE-1 … 4, ID-17, REG-6).
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/policy.h"
#include "policy/common.h"
#include "policy/reasons.h"

namespace ami::policy {

Decision EvaluateCreateImage(const StateView& view, const CreateImageQuestion& q,
                             ImageConsistency* consistency) {
  ReasonArgs base{.instance = q.instance, .account = q.caller, .region = q.region};
  const Instance* instance = view.FindInstance(q.instance);
  if (instance == nullptr || instance->owner() != q.caller || instance->region() != q.region) {
    return Decision::Deny(R(reasons::kInstanceNotFound, base));
  }
  if (instance->root_device_type() == RootDeviceType::kInstanceStore) {
    return Decision::Deny(R(reasons::kInstanceStoreRoot, base));
  }
  const InstanceState state = instance->state();
  ReasonArgs with_state = base;
  with_state.text = std::string(ToString(state));
  if (state != InstanceState::kRunning && state != InstanceState::kStopped &&
      state != InstanceState::kStopping) {
    return Decision::Deny(R(reasons::kInstanceWrongState, with_state));
  }
  Decision d;
  if (!ValidateImageName(q.name).ok()) {
    ReasonArgs a = base;
    a.text = absl::StrCat("`", q.name, "`");
    d.AddForbid(R(reasons::kBadImageName, std::move(a)));
    return d;
  }
  if (const std::optional<ImageId> used = view.FindImageByName(q.caller, q.region, q.name)) {
    ReasonArgs a = base;
    a.image = *used;
    a.text = absl::StrCat("`", q.name, "`");
    d.AddForbid(R(reasons::kDuplicateName, std::move(a)));
    return d;
  }
  // CREATE-4: a stopped instance, or a running one that EC2 reboots, gives file-system
  // consistency; NoReboot on a running instance, or an instance stuck stopping, does not.
  const bool crash = (state == InstanceState::kRunning && q.no_reboot) ||
                     state == InstanceState::kStopping;
  if (crash) {
    if (state == InstanceState::kRunning) with_state.text = "running and NoReboot is set";
    d.AddPermit(R(reasons::kCrashConsistent, with_state));
  } else {
    if (state == InstanceState::kRunning) with_state.text = "rebooted before the snapshots";
    d.AddPermit(R(reasons::kFileSystemConsistent, with_state));
  }
  if (consistency != nullptr) {
    *consistency = crash ? ImageConsistency::kCrashConsistent : ImageConsistency::kFileSystemConsistent;
  }
  return d;
}

}  // namespace ami::policy
