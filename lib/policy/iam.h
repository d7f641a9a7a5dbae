// IAM principals and service control policies as the Cloud holds them, and the authorization of
// a call by them (IAM-1, IAM-2, IAM-7). Internal to libami.
#ifndef AMI_LIB_POLICY_IAM_H_
#define AMI_LIB_POLICY_IAM_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "ami/attributes.h"
#include "ami/iam/simulation.h"
#include "ami/ids.h"
#include "ami/policy.h"
#include "ami/requests.h"
#include "policy/lang/document.h"
#include "policy/key_use.h"
#include "policy/lang/evaluate.h"

namespace ami::internal {

// A compiled policy document with its name and text (kept for state files).
struct IamDocument {
  std::string name;
  std::string text;
  std::shared_ptr<const lang::PolicyDocument> document;

  friend bool operator==(const IamDocument& a, const IamDocument& b) {
    return a.name == b.name && a.text == b.text;
  }
};

// An IAM user or role and what governs its calls.
struct IamPrincipal {
  // arn:aws:iam::<account>:user/<path><name> or …:role/<path><name>.
  std::string arn;
  AccountId account = AccountId::FromNumber(0);
  bool is_role = false;
  std::string name;
  // "/" or "/…/".
  std::string path = "/";
  // Every identity policy: inline, attached managed, and its groups' (users).
  std::vector<IamDocument> policies;
  std::optional<IamDocument> boundary;
  TagSet tags;

  friend bool operator==(const IamPrincipal& a, const IamPrincipal& b) {
    return a.arn == b.arn && a.account == b.account && a.is_role == b.is_role &&
           a.name == b.name && a.path == b.path && a.policies == b.policies && a.boundary == b.boundary &&
           a.tags == b.tags;
  }
};

// A service control policy of an organization.
struct ServiceControlPolicy {
  // p- and 8 to 128 lowercase letters or digits; p-FullAWSAccess for AWS's own.
  std::string id;
  // The organization's id, o-….
  std::string organization;
  IamDocument document;

  friend bool operator==(const ServiceControlPolicy& a, const ServiceControlPolicy& b) {
    return a.id == b.id && a.organization == b.organization && a.document == b.document;
  }
};

// `text` read as a policy of `kind` and named `name`; MalformedPolicyDocument naming the policy.
absl::StatusOr<IamDocument> CompileIamDocument(absl::string_view name, absl::string_view text,
                                               lang::PolicyKind kind);

// The id of AWS's FullAWSAccess policy, attached to every root, OU and account unless detached.
inline constexpr absl::string_view kFullAwsAccessId = "p-FullAWSAccess";

}  // namespace ami::internal

