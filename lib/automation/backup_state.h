// AWS Backup's state in a cloud: vaults, plans with their selections, jobs and recovery points.
// Internal to libami; guarded by the CloudState's mutex.
#ifndef AMI_LIB_AUTOMATION_BACKUP_STATE_H_
#define AMI_LIB_AUTOMATION_BACKUP_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "ami/automation/automation.h"
#include "ami/ids.h"

namespace ami::internal {

// What a firing of AWS Backup does (Trigger::kind); Trigger::id names the plan, job or recovery
// point, Trigger::index the rule of a plan.
enum class BackupTriggerKind : int {
  kRule = 0,       // a plan's scheduled rule fires (id: plan id, index: rule)
  kJobDone = 1,    // a backup or copy job's image should be available (id: job id)
  kExpire = 2,     // a recovery point's DeleteAfterDays has passed (id: recovery point ARN)
};

// A plan and the place of its firings in the order of definitions.
struct BackupPlanState {
  BackupPlanInfo info;
  uint64_t order = 0;
  friend bool operator==(const BackupPlanState& a, const BackupPlanState& b) {
    return a.info == b.info && a.order == b.order;
  }
};

// A job with what it still has to do once its image is available.
struct BackupJobState {
  BackupJob job;
  // The AMI the job made (a backup job's CreateImage, a copy job's CopyImage).
  std::optional<ImageId> image;
  // The role the job acts as (CallContext::principal); empty: the account's root user.
  std::string role_arn;
  uint64_t order = 0;
  // The recovery point's lifecycle, and the copies to make once it completes.
  BackupLifecycle lifecycle;
  std::vector<BackupCopyAction> copy_actions;
  // A copy job: the destination vault's ARN.
  std::string destination_vault_arn;
  // When the job must have completed (CompletionWindowMinutes after its creation).
  absl::Time deadline;
  friend bool operator==(const BackupJobState& a, const BackupJobState& b);
};

// A recovery point and the role its lifecycle deletion acts as.
struct RecoveryPointState {
  RecoveryPoint point;
  std::string role_arn;
  uint64_t order = 0;
  friend bool operator==(const RecoveryPointState& a, const RecoveryPointState& b);
};

using VaultKey = std::tuple<AccountId, Region, std::string>;

struct BackupState {
  // By (account, Region, name).
  std::map<VaultKey, BackupVaultInfo> vaults;
  // By plan id; ids carry a zero-padded counter, so the order is the order of creation.
  std::map<std::string, BackupPlanState> plans;
  // By job id (creation order).
  std::map<std::string, BackupJobState> jobs;
  // By recovery point ARN.
  std::map<std::string, RecoveryPointState> recovery_points;
  // The counter behind plan, selection and job ids.
  uint64_t next_number = 1;
  friend bool operator==(const BackupState& a, const BackupState& b);
};

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_BACKUP_STATE_H_
