// The automation files of one import (lib/io/aws_import_automation.h): read as they come,
// joined at the end — rules with their targets, selections with their plans.
#include "io/aws_import_automation.h"

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "io/aws_import_automation_util.h"

namespace ami::aws_import_internal {
namespace {

using namespace automation;  // NOLINT: the helpers of this family of files

// Where a definition lives: the file's account and Region.
std::pair<AccountId, Region> Place(const AwsCliFile& file) { return {file.account, file.region}; }

template <typename T>
absl::Status Keep(const AwsCliFile& file, absl::StatusOr<T> parsed, std::vector<T>* out) {
  if (!parsed.ok()) return InFile(file, parsed.status());
  out->push_back(*std::move(parsed));
  return absl::OkStatus();
}

}  // namespace

bool AutomationFiles::empty() const { return read_.empty() && rules_.empty() && targets_.empty(); }

absl::Status AutomationFiles::Add(const AwsCliFile& file, Kind kind) {
  switch (kind) {
    case Kind::kDlmPolicy: return Keep(file, ParseLifecyclePolicy(file), &read_.policies);
    case Kind::kBackupPlan: return Keep(file, ParseBackupPlan(file), &read_.plans);
    case Kind::kBackupSelection: return Keep(file, ParseBackupSelection(file), &read_.selections);
    case Kind::kEventRule: return Keep(file, ParseEventRule(file), &rules_);
    case Kind::kSchedule: return Keep(file, ParseSchedule(file), &read_.schedules);
    case Kind::kRuleTargets:
      return Keep(file, ParseRuleTargets(file, file.rule.empty() ? "(the only rule)" : file.rule), &targets_);
    case Kind::kBackupVaults: {
      absl::StatusOr<std::vector<ImportedBackupVault>> vaults = ParseBackupVaults(file);
      if (!vaults.ok()) return InFile(file, vaults.status());
      read_.vaults.insert(read_.vaults.end(), vaults->begin(), vaults->end());
      return absl::OkStatus();
    }
    default:
      return Invalid("not an automation output");
  }
}

absl::StatusOr<ImportedAutomation> AutomationFiles::Join() const {
  ImportedAutomation out = read_;
  std::vector<bool> joined(rules_.size(), false);
  for (const ImportedTargets& t : targets_) {
    std::vector<size_t> candidates;
    for (size_t i = 0; i < rules_.size(); ++i) {
      if (Place(*rules_[i].file) == Place(*t.file) &&
          (t.file->rule.empty() || rules_[i].request.name == t.file->rule)) {
        candidates.push_back(i);
      }
    }
    if (candidates.size() != 1) {
      return InFile(*t.file, MakeError(choices::kMissingValue, absl::StrCat(
          "list-targets-by-rule output belongs to ", t.file->rule.empty() ? "no one rule" : absl::StrCat("rule `", t.file->rule, "`"),
          " of the describe-rule outputs of account `", t.file->account.ToString(), "` in ",
          t.file->region.code(), ": give each describe-rule output and the rule's name (--rule)")));
    }
    if (joined[candidates[0]]) {
      return InFile(*t.file, Invalid(absl::StrCat("rule `", rules_[candidates[0]].request.name,
                                                  "` has a second list-targets-by-rule output")));
    }
    joined[candidates[0]] = true;
    ImportedSchedule rule = rules_[candidates[0]];
    rule.request.actions = t.actions;
    rule.request.role_arn = t.role_arn;
    out.schedules.push_back(std::move(rule));
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!joined[i]) {
      return InFile(*rules_[i].file, MakeError(choices::kMissingValue, absl::StrCat(
          "rule `", rules_[i].request.name, "` has no list-targets-by-rule output: a rule's targets ",
          "are not assumed")));
    }
  }
  std::set<std::tuple<AccountId, Region, std::string>> names, plans, policies;
  for (const ImportedSchedule& s : out.schedules) {
    if (!names.insert({s.file->account, s.file->region, s.request.name}).second) {
      return InFile(*s.file, Invalid(absl::StrCat("a second rule or schedule is named `", s.request.name, "`")));
    }
  }
  for (const ImportedBackupPlan& p : out.plans) {
    if (!plans.insert({p.file->account, p.file->region, p.file_plan_id}).second) {
      return InFile(*p.file, Invalid(absl::StrCat("backup plan `", p.file_plan_id, "` is in a second file")));
    }
  }
  for (const ImportedLifecyclePolicy& p : out.policies) {
    if (!policies.insert({p.file->account, p.file->region, p.file_policy_id}).second) {
      return InFile(*p.file, Invalid(absl::StrCat("lifecycle policy `", p.file_policy_id, "` is in a second file")));
    }
  }
  for (const ImportedBackupSelection& s : out.selections) {
    if (plans.count({s.file->account, s.file->region, s.file_plan_id}) == 0) {
      return InFile(*s.file, MakeError(choices::kMissingValue, absl::StrCat(
          "selection `", s.file_selection_id, "` names backup plan `", s.file_plan_id,
          "`, which no get-backup-plan output of its account and Region holds")));
    }
  }
  return out;
}

}  // namespace ami::aws_import_internal
