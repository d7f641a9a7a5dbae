// Scenario files: parsing (text-format protobuf with line and column in errors), running each step
// on a fresh Cloud, checking expectations, and the report.
//
// A step runs in four stages: move the clock (`advance`), run the operation (ids resolved from
// "$label"s; malformed ids and enums become the operation's outcome, as in the real API), save
// the returned ids under `save_as`, then compare the outcome and the resource's state with
// `expect`. Problems of the scenario itself are absl::InvalidArgumentError naming the step.
#include "ami/tools/scenario.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/proto.h"
#include "cloud/state.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "io/file_util.h"
#include "tools/scenario_facts.h"
#include "tools/scenario_lifecycle.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

using google::protobuf::RepeatedPtrField;
using Op = v1::Step::OperationCase;
using scenario_internal::CheckFacts;
using scenario_internal::Compare;
using scenario_internal::Facts;
using scenario_internal::HasStateChecks;
using scenario_internal::KeyText;
using scenario_internal::OperationName;
using scenario_internal::Outcome;
using scenario_internal::ReadFacts;
using scenario_internal::Sorted;
using scenario_internal::ValidEnum;

// ---- Parsing --------------------------------------------------------------------------------

// Collects protobuf's text-format errors as "file:line:column: message".
class Collector : public google::protobuf::io::ErrorCollector {
 public:
  explicit Collector(absl::string_view file) : file_(file) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors_.push_back(line < 0 ? absl::StrCat(file_, ": ", message)
                               : absl::StrCat(file_, ":", line + 1, ":", column + 1, ": ", message));
  }
  std::string Text() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

// ---- What an operation did -----------------------------------------------------------------

std::string OutcomeText(const Outcome& o) {
  if (o.status.ok()) {
    std::string text = "ok";
    if (!o.returned.empty()) absl::StrAppend(&text, " ", absl::StrJoin(o.returned, " "));
    if (!o.detail.empty()) absl::StrAppend(&text, " ", o.detail);
    return text;
  }
  const std::optional<ErrorCode> code = GetErrorCode(o.status);
  const std::string name = code.has_value() ? std::string(ErrorCodeName(*code))
                                            : absl::StatusCodeToString(o.status.code());
  return absl::StrCat(name, ": ", o.status.message());
}

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

// Key-policy statements through the same decoder as a KmsKey message, so that a scenario can
// only state a policy the API could hold.
absl::StatusOr<std::vector<KeyPolicyStatement>> Statements(
    const RepeatedPtrField<v1::KeyPolicyStatement>& statements) {
  if (statements.empty()) return std::vector<KeyPolicyStatement>();
  v1::KmsKey holder;
  holder.set_arn("arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000");
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

bool NeedsContext(Op op) {
  switch (op) {
    case Op::kAddAccount:
    case Op::kCreateOrganization:
    case Op::kCreateOrganizationalUnit:
    case Op::kImportSnapshot:
    case Op::kImportImage:
    case Op::kImportKey:
    case Op::kImportInstance:
    case Op::kAdvanceClock:
    case Op::kCheck:
    case Op::OPERATION_NOT_SET:
      return false;
    default:
      return true;
  }
}

// A clock move: a duration from zero to kMaxScenarioClockAdvance, else InvalidParameterValue.
absl::StatusOr<absl::Duration> StepDuration(absl::string_view what, const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d)) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(what, " `", text_util::Clip(text),
                                  "` is not a duration such as 15m, 2h or 30s"));
  }
  if (d < absl::ZeroDuration() || d > kMaxScenarioClockAdvance) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(what, " `", text_util::Clip(text), "` is outside 0s to ",
                                  absl::FormatDuration(kMaxScenarioClockAdvance), " (100 years)"));
  }
  return d;
}

// The images, snapshots, instances and KMS keys that `cloud` holds.
size_t Resources(const Cloud& cloud) {
  const internal::CloudState& s = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(s.mu);
  return s.images.size() + s.snapshots.size() + s.instances.size() + s.keys.size();
}

// ---- The run --------------------------------------------------------------------------------

