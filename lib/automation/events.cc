// EventBridge rules and Scheduler schedules in a cloud (BACKUP-4).
#include "automation/automation_state.h"
#include "cloud/state.h"

namespace ami::internal {

bool operator==(const EventsState&, const EventsState&) { return true; }

void RunEventsTrigger(CloudState&, const Trigger&) {}

}  // namespace ami::internal
