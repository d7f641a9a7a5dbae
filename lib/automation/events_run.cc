// The firings of EventBridge rules and Scheduler schedules (BACKUP-4): each action calls EC2 in
// the schedule's account and Region as its role, through the public operations' own code, and
// every call's outcome goes to the history.
#include "automation/events_run.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/automation/schedule.h"
#include "ami/errors.h"
#include "cloud/service_calls.h"
#include "cloud/state.h"

namespace ami::internal {
namespace {

using Kind = AutomationAction::Kind;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// One firing of one schedule.
struct Firing {
  CloudState& s;
  EventSchedule& schedule;
  CallContext ctx;
  absl::Time at;
};

// True when `tags` holds every wanted key with its value.
bool Carries(const TagSet& tags, const Pairs& wanted) {
  for (const auto& [key, value] : wanted) {
    const std::optional<absl::string_view> got = tags.Find(key);
    if (!got.has_value() || *got != value) return false;
  }
  return true;
}

std::string CodeOf(const absl::Status& status) {
  if (status.ok()) return "OK";
  const std::optional<ErrorCode> code = GetErrorCode(status);
  return code.has_value() ? std::string(ErrorCodeName(*code))
                          : absl::StatusCodeToString(status.code());
}

void Record(Firing& f, absl::string_view action, std::string resource, std::string result,
            std::string code, std::string message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.s.mu) {
  AutomationRecord r;
  r.time = f.at;
  r.source = absl::StrCat("events:", f.schedule.request.name);
  r.action = std::string(action);
  r.resource = std::move(resource);
  r.result = std::move(result);
  r.error_code = std::move(code);
  r.message = std::move(message);
  f.s.mutable_automation().Record(f.schedule.account, f.schedule.region, std::move(r));
}

void RecordCall(Firing& f, absl::string_view action, std::string resource, std::string result,
                const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.s.mu) {
  Record(f, action, std::move(resource), std::move(result), CodeOf(status),
         std::string(status.message()));
}

// The account's images in `region` that carry every tag of `tags` (at least one), by id. The
// cost is that of the images carrying the rarest of the tags, as the account sees them.
std::vector<ImageId> ImagesCarrying(const CloudState& s, AccountId account, Region region,
                                    const Pairs& tags) ABSL_SHARED_LOCKS_REQUIRED(s.mu) {
  const ImageIndex::IdSet* rarest = nullptr;
  for (const auto& [key, value] : tags) {
    const ImageIndex::IdSet* set = s.image_index().ByTag(account, region, key, value);
    if (set == nullptr) return {};
    if (rarest == nullptr || set->size() < rarest->size()) rarest = set;
  }
  std::vector<ImageId> out;
  if (rarest == nullptr) return out;
  for (const ImageId id : *rarest) {
    const Image* image = s.FindImage(id);
    if (image != nullptr && image->owner() == account && Carries(image->tags(), tags)) {
      out.push_back(id);
    }
  }
  return out;
}

// The instances a CreateImage action images: those it names, else the account's running or
// stopped instances of the Region that carry its tags; by id.
std::vector<std::string> CreateTargets(const Firing& f, const AutomationAction& a)
    ABSL_SHARED_LOCKS_REQUIRED(f.s.mu) {
  std::set<std::string> named(a.instance_ids.begin(), a.instance_ids.end());
  if (!named.empty()) return {named.begin(), named.end()};
  std::vector<InstanceId> ids;
  if (const std::vector<InstanceId>* all = f.s.InstancesOf(f.schedule.account, f.schedule.region)) {
    for (const InstanceId id : *all) {
      const Instance* instance = f.s.FindInstance(id);
      if (instance == nullptr) continue;
      const InstanceState state = instance->state();
      if ((state == InstanceState::kRunning || state == InstanceState::kStopped) &&
          Carries(instance->tags(), a.instance_tags)) {
        ids.push_back(id);
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const InstanceId id : ids) out.push_back(id.ToString());
  return out;
}

void RunCreate(Firing& f, const AutomationAction& a) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.s.mu) {
  for (const std::string& instance : CreateTargets(f, a)) {
    CreateImageRequest request;
    request.instance_id = instance;
    request.name = EventImageName(a.name_prefix, f.at, instance);
    request.no_reboot = a.no_reboot;
    if (!a.tags_to_add.empty()) request.tag_specifications.push_back({"image", a.tags_to_add});
    const absl::StatusOr<ImageId> made = ServiceCreateImage(f.s, f.ctx, request);
    RecordCall(f, "CreateImage", instance, made.ok() ? made->ToString() : "", made.status());
  }
}

// The failure a copy that EC2 accepted will end in (KMS-11, COPY-11), if it will.
std::optional<StateReason> FailsLater(const CloudState& s, ImageId copy)
    ABSL_SHARED_LOCKS_REQUIRED(s.mu) {
  const std::string id = copy.ToString();
  auto [from, to] = s.pending().equal_range(s.Now() + s.ImagePending());
  for (auto it = from; it != to; ++it) {
    if (it->second.kind == PendingWork::Kind::kImage && it->second.id == id) {
      return it->second.failure;
    }
  }
  return std::nullopt;
}

// A source this action copied before, into a copy that did not fail, is not copied again; nor
// is a copy this action made.
bool CopiedBefore(const Firing& f, int index, ImageId source, const std::set<ImageId>& made)
    ABSL_SHARED_LOCKS_REQUIRED(f.s.mu) {
  if (made.count(source) > 0) return true;
  auto it = f.schedule.copies.find({index, source});
  if (it == f.schedule.copies.end()) return false;
  const Image* copy = f.s.FindImage(it->second);
  return copy == nullptr || copy->state() != ImageState::kFailed;
}

void RunCopy(Firing& f, int index, const AutomationAction& a)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.s.mu) {
  const Region source_region = Region::Parse(a.source_region).value_or(f.schedule.region);
  std::set<ImageId> made;
  for (const auto& [key, copy] : f.schedule.copies) {
    if (key.first == index) made.insert(copy);
  }
  for (const ImageId source :
       ImagesCarrying(f.s, f.schedule.account, source_region, a.image_tags)) {
    const Image* image = f.s.FindImage(source);
    if (image == nullptr || image->state() != ImageState::kAvailable) continue;
    if (CopiedBefore(f, index, source, made)) continue;
    CopyImageRequest request;
    request.source_image_id = source.ToString();
    request.source_region = std::string(source_region.code());
    request.name = EventImageName(a.name_prefix, f.at, request.source_image_id);
    if (a.encrypted) request.encrypted = true;
    request.kms_key_id = a.kms_key_id;
    if (!a.tags_to_add.empty()) request.tag_specifications.push_back({"image", a.tags_to_add});
    const absl::StatusOr<ImageId> copy = ServiceCopyImage(f.s, f.ctx, request);
    if (!copy.ok()) {
      RecordCall(f, "CopyImage", request.source_image_id, "", copy.status());
      continue;
    }
    if (std::optional<StateReason> failure = FailsLater(f.s, *copy)) {
      Record(f, "CopyImage", request.source_image_id, copy->ToString(), failure->code,
             absl::StrCat("the copy `", copy->ToString(), "` was accepted and fails later: ",
                          failure->message));
      continue;
    }
    f.schedule.copies.insert_or_assign({index, source}, *copy);
    RecordCall(f, "CopyImage", request.source_image_id, copy->ToString(), absl::OkStatus());
  }
}

void RunDeregister(Firing& f, const AutomationAction& a) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.s.mu) {
  const absl::Time cutoff = f.at - absl::Hours(24) * a.older_than_days;
  for (const ImageId id :
       ImagesCarrying(f.s, f.schedule.account, f.schedule.region, a.image_tags)) {
    const Image* image = f.s.FindImage(id);
    if (image == nullptr || image->creation_time() >= cutoff) continue;
    const auto deleted =
        ServiceDeregisterImage(f.s, f.ctx, id, /*delete_associated_snapshots=*/true);
    if (!deleted.ok()) {
      RecordCall(f, "DeregisterImage", id.ToString(), "", deleted.status());
      continue;
    }
    std::string snapshots;
    for (const DeleteSnapshotResult& r : *deleted) {
      absl::StrAppend(&snapshots, snapshots.empty() ? "snapshots: " : ", ",
                      r.snapshot_id.ToString(), " ", r.return_code);
    }
    Record(f, "DeregisterImage", id.ToString(), "", "OK", std::move(snapshots));
  }
}

}  // namespace

