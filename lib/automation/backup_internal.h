// What AWS Backup's facade (backup.cc) and its firings (backup_run.cc) share: ARNs and ids,
// the calls' context, and the start of a job. Internal to libami; every function here is called
// with the cloud's writer lock held.
#ifndef AMI_LIB_AUTOMATION_BACKUP_INTERNAL_H_
#define AMI_LIB_AUTOMATION_BACKUP_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/automation/automation.h"
#include "ami/requests.h"
#include "automation/automation_state.h"
#include "cloud/state.h"

namespace ami::internal {

// The system tag AWS Backup puts on the AMIs it makes and copies; its value is the backed-up
// instance's ARN. EC2 refuses DeregisterImage of such an AMI (DEREG-5) unless AWS Backup calls.
inline constexpr absl::string_view kBackupSourceTag = "aws:backup:source-resource";
// The context key and value of the calls AWS Backup makes as itself (deleting recovery points).
inline constexpr absl::string_view kCalledViaKey = "aws:CalledVia";
inline constexpr absl::string_view kBackupServicePrincipal = "backup.amazonaws.com";

// arn:aws:backup:<region>:<account>:backup-vault:<name>
std::string BackupVaultArn(AccountId account, Region region, absl::string_view name);
// arn:aws:ec2:<region>:<account>:instance/<id>
std::string BackupInstanceArn(AccountId account, Region region, InstanceId id);
// arn:aws:ec2:<region>::image/<ami id> (an EC2 recovery point).
std::string RecoveryPointArn(Region region, ImageId image);
// A UUID-shaped id from the counter `n` (plan, selection and job ids): deterministic, and in
// the order of `n` when compared as text.
std::string BackupUuid(uint64_t n);
// The vault (account, Region, name) named by a vault ARN; nullopt when it is malformed.
std::optional<VaultKey> ParseBackupVaultArn(absl::string_view arn);

// The context of a call AWS Backup makes in (account, Region) as `role` (empty: the account's
// root user); `as_backup` adds aws:CalledVia = backup.amazonaws.com.
CallContext BackupCallContext(AccountId account, Region region, const std::string& role,
                              bool as_backup);

// Appends a record to the history of (account, Region); `status` OK or the refusal.
void RecordBackup(CloudState& s, AccountId account, Region region, const std::string& source,
                  absl::string_view action, const std::string& resource,
                  const std::string& result, const absl::Status& status)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
// "<ErrorCode>: <message>", how a job's status message reports a refused call.
std::string BackupStatusMessage(const absl::Status& status);

// What a backup job backs up, where, as whom, and what happens to its recovery point.
struct BackupJobSpec {
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  std::string vault_name;
  std::string resource_arn;
  std::string role_arn;
  std::string plan_id;    // empty: on demand
  std::string rule_name;
  BackupLifecycle lifecycle;
  std::vector<BackupCopyAction> copy_actions;
  std::vector<std::pair<std::string, std::string>> recovery_point_tags;
  int completion_window_minutes = 10080;
};

// Makes a job and starts it: CreateImage with NoReboot=true as the job's role (BACKUP-1), the
// job RUNNING and a firing at the image's pending end, or FAILED with the refusal. Returns the
// job id.
std::string StartBackupJobLocked(CloudState& s, const BackupJobSpec& spec)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);

// Deletes a recovery point's AMI and its snapshots as AWS Backup (aws:CalledVia), acting in
// the recovery point's account and Region as `role`; on success the point is gone from the state.
absl::Status DeleteRecoveryPointLocked(CloudState& s, const std::string& arn,
                                       const std::string& role, const std::string& source)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_BACKUP_INTERNAL_H_
