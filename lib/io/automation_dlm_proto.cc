// Data Lifecycle Manager's state to and from its state-file record: every policy with its
// definition, its place in the order of definitions, and the AMIs it still manages.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "io/automation_proto.h"
#include "io/automation_state_proto.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::internal {
namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

absl::Status Bad(absl::string_view message) { return MakeError(choices::kInvalidValue, message); }

// ---- Writing ----

void TagsTo(const Tags& tags, google::protobuf::RepeatedPtrField<v1::AutomationTag>* out) {
  for (const auto& [key, value] : tags) {
    v1::AutomationTag* t = out->Add();
    t->set_key(key);
    t->set_value(value);
  }
}

void AgeTo(const DlmAgeOrCount& in, v1::DlmAgeOrCountRecord* out) {
  out->set_count(in.count);
  out->set_interval(in.interval);
  out->set_interval_unit(in.interval_unit);
}

void ScheduleTo(const DlmSchedule& in, v1::DlmScheduleRecord* out) {
  out->set_name(in.name);
  out->set_copy_tags(in.copy_tags);
  TagsTo(in.tags_to_add, out->mutable_tags_to_add());
  v1::DlmCreateRuleRecord* c = out->mutable_create_rule();
  c->set_cron_expression(in.create_rule.cron_expression);
  c->set_interval(in.create_rule.interval);
  c->set_interval_unit(in.create_rule.interval_unit);
  for (const std::string& t : in.create_rule.times) c->add_times(t);
  AgeTo(in.retain_rule, out->mutable_retain_rule());
  AgeTo(in.deprecate_rule, out->mutable_deprecate_rule());
  for (const DlmCrossRegionCopyRule& rule : in.cross_region_copy_rules) {
    v1::DlmCrossRegionCopyRuleRecord* r = out->add_cross_region_copy_rules();
    r->set_target_region(rule.target_region);
    r->set_encrypted(rule.encrypted);
    r->set_cmk_arn(rule.cmk_arn);
    r->set_copy_tags(rule.copy_tags);
    AgeTo(rule.retain_rule, r->mutable_retain_rule());
    AgeTo(rule.deprecate_rule, r->mutable_deprecate_rule());
  }
}

void RequestTo(const LifecyclePolicyRequest& in, v1::LifecyclePolicyRequestRecord* out) {
  out->set_description(in.description);
  out->set_execution_role_arn(in.execution_role_arn);
  out->set_state(in.state);
  out->set_policy_type(in.policy_type);
  for (const std::string& t : in.resource_types) out->add_resource_types(t);
  TagsTo(in.target_tags, out->mutable_target_tags());
  for (const DlmSchedule& s : in.schedules) ScheduleTo(s, out->add_schedules());
  out->set_has_no_reboot(in.no_reboot.has_value());
  out->set_no_reboot(in.no_reboot.value_or(false));
  TagsTo(in.tags, out->mutable_tags());
  out->set_default_policy(in.default_policy);
  out->set_create_interval_days(in.create_interval_days);
  out->set_retain_interval_days(in.retain_interval_days);
  out->set_copy_tags(in.copy_tags);
  out->set_extend_deletion(in.extend_deletion);
  for (const std::string& r : in.cross_region_copy_targets) out->add_cross_region_copy_targets(r);
}

// ---- Reading ----

absl::Status OneOf(absl::string_view what, const std::string& value,
                   std::initializer_list<absl::string_view> words) {
  for (absl::string_view w : words) {
    if (value == w) return absl::OkStatus();
  }
  return Bad(absl::StrCat(what, " `", text_util::Clip(value), "` is not a known value"));
}

absl::Status RegionWord(absl::string_view what, const std::string& value) {
  AMI_RETURN_IF_ERROR(CheckText(what, value, kMaxAutomationNameBytes));
  if (!Region::Parse(value).ok()) {
    return Bad(absl::StrCat(what, " `", text_util::Clip(value), "` is not a known region"));
  }
  return absl::OkStatus();
}

