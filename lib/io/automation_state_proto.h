// The automation's state-file records beyond each service's pair of functions
// (lib/io/automation_proto.h): the split of a cloud's automation into records, the loader that
// adds them together and checks them, and the bounds a loaded record must keep. Internal to
// libami; not thread-safe (the caller holds the cloud's lock or owns the state).
#ifndef AMI_LIB_IO_AUTOMATION_STATE_PROTO_H_
#define AMI_LIB_IO_AUTOMATION_STATE_PROTO_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ami/v1/automation.pb.h"
#include "automation/automation_state.h"

namespace ami::internal {

// ---- Bounds of a loaded automation record (refused past them: InvalidParameterValue) ----

// Ids, names, Regions, enum words, tag keys and times.
inline constexpr size_t kMaxAutomationNameBytes = 256;
// Descriptions, ARNs, status and history messages, tag values, cron expressions.
inline constexpr size_t kMaxAutomationTextBytes = 4096;
// Lists inside one Data Lifecycle Manager policy (AWS's own limits).
inline constexpr int kMaxDlmSchedules = 4;
inline constexpr int kMaxDlmCopyRules = 3;
inline constexpr int kMaxDlmTags = 50;
inline constexpr int kMaxDlmTimes = 1;
inline constexpr int kMaxDlmCopyTargets = 3;
// Images in one part of a series (a longer series is written in several parts).
inline constexpr int kMaxDlmSeriesPart = 10000;
// History entries in one part; an account and Region holds at most Automation::kMaxHistory.
inline constexpr int kMaxHistoryPart = 1000;
// The size a writer aims each automation record at (well under kMaxStateRecordBytes).
inline constexpr size_t kAutomationPartBytes = 4 << 20;

// ---- Data Lifecycle Manager, piece by piece (lib/io/automation_dlm_proto.cc) ----

void DlmPolicyToProto(const std::string& id, const DlmPolicyState& policy,
                      v1::DlmPolicyRecord* out);
// Calls `add` with each series of `policy` (made, then copies), each cut into parts of at most
// `max_images` images; an empty series is one empty part.
void DlmSeriesToProto(const std::string& id, const DlmPolicyState& policy, size_t max_images,
                      const std::function<void(v1::DlmSeriesRecord&)>& add);

// ---- The whole automation ----

// Calls `emit` with the records that hold `state`, each aimed at `part_bytes`: the first with
// next_order, Backup and EventBridge, then Data Lifecycle Manager policies and series, firings
// and history. Nothing when `state` equals a new AutomationState.
void AutomationToRecords(const AutomationState& state,
                         const std::function<void(v1::AutomationStateRecord&)>& emit,
                         size_t part_bytes = kAutomationPartBytes);

// Adds automation records, in file order, into a state, then checks what joins them. A failed
// Add leaves the state partly filled: the caller drops it.
class AutomationLoader {
 public:
  // `now` is the loaded cloud's clock: no firing may be due before it.
  AutomationLoader(AutomationState* out, absl::Time now) : out_(out), now_(now) {}
  absl::Status Add(const v1::AutomationStateRecord& in);
  // Every firing names a definition of its service (with that definition's order for Data
  // Lifecycle Manager), ordered before next_order; a file with automation records had a first.
  absl::Status Finish() const;

 private:
  absl::Status AddTriggers(const v1::AutomationStateRecord& in);
  absl::Status AddHistory(const v1::AutomationHistoryRecord& in);

  AutomationState* out_;
  absl::Time now_;
  bool first_seen_ = false;
};

// One record holding the whole of `state` (AutomationToRecords without a size aim), and back.
void AutomationToProto(const AutomationState& state, v1::AutomationStateRecord* out);
absl::Status AutomationFromProto(const v1::AutomationStateRecord& in, absl::Time now,
                                 AutomationState* out);

// Checks a text field of a record: at most `max` bytes (InvalidParameterValue naming `what`).
absl::Status CheckText(absl::string_view what, const std::string& value, size_t max);

}  // namespace ami::internal

#endif  // AMI_LIB_IO_AUTOMATION_STATE_PROTO_H_
