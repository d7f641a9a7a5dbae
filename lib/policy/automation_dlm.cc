// Data Lifecycle Manager's checks of an AMI policy (BACKUP-5 … 10).
#include "policy/automation_dlm.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/arns.h"
#include "policy/common.h"

namespace ami::policy {
namespace {

using EC = ErrorCode;
using RT = ReasonTemplate;

constexpr RT kDlmValid{"BACKUP-5", EC::kInvalidRequestException,
                       "the AMI policy of account {account} in {region} is valid"};
constexpr RT kDlmPolicy{"BACKUP-5", EC::kInvalidRequestException, "{text}"};
constexpr RT kDlmCreate{"BACKUP-6", EC::kInvalidRequestException, "{text}"};
constexpr RT kDlmRetain{"BACKUP-7", EC::kInvalidRequestException, "{text}"};
constexpr RT kDlmDeprecate{"BACKUP-8", EC::kInvalidRequestException, "{text}"};
constexpr RT kDlmCopy{"BACKUP-9", EC::kInvalidRequestException, "{text}"};
constexpr RT kDlmDefault{"BACKUP-10", EC::kInvalidRequestException, "{text}"};

// A fixed instant to compare ages of different units.
const absl::Time kAgeReference = absl::FromUnixSeconds(946684800);  // 2000-01-01T00:00:00Z

void Deny(Decision* d, const RT& rule, std::string text) {
  ReasonArgs a;
  a.text = std::move(text);
  d->AddForbid(R(rule, std::move(a)));
}

bool IsAgeUnit(absl::string_view unit) {
  return unit == "DAYS" || unit == "WEEKS" || unit == "MONTHS" || unit == "YEARS";
}

// The rule's length as a duration from kAgeReference; nullopt for a count or empty rule.
std::optional<absl::Duration> AgeLength(const DlmAgeOrCount& rule) {
  const std::optional<absl::Time> end = DlmAgeEnd(rule, kAgeReference);
  if (!end.has_value()) return std::nullopt;
  return *end - kAgeReference;
}

std::string Where(const DlmSchedule& s, absl::string_view what) {
  return absl::StrCat(what, " of schedule `", s.name, "`");
}

// An age rule: Interval with a unit, between `min` and `max` from the reference.
void CheckAge(const DlmAgeOrCount& rule, const RT& rt, const std::string& where,
              absl::Duration max, absl::string_view max_text, Decision* d) {
  if (!IsAgeUnit(rule.interval_unit) || rule.interval < 1) {
    Deny(d, rt, absl::StrCat(where, " needs an Interval of at least 1 and an IntervalUnit of "
                             "DAYS, WEEKS, MONTHS or YEARS"));
    return;
  }
  const std::optional<absl::Duration> age = AgeLength(rule);
  if (!age.has_value() || *age > max) {
    Deny(d, rt, absl::StrCat(where, " is longer than ", max_text));
  }
}

void CheckRetain(const DlmSchedule& s, Decision* d) {
  const DlmAgeOrCount& r = s.retain_rule;
  const std::string where = Where(s, "the RetainRule");
  if (r.empty()) {
    Deny(d, kDlmRetain, absl::StrCat(where, " is missing: give a Count or an Interval"));
  } else if (r.count != 0 && (r.interval != 0 || !r.interval_unit.empty())) {
    Deny(d, kDlmRetain, absl::StrCat(where, " gives both a Count and an Interval"));
  } else if (r.count != 0) {
    if (r.count < 1 || r.count > kDlmMaxRetainCount) {
      Deny(d, kDlmRetain, absl::StrCat(where, " has Count ", r.count, ": it must be 1 to ",
                                       kDlmMaxRetainCount));
    }
  } else {
    CheckAge(r, kDlmRetain, where, absl::Hours(24 * 36525), "100 years", d);
  }
}

void CheckDeprecate(const DlmSchedule& s, Decision* d) {
  const DlmAgeOrCount& r = s.deprecate_rule;
  if (r.empty()) return;
  const std::string where = Where(s, "the DeprecateRule");
  const bool retain_by_count = s.retain_rule.count != 0;
  if (r.count != 0 && (r.interval != 0 || !r.interval_unit.empty())) {
    Deny(d, kDlmDeprecate, absl::StrCat(where, " gives both a Count and an Interval"));
  } else if (r.count != 0) {
    if (!retain_by_count) {
      Deny(d, kDlmDeprecate, absl::StrCat(where, " counts AMIs but the RetainRule is by age"));
    } else if (r.count < 1 || r.count > s.retain_rule.count) {
      Deny(d, kDlmDeprecate, absl::StrCat(where, " has Count ", r.count,
                                          ": it must be 1 to the retention count ",
                                          s.retain_rule.count));
    }
  } else if (retain_by_count) {
    Deny(d, kDlmDeprecate, absl::StrCat(where, " is by age but the RetainRule counts AMIs"));
  } else {
    CheckAge(r, kDlmDeprecate, where, absl::Hours(24 * 3653), "10 years", d);
    const std::optional<absl::Duration> dep = AgeLength(r);
    const std::optional<absl::Duration> ret = AgeLength(s.retain_rule);
    if (dep.has_value() && ret.has_value() && *dep > *ret) {
      Deny(d, kDlmDeprecate, absl::StrCat(where, " is longer than the retention period"));
    }
  }
}

void CheckCreate(const DlmSchedule& s, absl::Time now, Decision* d) {
  const absl::StatusOr<ScheduleExpression> e = DlmCreateSchedule(s.create_rule);
  if (!e.ok()) {
    Deny(d, kDlmCreate, absl::StrCat(Where(s, "the CreateRule"), ": ", e.status().message()));
    return;
  }
  if (e->kind() != ScheduleExpression::Kind::kCron) return;
  const std::optional<absl::Time> next = e->NextAfter(now, now);
  if (!next.has_value() || *next - now > absl::Hours(24 * 366)) {
    Deny(d, kDlmCreate, absl::StrCat(Where(s, "the CronExpression"),
                                     " does not fire within a year: the interval must be 1 hour "
                                     "to 1 year"));
  } else if (e->ShortestGap(now, now, absl::Hours(24 * 400)) < absl::Hours(1)) {
    Deny(d, kDlmCreate, absl::StrCat(Where(s, "the CronExpression"),
                                     " fires more often than once an hour"));
  }
}

void CheckCopyRule(const DlmSchedule& s, const DlmCrossRegionCopyRule& c, Region home,
                   Decision* d) {
  const std::string where = Where(s, absl::StrCat("the CrossRegionCopyRule to `", c.target_region, "`"));
  const absl::StatusOr<Region> target = Region::Parse(c.target_region);
  if (!target.ok()) {
    Deny(d, kDlmCopy, absl::StrCat(where, ": ", target.status().message()));
    return;
  }
  if (*target == home) Deny(d, kDlmCopy, absl::StrCat(where, " copies into the policy's own Region"));
  if (!c.cmk_arn.empty()) {
    const absl::StatusOr<KmsKeyArn> key = KmsKeyArn::Parse(c.cmk_arn);
    if (!key.ok()) {
      Deny(d, kDlmCopy, absl::StrCat(where, " has CmkArn `", c.cmk_arn, "`, which is not a key ARN"));
    } else if (key->region() != *target) {
      Deny(d, kDlmCopy, absl::StrCat(where, " has CmkArn `", c.cmk_arn, "` of another Region"));
    }
  }
  if (!c.retain_rule.empty()) {
    if (c.retain_rule.count != 0) {
      Deny(d, kDlmCopy, absl::StrCat(where, ": a copy's RetainRule is by age only"));
    } else {
      CheckAge(c.retain_rule, kDlmCopy, where + " RetainRule", absl::Hours(24 * 36525), "100 years", d);
    }
  }
  if (!c.deprecate_rule.empty()) {
    if (c.deprecate_rule.count != 0) {
      Deny(d, kDlmCopy, absl::StrCat(where, ": a copy's DeprecateRule is by age only"));
    } else {
      CheckAge(c.deprecate_rule, kDlmCopy, where + " DeprecateRule", absl::Hours(24 * 3653), "10 years", d);
    }
  }
}

bool ValidRoleArn(absl::string_view arn, AccountId account) {
  const std::string prefix = absl::StrCat("arn:aws:iam::", account.ToString(), ":role/");
  return absl::StartsWith(arn, prefix) && arn.size() > prefix.size() && arn.size() <= 2048;
}

void CheckCommon(const CallContext& ctx, const LifecyclePolicyRequest& r, Decision* d) {
  const RT& rt = r.default_policy.empty() ? kDlmPolicy : kDlmDefault;
  if (!ValidRoleArn(r.execution_role_arn, ctx.account)) {
    Deny(d, rt, absl::StrCat("ExecutionRoleArn `", r.execution_role_arn,
                             "` is not an IAM role ARN of account ", ctx.account.ToString()));
  }
  if (r.state != "ENABLED" && r.state != "DISABLED") {
    Deny(d, rt, absl::StrCat("State `", r.state, "` is not ENABLED or DISABLED"));
  }
  if (r.description.empty() || r.description.size() > kDlmMaxDescription) {
    Deny(d, rt, absl::StrCat("the Description must have 1 to ", kDlmMaxDescription, " characters"));
  }
}

void CheckCustom(const CallContext& ctx, const LifecyclePolicyRequest& r, absl::Time now,
                 Decision* d) {
  if (r.policy_type != "IMAGE_MANAGEMENT") {
    Deny(d, kDlmPolicy, absl::StrCat("PolicyType `", r.policy_type,
                                     "` is not run by the model: only IMAGE_MANAGEMENT (AMI) "
                                     "policies are"));
  }
  if (r.resource_types != std::vector<std::string>{"INSTANCE"}) {
    Deny(d, kDlmPolicy, "an AMI policy's ResourceTypes must be [INSTANCE]");
  }
  if (r.target_tags.empty() || r.target_tags.size() > kDlmMaxTargetTags) {
    Deny(d, kDlmPolicy, absl::StrCat("an AMI policy needs 1 to ", kDlmMaxTargetTags, " TargetTags"));
  }
  for (const auto& [key, value] : r.target_tags) {
    if (key.empty()) Deny(d, kDlmPolicy, "a target tag has an empty key");
  }
  if (r.schedules.empty() || r.schedules.size() > kDlmMaxSchedules) {
    Deny(d, kDlmPolicy, absl::StrCat("an AMI policy has 1 to ", kDlmMaxSchedules, " schedules, not ",
                                     r.schedules.size()));
  }
  std::set<std::string> names;
  for (const DlmSchedule& s : r.schedules) {
    if (s.name.empty() || s.name.size() > kDlmMaxScheduleName || !names.insert(s.name).second) {
      Deny(d, kDlmPolicy, absl::StrCat("schedule name `", s.name, "` is empty, too long or repeated"));
    }
    for (const auto& [key, value] : s.tags_to_add) {
      if (absl::StartsWith(key, "aws:")) {
        Deny(d, kDlmPolicy, absl::StrCat("TagsToAdd key `", key, "` uses the reserved aws: prefix"));
      }
    }
    CheckCreate(s, now, d);
    CheckRetain(s, d);
    CheckDeprecate(s, d);
    if (s.cross_region_copy_rules.size() > kDlmMaxCopyRules) {
      Deny(d, kDlmCopy, absl::StrCat(Where(s, "the CrossRegionCopyRules"), " number ",
                                     s.cross_region_copy_rules.size(), ": at most ", kDlmMaxCopyRules));
    }
    for (const DlmCrossRegionCopyRule& c : s.cross_region_copy_rules) CheckCopyRule(s, c, ctx.region, d);
  }
  // BACKUP-7: every schedule retains by count, or every one by age.
  for (const DlmSchedule& s : r.schedules) {
    if ((s.retain_rule.count != 0) != (r.schedules.front().retain_rule.count != 0)) {
      Deny(d, kDlmRetain, "the schedules of a policy must all retain by count or all by age");
      break;
    }
  }
}

void CheckDefault(const LifecyclePolicyRequest& r, Region home, Decision* d) {
  if (r.default_policy != "INSTANCE") {
    Deny(d, kDlmDefault, absl::StrCat("default policy for `", r.default_policy,
                                      "` is not run by the model: only INSTANCE (EBS-backed AMIs) is"));
  }
  if (!r.schedules.empty() || !r.target_tags.empty()) {
    Deny(d, kDlmDefault, "a default policy takes no Schedules and no TargetTags");
  }
  if (r.create_interval_days < 1 || r.create_interval_days > 7) {
    Deny(d, kDlmDefault, absl::StrCat("CreateInterval ", r.create_interval_days, " must be 1 to 7 days"));
  }
  if (r.retain_interval_days < 2 || r.retain_interval_days > 14 ||
      r.retain_interval_days <= r.create_interval_days) {
    Deny(d, kDlmDefault, absl::StrCat("RetainInterval ", r.retain_interval_days,
                                      " must be 2 to 14 days and longer than CreateInterval"));
  }
  if (r.cross_region_copy_targets.size() > kDlmMaxCopyRules) {
    Deny(d, kDlmDefault, absl::StrCat("a default policy has at most ", kDlmMaxCopyRules,
                                      " CrossRegionCopyTargets"));
  }
  for (const std::string& region : r.cross_region_copy_targets) {
    const absl::StatusOr<Region> target = Region::Parse(region);
    if (!target.ok() || *target == home) {
      Deny(d, kDlmDefault, absl::StrCat("CrossRegionCopyTarget `", region,
                                        "` is not another valid Region"));
    }
  }
}

}  // namespace

Decision EvaluateLifecyclePolicy(const StateView& view, const CallContext& ctx,
                                 const LifecyclePolicyRequest& request) {
  Decision d;
  CheckCommon(ctx, request, &d);
  if (request.default_policy.empty()) {
    CheckCustom(ctx, request, view.Now(), &d);
  } else {
    CheckDefault(request, ctx.region, &d);
  }
  ReasonArgs a;
  a.account = ctx.account;
  a.region = ctx.region;
  d.AddPermit(R(kDlmValid, std::move(a)));  // overridden by any forbid above
  return d;
}

absl::StatusOr<ScheduleExpression> DlmCreateSchedule(const DlmCreateRule& rule) {
  const bool by_cron = !rule.cron_expression.empty();
  if (by_cron == (rule.interval != 0)) {
    return MakeError(EC::kInvalidRequestException,
                     "a CreateRule needs either a CronExpression or an Interval");
  }
  if (by_cron) {
    if (!rule.interval_unit.empty() || !rule.times.empty()) {
      return MakeError(EC::kInvalidRequestException,
                       "a CreateRule with a CronExpression takes no IntervalUnit and no Times");
    }
    absl::StatusOr<ScheduleExpression> e = ScheduleExpression::Parse(rule.cron_expression);
    if (!e.ok()) return MakeError(EC::kInvalidRequestException, e.status().message());
    if (e->kind() != ScheduleExpression::Kind::kCron) {
      return MakeError(EC::kInvalidRequestException,
                       absl::StrCat("CronExpression `", rule.cron_expression, "` is not a cron()"));
    }
    return e;
  }
  if (rule.interval_unit != "HOURS") {
    return MakeError(EC::kInvalidRequestException, "a CreateRule's IntervalUnit must be HOURS");
  }
  if (rule.times.size() > 1) {
    return MakeError(EC::kInvalidRequestException, "a CreateRule takes at most one time in Times");
  }
  absl::StatusOr<ScheduleExpression> e =
      ScheduleExpression::Interval(rule.interval, rule.times.empty() ? "" : rule.times.front());
  if (!e.ok()) return MakeError(EC::kInvalidRequestException, e.status().message());
  return e;
}

std::optional<absl::Time> DlmAgeEnd(const DlmAgeOrCount& rule, absl::Time from) {
  if (rule.count != 0 || rule.interval <= 0 || !IsAgeUnit(rule.interval_unit)) return std::nullopt;
  const int n = std::min(rule.interval, 100000);
  if (rule.interval_unit == "DAYS") return from + absl::Hours(24) * n;
  if (rule.interval_unit == "WEEKS") return from + absl::Hours(24 * 7) * n;
  const absl::CivilSecond c = absl::ToCivilSecond(from, absl::UTCTimeZone());
  const absl::CivilSecond later =
      rule.interval_unit == "MONTHS"
          ? absl::CivilSecond(absl::CivilMonth(c) + n) + (c - absl::CivilSecond(absl::CivilMonth(c)))
          : absl::CivilSecond(absl::CivilYear(c) + n) + (c - absl::CivilSecond(absl::CivilYear(c)));
  return absl::FromCivil(later, absl::UTCTimeZone());
}

ScheduleExpression DlmDefaultSchedule(int create_interval_days) {
  const int n = std::max(1, std::min(create_interval_days, 7));
  return *ScheduleExpression::Parse(absl::StrCat("rate(", n, n == 1 ? " day)" : " days)"));
}

}  // namespace ami::policy
