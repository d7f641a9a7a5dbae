// Scenario operations: each step's request built from its message (ids resolved from
// "$label"s), run on the Cloud, and what it did (lib/scenario_runner.h).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/errors.h"
#include "ami/cloud.h"
#include "ami/io/proto.h"
#include "tools/scenario_lifecycle.h"
#include "tools/scenario_runner.h"
#include "values/status_macros.h"

namespace ami::scenario_internal {

using google::protobuf::RepeatedPtrField;
using Op = v1::Step::OperationCase;

namespace {

// ---- Small conversions ----------------------------------------------------------------------

std::vector<std::pair<std::string, std::string>> Tags(const RepeatedPtrField<v1::Tag>& tags) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const v1::Tag& t : tags) out.emplace_back(t.key(), t.value());
  return out;
}

std::vector<TagSpecification> TagSpecs(const RepeatedPtrField<v1::TagSpecification>& specs) {
  std::vector<TagSpecification> out;
  for (const v1::TagSpecification& s : specs) out.push_back({s.resource_type(), Tags(s.tags())});
  return out;
}

// The key policy of a key of `account`: the document (the default key policy when empty) and
// the statements after it, through the same decoder as a KmsKey message, so that a scenario
// can only state a policy the API could hold.
absl::StatusOr<KeyPolicy> ScenarioKeyPolicy(AccountId account, const std::string& document,
                                            const RepeatedPtrField<v1::KeyPolicyStatement>& statements) {
  v1::KmsKey holder;
  holder.set_arn(absl::StrCat("arn:aws:kms:us-east-1:", account.ToString(),
                              ":key/00000000-0000-4000-8000-000000000000"));
  holder.set_policy_document(document);
  *holder.mutable_policy() = statements;
  AMI_ASSIGN_OR_RETURN(const KmsKey key, FromProto(holder));
  return key.policy();
}

// An account as 12 digits or arn:aws:iam::<account>:root.
absl::StatusOr<AccountId> Principal(absl::string_view text) {
  constexpr absl::string_view kIam = "arn:aws:iam::";
  if (absl::StartsWith(text, kIam)) {
    const absl::string_view rest = text.substr(kIam.size());
    return AccountId::Parse(rest.substr(0, rest.find(':')));
  }
  return AccountId::Parse(text);
}

absl::StatusOr<KmsActions> GrantOperations(const RepeatedPtrField<std::string>& operations) {
  std::vector<std::string> actions;
  for (const std::string& op : operations) {
    actions.push_back(absl::StartsWith(op, "kms:") ? op : absl::StrCat("kms:", op));
  }
  return KmsActions::Parse(actions);
}

template <typename E>
absl::StatusOr<std::optional<E>> OptionalEnum(const std::string& text) {
  if (text.empty()) return std::optional<E>();
  AMI_ASSIGN_OR_RETURN(const E value, ParseEnum<E>(text));
  return std::optional<E>(value);
}

std::string LaunchPermissionText(const LaunchPermissions& lp) {
  std::vector<std::string> entries;
  for (const AccountId a : lp.accounts()) entries.push_back(a.ToString());
  if (lp.is_public()) entries.push_back("all");
  for (const OrganizationArn& o : lp.organizations()) entries.push_back(o.ToString());
  for (const OrganizationalUnitArn& o : lp.organizational_units()) entries.push_back(o.ToString());
  return absl::StrJoin(entries, ",");
}

std::string AttributeText(const ImageAttribute& a) {
  if (a.description.has_value()) return *a.description;
  if (a.launch_permissions.has_value()) return LaunchPermissionText(*a.launch_permissions);
  if (a.imds_support.has_value()) return *a.imds_support;
  if (a.product_codes.has_value()) {
    return absl::StrJoin(*a.product_codes, ",",
                         [](std::string* out, const ProductCode& p) { out->append(p.code); });
  }
  if (a.deregistration_protection.has_value()) return *a.deregistration_protection;
  if (a.last_launched_time.has_value()) return FormatAwsTime(*a.last_launched_time);
  return a.value.value_or("");
}