class Runner {
 public:
  explicit Runner(std::unique_ptr<Cloud> cloud)
      : cloud_(std::move(cloud)), resources_at_start_(Resources(*cloud_)) {}

  // Runs one step; InvalidArgument for a step that cannot run.
  absl::StatusOr<ScenarioStepResult> RunStep(int index, const v1::Step& step);

 private:
  absl::StatusOr<std::string> Resolve(const std::string& text) const;
  absl::StatusOr<std::vector<std::string>> ResolveAll(const RepeatedPtrField<std::string>& ids) const;
  absl::StatusOr<std::string> SnapshotOf(const std::string& label, const std::string& image,
                                         absl::string_view rest) const;
  absl::Status Save(int index, const v1::Step& step, const Outcome& outcome);
  // ResourceLimitExceeded when the scenario holds more than kMaxScenarioCreatedResources of its
  // own, or would once `step` has launched its instances.
  absl::Status CheckCreated(const v1::Step& step) const;

  absl::StatusOr<Outcome> Execute(const v1::Step& step);
  absl::StatusOr<Outcome> Setup(const v1::Step& step);
  absl::StatusOr<Outcome> Settings(const v1::Step& step);
  absl::StatusOr<Outcome> Kms(const v1::Step& step);
  absl::StatusOr<Outcome> Instances(const v1::Step& step);
  absl::StatusOr<Outcome> Images(const v1::Step& step);
  absl::StatusOr<Outcome> Sharing(const v1::Step& step);
  absl::StatusOr<Outcome> CreateImageOp(const v1::CreateImage& r);
  absl::StatusOr<Outcome> RegisterImageOp(const v1::RegisterImage& r);
  absl::StatusOr<Outcome> CopyImageOp(const v1::CopyImage& r);
  absl::StatusOr<Outcome> ModifyImageOp(const v1::ModifyImageAttribute& r);
  // The key ARN that `key` names for the caller, else `key` itself.
  std::string KeyTarget(const std::string& key) const;

  absl::StatusOr<std::string> Check(const v1::Step& step, const Outcome& outcome) const;
  absl::StatusOr<std::string> CheckError(const v1::Expect& e, const Outcome& outcome) const;
  absl::StatusOr<std::vector<std::string>> CheckState(const v1::Step& step,
                                                      const std::string& resource,
                                                      const Outcome& outcome) const;
  absl::StatusOr<std::optional<KmsKeyArn>> ExpectedKey(const std::string& text,
                                                       const Facts& facts) const;
  absl::Status CheckKeys(const v1::Expect& e, const std::string& resource, const Facts& f,
                         std::vector<std::string>* out) const;
  absl::Status CheckTags(const v1::Step& step, const std::string& resource, const Facts& f,
                         std::vector<std::string>* out) const;

  std::unique_ptr<Cloud> cloud_;
  CallContext ctx_;
  absl::flat_hash_map<std::string, std::vector<std::string>> labels_;
  // Labels whose step failed, so saved nothing: label → step index.
  absl::flat_hash_map<std::string, int> unsaved_;
  // What the cloud held before the first step (AWS managed keys).
  size_t resources_at_start_;
};

absl::Status Runner::CheckCreated(const v1::Step& step) const {
  const size_t held = Resources(*cloud_);
  size_t created = held > resources_at_start_ ? held - resources_at_start_ : 0;
  if (step.operation_case() == Op::kRunInstances) {
    const int count = step.run_instances().has_count() ? step.run_instances().count() : 1;
    created += static_cast<size_t>(std::max(count, 0));
  }
  if (created <= kMaxScenarioCreatedResources) return absl::OkStatus();
  return MakeError(choices::kInputTooLarge,
                   absl::StrCat("the scenario would hold ", created,
                                " images, snapshots, instances and kms keys of its own, more than "
                                "the limit of ", kMaxScenarioCreatedResources));
}

