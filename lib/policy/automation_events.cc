// Whether an EventBridge schedule may be put or deleted (BACKUP-4, MC-90).
#include "policy/automation_events.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/automation/schedule.h"
#include "ami/image.h"
#include "policy/common.h"
#include "values/text_util.h"

namespace ami::policy {
namespace {

using Kind = AutomationAction::Kind;
using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string Ticked(absl::string_view text) { return absl::StrCat("`", text_util::Clip(text), "`"); }

// A tag list of an action: at most 50 distinct valid tags; `user` also refuses `aws:` keys.
std::string TagsProblem(absl::string_view field, const Pairs& tags, bool user) {
  if (tags.size() > kMaxEventActionTags) {
    return absl::StrCat(field, " has ", tags.size(), " tags, more than ", kMaxEventActionTags);
  }
  std::vector<Tag> list;
  for (const auto& [key, value] : tags) {
    absl::StatusOr<Tag> tag = Tag::Create(key, value);
    if (!tag.ok()) return absl::StrCat(field, ": ", tag.status().message());
    list.push_back(*std::move(tag));
  }
  absl::StatusOr<TagSet> set = user ? TagSet::CreateUserTags(list) : TagSet::Create(list);
  return set.ok() ? std::string() : absl::StrCat(field, ": ", set.status().message());
}

// name_prefix: short enough, and of the characters of AMI names.
std::string PrefixProblem(const AutomationAction& a) {
  if (a.name_prefix.size() > kMaxEventNamePrefixBytes) {
    return absl::StrCat("name prefix ", Ticked(a.name_prefix), " is longer than ",
                        kMaxEventNamePrefixBytes, " characters");
  }
  const std::string sample =
      absl::StrCat(a.name_prefix, "2026-01-01T00-00-00Z-ami-0123456789abcdef0");
  if (!ValidateImageName(sample).ok()) {
    return absl::StrCat("name prefix ", Ticked(a.name_prefix),
                        " has a character an ami name cannot: use letters, digits and ( ) [ ] "
                        "space . / - ' @ _");
  }
  return TagsProblem("tags_to_add", a.tags_to_add, /*user=*/true);
}

// Fields that belong to other kinds of action.
std::string StrayField(const AutomationAction& a) {
  const bool create = a.kind == Kind::kCreateImage, copy = a.kind == Kind::kCopyImage;
  const bool dereg = a.kind == Kind::kDeregisterOlderThan;
  if (!create && (!a.instance_ids.empty() || !a.instance_tags.empty() || a.no_reboot)) {
    return "instance_ids, instance_tags and no_reboot belong to a CreateImage action";
  }
  if (!copy && (!a.source_region.empty() || a.encrypted || !a.kms_key_id.empty())) {
    return "source_region, encrypted and kms_key_id belong to a CopyImage action";
  }
  if (!dereg && a.older_than_days != 0) return "older_than_days belongs to a deregister action";
  if (dereg && !a.tags_to_add.empty()) return "a deregister action adds no tags";
  if (create && !a.image_tags.empty()) return "a CreateImage action selects instances, not images";
  return "";
}

std::string CreateProblem(const AutomationAction& a) {
  if (a.instance_ids.empty() && a.instance_tags.empty()) {
    return "a CreateImage action needs instance_ids or instance_tags";
  }
  if (a.instance_ids.size() > kMaxEventActionInstances) {
    return absl::StrCat("a CreateImage action names ", a.instance_ids.size(),
                        " instances, more than ", kMaxEventActionInstances);
  }
  for (const std::string& id : a.instance_ids) {
    if (!InstanceId::Parse(id).ok()) {
      return absl::StrCat("instance id ", Ticked(id), " is malformed");
    }
  }
  std::string p = TagsProblem("instance_tags", a.instance_tags, /*user=*/false);
  return p.empty() ? PrefixProblem(a) : p;
}

std::string CopyProblem(const AutomationAction& a) {
  if (!Region::Parse(a.source_region).ok()) {
    return absl::StrCat("source region ", Ticked(a.source_region), " is not a region");
  }
  if (!a.kms_key_id.empty()) {
    if (!a.encrypted) return "a kms key needs encrypted to be true (KMS-12)";
    if (!KmsKeyRef::Parse(a.kms_key_id).ok()) {
      return absl::StrCat("kms key ", Ticked(a.kms_key_id),
                          " is not a key id, key arn, alias name or alias arn");
    }
  }
  std::string p = TagsProblem("image_tags", a.image_tags, /*user=*/false);
  return p.empty() ? PrefixProblem(a) : p;
}

std::string DeregisterProblem(const AutomationAction& a) {
  if (a.older_than_days < 1 || a.older_than_days > kMaxEventOlderThanDays) {
    return absl::StrCat("older_than_days ", a.older_than_days, " is outside 1-",
                        kMaxEventOlderThanDays);
  }
  return TagsProblem("image_tags", a.image_tags, /*user=*/false);
}

// What is wrong with an action, or "" when nothing is.
std::string ActionProblem(const AutomationAction& a) {
  std::string stray = StrayField(a);
  if (!stray.empty()) return stray;
  if (a.kind != Kind::kCreateImage && a.image_tags.empty()) {
    return "an image action needs image_tags to select the images it acts on";
  }
  switch (a.kind) {
    case Kind::kCreateImage:
      return CreateProblem(a);
    case Kind::kCopyImage:
      return CopyProblem(a);
    case Kind::kDeregisterOlderThan:
      return DeregisterProblem(a);
  }
  return "the action kind is unknown";
}

// arn:aws:iam::<12 digits>:role/<[\w+=,.@/-]+>, as Scheduler's Target.RoleArn.
bool ValidRoleArn(absl::string_view arn) {
  if (arn.size() > kMaxEventRoleArnBytes || !absl::ConsumePrefix(&arn, "arn:aws:iam::")) {
    return false;
  }
  if (arn.size() < 12 || !AccountId::Parse(arn.substr(0, 12)).ok()) return false;
  arn.remove_prefix(12);
  if (!absl::ConsumePrefix(&arn, ":role/") || arn.empty()) return false;
  for (const char c : arn) {
    const bool ok = absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                    absl::string_view("_+=,.@/-").find(c) != absl::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// The first problem of the schedule's own fields, into `d`; true when there is none.
bool CheckScheduleFields(const EventScheduleRequest& r, Decision* d) {
  const std::string name = Ticked(r.name);
  if (!ValidEventScheduleName(r.name)) {
    d->AddForbid(R(reasons::kEventScheduleName, {.text = name}));
    return false;
  }
  absl::StatusOr<ScheduleExpression> expr =
      ScheduleExpression::Parse(r.schedule_expression, r.timezone);
  if (!expr.ok()) {
    d->AddForbid(R(reasons::kEventScheduleExpression,
                   {.text = absl::StrCat(name, " is invalid: ", expr.status().message())}));
    return false;
  }
  if (expr->kind() == ScheduleExpression::Kind::kAt && r.timezone.empty()) {
    d->AddForbid(R(reasons::kEventAtNeedsScheduler, {.text = name}));
    return false;
  }
  if (r.state != "ENABLED" && r.state != "DISABLED") {
    d->AddForbid(R(reasons::kEventScheduleState, {.text = Ticked(r.state)}));
    return false;
  }
  if (!r.role_arn.empty() && !ValidRoleArn(r.role_arn)) {
    d->AddForbid(R(reasons::kEventScheduleRole, {.text = Ticked(r.role_arn)}));
    return false;
  }
  return true;
}

}  // namespace

bool ValidEventScheduleName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxEventScheduleNameBytes) return false;
  for (const char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

Decision EvaluatePutSchedule(const PutScheduleQuestion& q) {
  Decision d;
  const EventScheduleRequest& r = *q.request;
  if (!CheckScheduleFields(r, &d)) return d;
  const std::string name = Ticked(r.name);
  if (r.actions.empty()) return Decision::Deny(R(reasons::kEventScheduleNoAction, {.text = name}));
  if (r.actions.size() > kMaxEventScheduleActions) {
    return Decision::Deny(R(reasons::kEventScheduleTooManyActions,
                            {.number = static_cast<int64_t>(r.actions.size()), .text = name}));
  }
  for (size_t i = 0; i < r.actions.size(); ++i) {
    const std::string problem = ActionProblem(r.actions[i]);
    if (!problem.empty()) {
      return Decision::Deny(R(reasons::kEventScheduleAction,
                              {.text = absl::StrCat(i + 1, " of ", name, ": ", problem)}));
    }
  }
  if (!q.replaces && q.schedules_in_region >= kMaxEventSchedulesPerRegion) {
    return Decision::Deny(R(reasons::kEventTooManySchedules,
                            {.account = q.account, .region = q.region,
                             .number = static_cast<int64_t>(q.schedules_in_region)}));
  }
  return Decision::Allow(R(reasons::kEventScheduleWellFormed, {.text = name}));
}

Decision EvaluateDeleteSchedule(absl::string_view name, bool exists) {
  if (!ValidEventScheduleName(name)) {
    return Decision::Deny(R(reasons::kEventScheduleName, {.text = Ticked(name)}));
  }
  if (!exists) return Decision::Deny(R(reasons::kEventScheduleNotFound, {.text = Ticked(name)}));
  return Decision::Allow(R(reasons::kEventScheduleExists, {.text = Ticked(name)}));
}

}  // namespace ami::policy
