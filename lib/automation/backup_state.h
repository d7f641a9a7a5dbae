// AWS Backup's state in a cloud: vaults, plans with their selections, jobs and recovery points.
// Internal to libami.
#ifndef AMI_LIB_AUTOMATION_BACKUP_STATE_H_
#define AMI_LIB_AUTOMATION_BACKUP_STATE_H_

#include <map>
#include <string>

#include "ami/automation/automation.h"

namespace ami::internal {

struct BackupState {
  friend bool operator==(const BackupState& a, const BackupState& b);
};

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_BACKUP_STATE_H_