absl::StatusOr<std::string> Runner::Resolve(const std::string& text) const {
  if (text.empty() || text[0] != '$') return text;
  const absl::string_view ref(text);
  const size_t end = std::min(ref.find_first_of(".[", 1), ref.size());
  const std::string label(ref.substr(1, end - 1));
  absl::string_view rest = ref.substr(end);
  auto it = labels_.find(label);
  if (it == labels_.end()) {
    auto failed = unsaved_.find(label);
    return absl::InvalidArgumentError(
        failed == unsaved_.end()
            ? absl::StrCat("unknown label `$", label, "`")
            : absl::StrCat("label `$", label, "` was not saved: step ", failed->second, " failed"));
  }
  size_t n = 0;
  if (absl::ConsumePrefix(&rest, "[")) {
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, close), &n)) {
      return absl::InvalidArgumentError(absl::StrCat("malformed reference `", text, "`"));
    }
    rest.remove_prefix(close + 1);
  }
  if (n >= it->second.size()) {
    return absl::InvalidArgumentError(absl::StrCat("reference `", text, "`: label `$", label,
                                                   "` holds ", it->second.size(), " id(s)"));
  }
  if (rest.empty()) return it->second[n];
  return SnapshotOf(text, it->second[n], rest);
}

// ".snapshot" or ".snapshot[N]": the snapshot of the image's first (N-th) EBS mapping.
absl::StatusOr<std::string> Runner::SnapshotOf(const std::string& ref, const std::string& image,
                                               absl::string_view rest) const {
  size_t n = 0;
  const bool ok = absl::ConsumePrefix(&rest, ".snapshot") &&
                  (rest.empty() || (absl::ConsumePrefix(&rest, "[") && absl::ConsumeSuffix(&rest, "]") &&
                                    absl::SimpleAtoi(rest, &n)));
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("malformed reference `", ref, "`"));
  const absl::StatusOr<ImageId> id = ImageId::Parse(image);
  const std::optional<Image> found = id.ok() ? cloud_->GetImage(*id) : std::nullopt;
  if (!found.has_value() || n >= found->snapshot_ids().size()) {
    return absl::InvalidArgumentError(absl::StrCat("reference `", ref, "`: `", image,
                                                   "` is not an image with that many snapshots"));
  }
  return found->snapshot_ids()[n].ToString();
}

absl::StatusOr<std::vector<std::string>> Runner::ResolveAll(
    const RepeatedPtrField<std::string>& ids) const {
  std::vector<std::string> out;
  for (const std::string& id : ids) {
    AMI_ASSIGN_OR_RETURN(std::string resolved, Resolve(id));
    out.push_back(std::move(resolved));
  }
  return out;
}

std::string Runner::KeyTarget(const std::string& key) const {
  const absl::StatusOr<KmsKey> described = cloud_->DescribeKey(ctx_, key);
  return described.ok() ? described->arn().ToString() : key;
}

absl::StatusOr<Outcome> Runner::Execute(const v1::Step& step) {
  const Op op = step.operation_case();
  if (op == Op::OPERATION_NOT_SET) return absl::InvalidArgumentError("the step has no operation");
  if (!step.advance().empty()) {
    AMI_ASSIGN_OR_RETURN(const absl::Duration by, StepDuration("advance", step.advance()));
    cloud_->AdvanceClock(by);
  }
  if (!NeedsContext(op)) {
    if (step.dry_run()) {
      return absl::InvalidArgumentError("dry_run applies only to operations made as an account");
    }
    return Setup(step);
  }
  if (step.account().empty() || step.region().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(OperationName(step),
                                                   " is made as an account in a region: set both"));
  }
  AMI_OUTCOME_OR(ctx_.account, AccountId::Parse(step.account()));
  AMI_OUTCOME_OR(ctx_.region, Region::Parse(step.region()));
  ctx_.dry_run = step.dry_run();
  // The operation's field numbers group the families (settings 20-29, KMS 30-39, instances
  // 40-49, images 50-52, sharing and tags 53-69, lifecycle, governance, Recycle Bin and
  // discovery 70-109; see scenario.proto).
  if (scenario_internal::IsLifecycleOperation(op)) {
    return scenario_internal::RunLifecycleStep(
        *cloud_, ctx_, step, [this](const std::string& text) { return Resolve(text); });
  }
  if (op >= Op::kEnableEbsEncryptionByDefault && op <= Op::kDisableSnapshotBlockPublicAccess) {
    return Settings(step);
  }
  if (op >= Op::kCreateKey && op <= Op::kDescribeKey) return Kms(step);
  if (op >= Op::kRunInstances && op <= Op::kTerminateInstances) return Instances(step);
  if (op >= Op::kCreateImage && op <= Op::kCopyImage) return Images(step);
  return Sharing(step);
}

