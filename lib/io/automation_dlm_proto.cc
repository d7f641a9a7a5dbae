// Dlm automation state to and from its state-file record.
#include "io/automation_proto.h"

namespace ami::internal {

void DlmToProto(const DlmState&, v1::DlmStateRecord*) {}

absl::Status DlmFromProto(const v1::DlmStateRecord&, DlmState*) { return absl::OkStatus(); }

}  // namespace ami::internal
