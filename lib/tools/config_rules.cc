// AWS Config managed rules (ami/tools/config_rules.h): parameters, describe-config-rules output,
// and evaluation over one read of the cloud's state.
//
// Evaluation decides once per image (approved-amis-by-id, approved-amis-by-tag as the owner sees
// the image), once per (image, account) where the account sees it differently (its own tags on
// a shared image, SHARE-13; Allowed AMIs in force, through policy::EvaluateImageAllowed), and
// then walks the instances once, copying a verdict per instance: no engine call and no string
// made per instance.
#include "ami/tools/config_rules.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "cloud/state.h"
#include "nlohmann/json.hpp"
#include "policy/reasons.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxJsonDepth = 64;

struct RuleName {
  ConfigRuleKind kind;
  absl::string_view identifier;
  absl::string_view name;
};
constexpr std::array<RuleName, 5> kRuleNames = {{
    {ConfigRuleKind::kApprovedAmisById, "APPROVED_AMIS_BY_ID", "approved-amis-by-id"},
    {ConfigRuleKind::kApprovedAmisByTag, "APPROVED_AMIS_BY_TAG", "approved-amis-by-tag"},
    {ConfigRuleKind::kInstanceLaunchedWithAllowedAmi, "EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI",
     "ec2-instance-launched-with-allowed-ami"},
    {ConfigRuleKind::kEbsSnapshotPublicRestorableCheck, "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK",
     "ebs-snapshot-public-restorable-check"},
    {ConfigRuleKind::kEbsEncryptionByDefault, "EC2_EBS_ENCRYPTION_BY_DEFAULT",
     "ec2-ebs-encryption-by-default"},
}};

constexpr std::array<InstanceState, 6> kInstanceStates = {
    InstanceState::kPending, InstanceState::kRunning, InstanceState::kShuttingDown,
    InstanceState::kTerminated, InstanceState::kStopping, InstanceState::kStopped};

absl::Status Invalid(absl::string_view message) {
  return MakeError(choices::kInvalidValue, message);
}

// Refuses JSON nesting deeper than `max` before nlohmann's recursive parser sees it.
absl::Status CheckDepth(absl::string_view text, size_t max, absl::string_view what) {
  size_t depth = 0;
  bool in_string = false;
  bool escape = false;
  for (const char c : text) {
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max) {
        return MakeError(choices::kUndecodableInput,
                         absl::StrCat(what, " nests deeper than ", max, " levels"));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<json> ParseBounded(absl::string_view text, size_t max_bytes, absl::string_view what) {
  if (text.size() > max_bytes) {
    return MakeError(choices::kInputTooLarge, absl::StrCat(what, " of ", text.size(),
                                                           " bytes: at most ", max_bytes));
  }
  AMI_RETURN_IF_ERROR(CheckDepth(text, kMaxJsonDepth, what));
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return MakeError(choices::kUndecodableInput, absl::StrCat(what, " is not valid json"));
  }
  return doc;
}

// The comma-separated entries of a CSV parameter, trimmed; empty entries kept (as "").
std::vector<std::string> CsvEntries(absl::string_view text) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

absl::StatusOr<std::vector<ImageId>> ParseAmiIds(const std::string& text) {
  if (text.size() > kMaxApprovedAmiIdsChars) {
    return Invalid(absl::StrCat("amiIds of ", text.size(), " characters: at most ",
                                kMaxApprovedAmiIdsChars, " (GOV-1)"));
  }
  std::vector<ImageId> out;
  for (const std::string& entry : CsvEntries(text)) {
    if (entry.empty()) continue;
    absl::StatusOr<ImageId> id = ImageId::Parse(entry);
    if (!id.ok()) {
      return Invalid(absl::StrCat("amiIds entry `", text_util::Clip(entry), "` is not an AMI id"));
    }
    out.push_back(*id);
  }
  if (out.empty()) return Invalid("amiIds names no AMI id");
  return out;
}

absl::StatusOr<std::vector<ApprovedTag>> ParseApprovedTags(const std::string& text) {
  const std::vector<std::string> entries = CsvEntries(text);
  if (entries.size() > kMaxApprovedAmiTagEntries) {
    return Invalid(absl::StrCat("amisByTagKeyAndValue has ", entries.size(), " entries: at most ",
                                kMaxApprovedAmiTagEntries, " (GOV-2)"));
  }
  std::vector<ApprovedTag> out;
  for (const std::string& entry : entries) {
    const size_t colon = entry.find(':');
    ApprovedTag tag;
    tag.key = entry.substr(0, colon);
    if (colon != std::string::npos) tag.value = entry.substr(colon + 1);
    if (tag.key.empty()) {
      return Invalid(absl::StrCat("amisByTagKeyAndValue entry `", text_util::Clip(entry),
                                  "` has no tag key"));
    }
    out.push_back(std::move(tag));
  }
  return out;
}

absl::StatusOr<std::vector<InstanceState>> ParseStates(const std::string& text) {
  std::vector<InstanceState> out;
  for (const std::string& entry : CsvEntries(text)) {
    if (entry.empty()) continue;
    auto it = std::find_if(kInstanceStates.begin(), kInstanceStates.end(),
                           [&](InstanceState s) { return ToString(s) == entry; });
    if (it == kInstanceStates.end()) {
      return Invalid(absl::StrCat("InstanceStateNameList entry `", text_util::Clip(entry),
                                  "` is not an instance state (pending, running, shutting-down, "
                                  "terminated, stopping, stopped)"));
    }
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
  }
  return out;
}

// InputParameters as name → value; "" and "{}" give none.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> InputParameters(
    absl::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  if (absl::StripAsciiWhitespace(text).empty()) return out;
  AMI_ASSIGN_OR_RETURN(const json doc,
                       ParseBounded(text, kMaxConfigRuleInputParametersBytes, "InputParameters"));
  if (!doc.is_object()) return Invalid("InputParameters is not a json object");
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_string()) {
      return Invalid(absl::StrCat("InputParameters `", text_util::Clip(key),
                                  "` is not a string"));
    }
    out.emplace_back(key, value.get<std::string>());
  }
  return out;
}