absl::StatusOr<Outcome> Runner::Setup(const v1::Step& step) {
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
    case Op::kCreateOrganizationalUnit: {
      const v1::CreateOrganizationalUnit& r = step.create_organizational_unit();
      AMI_OUTCOME_OR(const OrganizationId org, OrganizationId::Parse(r.organization()));
      AMI_OUTCOME_OR(const OrganizationalUnitId ou, OrganizationalUnitId::Parse(r.organizational_unit()));
      std::optional<OrganizationalUnitId> parent;
      if (!r.parent().empty()) {
        AMI_OUTCOME_OR(parent, OrganizationalUnitId::Parse(r.parent()));
      }
      return Outcome::Done(cloud_->CreateOrganizationalUnit(org, ou, parent), "");
    }
    case Op::kImportSnapshot: {
      AMI_OUTCOME_OR(const Snapshot s, FromProto(step.import_snapshot()));
      Outcome o = Outcome::Done(cloud_->ImportSnapshot(s), s.id().ToString());
      if (o.status.ok()) o.returned = {o.target};
      return o;
    }
    case Op::kImportImage: {
      AMI_OUTCOME_OR(const Image image, FromProto(step.import_image()));
      Outcome o = Outcome::Done(cloud_->ImportImage(image), image.id().ToString());
      if (o.status.ok()) o.returned = {o.target};
      return o;
    }
    case Op::kImportKey: {
      AMI_OUTCOME_OR(const KmsKey key, FromProto(step.import_key()));
      Outcome o = Outcome::Done(cloud_->ImportKey(key), key.arn().ToString());
      if (o.status.ok()) o.returned = {o.target};
      return o;
    }
    case Op::kImportInstance: {
      AMI_OUTCOME_OR(const Instance instance, FromProto(step.import_instance()));
      Outcome o = Outcome::Done(cloud_->ImportInstance(instance), instance.id().ToString());
      if (o.status.ok()) o.returned = {o.target};
      return o;
    }
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

absl::StatusOr<Outcome> Runner::Kms(const v1::Step& step) {
  auto with_key = [](const absl::StatusOr<KmsKeyArn>& arn) {
    Outcome o = Outcome::Failed(arn.status());
    if (arn.ok()) o.returned = {arn->ToString()};
    return o;
  };
  switch (step.operation_case()) {
    case Op::kCreateKey: {
      const v1::CreateKey& r = step.create_key();
      AMI_OUTCOME_OR(std::vector<KeyPolicyStatement> policy, Statements(r.policy()));
      const CreateKeyRequest request{r.description(), r.multi_region(),
                                     r.key_spec().empty() ? "SYMMETRIC_DEFAULT" : r.key_spec(),
                                     std::move(policy)};
      return with_key(cloud_->CreateKey(ctx_, request));
    }
    case Op::kReplicateKey: {
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(step.replicate_key().key_id()));
      return with_key(cloud_->ReplicateKey(ctx_, key, step.replicate_key().replica_region()));
    }
    case Op::kCreateAlias: {
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(step.create_alias().target_key_id()));
      return Outcome::Done(cloud_->CreateAlias(ctx_, step.create_alias().alias_name(), key), KeyTarget(key));
    }
    case Op::kPutKeyPolicy: {
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(step.put_key_policy().key_id()));
      AMI_OUTCOME_OR(std::vector<KeyPolicyStatement> policy, Statements(step.put_key_policy().policy()));
      return Outcome::Done(cloud_->PutKeyPolicy(ctx_, key, std::move(policy)), KeyTarget(key));
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
    case Op::kScheduleKeyDeletion: {
      const v1::ScheduleKeyDeletion& r = step.schedule_key_deletion();
      AMI_ASSIGN_OR_RETURN(const std::string key, Resolve(r.key_id()));
      const int days = r.has_pending_window_days() ? r.pending_window_days() : 30;
      return Outcome::Done(cloud_->ScheduleKeyDeletion(ctx_, key, days), KeyTarget(key));
    }
    default:
      break;
  }
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

