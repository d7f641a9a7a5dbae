// EventBridge schedules to and from their state-file record. Reading checks each schedule as
// PutSchedule does (the policy engine's EvaluatePutSchedule), so no record can hold a schedule
// the API would refuse.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "io/automation_proto.h"
#include "policy/automation_events.h"
#include "values/status_macros.h"

namespace ami::internal {
namespace {

using Kind = AutomationAction::Kind;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// Schedules in one record, and copies remembered by one schedule: bounds of hostile files.
constexpr int kMaxRecordSchedules = 100000;
constexpr int kMaxRecordCopies = 100000;
// Anchors lie between the Unix epoch and the end of 2199, the last year a schedule fires.
constexpr int64_t kMaxAnchorSeconds = 7258118400;

absl::Status Bad(absl::string_view path, absl::string_view why) {
  return MakeError(ErrorCode::kInvalidParameterValue, absl::StrCat(path, ": ", why));
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kCreateImage:
      return "CREATE_IMAGE";
    case Kind::kCopyImage:
      return "COPY_IMAGE";
    case Kind::kDeregisterOlderThan:
      return "DEREGISTER_OLDER_THAN";
  }
  return "";
}

template <typename Repeated>
void PutTags(const Pairs& tags, Repeated* out) {
  for (const auto& [key, value] : tags) {
    v1::Tag* t = out->Add();
    t->set_key(key);
    t->set_value(value);
  }
}

template <typename Repeated>
Pairs GetTags(const Repeated& tags) {
  Pairs out;
  for (const v1::Tag& t : tags) out.emplace_back(t.key(), t.value());
  return out;
}

void ActionToProto(const AutomationAction& a, v1::EventActionRecord* out) {
  out->set_kind(KindName(a.kind));
  for (const std::string& id : a.instance_ids) out->add_instance_ids(id);
  PutTags(a.instance_tags, out->mutable_instance_tags());
  PutTags(a.image_tags, out->mutable_image_tags());
  out->set_no_reboot(a.no_reboot);
  out->set_name_prefix(a.name_prefix);
  PutTags(a.tags_to_add, out->mutable_tags_to_add());
  out->set_source_region(a.source_region);
  out->set_encrypted(a.encrypted);
  out->set_kms_key_id(a.kms_key_id);
  out->set_older_than_days(a.older_than_days);
}

absl::StatusOr<AutomationAction> ActionFromProto(const v1::EventActionRecord& p) {
  AutomationAction a;
  if (p.kind() == "CREATE_IMAGE") {
    a.kind = Kind::kCreateImage;
  } else if (p.kind() == "COPY_IMAGE") {
    a.kind = Kind::kCopyImage;
  } else if (p.kind() == "DEREGISTER_OLDER_THAN") {
    a.kind = Kind::kDeregisterOlderThan;
  } else {
    return Bad("kind", "is not CREATE_IMAGE, COPY_IMAGE or DEREGISTER_OLDER_THAN");
  }
  a.instance_ids.assign(p.instance_ids().begin(), p.instance_ids().end());
  a.instance_tags = GetTags(p.instance_tags());
  a.image_tags = GetTags(p.image_tags());
  a.no_reboot = p.no_reboot();
  a.name_prefix = p.name_prefix();
  a.tags_to_add = GetTags(p.tags_to_add());
  a.source_region = p.source_region();
  a.encrypted = p.encrypted();
  a.kms_key_id = p.kms_key_id();
  a.older_than_days = p.older_than_days();
  return a;
}

absl::Status CopiesFromProto(const v1::EventScheduleRecord& p, EventSchedule* out) {
  if (p.copies_size() > kMaxRecordCopies) {
    return MakeError(ErrorCode::kResourceLimitExceeded,
                     absl::StrCat("copies: more than ", kMaxRecordCopies));
  }
  const int actions = static_cast<int>(out->request.actions.size());
  for (const v1::EventCopyRecord& c : p.copies()) {
    if (c.action_index() < 0 || c.action_index() >= actions ||
        out->request.actions[c.action_index()].kind != Kind::kCopyImage) {
      return Bad("copies", absl::StrCat("action ", c.action_index(), " is not a CopyImage action"));
    }
    AMI_ASSIGN_OR_RETURN(const ImageId source, ImageId::Parse(c.source_image_id()));
    AMI_ASSIGN_OR_RETURN(const ImageId copy, ImageId::Parse(c.copy_image_id()));
    if (!out->copies.emplace(std::make_pair(c.action_index(), source), copy).second) {
      return Bad("copies", absl::StrCat("`", source.ToString(), "` is listed twice"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<EventSchedule> ScheduleFromProto(const v1::EventScheduleRecord& p) {
  EventSchedule e;
  AMI_ASSIGN_OR_RETURN(e.account, AccountId::Parse(p.account()));
  AMI_ASSIGN_OR_RETURN(e.region, Region::Parse(p.region()));
  e.request.name = p.name();
  e.request.schedule_expression = p.schedule_expression();
  e.request.timezone = p.timezone();
  e.request.state = p.state();
  e.request.role_arn = p.role_arn();
  if (p.actions_size() > static_cast<int>(policy::kMaxEventScheduleActions)) {
    return MakeError(ErrorCode::kLimitExceededException,
                     absl::StrCat("actions: ", p.actions_size(), ", more than ",
                                  policy::kMaxEventScheduleActions));
  }
  for (const v1::EventActionRecord& a : p.actions()) {
    AMI_ASSIGN_OR_RETURN(AutomationAction action, ActionFromProto(a));
    e.request.actions.push_back(std::move(action));
  }
  policy::PutScheduleQuestion q{e.account, e.region, &e.request};
  q.replaces = true;  // The count per Region is checked by the caller.
  AMI_RETURN_IF_ERROR(policy::EvaluatePutSchedule(q).ToStatus());
  e.order = p.order();
  if (p.anchor_seconds() < 0 || p.anchor_seconds() > kMaxAnchorSeconds || p.anchor_nanos() < 0 ||
      p.anchor_nanos() > 999999999) {
    return Bad("anchor", "is not a time between 1970 and 2199");
  }
  e.anchor = absl::FromUnixSeconds(p.anchor_seconds()) + absl::Nanoseconds(p.anchor_nanos());
  AMI_RETURN_IF_ERROR(CopiesFromProto(p, &e));
  return e;
}

}  // namespace

void EventsToProto(const EventsState& state, v1::EventsStateRecord* out) {
  out->Clear();
  for (const auto& [key, e] : state.schedules) {
    v1::EventScheduleRecord* p = out->add_schedules();
    p->set_account(e.account.ToString());
    p->set_region(std::string(e.region.code()));
    p->set_name(e.request.name);
    p->set_schedule_expression(e.request.schedule_expression);
    p->set_timezone(e.request.timezone);
    p->set_state(e.request.state);
    p->set_role_arn(e.request.role_arn);
    for (const AutomationAction& a : e.request.actions) ActionToProto(a, p->add_actions());
    p->set_order(e.order);
    const absl::Duration since = e.anchor - absl::UnixEpoch();
    const int64_t seconds = absl::ToInt64Seconds(since);
    p->set_anchor_seconds(seconds);
    p->set_anchor_nanos(static_cast<int32_t>(
        absl::ToInt64Nanoseconds(since - absl::Seconds(seconds))));
    for (const auto& [from, copy] : e.copies) {
      v1::EventCopyRecord* c = p->add_copies();
      c->set_action_index(from.first);
      c->set_source_image_id(from.second.ToString());
      c->set_copy_image_id(copy.ToString());
    }
  }
}

absl::Status EventsFromProto(const v1::EventsStateRecord& in, EventsState* out) {
  if (in.schedules_size() > kMaxRecordSchedules) {
    return MakeError(ErrorCode::kResourceLimitExceeded,
                     absl::StrCat("schedules: ", in.schedules_size(), ", more than ",
                                  kMaxRecordSchedules));
  }
  EventsState state;
  std::map<std::string, size_t> per_region;
  for (int i = 0; i < in.schedules_size(); ++i) {
    const std::string path = absl::StrCat("schedules[", i, "]");
    absl::StatusOr<EventSchedule> e = ScheduleFromProto(in.schedules(i));
    if (!e.ok()) {
      return MakeError(GetErrorCode(e.status()).value_or(ErrorCode::kInvalidParameterValue),
                       absl::StrCat(path, ": ", e.status().message()));
    }
    if (++per_region[EventsKey(e->account, e->region)] > policy::kMaxEventSchedulesPerRegion) {
      return MakeError(ErrorCode::kLimitExceededException,
                       absl::StrCat(path, ": more than ", policy::kMaxEventSchedulesPerRegion,
                                    " schedules in one account and region"));
    }
    const std::string key = EventsKey(e->account, e->region, e->request.name);
    if (!state.schedules.emplace(key, *std::move(e)).second) {
      return Bad(path, absl::StrCat("schedule `", key, "` is listed twice"));
    }
  }
  *out = std::move(state);
  return absl::OkStatus();
}

}  // namespace ami::internal
