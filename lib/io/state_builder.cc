// The state-file reader's builder (lib/state_builder.h): each record kind checked and added to
// the new cloud's state.
#include "io/state_builder.h"

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/io/proto.h"
#include "policy/planning.h"
#include "values/choices.h"
#include "values/text_util.h"

namespace ami::internal {
namespace {

absl::Status Duplicate(absl::string_view what, const std::string& id) {
  return MakeError(choices::kInconsistentValues, absl::StrCat("duplicate ", what, " `", id, "`"));
}

}  // namespace

absl::Status CorruptStateFile(const std::string& message) {
  return MakeError(choices::kUndecodableInput, absl::StrCat("state file: ", message));
}

absl::Status StateBuilder::Organization(const v1::OrganizationRecord& o) {
  AMI_ASSIGN_OR_RETURN(const OrganizationId id, OrganizationId::Parse(o.organization_id()));
  internal::OrganizationInfo info;
  AMI_ASSIGN_OR_RETURN(info.management, AccountId::Parse(o.management_account()));
  info.root_id = o.root_id();
  for (const v1::OrganizationalUnitEdge& e : o.ous()) {
    AMI_ASSIGN_OR_RETURN(const OrganizationalUnitId ou, OrganizationalUnitId::Parse(e.ou_id()));
    std::optional<OrganizationalUnitId> parent;
    if (!e.parent_ou_id().empty()) {
      AMI_ASSIGN_OR_RETURN(parent, OrganizationalUnitId::Parse(e.parent_ou_id()));
    }
    info.ous.emplace(ou, parent);
  }
  if (!load_.AddOrganization(id, std::move(info))) return Duplicate("organization", id.ToString());
  return absl::OkStatus();
}

absl::Status StateBuilder::Account(const v1::AccountRecord& a) {
  AccountInfo info;
  AMI_ASSIGN_OR_RETURN(info.id, AccountId::Parse(a.account_id()));
  if (!a.organization_id().empty()) {
    AMI_ASSIGN_OR_RETURN(info.organization, OrganizationId::Parse(a.organization_id()));
    if (!s_->organizations().contains(*info.organization)) {
      return MakeError(choices::kInconsistentValues,
                       absl::StrCat("account `", a.account_id(), "` names unknown organization `",
                                    a.organization_id(), "`"));
    }
  }
  info.root_id = a.root_id();
  for (const std::string& ou : a.ou_path()) {
    AMI_ASSIGN_OR_RETURN(OrganizationalUnitId id, OrganizationalUnitId::Parse(ou));
    info.ou_path.push_back(std::move(id));
  }
  const AccountId id = info.id;
  if (!load_.AddAccount(std::move(info))) return Duplicate("account", id.ToString());
  return absl::OkStatus();
}

absl::Status StateBuilder::Settings(const v1::SettingsRecord& t) {
  AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(t.account_id()));
  AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(t.region()));
  RegionSettings set;
  set.encryption_by_default = t.encryption_by_default();
  if (!t.default_kms_key().empty()) {
    AMI_ASSIGN_OR_RETURN(set.default_kms_key, KmsKeyArn::Parse(t.default_kms_key()));
  } else {
    set.default_kms_key = s_->AwsManagedEbsKey(account, region);
  }
  set.image_block_public_access = t.image_block_public_access();
  set.image_block_public_access_chosen = t.image_block_public_access_chosen();
  if (!t.image_block_public_access_from().empty()) {
    AMI_ASSIGN_OR_RETURN(set.image_block_public_access_from,
                         ParseAwsTime(t.image_block_public_access_from()));
  }
  const std::string& block = t.snapshot_block_public_access();
  if (block == "unblocked" || block.empty()) {
    set.snapshot_block_public_access = RegionSettings::SnapshotBlock::kUnblocked;
  } else if (block == "block-new-sharing") {
    set.snapshot_block_public_access = RegionSettings::SnapshotBlock::kBlockNewSharing;
  } else if (block == "block-all-sharing") {
    set.snapshot_block_public_access = RegionSettings::SnapshotBlock::kBlockAllSharing;
  } else {
    return MakeError(choices::kInvalidValue, absl::StrCat("unknown snapshot block state `", block, "`"));
  }
  if (!load_.AddSettings(account, region, set)) {
    return Duplicate("settings of", absl::StrCat(t.account_id(), " in ", t.region()));
  }
  return absl::OkStatus();
}