Outcome ImageReturned(const absl::StatusOr<ImageId>& id, std::string target) {
  Outcome o = Outcome::Done(id.status(), std::move(target));
  if (id.ok()) o.returned = {id->ToString()};
  return o;
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

std::vector<LaunchPermissionEntry> Entries(const RepeatedPtrField<v1::LaunchPermission>& in) {
  std::vector<LaunchPermissionEntry> out;
  for (const v1::LaunchPermission& p : in) {
    out.push_back({p.user_id(), p.group(), p.organization_arn(), p.organizational_unit_arn()});
  }
  return out;
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
    case Op::kDescribeImageAttribute: {
      const v1::ImageAttributeName& r = step.describe_image_attribute();
      AMI_ASSIGN_OR_RETURN(const std::string id, Resolve(r.image_id()));
      const absl::StatusOr<ImageAttribute> a = cloud_->DescribeImageAttribute(ctx_, id, r.attribute());
      Outcome o = Outcome::Done(a.status(), id);
      if (a.ok()) {
        o.attribute_value = AttributeText(*a);
        o.detail = absl::StrCat(r.attribute(), "=\"", *o.attribute_value, "\"");
      }
      return o;
    }
    case Op::kModifySnapshotAttribute: {
      const v1::ModifySnapshotAttribute& r = step.modify_snapshot_attribute();
      ModifySnapshotAttributeRequest request;
      AMI_ASSIGN_OR_RETURN(request.snapshot_id, Resolve(r.snapshot_id()));
      request.operation_type = r.operation_type();
      request.user_ids.assign(r.user_ids().begin(), r.user_ids().end());
      request.group_names.assign(r.group_names().begin(), r.group_names().end());
      return Outcome::Done(cloud_->ModifySnapshotAttribute(ctx_, request), request.snapshot_id);
    }
    case Op::kDeregisterImage: {
      AMI_ASSIGN_OR_RETURN(const std::string id, Resolve(step.deregister_image().image_id()));
      const auto results =
          cloud_->DeregisterImage(ctx_, id, step.deregister_image().delete_associated_snapshots());
      Outcome o = Outcome::Done(results.status(), id);
      if (results.ok()) {
        o.detail = absl::StrJoin(*results, " ", [](std::string* out, const DeleteSnapshotResult& r) {
          absl::StrAppend(out, r.snapshot_id.ToString(), ":", r.return_code);
        });
      }
      return o;
    }
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

// ---- Expectations ---------------------------------------------------------------------------

absl::StatusOr<std::string> Runner::CheckError(const v1::Expect& e, const Outcome& o) const {
  if (e.error().empty()) {
    if (!e.message_contains().empty()) {
      return absl::InvalidArgumentError("expect.message_contains needs expect.error");
    }
    if (o.status.ok()) return std::string();
    return absl::StrCat("expected success, got ", OutcomeText(o));
  }
  const std::optional<ErrorCode> want = ErrorCodeFromName(e.error());
  if (!want.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("expect.error `", e.error(), "` is not an error code"));
  }
  if (o.status.ok() || GetErrorCode(o.status) != *want) {
    return absl::StrCat("expected ", e.error(), ", got ", OutcomeText(o));
  }
  if (!absl::StrContains(o.status.message(), e.message_contains())) {
    return absl::StrCat("expected the message to contain \"", e.message_contains(), "\", got ",
                        OutcomeText(o));
  }
  return std::string();
}

absl::StatusOr<std::optional<KmsKeyArn>> Runner::ExpectedKey(const std::string& text,
                                                             const Facts& facts) const {
  if (text == "none") return std::optional<KmsKeyArn>();
  AMI_ASSIGN_OR_RETURN(const std::string resolved, Resolve(text));
  if (absl::StartsWith(resolved, "alias/")) {
    const CallContext owner{*facts.owner_id, *facts.region, false};
    const absl::StatusOr<KmsKey> key = cloud_->DescribeKey(owner, resolved);
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("expect.kms_key `", text, "`: ", key.status().message()));
    }
    return std::optional<KmsKeyArn>(key->arn());
  }
  absl::StatusOr<KmsKeyArn> arn = KmsKeyArn::Parse(resolved);
  if (!arn.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("expect.kms_key `", text,
                                                   "` is not a key arn, alias, label or none"));
  }
  return std::optional<KmsKeyArn>(*arn);
}

