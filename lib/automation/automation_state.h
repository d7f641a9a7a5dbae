// The automation's state inside a cloud: definitions of each service and the queue of their
// firings. Internal to libami; guarded by the CloudState's mutex like every other table.
#ifndef AMI_LIB_AUTOMATION_AUTOMATION_STATE_H_
#define AMI_LIB_AUTOMATION_AUTOMATION_STATE_H_

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <tuple>

#include "absl/time/time.h"
#include "ami/automation/automation.h"
#include "automation/backup_state.h"
#include "automation/dlm_state.h"
#include "automation/events_state.h"

namespace ami::internal {

class CloudState;

// The service a firing belongs to.
enum class Service : uint8_t { kDlm, kBackup, kEvents };

// One firing due at `at`. Firings due together run in `order`, the order their definitions
// were made (then by `index`): deterministic whatever the insertion order.
struct Trigger {
  absl::Time at;
  uint64_t order = 0;
  int index = 0;        // the schedule, rule or stage within the definition
  Service service = Service::kDlm;
  std::string id;       // the definition's id (policy id, plan id, rule key)
  int kind = 0;         // what the service does at this firing (its own meaning)

  auto Tie() const { return std::tie(at, order, index, service, id, kind); }
  friend bool operator<(const Trigger& a, const Trigger& b) { return a.Tie() < b.Tie(); }
  friend bool operator==(const Trigger& a, const Trigger& b) { return a.Tie() == b.Tie(); }
};

class AutomationState {
 public:
  DlmState dlm;
  BackupState backup;
  EventsState events;

  // The next order number for a new definition.
  uint64_t NextOrder() { return next_order_++; }
  uint64_t next_order() const { return next_order_; }
  void set_next_order(uint64_t n) { next_order_ = n; }

  void Enqueue(Trigger t) { queue_.insert(std::move(t)); }
  // Drops every firing of definition `id` of `service`.
  void Dequeue(Service service, const std::string& id);
  // The earliest firing, or nullptr when none is queued.
  const Trigger* Next() const { return queue_.empty() ? nullptr : &*queue_.begin(); }
  Trigger PopNext();
  const std::set<Trigger>& queue() const { return queue_; }

  // Appends a record to the history of (account, Region), keeping the newest
  // Automation::kMaxHistory records of each source.
  void Record(AccountId account, Region region, AutomationRecord record);
  const std::deque<AutomationRecord>* HistoryOf(AccountId account, Region region) const;
  const auto& history() const { return history_; }

  friend bool operator==(const AutomationState& a, const AutomationState& b);

 private:
  uint64_t next_order_ = 1;
  std::set<Trigger> queue_;
  std::map<std::pair<AccountId, Region>, std::deque<AutomationRecord>> history_;
};

// Runs one firing on the state (the caller holds the writer lock and has moved the clock to
// `t.at`). Each service's runner enqueues its own next firing.
void RunTrigger(CloudState& s, const Trigger& t);
void RunDlmTrigger(CloudState& s, const Trigger& t);
void RunBackupTrigger(CloudState& s, const Trigger& t);
void RunEventsTrigger(CloudState& s, const Trigger& t);

}  // namespace ami::internal

#endif  // AMI_LIB_AUTOMATION_AUTOMATION_STATE_H_
