// EventBridge rules and Scheduler schedules in a cloud. Internal to libami.
#ifndef AMI_LIB_AUTOMATION_EVENTS_STATE_H_
#define AMI_LIB_AUTOMATION_EVENTS_STATE_H_

#include <map>
#include <string>

#include "ami/automation/automation.h"

namespace ami::internal {

struct EventsState {
  friend bool operator==(const EventsState& a, const EventsState& b);
};

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_EVENTS_STATE_H_
