// Data Lifecycle Manager and AWS Backup outputs of the AWS CLI into the facade's requests
// (lib/io/aws_import_automation.h). Values the service checks (enum words, schedules, roles) are
// passed on as written: the facade's policy engine refuses them with the service's code.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/v1/aws_cli_automation.pb.h"
#include "io/aws_import_automation.h"
#include "io/aws_import_automation_util.h"

namespace ami::aws_import_internal {
namespace {

using namespace automation;  // NOLINT: the helpers of this family of files

// ---- Data Lifecycle Manager ----

DlmAgeOrCount Age(const v1::DlmRetainRuleJson& in) {
  return DlmAgeOrCount{in.count(), in.interval(), in.interval_unit()};
}

absl::Status CheckAge(absl::string_view path, const v1::DlmRetainRuleJson& in) {
  if (in.count() < 0 || in.interval() < 0) return Refused(path, "a negative count or interval");
  return Text(absl::StrCat(path, ".IntervalUnit"), in.interval_unit(), kMaxDefinitionNameBytes);
}

absl::StatusOr<DlmCrossRegionCopyRule> CopyRule(const std::string& path,
                                                const v1::DlmCrossRegionCopyRuleJson& in) {
  if (!in.target().empty()) {
    return Refused(absl::StrCat(path, ".Target"), "copies to an outpost are not modelled");
  }
  DlmCrossRegionCopyRule out;
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".TargetRegion"), in.target_region(), kMaxDefinitionNameBytes, true));
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".CmkArn"), in.cmk_arn(), kMaxDefinitionTextBytes));
  AMI_RETURN_IF_ERROR(CheckAge(absl::StrCat(path, ".RetainRule"), in.retain_rule()));
  AMI_RETURN_IF_ERROR(CheckAge(absl::StrCat(path, ".DeprecateRule"), in.deprecate_rule()));
  out.target_region = in.target_region();
  out.encrypted = in.encrypted();
  out.cmk_arn = in.cmk_arn();
  out.copy_tags = in.copy_tags();
  out.retain_rule = Age(in.retain_rule());
  out.deprecate_rule = Age(in.deprecate_rule());
  return out;
}

absl::Status CheckCreateRule(const std::string& path, const v1::DlmCreateRuleJson& c) {
  if (!c.location().empty() && c.location() != "CLOUD") {
    return Refused(absl::StrCat(path, ".Location"), "AMIs on an outpost are not modelled");
  }
  if (Present(c.has_scripts(), c.scripts())) {
    return Refused(absl::StrCat(path, ".Scripts"), "pre and post scripts are not modelled");
  }
  if (c.interval() < 0) return Refused(absl::StrCat(path, ".Interval"), "a negative interval");
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".IntervalUnit"), c.interval_unit(), kMaxDefinitionNameBytes));
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".CronExpression"), c.cron_expression(), kMaxDefinitionTextBytes));
  AMI_RETURN_IF_ERROR(Count(absl::StrCat(path, ".Times"), c.times_size(), 1));
  for (const std::string& t : c.times()) {
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".Times[0]"), t, kMaxDefinitionNameBytes));
  }
  return absl::OkStatus();
}

