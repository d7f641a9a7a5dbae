// The automation's queue and history, and the dispatch of a firing to its service.
#include "automation/automation_state.h"

#include <utility>

#include "cloud/state.h"

namespace ami::internal {

void AutomationState::Dequeue(Service service, const std::string& id) {
  for (auto it = queue_.begin(); it != queue_.end();) {
    it = (it->service == service && it->id == id) ? queue_.erase(it) : std::next(it);
  }
}

Trigger AutomationState::PopNext() {
  Trigger t = *queue_.begin();
  queue_.erase(queue_.begin());
  return t;
}

void AutomationState::Record(AccountId account, Region region, AutomationRecord record) {
  std::deque<AutomationRecord>& log = history_[{account, region}];
  log.push_back(std::move(record));
  while (log.size() > static_cast<size_t>(Automation::kMaxHistory)) log.pop_front();
}

const std::deque<AutomationRecord>* AutomationState::HistoryOf(AccountId account,
                                                               Region region) const {
  auto it = history_.find({account, region});
  return it == history_.end() ? nullptr : &it->second;
}

bool operator==(const AutomationState& a, const AutomationState& b) {
  return a.dlm == b.dlm && a.backup == b.backup && a.events == b.events &&
         a.next_order_ == b.next_order_ && a.queue_ == b.queue_ && a.history_ == b.history_;
}

bool operator==(const DlmPolicyState& a, const DlmPolicyState& b) {
  return a.policy == b.policy && a.order == b.order && a.made == b.made && a.copies == b.copies;
}

bool operator==(const DlmState& a, const DlmState& b) {
  return a.policies == b.policies && a.next_number == b.next_number;
}

void RunTrigger(CloudState& s, const Trigger& t) {
  switch (t.service) {
    case Service::kDlm:
      RunDlmTrigger(s, t);
      break;
    case Service::kBackup:
      RunBackupTrigger(s, t);
      break;
    case Service::kEvents:
      RunEventsTrigger(s, t);
      break;
  }
}

}  // namespace ami::internal
