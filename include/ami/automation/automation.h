// Automation over time: Amazon Data Lifecycle Manager AMI policies, AWS Backup plans and jobs,
// and EventBridge schedules whose targets act on the cloud (rulebook §12, BACKUP-1 … 10).
//
// Definitions are given as the AWS APIs take them (and as the AWS CLI prints them): enum words
// and ids as text, checked by the policy engine when they are created, so that a bad definition
// is refused with the service's error code. Once created, a definition fires on the cloud's
// clock: Cloud::AdvanceClock() runs every firing that falls in the interval, in time order (ties
// in the order the definitions were created), and each firing acts through the cloud's own
// operations — every rule (KMS, Regions, block public access, Allowed AMIs, IAM) applies to
// automation as to a person. A failure is recorded where AWS records it (the policy's state and
// status message, the backup job's state, the rule's failed invocations), never skipped silently.
//
// Thread-safety: an Automation is a handle on a Cloud; its methods may be called from any thread,
// with the Cloud's own guarantees (reads concurrent, changes serialized).
#ifndef AMI_AUTOMATION_AUTOMATION_H_
#define AMI_AUTOMATION_AUTOMATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ami/attributes.h"
#include "ami/ids.h"
#include "ami/requests.h"

namespace ami {

class Cloud;

// ---- Amazon Data Lifecycle Manager (BACKUP-5 … 10) ----

// A RetainRule, DeprecateRule or the cross-Region forms of both: a count, or an age given as
// Interval and IntervalUnit (DAYS, WEEKS, MONTHS, YEARS). 0 / "" mean absent.
struct DlmAgeOrCount {
  int count = 0;
  int interval = 0;
  std::string interval_unit;
  bool empty() const { return count == 0 && interval == 0 && interval_unit.empty(); }
  friend bool operator==(const DlmAgeOrCount& a, const DlmAgeOrCount& b);
  friend bool operator!=(const DlmAgeOrCount& a, const DlmAgeOrCount& b) { return !(a == b); }
};

// CreateRule: a CronExpression (`cron(…)`), or Interval (1, 2, 3, 4, 6, 8, 12, 24) with
// IntervalUnit HOURS and at most one start time `hh:mm` (UTC).
struct DlmCreateRule {
  std::string cron_expression;
  int interval = 0;
  std::string interval_unit;
  std::vector<std::string> times;
  friend bool operator==(const DlmCreateRule& a, const DlmCreateRule& b);
  friend bool operator!=(const DlmCreateRule& a, const DlmCreateRule& b) { return !(a == b); }
};

// CrossRegionCopyRule of an AMI policy (BACKUP-9).
struct DlmCrossRegionCopyRule {
  std::string target_region;
  bool encrypted = false;
  // A key ARN in the target Region; empty: the target Region's default EBS key.
  std::string cmk_arn;
  bool copy_tags = false;
  DlmAgeOrCount retain_rule;     // age only
  DlmAgeOrCount deprecate_rule;  // age only
  friend bool operator==(const DlmCrossRegionCopyRule& a, const DlmCrossRegionCopyRule& b);
  friend bool operator!=(const DlmCrossRegionCopyRule& a, const DlmCrossRegionCopyRule& b) { return !(a == b); }
};

struct DlmSchedule {
  std::string name;
  bool copy_tags = false;
  std::vector<std::pair<std::string, std::string>> tags_to_add;
  DlmCreateRule create_rule;
  DlmAgeOrCount retain_rule;
  DlmAgeOrCount deprecate_rule;
  std::vector<DlmCrossRegionCopyRule> cross_region_copy_rules;
  friend bool operator==(const DlmSchedule& a, const DlmSchedule& b);
  friend bool operator!=(const DlmSchedule& a, const DlmSchedule& b) { return !(a == b); }
};

// The PolicyDetails and top-level fields of CreateLifecyclePolicy.
struct LifecyclePolicyRequest {
  std::string description;
  std::string execution_role_arn;
  // ENABLED or DISABLED.
  std::string state = "ENABLED";
  // IMAGE_MANAGEMENT (custom policies) — the only type libami runs; EBS_SNAPSHOT_MANAGEMENT and
  // EVENT_BASED_POLICY are refused.
  std::string policy_type = "IMAGE_MANAGEMENT";
  // INSTANCE for AMI policies.
  std::vector<std::string> resource_types = {"INSTANCE"};
  std::vector<std::pair<std::string, std::string>> target_tags;
  std::vector<DlmSchedule> schedules;
  // Parameters.NoReboot: unset means true for AMI policies (BACKUP-5).
  std::optional<bool> no_reboot;
  std::vector<std::pair<std::string, std::string>> tags;
  // A default (simplified) policy for EBS-backed AMIs (BACKUP-10): "INSTANCE", or empty for a
  // custom policy. The fields below apply only to default policies.
  std::string default_policy;
  int create_interval_days = 1;
  int retain_interval_days = 7;
  bool copy_tags = false;
  bool extend_deletion = false;
  std::vector<std::string> cross_region_copy_targets;
  friend bool operator==(const LifecyclePolicyRequest& a, const LifecyclePolicyRequest& b);
  friend bool operator!=(const LifecyclePolicyRequest& a, const LifecyclePolicyRequest& b) { return !(a == b); }
};

struct LifecyclePolicy {
  std::string policy_id;  // policy-…
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  LifecyclePolicyRequest details;
  // ENABLED, DISABLED or ERROR (a target Region or key it cannot use, BACKUP-10).
  std::string state;
  std::string status_message;
  absl::Time date_created;
  absl::Time date_modified;
  friend bool operator==(const LifecyclePolicy& a, const LifecyclePolicy& b);
  friend bool operator!=(const LifecyclePolicy& a, const LifecyclePolicy& b) { return !(a == b); }
};

// ---- AWS Backup (BACKUP-1 … 3) ----

struct BackupLifecycle {
  int delete_after_days = 0;  // 0: kept
  int move_to_cold_storage_after_days = 0;
  friend bool operator==(const BackupLifecycle& a, const BackupLifecycle& b);
  friend bool operator!=(const BackupLifecycle& a, const BackupLifecycle& b) { return !(a == b); }
};

struct BackupCopyAction {
  // arn:aws:backup:<region>:<account>:backup-vault:<name>
  std::string destination_backup_vault_arn;
  BackupLifecycle lifecycle;
  friend bool operator==(const BackupCopyAction& a, const BackupCopyAction& b);
  friend bool operator!=(const BackupCopyAction& a, const BackupCopyAction& b) { return !(a == b); }
};

struct BackupRule {
  std::string rule_name;
  std::string target_backup_vault_name;
  // cron(…) or rate(…); empty: on demand only.
  std::string schedule_expression;
  // IANA zone; empty: UTC.
  std::string schedule_expression_timezone;
  int start_window_minutes = 480;
  int completion_window_minutes = 10080;
  BackupLifecycle lifecycle;
  std::vector<BackupCopyAction> copy_actions;
  std::vector<std::pair<std::string, std::string>> recovery_point_tags;
  friend bool operator==(const BackupRule& a, const BackupRule& b);
  friend bool operator!=(const BackupRule& a, const BackupRule& b) { return !(a == b); }
};

struct BackupPlanRequest {
  std::string backup_plan_name;
  std::vector<BackupRule> rules;
  friend bool operator==(const BackupPlanRequest& a, const BackupPlanRequest& b);
  friend bool operator!=(const BackupPlanRequest& a, const BackupPlanRequest& b) { return !(a == b); }
};

// A tag condition of a selection: STRINGEQUALS (ListOfTags), or one of the Conditions blocks
// StringEquals, StringNotEquals, StringLike, StringNotLike.
struct BackupCondition {
  std::string condition_type;
  std::string key;
  std::string value;
  friend bool operator==(const BackupCondition& a, const BackupCondition& b);
  friend bool operator!=(const BackupCondition& a, const BackupCondition& b) { return !(a == b); }
};

struct BackupSelectionRequest {
  std::string selection_name;
  std::string iam_role_arn;
  // Resource ARNs (arn:aws:ec2:<region>:<account>:instance/i-…) or "*".
  std::vector<std::string> resources;
  std::vector<std::string> not_resources;
  std::vector<BackupCondition> list_of_tags;  // OR of STRINGEQUALS
  std::vector<BackupCondition> conditions;    // AND of all
  friend bool operator==(const BackupSelectionRequest& a, const BackupSelectionRequest& b);
  friend bool operator!=(const BackupSelectionRequest& a, const BackupSelectionRequest& b) { return !(a == b); }
};

struct BackupVaultInfo {
  std::string name;
  std::string arn;
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  std::string encryption_key_arn;
  friend bool operator==(const BackupVaultInfo& a, const BackupVaultInfo& b);
  friend bool operator!=(const BackupVaultInfo& a, const BackupVaultInfo& b) { return !(a == b); }
};

struct BackupPlanInfo {
  std::string backup_plan_id;
  std::string backup_plan_arn;
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  BackupPlanRequest plan;
  // (selection id, selection)
  std::vector<std::pair<std::string, BackupSelectionRequest>> selections;
  absl::Time creation_date;
  friend bool operator==(const BackupPlanInfo& a, const BackupPlanInfo& b);
  friend bool operator!=(const BackupPlanInfo& a, const BackupPlanInfo& b) { return !(a == b); }
};

struct StartBackupJobRequest {
  std::string backup_vault_name;
  std::string resource_arn;
  std::string iam_role_arn;
  BackupLifecycle lifecycle;
  friend bool operator==(const StartBackupJobRequest& a, const StartBackupJobRequest& b);
  friend bool operator!=(const StartBackupJobRequest& a, const StartBackupJobRequest& b) { return !(a == b); }
};

struct BackupJob {
  std::string backup_job_id;
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  std::string backup_vault_name;
  std::string resource_arn;
  // CREATED, RUNNING, COMPLETED, FAILED, EXPIRED (the start window passed).
  std::string state;
  std::string status_message;
  std::string recovery_point_arn;
  std::string backup_plan_id;  // empty for an on-demand job
  std::string rule_name;
  absl::Time creation_date;
  std::optional<absl::Time> completion_date;
  // A copy job's source recovery point (copy actions), else empty.
  std::string source_recovery_point_arn;
  friend bool operator==(const BackupJob& a, const BackupJob& b);
  friend bool operator!=(const BackupJob& a, const BackupJob& b) { return !(a == b); }
};

struct RecoveryPoint {
  std::string recovery_point_arn;  // arn:aws:ec2:<region>::image/ami-…
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  std::string backup_vault_name;
  std::string resource_arn;
  ImageId image_id = ImageId::Short(0);
  // COMPLETED, DELETED, EXPIRED.
  std::string status;
  bool encrypted = false;
  std::string encryption_key_arn;
  absl::Time creation_date;
  std::optional<absl::Time> delete_at;
  std::string source_recovery_point_arn;  // for copies
  friend bool operator==(const RecoveryPoint& a, const RecoveryPoint& b);
  friend bool operator!=(const RecoveryPoint& a, const RecoveryPoint& b) { return !(a == b); }
};

// ---- EventBridge rules and EventBridge Scheduler schedules ----

// What a target does when the schedule fires: one EC2 call libami performs, as the Lambda
// function of a scheduled rule or a Scheduler universal target would (BACKUP-4).
struct AutomationAction {
  enum class Kind : uint8_t {
    // CreateImage of every running or stopped instance of the account and Region that carries
    // all `instance_tags`; NoReboot as `no_reboot`.
    kCreateImage,
    // CopyImage of every image of the account in `source_region` carrying `image_tags`, into the
    // schedule's Region, `encrypted` with `kms_key_id` when given.
    kCopyImage,
    // DeregisterImage (with its snapshots) of every image of the account and Region carrying
    // `image_tags` older than `older_than_days`.
    kDeregisterOlderThan,
  };
  Kind kind = Kind::kCreateImage;
  // kCreateImage: these instances (a Scheduler universal target names one); when empty, the
  // instances carrying `instance_tags`.
  std::vector<std::string> instance_ids;
  std::vector<std::pair<std::string, std::string>> instance_tags;
  std::vector<std::pair<std::string, std::string>> image_tags;
  bool no_reboot = false;
  // Image names are `name_prefix` followed by the firing time (yyyy-mm-ddThh-mm-ssZ), `-` and
  // the instance id (CreateImage) or source image id (CopyImage).
  std::string name_prefix = "scheduled";
  // Tags put on each created or copied image.
  std::vector<std::pair<std::string, std::string>> tags_to_add;
  std::string source_region;
  bool encrypted = false;
  std::string kms_key_id;
  int older_than_days = 0;
  friend bool operator==(const AutomationAction& a, const AutomationAction& b);
  friend bool operator!=(const AutomationAction& a, const AutomationAction& b) { return !(a == b); }
};

struct EventScheduleRequest {
  std::string name;
  // cron(…), rate(…) or at(…) (at() only for a Scheduler schedule).
  std::string schedule_expression;
  // IANA zone: a schedule with one is a Scheduler schedule (`UTC` for one in UTC); empty: a
  // scheduled rule, in UTC.
  std::string timezone;
  // ENABLED or DISABLED.
  std::string state = "ENABLED";
  // The role the target acts as (CallContext::principal); empty: the account's root user.
  std::string role_arn;
  std::vector<AutomationAction> actions;
  friend bool operator==(const EventScheduleRequest& a, const EventScheduleRequest& b);
  friend bool operator!=(const EventScheduleRequest& a, const EventScheduleRequest& b) { return !(a == b); }
};

// What a firing did: one record per call it made. A cloud keeps the newest
// Automation::kMaxHistory records of each account and Region.
struct AutomationRecord {
  absl::Time time;
  // "dlm:<policy-id>/<schedule>", "backup:<plan-id>/<rule>", "events:<rule name>".
  std::string source;
  std::string action;    // the EC2 call, e.g. "CreateImage"
  std::string resource;  // the instance or image acted on
  std::string result;    // the id made, or empty
  // "OK", or the refused call's error code as AWS spells it; `message` says why.
  std::string error_code;
  std::string message;
  friend bool operator==(const AutomationRecord& a, const AutomationRecord& b);
  friend bool operator!=(const AutomationRecord& a, const AutomationRecord& b) { return !(a == b); }
};

class Automation {
 public:
  // Records kept per account and Region (History()).
  static constexpr int kMaxHistory = 10000;

