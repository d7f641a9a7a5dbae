// AWS Backup's questions to the policy engine (BACKUP-1 … 3): whether a vault, plan, selection,
// on-demand job or recovery point deletion is valid, which instances a selection assigns, and
// whether a recovery point may be copied to another account. Each answer is a Decision whose
// reasons carry the rule id and AWS Backup's error code. Internal to libami. Thread-safe: pure
// functions of their inputs.
#ifndef AMI_LIB_POLICY_AUTOMATION_BACKUP_H_
#define AMI_LIB_POLICY_AUTOMATION_BACKUP_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "ami/attributes.h"
#include "ami/automation/automation.h"
#include "ami/errors.h"
#include "ami/image.h"
#include "ami/policy.h"

namespace ami::policy {

// ---- Bounds (MC-87) ----
// Vault names: 2–50 of [A-Za-z0-9_-]. Plan, rule and selection names: 1–50 of [A-Za-z0-9_.-].
inline constexpr int kMinBackupVaultNameLength = 2;
inline constexpr int kMaxBackupNameLength = 50;
// Vaults and plans per account and Region.
inline constexpr int kMaxBackupVaultsPerRegion = 100;
inline constexpr int kMaxBackupPlansPerRegion = 100;
// Rules per plan, copy actions per rule, recovery point tags per rule.
inline constexpr int kMaxBackupRulesPerPlan = 10;
inline constexpr int kMaxCopyActionsPerRule = 10;
inline constexpr int kMaxRecoveryPointTags = 50;
// Selections per plan; ARNs in Resources and in NotResources (each); tag conditions in
// ListOfTags and Conditions together.
inline constexpr int kMaxSelectionsPerPlan = 50;
inline constexpr int kMaxSelectionResources = 500;
inline constexpr int kMaxSelectionConditions = 30;
// The length of a resource ARN, role ARN, condition key or value, vault ARN.
inline constexpr int kMaxBackupArnLength = 1024;
inline constexpr int kMaxConditionTextLength = 256;
// StartWindowMinutes: at least 60, at most 30 days. CompletionWindowMinutes: at least
// StartWindowMinutes + 60, at most 100 years.
inline constexpr int kMinStartWindowMinutes = 60;
inline constexpr int kMaxStartWindowMinutes = 30 * 24 * 60;
inline constexpr int kMinCompletionAfterStartMinutes = 60;
inline constexpr int kMaxCompletionWindowMinutes = 36500 * 24 * 60;
// Lifecycle: days at most 100 years; DeleteAfterDays ≥ MoveToColdStorageAfterDays + 90 when both.
inline constexpr int kMaxLifecycleDays = 36500;
inline constexpr int kMinColdStorageDays = 90;
// Jobs a cloud keeps per account and Region: the oldest finished ones go first.
inline constexpr int kMaxBackupJobsKept = 10000;

// The facts of the caller's account and Region a definition is checked against.
struct BackupFacts {
  // Vaults, plans of the caller in its Region; selections of the plan.
  int vaults = 0;
  int plans = 0;
  int selections = 0;
  // Whether the name asked for is taken (a vault, a plan, a selection of the plan).
  bool name_taken = false;
  // Whether a vault of that name exists in the caller's account and Region.
  std::function<bool(absl::string_view)> vault_exists;
};

// CreateBackupVault: the name's form and uniqueness, the vault quota. The key is resolved by the
// caller (a key it cannot resolve is refused there).
Decision DecideCreateBackupVault(absl::string_view name, const BackupFacts& facts);
// CreateBackupPlan: names, rules (schedule expressions parsed with their time zone, windows,
// lifecycles, copy destinations, target vaults that exist), the plan quota.
Decision DecideCreateBackupPlan(const BackupPlanRequest& request, const BackupFacts& facts);
// CreateBackupSelection: name, role ARN, resources, tag conditions, the selection quota.
Decision DecideCreateBackupSelection(const BackupSelectionRequest& request,
                                     const BackupFacts& facts);
// StartBackupJob: the vault exists, a role, an EC2 instance ARN of the caller's account and
// Region, a valid lifecycle.
Decision DecideStartBackupJob(const StartBackupJobRequest& request, AccountId account,
                              Region region, const BackupFacts& facts);
// A lifecycle's bounds (also used for copy actions).
Decision DecideBackupLifecycle(const BackupLifecycle& lifecycle, absl::string_view where);

// True when `selection` assigns the instance with ARN `arn` and tags `tags`: Resources (every
// resource when empty) AND any ListOfTags entry (when given) AND every Conditions entry, and the
// instance is not in NotResources (MC-86). ARN patterns take `*` wildcards.
bool BackupSelects(const BackupSelectionRequest& selection, absl::string_view arn,
                   const TagSet& tags);
// `text` matches `pattern`, in which `*` stands for any run of characters (StringLike, ARNs).
bool BackupWildcardMatch(absl::string_view pattern, absl::string_view text);

// A recovery point's AMI may be copied to `destination`'s vault (BACKUP-2): never an AMI with
// a Marketplace product code into another account. The copy itself is always encrypted with the
// destination vault's key (BACKUP-3); the permit says so.
Decision DecideBackupCopy(const Image& image, AccountId destination, const KmsKeyArn& vault_key);

// The error codes AWS Backup answers with (BACKUP-1 … 3, MC-87).
inline constexpr ErrorCode kBackupInvalid = ErrorCode::kInvalidParameterValueException;
inline constexpr ErrorCode kBackupMissing = ErrorCode::kMissingParameterValueException;
inline constexpr ErrorCode kBackupExists = ErrorCode::kAlreadyExistsException;
inline constexpr ErrorCode kBackupNotFound = ErrorCode::kResourceNotFoundException;
inline constexpr ErrorCode kBackupLimit = ErrorCode::kLimitExceededException;

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_AUTOMATION_BACKUP_H_
