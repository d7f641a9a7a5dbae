// Scenario steps for the automation layer: each step's message made into the request struct of
// ami::Automation ("$label"s resolved), called as the step's account in its Region, and what it
// returned (a definition's id, a role's ARN).
#include "tools/scenario_automation.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/automation/automation.h"
#include "values/status_macros.h"

namespace ami::scenario_internal {
namespace {

using google::protobuf::RepeatedPtrField;
using Op = v1::Step::OperationCase;
using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Tags(const RepeatedPtrField<v1::Tag>& tags) {
  Pairs out;
  for (const v1::Tag& t : tags) out.emplace_back(t.key(), t.value());
  return out;
}

absl::StatusOr<std::vector<std::string>> ResolveAll(const RepeatedPtrField<std::string>& ids,
                                                    Resolver resolve) {
  std::vector<std::string> out;
  for (const std::string& id : ids) {
    AMI_ASSIGN_OR_RETURN(std::string resolved, resolve(id));
    out.push_back(std::move(resolved));
  }
  return out;
}

// An instance id (or a label of one) as the instance's ARN in the caller's account and Region;
// anything else as it is.
absl::StatusOr<std::string> InstanceArn(const std::string& text, const CallContext& ctx,
                                        Resolver resolve) {
  AMI_ASSIGN_OR_RETURN(std::string id, resolve(text));
  if (!absl::StartsWith(id, "i-")) return id;
  return absl::StrCat("arn:aws:ec2:", ctx.region.ToString(), ":", ctx.account.ToString(),
                      ":instance/", id);
}

// Outcome of a call that returns an id (or ARN), which save_as may label.
Outcome Made(const absl::StatusOr<std::string>& id) {
  Outcome o = Outcome::Done(id.status(), "");
  if (id.ok()) o.returned = {*id};
  return o;
}

// ---- Data Lifecycle Manager -----------------------------------------------------------------

DlmAgeOrCount Age(const v1::DlmAgeOrCountStep& in) {
  return DlmAgeOrCount{in.count(), in.interval(), in.interval_unit()};
}

absl::StatusOr<DlmSchedule> Schedule(const v1::DlmScheduleStep& in, Resolver resolve) {
  DlmSchedule s;
  s.name = in.name();
  s.copy_tags = in.copy_tags();
  s.tags_to_add = Tags(in.tags_to_add());
  s.create_rule.cron_expression = in.create_rule().cron_expression();
  s.create_rule.interval = in.create_rule().interval();
  s.create_rule.interval_unit = in.create_rule().interval_unit();
  s.create_rule.times.assign(in.create_rule().times().begin(), in.create_rule().times().end());
  s.retain_rule = Age(in.retain_rule());
  s.deprecate_rule = Age(in.deprecate_rule());
  for (const v1::DlmCrossRegionCopyRuleStep& c : in.cross_region_copy_rules()) {
    DlmCrossRegionCopyRule rule;
    rule.target_region = c.target_region();
    rule.encrypted = c.encrypted();
    AMI_ASSIGN_OR_RETURN(rule.cmk_arn, resolve(c.cmk_arn()));
    rule.copy_tags = c.copy_tags();
    rule.retain_rule = Age(c.retain_rule());
    rule.deprecate_rule = Age(c.deprecate_rule());
    s.cross_region_copy_rules.push_back(std::move(rule));
  }
  return s;
}

absl::StatusOr<LifecyclePolicyRequest> PolicyRequest(const v1::CreateLifecyclePolicy& in,
                                                     Resolver resolve) {
  LifecyclePolicyRequest r;
  r.description = in.description();
  AMI_ASSIGN_OR_RETURN(r.execution_role_arn, resolve(in.execution_role_arn()));
  if (!in.state().empty()) r.state = in.state();
  if (!in.policy_type().empty()) r.policy_type = in.policy_type();
  if (!in.resource_types().empty()) r.resource_types.assign(in.resource_types().begin(), in.resource_types().end());
  r.target_tags = Tags(in.target_tags());
  for (const v1::DlmScheduleStep& s : in.schedules()) {
    AMI_ASSIGN_OR_RETURN(DlmSchedule schedule, Schedule(s, resolve));
    r.schedules.push_back(std::move(schedule));
  }
  if (in.has_no_reboot()) r.no_reboot = in.no_reboot();
  r.tags = Tags(in.tags());
  r.default_policy = in.default_policy();
  if (in.has_create_interval()) r.create_interval_days = in.create_interval();
  if (in.has_retain_interval()) r.retain_interval_days = in.retain_interval();
  r.copy_tags = in.copy_tags();
  r.extend_deletion = in.extend_deletion();
  r.cross_region_copy_targets.assign(in.cross_region_copy_targets().begin(),
                                     in.cross_region_copy_targets().end());
  return r;
}

absl::StatusOr<Outcome> Dlm(Automation& a, const CallContext& ctx, const v1::Step& step,
                            Resolver resolve) {
  switch (step.operation_case()) {
    case Op::kCreateLifecyclePolicy: {
      AMI_ASSIGN_OR_RETURN(const LifecyclePolicyRequest r,
                           PolicyRequest(step.create_lifecycle_policy(), resolve));
      return Made(a.CreateLifecyclePolicy(ctx, r));
    }
    case Op::kUpdateLifecyclePolicyState: {
      const v1::UpdateLifecyclePolicyState& r = step.update_lifecycle_policy_state();
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(r.policy_id()));
      return Outcome::Done(a.UpdateLifecyclePolicyState(ctx, id, r.state()), "");
    }
    case Op::kDeleteLifecyclePolicy: {
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(step.delete_lifecycle_policy().policy_id()));
      return Outcome::Done(a.DeleteLifecyclePolicy(ctx, id), "");
    }
    case Op::kGetLifecyclePolicy: {
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(step.get_lifecycle_policy().policy_id()));
      const absl::StatusOr<LifecyclePolicy> p = a.GetLifecyclePolicy(ctx, id);
      Outcome o = Outcome::Done(p.status(), "");
      if (!p.ok()) return o;
      o.returned = {p->policy_id};
      o.detail = p->status_message.empty() ? p->state : absl::StrCat(p->state, ": ", p->status_message);
      return o;
    }
    default: {
      const std::string& type = step.create_default_lifecycle_role().resource_type();
      return Made(a.CreateDefaultLifecycleRole(ctx, type.empty() ? "instance" : type));
    }
  }
}