absl::Status StateBuilder::Alias(const v1::AliasRecord& a) {
  AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(a.account_id()));
  AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(a.region()));
  AMI_ASSIGN_OR_RETURN(const KmsKeyArn arn, KmsKeyArn::Parse(a.key_arn()));
  if (a.alias() == internal::kAwsEbsAlias) {
    // An imported AWS managed EBS key: held before its alias, in the alias's account and Region.
    const KeyFacts facts = s_->FindKey(arn);
    if (facts.key == nullptr || !facts.key->is_aws_managed() || arn.account() != account ||
        arn.region() != region) {
      return MakeError(choices::kInconsistentValues,
                       absl::StrCat("alias/aws/ebs of account `", account.ToString(), "` in ",
                                    region.code(), " names `", arn.ToString(),
                                    "`, which is not an aws managed key of the file"));
    }
  } else {
    AMI_RETURN_IF_ERROR(ValidateNewAliasName(a.alias()));
  }
  load_.PutAlias(account, region, a.alias(), arn);
  return absl::OkStatus();
}

absl::Status StateBuilder::ForeignTags(const v1::ForeignTagsRecord& f) {
  AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(f.account_id()));
  std::vector<Tag> tags;
  for (const v1::Tag& t : f.tags()) {
    AMI_ASSIGN_OR_RETURN(Tag tag, Tag::Create(t.key(), t.value()));
    tags.push_back(std::move(tag));
  }
  AMI_ASSIGN_OR_RETURN(TagSet set, TagSet::Create(std::move(tags)));
  std::optional<Region> region;
  if (auto id = ImageId::Parse(f.resource_id()); id.ok() && s_->FindImage(*id) != nullptr) {
    region = s_->FindImage(*id)->region();
  } else if (auto sid = SnapshotId::Parse(f.resource_id());
             sid.ok() && s_->FindSnapshot(*sid) != nullptr) {
    region = s_->FindSnapshot(*sid)->region();
  }
  if (!region.has_value() || set.empty()) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("foreign tags name `", text_util::Clip(f.resource_id()),
                                  "`, which is no image or snapshot, or carry no tag"));
  }
  load_.SetForeignTags(f.resource_id(), *region, account, std::move(set));
  return absl::OkStatus();
}

absl::Status StateBuilder::Pending(const v1::PendingRecord& p) {
  PendingWork work;
  if (p.kind() == "image") {
    work.kind = PendingWork::Kind::kImage;
    AMI_RETURN_IF_ERROR(ImageId::Parse(p.id()).status());
  } else if (p.kind() == "instance") {
    work.kind = PendingWork::Kind::kInstance;
    AMI_RETURN_IF_ERROR(InstanceId::Parse(p.id()).status());
  } else if (p.kind() == "key-deletion") {
    work.kind = PendingWork::Kind::kKeyDeletion;
    AMI_RETURN_IF_ERROR(KmsKeyArn::Parse(p.id()).status());
  } else if (p.kind() == "bin-expiry") {
    work.kind = PendingWork::Kind::kBinExpiry;
    if (!ImageId::Parse(p.id()).ok()) AMI_RETURN_IF_ERROR(SnapshotId::Parse(p.id()).status());
  } else {
    return MakeError(choices::kInvalidValue, absl::StrCat("unknown pending work `", p.kind(), "`"));
  }
  work.id = p.id();
  if (p.fails()) work.failure = StateReason{p.failure().code(), p.failure().message()};
  AMI_ASSIGN_OR_RETURN(const absl::Time at, ParseAwsTime(p.at()));
  load_.AddPending(at, std::move(work));
  return absl::OkStatus();
}

absl::Status StateBuilder::Bookkeeping(const v1::StateRecord& r) {
  switch (r.record_case()) {
    case v1::StateRecord::kAlias:
      return Alias(r.alias());
    case v1::StateRecord::kForeignTags:
      return ForeignTags(r.foreign_tags());
    case v1::StateRecord::kClientToken: {
      const v1::ClientTokenRecord& c = r.client_token();
      AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(c.account_id()));
      AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(c.region()));
      AMI_ASSIGN_OR_RETURN(const ImageId image, ImageId::Parse(c.image_id()));
      load_.PutClientToken(std::make_tuple(account, region, c.token()), {c.fingerprint(), image});
      return absl::OkStatus();
    }
    case v1::StateRecord::kCreating: {
      AMI_ASSIGN_OR_RETURN(const InstanceId instance, InstanceId::Parse(r.creating().instance_id()));
      AMI_ASSIGN_OR_RETURN(const ImageId image, ImageId::Parse(r.creating().image_id()));
      load_.PutCreating(instance, image);
      return absl::OkStatus();
    }
    case v1::StateRecord::kPending:
      return Pending(r.pending());
    case v1::StateRecord::kAllowedImages:
      return AllowedImages(r.allowed_images());
    case v1::StateRecord::kRetentionRule:
      return Rule(r.retention_rule());
    case v1::StateRecord::kBin:
      return Bin(r.bin());
    case v1::StateRecord::kPrincipal:
      return Principal(r.principal());
    case v1::StateRecord::kServiceControlPolicy:
      return Scp(r.service_control_policy());
    case v1::StateRecord::kFullAccessDetached:
      return FullAccessDetached(r.full_access_detached());
    case v1::StateRecord::kAutomation:
      return AddAutomation(r.automation());
    default:
      return CorruptStateFile("a record of unknown kind");
  }
}

