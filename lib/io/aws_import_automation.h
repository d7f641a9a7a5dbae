// Reading automation definitions from AWS CLI output for the importer (lib/io/aws_import.cc):
// Data Lifecycle Manager policies, AWS Backup vaults, plans and selections, EventBridge rules
// with their targets, and EventBridge Scheduler schedules, each turned into the request the
// Automation facade (ami/automation/automation.h) takes. Parsing is apart from the facade call
// (ImportAutomation, one function) so that each file's mapping is checked on its own.
// Internal to libami; the parse functions are pure (thread-safe), AutomationFiles is not
// (one importer uses it).
#ifndef AMI_LIB_IO_AWS_IMPORT_AUTOMATION_H_
#define AMI_LIB_IO_AWS_IMPORT_AUTOMATION_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/automation/automation.h"
#include "ami/cloud.h"
#include "ami/io/aws_import.h"
#include "io/aws_import_json.h"

namespace ami::aws_import_internal {

// ---- Bounds (refused past them: InvalidParameterValue naming the path) ----

// Ids, names, Regions, words and tag keys.
inline constexpr size_t kMaxDefinitionNameBytes = 256;
// Descriptions, ARNs, expressions and tag values.
inline constexpr size_t kMaxDefinitionTextBytes = 2048;
// A target's Input (EventBridge's and Scheduler's own limit).
inline constexpr size_t kMaxTargetInputBytes = 8192;
// Lists: DLM schedules, copy rules and tags; Backup rules, copy actions, tags, resources and
// conditions; targets of a rule; vaults in a listing.
inline constexpr int kMaxDlmImportSchedules = 4;
inline constexpr int kMaxDlmImportCopyRules = 3;
inline constexpr int kMaxImportTags = 50;
inline constexpr int kMaxBackupRules = 100;
inline constexpr int kMaxBackupCopyActions = 10;
inline constexpr int kMaxBackupResources = 500;
inline constexpr int kMaxBackupConditions = 30;
inline constexpr int kMaxRuleTargets = 5;
inline constexpr int kMaxBackupVaults = 1000;

// What one file defines, with the file and the ids it gave.
struct ImportedLifecyclePolicy {
  const AwsCliFile* file = nullptr;
  std::string file_policy_id;
  LifecyclePolicyRequest request;
};
struct ImportedBackupVault {
  const AwsCliFile* file = nullptr;
  std::string name;
  std::string encryption_key_arn;
};
struct ImportedBackupPlan {
  const AwsCliFile* file = nullptr;
  std::string file_plan_id;
  BackupPlanRequest request;
};
struct ImportedBackupSelection {
  const AwsCliFile* file = nullptr;
  std::string file_selection_id;
  std::string file_plan_id;
  BackupSelectionRequest request;
};
struct ImportedSchedule {
  const AwsCliFile* file = nullptr;
  EventScheduleRequest request;
};
// A list-targets-by-rule output: its actions and the role they act as.
struct ImportedTargets {
  const AwsCliFile* file = nullptr;
  std::vector<AutomationAction> actions;
  std::string role_arn;
};

// Everything an import defines, in the order the facade is called: vaults, plans, selections
// (their plans imported before them), lifecycle policies, schedules.
struct ImportedAutomation {
  std::vector<ImportedBackupVault> vaults;
  std::vector<ImportedBackupPlan> plans;
  std::vector<ImportedBackupSelection> selections;
  std::vector<ImportedLifecyclePolicy> policies;
  std::vector<ImportedSchedule> schedules;
  bool empty() const {
    return vaults.empty() && plans.empty() && selections.empty() && policies.empty() &&
           schedules.empty();
  }
};

// ---- One file each (errors: "<JSON path>: …", without the file name) ----

absl::StatusOr<ImportedLifecyclePolicy> ParseLifecyclePolicy(const AwsCliFile& file);
absl::StatusOr<std::vector<ImportedBackupVault>> ParseBackupVaults(const AwsCliFile& file);
absl::StatusOr<ImportedBackupPlan> ParseBackupPlan(const AwsCliFile& file);
absl::StatusOr<ImportedBackupSelection> ParseBackupSelection(const AwsCliFile& file);
// An EventBridge rule without its targets (actions empty).
absl::StatusOr<ImportedSchedule> ParseEventRule(const AwsCliFile& file);
// `rule` names the rule in messages.
absl::StatusOr<ImportedTargets> ParseRuleTargets(const AwsCliFile& file, absl::string_view rule);
absl::StatusOr<ImportedSchedule> ParseSchedule(const AwsCliFile& file);
// A Lambda target's constant Input in libami's action form; `role` receives its
// ExecutionRoleArn. `where` names the rule and target in messages.
absl::StatusOr<AutomationAction> ParseLibamiAction(absl::string_view input, absl::string_view where,
                                                   std::string* role);

// The automation files of one import, read as they come and joined at the end.
class AutomationFiles {
 public:
  // Reads one file of `kind` (an automation kind).
  absl::Status Add(const AwsCliFile& file, Kind kind);
  // Joins rules with their targets (AwsCliFile::rule, or the only rule of the account and
  // Region) and checks that each selection's plan and each target's rule is in the import, and
  // that no two schedules or rules share a name in one account and Region.
  absl::StatusOr<ImportedAutomation> Join() const;
  bool empty() const;

 private:
  ImportedAutomation read_;
  std::vector<ImportedSchedule> rules_;
  std::vector<ImportedTargets> targets_;
};

// Makes the definitions in `cloud` through the Automation facade, each as the root user of its
// file's account in its file's Region; the facade gives new ids, so `renamed` receives each
// file id with the id the cloud gave it (selections name their plans by the new ids).
absl::Status ImportAutomation(Cloud& cloud, const ImportedAutomation& in,
                              std::vector<ImportedAutomationId>* renamed);

}  // namespace ami::aws_import_internal

#endif  // AMI_LIB_IO_AWS_IMPORT_AUTOMATION_H_