// An imported resource: its id is the target and, once imported, what the step returns.
Outcome Imported(absl::Status status, std::string id) {
  Outcome o = Outcome::Done(std::move(status), std::move(id));
  if (o.status.ok()) o.returned = {o.target};
  return o;
}

// What a step that makes a key returns: the key's ARN.
Outcome WithKey(const absl::StatusOr<KmsKeyArn>& arn) {
  Outcome o = Outcome::Failed(arn.status());
  if (arn.ok()) o.returned = {arn->ToString()};
  return o;
}

Outcome ImageReturned(const absl::StatusOr<ImageId>& id, std::string target) {
  Outcome o = Outcome::Done(id.status(), std::move(target));
  if (id.ok()) o.returned = {id->ToString()};
  return o;
}

std::vector<LaunchPermissionEntry> Entries(const RepeatedPtrField<v1::LaunchPermission>& in) {
  std::vector<LaunchPermissionEntry> out;
  for (const v1::LaunchPermission& p : in) {
    out.push_back({p.user_id(), p.group(), p.organization_arn(), p.organizational_unit_arn()});
  }
  return out;
}

}  // namespace

absl::StatusOr<Outcome> Runner::OrganizationOp(const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kAddAccount: {
      const v1::AddAccount& r = step.add_account();
      AMI_OUTCOME_OR(const AccountId account,
                     AccountId::Parse(r.account().empty() ? step.account() : r.account()));
      std::optional<OrganizationId> org;
      std::optional<OrganizationalUnitId> ou;
      if (!r.organization().empty()) {
        AMI_OUTCOME_OR(org, OrganizationId::Parse(r.organization()));
      }
      if (!r.organizational_unit().empty()) {
        AMI_OUTCOME_OR(ou, OrganizationalUnitId::Parse(r.organizational_unit()));
      }
      return Outcome::Done(cloud_->AddAccount(account, org, ou), "");
    }
    case Op::kCreateOrganization: {
      const v1::CreateOrganization& r = step.create_organization();
      AMI_OUTCOME_OR(const OrganizationId org, OrganizationId::Parse(r.organization()));
      AMI_OUTCOME_OR(const AccountId management,
                     AccountId::Parse(r.management_account().empty() ? step.account()
                                                                     : r.management_account()));
      return Outcome::Done(cloud_->CreateOrganization(org, management, r.root_id()), "");
    }
    default: {  // create_organizational_unit
      const v1::CreateOrganizationalUnit& r = step.create_organizational_unit();
      AMI_OUTCOME_OR(const OrganizationId org, OrganizationId::Parse(r.organization()));
      AMI_OUTCOME_OR(const OrganizationalUnitId ou, OrganizationalUnitId::Parse(r.organizational_unit()));
      std::optional<OrganizationalUnitId> parent;
      if (!r.parent().empty()) {
        AMI_OUTCOME_OR(parent, OrganizationalUnitId::Parse(r.parent()));
      }
      return Outcome::Done(cloud_->CreateOrganizationalUnit(org, ou, parent), "");
    }
  }
}

absl::StatusOr<Outcome> Runner::ImportOp(const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kImportSnapshot: {
      AMI_OUTCOME_OR(const Snapshot s, FromProto(step.import_snapshot()));
      return Imported(cloud_->ImportSnapshot(s), s.id().ToString());
    }
    case Op::kImportImage: {
      AMI_OUTCOME_OR(const Image image, FromProto(step.import_image()));
      return Imported(cloud_->ImportImage(image), image.id().ToString());
    }
    case Op::kImportKey: {
      AMI_OUTCOME_OR(const KmsKey key, FromProto(step.import_key()));
      return Imported(cloud_->ImportKey(key), key.arn().ToString());
    }
    default: {  // import_instance
      AMI_OUTCOME_OR(const Instance instance, FromProto(step.import_instance()));
      return Imported(cloud_->ImportInstance(instance), instance.id().ToString());
    }
  }
}