namespace ami::policy {

class PlanView;

// One resource a call authorizes: its ARN and, for an image, the image and the tags the caller
// sees on it (the owner's for the owner, the caller's own otherwise: IAM-5).
struct IamResource {
  std::string arn;
  const Image* image = nullptr;
  const TagSet* tags = nullptr;
  // Further condition keys of this resource (ec2:InstanceType of a new instance, …).
  std::vector<std::pair<std::string, std::string>> keys;
  // A resource the call creates: it has no tags yet (ec2:ResourceTag/…, aws:ResourceTag/…).
  bool created = false;
};

// The service control policies attached at one level (the organization's root, an OU, the
// account), FullAWSAccess included unless detached.
struct ScpLevel {
  std::string target;
  std::vector<const internal::ServiceControlPolicy*> policies;
};

// IAM-1, IAM-2, IAM-7: the Decision when IAM denies the call, else nullopt — the first check of
// every operation that asks IAM (UnauthorizedOperation comes before what the resources would
// answer). Whether the caller's identity policies and permissions boundary, and the service
// control policies of its account, allow `action` (for example "ec2:RunInstances") on every
// resource `resources` builds, with the tags the call creates (aws:RequestTag/…, aws:TagKeys).
// `tag_keys`, when given, is aws:TagKeys of a call that names tag keys only (DeleteTags).
// The denial carries AWS's message and names any condition the model cannot evaluate ("allowed
// only if …"). A call as the account's root user in an account no SCP governs asks nothing, and
// `resources` is not called.
std::optional<Decision> IamDenial(const PlanView& view, const CallContext& ctx,
                                  absl::string_view action,
                                  absl::FunctionRef<std::vector<IamResource>()> resources,
                                  const TagSet* request_tags = nullptr,
                                  const std::vector<std::string>* tag_keys = nullptr);

// An action that supports no resource-level permissions (DescribeImages, DescribeSnapshots):
// IamDenial on the resource "*", as a status; OK when IAM allows or does not apply.
absl::Status IamAuthorizeWithoutResource(const PlanView& view, const CallContext& ctx,
                                         absl::string_view action);

// Tag on create: a call that creates resources of `type` ("image", "snapshot", "instance") and
// carries `tags` for them is also authorized for ec2:CreateTags on them, with ec2:CreateAction
// the creating action (for example "RunInstances") and the tags as aws:RequestTag/… and
// aws:TagKeys. Nothing is asked when `tags` is empty. Asked after the action's own
// authorization.
std::optional<Decision> TagOnCreateDenial(const PlanView& view, const CallContext& ctx,
                                          absl::string_view create_action,
                                          absl::string_view type, const TagSet& tags);

// The reason a call is refused when `r` (for the request `c`, not allowed) does not allow it,
// with AWS's message: UnauthorizedOperation for an EC2 action, AccessDeniedException for a KMS
// or Recycle Bin one; a key policy's refusal is KMS-5, an SCP's IAM-2, the rest IAM-7.
Reason CallDenial(const lang::PolicyResult& r, const lang::RequestContext& c, AccountId account);

// IAM-8: may the caller list what its Recycle Bin holds (`action`
// ec2:ListImagesInRecycleBin or ec2:ListSnapshotsInRecycleBin, resource "*")? The listing has no
// error to report a denial with: a caller IAM refuses is shown nothing (MC-69).
bool IamAllowsListing(const PlanView& view, const CallContext& ctx, absl::string_view action);

// The image `id` in `region` as a resource of the caller's call, with the tags the caller sees
// on it (IAM-5); its ARN alone (its keys unknown) when the cloud holds no such image there.
IamResource ImageIamResource(const PlanView& view, const CallContext& ctx, ImageId id,
                             Region region);
// The snapshot `id` in `ctx`'s Region as a resource of the caller's call, with the tags the
// caller sees on it (its owner's for the owner, the caller's own otherwise); its ARN alone when
// the cloud holds no such snapshot there.
IamResource SnapshotIamResource(const PlanView& view, const CallContext& ctx, SnapshotId id);
// The caller's instance `id` in `ctx`'s Region, with its tags and ec2:InstanceType; its ARN
// alone when the caller has no such instance there.
IamResource InstanceIamResource(const PlanView& view, const CallContext& ctx, InstanceId id);
// A resource of `ctx`'s account and Region that the call creates:
// arn:aws:ec2:<region>:<account>:<type>/* ("instance", "volume", "snapshot", …; images and
// snapshots have no account in their ARN), with no resource tags.
IamResource NewResource(const CallContext& ctx, absl::string_view type);

// The resource of an action that supports no resource-level permissions: "*" (the account
// settings, kms:CreateKey).
std::vector<IamResource> AnyIamResource();

// KMS-5: may the caller of `ctx` call `action` ("kms:PutKeyPolicy", …) on the key `arn`?
// `key` is the customer managed key it names, nullptr for an AWS managed key (whose policy
// lets every principal of its account read it, so that IAM decides). A principal is asked as
// KMS asks (KeyCallDenial); the account's root user manages its own keys (KMS-1), so only
// service control policies can refuse it. The denial, or nullopt when allowed.
std::optional<Decision> KeyCallDenialOf(const PlanView& view, const CallContext& ctx,
                                        const KmsKeyArn& arn, const KmsKey* key,
                                        absl::string_view action);

// The resources each operation authorizes (IAM-3, MC-67). RunInstances: the image, and the
// instance (with ec2:InstanceType when `instance_type` is given; unknown otherwise), volume,
// network-interface, security-group and subnet it creates or uses.
std::vector<IamResource> LaunchIamResources(const PlanView& view, const CallContext& ctx,
                                            ImageId image, const std::string* instance_type);
// CopyImage: the new image and snapshots, and the source image.
std::vector<IamResource> CopyIamResources(const PlanView& view, const CallContext& ctx,
                                          ImageId source_image, Region source_region);
// ModifyImageAttribute of the launch permission: the image, with ec2:Attribute.
std::vector<IamResource> LaunchPermissionIamResources(const PlanView& view,
                                                      const CallContext& ctx, ImageId image);

// The caller of `ctx` as a key user (KMS-4, KMS-5): its principal (or the account's root user)
// with its identity policies, permissions boundary and the service control policies of its
// account, and the context values `ctx` supplies; nullopt when IAM does not apply to the call
// (the root user of an account no SCP governs), where key use is asked as EvaluateKeyUse asks.
// A principal the cloud does not hold has no policies, so it may use no key.
std::optional<KeyCaller> IamKeyCaller(const PlanView& view, const CallContext& ctx);

// The pieces IamDenial evaluates, for the engine's other IAM questions (Simulate).
// The policies that govern a call of `ctx` by `principal` (nullptr: the account's root user):
// its identity policies and boundary, and the service control policies of its account.
lang::PolicyInputs IamInputs(const PlanView& view, const CallContext& ctx,
                             const internal::IamPrincipal* principal);
// What every resource's context of one call shares: the principal's keys, the clock, the
// Region and the request's tags.
lang::RequestContext IamBaseContext(const PlanView& view, const CallContext& ctx,
                                    const internal::IamPrincipal* principal,
                                    absl::string_view action, const TagSet* request_tags);
// `base` for one resource: its ARN and keys, then the values `ctx` supplies for the keys the
// model does not know. A supplied value for a key it knows must agree, else `*conflict` names
// the key.
lang::RequestContext IamResourceContext(const lang::RequestContext& base, const IamResource& r,
                                        const CallContext& ctx, std::string* conflict);

// The preflight questions asked as `who` (iam::Explain): IamDenial with the resources the
// operation authorizes, then the question.
Decision ExplainAs(const PlanView& view, const iam::Identity& who, const LaunchQuestion& q);
Decision ExplainAs(const PlanView& view, const iam::Identity& who, const CopyQuestion& q);
Decision ExplainAs(const PlanView& view, const iam::Identity& who, const ShareQuestion& q);

// iam::Simulate: each action on each resource, evaluated as IamDenial evaluates a call.
absl::StatusOr<std::vector<iam::SimulationResult>> SimulateIam(
    const PlanView& view, const iam::SimulationRequest& request);

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_IAM_H_
