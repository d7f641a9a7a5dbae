// Data Lifecycle Manager AMI policies in a cloud (BACKUP-5 … 10).
#include "automation/automation_state.h"
#include "cloud/state.h"

namespace ami::internal {

void RunDlmTrigger(CloudState&, const Trigger&) {}

}  // namespace ami::internal
