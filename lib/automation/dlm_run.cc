// Data Lifecycle Manager's firings: creation with retention and deprecation, age-based expiry,
// and cross-Region copies (BACKUP-5 … 10). Every EC2 call is the cloud's own operation, made as
// the policy's execution role.
#include "automation/dlm_run.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ami/errors.h"
#include "cloud/service_calls.h"
#include "cloud/state.h"
#include "policy/automation_dlm.h"

namespace ami::internal {
namespace {

CallContext PolicyContext(const LifecyclePolicy& p, Region region) {
  CallContext ctx;
  ctx.account = p.account;
  ctx.region = region;
  ctx.principal = p.details.execution_role_arn;
  return ctx;
}

std::string Source(const LifecyclePolicy& p, const DlmSchedule& s) {
  return absl::StrCat("dlm:", p.policy_id, "/", s.name);
}

// The expression a schedule fires on (valid: checked when the policy was made).
std::optional<ScheduleExpression> CreateSchedule(const LifecyclePolicy& p, const DlmSchedule& s) {
  if (!p.details.default_policy.empty()) {
    return policy::DlmDefaultSchedule(p.details.create_interval_days);
  }
  absl::StatusOr<ScheduleExpression> e = policy::DlmCreateSchedule(s.create_rule);
  if (!e.ok()) return std::nullopt;
  return *std::move(e);
}

void Log(CloudState& s, const LifecyclePolicy& p, const DlmSchedule& sch, absl::string_view action,
         std::string resource, const absl::Status& status, std::string result = "") {
  AutomationRecord r;
  r.time = s.Now();
  r.source = Source(p, sch);
  r.action = std::string(action);
  r.resource = std::move(resource);
  r.result = std::move(result);
  r.error_code = "OK";
  if (!status.ok()) {
    const std::optional<ErrorCode> code = GetErrorCode(status);
    r.error_code = code.has_value() ? std::string(ErrorCodeName(*code)) : "InternalError";
    r.message = std::string(status.message());
  }
  s.mutable_automation().Record(p.account, p.region, std::move(r));
}

// An instance carrying any of the target tags (keys and values case-sensitive, BACKUP-5); a
// default policy targets every instance of its Region.
bool TagMatch(const LifecyclePolicyRequest& d, const Instance& i) {
  if (!d.default_policy.empty()) return true;
  for (const auto& [key, value] : d.target_tags) {
    const std::optional<absl::string_view> v = i.tags().Find(key);
    if (v.has_value() && *v == value) return true;
  }
  return false;
}

bool Targeted(const LifecyclePolicyRequest& d, const Instance& i) {
  return (i.state() == InstanceState::kRunning || i.state() == InstanceState::kStopped) &&
         TagMatch(d, i);
}

// The instances the policy targets now, by id.
std::vector<InstanceId> Targets(const CloudState& s, const LifecyclePolicy& p)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  std::vector<InstanceId> out;
  const std::vector<InstanceId>* mine = s.InstancesOf(p.account, p.region);
  if (mine == nullptr) return out;
  for (InstanceId id : *mine) {
    const Instance* i = s.FindInstance(id);
    if (i != nullptr && Targeted(p.details, *i)) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ImageName(const LifecyclePolicy& p, InstanceId instance, absl::Time at) {
  return absl::StrCat("dlm-", p.policy_id, "-", instance.ToString(), "-",
                      absl::FormatTime("%Y-%m-%dT%H-%M-%SZ", at, absl::UTCTimeZone()));
}

TagSet ServiceTags(const LifecyclePolicy& p, const DlmSchedule& sch) {
  std::vector<Tag> tags;
  tags.push_back(*Tag::Create("aws:dlm:lifecycle-policy-id", p.policy_id));
  tags.push_back(*Tag::Create("aws:dlm:lifecycle-schedule-name", sch.name));
  return *TagSet::Create(std::move(tags));
}

// The image's user tags: the instance's when CopyTags, then TagsToAdd.
std::vector<TagSpecification> ImageTags(const DlmSchedule& sch, const TagSet& source) {
  std::vector<std::pair<std::string, std::string>> tags;
  if (sch.copy_tags) {
    for (const Tag& t : source.UserTags()) tags.emplace_back(t.key(), t.value());
  }
  for (const auto& kv : sch.tags_to_add) {
    tags.erase(std::remove_if(tags.begin(), tags.end(),
                              [&](const auto& t) { return t.first == kv.first; }),
               tags.end());
    tags.push_back(kv);
  }
  if (tags.empty()) return {};
  return {TagSpecification{"image", std::move(tags)}};
}

// Whether a managed AMI still counts: registered (true), in the Recycle Bin (nullopt: kept but
// not managed while there, BACKUP-10), or gone (false).
std::optional<bool> Live(const CloudState& s, ImageId id) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const Image* image = s.FindImage(id);
  if (image != nullptr && IsRegistered(image->state())) return true;
  if (s.BinnedImage(id) != nullptr) return std::nullopt;
  return false;
}

void Deregister(CloudState& s, const LifecyclePolicy& p, const DlmSchedule& sch, Region region,
                ImageId id) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const absl::StatusOr<std::vector<DeleteSnapshotResult>> r =
      ServiceDeregisterImage(s, PolicyContext(p, region), id, /*delete_associated_snapshots=*/true);
  Log(s, p, sch, "DeregisterImage", id.ToString(), r.status());
}

void Deprecate(CloudState& s, const LifecyclePolicy& p, const DlmSchedule& sch, Region region,
               ImageId id, absl::Time at) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  policy::ImageLifecycleChange change;
  change.kind = policy::ImageLifecycleChange::Kind::kEnableDeprecation;
  change.deprecate_at = at;
  const absl::StatusOr<std::string> r = ServiceChangeImage(s, PolicyContext(p, region), id, change);
  Log(s, p, sch, "EnableImageDeprecation", id.ToString(), r.status());
}

