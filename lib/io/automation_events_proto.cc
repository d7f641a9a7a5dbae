// Events automation state to and from its state-file record.
#include "io/automation_proto.h"

namespace ami::internal {

void EventsToProto(const EventsState&, v1::EventsStateRecord*) {}

absl::Status EventsFromProto(const v1::EventsStateRecord&, EventsState*) { return absl::OkStatus(); }

}  // namespace ami::internal