absl::StatusOr<DlmSchedule> Schedule(const std::string& path, const v1::DlmScheduleJson& in) {
  for (const auto& [present, key, why] :
       {std::tuple{Present(in.has_variable_tags(), in.variable_tags()), "VariableTags",
                   "tags whose values are variables are not modelled"},
        std::tuple{Present(in.has_share_rules(), in.share_rules()), "ShareRules",
                   "sharing the AMIs a policy makes is not modelled"}}) {
    if (present) return Refused(absl::StrCat(path, ".", key), why);
  }
  DlmSchedule out;
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".Name"), in.name(), kMaxDefinitionNameBytes));
  out.name = in.name();
  out.copy_tags = in.copy_tags();
  AMI_ASSIGN_OR_RETURN(out.tags_to_add, TagList(absl::StrCat(path, ".TagsToAdd"), in.tags_to_add()));
  const v1::DlmCreateRuleJson& c = in.create_rule();
  AMI_RETURN_IF_ERROR(CheckCreateRule(absl::StrCat(path, ".CreateRule"), c));
  out.create_rule = {c.cron_expression(), c.interval(), c.interval_unit(),
                     {c.times().begin(), c.times().end()}};
  AMI_RETURN_IF_ERROR(CheckAge(absl::StrCat(path, ".RetainRule"), in.retain_rule()));
  AMI_RETURN_IF_ERROR(CheckAge(absl::StrCat(path, ".DeprecateRule"), in.deprecate_rule()));
  out.retain_rule = Age(in.retain_rule());
  out.deprecate_rule = Age(in.deprecate_rule());
  const std::string rules = absl::StrCat(path, ".CrossRegionCopyRules");
  AMI_RETURN_IF_ERROR(Count(rules, in.cross_region_copy_rules_size(), kMaxDlmImportCopyRules));
  for (int i = 0; i < in.cross_region_copy_rules_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(DlmCrossRegionCopyRule rule,
                         CopyRule(absl::StrCat(rules, "[", i, "]"), in.cross_region_copy_rules(i)));
    out.cross_region_copy_rules.push_back(std::move(rule));
  }
  return out;
}

// The fields of a default policy (DefaultPolicy true): ResourceType and the simplified ones.
absl::Status DefaultPolicy(const v1::DlmPolicyDetailsJson& d, LifecyclePolicyRequest* out) {
  const std::string path = "Policy.PolicyDetails";
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".ResourceType"), d.resource_type(), kMaxDefinitionNameBytes, true));
  if (Present(d.has_exclusions(), d.exclusions())) {
    return Refused(absl::StrCat(path, ".Exclusions"), "exclusions of a default policy are not modelled");
  }
  out->default_policy = d.resource_type();
  if (d.has_create_interval()) out->create_interval_days = d.create_interval();
  if (d.has_retain_interval()) out->retain_interval_days = d.retain_interval();
  if (out->create_interval_days < 0 || out->retain_interval_days < 0) {
    return Refused(path, "a negative CreateInterval or RetainInterval");
  }
  out->copy_tags = d.copy_tags();
  out->extend_deletion = d.extend_deletion();
  AMI_RETURN_IF_ERROR(Count(absl::StrCat(path, ".CrossRegionCopyTargets"), d.cross_region_copy_targets_size(), 3));
  for (const v1::DlmCrossRegionCopyTargetJson& t : d.cross_region_copy_targets()) {
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".CrossRegionCopyTargets.TargetRegion"), t.target_region(),
                             kMaxDefinitionNameBytes, true));
    out->cross_region_copy_targets.push_back(t.target_region());
  }
  return absl::OkStatus();
}