// Drops the AMIs that left for good; with `keep_last`, never the newest.
void Prune(CloudState& s, DlmSeries* series) {
  series->erase(std::remove_if(series->begin(), series->end(),
                               [&](const DlmImage& m) { return Live(s, m.image) == false; }),
                series->end());
}

// Count retention (BACKUP-7) and count deprecation (BACKUP-8) of one instance's series.
void ApplyCounts(CloudState& s, const LifecyclePolicy& p, const DlmSchedule& sch,
                 DlmSeries* series) {
  Prune(s, series);
  auto live = [&](const DlmImage& m) { return Live(s, m.image) == true; };
  int count = static_cast<int>(std::count_if(series->begin(), series->end(), live));
  for (auto it = series->begin(); it != series->end() && count > sch.retain_rule.count;) {
    if (!live(*it)) {
      ++it;
      continue;
    }
    Deregister(s, p, sch, p.region, it->image);
    it = series->erase(it);
    --count;
  }
  if (sch.deprecate_rule.count == 0) return;
  int newer = 0;
  for (auto it = series->rbegin(); it != series->rend(); ++it) {
    if (!live(*it) || ++newer <= sch.deprecate_rule.count || it->deprecation_set) continue;
    // BACKUP-8: an AMI deprecated by hand keeps its time; once set, the policy leaves it be.
    const Image* image = s.FindImage(it->image);
    if (image != nullptr && !image->deprecation_time().has_value()) {
      Deprecate(s, p, sch, p.region, it->image, s.Now());
    }
    it->deprecation_set = true;
  }
}

// Age retention: every AMI past its age goes, but the newest of a series stays unless
// `delete_last` (BACKUP-10; a default policy's ExtendDeletion for a source that is gone).
void ExpireSeries(CloudState& s, const LifecyclePolicy& p, const DlmSchedule& sch, Region region,
                  const DlmAgeOrCount& age, bool delete_last, DlmSeries* series) {
  Prune(s, series);
  while (!series->empty() && (series->size() > 1 || delete_last)) {
    const std::optional<absl::Time> end = policy::DlmAgeEnd(age, series->front().created);
    if (!end.has_value() || *end > s.Now()) break;
    if (Live(s, series->front().image) == true) Deregister(s, p, sch, region, series->front().image);
    series->pop_front();
  }
}

bool InstanceGone(const CloudState& s, InstanceId id) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const Instance* i = s.FindInstance(id);
  return i == nullptr || i->state() == InstanceState::kTerminated ||
         i->state() == InstanceState::kShuttingDown;
}

// Whether the policy deletes now: not while in error (or disabled), unless ExtendDeletion.
bool Deletes(const LifecyclePolicy& p) {
  return p.state == "ENABLED" || p.details.extend_deletion;
}