std::string EventImageName(const std::string& prefix, absl::Time at, const std::string& id) {
  return absl::StrCat(prefix, absl::FormatTime("%Y-%m-%dT%H-%M-%SZ", at, absl::UTCTimeZone()),
                      "-", id);
}

void EnqueueNextEventFiring(AutomationState& automation, const std::string& key,
                            const EventSchedule& schedule, absl::Time after) {
  if (schedule.request.state != "ENABLED") return;
  const absl::StatusOr<ScheduleExpression> expression =
      ScheduleExpression::Parse(schedule.request.schedule_expression, schedule.request.timezone);
  if (!expression.ok()) return;  // Put and loaded schedules were checked.
  const std::optional<absl::Time> next = expression->NextAfter(after, schedule.anchor);
  if (!next.has_value()) return;
  Trigger t;
  t.at = *next;
  t.order = schedule.order;
  t.service = Service::kEvents;
  t.id = key;
  automation.Enqueue(std::move(t));
}

// The caller (RunTrigger, from Cloud::AdvanceClock) holds s.mu as the writer.
void RunEventsTrigger(CloudState& s, const Trigger& t) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  auto it = s.mutable_automation().events.schedules.find(t.id);
  if (it == s.mutable_automation().events.schedules.end()) return;
  EventSchedule& schedule = it->second;
  if (schedule.request.state != "ENABLED") return;
  Firing f{s, schedule, CallContext{}, t.at};
  f.ctx.account = schedule.account;
  f.ctx.region = schedule.region;
  f.ctx.principal = schedule.request.role_arn;
  for (size_t i = 0; i < schedule.request.actions.size(); ++i) {
    const AutomationAction& a = schedule.request.actions[i];
    switch (a.kind) {
      case Kind::kCreateImage:
        RunCreate(f, a);
        break;
      case Kind::kCopyImage:
        RunCopy(f, static_cast<int>(i), a);
        break;
      case Kind::kDeregisterOlderThan:
        RunDeregister(f, a);
        break;
    }
  }
  EnqueueNextEventFiring(s.mutable_automation(), t.id, schedule, t.at);
}

}  // namespace ami::internal