// ---- AWS Backup -----------------------------------------------------------------------------

BackupLifecycle Lifecycle(const v1::BackupLifecycleStep& in) {
  return BackupLifecycle{in.delete_after_days(), in.move_to_cold_storage_after_days()};
}

absl::StatusOr<BackupPlanRequest> PlanRequest(const v1::CreateBackupPlan& in, Resolver resolve) {
  BackupPlanRequest r;
  r.backup_plan_name = in.backup_plan_name();
  for (const v1::BackupRuleStep& s : in.rules()) {
    BackupRule rule;
    rule.rule_name = s.rule_name();
    rule.target_backup_vault_name = s.target_backup_vault_name();
    rule.schedule_expression = s.schedule_expression();
    rule.schedule_expression_timezone = s.schedule_expression_timezone();
    if (s.has_start_window_minutes()) rule.start_window_minutes = s.start_window_minutes();
    if (s.has_completion_window_minutes()) rule.completion_window_minutes = s.completion_window_minutes();
    rule.lifecycle = Lifecycle(s.lifecycle());
    for (const v1::BackupCopyActionStep& c : s.copy_actions()) {
      AMI_ASSIGN_OR_RETURN(std::string arn, resolve(c.destination_backup_vault_arn()));
      rule.copy_actions.push_back(BackupCopyAction{std::move(arn), Lifecycle(c.lifecycle())});
    }
    rule.recovery_point_tags = Tags(s.recovery_point_tags());
    r.rules.push_back(std::move(rule));
  }
  return r;
}

