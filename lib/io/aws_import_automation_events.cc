// EventBridge rules, their targets and EventBridge Scheduler schedules from AWS CLI output into
// EventScheduleRequest (lib/io/aws_import_automation.h). A target becomes an action only in the
// forms libami knows what it does: a Scheduler universal target calling ec2:createImage, or a
// Lambda function whose constant Input is libami's action form. Any other target refuses the
// file: unknown never allows, and a target whose effect is unknown must not import as one that
// acts.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/ids.h"
#include "ami/v1/aws_cli_automation.pb.h"
#include "io/aws_import_automation.h"
#include "io/aws_import_automation_util.h"
#include "io/json_check.h"

namespace ami::aws_import_internal {
namespace {

using namespace automation;  // NOLINT: the helpers of this family of files

constexpr absl::string_view kAccepted =
    "accepted targets: a scheduler universal target `arn:aws:scheduler:::aws-sdk:ec2:createImage`, "
    "or a lambda function whose constant Input is libami's action form "
    "({\"LibamiAction\": \"CreateImage\" | \"CopyImage\" | \"DeregisterOlderThan\", …})";

// The keys of each action of libami's form.
const std::vector<std::string>& KeysOf(const std::string& action) {
  static const auto* const create = new std::vector<std::string>{
      "LibamiAction", "ExecutionRoleArn", "InstanceIds", "InstanceTags", "NoReboot", "NamePrefix", "TagsToAdd"};
  static const auto* const copy = new std::vector<std::string>{
      "LibamiAction", "ExecutionRoleArn", "SourceRegion", "ImageTags", "Encrypted", "KmsKeyId", "NamePrefix", "TagsToAdd"};
  static const auto* const dereg = new std::vector<std::string>{
      "LibamiAction", "ExecutionRoleArn", "ImageTags", "OlderThanDays"};
  static const auto* const none = new std::vector<std::string>{};
  return action == "CreateImage" ? *create : action == "CopyImage" ? *copy
         : action == "DeregisterOlderThan" ? *dereg : *none;
}

// The top-level keys of a JSON object given as text, checked against `allowed`.
absl::Status CheckKeys(absl::string_view text, absl::string_view where,
                       const std::vector<std::string>& allowed) {
  json_check::JsonCheckOptions check;
  check.what = "the target's Input";
  check.keep_top_level_keys = true;
  AMI_ASSIGN_OR_RETURN(const json_check::JsonShape shape, json_check::CheckJson(text, check));
  if (!shape.is_object) return Refused(where, "the target's Input is not a json object");
  for (const std::string& key : shape.keys) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Refused(where, absl::StrCat("the target's Input has `", text_util::Clip(key),
                                         "`, which its form does not take (it takes ",
                                         absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

// A target's Input: the JSON text the CLI prints as a string.
absl::StatusOr<std::string> InputText(absl::string_view where, bool has, const google::protobuf::Value& v) {
  if (!has || v.kind_case() != google::protobuf::Value::kStringValue) {
    return Refused(where, "the target has no constant Input (a json string)");
  }
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(where, ".Input"), v.string_value(), kMaxTargetInputBytes));
  return v.string_value();
}

absl::Status CreateImageFields(absl::string_view where, const v1::LibamiActionJson& in, AutomationAction* out) {
  for (int i = 0; i < in.instance_ids_size(); ++i) {
    AMI_RETURN_IF_ERROR(At(absl::StrCat(where, ".InstanceIds[", i, "]"), InstanceId::Parse(in.instance_ids(i)).status()));
  }
  AMI_RETURN_IF_ERROR(Count(absl::StrCat(where, ".InstanceIds"), in.instance_ids_size(), kMaxImportTags));
  out->instance_ids.assign(in.instance_ids().begin(), in.instance_ids().end());
  AMI_ASSIGN_OR_RETURN(out->instance_tags, TagMap(absl::StrCat(where, ".InstanceTags"), in.instance_tags()));
  if (out->instance_ids.empty() && out->instance_tags.empty()) {
    return Missing(where, "InstanceIds or InstanceTags (an action on every instance is not taken)");
  }
  out->no_reboot = in.no_reboot();
  return absl::OkStatus();
}

absl::Status ImageFields(absl::string_view where, const v1::LibamiActionJson& in, AutomationAction* out) {
  AMI_ASSIGN_OR_RETURN(out->image_tags, TagMap(absl::StrCat(where, ".ImageTags"), in.image_tags()));
  if (out->image_tags.empty()) return Missing(where, "ImageTags (an action on every image is not taken)");
  if (out->kind == AutomationAction::Kind::kDeregisterOlderThan) {
    if (in.older_than_days() < 1) return Missing(absl::StrCat(where, ".OlderThanDays"), "a number of days (1 or more)");
    out->older_than_days = in.older_than_days();
    return absl::OkStatus();
  }
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(where, ".SourceRegion"), in.source_region(), kMaxDefinitionNameBytes, true));
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(where, ".KmsKeyId"), in.kms_key_id(), kMaxDefinitionTextBytes));
  out->source_region = in.source_region();
  out->encrypted = in.encrypted();
  out->kms_key_id = in.kms_key_id();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AutomationAction> ParseLibamiAction(absl::string_view input, absl::string_view where,
                                                   std::string* role) {
  AMI_RETURN_IF_ERROR(CheckKeys(input, where, {"LibamiAction", "ExecutionRoleArn", "InstanceIds", "InstanceTags",
                                               "ImageTags", "NoReboot", "NamePrefix", "TagsToAdd", "SourceRegion",
                                               "Encrypted", "KmsKeyId", "OlderThanDays"}));
  v1::LibamiActionJson in;
  AMI_RETURN_IF_ERROR(At(where, DecodeJson(input, "the target's Input", &in)));
  AMI_RETURN_IF_ERROR(Word(absl::StrCat(where, ".LibamiAction"), in.libami_action(),
                           {"CreateImage", "CopyImage", "DeregisterOlderThan"}));
  AMI_RETURN_IF_ERROR(CheckKeys(input, where, KeysOf(in.libami_action())));
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(where, ".ExecutionRoleArn"), in.execution_role_arn(), kMaxDefinitionTextBytes, true));
  *role = in.execution_role_arn();
  AutomationAction out;
  if (!in.name_prefix().empty()) out.name_prefix = in.name_prefix();
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(where, ".NamePrefix"), in.name_prefix(), kMaxDefinitionNameBytes));
  AMI_ASSIGN_OR_RETURN(out.tags_to_add, TagMap(absl::StrCat(where, ".TagsToAdd"), in.tags_to_add()));
  if (in.libami_action() == "CreateImage") {
    out.kind = AutomationAction::Kind::kCreateImage;
    AMI_RETURN_IF_ERROR(CreateImageFields(where, in, &out));
  } else {
    out.kind = in.libami_action() == "CopyImage" ? AutomationAction::Kind::kCopyImage
                                                  : AutomationAction::Kind::kDeregisterOlderThan;
    AMI_RETURN_IF_ERROR(ImageFields(where, in, &out));
  }
  return out;
}