absl::Status Details(const v1::DlmPolicyDetailsJson& d, LifecyclePolicyRequest* out) {
  const std::string path = "Policy.PolicyDetails";
  if (Present(d.has_event_source(), d.event_source()) || Present(d.has_actions(), d.actions())) {
    return Refused(path, "event-based policies (EventSource, Actions) are not modelled");
  }
  for (const std::string& where : d.resource_locations()) {
    if (where != "CLOUD") return Refused(absl::StrCat(path, ".ResourceLocations"), "AMIs on an outpost are not modelled");
  }
  if (!d.policy_type().empty()) out->policy_type = d.policy_type();
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".PolicyType"), d.policy_type(), kMaxDefinitionNameBytes));
  AMI_RETURN_IF_ERROR(Count(absl::StrCat(path, ".ResourceTypes"), d.resource_types_size(), 2));
  if (d.resource_types_size() > 0) out->resource_types.assign(d.resource_types().begin(), d.resource_types().end());
  for (const std::string& t : out->resource_types) AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".ResourceTypes"), t, kMaxDefinitionNameBytes));
  AMI_ASSIGN_OR_RETURN(out->target_tags, TagList(absl::StrCat(path, ".TargetTags"), d.target_tags()));
  AMI_RETURN_IF_ERROR(Count(absl::StrCat(path, ".Schedules"), d.schedules_size(), kMaxDlmImportSchedules));
  for (int i = 0; i < d.schedules_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(DlmSchedule s, Schedule(absl::StrCat(path, ".Schedules[", i, "]"), d.schedules(i)));
    out->schedules.push_back(std::move(s));
  }
  const v1::DlmParametersJson& p = d.parameters();
  if (p.exclude_boot_volume() || Present(p.has_exclude_data_volume_tags(), p.exclude_data_volume_tags())) {
    return Refused(absl::StrCat(path, ".Parameters"), "excluding volumes is not modelled");
  }
  if (p.has_no_reboot()) out->no_reboot = p.no_reboot();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImportedLifecyclePolicy> ParseLifecyclePolicy(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::GetLifecyclePolicyOutput out,
                       DecodeOutput<v1::GetLifecyclePolicyOutput>(file, "get-lifecycle-policy"));
  const v1::DlmPolicyJson& p = out.policy();
  ImportedLifecyclePolicy r;
  r.file = &file;
  AMI_RETURN_IF_ERROR(Text("Policy.PolicyId", p.policy_id(), kMaxDefinitionNameBytes, true));
  r.file_policy_id = p.policy_id();
  LifecyclePolicyRequest& q = r.request;
  AMI_RETURN_IF_ERROR(Text("Policy.Description", p.description(), kMaxDefinitionTextBytes));
  q.description = p.description();
  AMI_RETURN_IF_ERROR(Text("Policy.ExecutionRoleArn", p.execution_role_arn(), kMaxDefinitionTextBytes, true));
  q.execution_role_arn = p.execution_role_arn();
  // ERROR is the state AWS gave a policy that could not run; it was made ENABLED (MC-93).
  AMI_RETURN_IF_ERROR(Word("Policy.State", p.state(), {"ENABLED", "DISABLED", "ERROR"}));
  q.state = p.state() == "DISABLED" ? "DISABLED" : "ENABLED";
  for (const auto& [path, text] : {std::pair{"Policy.DateCreated", &p.date_created()},
                                   std::pair{"Policy.DateModified", &p.date_modified()}}) {
    if (!text->empty()) AMI_RETURN_IF_ERROR(At(path, ParseAwsTime(*text).status()));
  }
  if (!out.policy().has_policy_details()) return Missing("Policy.PolicyDetails", "the policy's details");
  AMI_RETURN_IF_ERROR(Details(p.policy_details(), &q));
  if (p.default_policy()) AMI_RETURN_IF_ERROR(DefaultPolicy(p.policy_details(), &q));
  AMI_ASSIGN_OR_RETURN(q.tags, TagMap("Policy.Tags", p.tags()));
  return r;
}

// ---- AWS Backup ----

