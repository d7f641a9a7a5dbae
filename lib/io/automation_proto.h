// The automation's state to and from its state-file records, one pair of functions per
// service. Internal to libami.
#ifndef AMI_LIB_IO_AUTOMATION_PROTO_H_
#define AMI_LIB_IO_AUTOMATION_PROTO_H_

#include "absl/status/status.h"
#include "ami/v1/automation.pb.h"
#include "automation/automation_state.h"

namespace ami::internal {

void DlmToProto(const DlmState& state, v1::DlmStateRecord* out);
absl::Status DlmFromProto(const v1::DlmStateRecord& in, DlmState* out);
void BackupToProto(const BackupState& state, v1::BackupStateRecord* out);
absl::Status BackupFromProto(const v1::BackupStateRecord& in, BackupState* out);
void EventsToProto(const EventsState& state, v1::EventsStateRecord* out);
absl::Status EventsFromProto(const v1::EventsStateRecord& in, EventsState* out);

}  // namespace ami::internal

#endif  // AMI_LIB_IO_AUTOMATION_PROTO_H_