absl::Status Runner::CheckKeys(const v1::Expect& e, const std::string& resource, const Facts& f,
                               std::vector<std::string>* out) const {
  if (e.kms_key().empty()) return absl::OkStatus();
  if (!f.keys.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("expect.kms_key does not apply to a ", f.kind));
  }
  AMI_ASSIGN_OR_RETURN(const std::optional<KmsKeyArn> want, ExpectedKey(e.kms_key(), f));
  if (f.keys->empty()) out->push_back(absl::StrCat(f.kind, " `", resource, "` has no ebs volumes"));
  for (const std::optional<KmsKeyArn>& key : *f.keys) {
    if (key != want) {
      out->push_back(absl::StrCat("kms_key is ", KeyText(key), ", expected ", KeyText(want)));
      break;
    }
  }
  return absl::OkStatus();
}

absl::Status Runner::CheckTags(const v1::Step& step, const std::string& resource, const Facts& f,
                               std::vector<std::string>* out) const {
  const v1::Expect& e = step.expect();
  if (!e.has_visible_tags()) return absl::OkStatus();
  if (!f.has_tags) {
    return absl::InvalidArgumentError(absl::StrCat("expect.visible_tags does not apply to a ", f.kind));
  }
  absl::StatusOr<AccountId> viewer = AccountId::Parse(step.account());
  if (!viewer.ok()) {
    return absl::InvalidArgumentError("expect.visible_tags needs the step's account, who sees them");
  }
  std::vector<std::string> want, got;
  for (const v1::Tag& t : e.visible_tags().tags()) want.push_back(absl::StrCat(t.key(), "=", t.value()));
  const absl::StatusOr<TagSet> tags = cloud_->GetTags(*viewer, resource);
  if (!tags.ok()) {
    out->push_back(absl::StrCat("visible_tags: ", tags.status().message()));
    return absl::OkStatus();
  }
  for (const Tag& t : *tags) got.push_back(absl::StrCat(t.key(), "=", t.value()));
  return Compare("visible_tags", f, absl::StrJoin(Sorted(got), ","), absl::StrJoin(Sorted(want), ","), out);
}

absl::StatusOr<std::vector<std::string>> Runner::CheckState(const v1::Step& step,
                                                            const std::string& resource,
                                                            const Outcome& outcome) const {
  const v1::Expect& e = step.expect();
  AMI_RETURN_IF_ERROR(ValidEnum<ImageState>("image_state", e.image_state()));
  AMI_RETURN_IF_ERROR(ValidEnum<InstanceState>("instance_state", e.instance_state()));
  AMI_RETURN_IF_ERROR(ValidEnum<SnapshotState>("snapshot_state", e.snapshot_state()));
  AMI_RETURN_IF_ERROR(ValidEnum<KeyState>("key_state", e.key_state()));
  AMI_RETURN_IF_ERROR(ValidEnum<ImageConsistency>("consistency", e.consistency()));
  if (e.has_attribute_value() && step.operation_case() != Op::kDescribeImageAttribute) {
    return absl::InvalidArgumentError("expect.attribute_value needs a describe_image_attribute step");
  }
  AMI_ASSIGN_OR_RETURN(const Facts f, ReadFacts(*cloud_, resource));
  std::vector<std::string> out;
  if ((e.has_exists() && e.exists() != f.exists) || (!f.exists && HasStateChecks(e))) {
    out.push_back(absl::StrCat(f.kind, " `", resource, "` ", f.exists ? "exists" : "does not exist"));
    return out;
  }
  if (!f.exists) return out;
  AMI_RETURN_IF_ERROR(CheckFacts(e, f, &out));
  AMI_RETURN_IF_ERROR(CheckKeys(e, resource, f, &out));
  AMI_RETURN_IF_ERROR(CheckTags(step, resource, f, &out));
  if (e.has_attribute_value() && outcome.status.ok()) {
    AMI_RETURN_IF_ERROR(Compare("attribute_value", f, outcome.attribute_value, e.attribute_value(), &out));
  }
  return out;
}