// IAM records go through the one writer, after the checks the Cloud's own calls make.
absl::Status StateBuilder::Principal(const v1::PrincipalRecord& in) {
  IamPrincipal p;
  AMI_ASSIGN_OR_RETURN(p.account, AccountId::Parse(in.account_id()));
  if (in.type() != "user" && in.type() != "role") {
    return MakeError(choices::kInvalidValue, "a principal is a user or a role");
  }
  p.is_role = in.type() == "role";
  p.name = in.name();
  for (const v1::PolicyDocumentRecord& d : in.policies()) {
    AMI_ASSIGN_OR_RETURN(IamDocument doc,
                         CompileIamDocument(d.name(), d.document(), lang::PolicyKind::kIdentity));
    p.policies.push_back(std::move(doc));
  }
  if (in.has_boundary()) {
    AMI_ASSIGN_OR_RETURN(p.boundary, CompileIamDocument(in.boundary().name(),
                                                        in.boundary().document(),
                                                        lang::PolicyKind::kBoundary));
  }
  std::vector<Tag> tags;
  for (const v1::Tag& t : in.tags()) {
    AMI_ASSIGN_OR_RETURN(Tag tag, Tag::Create(t.key(), t.value()));
    tags.push_back(std::move(tag));
  }
  AMI_ASSIGN_OR_RETURN(p.tags, TagSet::Create(std::move(tags)));
  WriterLock lock(s_->mu);
  AMI_ASSIGN_OR_RETURN(Plan plan, policy::PlanPutPrincipal(*s_, std::move(p), in.path()));
  if (s_->principals().contains(plan.extra().put_principals.front()->arn)) {
    return Duplicate("principal", plan.extra().put_principals.front()->arn);
  }
  s_->Commit(std::move(plan));
  return absl::OkStatus();
}

absl::Status StateBuilder::Scp(const v1::ServiceControlPolicyRecord& in) {
  internal::ServiceControlPolicy p;
  p.id = in.id();
  AMI_ASSIGN_OR_RETURN(const OrganizationId org, OrganizationId::Parse(in.organization_id()));
  AMI_ASSIGN_OR_RETURN(p.document, CompileIamDocument(in.document().name(), in.document().document(),
                                                      lang::PolicyKind::kServiceControl));
  WriterLock lock(s_->mu);
  if (s_->scps().contains(p.id)) return Duplicate("service control policy", p.id);
  AMI_ASSIGN_OR_RETURN(Plan plan, policy::PlanPutServiceControlPolicy(*s_, org, std::move(p)));
  s_->Commit(std::move(plan));
  for (const std::string& target : in.targets()) {
    AMI_ASSIGN_OR_RETURN(Plan attach, policy::PlanScpAttachment(*s_, in.id(), target, true));
    s_->Commit(std::move(attach));
  }
  return absl::OkStatus();
}

absl::Status StateBuilder::FullAccessDetached(const v1::FullAccessDetachedRecord& in) {
  WriterLock lock(s_->mu);
  AMI_ASSIGN_OR_RETURN(Plan plan,
                       policy::PlanScpAttachment(*s_, kFullAwsAccessId, in.target(), false));
  s_->Commit(std::move(plan));
  return absl::OkStatus();
}

// Automation records add together (lib/io/automation_state_proto.h); CheckReferences() checks
// what joins them once all are read.
absl::Status StateBuilder::AddAutomation(const v1::AutomationStateRecord& in) {
  WriterLock lock(s_->mu);
  if (!automation_) automation_.emplace(&s_->mutable_automation(), s_->Now());
  return automation_->Add(in);
}

