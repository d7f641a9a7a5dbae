// Helpers shared by the policy rules. Internal to libami.
#ifndef AMI_LIB_POLICY_COMMON_H_
#define AMI_LIB_POLICY_COMMON_H_

#include <optional>
#include <string>
#include <utility>

#include "ami/policy.h"

namespace ami::policy {

// A reason from a template and its arguments.
inline Reason R(const ReasonTemplate& what, ReasonArgs args = {}, bool async = false) {
  Reason r;
  r.what = &what;
  r.args = std::move(args);
  r.async = async;
  return r;
}

// The image `id` when it exists in `region`; otherwise nullptr and `*d` denies (ID-4, REG-2).
const Image* ImageInRegion(const StateView& view, ImageId id, Region region, Decision* d);

// Denies into `*d` unless the image is available (LAUNCH-3, LAUNCH-6, LAUNCH-7); true when it is.
bool RequireAvailable(const Image& image, Region region, Decision* d);

// True when `account` may read `snapshot`'s storage: owner, listed, or public and not blocked
// by the owner's snapshot block public access (COPY-6, SNAP-3).
bool SnapshotReadableBy(const StateView& view, const Snapshot& snapshot, AccountId account);

// The key that encrypts an EBS mapping: its snapshot's when the state holds the snapshot (the
// snapshot is the truth), else the mapping's own.
std::optional<KmsKeyArn> MappingKey(const StateView& view, const BlockDeviceMapping& m);

// The first EBS snapshot of the image that the state does not hold, so that nothing is known of
// its encryption; nullopt when it holds every one.
std::optional<SnapshotId> UnknownSnapshot(const StateView& view, const Image& image);

// True when an EBS mapping of the image is encrypted, as its snapshot or the mapping says.
bool AnyEncrypted(const StateView& view, const Image& image);

// Denies into `*d` with `why` (LAUNCH-8, COPY-16) when the account's Allowed AMIs setting is
// enabled and the image does not meet it; true when allowed.
bool RequireAllowed(const StateView& view, const Image& image, AccountId account, Region region,
                    const ReasonTemplate& why, Decision* d);

// Marks every reason of `d` asynchronous (AWS accepts the call, then fails it).
Decision MakeAsync(Decision d);

// The keys a volume copy needs (COPY-11, LAUNCH-9): reading `source`'s and writing `target`'s
// (either unset: no key). A key the caller cannot use forbids later with `unusable` (its reason
// names the key and `snapshot`) and carries the key decision's reasons; usable keys' permits
// join an allowing `*d`. `who` is the caller with its own policies (KMS-5); nullptr for
// `caller`'s root user outside service control policies.
struct KeyCaller;
void CheckVolumeKeys(const StateView& view, const KeyCaller* who, AccountId caller,
                     const std::optional<KmsKeyArn>& source,
                     const std::optional<KmsKeyArn>& target, std::optional<SnapshotId> snapshot,
                     const ReasonTemplate& unusable, const ReasonArgs& base, Decision* d);

// `t` plus `years` calendar years, in UTC (29 February becomes 1 March in other years).
absl::Time AddYears(absl::Time t, int years);

// The state reason of an asynchronous failure: `code` and the first deny reason's message.
StateReason FailureReason(absl::string_view code, const Decision& decision);

// The aws:PrincipalOrgPaths value of an account in an organization: o-…/r-…/ou-…/…/ (KMS-7).
std::string OrgPath(const AccountInfo& info);

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_COMMON_H_