absl::StatusOr<std::string> Runner::Check(const v1::Step& step, const Outcome& outcome) const {
  const v1::Expect& e = step.expect();
  AMI_ASSIGN_OR_RETURN(std::string mismatch, CheckError(e, outcome));
  if (!mismatch.empty()) return mismatch;
  std::vector<std::string> mismatches;
  AMI_RETURN_IF_ERROR(scenario_internal::CheckAccountAndReturned(
      *cloud_, step, outcome, [this](const std::string& text) { return Resolve(text); },
      &mismatches));
  const v1::Expect state_only = [&e] {
    v1::Expect copy = e;
    copy.clear_error();
    copy.clear_message_contains();
    copy.clear_resource();
    scenario_internal::ClearAccountAndReturnedChecks(&copy);
    return copy;
  }();
  if (state_only.ByteSizeLong() == 0) return absl::StrJoin(mismatches, "; ");
  std::string resource;
  if (!e.resource().empty()) {
    AMI_ASSIGN_OR_RETURN(resource, Resolve(e.resource()));
  } else {
    resource = outcome.returned.empty() ? outcome.target : outcome.returned.front();
  }
  if (resource.empty()) {
    return absl::InvalidArgumentError("the step returned no resource to check: set expect.resource");
  }
  AMI_ASSIGN_OR_RETURN(const std::vector<std::string> state, CheckState(step, resource, outcome));
  mismatches.insert(mismatches.end(), state.begin(), state.end());
  return absl::StrJoin(mismatches, "; ");
}

absl::Status Runner::Save(int index, const v1::Step& step, const Outcome& outcome) {
  const std::string& label = step.save_as();
  if (label.empty()) return absl::OkStatus();
  if (label.find_first_of("$.[] ") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("save_as `", label, "`: a label is a plain name"));
  }
  if (labels_.contains(label)) {
    return absl::InvalidArgumentError(absl::StrCat("label `$", label, "` is already defined"));
  }
  if (!outcome.status.ok()) {
    unsaved_[label] = index;
    return absl::OkStatus();
  }
  if (outcome.returned.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(OperationName(step), " returns no id to save as `",
                                                   label, "`"));
  }
  labels_[label] = outcome.returned;
  return absl::OkStatus();
}

// `status` located at the step: an InvalidArgument problem of the scenario, or the code and
// payload of a limit or value the step broke.
absl::Status InStep(int index, const v1::Step& step, const absl::Status& status) {
  absl::Status out(
      GetErrorCode(status).has_value() ? status.code() : absl::StatusCode::kInvalidArgument,
      absl::StrCat("step ", index, step.name().empty() ? "" : absl::StrCat(" \"", step.name(), "\""),
                   ": ", status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

absl::StatusOr<ScenarioStepResult> Runner::RunStep(int index, const v1::Step& step) {
  ScenarioStepResult r{index, step.name(), step.account(), step.region(), OperationName(step),
                       "", false, ""};
  if (absl::Status bound = CheckCreated(step); !bound.ok()) return InStep(index, step, bound);
  absl::StatusOr<Outcome> outcome = Execute(step);
  if (!outcome.ok()) return InStep(index, step, outcome.status());
  if (absl::Status bound = CheckCreated(v1::Step()); !bound.ok()) return InStep(index, step, bound);
  r.outcome = OutcomeText(*outcome);
  if (absl::Status saved = Save(index, step, *outcome); !saved.ok()) return InStep(index, step, saved);
  absl::StatusOr<std::string> mismatch = Check(step, *outcome);
  if (!mismatch.ok()) return InStep(index, step, mismatch.status());
  r.mismatch = *std::move(mismatch);
  r.expectation_met = r.mismatch.empty();
  return r;
}

std::string StepLabel(const ScenarioStepResult& s) {
  return absl::StrCat("step ", s.index, s.name.empty() ? "" : absl::StrCat(" \"", s.name, "\""));
}

}  // namespace

absl::StatusOr<v1::Scenario> ParseScenario(absl::string_view text, absl::string_view file_name) {
  if (text.size() > kMaxScenarioBytes) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat(file_name, ": ", text.size(), " bytes, more than the limit of ",
                                  kMaxScenarioBytes));
  }
  if (const size_t at = text_util::InvalidTextAt(text); at != absl::string_view::npos) {
    return MakeError(choices::kUndecodableInput,
                     absl::StrCat(file_name, ": cannot decode: ",
                                  text[at] == '\0' ? "a nul byte" : "invalid utf-8", " at byte ", at));
  }
  Collector errors(file_name);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  v1::Scenario scenario;
  if (!parser.ParseFromString(std::string(text), &scenario)) {
    std::string message = errors.Text();
    if (message.empty()) message = absl::StrCat(file_name, ": not a text-format scenario");
    return absl::InvalidArgumentError(message);
  }
  if (scenario.steps_size() > kMaxScenarioSteps) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat(file_name, ": ", scenario.steps_size(),
                                  " steps, more than the limit of ", kMaxScenarioSteps));
  }
  return scenario;
}