absl::Status StateBuilder::AllowedImages(const v1::AllowedImagesRecord& a) {
  AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(a.account_id()));
  AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(a.region()));
  AllowedImagesSettings set;
  AMI_ASSIGN_OR_RETURN(set.state, ParseEnum<AllowedImagesState>(a.state()));
  for (const v1::ImageCriterionRecord& in : a.criteria()) {
    ImageCriterion c;
    c.image_providers.assign(in.image_providers().begin(), in.image_providers().end());
    c.image_names.assign(in.image_names().begin(), in.image_names().end());
    c.marketplace_product_codes.assign(in.marketplace_product_codes().begin(),
                                       in.marketplace_product_codes().end());
    if (in.has_maximum_days_since_created()) {
      c.maximum_days_since_created = in.maximum_days_since_created();
    }
    if (in.has_maximum_days_since_deprecated()) {
      c.maximum_days_since_deprecated = in.maximum_days_since_deprecated();
    }
    set.criteria.push_back(std::move(c));
    if (set.criteria.size() > kMaxImageCriteria) break;
  }
  AMI_RETURN_IF_ERROR(ValidateImageCriteria(set.criteria));
  if (set.state == AllowedImagesState::kDisabled && set.criteria.empty()) {
    return MakeError(choices::kInvalidValue, "an allowed images record holds only defaults");
  }
  if (!load_.AddAllowedImages(account, region, std::move(set))) {
    return Duplicate("allowed images settings of", absl::StrCat(a.account_id(), " in ", a.region()));
  }
  return absl::OkStatus();
}

absl::Status StateBuilder::Rule(const v1::RetentionRuleRecord& in) {
  AMI_ASSIGN_OR_RETURN(const AccountId account, AccountId::Parse(in.account_id()));
  AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(in.region()));
  RetentionRule rule;
  rule.id = in.id();
  rule.description = in.description();
  AMI_ASSIGN_OR_RETURN(rule.resource_type, ParseEnum<RecycleBinResourceType>(in.resource_type()));
  rule.retention_days = in.retention_days();
  for (const auto& [field, list] : {std::pair{&in.resource_tags(), &rule.resource_tags},
                                    std::pair{&in.exclude_resource_tags(), &rule.exclude_resource_tags}}) {
    if (field->size() > static_cast<int>(kMaxRuleResourceTags)) {
      return MakeError(choices::kInvalidValue, "a rule has too many resource tags");
    }
    for (const v1::ResourceTagRecord& t : *field) {
      AMI_RETURN_IF_ERROR(Tag::Create(t.key(), t.value()).status());
      list->push_back({t.key(), t.value()});
    }
  }
  AMI_ASSIGN_OR_RETURN(rule.lock_state, ParseEnum<RuleLockState>(in.lock_state()));
  rule.unlock_delay_days = in.unlock_delay_days();
  if (!in.unlock_at().empty()) {
    AMI_ASSIGN_OR_RETURN(rule.unlock_at, ParseAwsTime(in.unlock_at()));
  }
  const bool locked = rule.lock_state != RuleLockState::kUnlocked;
  if (rule.id.size() != 11 || rule.description.size() > 255 ||
      rule.retention_days < kMinRetentionDays || rule.retention_days > kMaxRetentionDays ||
      (locked && (rule.unlock_delay_days < kMinUnlockDelayDays ||
                  rule.unlock_delay_days > kMaxUnlockDelayDays)) ||
      (!locked && rule.unlock_delay_days != 0) ||
      (rule.lock_state == RuleLockState::kPendingUnlock) != rule.unlock_at.has_value() ||
      (!rule.resource_tags.empty() && !rule.exclude_resource_tags.empty())) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("recycle bin rule `", text_util::Clip(rule.id), "` is inconsistent"));
  }
  const std::string id = rule.id;
  if (!load_.AppendRule(account, region, std::move(rule))) {
    return MakeError(choices::kInvalidValue, absl::StrCat("recycle bin rule `", id,
                                                          "` is out of order or repeated"));
  }
  return absl::OkStatus();
}