namespace {

absl::StatusOr<BackupLifecycle> Lifecycle(const std::string& path, const v1::BackupLifecycleJson& in) {
  BackupLifecycle out;
  AMI_ASSIGN_OR_RETURN(out.delete_after_days, SmallInt(absl::StrCat(path, ".DeleteAfterDays"), in.delete_after_days()));
  AMI_ASSIGN_OR_RETURN(out.move_to_cold_storage_after_days,
                       SmallInt(absl::StrCat(path, ".MoveToColdStorageAfterDays"), in.move_to_cold_storage_after_days()));
  return out;
}

absl::StatusOr<BackupRule> Rule(const std::string& path, const v1::BackupRuleJson& in) {
  BackupRule out;
  for (const auto& [key, from, to, max, required] :
       {std::tuple{"RuleName", &in.rule_name(), &out.rule_name, kMaxDefinitionNameBytes, true},
        std::tuple{"TargetBackupVaultName", &in.target_backup_vault_name(), &out.target_backup_vault_name, kMaxDefinitionNameBytes, true},
        std::tuple{"ScheduleExpression", &in.schedule_expression(), &out.schedule_expression, kMaxDefinitionTextBytes, false},
        std::tuple{"ScheduleExpressionTimezone", &in.schedule_expression_timezone(), &out.schedule_expression_timezone, kMaxDefinitionNameBytes, false}}) {
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".", key), *from, max, required));
    *to = *from;
  }
  if (in.has_start_window_minutes()) {
    AMI_ASSIGN_OR_RETURN(out.start_window_minutes, SmallInt(absl::StrCat(path, ".StartWindowMinutes"), in.start_window_minutes()));
  }
  if (in.has_completion_window_minutes()) {
    AMI_ASSIGN_OR_RETURN(out.completion_window_minutes,
                         SmallInt(absl::StrCat(path, ".CompletionWindowMinutes"), in.completion_window_minutes()));
  }
  AMI_ASSIGN_OR_RETURN(out.lifecycle, Lifecycle(absl::StrCat(path, ".Lifecycle"), in.lifecycle()));
  AMI_ASSIGN_OR_RETURN(out.recovery_point_tags, TagMap(absl::StrCat(path, ".RecoveryPointTags"), in.recovery_point_tags()));
  AMI_RETURN_IF_ERROR(Count(absl::StrCat(path, ".CopyActions"), in.copy_actions_size(), kMaxBackupCopyActions));
  for (int i = 0; i < in.copy_actions_size(); ++i) {
    const std::string at = absl::StrCat(path, ".CopyActions[", i, "]");
    BackupCopyAction copy;
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(at, ".DestinationBackupVaultArn"), in.copy_actions(i).destination_backup_vault_arn(),
                             kMaxDefinitionTextBytes, true));
    copy.destination_backup_vault_arn = in.copy_actions(i).destination_backup_vault_arn();
    AMI_ASSIGN_OR_RETURN(copy.lifecycle, Lifecycle(absl::StrCat(at, ".Lifecycle"), in.copy_actions(i).lifecycle()));
    out.copy_actions.push_back(std::move(copy));
  }
  return out;
}

absl::Status Conditions(const std::string& path, const std::string& type,
                        const google::protobuf::RepeatedPtrField<v1::BackupConditionJson>& in,
                        std::vector<BackupCondition>* out) {
  for (int i = 0; i < in.size(); ++i) {
    const std::string at = absl::StrCat(path, "[", i, "]");
    if (type == "STRINGEQUALS") AMI_RETURN_IF_ERROR(Word(absl::StrCat(at, ".ConditionType"), in[i].condition_type(), {"STRINGEQUALS"}));
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(at, ".ConditionKey"), in[i].condition_key(), kMaxDefinitionNameBytes, true));
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(at, ".ConditionValue"), in[i].condition_value(), kMaxDefinitionTextBytes));
    out->push_back({type, in[i].condition_key(), in[i].condition_value()});
  }
  if (out->size() > static_cast<size_t>(kMaxBackupConditions)) {
    return Count(path, static_cast<int>(out->size()), kMaxBackupConditions);
  }
  return absl::OkStatus();
}

absl::Status Arns(const std::string& path, const google::protobuf::RepeatedPtrField<std::string>& in,
                  std::vector<std::string>* out) {
  AMI_RETURN_IF_ERROR(Count(path, in.size(), kMaxBackupResources));
  for (int i = 0; i < in.size(); ++i) {
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, "[", i, "]"), in[i], kMaxDefinitionTextBytes, true));
    out->push_back(in[i]);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImportedBackupPlan> ParseBackupPlan(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::GetBackupPlanOutput out,
                       DecodeOutput<v1::GetBackupPlanOutput>(file, "get-backup-plan"));
  ImportedBackupPlan r;
  r.file = &file;
  AMI_RETURN_IF_ERROR(Text("BackupPlanId", out.backup_plan_id(), kMaxDefinitionNameBytes, true));
  r.file_plan_id = out.backup_plan_id();
  const v1::BackupPlanJson& plan = out.backup_plan();
  AMI_RETURN_IF_ERROR(Text("BackupPlan.BackupPlanName", plan.backup_plan_name(), kMaxDefinitionNameBytes, true));
  r.request.backup_plan_name = plan.backup_plan_name();
  AMI_RETURN_IF_ERROR(Count("BackupPlan.Rules", plan.rules_size(), kMaxBackupRules));
  for (int i = 0; i < plan.rules_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(BackupRule rule, Rule(absl::StrCat("BackupPlan.Rules[", i, "]"), plan.rules(i)));
    r.request.rules.push_back(std::move(rule));
  }
  return r;
}