std::vector<BackupCondition> Conditions(const RepeatedPtrField<v1::BackupConditionStep>& in) {
  std::vector<BackupCondition> out;
  for (const v1::BackupConditionStep& c : in) {
    out.push_back(BackupCondition{c.condition_type(), c.condition_key(), c.condition_value()});
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> InstanceArns(const RepeatedPtrField<std::string>& in,
                                                      const CallContext& ctx, Resolver resolve) {
  std::vector<std::string> out;
  for (const std::string& text : in) {
    AMI_ASSIGN_OR_RETURN(std::string arn, InstanceArn(text, ctx, resolve));
    out.push_back(std::move(arn));
  }
  return out;
}

absl::StatusOr<Outcome> CreateSelection(Automation& a, const CallContext& ctx,
                                        const v1::CreateBackupSelection& in, Resolver resolve) {
  AMI_ASSIGN_OR_RETURN(const std::string plan, resolve(in.backup_plan_id()));
  BackupSelectionRequest r;
  r.selection_name = in.selection_name();
  AMI_ASSIGN_OR_RETURN(r.iam_role_arn, resolve(in.iam_role_arn()));
  AMI_ASSIGN_OR_RETURN(r.resources, InstanceArns(in.resources(), ctx, resolve));
  AMI_ASSIGN_OR_RETURN(r.not_resources, InstanceArns(in.not_resources(), ctx, resolve));
  r.list_of_tags = Conditions(in.list_of_tags());
  r.conditions = Conditions(in.conditions());
  return Made(a.CreateBackupSelection(ctx, plan, r));
}

// A recovery point ARN as given, an image id's ARN in the caller's Region, or the recovery
// point of the caller's backup job of that id.
absl::StatusOr<std::string> RecoveryPointArn(const Automation& a, const CallContext& ctx,
                                             const std::string& text, Resolver resolve) {
  AMI_ASSIGN_OR_RETURN(const std::string id, resolve(text));
  if (absl::StartsWith(id, "ami-")) return absl::StrCat("arn:aws:ec2:", ctx.region.ToString(), "::image/", id);
  if (absl::StartsWith(id, "arn:")) return id;
  for (const BackupJob& job : a.ListBackupJobs(ctx)) {
    if (job.backup_job_id == id && !job.recovery_point_arn.empty()) return job.recovery_point_arn;
  }
  return id;
}

absl::StatusOr<Outcome> Backup(Automation& a, const CallContext& ctx, const v1::Step& step,
                               Resolver resolve) {
  switch (step.operation_case()) {
    case Op::kCreateBackupVault: {
      const v1::CreateBackupVault& r = step.create_backup_vault();
      AMI_ASSIGN_OR_RETURN(const std::string key, resolve(r.encryption_key_arn()));
      return Outcome::Done(a.CreateBackupVault(ctx, r.backup_vault_name(), key), "");
    }
    case Op::kCreateBackupPlan: {
      AMI_ASSIGN_OR_RETURN(const BackupPlanRequest r, PlanRequest(step.create_backup_plan(), resolve));
      return Made(a.CreateBackupPlan(ctx, r));
    }
    case Op::kCreateBackupSelection:
      return CreateSelection(a, ctx, step.create_backup_selection(), resolve);
    case Op::kDeleteBackupPlan: {
      AMI_ASSIGN_OR_RETURN(const std::string id, resolve(step.delete_backup_plan().backup_plan_id()));
      return Outcome::Done(a.DeleteBackupPlan(ctx, id), "");
    }
    case Op::kStartBackupJob: {
      const v1::StartBackupJob& in = step.start_backup_job();
      StartBackupJobRequest r;
      r.backup_vault_name = in.backup_vault_name();
      AMI_ASSIGN_OR_RETURN(r.resource_arn, InstanceArn(in.resource_arn(), ctx, resolve));
      AMI_ASSIGN_OR_RETURN(r.iam_role_arn, resolve(in.iam_role_arn()));
      r.lifecycle = Lifecycle(in.lifecycle());
      return Made(a.StartBackupJob(ctx, r));
    }
    case Op::kDeleteRecoveryPoint: {
      const v1::DeleteRecoveryPoint& r = step.delete_recovery_point();
      AMI_ASSIGN_OR_RETURN(const std::string arn, RecoveryPointArn(a, ctx, r.recovery_point_arn(), resolve));
      return Outcome::Done(a.DeleteRecoveryPoint(ctx, r.backup_vault_name(), arn), "");
    }
    default:
      return Made(a.CreateBackupDefaultServiceRole(ctx));
  }
}

// ---- EventBridge ----------------------------------------------------------------------------

absl::StatusOr<AutomationAction> Action(const v1::ScheduleActionStep& in, Resolver resolve) {
  AutomationAction out;
  if (in.kind() == "CreateImage") {
    out.kind = AutomationAction::Kind::kCreateImage;
  } else if (in.kind() == "CopyImage") {
    out.kind = AutomationAction::Kind::kCopyImage;
  } else if (in.kind() == "DeregisterOlderThan") {
    out.kind = AutomationAction::Kind::kDeregisterOlderThan;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "put_schedule action kind `", in.kind(), "` is not CreateImage, CopyImage or DeregisterOlderThan"));
  }
  AMI_ASSIGN_OR_RETURN(out.instance_ids, ResolveAll(in.instance_ids(), resolve));
  out.instance_tags = Tags(in.instance_tags());
  out.image_tags = Tags(in.image_tags());
  out.no_reboot = in.no_reboot();
  if (!in.name_prefix().empty()) out.name_prefix = in.name_prefix();
  out.tags_to_add = Tags(in.tags_to_add());
  out.source_region = in.source_region();
  out.encrypted = in.encrypted();
  AMI_ASSIGN_OR_RETURN(out.kms_key_id, resolve(in.kms_key_id()));
  out.older_than_days = in.older_than_days();
  return out;
}