absl::StatusOr<Outcome> Runner::Setup(const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kAddAccount:
    case Op::kCreateOrganization:
    case Op::kCreateOrganizationalUnit:
      return OrganizationOp(step);
    case Op::kImportSnapshot:
    case Op::kImportImage:
    case Op::kImportKey:
    case Op::kImportInstance:
      return ImportOp(step);
    case Op::kPutPrincipal:
    case Op::kPutServiceControlPolicy:
    case Op::kAttachServiceControlPolicy:
    case Op::kDetachServiceControlPolicy:
      return IamOp(step);
    case Op::kAdvanceClock: {
      AMI_ASSIGN_OR_RETURN(const absl::Duration by, StepDuration("advance_clock.by", step.advance_clock().by()));
      cloud_->AdvanceClock(by);
      return Outcome::Done(absl::OkStatus(), "");
    }
    default:  // check
      return Outcome::Done(absl::OkStatus(), "");
  }
}

absl::StatusOr<Outcome> Runner::Settings(const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kEnableEbsEncryptionByDefault:
      return Outcome::Done(cloud_->EnableEbsEncryptionByDefault(ctx_), "");
    case Op::kDisableEbsEncryptionByDefault:
      return Outcome::Done(cloud_->DisableEbsEncryptionByDefault(ctx_), "");
    case Op::kModifyEbsDefaultKmsKeyId: {
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(step.modify_ebs_default_kms_key_id().kms_key_id()));
      return Outcome::Done(cloud_->ModifyEbsDefaultKmsKeyId(ctx_, key), KeyTarget(key));
    }
    case Op::kResetEbsDefaultKmsKeyId:
      return Outcome::Done(cloud_->ResetEbsDefaultKmsKeyId(ctx_), "");
    case Op::kEnableImageBlockPublicAccess:
      return Outcome::Done(cloud_->EnableImageBlockPublicAccess(ctx_), "");
    case Op::kDisableImageBlockPublicAccess:
      return Outcome::Done(cloud_->DisableImageBlockPublicAccess(ctx_), "");
    case Op::kEnableSnapshotBlockPublicAccess:
      return Outcome::Done(
          cloud_->EnableSnapshotBlockPublicAccess(ctx_, step.enable_snapshot_block_public_access().state()), "");
    default:
      return Outcome::Done(cloud_->DisableSnapshotBlockPublicAccess(ctx_), "");
  }
}

absl::StatusOr<Outcome> Runner::KeyOp(const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kCreateKey: {
      const v1::CreateKey& r = step.create_key();
      AMI_OUTCOME_OR(KeyPolicy policy,
                     ScenarioKeyPolicy(ctx_.account, r.policy_document(), r.policy()));
      const CreateKeyRequest request{r.description(), r.multi_region(),
                                     r.key_spec().empty() ? "SYMMETRIC_DEFAULT" : r.key_spec(),
                                     {}, std::move(policy)};
      return WithKey(cloud_->CreateKey(ctx_, request));
    }
    case Op::kReplicateKey: {
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(step.replicate_key().key_id()));
      return WithKey(cloud_->ReplicateKey(ctx_, key, step.replicate_key().replica_region()));
    }
    case Op::kCreateAlias: {
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(step.create_alias().target_key_id()));
      return Outcome::Done(cloud_->CreateAlias(ctx_, step.create_alias().alias_name(), key), KeyTarget(key));
    }
    case Op::kPutKeyPolicy: {
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(step.put_key_policy().key_id()));
      const v1::PutKeyPolicy& r = step.put_key_policy();
      AMI_OUTCOME_OR(KeyPolicy policy,
                     ScenarioKeyPolicy(ctx_.account, r.policy_document(), r.policy()));
      return Outcome::Done(cloud_->PutKeyPolicy(ctx_, key, policy), KeyTarget(key));
    }
    case Op::kCreateGrant: {
      const v1::CreateGrant& r = step.create_grant();
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(r.key_id()));
      AMI_OUTCOME_OR(const AccountId grantee, Principal(r.grantee_principal()));
      AMI_OUTCOME_OR(const KmsActions operations, GrantOperations(r.operations()));
      const absl::StatusOr<std::string> grant = cloud_->CreateGrant(ctx_, key, grantee, operations);
      Outcome o = Outcome::Done(grant.status(), KeyTarget(key));
      if (grant.ok()) o.returned = {*grant};
      return o;
    }
    default: {  // schedule_key_deletion
      const v1::ScheduleKeyDeletion& r = step.schedule_key_deletion();
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(r.key_id()));
      const int days = r.has_pending_window_days() ? r.pending_window_days() : 30;
      return Outcome::Done(cloud_->ScheduleKeyDeletion(ctx_, key, days), KeyTarget(key));
    }
  }
}

