// The policy engine's vocabulary: Decision (the answer, with the reasons that decided it), the
// read-only StateView that decisions are evaluated against, and the facts it exposes.
//
// A decision never fails: "the operation failed" is an absl::Status, "the policy said no" is a
// Decision whose effect is kDeny. Forbid beats permit; no permit means deny; a forbid that cannot
// be evaluated counts as deny. Reasons name their rule (an id of the rulebook), the EC2 error code
// a deny carries, and render their one-sentence message only when asked (Message()), so a bare
// decision costs no string formatting. Thread-safe: Decision is a value; StateView
// implementations say what they allow.
#ifndef AMI_POLICY_H_
#define AMI_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_id.h"
#include "ami/kms_key.h"
#include "ami/lifecycle.h"
#include "ami/organization.h"
#include "ami/region.h"
#include "ami/snapshot.h"

namespace ami {

// What a decision says.
enum class Effect : uint8_t { kAllow, kDeny };

// A reason's fixed part: the rule, the EC2 code a deny carries, and a message template whose
// placeholders ({image}, {snapshot}, {instance}, {account}, {owner}, {key}, {region},
// {source_region}, {number}, {text}, and {actions}: `number` as KMS action bits) are filled from
// ReasonArgs. All templates live in one catalogue (lib/policy/reasons.h).
struct ReasonTemplate {
  absl::string_view rule;
  ErrorCode code;
  absl::string_view text;
};

// The ids and values a reason's message names.
struct ReasonArgs {
  std::optional<ImageId> image;
  std::optional<SnapshotId> snapshot;
  std::optional<InstanceId> instance;
  std::optional<AccountId> account;
  std::optional<AccountId> owner;
  std::optional<KmsKeyArn> key;
  std::optional<Region> region;
  std::optional<Region> source_region;
  int64_t number = 0;
  std::string text;
};

// One reason for (or against) a decision.
struct Reason {
  const ReasonTemplate* what = nullptr;
  ReasonArgs args;
  // True when AWS would accept the call and report this failure later (KMS-11, LAUNCH-9).
  bool async = false;

  absl::string_view rule() const { return what->rule; }
  ErrorCode code() const { return what->code; }
  // The one-sentence message, ids in backticks, for example
  // "account `444455556666` may not launch image `ami-…`: it is not shared with the account".
  std::string Message() const;
};

using Reasons = absl::InlinedVector<Reason, 2>;

// The answer to one question: may this happen? A decision allows only when it holds a permit
// and no forbid or error: a default-constructed Decision, with no permit, denies.
class Decision {
 public:
  // A decision with no permit: it denies until a permit is added.
  Decision() = default;
  // A decision that allows, for `why`.
  static Decision Allow(Reason why);
  // A decision that denies, for `why`.
  static Decision Deny(Reason why);

  Effect effect() const { return effect_; }
  bool allowed() const { return effect_ == Effect::kAllow; }
  // The reasons that decided it: the permits of an allow, the forbids of a deny.
  const Reasons& reasons() const { return reasons_; }
  // Permits that a forbid overrode.
  const Reasons& overridden() const { return overridden_; }
  // Problems met while evaluating (a forbid that could not be evaluated counts as deny).
  const std::vector<std::string>& errors() const { return errors_; }
  // True when every deny reason is asynchronous: AWS accepts the call and fails it later.
  bool denied_later() const;

  // Adds a permit: a decision with no forbid and no error allows; one with a forbid or an error
  // keeps the permit as overridden.
  void AddPermit(Reason why);
  // Adds a forbid: the decision becomes a deny; earlier permits become overridden.
  void AddForbid(Reason why);
  // Records an evaluation error; the decision becomes a deny.
  void AddError(std::string error);
  // Merges another decision's reasons into this one (forbid beats permit). Merging a decision
  // with no reason changes nothing.
  void Merge(Decision other);

  // The explanation: effect, then one line per reason, overridden permit and error; a decision
  // with no permit says so.
  std::string Explain() const;
  // OK for an allow; for a deny, the first immediate (else first) reason as MakeError(code, message).
  absl::Status ToStatus() const;