absl::Status Count(absl::string_view what, int n, int max) {
  if (n > max) return Bad(absl::StrCat(what, ": ", n, " entries, more than the limit of ", max));
  return absl::OkStatus();
}

absl::StatusOr<Tags> TagsFrom(absl::string_view what,
                              const google::protobuf::RepeatedPtrField<v1::AutomationTag>& in) {
  AMI_RETURN_IF_ERROR(Count(what, in.size(), kMaxDlmTags));
  Tags out;
  for (const v1::AutomationTag& t : in) {
    if (t.key().empty()) return Bad(absl::StrCat(what, ": a tag has an empty key"));
    AMI_RETURN_IF_ERROR(CheckText(what, t.key(), kMaxAutomationNameBytes));
    AMI_RETURN_IF_ERROR(CheckText(what, t.value(), kMaxAutomationTextBytes));
    out.emplace_back(t.key(), t.value());
  }
  return out;
}

absl::StatusOr<DlmAgeOrCount> AgeFrom(absl::string_view what, const v1::DlmAgeOrCountRecord& in) {
  if (in.count() < 0 || in.interval() < 0) return Bad(absl::StrCat(what, " is negative"));
  if (!in.interval_unit().empty()) {
    AMI_RETURN_IF_ERROR(OneOf(what, in.interval_unit(), {"DAYS", "WEEKS", "MONTHS", "YEARS"}));
  }
  return DlmAgeOrCount{in.count(), in.interval(), in.interval_unit()};
}

absl::StatusOr<DlmCrossRegionCopyRule> CopyRuleFrom(const v1::DlmCrossRegionCopyRuleRecord& in) {
  DlmCrossRegionCopyRule out;
  AMI_RETURN_IF_ERROR(RegionWord("a copy rule's target region", in.target_region()));
  out.target_region = in.target_region();
  out.encrypted = in.encrypted();
  AMI_RETURN_IF_ERROR(CheckText("a copy rule's key", in.cmk_arn(), kMaxAutomationTextBytes));
  out.cmk_arn = in.cmk_arn();
  out.copy_tags = in.copy_tags();
  AMI_ASSIGN_OR_RETURN(out.retain_rule, AgeFrom("a copy rule's retain rule", in.retain_rule()));
  AMI_ASSIGN_OR_RETURN(out.deprecate_rule,
                       AgeFrom("a copy rule's deprecate rule", in.deprecate_rule()));
  return out;
}

absl::StatusOr<DlmSchedule> ScheduleFrom(const v1::DlmScheduleRecord& in) {
  DlmSchedule out;
  AMI_RETURN_IF_ERROR(CheckText("a schedule's name", in.name(), kMaxAutomationNameBytes));
  out.name = in.name();
  out.copy_tags = in.copy_tags();
  AMI_ASSIGN_OR_RETURN(out.tags_to_add, TagsFrom("a schedule's tags to add", in.tags_to_add()));
  const v1::DlmCreateRuleRecord& c = in.create_rule();
  AMI_RETURN_IF_ERROR(CheckText("a cron expression", c.cron_expression(), kMaxAutomationTextBytes));
  if (c.interval() < 0) return Bad("a create rule's interval is negative");
  if (!c.interval_unit().empty()) AMI_RETURN_IF_ERROR(OneOf("a create rule's unit", c.interval_unit(), {"HOURS"}));
  AMI_RETURN_IF_ERROR(Count("a create rule's times", c.times_size(), kMaxDlmTimes));
  for (const std::string& t : c.times()) AMI_RETURN_IF_ERROR(CheckText("a start time", t, kMaxAutomationNameBytes));
  out.create_rule = {c.cron_expression(), c.interval(), c.interval_unit(),
                     {c.times().begin(), c.times().end()}};
  AMI_ASSIGN_OR_RETURN(out.retain_rule, AgeFrom("a retain rule", in.retain_rule()));
  AMI_ASSIGN_OR_RETURN(out.deprecate_rule, AgeFrom("a deprecate rule", in.deprecate_rule()));
  AMI_RETURN_IF_ERROR(Count("a schedule's copy rules", in.cross_region_copy_rules_size(), kMaxDlmCopyRules));
  for (const v1::DlmCrossRegionCopyRuleRecord& r : in.cross_region_copy_rules()) {
    AMI_ASSIGN_OR_RETURN(DlmCrossRegionCopyRule rule, CopyRuleFrom(r));
    out.cross_region_copy_rules.push_back(std::move(rule));
  }
  return out;
}