namespace {

// The Input of a universal target calling ec2:createImage: one instance, its image named `Name`
// followed by the firing time (MC-94), tagged as its TagSpecifications for images say.
absl::StatusOr<AutomationAction> CreateImageTarget(absl::string_view input, absl::string_view where) {
  AMI_RETURN_IF_ERROR(CheckKeys(input, where, {"InstanceId", "Name", "Description", "NoReboot", "TagSpecifications"}));
  v1::CreateImageInputJson in;
  AMI_RETURN_IF_ERROR(At(where, DecodeJson(input, "the target's Input", &in)));
  AutomationAction out;
  out.kind = AutomationAction::Kind::kCreateImage;
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(where, ".InstanceId"), in.instance_id(), kMaxDefinitionNameBytes, true));
  AMI_RETURN_IF_ERROR(At(absl::StrCat(where, ".InstanceId"), InstanceId::Parse(in.instance_id()).status()));
  out.instance_ids = {in.instance_id()};
  AMI_RETURN_IF_ERROR(Text(absl::StrCat(where, ".Name"), in.name(), kMaxDefinitionNameBytes, true));
  out.name_prefix = in.name();
  out.no_reboot = in.no_reboot();
  for (int i = 0; i < in.tag_specifications_size(); ++i) {
    const auto& spec = in.tag_specifications(i);
    const std::string at = absl::StrCat(where, ".TagSpecifications[", i, "]");
    AMI_RETURN_IF_ERROR(Word(absl::StrCat(at, ".ResourceType"), spec.resource_type(), {"image"}));
    AMI_ASSIGN_OR_RETURN(const Tags tags, TagList(absl::StrCat(at, ".Tags"), spec.tags()));
    out.tags_to_add.insert(out.tags_to_add.end(), tags.begin(), tags.end());
  }
  return out;
}

// One target: `arn` and its Input; `role` receives the role the action acts as, `scheduler_role`
// being the Scheduler target's RoleArn (empty for an EventBridge rule's target).
absl::StatusOr<AutomationAction> Target(const std::string& arn, absl::string_view input,
                                        absl::string_view where, const std::string& scheduler_role,
                                        std::string* role) {
  constexpr absl::string_view kUniversal = "arn:aws:scheduler:::aws-sdk:ec2:";
  if (absl::StartsWith(arn, "arn:aws:lambda:")) return ParseLibamiAction(input, where, role);
  if (!scheduler_role.empty() && arn == absl::StrCat(kUniversal, "createImage")) {
    *role = scheduler_role;
    return CreateImageTarget(input, where);
  }
  if (!scheduler_role.empty() && (arn == absl::StrCat(kUniversal, "copyImage") ||
                                  arn == absl::StrCat(kUniversal, "deregisterImage"))) {
    return Refused(where, absl::StrCat("target `", arn, "` acts on one image that its Input names; libami's ",
                                       "copy and deregister actions select images by tags; ", kAccepted));
  }
  return Refused(where, absl::StrCat("target `", text_util::Clip(arn), "` is of no form libami knows the effect of; ",
                                     kAccepted));
}

