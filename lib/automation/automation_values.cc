// Equality of the automation's definitions and records, field by field.
#include <tuple>

#include "ami/automation/automation.h"

namespace ami {

bool operator==(const DlmAgeOrCount& a, const DlmAgeOrCount& b) {
  return std::tie(a.count, a.interval, a.interval_unit) ==
         std::tie(b.count, b.interval, b.interval_unit);
}

bool operator==(const DlmCreateRule& a, const DlmCreateRule& b) {
  return std::tie(a.cron_expression, a.interval, a.interval_unit, a.times) ==
         std::tie(b.cron_expression, b.interval, b.interval_unit, b.times);
}

bool operator==(const DlmCrossRegionCopyRule& a, const DlmCrossRegionCopyRule& b) {
  return std::tie(a.target_region, a.encrypted, a.cmk_arn, a.copy_tags, a.retain_rule, a.deprecate_rule) ==
         std::tie(b.target_region, b.encrypted, b.cmk_arn, b.copy_tags, b.retain_rule, b.deprecate_rule);
}

bool operator==(const DlmSchedule& a, const DlmSchedule& b) {
  return std::tie(a.name, a.copy_tags, a.tags_to_add, a.create_rule, a.retain_rule, a.deprecate_rule, a.cross_region_copy_rules) ==
         std::tie(b.name, b.copy_tags, b.tags_to_add, b.create_rule, b.retain_rule, b.deprecate_rule, b.cross_region_copy_rules);
}

bool operator==(const LifecyclePolicyRequest& a, const LifecyclePolicyRequest& b) {
  return std::tie(a.description, a.execution_role_arn, a.state, a.policy_type, a.resource_types, a.target_tags, a.schedules, a.no_reboot, a.tags, a.default_policy, a.create_interval_days, a.retain_interval_days, a.copy_tags, a.extend_deletion, a.cross_region_copy_targets) ==
         std::tie(b.description, b.execution_role_arn, b.state, b.policy_type, b.resource_types, b.target_tags, b.schedules, b.no_reboot, b.tags, b.default_policy, b.create_interval_days, b.retain_interval_days, b.copy_tags, b.extend_deletion, b.cross_region_copy_targets);
}

bool operator==(const LifecyclePolicy& a, const LifecyclePolicy& b) {
  return std::tie(a.policy_id, a.account, a.region, a.details, a.state, a.status_message, a.date_created, a.date_modified) ==
         std::tie(b.policy_id, b.account, b.region, b.details, b.state, b.status_message, b.date_created, b.date_modified);
}

bool operator==(const BackupLifecycle& a, const BackupLifecycle& b) {
  return std::tie(a.delete_after_days, a.move_to_cold_storage_after_days) ==
         std::tie(b.delete_after_days, b.move_to_cold_storage_after_days);
}

bool operator==(const BackupCopyAction& a, const BackupCopyAction& b) {
  return std::tie(a.destination_backup_vault_arn, a.lifecycle) ==
         std::tie(b.destination_backup_vault_arn, b.lifecycle);
}

bool operator==(const BackupRule& a, const BackupRule& b) {
  return std::tie(a.rule_name, a.target_backup_vault_name, a.schedule_expression, a.schedule_expression_timezone, a.start_window_minutes, a.completion_window_minutes, a.lifecycle, a.copy_actions, a.recovery_point_tags) ==
         std::tie(b.rule_name, b.target_backup_vault_name, b.schedule_expression, b.schedule_expression_timezone, b.start_window_minutes, b.completion_window_minutes, b.lifecycle, b.copy_actions, b.recovery_point_tags);
}

bool operator==(const BackupPlanRequest& a, const BackupPlanRequest& b) {
  return std::tie(a.backup_plan_name, a.rules) ==
         std::tie(b.backup_plan_name, b.rules);
}

bool operator==(const BackupCondition& a, const BackupCondition& b) {
  return std::tie(a.condition_type, a.key, a.value) ==
         std::tie(b.condition_type, b.key, b.value);
}

bool operator==(const BackupSelectionRequest& a, const BackupSelectionRequest& b) {
  return std::tie(a.selection_name, a.iam_role_arn, a.resources, a.not_resources, a.list_of_tags, a.conditions) ==
         std::tie(b.selection_name, b.iam_role_arn, b.resources, b.not_resources, b.list_of_tags, b.conditions);
}

bool operator==(const BackupVaultInfo& a, const BackupVaultInfo& b) {
  return std::tie(a.name, a.arn, a.account, a.region, a.encryption_key_arn) ==
         std::tie(b.name, b.arn, b.account, b.region, b.encryption_key_arn);
}

bool operator==(const BackupPlanInfo& a, const BackupPlanInfo& b) {
  return std::tie(a.backup_plan_id, a.backup_plan_arn, a.account, a.region, a.plan, a.selections, a.creation_date) ==
         std::tie(b.backup_plan_id, b.backup_plan_arn, b.account, b.region, b.plan, b.selections, b.creation_date);
}

bool operator==(const StartBackupJobRequest& a, const StartBackupJobRequest& b) {
  return std::tie(a.backup_vault_name, a.resource_arn, a.iam_role_arn, a.lifecycle) ==
         std::tie(b.backup_vault_name, b.resource_arn, b.iam_role_arn, b.lifecycle);
}

bool operator==(const BackupJob& a, const BackupJob& b) {
  return std::tie(a.backup_job_id, a.account, a.region, a.backup_vault_name, a.resource_arn, a.state, a.status_message, a.recovery_point_arn, a.backup_plan_id, a.rule_name, a.creation_date, a.completion_date, a.source_recovery_point_arn) ==
         std::tie(b.backup_job_id, b.account, b.region, b.backup_vault_name, b.resource_arn, b.state, b.status_message, b.recovery_point_arn, b.backup_plan_id, b.rule_name, b.creation_date, b.completion_date, b.source_recovery_point_arn);
}

bool operator==(const RecoveryPoint& a, const RecoveryPoint& b) {
  return std::tie(a.recovery_point_arn, a.account, a.region, a.backup_vault_name, a.resource_arn, a.image_id, a.status, a.encrypted, a.encryption_key_arn, a.creation_date, a.delete_at, a.source_recovery_point_arn) ==
         std::tie(b.recovery_point_arn, b.account, b.region, b.backup_vault_name, b.resource_arn, b.image_id, b.status, b.encrypted, b.encryption_key_arn, b.creation_date, b.delete_at, b.source_recovery_point_arn);
}

bool operator==(const AutomationAction& a, const AutomationAction& b) {
  return std::tie(a.kind, a.instance_ids, a.instance_tags, a.image_tags, a.no_reboot, a.name_prefix, a.tags_to_add, a.source_region, a.encrypted, a.kms_key_id, a.older_than_days) ==
         std::tie(b.kind, b.instance_ids, b.instance_tags, b.image_tags, b.no_reboot, b.name_prefix, b.tags_to_add, b.source_region, b.encrypted, b.kms_key_id, b.older_than_days);
}

bool operator==(const EventScheduleRequest& a, const EventScheduleRequest& b) {
  return std::tie(a.name, a.schedule_expression, a.timezone, a.state, a.role_arn, a.actions) ==
         std::tie(b.name, b.schedule_expression, b.timezone, b.state, b.role_arn, b.actions);
}

bool operator==(const AutomationRecord& a, const AutomationRecord& b) {
  return std::tie(a.time, a.source, a.action, a.resource, a.result, a.error_code, a.message) ==
         std::tie(b.time, b.source, b.action, b.resource, b.result, b.error_code, b.message);
}

}  // namespace ami