 private:
  Effect effect_ = Effect::kDeny;
  // True once a forbid or an error was added: no permit can make it allow again.
  bool blocked_ = false;
  Reasons reasons_;
  Reasons overridden_;
  std::vector<std::string> errors_;
};

// An account as the policy engine sees it: its organization and its OU path.
struct AccountInfo {
  AccountId id = AccountId::FromNumber(0);
  std::optional<OrganizationId> organization;
  // The organization's root, for example "r-ab12", when in an organization.
  std::string root_id;
  // OUs from the root down to the account's parent.
  std::vector<OrganizationalUnitId> ou_path;

  friend bool operator==(const AccountInfo& a, const AccountInfo& b) {
    return a.id == b.id && a.organization == b.organization && a.root_id == b.root_id &&
           a.ou_path == b.ou_path;
  }
};

// Settings of one account in one Region.
struct RegionSettings {
  // EBS encryption by default (KMS-3).
  bool encryption_by_default = false;
  // The default EBS key (KMS-2): the AWS managed aws/ebs key unless changed. Views always set it.
  std::optional<KmsKeyArn> default_kms_key;
  // Image block public access (SHARE-18, SHARE-19): true blocks new public sharing.
  bool image_block_public_access = true;
  // Snapshot block public access (SNAP-3).
  enum class SnapshotBlock : uint8_t { kUnblocked, kBlockNewSharing, kBlockAllSharing };
  SnapshotBlock snapshot_block_public_access = SnapshotBlock::kUnblocked;
  // While an enable is taking effect (SHARE-18, up to 10 minutes): when it will. Views report
  // image_block_public_access as true from then on.
  std::optional<absl::Time> image_block_public_access_from;
  // True once the account enabled or disabled image block public access itself (SHARE-19).
  bool image_block_public_access_chosen = false;

  friend bool operator==(const RegionSettings& a, const RegionSettings& b) {
    return a.encryption_by_default == b.encryption_by_default &&
           a.default_kms_key == b.default_kms_key &&
           a.image_block_public_access == b.image_block_public_access &&
           a.snapshot_block_public_access == b.snapshot_block_public_access &&
           a.image_block_public_access_from == b.image_block_public_access_from &&
           a.image_block_public_access_chosen == b.image_block_public_access_chosen;
  }
};

// What the policy engine knows of a KMS key.
struct KeyFacts {
  // The key, when it is a customer managed key the state holds; nullptr otherwise.
  const KmsKey* key = nullptr;
  // True for an AWS managed key (aws/ebs), which only its own account can use (KMS-1).
  bool aws_managed = false;
  bool exists() const { return key != nullptr || aws_managed; }
};

// A read-only view of a cloud's state. Returned pointers stay valid while the view does.
// Implementations must allow concurrent calls from many threads.
class StateView {
 public:
  virtual ~StateView() = default;
  virtual const Image* FindImage(ImageId id) const = 0;
  virtual const Snapshot* FindSnapshot(SnapshotId id) const = 0;
  virtual const Instance* FindInstance(InstanceId id) const = 0;
  // The account's organization facts; nullptr for an account in no organization.
  virtual const AccountInfo* FindAccount(AccountId id) const = 0;
  // The management account of an organization, if the organization is known.
  virtual std::optional<AccountId> OrganizationManagement(const OrganizationId& org) const = 0;
  virtual RegionSettings Settings(AccountId account, Region region) const = 0;
  virtual KeyFacts FindKey(const KmsKeyArn& arn) const = 0;
  // The key an alias names for `account` in `region` (alias/aws/ebs included).
  virtual std::optional<KmsKeyArn> FindAlias(AccountId account, Region region,
                                             absl::string_view alias) const = 0;
  // The account's available or pending image of that name in the Region (REG-6).
  virtual std::optional<ImageId> FindImageByName(AccountId owner, Region region,
                                                 absl::string_view name) const = 0;
  // How many registered images use the snapshot (SNAP-4).
  virtual int ImagesUsingSnapshot(SnapshotId id) const = 0;
  // How many public images the account owns in the Region (SHARE-9).
  virtual int PublicImageCount(AccountId owner, Region region) const = 0;
  // The cloud's clock.
  virtual absl::Time Now() const = 0;
  // The account's Allowed AMIs setting in the Region when enabled or in audit mode; nullptr
  // when disabled (GOV-7).
  virtual const AllowedImagesSettings* AllowedImages(AccountId account, Region region) const {
    (void)account;
    (void)region;
    return nullptr;
  }
};

}  // namespace ami

#endif  // AMI_POLICY_H_