absl::Status DefaultFieldsFrom(const v1::LifecyclePolicyRequestRecord& in,
                               LifecyclePolicyRequest* out) {
  if (!in.default_policy().empty()) AMI_RETURN_IF_ERROR(OneOf("a default policy", in.default_policy(), {"INSTANCE"}));
  out->default_policy = in.default_policy();
  if (in.create_interval_days() < 0 || in.retain_interval_days() < 0) {
    return Bad("a default policy's interval is negative");
  }
  out->create_interval_days = in.create_interval_days();
  out->retain_interval_days = in.retain_interval_days();
  out->copy_tags = in.copy_tags();
  out->extend_deletion = in.extend_deletion();
  AMI_RETURN_IF_ERROR(Count("cross-region copy targets", in.cross_region_copy_targets_size(), kMaxDlmCopyTargets));
  for (const std::string& r : in.cross_region_copy_targets()) {
    AMI_RETURN_IF_ERROR(RegionWord("a cross-region copy target", r));
    out->cross_region_copy_targets.push_back(r);
  }
  return absl::OkStatus();
}

absl::StatusOr<LifecyclePolicyRequest> RequestFrom(const v1::LifecyclePolicyRequestRecord& in) {
  LifecyclePolicyRequest out;
  AMI_RETURN_IF_ERROR(CheckText("a description", in.description(), kMaxAutomationTextBytes));
  AMI_RETURN_IF_ERROR(CheckText("an execution role", in.execution_role_arn(), kMaxAutomationTextBytes));
  out.description = in.description();
  out.execution_role_arn = in.execution_role_arn();
  AMI_RETURN_IF_ERROR(OneOf("a policy's requested state", in.state(), {"ENABLED", "DISABLED"}));
  out.state = in.state();
  AMI_RETURN_IF_ERROR(OneOf("a policy type", in.policy_type(), {"IMAGE_MANAGEMENT"}));
  out.policy_type = in.policy_type();
  AMI_RETURN_IF_ERROR(Count("resource types", in.resource_types_size(), 1));
  out.resource_types.clear();
  for (const std::string& t : in.resource_types()) {
    AMI_RETURN_IF_ERROR(OneOf("a resource type", t, {"INSTANCE"}));
    out.resource_types.push_back(t);
  }
  AMI_ASSIGN_OR_RETURN(out.target_tags, TagsFrom("target tags", in.target_tags()));
  AMI_RETURN_IF_ERROR(Count("schedules", in.schedules_size(), kMaxDlmSchedules));
  for (const v1::DlmScheduleRecord& s : in.schedules()) {
    AMI_ASSIGN_OR_RETURN(DlmSchedule schedule, ScheduleFrom(s));
    out.schedules.push_back(std::move(schedule));
  }
  if (in.has_no_reboot()) out.no_reboot = in.no_reboot();
  if (!in.has_no_reboot() && in.no_reboot()) return Bad("no_reboot is set without has_no_reboot");
  AMI_ASSIGN_OR_RETURN(out.tags, TagsFrom("a policy's tags", in.tags()));
  AMI_RETURN_IF_ERROR(DefaultFieldsFrom(in, &out));
  return out;
}

// `policy-` and 1 to 64 letters and digits.
bool IsPolicyId(const std::string& id) {
  if (!absl::StartsWith(id, "policy-") || id.size() == 7 || id.size() > 7 + 64) return false;
  return std::all_of(id.begin() + 7, id.end(), [](char c) { return absl::ascii_isalnum(c); });
}