absl::StatusOr<Outcome> Runner::KeyStateOp(const v1::Step& step) {
  const v1::KeyIdOnly& r = step.operation_case() == Op::kEnableKey    ? step.enable_key()
                           : step.operation_case() == Op::kDisableKey ? step.disable_key()
                                                                      : step.describe_key();
  AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(r.key_id()));
  if (step.operation_case() == Op::kEnableKey) {
    return Outcome::Done(cloud_->EnableKey(ctx_, key), KeyTarget(key));
  }
  if (step.operation_case() == Op::kDisableKey) {
    return Outcome::Done(cloud_->DisableKey(ctx_, key), KeyTarget(key));
  }
  const absl::StatusOr<KmsKey> described = cloud_->DescribeKey(ctx_, key);
  Outcome o = Outcome::Failed(described.status());
  if (described.ok()) {
    o.returned = {described->arn().ToString()};
    o.detail = std::string(ToString(described->state()));
  }
  return o;
}

absl::StatusOr<Outcome> Runner::Kms(const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kCreateKey:
    case Op::kReplicateKey:
    case Op::kCreateAlias:
    case Op::kPutKeyPolicy:
    case Op::kCreateGrant:
    case Op::kScheduleKeyDeletion:
      return KeyOp(step);
    default:
      return KeyStateOp(step);
  }
}

absl::StatusOr<Outcome> Runner::Instances(const v1::Step& step) {
  if (step.operation_case() == Op::kRunInstances) {
    const v1::RunInstances& r = step.run_instances();
    RunInstancesRequest request;
    AMI_ASSIGN_OR_RETURN(request.image_id, Resolve(r.image_id()));
    request.availability_zone = r.availability_zone();
    if (!r.instance_type().empty()) request.instance_type = r.instance_type();
    if (r.has_count()) request.count = r.count();
    if (r.has_encrypted()) request.encrypted = r.encrypted();
    AMI_ASSIGN_OR_RETURN(request.kms_key_id, Resolve(r.kms_key_id()));
    request.tags = Tags(r.tags());
    const absl::StatusOr<std::vector<InstanceId>> ids = cloud_->RunInstances(ctx_, request);
    Outcome o = Outcome::Done(ids.status(), request.image_id);
    if (ids.ok()) {
      for (const InstanceId id : *ids) o.returned.push_back(id.ToString());
    }
    return o;
  }
  const v1::InstanceIds& r = step.operation_case() == Op::kStopInstances    ? step.stop_instances()
                             : step.operation_case() == Op::kStartInstances ? step.start_instances()
                                                                            : step.terminate_instances();
  AMI_ASSIGN_OR_RETURN(const std::vector<std::string> ids, ResolveAll(r.instance_ids()));
  const std::string target = ids.empty() ? "" : ids.front();
  switch (step.operation_case()) {
    case Op::kStopInstances:
      return Outcome::Done(cloud_->StopInstances(ctx_, ids), target);
    case Op::kStartInstances:
      return Outcome::Done(cloud_->StartInstances(ctx_, ids), target);
    default:
      return Outcome::Done(cloud_->TerminateInstances(ctx_, ids), target);
  }
}

absl::StatusOr<Outcome> Runner::Images(const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kCreateImage:
      return CreateImageOp(step.create_image());
    case Op::kRegisterImage:
      return RegisterImageOp(step.register_image());
    default:
      return CopyImageOp(step.copy_image());
  }
}

