// AWS Backup's definitions and copies, decided (BACKUP-1 … 3, MC-86, MC-87, MC-88).
#include "policy/automation_backup.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/automation/schedule.h"
#include "policy/common.h"

namespace ami::policy {

namespace {

using RT = ReasonTemplate;

// MC-87: AWS Backup's validation, with its own error codes.
inline constexpr RT kInvalid{"MC-87", kBackupInvalid, "{text}"};
inline constexpr RT kMissing{"MC-87", kBackupMissing, "{text}"};
inline constexpr RT kExists{"MC-87", kBackupExists, "{text}"};
inline constexpr RT kNotFound{"MC-87", kBackupNotFound, "{text}"};
inline constexpr RT kLimit{"MC-87", kBackupLimit, "{text}"};
inline constexpr RT kValid{"BACKUP-1", kBackupInvalid, "{text} is valid"};
// BACKUP-2, MC-88: a Marketplace AMI is not copied into another account.
inline constexpr RT kMarketplaceCopy{
    "BACKUP-2", ErrorCode::kInvalidRequestException,
    "image {image} has a Marketplace product code: AWS Backup does not copy it to account "
    "{account}"};
// BACKUP-3: a copy is always encrypted, with the destination vault's key.
inline constexpr RT kCopyEncrypted{
    "BACKUP-3", ErrorCode::kInvalidRequestException,
    "the copy of image {image} in account {account} is encrypted with kms key {key}"};

Reason Text(const RT& what, std::string text) {
  return R(what, ReasonArgs{.text = std::move(text)});
}

constexpr absl::string_view kResourceTagPrefix = "aws:ResourceTag/";

bool NameCharsOk(absl::string_view name, bool dots) {
  for (const char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' &&
        !(dots && c == '.')) {
      return false;
    }
  }
  return true;
}

// A plan, rule or selection name (dots allowed), or a vault name (2 characters or more, no dots).
void CheckName(absl::string_view what, absl::string_view name, bool vault, Decision* d) {
  if (name.empty()) {
    d->AddForbid(Text(kMissing, absl::StrCat(what, " is required")));
    return;
  }
  const size_t min = vault ? kMinBackupVaultNameLength : 1;
  if (name.size() < min || name.size() > static_cast<size_t>(kMaxBackupNameLength) ||
      !NameCharsOk(name, !vault)) {
    d->AddForbid(Text(kInvalid, absl::StrCat(what, " `", name.substr(0, kMaxBackupNameLength),
                                             "` must be ", min, " to ", kMaxBackupNameLength,
                                             vault ? " letters, digits, hyphens or underscores"
                                                   : " letters, digits, hyphens, underscores "
                                                     "or periods")));
  }
}

void CheckCount(absl::string_view what, size_t n, int max, const RT& code, Decision* d) {
  if (n > static_cast<size_t>(max)) {
    d->AddForbid(Text(code, absl::StrCat("at most ", max, " ", what, " are allowed; got ", n)));
  }
}

// arn:aws:backup:<region>:<account>:backup-vault:<name>
bool ParseVaultArn(absl::string_view arn, Region* region, AccountId* account, std::string* name) {
  constexpr absl::string_view kPrefix = "arn:aws:backup:";
  if (!absl::StartsWith(arn, kPrefix) || arn.size() > static_cast<size_t>(kMaxBackupArnLength)) {
    return false;
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(arn.substr(kPrefix.size()), ':');
  if (parts.size() != 4 || parts[2] != "backup-vault") return false;
  absl::StatusOr<Region> r = Region::Parse(parts[0]);
  absl::StatusOr<AccountId> a = AccountId::Parse(parts[1]);
  if (!r.ok() || !a.ok()) return false;
  Decision names;
  CheckName("vault name", parts[3], /*vault=*/true, &names);
  if (!names.reasons().empty()) return false;
  *region = *r;
  *account = *a;
  *name = std::string(parts[3]);
  return true;
}

void CheckLifecycle(const BackupLifecycle& l, absl::string_view where, Decision* d) {
  const auto out_of_range = [&](absl::string_view field, int days) {
    d->AddForbid(Text(kInvalid, absl::StrCat(field, " of ", where, " must be 0 to ",
                                             kMaxLifecycleDays, " days; got ", days)));
  };
  if (l.delete_after_days < 0 || l.delete_after_days > kMaxLifecycleDays) {
    out_of_range("DeleteAfterDays", l.delete_after_days);
  }
  if (l.move_to_cold_storage_after_days < 0 ||
      l.move_to_cold_storage_after_days > kMaxLifecycleDays) {
    out_of_range("MoveToColdStorageAfterDays", l.move_to_cold_storage_after_days);
  }
  if (l.delete_after_days > 0 && l.move_to_cold_storage_after_days > 0 &&
      l.delete_after_days < l.move_to_cold_storage_after_days + kMinColdStorageDays) {
    d->AddForbid(Text(kInvalid, absl::StrCat("DeleteAfterDays of ", where, " must be at least ",
                                             kMinColdStorageDays,
                                             " days more than MoveToColdStorageAfterDays; got ",
                                             l.delete_after_days, " and ",
                                             l.move_to_cold_storage_after_days)));
  }
}

void CheckWindows(const BackupRule& rule, absl::string_view where, Decision* d) {
  if (rule.start_window_minutes < kMinStartWindowMinutes ||
      rule.start_window_minutes > kMaxStartWindowMinutes) {
    d->AddForbid(Text(kInvalid, absl::StrCat("StartWindowMinutes of ", where, " must be ",
                                             kMinStartWindowMinutes, " to ",
                                             kMaxStartWindowMinutes, "; got ",
                                             rule.start_window_minutes)));
    return;
  }
  const int64_t min = int64_t{rule.start_window_minutes} + kMinCompletionAfterStartMinutes;
  if (rule.completion_window_minutes < min ||
      rule.completion_window_minutes > kMaxCompletionWindowMinutes) {
    d->AddForbid(Text(kInvalid, absl::StrCat("CompletionWindowMinutes of ", where, " must be ",
                                             min, " to ", kMaxCompletionWindowMinutes, "; got ",
                                             rule.completion_window_minutes)));
  }
}

void CheckRule(const BackupRule& rule, const BackupFacts& facts, Decision* d) {
  CheckName("RuleName", rule.rule_name, /*vault=*/false, d);
  const std::string where = absl::StrCat("rule `", rule.rule_name.substr(0, kMaxBackupNameLength),
                                         "`");
  CheckName("TargetBackupVaultName", rule.target_backup_vault_name, /*vault=*/true, d);
  if (!rule.target_backup_vault_name.empty() && facts.vault_exists &&
      !facts.vault_exists(rule.target_backup_vault_name)) {
    d->AddForbid(Text(kInvalid, absl::StrCat("backup vault `", rule.target_backup_vault_name.substr(
                                                 0, kMaxBackupArnLength),
                                             "` of ", where, " does not exist")));
  }
  if (!rule.schedule_expression.empty()) {
    absl::StatusOr<ScheduleExpression> s =
        ScheduleExpression::Parse(rule.schedule_expression, rule.schedule_expression_timezone);
    if (!s.ok()) {
      d->AddForbid(Text(kInvalid, absl::StrCat("ScheduleExpression of ", where, ": ",
                                               s.status().message())));
    } else if (s->kind() != ScheduleExpression::Kind::kCron &&
               s->kind() != ScheduleExpression::Kind::kRate) {
      d->AddForbid(Text(kInvalid, absl::StrCat("ScheduleExpression of ", where,
                                               " must be cron() or rate()")));
    }
  } else if (!rule.schedule_expression_timezone.empty()) {
    d->AddForbid(Text(kInvalid, absl::StrCat("ScheduleExpressionTimezone of ", where,
                                             " needs a ScheduleExpression")));
  }
  CheckWindows(rule, where, d);
  CheckLifecycle(rule.lifecycle, where, d);
  CheckCount("copy actions per rule", rule.copy_actions.size(), kMaxCopyActionsPerRule, kLimit, d);
  CheckCount("recovery point tags per rule", rule.recovery_point_tags.size(),
             kMaxRecoveryPointTags, kInvalid, d);
  for (const BackupCopyAction& copy : rule.copy_actions) {
    Region r = Region::First();
    AccountId a = AccountId::FromNumber(0);
    std::string name;
    if (!ParseVaultArn(copy.destination_backup_vault_arn, &r, &a, &name)) {
      d->AddForbid(Text(kInvalid, absl::StrCat(
                                      "DestinationBackupVaultArn `",
                                      copy.destination_backup_vault_arn.substr(0, kMaxBackupArnLength),
                                      "` of ", where,
                                      " is not arn:aws:backup:<region>:<account>:backup-vault:<name>")));
    }
    CheckLifecycle(copy.lifecycle, absl::StrCat("a copy action of ", where), d);
  }
}

// One tag condition: its type among `types`, a key (ListOfTags: a tag key or aws:ResourceTag/…;
// Conditions: aws:ResourceTag/…), a value.
void CheckCondition(const BackupCondition& c, bool list_of_tags, Decision* d) {
  const bool type_ok = list_of_tags ? c.condition_type == "STRINGEQUALS"
                                    : (c.condition_type == "StringEquals" ||
                                       c.condition_type == "StringNotEquals" ||
                                       c.condition_type == "StringLike" ||
                                       c.condition_type == "StringNotLike");
  if (!type_ok) {
    d->AddForbid(Text(kInvalid, absl::StrCat(
                                    "condition type `", c.condition_type.substr(0, kMaxConditionTextLength),
                                    list_of_tags ? "` of ListOfTags must be STRINGEQUALS"
                                                 : "` must be StringEquals, StringNotEquals, "
                                                   "StringLike or StringNotLike")));
  }
  if (c.key.empty()) {
    d->AddForbid(Text(kMissing, "a tag condition needs a ConditionKey"));
  } else if (c.key.size() > static_cast<size_t>(kMaxConditionTextLength) ||
             c.value.size() > static_cast<size_t>(kMaxConditionTextLength)) {
    d->AddForbid(Text(kInvalid, absl::StrCat("a condition key or value is at most ",
                                             kMaxConditionTextLength, " characters")));
  } else if (!list_of_tags && (!absl::StartsWith(c.key, kResourceTagPrefix) ||
                               c.key.size() == kResourceTagPrefix.size())) {
    d->AddForbid(Text(kInvalid, absl::StrCat("condition key `", c.key,
                                             "` must be aws:ResourceTag/<tag key>")));
  }
}

void CheckResources(absl::string_view field, const std::vector<std::string>& arns, Decision* d) {
  CheckCount(absl::StrCat("ARNs in ", field), arns.size(), kMaxSelectionResources, kLimit, d);
  for (const std::string& arn : arns) {
    if (arn != "*" && (!absl::StartsWith(arn, "arn:") ||
                       arn.size() > static_cast<size_t>(kMaxBackupArnLength))) {
      d->AddForbid(Text(kInvalid, absl::StrCat("`", arn.substr(0, kMaxBackupArnLength), "` in ",
                                               field, " is neither an ARN nor *")));
    }
  }
}

// The tag a condition asks about: the key without aws:ResourceTag/.
absl::string_view TagKey(absl::string_view key) {
  return absl::StartsWith(key, kResourceTagPrefix) ? key.substr(kResourceTagPrefix.size()) : key;
}

bool ConditionHolds(const BackupCondition& c, const TagSet& tags) {
  const std::optional<absl::string_view> value = tags.Find(TagKey(c.key));
  const std::string& type = c.condition_type;
  if (type == "STRINGEQUALS" || type == "StringEquals") return value && *value == c.value;
  if (type == "StringNotEquals") return !value || *value != c.value;
  if (type == "StringLike") return value && BackupWildcardMatch(c.value, *value);
  if (type == "StringNotLike") return !value || !BackupWildcardMatch(c.value, *value);
  return false;  // unknown never allows
}

bool AnyArnMatches(const std::vector<std::string>& patterns, absl::string_view arn) {
  for (const std::string& p : patterns) {
    if (BackupWildcardMatch(p, arn)) return true;
  }
  return false;
}

}  // namespace

Decision DecideBackupLifecycle(const BackupLifecycle& lifecycle, absl::string_view where) {
  Decision d;
  CheckLifecycle(lifecycle, where, &d);
  if (d.reasons().empty()) d.AddPermit(Text(kValid, absl::StrCat("the lifecycle of ", where)));
  return d;
}

Decision DecideCreateBackupVault(absl::string_view name, const BackupFacts& facts) {
  Decision d;
  CheckName("BackupVaultName", name, /*vault=*/true, &d);
  if (facts.name_taken) {
    d.AddForbid(Text(kExists, absl::StrCat("backup vault `", name, "` already exists")));
  }
  if (facts.vaults >= kMaxBackupVaultsPerRegion) {
    d.AddForbid(Text(kLimit, absl::StrCat("an account has at most ", kMaxBackupVaultsPerRegion,
                                          " backup vaults per region")));
  }
  if (d.reasons().empty()) d.AddPermit(Text(kValid, absl::StrCat("backup vault `", name, "`")));
  return d;
}

Decision DecideCreateBackupPlan(const BackupPlanRequest& request, const BackupFacts& facts) {
  Decision d;
  CheckName("BackupPlanName", request.backup_plan_name, /*vault=*/false, &d);
  if (facts.name_taken) {
    d.AddForbid(Text(kExists, absl::StrCat("backup plan `", request.backup_plan_name,
                                           "` already exists")));
  }
  if (facts.plans >= kMaxBackupPlansPerRegion) {
    d.AddForbid(Text(kLimit, absl::StrCat("an account has at most ", kMaxBackupPlansPerRegion,
                                          " backup plans per region")));
  }
  if (request.rules.empty()) d.AddForbid(Text(kMissing, "a backup plan needs at least one rule"));
  CheckCount("rules per backup plan", request.rules.size(), kMaxBackupRulesPerPlan, kLimit, &d);
  if (request.rules.size() <= static_cast<size_t>(kMaxBackupRulesPerPlan)) {
    for (size_t i = 0; i < request.rules.size(); ++i) {
      CheckRule(request.rules[i], facts, &d);
      for (size_t j = 0; j < i; ++j) {
        if (request.rules[j].rule_name == request.rules[i].rule_name) {
          d.AddForbid(Text(kInvalid, absl::StrCat("rule name `", request.rules[i].rule_name,
                                                  "` is used twice")));
        }
      }
    }
  }
  if (d.reasons().empty()) {
    d.AddPermit(Text(kValid, absl::StrCat("backup plan `", request.backup_plan_name, "`")));
  }
  return d;
}

Decision DecideCreateBackupSelection(const BackupSelectionRequest& request,
                                     const BackupFacts& facts) {
  Decision d;
  CheckName("SelectionName", request.selection_name, /*vault=*/false, &d);
  if (facts.name_taken) {
    d.AddForbid(Text(kExists, absl::StrCat("selection `", request.selection_name,
                                           "` already exists in the plan")));
  }
  if (facts.selections >= kMaxSelectionsPerPlan) {
    d.AddForbid(Text(kLimit, absl::StrCat("a backup plan has at most ", kMaxSelectionsPerPlan,
                                          " selections")));
  }
  if (request.iam_role_arn.empty()) {
    d.AddForbid(Text(kMissing, "IamRoleArn is required"));
  } else if (!absl::StartsWith(request.iam_role_arn, "arn:aws:iam::") ||
             request.iam_role_arn.find(":role/") == std::string::npos ||
             request.iam_role_arn.size() > static_cast<size_t>(kMaxBackupArnLength)) {
    d.AddForbid(Text(kInvalid, absl::StrCat("IamRoleArn `",
                                            request.iam_role_arn.substr(0, kMaxBackupArnLength),
                                            "` is not an IAM role ARN")));
  }
  CheckResources("Resources", request.resources, &d);
  CheckResources("NotResources", request.not_resources, &d);
  CheckCount("tag conditions per selection",
             request.list_of_tags.size() + request.conditions.size(), kMaxSelectionConditions,
             kLimit, &d);
  if (request.list_of_tags.size() + request.conditions.size() <=
      static_cast<size_t>(kMaxSelectionConditions)) {
    for (const BackupCondition& c : request.list_of_tags) CheckCondition(c, true, &d);
    for (const BackupCondition& c : request.conditions) CheckCondition(c, false, &d);
  }
  if (d.reasons().empty()) {
    d.AddPermit(Text(kValid, absl::StrCat("selection `", request.selection_name, "`")));
  }
  return d;
}

Decision DecideStartBackupJob(const StartBackupJobRequest& request, AccountId account,
                              Region region, const BackupFacts& facts) {
  Decision d;
  CheckName("BackupVaultName", request.backup_vault_name, /*vault=*/true, &d);
  if (!request.backup_vault_name.empty() && facts.vault_exists &&
      !facts.vault_exists(request.backup_vault_name)) {
    d.AddForbid(Text(kNotFound, absl::StrCat("backup vault `",
                                             request.backup_vault_name.substr(0, kMaxBackupArnLength),
                                             "` does not exist")));
  }
  if (request.iam_role_arn.empty()) d.AddForbid(Text(kMissing, "IamRoleArn is required"));
  const std::string prefix =
      absl::StrCat("arn:aws:ec2:", region.ToString(), ":", account.ToString(), ":instance/i-");
  if (request.resource_arn.empty()) {
    d.AddForbid(Text(kMissing, "ResourceArn is required"));
  } else if (!absl::StartsWith(request.resource_arn, prefix) ||
             request.resource_arn.size() > static_cast<size_t>(kMaxBackupArnLength)) {
    d.AddForbid(Text(kInvalid, absl::StrCat("ResourceArn `",
                                            request.resource_arn.substr(0, kMaxBackupArnLength),
                                            "` is not an instance of the account in ",
                                            region.ToString())));
  }
  CheckLifecycle(request.lifecycle, "the backup job", &d);
  if (d.reasons().empty()) {
    d.AddPermit(Text(kValid, absl::StrCat("the backup job of `", request.resource_arn, "`")));
  }
  return d;
}

bool BackupWildcardMatch(absl::string_view pattern, absl::string_view text) {
  // Greedy matching with one backtrack point: linear in practice, never exponential.
  size_t p = 0, t = 0, star = absl::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool BackupSelects(const BackupSelectionRequest& selection, absl::string_view arn,
                   const TagSet& tags) {
  if (!selection.resources.empty() && !AnyArnMatches(selection.resources, arn)) return false;
  if (AnyArnMatches(selection.not_resources, arn)) return false;
  if (!selection.list_of_tags.empty()) {
    bool any = false;
    for (const BackupCondition& c : selection.list_of_tags) any = any || ConditionHolds(c, tags);
    if (!any) return false;
  }
  for (const BackupCondition& c : selection.conditions) {
    if (!ConditionHolds(c, tags)) return false;
  }
  return true;
}

Decision DecideBackupCopy(const Image& image, AccountId destination, const KmsKeyArn& vault_key) {
  const ReasonArgs args{.image = image.id(), .account = destination, .key = vault_key};
  if (destination != image.owner() && image.has_marketplace_code()) {
    return Decision::Deny(R(kMarketplaceCopy, args));
  }
  return Decision::Allow(R(kCopyEncrypted, args));
}

}  // namespace ami::policy