absl::StatusOr<v1::Scenario> ParseScenarioFile(const std::string& path) {
  AMI_ASSIGN_OR_RETURN(const std::string text, file_util::ReadBounded(path, kMaxScenarioBytes));
  return ParseScenario(text, path);
}

absl::StatusOr<ScenarioResult> RunScenario(const v1::Scenario& scenario) {
  if (scenario.steps_size() > kMaxScenarioSteps) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat("scenario `", scenario.name(), "` has ", scenario.steps_size(),
                                  " steps, more than the limit of ", kMaxScenarioSteps));
  }
  Cloud::Options options;
  if (scenario.has_seed()) options.seed = scenario.seed();
  if (!scenario.start_time().empty()) {
    absl::StatusOr<absl::Time> start = ParseAwsTime(scenario.start_time());
    if (!start.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("start_time: ", start.status().message()));
    }
    options.start_time = *start;
  }
  Runner runner(Cloud::Create(options));
  ScenarioResult result{scenario.name(), {}, true, ""};
  for (int i = 0; i < scenario.steps_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(ScenarioStepResult step, runner.RunStep(i + 1, scenario.steps(i)));
    result.steps.push_back(std::move(step));
    const ScenarioStepResult& last = result.steps.back();
    if (!last.expectation_met) {
      result.passed = false;
      result.first_mismatch = absl::StrCat(StepLabel(last), ": ", last.mismatch);
      break;
    }
  }
  return result;
}

std::string FormatScenarioResult(const ScenarioResult& result) {
  size_t index_width = 0, caller_width = 1, region_width = 1, op_width = 0;
  for (const ScenarioStepResult& s : result.steps) {
    index_width = std::max(index_width, absl::StrCat(s.index).size());
    caller_width = std::max(caller_width, s.caller.size());
    region_width = std::max(region_width, s.region.size());
    op_width = std::max(op_width, s.operation.size());
  }
  auto pad = [](const std::string& text, size_t width) {
    const std::string shown = text.empty() ? "-" : text;
    return shown + std::string(width > shown.size() ? width - shown.size() : 0, ' ');
  };
  std::string out;
  for (const ScenarioStepResult& s : result.steps) {
    absl::StrAppend(&out, "step ", pad(absl::StrCat(s.index), index_width), "  ",
                    pad(s.caller, caller_width), "  ", pad(s.region, region_width), "  ",
                    pad(s.operation, op_width), "  ", s.outcome, "\n");
  }
  if (result.passed) {
    absl::StrAppend(&out, "PASS ", result.name, " (", result.steps.size(), " steps)\n");
  } else {
    absl::StrAppend(&out, "FAIL ", result.name, ": ", result.first_mismatch, "\n");
  }
  return out;
}

}  // namespace ami