absl::StatusOr<DlmPolicyState> PolicyFrom(const v1::DlmPolicyRecord& in) {
  DlmPolicyState out;
  LifecyclePolicy& p = out.policy;
  if (!IsPolicyId(in.policy_id())) {
    return Bad(absl::StrCat("`", text_util::Clip(in.policy_id()), "` is not a policy id"));
  }
  p.policy_id = in.policy_id();
  AMI_ASSIGN_OR_RETURN(p.account, AccountId::Parse(in.account_id()));
  AMI_ASSIGN_OR_RETURN(p.region, Region::Parse(in.region()));
  AMI_ASSIGN_OR_RETURN(p.details, RequestFrom(in.details()));
  AMI_RETURN_IF_ERROR(OneOf("a policy's state", in.state(), {"ENABLED", "DISABLED", "ERROR"}));
  p.state = in.state();
  AMI_RETURN_IF_ERROR(CheckText("a status message", in.status_message(), kMaxAutomationTextBytes));
  p.status_message = in.status_message();
  AMI_ASSIGN_OR_RETURN(p.date_created, ParseAwsTime(in.date_created()));
  AMI_ASSIGN_OR_RETURN(p.date_modified, ParseAwsTime(in.date_modified()));
  if (in.order() == 0) return Bad(absl::StrCat("policy `", p.policy_id, "` has no order"));
  out.order = in.order();
  out.made.resize(p.details.schedules.size());
  out.copies.resize(p.details.schedules.size());
  for (size_t i = 0; i < p.details.schedules.size(); ++i) {
    out.copies[i].resize(p.details.schedules[i].cross_region_copy_rules.size());
  }
  return out;
}

// A series part, read and placed: the map it belongs to and its images.
struct SeriesPart {
  std::string policy_id;
  int schedule = 0;
  int copy_rule = 0;
  std::optional<InstanceId> instance;
  DlmSeries images;
};

absl::StatusOr<SeriesPart> SeriesFrom(const v1::DlmSeriesRecord& in, const DlmPolicyState& policy) {
  SeriesPart out;
  out.policy_id = in.policy_id();
  const int schedules = static_cast<int>(policy.made.size());
  if (in.schedule() < 0 || in.schedule() >= schedules || in.copy_rule() < 0 ||
      in.copy_rule() > static_cast<int>(policy.copies[in.schedule()].size())) {
    return Bad(absl::StrCat("a series of policy `", in.policy_id(), "` names schedule ",
                            in.schedule(), " and copy rule ", in.copy_rule(),
                            ", which the policy does not have"));
  }
  out.schedule = in.schedule();
  out.copy_rule = in.copy_rule();
  AMI_ASSIGN_OR_RETURN(out.instance, InstanceId::Parse(in.instance_id()));
  if (in.image_ids_size() != in.created_size() || in.image_ids_size() > kMaxDlmSeriesPart ||
      (in.deprecation_set_size() != 0 && in.deprecation_set_size() != in.image_ids_size())) {
    return Bad(absl::StrCat("a series of policy `", in.policy_id(), "` has ", in.image_ids_size(),
                            " images and ", in.created_size(), " times (at most ",
                            kMaxDlmSeriesPart, " in one part)"));
  }
  for (int i = 0; i < in.image_ids_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(const ImageId image, ImageId::Parse(in.image_ids(i)));
    AMI_ASSIGN_OR_RETURN(const absl::Time created, ParseAwsTime(in.created(i)));
    out.images.push_back(
        DlmImage{image, created, in.deprecation_set_size() != 0 && in.deprecation_set(i)});
  }
  return out;
}

DlmSeries& SeriesOf(DlmPolicyState& p, int schedule, int copy_rule, InstanceId instance) {
  if (copy_rule == 0) return p.made[schedule][instance];
  return p.copies[schedule][copy_rule - 1][instance];
}

}  // namespace

absl::Status CheckText(absl::string_view what, const std::string& value, size_t max) {
  if (value.size() > max) {
    return Bad(absl::StrCat(what, ": ", value.size(), " bytes, more than the limit of ", max));
  }
  return absl::OkStatus();
}