  // A handle on `cloud`, valid while the cloud lives.
  explicit Automation(Cloud& cloud) : cloud_(&cloud) {}

  // ---- Data Lifecycle Manager ----
  absl::StatusOr<std::string> CreateLifecyclePolicy(const CallContext& ctx,
                                                    const LifecyclePolicyRequest& request);
  // Changes the state (ENABLED/DISABLED) of the caller's policy.
  absl::Status UpdateLifecyclePolicyState(const CallContext& ctx, const std::string& policy_id,
                                          const std::string& state);
  absl::Status DeleteLifecyclePolicy(const CallContext& ctx, const std::string& policy_id);
  absl::StatusOr<LifecyclePolicy> GetLifecyclePolicy(const CallContext& ctx,
                                                     const std::string& policy_id) const;
  // The caller's policies in its Region, by id.
  std::vector<LifecyclePolicy> GetLifecyclePolicies(const CallContext& ctx) const;
  // `aws dlm create-default-role --resource-type instance`: creates (or replaces) the caller's
  // role AWSDataLifecycleManagerDefaultRoleForAMIManagement with the permissions of the AWS
  // managed policy AWSDataLifecycleManagerServiceRoleForAMIManagement (no KMS permission: a copy
  // under a customer managed key needs more); returns its ARN. Only "instance" is modelled.
  absl::StatusOr<std::string> CreateDefaultLifecycleRole(const CallContext& ctx,
                                                         const std::string& resource_type);

