// EventBridge rules and Scheduler schedules in a cloud. Internal to libami; guarded by the
// CloudState's mutex like the rest of AutomationState.
#ifndef AMI_LIB_AUTOMATION_EVENTS_STATE_H_
#define AMI_LIB_AUTOMATION_EVENTS_STATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "ami/automation/automation.h"
#include "ami/ids.h"

namespace ami::internal {

// One schedule as put, and what its firings remember.
struct EventSchedule {
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  EventScheduleRequest request;
  // Its place among definitions firing at the same time (AutomationState::NextOrder()).
  uint64_t order = 0;
  // When it was last put: rate() counts from here.
  absl::Time anchor = absl::UnixEpoch();
  // Copies its CopyImage actions made: (action index, source image) → copy. A source whose copy
  // was made is not copied again.
  std::map<std::pair<int, ImageId>, ImageId> copies;

  friend bool operator==(const EventSchedule& a, const EventSchedule& b);
  friend bool operator!=(const EventSchedule& a, const EventSchedule& b) { return !(a == b); }
};

struct EventsState {
  // By key "<account>/<region>/<name>" (EventsKey), which is also the id of its firings: the
  // schedules of one account and Region are adjacent and ordered by name.
  std::map<std::string, EventSchedule> schedules;

  friend bool operator==(const EventsState& a, const EventsState& b);
};

// The key of schedule `name` of `account` in `region`; "<account>/<region>/" alone is the prefix
// of all of them.
std::string EventsKey(AccountId account, Region region, const std::string& name = "");

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_EVENTS_STATE_H_