void DlmPolicyToProto(const std::string& id, const DlmPolicyState& in, v1::DlmPolicyRecord* out) {
  const LifecyclePolicy& p = in.policy;
  out->set_policy_id(id);
  out->set_account_id(p.account.ToString());
  out->set_region(p.region.ToString());
  RequestTo(p.details, out->mutable_details());
  out->set_state(p.state);
  out->set_status_message(p.status_message);
  out->set_date_created(FormatAwsTime(p.date_created));
  out->set_date_modified(FormatAwsTime(p.date_modified));
  out->set_order(in.order);
}

void DlmSeriesToProto(const std::string& id, const DlmPolicyState& policy, size_t max_images,
                      const std::function<void(v1::DlmSeriesRecord&)>& add) {
  v1::DlmSeriesRecord r;
  const auto emit = [&](int schedule, int copy_rule, InstanceId instance, const DlmSeries& s) {
    size_t i = 0;
    do {
      r.Clear();
      r.set_policy_id(id);
      r.set_schedule(schedule);
      r.set_copy_rule(copy_rule);
      r.set_instance_id(instance.ToString());
      for (size_t n = 0; n < max_images && i < s.size(); ++n, ++i) {
        r.add_image_ids(s[i].image.ToString());
        r.add_created(FormatAwsTime(s[i].created));
        r.add_deprecation_set(s[i].deprecation_set);
      }
      add(r);
    } while (i < s.size());
  };
  for (size_t s = 0; s < policy.made.size(); ++s) {
    for (const auto& [instance, series] : policy.made[s]) emit(s, 0, instance, series);
  }
  for (size_t s = 0; s < policy.copies.size(); ++s) {
    for (size_t c = 0; c < policy.copies[s].size(); ++c) {
      for (const auto& [instance, series] : policy.copies[s][c]) emit(s, c + 1, instance, series);
    }
  }
}

void DlmToProto(const DlmState& state, v1::DlmStateRecord* out) {
  out->set_next_number(state.next_number);
  for (const auto& [id, policy] : state.policies) {
    DlmPolicyToProto(id, policy, out->add_policies());
    DlmSeriesToProto(id, policy, kMaxDlmSeriesPart,
                     [out](v1::DlmSeriesRecord& r) { out->add_series()->Swap(&r); });
  }
}

// Adds the record's policies and series to `out` (a state split over several records loads
// by one call per record, in file order); all or nothing.
absl::Status DlmFromProto(const v1::DlmStateRecord& in, DlmState* out) {
  std::map<std::string, DlmPolicyState> added;
  for (const v1::DlmPolicyRecord& r : in.policies()) {
    AMI_ASSIGN_OR_RETURN(DlmPolicyState p, PolicyFrom(r));
    const std::string id = p.policy.policy_id;
    if (out->policies.count(id) > 0 || !added.emplace(id, std::move(p)).second) {
      return MakeError(choices::kInconsistentValues, absl::StrCat("duplicate policy `", id, "`"));
    }
  }
  std::vector<SeriesPart> parts;
  for (const v1::DlmSeriesRecord& r : in.series()) {
    const auto a = added.find(r.policy_id());
    const auto o = out->policies.find(r.policy_id());
    const DlmPolicyState* policy = a != added.end() ? &a->second
                                   : o != out->policies.end() ? &o->second : nullptr;
    if (policy == nullptr) {
      return MakeError(choices::kInconsistentValues,
                       absl::StrCat("a series names policy `", text_util::Clip(r.policy_id()),
                                    "`, which no record before it holds"));
    }
    AMI_ASSIGN_OR_RETURN(SeriesPart part, SeriesFrom(r, *policy));
    parts.push_back(std::move(part));
  }
  if (in.next_number() != 0) out->next_number = in.next_number();
  for (auto& [id, p] : added) out->policies.emplace(id, std::move(p));
  for (SeriesPart& part : parts) {
    DlmSeries& series = SeriesOf(out->policies.at(part.policy_id), part.schedule,
                                 part.copy_rule, *part.instance);
    series.insert(series.end(), part.images.begin(), part.images.end());
  }
  return absl::OkStatus();
}

}  // namespace ami::internal