absl::Status StateBuilder::Bin(const v1::BinRecord& in) {
  AMI_ASSIGN_OR_RETURN(const absl::Time enter, ParseAwsTime(in.enter_time()));
  AMI_ASSIGN_OR_RETURN(const absl::Time exit, ParseAwsTime(in.exit_time()));
  if (exit < enter) return MakeError(choices::kInvalidValue, "a recycle bin entry leaves before it enters");
  if (in.has_image()) {
    AMI_ASSIGN_OR_RETURN(Image image, FromProto(in.image()));
    const ImageId id = image.id();
    internal::BinEntry<Image> entry{std::make_shared<const Image>(std::move(image)), enter, exit};
    if (!load_.AddBinImage(std::move(entry))) return Duplicate("recycle bin image", id.ToString());
    return absl::OkStatus();
  }
  if (in.has_snapshot()) {
    AMI_ASSIGN_OR_RETURN(Snapshot snap, FromProto(in.snapshot()));
    const SnapshotId id = snap.id();
    if (s_->FindSnapshot(id) != nullptr) {
      return Duplicate("snapshot (also in the recycle bin)", id.ToString());
    }
    internal::BinEntry<Snapshot> entry{std::make_shared<const Snapshot>(std::move(snap)), enter, exit};
    if (!load_.AddBinSnapshot(std::move(entry))) return Duplicate("recycle bin snapshot", id.ToString());
    return absl::OkStatus();
  }
  return MakeError(choices::kInvalidValue, "a recycle bin entry holds no resource");
}

absl::Status StateBuilder::Add(const v1::StateRecord& r) {
  switch (r.record_case()) {
    case v1::StateRecord::kOrganization:
      return Organization(r.organization());
    case v1::StateRecord::kAccount:
      return Account(r.account());
    case v1::StateRecord::kSettings:
      return Settings(r.settings());
    case v1::StateRecord::kKey: {
      AMI_ASSIGN_OR_RETURN(KmsKey key, FromProto(r.key()));
      const KmsKeyArn arn = key.arn();
      if (!load_.AddKey(std::move(key))) {
        return Duplicate("kms key", arn.ToString());
      }
      return absl::OkStatus();
    }
    case v1::StateRecord::kSnapshot: {
      AMI_ASSIGN_OR_RETURN(Snapshot snap, FromProto(r.snapshot()));
      const SnapshotId id = snap.id();
      snapshots_.Arrived(s_->snapshots().size(), [&](size_t n) { load_.ReserveSnapshots(n); });
      if (!load_.AddSnapshot(std::move(snap))) return Duplicate("snapshot", id.ToString());
      return absl::OkStatus();
    }
    case v1::StateRecord::kImage: {
      AMI_ASSIGN_OR_RETURN(Image image, FromProto(r.image()));
      if (s_->FindImage(image.id()) != nullptr) return Duplicate("image", image.id().ToString());
      if (internal::IsRegistered(image.state()) &&
          s_->FindImageByName(image.owner(), image.region(), image.name()).has_value()) {
        return MakeError(ErrorCode::kInvalidAMINameDuplicate,
                         absl::StrCat("AMI name `", image.name(), "` is used twice by account `",
                                      image.owner().ToString(), "` in ", image.region().code()));
      }
      images_.Arrived(s_->images().size(), [&](size_t n) { load_.ReserveImages(n); });
      load_.AddImage(std::move(image));
      return absl::OkStatus();
    }
    case v1::StateRecord::kInstance: {
      AMI_ASSIGN_OR_RETURN(Instance instance, FromProto(r.instance()));
      const InstanceId id = instance.id();
      instances_.Arrived(s_->instances().size(), [&](size_t n) { load_.ReserveInstances(n); });
      if (!load_.AddInstance(std::move(instance))) return Duplicate("instance", id.ToString());
      return absl::OkStatus();
    }
    case v1::StateRecord::kHeader:
      return CorruptStateFile("a second header");
    default:
      return Bookkeeping(r);
  }
}

absl::Status StateBuilder::CheckReferences() const {
  if (automation_) {
    ReaderLock lock(s_->mu);
    AMI_RETURN_IF_ERROR(internal::PrefixStatus("state file: automation: ", automation_->Finish()));
  }
  for (const auto& [id, image] : s_->images()) {
    const absl::Status status = policy::CheckSeededImage(*s_, *image, /*check_name=*/false);
    if (!status.ok()) return internal::PrefixStatus("state file: ", status);
  }
  for (const auto& [id, account] : s_->accounts()) {
    for (const OrganizationalUnitId& ou : account.ou_path) {
      if (!account.organization || !s_->organizations().at(*account.organization).ous.contains(ou)) {
        return MakeError(choices::kInconsistentValues,
                         absl::StrCat("state file: account `", id.ToString(), "` names unknown OU `",
                                      ou.ToString(), "`"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ami::internal
