// Backup automation state to and from its state-file record. Reading checks every definition
// with the policy engine's own questions (lib/policy/automation_backup.h), so a file can hold
// nothing the API could not make; any failure names the field.
#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "automation/backup_internal.h"
#include "io/automation_proto.h"
#include "policy/automation_backup.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami::internal {

namespace {

// The longest text field read (ids, ARNs, names, messages).
constexpr size_t kMaxFieldBytes = 4096;

absl::Status Bad(absl::string_view path, absl::string_view what) {
  return MakeError(choices::kInvalidValue, absl::StrCat(path, ": ", what));
}

absl::Status CheckText(absl::string_view path, const std::string& text) {
  if (text.size() > kMaxFieldBytes) {
    return Bad(path, absl::StrCat("longer than ", kMaxFieldBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status Checked(absl::string_view path, const Decision& d) {
  if (d.allowed()) return absl::OkStatus();
  return Bad(path, d.ToStatus().message());
}

absl::StatusOr<std::pair<AccountId, Region>> Where(absl::string_view path,
                                                   const std::string& account,
                                                   const std::string& region) {
  absl::StatusOr<AccountId> a = AccountId::Parse(account);
  if (!a.ok()) return Bad(path, absl::StrCat("account: ", a.status().message()));
  absl::StatusOr<Region> r = Region::Parse(region);
  if (!r.ok()) return Bad(path, absl::StrCat("region: ", r.status().message()));
  return std::make_pair(*a, *r);
}

void LifecycleTo(const BackupLifecycle& l, v1::BackupLifecycleRecord* out) {
  out->set_delete_after_days(l.delete_after_days);
  out->set_move_to_cold_storage_after_days(l.move_to_cold_storage_after_days);
}

BackupLifecycle LifecycleFrom(const v1::BackupLifecycleRecord& in) {
  return {in.delete_after_days(), in.move_to_cold_storage_after_days()};
}

void CopiesTo(const std::vector<BackupCopyAction>& copies,
              google::protobuf::RepeatedPtrField<v1::BackupCopyActionRecord>* out) {
  for (const BackupCopyAction& c : copies) {
    v1::BackupCopyActionRecord* r = out->Add();
    r->set_destination_backup_vault_arn(c.destination_backup_vault_arn);
    LifecycleTo(c.lifecycle, r->mutable_lifecycle());
  }
}

std::vector<BackupCopyAction> CopiesFrom(
    const google::protobuf::RepeatedPtrField<v1::BackupCopyActionRecord>& in) {
  std::vector<BackupCopyAction> out;
  for (const v1::BackupCopyActionRecord& r : in) {
    out.push_back({r.destination_backup_vault_arn(), LifecycleFrom(r.lifecycle())});
  }
  return out;
}

void ConditionsTo(const std::vector<BackupCondition>& in,
                  google::protobuf::RepeatedPtrField<v1::BackupConditionRecord>* out) {
  for (const BackupCondition& c : in) {
    v1::BackupConditionRecord* r = out->Add();
    r->set_condition_type(c.condition_type);
    r->set_key(c.key);
    r->set_value(c.value);
  }
}

std::vector<BackupCondition> ConditionsFrom(
    const google::protobuf::RepeatedPtrField<v1::BackupConditionRecord>& in) {
  std::vector<BackupCondition> out;
  for (const v1::BackupConditionRecord& r : in) {
    out.push_back({r.condition_type(), r.key(), r.value()});
  }
  return out;
}

void PlanTo(const BackupPlanState& p, v1::BackupPlanRecord* out) {
  out->set_backup_plan_id(p.info.backup_plan_id);
  out->set_backup_plan_arn(p.info.backup_plan_arn);
  out->set_account(p.info.account.ToString());
  out->set_region(p.info.region.ToString());
  out->set_backup_plan_name(p.info.plan.backup_plan_name);
  for (const BackupRule& rule : p.info.plan.rules) {
    v1::BackupRuleRecord* r = out->add_rules();
    r->set_rule_name(rule.rule_name);
    r->set_target_backup_vault_name(rule.target_backup_vault_name);
    r->set_schedule_expression(rule.schedule_expression);
    r->set_schedule_expression_timezone(rule.schedule_expression_timezone);
    r->set_start_window_minutes(rule.start_window_minutes);
    r->set_completion_window_minutes(rule.completion_window_minutes);
    LifecycleTo(rule.lifecycle, r->mutable_lifecycle());
    CopiesTo(rule.copy_actions, r->mutable_copy_actions());
    for (const auto& [key, value] : rule.recovery_point_tags) {
      v1::BackupTagRecord* t = r->add_recovery_point_tags();
      t->set_key(key);
      t->set_value(value);
    }
  }
  for (const auto& [id, s] : p.info.selections) {
    v1::BackupSelectionRecord* r = out->add_selections();
    r->set_selection_id(id);
    r->set_selection_name(s.selection_name);
    r->set_iam_role_arn(s.iam_role_arn);
    for (const std::string& a : s.resources) r->add_resources(a);
    for (const std::string& a : s.not_resources) r->add_not_resources(a);
    ConditionsTo(s.list_of_tags, r->mutable_list_of_tags());
    ConditionsTo(s.conditions, r->mutable_conditions());
  }
  out->set_creation_date_ns(absl::ToUnixNanos(p.info.creation_date));
  out->set_order(p.order);
}

absl::StatusOr<BackupPlanState> PlanFrom(const std::string& path, const v1::BackupPlanRecord& in) {
  BackupPlanState p;
  if (in.backup_plan_id().empty()) return Bad(path, "backup_plan_id is empty");
  AMI_RETURN_IF_ERROR(CheckText(path, in.backup_plan_id()));
  AMI_RETURN_IF_ERROR(CheckText(path, in.backup_plan_arn()));
  AMI_ASSIGN_OR_RETURN(auto where, Where(path, in.account(), in.region()));
  p.info.backup_plan_id = in.backup_plan_id();
  p.info.backup_plan_arn = in.backup_plan_arn();
  std::tie(p.info.account, p.info.region) = where;
  p.info.plan.backup_plan_name = in.backup_plan_name();
  for (const v1::BackupRuleRecord& r : in.rules()) {
    BackupRule rule;
    rule.rule_name = r.rule_name();
    rule.target_backup_vault_name = r.target_backup_vault_name();
    rule.schedule_expression = r.schedule_expression();
    rule.schedule_expression_timezone = r.schedule_expression_timezone();
    rule.start_window_minutes = r.start_window_minutes();
    rule.completion_window_minutes = r.completion_window_minutes();
    rule.lifecycle = LifecycleFrom(r.lifecycle());
    rule.copy_actions = CopiesFrom(r.copy_actions());
    for (const v1::BackupTagRecord& t : r.recovery_point_tags()) {
      rule.recovery_point_tags.emplace_back(t.key(), t.value());
    }
    p.info.plan.rules.push_back(std::move(rule));
    if (p.info.plan.rules.size() > static_cast<size_t>(policy::kMaxBackupRulesPerPlan)) break;
  }
  AMI_RETURN_IF_ERROR(Checked(path, policy::DecideCreateBackupPlan(p.info.plan, {})));
  std::set<std::string> ids;
  for (const v1::BackupSelectionRecord& r : in.selections()) {
    if (ids.size() >= static_cast<size_t>(policy::kMaxSelectionsPerPlan)) {
      return Bad(path, absl::StrCat("more than ", policy::kMaxSelectionsPerPlan, " selections"));
    }
    if (r.selection_id().empty() || !ids.insert(r.selection_id()).second) {
      return Bad(path, "a selection id is empty or repeated");
    }
    AMI_RETURN_IF_ERROR(CheckText(path, r.selection_id()));
    BackupSelectionRequest s;
    s.selection_name = r.selection_name();
    s.iam_role_arn = r.iam_role_arn();
    s.resources.assign(r.resources().begin(), r.resources().end());
    s.not_resources.assign(r.not_resources().begin(), r.not_resources().end());
    s.list_of_tags = ConditionsFrom(r.list_of_tags());
    s.conditions = ConditionsFrom(r.conditions());
    AMI_RETURN_IF_ERROR(Checked(path, policy::DecideCreateBackupSelection(s, {})));
    p.info.selections.emplace_back(r.selection_id(), std::move(s));
  }
  p.info.creation_date = absl::FromUnixNanos(in.creation_date_ns());
  p.order = in.order();
  return p;
}

void JobTo(const BackupJobState& j, v1::BackupJobRecord* out) {
  out->set_backup_job_id(j.job.backup_job_id);
  out->set_account(j.job.account.ToString());
  out->set_region(j.job.region.ToString());
  out->set_backup_vault_name(j.job.backup_vault_name);
  out->set_resource_arn(j.job.resource_arn);
  out->set_state(j.job.state);
  out->set_status_message(j.job.status_message);
  out->set_recovery_point_arn(j.job.recovery_point_arn);
  out->set_backup_plan_id(j.job.backup_plan_id);
  out->set_rule_name(j.job.rule_name);
  out->set_creation_date_ns(absl::ToUnixNanos(j.job.creation_date));
  out->set_has_completion_date(j.job.completion_date.has_value());
  if (j.job.completion_date) out->set_completion_date_ns(absl::ToUnixNanos(*j.job.completion_date));
  out->set_source_recovery_point_arn(j.job.source_recovery_point_arn);
  if (j.image) out->set_image_id(j.image->ToString());
  out->set_role_arn(j.role_arn);
  out->set_order(j.order);
  LifecycleTo(j.lifecycle, out->mutable_lifecycle());
  CopiesTo(j.copy_actions, out->mutable_copy_actions());
  out->set_destination_vault_arn(j.destination_vault_arn);
  out->set_deadline_ns(absl::ToUnixNanos(j.deadline));
}

absl::Status CheckTexts(const std::string& path, std::initializer_list<const std::string*> texts) {
  for (const std::string* t : texts) AMI_RETURN_IF_ERROR(CheckText(path, *t));
  return absl::OkStatus();
}

absl::StatusOr<BackupJobState> JobFrom(const std::string& path, const v1::BackupJobRecord& in) {
  AMI_RETURN_IF_ERROR(CheckTexts(path, {&in.backup_job_id(), &in.backup_vault_name(),
                                        &in.resource_arn(), &in.status_message(),
                                        &in.recovery_point_arn(), &in.backup_plan_id(),
                                        &in.rule_name(), &in.source_recovery_point_arn(),
                                        &in.role_arn(), &in.destination_vault_arn()}));
  if (in.backup_job_id().empty()) return Bad(path, "backup_job_id is empty");
  static const std::set<std::string>* kStates =
      new std::set<std::string>{"CREATED", "RUNNING", "COMPLETED", "FAILED", "EXPIRED"};
  if (!kStates->count(in.state())) return Bad(path, absl::StrCat("unknown state `", in.state(), "`"));
  BackupJobState j;
  AMI_ASSIGN_OR_RETURN(auto where, Where(path, in.account(), in.region()));
  std::tie(j.job.account, j.job.region) = where;
  j.job.backup_job_id = in.backup_job_id();
  j.job.backup_vault_name = in.backup_vault_name();
  j.job.resource_arn = in.resource_arn();
  j.job.state = in.state();
  j.job.status_message = in.status_message();
  j.job.recovery_point_arn = in.recovery_point_arn();
  j.job.backup_plan_id = in.backup_plan_id();
  j.job.rule_name = in.rule_name();
  j.job.creation_date = absl::FromUnixNanos(in.creation_date_ns());
  if (in.has_completion_date()) j.job.completion_date = absl::FromUnixNanos(in.completion_date_ns());
  j.job.source_recovery_point_arn = in.source_recovery_point_arn();
  if (!in.image_id().empty()) {
    absl::StatusOr<ImageId> image = ImageId::Parse(in.image_id());
    if (!image.ok()) return Bad(path, absl::StrCat("image_id: ", image.status().message()));
    j.image = *image;
  }
  j.role_arn = in.role_arn();
  j.order = in.order();
  j.lifecycle = LifecycleFrom(in.lifecycle());
  AMI_RETURN_IF_ERROR(Checked(path, policy::DecideBackupLifecycle(j.lifecycle, "the job")));
  if (in.copy_actions_size() > policy::kMaxCopyActionsPerRule) {
    return Bad(path, absl::StrCat("more than ", policy::kMaxCopyActionsPerRule, " copy actions"));
  }
  j.copy_actions = CopiesFrom(in.copy_actions());
  j.destination_vault_arn = in.destination_vault_arn();
  if (!j.destination_vault_arn.empty() && !ParseBackupVaultArn(j.destination_vault_arn)) {
    return Bad(path, "destination_vault_arn is not a backup vault ARN");
  }
  j.deadline = absl::FromUnixNanos(in.deadline_ns());
  return j;
}

void PointTo(const RecoveryPointState& rp, v1::RecoveryPointRecord* out) {
  const RecoveryPoint& p = rp.point;
  out->set_recovery_point_arn(p.recovery_point_arn);
  out->set_account(p.account.ToString());
  out->set_region(p.region.ToString());
  out->set_backup_vault_name(p.backup_vault_name);
  out->set_resource_arn(p.resource_arn);
  out->set_image_id(p.image_id.ToString());
  out->set_status(p.status);
  out->set_encrypted(p.encrypted);
  out->set_encryption_key_arn(p.encryption_key_arn);
  out->set_creation_date_ns(absl::ToUnixNanos(p.creation_date));
  out->set_has_delete_at(p.delete_at.has_value());
  if (p.delete_at) out->set_delete_at_ns(absl::ToUnixNanos(*p.delete_at));
  out->set_source_recovery_point_arn(p.source_recovery_point_arn);
  out->set_role_arn(rp.role_arn);
  out->set_order(rp.order);
}

absl::StatusOr<RecoveryPointState> PointFrom(const std::string& path,
                                             const v1::RecoveryPointRecord& in) {
  AMI_RETURN_IF_ERROR(CheckTexts(path, {&in.backup_vault_name(), &in.resource_arn(),
                                        &in.encryption_key_arn(), &in.source_recovery_point_arn(),
                                        &in.role_arn()}));
  RecoveryPointState rp;
  RecoveryPoint& p = rp.point;
  AMI_ASSIGN_OR_RETURN(auto where, Where(path, in.account(), in.region()));
  std::tie(p.account, p.region) = where;
  absl::StatusOr<ImageId> image = ImageId::Parse(in.image_id());
  if (!image.ok()) return Bad(path, absl::StrCat("image_id: ", image.status().message()));
  p.image_id = *image;
  p.recovery_point_arn = in.recovery_point_arn();
  if (p.recovery_point_arn != RecoveryPointArn(p.region, p.image_id)) {
    return Bad(path, "recovery_point_arn does not name the image in the region");
  }
  if (in.status() != "COMPLETED" && in.status() != "DELETED" && in.status() != "EXPIRED") {
    return Bad(path, absl::StrCat("unknown status `", in.status().substr(0, 64), "`"));
  }
  if (!in.encryption_key_arn().empty() && !KmsKeyArn::Parse(in.encryption_key_arn()).ok()) {
    return Bad(path, "encryption_key_arn is not a key ARN");
  }
  p.backup_vault_name = in.backup_vault_name();
  p.resource_arn = in.resource_arn();
  p.status = in.status();
  p.encrypted = in.encrypted();
  p.encryption_key_arn = in.encryption_key_arn();
  p.creation_date = absl::FromUnixNanos(in.creation_date_ns());
  if (in.has_delete_at()) p.delete_at = absl::FromUnixNanos(in.delete_at_ns());
  p.source_recovery_point_arn = in.source_recovery_point_arn();
  rp.role_arn = in.role_arn();
  rp.order = in.order();
  return rp;
}

absl::StatusOr<BackupVaultInfo> VaultFrom(const std::string& path, const v1::BackupVaultRecord& in) {
  BackupVaultInfo v;
  AMI_ASSIGN_OR_RETURN(auto where, Where(path, in.account(), in.region()));
  std::tie(v.account, v.region) = where;
  AMI_RETURN_IF_ERROR(Checked(path, policy::DecideCreateBackupVault(in.name(), {})));
  v.name = in.name();
  v.arn = in.arn();
  if (v.arn != BackupVaultArn(v.account, v.region, v.name)) {
    return Bad(path, "arn does not name the vault");
  }
  absl::StatusOr<KmsKeyArn> key = KmsKeyArn::Parse(in.encryption_key_arn());
  if (!key.ok()) return Bad(path, "encryption_key_arn is not a key ARN");
  v.encryption_key_arn = in.encryption_key_arn();
  return v;
}

}  // namespace

void BackupToProto(const BackupState& state, v1::BackupStateRecord* out) {
  out->Clear();
  for (const auto& [key, v] : state.vaults) {
    v1::BackupVaultRecord* r = out->add_vaults();
    r->set_name(v.name);
    r->set_arn(v.arn);
    r->set_account(v.account.ToString());
    r->set_region(v.region.ToString());
    r->set_encryption_key_arn(v.encryption_key_arn);
  }
  for (const auto& [id, p] : state.plans) PlanTo(p, out->add_plans());
  for (const auto& [id, j] : state.jobs) JobTo(j, out->add_jobs());
  for (const auto& [arn, p] : state.recovery_points) PointTo(p, out->add_recovery_points());
  out->set_next_number(state.next_number);
}

absl::Status BackupFromProto(const v1::BackupStateRecord& in, BackupState* out) {
  BackupState b;
  for (int i = 0; i < in.vaults_size(); ++i) {
    const std::string path = absl::StrCat("backup.vaults[", i, "]");
    AMI_ASSIGN_OR_RETURN(BackupVaultInfo v, VaultFrom(path, in.vaults(i)));
    VaultKey key{v.account, v.region, v.name};
    if (!b.vaults.emplace(std::move(key), std::move(v)).second) return Bad(path, "repeated vault");
  }
  for (int i = 0; i < in.plans_size(); ++i) {
    const std::string path = absl::StrCat("backup.plans[", i, "]");
    AMI_ASSIGN_OR_RETURN(BackupPlanState p, PlanFrom(path, in.plans(i)));
    const std::string id = p.info.backup_plan_id;
    if (!b.plans.emplace(id, std::move(p)).second) return Bad(path, "repeated plan id");
  }
  for (int i = 0; i < in.jobs_size(); ++i) {
    const std::string path = absl::StrCat("backup.jobs[", i, "]");
    AMI_ASSIGN_OR_RETURN(BackupJobState j, JobFrom(path, in.jobs(i)));
    const std::string id = j.job.backup_job_id;
    if (!b.jobs.emplace(id, std::move(j)).second) return Bad(path, "repeated job id");
  }
  for (int i = 0; i < in.recovery_points_size(); ++i) {
    const std::string path = absl::StrCat("backup.recovery_points[", i, "]");
    AMI_ASSIGN_OR_RETURN(RecoveryPointState p, PointFrom(path, in.recovery_points(i)));
    const std::string arn = p.point.recovery_point_arn;
    if (!b.recovery_points.emplace(arn, std::move(p)).second) {
      return Bad(path, "repeated recovery point");
    }
  }
  // 0: a record written before the counter existed.
  b.next_number = std::max<uint64_t>(1, in.next_number());
  *out = std::move(b);
  return absl::OkStatus();
}

}  // namespace ami::internal