// The parameters a rule takes, and whether the first is required.
struct ParameterSpec {
  std::vector<absl::string_view> names;
  bool required = false;
};

ParameterSpec ParametersOf(ConfigRuleKind kind) {
  switch (kind) {
    case ConfigRuleKind::kApprovedAmisById: return {{"amiIds"}, true};
    case ConfigRuleKind::kApprovedAmisByTag: return {{"amisByTagKeyAndValue"}, true};
    case ConfigRuleKind::kInstanceLaunchedWithAllowedAmi: return {{"InstanceStateNameList"}, false};
    case ConfigRuleKind::kEbsSnapshotPublicRestorableCheck:
    case ConfigRuleKind::kEbsEncryptionByDefault: return {{}, false};
  }
  return {};
}

}  // namespace

absl::string_view SourceIdentifier(ConfigRuleKind kind) {
  for (const RuleName& r : kRuleNames) {
    if (r.kind == kind) return r.identifier;
  }
  return "";
}

absl::string_view ManagedRuleName(ConfigRuleKind kind) {
  for (const RuleName& r : kRuleNames) {
    if (r.kind == kind) return r.name;
  }
  return "";
}

absl::StatusOr<ConfigRule> ConfigRule::Create(absl::string_view source_identifier,
                                              absl::string_view input_parameters,
                                              absl::string_view name) {
  auto known = std::find_if(kRuleNames.begin(), kRuleNames.end(),
                            [&](const RuleName& r) { return r.identifier == source_identifier; });
  if (known == kRuleNames.end()) {
    return Invalid(absl::StrCat("unknown managed rule identifier `",
                                text_util::Clip(source_identifier), "`"));
  }
  ConfigRule rule;
  rule.kind_ = known->kind;
  rule.name_ = name.empty() ? std::string(known->name) : std::string(name);
  rule.instance_states_ = {InstanceState::kRunning, InstanceState::kStopped};
  AMI_ASSIGN_OR_RETURN(const auto params, InputParameters(input_parameters));
  const ParameterSpec spec = ParametersOf(rule.kind_);
  bool have_required = false;
  for (const auto& [key, value] : params) {
    if (std::find(spec.names.begin(), spec.names.end(), key) == spec.names.end()) {
      return Invalid(absl::StrCat(known->name, " takes no parameter `", text_util::Clip(key), "`"));
    }
    have_required = true;
    if (key == "amiIds") {
      AMI_ASSIGN_OR_RETURN(rule.ami_ids_, ParseAmiIds(value));
    } else if (key == "amisByTagKeyAndValue") {
      AMI_ASSIGN_OR_RETURN(rule.approved_tags_, ParseApprovedTags(value));
    } else {
      AMI_ASSIGN_OR_RETURN(std::vector<InstanceState> states, ParseStates(value));
      if (!states.empty()) rule.instance_states_ = std::move(states);
    }
  }
  if (spec.required && !have_required) {
    return MakeError(choices::kMissingValue,
                     absl::StrCat(known->name, " needs the parameter ", spec.names.front()));
  }
  return rule;
}

namespace {

// One rule object of describe-config-rules: its name, identifier and parameters, or an error.
struct RuleText {
  std::string name;
  std::string identifier;
  std::string parameters;
  std::string arn;
};

// The Region of a Config rule ARN: arn:aws:config:REGION:ACCOUNT:config-rule/NAME.
absl::StatusOr<Region> RegionOfRuleArn(const std::string& arn, const std::string& where) {
  const std::vector<std::string> parts = absl::StrSplit(arn, absl::MaxSplits(':', 5));
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "config" ||
      !absl::StartsWith(parts[5], "config-rule/")) {
    return Invalid(absl::StrCat(where, ".ConfigRuleArn `", text_util::Clip(arn),
                                "` is not a config rule arn"));
  }
  absl::StatusOr<Region> region = Region::Parse(parts[3]);
  if (!region.ok()) {
    return Invalid(absl::StrCat(where, ".ConfigRuleArn names an unknown region `",
                                text_util::Clip(parts[3]), "`"));
  }
  return *region;
}