absl::Status State(absl::string_view path, const std::string& state, std::string* out) {
  if (state.empty()) return absl::OkStatus();
  AMI_RETURN_IF_ERROR(Word(path, state, {"ENABLED", "DISABLED"}));
  *out = state;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImportedSchedule> ParseEventRule(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::DescribeRuleOutput in, DecodeOutput<v1::DescribeRuleOutput>(file, "describe-rule"));
  AMI_RETURN_IF_ERROR(Text("Name", in.name(), kMaxDefinitionNameBytes, true));
  if (Present(in.has_event_pattern(), in.event_pattern())) {
    return Refused("EventPattern", absl::StrCat("rule `", in.name(), "` runs on events, not on a schedule; ",
                                                "libami imports scheduled rules only"));
  }
  ImportedSchedule r;
  r.file = &file;
  r.request.name = in.name();
  AMI_RETURN_IF_ERROR(Text("ScheduleExpression", in.schedule_expression(), kMaxDefinitionTextBytes, true));
  r.request.schedule_expression = in.schedule_expression();
  AMI_RETURN_IF_ERROR(State("State", in.state(), &r.request.state));
  return r;
}

absl::StatusOr<ImportedTargets> ParseRuleTargets(const AwsCliFile& file, absl::string_view rule) {
  AMI_ASSIGN_OR_RETURN(const v1::ListTargetsByRuleOutput in,
                       DecodeOutput<v1::ListTargetsByRuleOutput>(file, "list-targets-by-rule"));
  if (!in.next_token().empty()) {
    return MakeError(choices::kMissingValue, "NextToken: the listing is cut short; list it whole");
  }
  AMI_RETURN_IF_ERROR(Count("Targets", in.targets_size(), kMaxRuleTargets));
  ImportedTargets out;
  out.file = &file;
  for (int i = 0; i < in.targets_size(); ++i) {
    const v1::EventsTargetJson& t = in.targets(i);
    const std::string where = absl::StrCat("Targets[", i, "]");
    const std::string named = absl::StrCat(where, ": target `", text_util::Clip(t.id()), "` of rule `", rule, "`");
    if (Present(t.has_input_path(), t.input_path()) || Present(t.has_input_transformer(), t.input_transformer())) {
      return Refused(named, absl::StrCat("its input is taken from the event (InputPath, InputTransformer); ", kAccepted));
    }
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(where, ".Arn"), t.arn(), kMaxDefinitionTextBytes, true));
    AMI_ASSIGN_OR_RETURN(const std::string input, InputText(named, t.has_input(), t.input()));
    std::string role;
    AMI_ASSIGN_OR_RETURN(AutomationAction action, Target(t.arn(), input, named, "", &role));
    if (!out.role_arn.empty() && role != out.role_arn) {
      return Refused(named, absl::StrCat("its role `", role, "` is not the role of the rule's other targets `",
                                         out.role_arn, "`; a rule's actions act as one role"));
    }
    out.role_arn = role;
    out.actions.push_back(std::move(action));
  }
  return out;
}

absl::StatusOr<ImportedSchedule> ParseSchedule(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(const v1::GetScheduleOutput in, DecodeOutput<v1::GetScheduleOutput>(file, "get-schedule"));
  AMI_RETURN_IF_ERROR(Text("Name", in.name(), kMaxDefinitionNameBytes, true));
  for (const auto& [present, key] : {std::pair{Present(in.has_start_date(), in.start_date()), "StartDate"},
                                     std::pair{Present(in.has_end_date(), in.end_date()), "EndDate"}}) {
    if (present) return Refused(key, absl::StrCat("schedule `", in.name(), "` has a start or end date, which libami's schedules do not"));
  }
  ImportedSchedule r;
  r.file = &file;
  EventScheduleRequest& q = r.request;
  q.name = in.name();
  AMI_RETURN_IF_ERROR(Text("ScheduleExpression", in.schedule_expression(), kMaxDefinitionTextBytes, true));
  AMI_RETURN_IF_ERROR(Text("ScheduleExpressionTimezone", in.schedule_expression_timezone(), kMaxDefinitionNameBytes));
  q.schedule_expression = in.schedule_expression();
  q.timezone = in.schedule_expression_timezone();
  AMI_RETURN_IF_ERROR(State("State", in.state(), &q.state));
  if (!in.has_target()) return Missing("Target", "the schedule's target");
  const v1::SchedulerTargetJson& t = in.target();
  AMI_RETURN_IF_ERROR(Text("Target.Arn", t.arn(), kMaxDefinitionTextBytes, true));
  AMI_RETURN_IF_ERROR(Text("Target.RoleArn", t.role_arn(), kMaxDefinitionTextBytes, true));
  const std::string named = absl::StrCat("Target: the target of schedule `", in.name(), "`");
  AMI_ASSIGN_OR_RETURN(const std::string input, InputText(named, t.has_input(), t.input()));
  AMI_ASSIGN_OR_RETURN(AutomationAction action, Target(t.arn(), input, named, t.role_arn(), &q.role_arn));
  q.actions.push_back(std::move(action));
  return r;
}

}  // namespace ami::aws_import_internal