absl::StatusOr<Outcome> Runner::CreateImageOp(const v1::CreateImage& r) {
  CreateImageRequest request;
  AMI_ASSIGN_OR_RETURN(request.instance_id, Resolve(r.instance_id()));
  request.name = r.name();
  request.description = r.description();
  request.no_reboot = r.no_reboot();
  for (const v1::CreateImageMapping& m : r.block_device_mappings()) {
    CreateImageMapping mapping{m.device_name(), std::nullopt, std::nullopt, std::nullopt, m.virtual_name()};
    if (m.has_delete_on_termination()) mapping.delete_on_termination = m.delete_on_termination();
    if (m.has_volume_size_gib()) mapping.volume_size_gib = m.volume_size_gib();
    if (m.has_encrypted()) mapping.encrypted = m.encrypted();
    request.block_device_mappings.push_back(std::move(mapping));
  }
  request.tag_specifications = TagSpecs(r.tag_specifications());
  return ImageReturned(cloud_->CreateImage(ctx_, request), request.instance_id);
}

absl::StatusOr<Outcome> Runner::RegisterImageOp(const v1::RegisterImage& r) {
  RegisterImageRequest request;
  request.name = r.name();
  request.description = r.description();
  if (r.has_root_device_name()) request.root_device_name = r.root_device_name();
  AMI_OUTCOME_OR(request.architecture, OptionalEnum<Architecture>(r.architecture()));
  AMI_OUTCOME_OR(request.virtualization_type, OptionalEnum<VirtualizationType>(r.virtualization_type()));
  AMI_OUTCOME_OR(const std::optional<BootMode> boot_mode, OptionalEnum<BootMode>(r.boot_mode()));
  request.boot_mode = boot_mode.value_or(BootMode::kUnspecified);
  request.ena_support = r.ena_support();
  request.imds_support = r.imds_support();
  for (const v1::RegisterImageMapping& m : r.block_device_mappings()) {
    RegisterImageMapping mapping;
    mapping.device_name = m.device_name();
    AMI_ASSIGN_OR_RETURN(mapping.snapshot_id, Resolve(m.snapshot_id()));
    mapping.volume_size_gib = m.volume_size_gib();
    AMI_OUTCOME_OR(const std::optional<VolumeType> type, OptionalEnum<VolumeType>(m.volume_type()));
    mapping.volume_type = type.value_or(VolumeType::kGp3);
    mapping.delete_on_termination = !m.has_delete_on_termination() || m.delete_on_termination();
    if (m.has_encrypted()) mapping.encrypted = m.encrypted();
    request.block_device_mappings.push_back(std::move(mapping));
  }
  request.tag_specifications = TagSpecs(r.tag_specifications());
  return ImageReturned(cloud_->RegisterImage(ctx_, request), "");
}

absl::StatusOr<Outcome> Runner::CopyImageOp(const v1::CopyImage& r) {
  CopyImageRequest request;
  AMI_ASSIGN_OR_RETURN(request.source_image_id, Resolve(r.source_image_id()));
  request.source_region = r.source_region();
  request.name = r.name();
  request.description = r.description();
  if (r.has_encrypted()) request.encrypted = r.encrypted();
  AMI_ASSIGN_OR_RETURN(request.kms_key_id, Resolve(r.kms_key_id()));
  request.copy_image_tags = r.copy_image_tags();
  request.tag_specifications = TagSpecs(r.tag_specifications());
  request.client_token = r.client_token();
  return ImageReturned(cloud_->CopyImage(ctx_, request), request.source_image_id);
}

absl::StatusOr<Outcome> Runner::ModifyImageOp(const v1::ModifyImageAttribute& r) {
  ModifyImageAttributeRequest request;
  AMI_ASSIGN_OR_RETURN(request.image_id, Resolve(r.image_id()));
  request.add = Entries(r.add());
  request.remove = Entries(r.remove());
  if (r.has_description()) request.description = r.description();
  if (r.has_imds_support()) request.imds_support = r.imds_support();
  return Outcome::Done(cloud_->ModifyImageAttribute(ctx_, request), request.image_id);
}

