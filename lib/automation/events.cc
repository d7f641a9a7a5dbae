// EventBridge rules and Scheduler schedules in a cloud (BACKUP-4): the Automation methods that
// put, delete and list them.
// The firings are in events_run.cc.
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/automation/automation.h"
#include "automation/automation_state.h"
#include "automation/events_run.h"
#include "cloud/ops_common.h"
#include "cloud/state.h"
#include "policy/automation_events.h"
#include "values/status_macros.h"

namespace ami {
namespace {

using internal::EventSchedule;
using internal::EventsState;

// The schedules of one account and Region: the keys that start with `prefix`.
template <typename Fn>
void ForEachInRegion(const EventsState& events, const std::string& prefix, Fn fn) {
  for (auto it = events.schedules.lower_bound(prefix);
       it != events.schedules.end() && absl::StartsWith(it->first, prefix); ++it) {
    fn(it->second);
  }
}

}  // namespace

namespace internal {

std::string EventsKey(AccountId account, Region region, const std::string& name) {
  return absl::StrCat(account.ToString(), "/", region.code(), "/", name);
}

bool operator==(const EventSchedule& a, const EventSchedule& b) {
  return std::tie(a.account, a.region, a.request, a.order, a.anchor, a.copies) ==
         std::tie(b.account, b.region, b.request, b.order, b.anchor, b.copies);
}

bool operator==(const EventsState& a, const EventsState& b) { return a.schedules == b.schedules; }

}  // namespace internal

absl::Status Automation::PutSchedule(const CallContext& ctx, const EventScheduleRequest& request) {
  internal::CloudState& s = internal::CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  internal::AutomationState& automation = s.mutable_automation();
  EventsState& events = automation.events;
  const std::string key = internal::EventsKey(ctx.account, ctx.region, request.name);
  policy::PutScheduleQuestion q{ctx.account, ctx.region, &request};
  ForEachInRegion(events, internal::EventsKey(ctx.account, ctx.region),
                  [&](const EventSchedule&) { ++q.schedules_in_region; });
  q.replaces = events.schedules.count(key) > 0;
  AMI_RETURN_IF_ERROR(internal::Gate(policy::EvaluatePutSchedule(q), ctx));
  EventSchedule& schedule = events.schedules[key];
  if (!q.replaces) {
    schedule.account = ctx.account;
    schedule.region = ctx.region;
    schedule.order = automation.NextOrder();
  }
  schedule.request = request;
  schedule.anchor = s.Now();
  automation.Dequeue(internal::Service::kEvents, key);
  internal::EnqueueNextEventFiring(automation, key, schedule, s.Now());
  return absl::OkStatus();
}

absl::Status Automation::DeleteSchedule(const CallContext& ctx, const std::string& name) {
  internal::CloudState& s = internal::CloudAccess::State(*cloud_);
  internal::WriterLock lock(s.mu);
  internal::AutomationState& automation = s.mutable_automation();
  const std::string key = internal::EventsKey(ctx.account, ctx.region, name);
  const bool exists = automation.events.schedules.count(key) > 0;
  AMI_RETURN_IF_ERROR(internal::Gate(policy::EvaluateDeleteSchedule(name, exists), ctx));
  automation.events.schedules.erase(key);
  automation.Dequeue(internal::Service::kEvents, key);
  return absl::OkStatus();
}

std::vector<EventScheduleRequest> Automation::ListSchedules(const CallContext& ctx) const {
  const internal::CloudState& s = internal::CloudAccess::State(*cloud_);
  internal::ReaderLock lock(s.mu);
  std::vector<EventScheduleRequest> out;
  ForEachInRegion(s.automation().events, internal::EventsKey(ctx.account, ctx.region),
                  [&](const EventSchedule& e) { out.push_back(e.request); });
  return out;
}

}  // namespace ami