  // ---- AWS Backup ----
  // Each call is checked by the policy engine (bounds in lib/policy/automation_backup.h,
  // MC-87) and, refused, changes nothing; errors carry AWS Backup's codes.
  // A vault in the caller's account and Region; its key (any form) encrypts copies into it.
  absl::Status CreateBackupVault(const CallContext& ctx, const std::string& name,
                                 const std::string& encryption_key_arn = "");
  // A plan of the caller's account and Region; each scheduled rule fires from now on (the
  // plan's creation anchors rate()). Returns the plan id.
  absl::StatusOr<std::string> CreateBackupPlan(const CallContext& ctx,
                                               const BackupPlanRequest& request);
  // Assigns instances to the caller's plan (MC-86); its jobs act as `request.iam_role_arn`.
  // Returns the selection id.
  absl::StatusOr<std::string> CreateBackupSelection(const CallContext& ctx,
                                                    const std::string& backup_plan_id,
                                                    const BackupSelectionRequest& request);
  // Deletes the caller's plan and its selections; jobs under way and recovery points go on.
  absl::Status DeleteBackupPlan(const CallContext& ctx, const std::string& backup_plan_id);
  // An on-demand backup of one instance; returns the job id.
  absl::StatusOr<std::string> StartBackupJob(const CallContext& ctx,
                                             const StartBackupJobRequest& request);
  // Deletes the recovery point: deregisters its AMI and deletes the AMI's snapshots.
  absl::Status DeleteRecoveryPoint(const CallContext& ctx, const std::string& vault_name,
                                   const std::string& recovery_point_arn);
  // The caller's vaults in its Region, by name.
  std::vector<BackupVaultInfo> ListBackupVaults(const CallContext& ctx) const;
  // The caller's plans in its Region, oldest first.
  std::vector<BackupPlanInfo> ListBackupPlans(const CallContext& ctx) const;
  // The caller's jobs in its Region, oldest first.
  std::vector<BackupJob> ListBackupJobs(const CallContext& ctx) const;
  // The recovery points of the caller's vault `vault_name` in its Region, by ARN.
  std::vector<RecoveryPoint> ListRecoveryPointsByBackupVault(const CallContext& ctx,
                                                             const std::string& vault_name) const;
  // Creates (or replaces) the caller's role service-role/AWSBackupDefaultServiceRole with the
  // EC2 and KMS permissions of the AWS managed policy AWSBackupServiceRolePolicyForBackup, as
  // AWS Backup does on first use; returns its ARN.
  absl::StatusOr<std::string> CreateBackupDefaultServiceRole(const CallContext& ctx);

  // ---- EventBridge rules and Scheduler schedules ----
  // Creates or replaces the caller's rule `request.name` with its targets (MC-90): a malformed
  // definition is ValidationException, past a bound LimitExceededException; a replaced schedule
  // restarts rate() from now. Bounds: lib/policy/automation_events.h.
  absl::Status PutSchedule(const CallContext& ctx, const EventScheduleRequest& request);
  // Deletes the caller's schedule `name` and its firings; ResourceNotFoundException if none.
  absl::Status DeleteSchedule(const CallContext& ctx, const std::string& name);
  // The caller's schedules in its Region, by name.
  std::vector<EventScheduleRequest> ListSchedules(const CallContext& ctx) const;

  // ---- What happened ----
  // Every record of the caller's account and Region, oldest first.
  std::vector<AutomationRecord> History(const CallContext& ctx) const;

 private:
  Cloud* cloud_;
};

}  // namespace ami

#endif  // AMI_AUTOMATION_AUTOMATION_H_