absl::StatusOr<Outcome> Runner::DescribeAttributeOp(const v1::ImageAttributeName& r) {
  AMI_ASSIGN_OR_RETURN(const std::string id, Resolve(r.image_id()));
  const absl::StatusOr<ImageAttribute> a = cloud_->DescribeImageAttribute(ctx_, id, r.attribute());
  Outcome o = Outcome::Done(a.status(), id);
  if (a.ok()) {
    o.attribute_value = AttributeText(*a);
    o.detail = absl::StrCat(r.attribute(), "=\"", *o.attribute_value, "\"");
  }
  return o;
}

absl::StatusOr<Outcome> Runner::DeregisterOp(const v1::DeregisterImage& r) {
  AMI_ASSIGN_OR_RETURN(const std::string id, Resolve(r.image_id()));
  const auto results = cloud_->DeregisterImage(ctx_, id, r.delete_associated_snapshots());
  Outcome o = Outcome::Done(results.status(), id);
  if (results.ok()) {
    o.detail = absl::StrJoin(*results, " ", [](std::string* out, const DeleteSnapshotResult& d) {
      absl::StrAppend(out, d.snapshot_id.ToString(), ":", d.return_code);
    });
    o.deleted_snapshots = *results;
  }
  return o;
}

absl::StatusOr<Outcome> Runner::Sharing(const v1::Step& step) {
  switch (step.operation_case()) {
    case Op::kModifyImageAttribute:
      return ModifyImageOp(step.modify_image_attribute());
    case Op::kResetImageAttribute: {
      AMI_ASSIGN_OR_RETURN(const std::string id, Resolve(step.reset_image_attribute().image_id()));
      return Outcome::Done(
          cloud_->ResetImageAttribute(ctx_, id, step.reset_image_attribute().attribute()), id);
    }
    case Op::kCancelImageLaunchPermission: {
      AMI_ASSIGN_OR_RETURN(const std::string id, Resolve(step.cancel_image_launch_permission().image_id()));
      return Outcome::Done(cloud_->CancelImageLaunchPermission(ctx_, id), id);
    }
    case Op::kDescribeImageAttribute:
      return DescribeAttributeOp(step.describe_image_attribute());
    case Op::kModifySnapshotAttribute: {
      const v1::ModifySnapshotAttribute& r = step.modify_snapshot_attribute();
      ModifySnapshotAttributeRequest request;
      AMI_ASSIGN_OR_RETURN(request.snapshot_id, Resolve(r.snapshot_id()));
      request.operation_type = r.operation_type();
      request.user_ids.assign(r.user_ids().begin(), r.user_ids().end());
      request.group_names.assign(r.group_names().begin(), r.group_names().end());
      return Outcome::Done(cloud_->ModifySnapshotAttribute(ctx_, request), request.snapshot_id);
    }
    case Op::kDeregisterImage:
      return DeregisterOp(step.deregister_image());
    case Op::kDeleteSnapshot: {
      AMI_ASSIGN_OR_RETURN(const std::string id, Resolve(step.delete_snapshot().snapshot_id()));
      return Outcome::Done(cloud_->DeleteSnapshot(ctx_, id), id);
    }
    case Op::kCreateTags: {
      AMI_ASSIGN_OR_RETURN(const std::vector<std::string> ids, ResolveAll(step.create_tags().resource_ids()));
      return Outcome::Done(cloud_->CreateTags(ctx_, ids, Tags(step.create_tags().tags())),
                           ids.empty() ? "" : ids.front());
    }
    case Op::kDeleteTags: {
      const v1::DeleteTags& r = step.delete_tags();
      AMI_ASSIGN_OR_RETURN(const std::vector<std::string> ids, ResolveAll(r.resource_ids()));
      const std::vector<std::string> keys(r.keys().begin(), r.keys().end());
      return Outcome::Done(cloud_->DeleteTags(ctx_, ids, keys), ids.empty() ? "" : ids.front());
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("unsupported operation ", OperationName(step)));
  }
}

}  // namespace ami::scenario_internal