absl::StatusOr<Outcome> Events(Automation& a, const CallContext& ctx, const v1::Step& step,
                               Resolver resolve) {
  if (step.operation_case() == Op::kDeleteSchedule) {
    return Outcome::Done(a.DeleteSchedule(ctx, step.delete_schedule().name()), "");
  }
  const v1::PutSchedule& in = step.put_schedule();
  EventScheduleRequest r;
  r.name = in.name();
  r.schedule_expression = in.schedule_expression();
  r.timezone = in.timezone();
  if (!in.state().empty()) r.state = in.state();
  AMI_ASSIGN_OR_RETURN(r.role_arn, resolve(in.role_arn()));
  for (const v1::ScheduleActionStep& s : in.actions()) {
    AMI_ASSIGN_OR_RETURN(AutomationAction action, Action(s, resolve));
    r.actions.push_back(std::move(action));
  }
  return Outcome::Done(a.PutSchedule(ctx, r), "");
}

}  // namespace

bool IsAutomationOperation(v1::Step::OperationCase op) {
  return op >= Op::kCreateLifecyclePolicy && op <= Op::kDeleteSchedule;
}

absl::StatusOr<Outcome> RunAutomationStep(Cloud& cloud, const CallContext& ctx,
                                          const v1::Step& step, Resolver resolve) {
  if (ctx.dry_run) {
    return absl::InvalidArgumentError(absl::StrCat("dry_run does not apply to ", OperationName(step)));
  }
  Automation a(cloud);
  const Op op = step.operation_case();
  if (op >= Op::kCreateLifecyclePolicy && op <= Op::kCreateDefaultLifecycleRole) {
    return Dlm(a, ctx, step, resolve);
  }
  if (op >= Op::kCreateBackupVault && op <= Op::kCreateBackupDefaultServiceRole) {
    return Backup(a, ctx, step, resolve);
  }
  return Events(a, ctx, step, resolve);
}

}  // namespace ami::scenario_internal
