// Request contexts of the EC2 and KMS actions libami models: the resource ARNs and the
// condition keys AWS documents for them (Service Authorization Reference; IAM-3, IAM-5, KMS-4,
// KMS-7). Internal to libami.
//
// What the model holds is set; what it knows a request does not carry is declared absent (every
// tag of the resource, of the request and of the principal is known, so the tag families are
// complete); everything else — aws:SourceIp, aws:SourceVpce, aws:MultiFactorAuthPresent,
// aws:SecureTransport, aws:userid, encryption context, … — stays unknown, so that unknown never
// allows. Thread-safe: pure functions.
#ifndef AMI_LIB_POLICY_LANG_REQUEST_H_
#define AMI_LIB_POLICY_LANG_REQUEST_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/attributes.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/state_view.h"
#include "policy/lang/context.h"

namespace ami::lang {

// The caller of a request.
struct Caller {
  AccountId account = AccountId::FromNumber(0);
  // The IAM ARN; empty for the account's root user.
  std::string arn;
  // The caller's organization facts; nullptr when the state holds none (the organization keys
  // are then unknown).
  const AccountInfo* info = nullptr;
  // The principal's tags (aws:PrincipalTag/…); nullptr for none.
  const TagSet* tags = nullptr;

  // The ARN policies see: `arn`, or arn:aws:iam::<account>:root.
  std::string Arn() const;
  bool is_root() const { return arn.empty(); }
};

// arn:aws:ec2:<region>::image/<id>, arn:aws:ec2:<region>::snapshot/<id> and
// arn:aws:ec2:<region>:<account>:instance/<id>.
std::string ImageArn(Region region, ImageId id);
std::string SnapshotArn(Region region, SnapshotId id);
std::string InstanceArn(Region region, AccountId account, absl::string_view instance);

// A context for `action` on `resource` by `caller` at `now` in `region`: the principal's keys
// (aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths,
// aws:PrincipalTag/…, aws:username for users, aws:PrincipalIsAWSService), aws:CurrentTime,
// aws:EpochTime, aws:RequestedRegion and ec2:Region.
RequestContext BaseContext(const Caller& caller, absl::string_view action,
                           std::string resource, Region region, absl::Time now);

// The image's keys: ec2:ImageID, ec2:ImageType, ec2:Owner ("amazon", "aws-marketplace" or the
// owner's account), ec2:Public, ec2:RootDeviceType, and ec2:ResourceTag/… and
// aws:ResourceTag/… from `tags`: the owner's tags for the owner, the caller's own tags on
// another account's image (IAM-5).
void AddImageKeys(const Image& image, const TagSet& tags, RequestContext* ctx);

// ec2:ResourceTag/… and aws:ResourceTag/… of a resource that is not an image (a snapshot, an
// instance), from the tags the caller sees on it.
void AddResourceTags(const TagSet& tags, RequestContext* ctx);

// aws:RequestTag/… and aws:TagKeys of the tags a request creates.
void AddRequestTags(const TagSet& tags, RequestContext* ctx);

// The keys of a KMS action EC2 performs for `caller` (KMS-4, KMS-9): kms:CallerAccount,
// kms:ViaService ec2.<region>.amazonaws.com, kms:GrantIsForAWSResource (true for grants EC2
// creates for the caller's volumes), aws:ViaAWSService.
void AddKmsViaEc2Keys(const Caller& caller, Region region, bool grant_for_resource,
                      RequestContext* ctx);

// Values a caller supplies for condition keys, grouped by key name.
using SuppliedValues = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Sets each supplied key the context does not know. A supplied key the context knows (present
// or absent) must hold exactly the supplied values: the first that does not is returned, and
// the caller refuses the request (the cloud's facts are not overridden).
std::optional<std::string> AddSuppliedValues(const SuppliedValues& supplied, RequestContext* ctx);

}  // namespace ami::lang

#endif  // AMI_LIB_POLICY_LANG_REQUEST_H_