void ExpireAll(CloudState& s, DlmPolicyState& ps, int i) {
  const LifecyclePolicy& p = ps.policy;
  const DlmSchedule sch = DlmSchedules(p.details)[i];
  if (!Deletes(p)) return;
  for (auto& [instance, series] : ps.made[i]) {
    const bool last = p.details.extend_deletion && InstanceGone(s, instance);
    ExpireSeries(s, p, sch, p.region, sch.retain_rule, last, &series);
  }
  for (size_t r = 0; r < ps.copies[i].size(); ++r) {
    const DlmCrossRegionCopyRule& rule = sch.cross_region_copy_rules[r];
    if (rule.retain_rule.empty()) continue;
    const Region target = *Region::Parse(rule.target_region);
    for (auto& [instance, series] : ps.copies[i][r]) {
      ExpireSeries(s, p, sch, target, rule.retain_rule, /*delete_last=*/true, &series);
    }
  }
}

// Stops managing the AMIs of instances the policy no longer targets (BACKUP-10): those whose
// target tag was removed, and for count retention those terminated.
void ForgetUntargeted(CloudState& s, DlmPolicyState& ps, int i, bool by_count)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  for (auto it = ps.made[i].begin(); it != ps.made[i].end();) {
    const bool gone = InstanceGone(s, it->first);
    const Instance* instance = s.FindInstance(it->first);
    const bool drop = gone ? by_count : !TagMatch(ps.policy.details, *instance);
    it = drop ? ps.made[i].erase(it) : std::next(it);
  }
}

}  // namespace

std::vector<DlmSchedule> DlmSchedules(const LifecyclePolicyRequest& d) {
  if (d.default_policy.empty()) return d.schedules;
  DlmSchedule s;
  s.name = "default";
  s.copy_tags = d.copy_tags;
  s.retain_rule = DlmAgeOrCount{0, d.retain_interval_days, "DAYS"};
  for (const std::string& region : d.cross_region_copy_targets) {
    DlmCrossRegionCopyRule c;
    c.target_region = region;
    c.copy_tags = d.copy_tags;
    c.retain_rule = s.retain_rule;
    s.cross_region_copy_rules.push_back(std::move(c));
  }
  return {std::move(s)};
}

void EnqueueDlmCreates(AutomationState& a, const DlmPolicyState& ps, absl::Time after) {
  const std::vector<DlmSchedule> schedules = DlmSchedules(ps.policy.details);
  for (size_t i = 0; i < schedules.size(); ++i) {
    const std::optional<ScheduleExpression> e = CreateSchedule(ps.policy, schedules[i]);
    if (!e.has_value()) continue;
    const std::optional<absl::Time> next = e->NextAfter(after, ps.policy.date_created);
    if (!next.has_value()) continue;
    a.Enqueue(Trigger{*next, ps.order, static_cast<int>(i), Service::kDlm, ps.policy.policy_id,
                      kDlmCreate});
  }
}

namespace {

// One creation firing of schedule `i`: an AMI of every targeted instance, then retention,
// deprecation and the policy's state; copies follow once the AMIs are available.
void RunCreate(CloudState& s, DlmPolicyState& ps, int i, const Trigger& t)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  LifecyclePolicy& p = ps.policy;
  const DlmSchedule sch = DlmSchedules(p.details)[i];
  const std::optional<ScheduleExpression> e = CreateSchedule(p, sch);
  if (e.has_value()) {
    const std::optional<absl::Time> next = e->NextAfter(t.at, p.date_created);
    if (next.has_value()) s.mutable_automation().Enqueue(Trigger{*next, t.order, i, Service::kDlm, t.id, kDlmCreate});
  }
  const TagSet service_tags = ServiceTags(p, sch);
  std::string first_error;
  bool made = false;
  for (InstanceId id : Targets(s, p)) {
    CreateImageRequest req;
    req.instance_id = id.ToString();
    req.name = ImageName(p, id, t.at);
    req.description = absl::StrCat("Created by Data Lifecycle Manager policy ", p.policy_id);
    req.no_reboot = p.details.no_reboot.value_or(true);  // BACKUP-5
    req.tag_specifications = ImageTags(sch, s.FindInstance(id)->tags());
    const absl::StatusOr<ImageId> r = ServiceCreateImage(s, PolicyContext(p, p.region), req, service_tags);
    Log(s, p, sch, "CreateImage", id.ToString(), r.status(), r.ok() ? r->ToString() : "");
    if (!r.ok()) {
      if (first_error.empty()) first_error = std::string(r.status().message());
      continue;
    }
    made = true;
    const std::optional<absl::Time> dep = policy::DlmAgeEnd(sch.deprecate_rule, t.at);
    ps.made[i][id].push_back(DlmImage{*r, t.at, dep.has_value()});
    if (dep.has_value()) Deprecate(s, p, sch, p.region, *r, *dep);
  }
  // A policy whose calls are refused is in error until a firing succeeds (MC-96).
  if (!first_error.empty()) {
    p.state = "ERROR";
    p.status_message = first_error;
  } else if (p.state == "ERROR") {
    p.state = "ENABLED";
    p.status_message.clear();
  }
  const bool by_count = sch.retain_rule.count != 0;
  ForgetUntargeted(s, ps, i, by_count);
  if (by_count) {
    if (Deletes(p)) {
      for (auto& [instance, series] : ps.made[i]) ApplyCounts(s, p, sch, &series);
    }
  } else {
    ExpireAll(s, ps, i);
    const std::optional<absl::Time> end = policy::DlmAgeEnd(sch.retain_rule, t.at);
    if (made && end.has_value()) {
      s.mutable_automation().Enqueue(Trigger{*end, t.order, i, Service::kDlm, t.id, kDlmExpire});
    }
  }
  if (made && !sch.cross_region_copy_rules.empty()) {
    s.mutable_automation().Enqueue(
        Trigger{t.at + s.options.image_pending, t.order, i, Service::kDlm, t.id, kDlmCopy});
  }
}