absl::StatusOr<ImportedBackupSelection> ParseBackupSelection(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::GetBackupSelectionOutput out,
                       DecodeOutput<v1::GetBackupSelectionOutput>(file, "get-backup-selection"));
  ImportedBackupSelection r;
  r.file = &file;
  AMI_RETURN_IF_ERROR(Text("SelectionId", out.selection_id(), kMaxDefinitionNameBytes, true));
  AMI_RETURN_IF_ERROR(Text("BackupPlanId", out.backup_plan_id(), kMaxDefinitionNameBytes, true));
  r.file_selection_id = out.selection_id();
  r.file_plan_id = out.backup_plan_id();
  const v1::BackupSelectionJson& s = out.backup_selection();
  BackupSelectionRequest& q = r.request;
  AMI_RETURN_IF_ERROR(Text("BackupSelection.SelectionName", s.selection_name(), kMaxDefinitionNameBytes, true));
  AMI_RETURN_IF_ERROR(Text("BackupSelection.IamRoleArn", s.iam_role_arn(), kMaxDefinitionTextBytes, true));
  q.selection_name = s.selection_name();
  q.iam_role_arn = s.iam_role_arn();
  AMI_RETURN_IF_ERROR(Arns("BackupSelection.Resources", s.resources(), &q.resources));
  AMI_RETURN_IF_ERROR(Arns("BackupSelection.NotResources", s.not_resources(), &q.not_resources));
  AMI_RETURN_IF_ERROR(Conditions("BackupSelection.ListOfTags", "STRINGEQUALS", s.list_of_tags(), &q.list_of_tags));
  const v1::BackupConditionsJson& c = s.conditions();
  for (const auto& [key, list] : {std::pair{"StringEquals", &c.string_equals()},
                                  std::pair{"StringNotEquals", &c.string_not_equals()},
                                  std::pair{"StringLike", &c.string_like()},
                                  std::pair{"StringNotLike", &c.string_not_like()}}) {
    AMI_RETURN_IF_ERROR(Conditions(absl::StrCat("BackupSelection.Conditions.", key), key, *list, &q.conditions));
  }
  return r;
}

absl::StatusOr<std::vector<ImportedBackupVault>> ParseBackupVaults(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::ListBackupVaultsOutput out,
                       DecodeOutput<v1::ListBackupVaultsOutput>(file, "list-backup-vaults"));
  if (!out.next_token().empty()) {
    return MakeError(choices::kMissingValue,
                     "NextToken: the listing is cut short; list it whole, without --max-items");
  }
  AMI_RETURN_IF_ERROR(Count("BackupVaultList", out.backup_vault_list_size(), kMaxBackupVaults));
  std::vector<ImportedBackupVault> vaults;
  const std::string where = absl::StrCat(":", file.region.code(), ":", file.account.ToString(), ":");
  for (int i = 0; i < out.backup_vault_list_size(); ++i) {
    const auto& v = out.backup_vault_list(i);
    const std::string at = absl::StrCat("BackupVaultList[", i, "]");
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(at, ".BackupVaultName"), v.backup_vault_name(), kMaxDefinitionNameBytes, true));
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(at, ".EncryptionKeyArn"), v.encryption_key_arn(), kMaxDefinitionTextBytes));
    if (!v.backup_vault_arn().empty() && v.backup_vault_arn().find(where) == std::string::npos) {
      return Refused(absl::StrCat(at, ".BackupVaultArn"),
                     absl::StrCat("`", text_util::Clip(v.backup_vault_arn()), "` is not of account `",
                                  file.account.ToString(), "` in ", file.region.code()));
    }
    vaults.push_back({&file, v.backup_vault_name(), v.encryption_key_arn()});
  }
  return vaults;
}

}  // namespace ami::aws_import_internal