absl::StatusOr<RuleText> ReadRule(const json& r, size_t index) {
  const std::string where = absl::StrCat("ConfigRules[", index, "]");
  if (!r.is_object()) return Invalid(absl::StrCat(where, " is not a json object"));
  RuleText out;
  auto text = [&](const json& obj, const char* key, std::string* into) -> absl::Status {
    auto it = obj.find(key);
    if (it == obj.end()) return absl::OkStatus();
    if (!it->is_string()) return Invalid(absl::StrCat(where, ".", key, " is not a string"));
    *into = it->get<std::string>();
    return absl::OkStatus();
  };
  AMI_RETURN_IF_ERROR(text(r, "ConfigRuleName", &out.name));
  AMI_RETURN_IF_ERROR(text(r, "InputParameters", &out.parameters));
  AMI_RETURN_IF_ERROR(text(r, "ConfigRuleArn", &out.arn));
  auto source = r.find("Source");
  if (source == r.end() || !source->is_object()) {
    return Invalid(absl::StrCat(where, " has no Source object"));
  }
  std::string owner = "AWS";
  AMI_RETURN_IF_ERROR(text(*source, "Owner", &owner));
  AMI_RETURN_IF_ERROR(text(*source, "SourceIdentifier", &out.identifier));
  if (owner != "AWS") {
    return Invalid(absl::StrCat(where, " (", text_util::Clip(out.name), ") is a custom rule (Owner `",
                                text_util::Clip(owner), "`): only AWS managed rules are evaluated"));
  }
  if (out.identifier.empty()) return Invalid(absl::StrCat(where, " has no Source.SourceIdentifier"));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<ConfigRule>> ParseDescribeConfigRules(absl::string_view text) {
  AMI_ASSIGN_OR_RETURN(const json doc, ParseBounded(text, kMaxDescribeConfigRulesBytes,
                                                     "describe-config-rules output"));
  if (!doc.is_object()) return Invalid("describe-config-rules output is not a json object");
  auto list = doc.find("ConfigRules");
  if (list == doc.end() || !list->is_array()) {
    return Invalid("describe-config-rules output has no ConfigRules array");
  }
  std::vector<RuleText> texts;
  std::vector<std::string> unknown;
  for (size_t i = 0; i < list->size(); ++i) {
    AMI_ASSIGN_OR_RETURN(RuleText t, ReadRule((*list)[i], i));
    const bool known = std::any_of(kRuleNames.begin(), kRuleNames.end(),
                                   [&](const RuleName& r) { return r.identifier == t.identifier; });
    if (!known) unknown.push_back(absl::StrCat("`", text_util::Clip(t.identifier), "` (",
                                               text_util::Clip(t.name), ")"));
    texts.push_back(std::move(t));
  }
  if (!unknown.empty()) {
    return Invalid(absl::StrCat("unknown managed rule identifiers: ", absl::StrJoin(unknown, ", ")));
  }
  std::vector<ConfigRule> out;
  for (size_t i = 0; i < texts.size(); ++i) {
    const RuleText& t = texts[i];
    absl::StatusOr<ConfigRule> rule = ConfigRule::Create(t.identifier, t.parameters, t.name);
    if (!rule.ok()) {
      return internal::PrefixStatus(absl::StrCat("rule `", text_util::Clip(t.name), "`: "),
                                    rule.status());
    }
    if (!t.arn.empty()) {
      AMI_ASSIGN_OR_RETURN(rule->region_,
                           RegionOfRuleArn(t.arn, absl::StrCat("ConfigRules[", i, "]")));
    }
    out.push_back(*std::move(rule));
  }
  return out;
}

absl::string_view ToString(ComplianceType type) {
  switch (type) {
    case ComplianceType::kCompliant: return "COMPLIANT";
    case ComplianceType::kNonCompliant: return "NON_COMPLIANT";
    case ComplianceType::kNotApplicable: return "NOT_APPLICABLE";
  }
  return "INSUFFICIENT_DATA";
}

absl::string_view ToString(ConfigResourceType type) {
  switch (type) {
    case ConfigResourceType::kInstance: return "AWS::EC2::Instance";
    case ConfigResourceType::kSnapshot: return "AWS::EC2::Snapshot";
    case ConfigResourceType::kAccount: return "AWS::::Account";
  }
  return "";
}

std::string ConfigResult::ResourceId() const {
  switch (resource_type) {
    case ConfigResourceType::kInstance: return instance.ToString();
    case ConfigResourceType::kSnapshot: return snapshot.ToString();
    case ConfigResourceType::kAccount: return account.ToString();
  }
  return "";
}

const ConfigResult* ConfigEvaluation::Find(absl::string_view resource_id) const {
  for (const ConfigResult& r : results_) {
    if (r.ResourceId() == resource_id) return &r;
  }
  return nullptr;
}

size_t ConfigEvaluation::Count(ComplianceType type) const {
  return static_cast<size_t>(std::count_if(results_.begin(), results_.end(),
                                           [&](const ConfigResult& r) { return r.compliance == type; }));
}

}  // namespace ami