// Copies of the AMIs made at `made_at` into each copy rule's Region (BACKUP-9): encrypted when
// the rule says so or the source is, under CmkArn or the target Region's default EBS key.
void RunCopy(CloudState& s, DlmPolicyState& ps, int i, absl::Time made_at)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const LifecyclePolicy& p = ps.policy;
  const DlmSchedule sch = DlmSchedules(p.details)[i];
  ps.copies[i].resize(sch.cross_region_copy_rules.size());
  for (size_t r = 0; r < sch.cross_region_copy_rules.size(); ++r) {
    const DlmCrossRegionCopyRule& rule = sch.cross_region_copy_rules[r];
    const Region target = *Region::Parse(rule.target_region);
    for (auto& [instance, series] : ps.made[i]) {
      if (series.empty() || series.back().created != made_at) continue;
      const Image* source = s.FindImage(series.back().image);
      if (source == nullptr) continue;
      CopyImageRequest req;
      req.source_image_id = source->id().ToString();
      req.source_region = p.region.ToString();
      req.name = source->name();
      req.description = absl::StrCat("Copied by Data Lifecycle Manager policy ", p.policy_id);
      if (rule.encrypted) req.encrypted = true;
      req.kms_key_id = rule.cmk_arn;
      req.copy_image_tags = rule.copy_tags;
      const absl::StatusOr<ImageId> c =
          ServiceCopyImage(s, PolicyContext(p, target), req, ServiceTags(p, sch));
      Log(s, p, sch, "CopyImage", source->id().ToString(), c.status(), c.ok() ? c->ToString() : "");
      if (!c.ok()) continue;
      const std::optional<absl::Time> dep = policy::DlmAgeEnd(rule.deprecate_rule, made_at);
      ps.copies[i][r][instance].push_back(DlmImage{*c, made_at, dep.has_value()});
      if (dep.has_value()) Deprecate(s, p, sch, target, *c, *dep);
    }
    const std::optional<absl::Time> end = policy::DlmAgeEnd(rule.retain_rule, made_at);
    if (end.has_value()) {
      s.mutable_automation().Enqueue(Trigger{*end, ps.order, i, Service::kDlm, p.policy_id, kDlmExpire});
    }
  }
}

}  // namespace

void RunDlmTrigger(CloudState& s, const Trigger& t) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  auto& policies = s.mutable_automation().dlm.policies;
  auto it = policies.find(t.id);
  if (it == policies.end()) return;
  DlmPolicyState& ps = it->second;
  const int n = static_cast<int>(DlmSchedules(ps.policy.details).size());
  if (t.index < 0 || t.index >= n || ps.policy.state == "DISABLED") return;
  ps.made.resize(n);
  ps.copies.resize(n);
  switch (t.kind) {
    case kDlmCreate:
      RunCreate(s, ps, t.index, t);
      break;
    case kDlmExpire:
      ExpireAll(s, ps, t.index);
      break;
    case kDlmCopy:
      RunCopy(s, ps, t.index, t.at - s.options.image_pending);
      break;
    default:
      break;
  }
}

}  // namespace ami::internal
