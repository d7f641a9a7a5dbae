// Backup automation state to and from its state-file record.
#include "io/automation_proto.h"

namespace ami::internal {

void BackupToProto(const BackupState&, v1::BackupStateRecord*) {}

absl::Status BackupFromProto(const v1::BackupStateRecord&, BackupState*) { return absl::OkStatus(); }

}  // namespace ami::internal
