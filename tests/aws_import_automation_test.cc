// Import of automation definitions as the AWS CLI prints them: every field of each output
// mapped into the Automation facade's request, wrong types, missing and unknown values, bounds,
// targets whose effect libami does not know refused, and files joined (rules with their targets,
// selections with their plans).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "ami/automation/automation.h"
#include "ami/io/aws_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/aws_import_automation.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::ElementsAre;
using ::testing::Pair;
namespace ai = aws_import_internal;

AwsCliFile File(std::string json, std::string rule = "") {
  AwsCliFile f;
  f.name = "f.json";
  f.json = std::move(json);
  f.account = *AccountId::Parse("111122223333");
  f.region = *Region::Parse("us-east-1");
  f.rule = std::move(rule);
  return f;
}

// ---- Data Lifecycle Manager ----

constexpr char kPolicy[] = R"({"Policy": {
  "PolicyId": "policy-0123456789abcdef0", "Description": "nightly", "State": "ENABLED",
  "StatusMessage": "ENABLED",
  "ExecutionRoleArn": "arn:aws:iam::111122223333:role/AWSDataLifecycleManagerDefaultRoleForAMIManagement",
  "DateCreated": "2025-11-01T10:00:00.123000+00:00", "DateModified": "2025-11-02T10:00:00+00:00",
  "PolicyDetails": {
    "PolicyType": "IMAGE_MANAGEMENT", "ResourceTypes": ["INSTANCE"], "ResourceLocations": ["CLOUD"],
    "TargetTags": [{"Key": "backup", "Value": "nightly"}],
    "Schedules": [{
      "Name": "daily", "CopyTags": true, "TagsToAdd": [{"Key": "made-by", "Value": "dlm"}],
      "CreateRule": {"Location": "CLOUD", "Interval": 24, "IntervalUnit": "HOURS", "Times": ["03:00"]},
      "RetainRule": {"Count": 7},
      "DeprecateRule": {"Interval": 2, "IntervalUnit": "WEEKS"},
      "CrossRegionCopyRules": [{"TargetRegion": "eu-west-1", "Encrypted": true,
        "CmkArn": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "CopyTags": true, "RetainRule": {"Interval": 1, "IntervalUnit": "MONTHS"},
        "DeprecateRule": {"Interval": 3, "IntervalUnit": "DAYS"}}],
      "FastRestoreRule": null, "ShareRules": []
    }, {"Name": "weekly", "CreateRule": {"CronExpression": "cron(0 5 ? * SUN *\u0029"},
        "RetainRule": {"Interval": 1, "IntervalUnit": "YEARS"}}],
    "Parameters": {"NoReboot": false}
  },
  "Tags": {"owner": "ops", "cost": "web"},
  "PolicyArn": "arn:aws:dlm:us-east-1:111122223333:policy/policy-0123456789abcdef0",
  "DefaultPolicy": false}})";

TEST(ImportLifecyclePolicy, EveryFieldIsMapped) {
  const AwsCliFile f = File(kPolicy);
  const absl::StatusOr<ai::ImportedLifecyclePolicy> got = ai::ParseLifecyclePolicy(f);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->file_policy_id, "policy-0123456789abcdef0");
  LifecyclePolicyRequest want;
  want.description = "nightly";
  want.execution_role_arn = "arn:aws:iam::111122223333:role/AWSDataLifecycleManagerDefaultRoleForAMIManagement";
  want.target_tags = {{"backup", "nightly"}};
  DlmSchedule daily;
  daily.name = "daily";
  daily.copy_tags = true;
  daily.tags_to_add = {{"made-by", "dlm"}};
  daily.create_rule = {"", 24, "HOURS", {"03:00"}};
  daily.retain_rule = {7, 0, ""};
  daily.deprecate_rule = {0, 2, "WEEKS"};
  daily.cross_region_copy_rules = {{"eu-west-1", true,
                                    "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                                    true, {0, 1, "MONTHS"}, {0, 3, "DAYS"}}};
  DlmSchedule weekly;
  weekly.name = "weekly";
  weekly.create_rule.cron_expression = "cron(0 5 ? * SUN *)";
  weekly.retain_rule = {0, 1, "YEARS"};
  want.schedules = {daily, weekly};
  want.no_reboot = false;
  want.tags = {{"cost", "web"}, {"owner", "ops"}};  // sorted by key
  EXPECT_TRUE(got->request == want);
  EXPECT_EQ(got->file, &f);
}

TEST(ImportLifecyclePolicy, UnsetNoRebootStaysUnsetAndErrorStateIsEnabled) {
  std::string json = absl::StrReplaceAll(kPolicy, {{R"("Parameters": {"NoReboot": false})", R"("Parameters": {})"},
                                                   {R"("State": "ENABLED")", R"("State": "ERROR")"}});
  const absl::StatusOr<ai::ImportedLifecyclePolicy> got = ai::ParseLifecyclePolicy(File(json));
  ASSERT_THAT(got, IsOk());
  EXPECT_FALSE(got->request.no_reboot.has_value());
  EXPECT_EQ(got->request.state, "ENABLED");
  json = absl::StrReplaceAll(kPolicy, {{R"("State": "ENABLED")", R"("State": "DISABLED")"}});
  EXPECT_EQ(ai::ParseLifecyclePolicy(File(json))->request.state, "DISABLED");
}

TEST(ImportLifecyclePolicy, DefaultPolicyFields) {
  const AwsCliFile f = File(R"({"Policy": {"PolicyId": "policy-0aaa", "State": "ENABLED",
    "ExecutionRoleArn": "arn:aws:iam::111122223333:role/r", "DefaultPolicy": true,
    "PolicyDetails": {"PolicyLanguage": "SIMPLIFIED", "ResourceType": "INSTANCE", "CreateInterval": 2,
      "RetainInterval": 14, "CopyTags": true, "ExtendDeletion": true,
      "CrossRegionCopyTargets": [{"TargetRegion": "eu-west-1"}, {"TargetRegion": "us-west-2"}]}}})");
  const absl::StatusOr<ai::ImportedLifecyclePolicy> got = ai::ParseLifecyclePolicy(f);
  ASSERT_THAT(got, IsOk());
  const LifecyclePolicyRequest& r = got->request;
  EXPECT_EQ(r.default_policy, "INSTANCE");
  EXPECT_EQ(r.create_interval_days, 2);
  EXPECT_EQ(r.retain_interval_days, 14);
  EXPECT_TRUE(r.copy_tags);
  EXPECT_TRUE(r.extend_deletion);
  EXPECT_THAT(r.cross_region_copy_targets, ElementsAre("eu-west-1", "us-west-2"));
  // Absent intervals keep the API's defaults.
  const AwsCliFile bare = File(R"({"Policy": {"PolicyId": "policy-0aaa", "State": "ENABLED",
    "ExecutionRoleArn": "r", "DefaultPolicy": true, "PolicyDetails": {"ResourceType": "INSTANCE"}}})");
  EXPECT_EQ(ai::ParseLifecyclePolicy(bare)->request.create_interval_days, 1);
  EXPECT_EQ(ai::ParseLifecyclePolicy(bare)->request.retain_interval_days, 7);
}

absl::Status PolicyWith(const std::string& from, const std::string& to) {
  const std::string json = absl::StrReplaceAll(kPolicy, {{from, to}});
  EXPECT_NE(json, kPolicy) << from;
  return ai::ParseLifecyclePolicy(File(json)).status();
}

TEST(ImportLifecyclePolicy, WhatLibamiDoesNotModelIsRefusedNotDropped) {
  EXPECT_THAT(PolicyWith(R"("ShareRules": [])", R"("ShareRules": [{"TargetAccounts": ["444455556666"]}])"),
              MessageHas("Policy.PolicyDetails.Schedules[0].ShareRules: sharing"));
  EXPECT_THAT(PolicyWith(R"("FastRestoreRule": null)", R"("VariableTags": [{"Key": "i", "Value": "$(instance-id\u0029"}])"),
              MessageHas("VariableTags"));
  EXPECT_THAT(PolicyWith(R"("Location": "CLOUD")", R"("Location": "OUTPOST_LOCAL")"), MessageHas("outpost"));
  EXPECT_THAT(PolicyWith(R"("ResourceLocations": ["CLOUD"])", R"("ResourceLocations": ["OUTPOST"])"),
              MessageHas("outpost"));
  EXPECT_THAT(PolicyWith(R"("TargetRegion": "eu-west-1")", R"("TargetRegion": "eu-west-1", "Target": "arn:aws:outposts:x")"),
              MessageHas("Target: copies to an outpost"));
  EXPECT_THAT(PolicyWith(R"("NoReboot": false)", R"("NoReboot": false, "ExcludeBootVolume": true)"),
              MessageHas("excluding volumes"));
  EXPECT_THAT(PolicyWith(R"("PolicyType": "IMAGE_MANAGEMENT")", R"("PolicyType": "EVENT_BASED_POLICY", "EventSource": {"Type": "MANAGED_CWE"})"),
              MessageHas("event-based"));
  EXPECT_THAT(PolicyWith(R"("Times": ["03:00"])", R"("Times": ["03:00"], "Scripts": [{"Stages": ["PRE"]}])"),
              MessageHas("scripts"));
  EXPECT_THAT(PolicyWith(R"("DefaultPolicy": false)", R"("DefaultPolicy": true)"),
              MessageHas("ResourceType: a value is missing"));
}

TEST(ImportLifecyclePolicy, MissingWrongTypedAndUnknownValuesAreRefused) {
  EXPECT_THAT(PolicyWith(R"("PolicyId": "policy-0123456789abcdef0", )", ""),
              HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(PolicyWith(R"("ExecutionRoleArn": "arn:aws:iam::111122223333:role/AWSDataLifecycleManagerDefaultRoleForAMIManagement",)", ""),
              MessageHas("Policy.ExecutionRoleArn: a value is missing"));
  // A value of the wrong JSON type is refused at its path, as everywhere in the import.
  EXPECT_THAT(PolicyWith(R"("Interval": 24)", R"("Interval": "daily")"),
              MessageHas("Policy.PolicyDetails.Schedules[0].CreateRule.Interval: expected a whole number"));
  EXPECT_THAT(PolicyWith(R"("CopyTags": true, "TagsToAdd")", R"("CopyTags": "maybe", "TagsToAdd")"),
              MessageHas("Schedules[0].CopyTags"));
  EXPECT_THAT(PolicyWith(R"("owner": "ops")", R"("owner": ["ops"])"), HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(PolicyWith(R"("Schedules": [{)", R"("Schedules": {"x": [{)"), ::testing::Not(IsOk()));
  EXPECT_THAT(PolicyWith(R"("State": "ENABLED")", R"("State": "PAUSED")"),
              MessageHas("Policy.State: `PAUSED` is not one of ENABLED, DISABLED, ERROR"));
  EXPECT_THAT(PolicyWith(R"("DateCreated": "2025-11-01T10:00:00.123000+00:00")", R"("DateCreated": "yesterday")"),
              MessageHas("Policy.DateCreated"));
  EXPECT_THAT(PolicyWith(R"("RetainRule": {"Count": 7})", R"("RetainRule": {"Count": -7})"),
              MessageHas("negative"));
  EXPECT_THAT(PolicyWith(R"("PolicyDetails": {)", R"("Details": {)"),
              MessageHas("Policy.PolicyDetails: the policy's details is missing"));
}

TEST(ImportLifecyclePolicy, BoundsAreKept) {
  std::string five;
  for (int i = 0; i < 5; ++i) absl::StrAppend(&five, i ? ", " : "", R"({"Name": "s"})");
  EXPECT_THAT(PolicyWith(R"("Schedules": [{)", absl::StrCat(R"("Schedules": [)", five, R"(, {)")),
              MessageHas("Schedules: 7 entries, more than the limit of 4"));
  std::string tags;
  for (int i = 0; i <= ai::kMaxImportTags; ++i) absl::StrAppend(&tags, i ? ", " : "", R"({"Key": "k", "Value": "v"})");
  EXPECT_THAT(PolicyWith(R"("TargetTags": [{"Key": "backup", "Value": "nightly"}])", absl::StrCat(R"("TargetTags": [)", tags, "]")),
              MessageHas("more than the limit of 50"));
  EXPECT_THAT(PolicyWith(R"("Description": "nightly")",
                         absl::StrCat(R"("Description": ")", std::string(ai::kMaxDefinitionTextBytes + 1, 'd'), "\"")),
              MessageHas("Policy.Description: 2049 bytes"));
  EXPECT_THAT(PolicyWith(R"("Description": "nightly")",
                         absl::StrCat(R"("Description": ")", std::string(ai::kMaxDefinitionTextBytes, 'd'), "\"")),
              IsOk());
}

// ---- AWS Backup ----

constexpr char kPlan[] = R"({"BackupPlan": {"BackupPlanName": "daily", "Rules": [{
    "RuleName": "nightly", "TargetBackupVaultName": "vault-a", "ScheduleExpression": "cron(0 5 ? * * *\u0029",
    "ScheduleExpressionTimezone": "Europe/Paris", "StartWindowMinutes": 60, "CompletionWindowMinutes": 120,
    "Lifecycle": {"DeleteAfterDays": 35, "MoveToColdStorageAfterDays": 0},
    "RecoveryPointTags": {"b": "2", "a": "1"}, "RuleId": "r-1",
    "CopyActions": [{"DestinationBackupVaultArn": "arn:aws:backup:eu-west-1:111122223333:backup-vault:dr",
                     "Lifecycle": {"DeleteAfterDays": 90}}]},
    {"RuleName": "ondemand", "TargetBackupVaultName": "vault-a"}]},
  "BackupPlanId": "plan-1111", "BackupPlanArn": "arn:aws:backup:us-east-1:111122223333:backup-plan:plan-1111",
  "VersionId": "v1", "CreationDate": "2025-11-01T10:00:00+00:00"})";

TEST(ImportBackupPlan, EveryFieldIsMapped) {
  const absl::StatusOr<ai::ImportedBackupPlan> got = ai::ParseBackupPlan(File(kPlan));
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->file_plan_id, "plan-1111");
  BackupRule nightly;
  nightly.rule_name = "nightly";
  nightly.target_backup_vault_name = "vault-a";
  nightly.schedule_expression = "cron(0 5 ? * * *)";
  nightly.schedule_expression_timezone = "Europe/Paris";
  nightly.start_window_minutes = 60;
  nightly.completion_window_minutes = 120;
  nightly.lifecycle = {35, 0};
  nightly.recovery_point_tags = {{"a", "1"}, {"b", "2"}};
  nightly.copy_actions = {{"arn:aws:backup:eu-west-1:111122223333:backup-vault:dr", {90, 0}}};
  BackupRule ondemand;  // absent windows keep the API's defaults (480, 10080)
  ondemand.rule_name = "ondemand";
  ondemand.target_backup_vault_name = "vault-a";
  EXPECT_TRUE(got->request == (BackupPlanRequest{"daily", {nightly, ondemand}}));
}

TEST(ImportBackupPlan, BadValuesAreRefused) {
  const auto with = [](const std::string& from, const std::string& to) {
    return ai::ParseBackupPlan(File(absl::StrReplaceAll(kPlan, {{from, to}}))).status();
  };
  EXPECT_THAT(with(R"("BackupPlanId": "plan-1111", )", ""), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(with(R"("StartWindowMinutes": 60)", R"("StartWindowMinutes": -1)"),
              MessageHas("BackupPlan.Rules[0].StartWindowMinutes: -1 is out of range"));
  EXPECT_THAT(with(R"("DeleteAfterDays": 35)", R"("DeleteAfterDays": "soon")"),
              MessageHas("BackupPlan.Rules[0].Lifecycle.DeleteAfterDays: expected a whole number"));
  EXPECT_THAT(with(R"("DeleteAfterDays": 35)", R"("DeleteAfterDays": 5000000)"), MessageHas("out of range"));
  EXPECT_THAT(with(R"("RuleName": "ondemand", )", ""), MessageHas("Rules[1].RuleName: a value is missing"));
  std::string rules;
  for (int i = 0; i <= ai::kMaxBackupRules; ++i) absl::StrAppend(&rules, i ? ", " : "", R"({"RuleName": "r", "TargetBackupVaultName": "v"})");
  EXPECT_THAT(with(R"({"RuleName": "ondemand", "TargetBackupVaultName": "vault-a"})", rules),
              MessageHas("more than the limit of 100"));
}

constexpr char kSelection[] = R"({"BackupSelection": {"SelectionName": "web",
    "IamRoleArn": "arn:aws:iam::111122223333:role/backup",
    "Resources": ["arn:aws:ec2:us-east-1:111122223333:instance/*"],
    "NotResources": ["arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0"],
    "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "yes"}],
    "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/team", "ConditionValue": "web"}],
                   "StringNotLike": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "dev*"}]}},
  "SelectionId": "sel-1", "BackupPlanId": "plan-1111", "CreationDate": "2025-11-01T10:00:00Z"})";

TEST(ImportBackupSelection, EveryFieldIsMapped) {
  const absl::StatusOr<ai::ImportedBackupSelection> got = ai::ParseBackupSelection(File(kSelection));
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->file_selection_id, "sel-1");
  EXPECT_EQ(got->file_plan_id, "plan-1111");
  BackupSelectionRequest want;
  want.selection_name = "web";
  want.iam_role_arn = "arn:aws:iam::111122223333:role/backup";
  want.resources = {"arn:aws:ec2:us-east-1:111122223333:instance/*"};
  want.not_resources = {"arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0"};
  want.list_of_tags = {{"STRINGEQUALS", "backup", "yes"}};
  want.conditions = {{"StringEquals", "aws:ResourceTag/team", "web"}, {"StringNotLike", "aws:ResourceTag/env", "dev*"}};
  EXPECT_TRUE(got->request == want);
  EXPECT_THAT(ai::ParseBackupSelection(File(absl::StrReplaceAll(kSelection, {{"STRINGEQUALS", "STRINGLIKE"}}))),
              MessageHas("ListOfTags[0].ConditionType: `STRINGLIKE` is not one of STRINGEQUALS"));
  EXPECT_THAT(ai::ParseBackupSelection(File(absl::StrReplaceAll(kSelection, {{R"("BackupPlanId": "plan-1111", )", ""}}))),
              HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(ai::ParseBackupSelection(File(absl::StrReplaceAll(kSelection, {{R"("Resources": [)", R"("Resources": [7, )"}}))),
              MessageHas("BackupSelection.Resources[0]: expected a string"));
}

TEST(ImportBackupVaults, VaultsOfTheFilesAccountAndRegion) {
  const AwsCliFile f = File(R"({"BackupVaultList": [{"BackupVaultName": "vault-a",
      "BackupVaultArn": "arn:aws:backup:us-east-1:111122223333:backup-vault:vault-a",
      "EncryptionKeyArn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
      {"BackupVaultName": "vault-b"}]})");
  const auto got = ai::ParseBackupVaults(f);
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].encryption_key_arn, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  EXPECT_EQ((*got)[1].name, "vault-b");
  EXPECT_THAT(ai::ParseBackupVaults(File(R"({"BackupVaultList": [], "NextToken": "x"})")),
              HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(ai::ParseBackupVaults(File(R"({"BackupVaultList": [{"BackupVaultName": "v",
      "BackupVaultArn": "arn:aws:backup:eu-west-1:111122223333:backup-vault:v"}]})")),
              MessageHas("is not of account `111122223333` in us-east-1"));
}

// ---- EventBridge and Scheduler ----

constexpr char kRule[] = R"({"Name": "nightly", "Arn": "arn:aws:events:us-east-1:111122223333:rule/nightly",
  "ScheduleExpression": "cron(0 3 * * ? *\u0029", "State": "ENABLED", "EventBusName": "default",
  "RoleArn": "arn:aws:iam::111122223333:role/events"})";

std::string LambdaTargets(const std::string& input) {
  return absl::StrCat(R"({"Targets": [{"Id": "t1", "Arn": "arn:aws:lambda:us-east-1:111122223333:function:amis", "Input": )",
                      input, "}]}");
}

// A JSON string holding `json`.
std::string Quoted(const std::string& json) {
  return absl::StrCat("\"", absl::StrReplaceAll(json, {{"\"", "\\\""}, {"\n", " "}}), "\"");
}

constexpr char kCreateForm[] = R"({"LibamiAction": "CreateImage", "ExecutionRoleArn": "arn:aws:iam::111122223333:role/fn",
  "InstanceTags": {"backup": "yes"}, "InstanceIds": ["i-0123456789abcdef0"], "NoReboot": true, "NamePrefix": "web",
  "TagsToAdd": {"made-by": "lambda"}})";

TEST(ImportEventRule, RuleWithALambdaTargetInLibamisFormBecomesASchedule) {
  const AwsCliFile rule = File(kRule), targets = File(LambdaTargets(Quoted(kCreateForm)));
  ai::AutomationFiles files;
  ASSERT_THAT(files.Add(targets, ai::Kind::kRuleTargets), IsOk());
  ASSERT_THAT(files.Add(rule, ai::Kind::kEventRule), IsOk());
  const absl::StatusOr<ai::ImportedAutomation> got = files.Join();
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->schedules.size(), 1u);
  AutomationAction action;
  action.kind = AutomationAction::Kind::kCreateImage;
  action.instance_ids = {"i-0123456789abcdef0"};
  action.instance_tags = {{"backup", "yes"}};
  action.no_reboot = true;
  action.name_prefix = "web";
  action.tags_to_add = {{"made-by", "lambda"}};
  EventScheduleRequest want;
  want.name = "nightly";
  want.schedule_expression = "cron(0 3 * * ? *)";
  want.role_arn = "arn:aws:iam::111122223333:role/fn";  // the function's role, not the rule's
  want.actions = {action};
  EXPECT_TRUE(got->schedules[0].request == want);
}

TEST(ImportEventRule, CopyAndDeregisterForms) {
  std::string role;
  const auto copy = ai::ParseLibamiAction(R"({"LibamiAction": "CopyImage", "ExecutionRoleArn": "r",
      "SourceRegion": "eu-west-1", "ImageTags": {"golden": "yes"}, "Encrypted": true, "KmsKeyId": "alias/dr",
      "NamePrefix": "dr"})", "t", &role);
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(copy->kind, AutomationAction::Kind::kCopyImage);
  EXPECT_EQ(copy->source_region, "eu-west-1");
  EXPECT_THAT(copy->image_tags, ElementsAre(Pair("golden", "yes")));
  EXPECT_TRUE(copy->encrypted);
  EXPECT_EQ(copy->kms_key_id, "alias/dr");
  EXPECT_EQ(copy->name_prefix, "dr");
  EXPECT_EQ(role, "r");
  const auto dereg = ai::ParseLibamiAction(R"({"LibamiAction": "DeregisterOlderThan", "ExecutionRoleArn": "r",
      "ImageTags": {"golden": "yes"}, "OlderThanDays": 30})", "t", &role);
  ASSERT_THAT(dereg, IsOk());
  EXPECT_EQ(dereg->kind, AutomationAction::Kind::kDeregisterOlderThan);
  EXPECT_EQ(dereg->older_than_days, 30);
}

TEST(ImportEventRule, LibamiFormOutsideItsShapeIsRefused) {
  std::string role;
  const auto parse = [&](const std::string& json) { return ai::ParseLibamiAction(json, "Targets[0]", &role).status(); };
  EXPECT_THAT(parse(R"({"LibamiAction": "TerminateInstances", "ExecutionRoleArn": "r"})"),
              MessageHas("`TerminateInstances` is not one of CreateImage, CopyImage, DeregisterOlderThan"));
  EXPECT_THAT(parse(R"({"LibamiAction": "CreateImage", "ExecutionRoleArn": "r", "InstanceTags": {"a": "b"}, "DryRun": true})"),
              MessageHas("has `DryRun`, which its form does not take"));
  EXPECT_THAT(parse(R"({"LibamiAction": "CreateImage", "ExecutionRoleArn": "r", "InstanceTags": {"a": "b"}, "OlderThanDays": 3})"),
              MessageHas("has `OlderThanDays`"));
  EXPECT_THAT(parse(R"({"LibamiAction": "CreateImage", "InstanceTags": {"a": "b"}})"),
              MessageHas("ExecutionRoleArn: a value is missing"));
  EXPECT_THAT(parse(R"({"LibamiAction": "CreateImage", "ExecutionRoleArn": "r"})"),
              MessageHas("an action on every instance is not taken"));
  EXPECT_THAT(parse(R"({"LibamiAction": "CopyImage", "ExecutionRoleArn": "r", "SourceRegion": "eu-west-1"})"),
              MessageHas("an action on every image is not taken"));
  EXPECT_THAT(parse(R"({"LibamiAction": "DeregisterOlderThan", "ExecutionRoleArn": "r", "ImageTags": {"a": "b"}})"),
              MessageHas("OlderThanDays"));
  EXPECT_THAT(parse(R"({"LibamiAction": "CreateImage", "ExecutionRoleArn": "r", "InstanceIds": ["vm-1"]})"),
              MessageHas("InstanceIds[0]"));
  EXPECT_THAT(parse(R"(["CreateImage"])"), MessageHas("not a json object"));
  EXPECT_THAT(parse(R"({"LibamiAction": "CreateImage", "NoReboot": "perhaps"})"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImportEventRule, TargetsOfUnknownEffectAreRefusedNamingRuleTargetAndForms) {
  const auto targets = [](const std::string& json) {
    return ai::ParseRuleTargets(File(json), "nightly").status();
  };
  const absl::Status sns = targets(R"({"Targets": [{"Id": "notify", "Arn": "arn:aws:sns:us-east-1:111122223333:topic", "Input": "{}"}]})");
  EXPECT_THAT(sns, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(sns, MessageHas("target `notify` of rule `nightly`"));
  EXPECT_THAT(sns, MessageHas("accepted targets: a scheduler universal target"));
  EXPECT_THAT(targets(LambdaTargets(R"("{\"action\": \"backup\"}")")), MessageHas("has `action`, which its form does not take"));
  EXPECT_THAT(targets(R"({"Targets": [{"Id": "t", "Arn": "arn:aws:lambda:us-east-1:111122223333:function:f"}]})"),
              MessageHas("no constant Input"));
  EXPECT_THAT(targets(R"({"Targets": [{"Id": "t", "Arn": "arn:aws:lambda:us-east-1:111122223333:function:f", "InputPath": "$.detail"}]})"),
              MessageHas("InputPath"));
  EXPECT_THAT(targets(R"({"Targets": [], "NextToken": "x"})"), HasErrorCode(ErrorCode::kMissingParameter));
  std::string many;
  for (int i = 0; i <= ai::kMaxRuleTargets; ++i) absl::StrAppend(&many, i ? ", " : "", R"({"Id": "t", "Arn": "a"})");
  EXPECT_THAT(targets(absl::StrCat(R"({"Targets": [)", many, "]}")), MessageHas("more than the limit of 5"));
  EXPECT_THAT(targets(LambdaTargets(Quoted(absl::StrCat(R"({"LibamiAction": "CreateImage", "NamePrefix": ")",
                                                        std::string(ai::kMaxTargetInputBytes, 'n'), "\"}")))),
              MessageHas("Input: "));
  // Two targets acting as two roles.
  const std::string two = absl::StrCat(
      R"({"Targets": [{"Id": "a", "Arn": "arn:aws:lambda:us-east-1:111122223333:function:f", "Input": )", Quoted(kCreateForm),
      R"(}, {"Id": "b", "Arn": "arn:aws:lambda:us-east-1:111122223333:function:f", "Input": )",
      Quoted(absl::StrReplaceAll(kCreateForm, {{"role/fn", "role/other"}})), "}]}");
  EXPECT_THAT(targets(two), MessageHas("a rule's actions act as one role"));
}

TEST(ImportEventRule, PatternRulesAndUnknownStatesAreRefused) {
  EXPECT_THAT(ai::ParseEventRule(File(R"({"Name": "on-launch", "EventPattern": "{\"source\": [\"aws.ec2\"]}", "State": "ENABLED"})")),
              MessageHas("rule `on-launch` runs on events, not on a schedule"));
  EXPECT_THAT(ai::ParseEventRule(File(absl::StrReplaceAll(kRule, {{R"("State": "ENABLED")", R"("State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")"}}))),
              MessageHas("State: `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` is not one of ENABLED, DISABLED"));
  EXPECT_THAT(ai::ParseEventRule(File(R"({"Name": "x", "ScheduleExpression": 5})")),
              MessageHas("ScheduleExpression: expected a string"));
}

constexpr char kSchedule[] = R"({"Arn": "arn:aws:scheduler:us-east-1:111122223333:schedule/default/ami-nightly",
  "Name": "ami-nightly", "GroupName": "default", "ScheduleExpression": "cron(0 3 * * ? *\u0029",
  "ScheduleExpressionTimezone": "Europe/Paris", "State": "DISABLED", "FlexibleTimeWindow": {"Mode": "OFF"},
  "Target": {"Arn": "arn:aws:scheduler:::aws-sdk:ec2:createImage", "RoleArn": "arn:aws:iam::111122223333:role/scheduler",
    "Input": "{\"InstanceId\": \"i-0123456789abcdef0\", \"Name\": \"web-nightly\", \"NoReboot\": true, \"TagSpecifications\": [{\"ResourceType\": \"image\", \"Tags\": [{\"Key\": \"made-by\", \"Value\": \"scheduler\"}]}]}"},
  "CreationDate": "2025-11-01T10:00:00Z"})";

TEST(ImportSchedule, UniversalCreateImageTargetNamesItsInstance) {
  const absl::StatusOr<ai::ImportedSchedule> got = ai::ParseSchedule(File(kSchedule));
  ASSERT_THAT(got, IsOk());
  AutomationAction action;
  action.kind = AutomationAction::Kind::kCreateImage;
  action.instance_ids = {"i-0123456789abcdef0"};
  action.no_reboot = true;
  action.name_prefix = "web-nightly";
  action.tags_to_add = {{"made-by", "scheduler"}};
  EventScheduleRequest want{"ami-nightly", "cron(0 3 * * ? *)", "Europe/Paris", "DISABLED",
                            "arn:aws:iam::111122223333:role/scheduler", {action}};
  EXPECT_TRUE(got->request == want);
}

TEST(ImportSchedule, TargetsAndDatesLibamiCannotRunAreRefused) {
  const auto with = [](const std::string& from, const std::string& to) {
    return ai::ParseSchedule(File(absl::StrReplaceAll(kSchedule, {{from, to}}))).status();
  };
  EXPECT_THAT(with("ec2:createImage", "ec2:copyImage"), MessageHas("acts on one image that its Input names"));
  EXPECT_THAT(with("ec2:createImage", "ec2:deregisterImage"), MessageHas("select images by tags"));
  EXPECT_THAT(with("ec2:createImage", "ec2:terminateInstances"), MessageHas("of no form libami knows the effect of"));
  EXPECT_THAT(with(R"("State": "DISABLED")", R"("State": "DISABLED", "StartDate": "2026-02-01T00:00:00Z")"),
              MessageHas("StartDate: schedule `ami-nightly` has a start or end date"));
  EXPECT_THAT(with(R"(\"NoReboot\": true)", R"(\"NoReboot\": true, \"BlockDeviceMappings\": [])"),
              MessageHas("has `BlockDeviceMappings`"));
  EXPECT_THAT(with(R"(\"ResourceType\": \"image\")", R"(\"ResourceType\": \"snapshot\")"),
              MessageHas("ResourceType: `snapshot` is not one of image"));
  EXPECT_THAT(with("i-0123456789abcdef0", "i-nope"), HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
  EXPECT_THAT(with(R"("RoleArn": "arn:aws:iam::111122223333:role/scheduler",)", ""),
              MessageHas("Target.RoleArn: a value is missing"));
  EXPECT_THAT(with(R"(\"Name\": \"web-nightly\", )", ""), MessageHas("Name: a value is missing"));
  EXPECT_THAT(with(R"("State": "DISABLED")", R"("State": "PAUSED")"), MessageHas("`PAUSED`"));
}

// ---- Detection and joining ----

TEST(ImportAutomationFiles, EachOutputIsRecognised) {
  EXPECT_EQ(*DetectAwsCliKind(kPolicy), "get-lifecycle-policy");
  EXPECT_EQ(*DetectAwsCliKind(kPlan), "get-backup-plan");
  EXPECT_EQ(*DetectAwsCliKind(kSelection), "get-backup-selection");
  EXPECT_EQ(*DetectAwsCliKind(R"({"BackupVaultList": []})"), "list-backup-vaults");
  EXPECT_EQ(*DetectAwsCliKind(kRule), "describe-rule");
  EXPECT_EQ(*DetectAwsCliKind(LambdaTargets("\"{}\"")), "list-targets-by-rule");
  EXPECT_EQ(*DetectAwsCliKind(kSchedule), "get-schedule");
  // The outputs they share a key with are still theirs.
  EXPECT_EQ(*DetectAwsCliKind(R"({"Policy": {"PolicySummary": {"Id": "p-1"}, "Content": "{}"}})"), "describe-policy");
  EXPECT_EQ(*DetectAwsCliKind(R"({"Targets": [{"TargetId": "r-abcd", "Type": "ROOT"}]})"), "list-targets-for-policy");
  EXPECT_EQ(*DetectAwsCliKind(R"({"Policy": "{}"})"), "get-key-policy");
}

TEST(ImportAutomationFiles, SelectionsFindTheirPlansWhateverTheFileOrder) {
  const AwsCliFile selection = File(kSelection), plan = File(kPlan);
  ai::AutomationFiles files;
  ASSERT_THAT(files.Add(selection, ai::Kind::kBackupSelection), IsOk());
  ASSERT_THAT(files.Add(plan, ai::Kind::kBackupPlan), IsOk());
  const absl::StatusOr<ai::ImportedAutomation> got = files.Join();
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->plans.size(), 1u);
  EXPECT_EQ(got->selections.size(), 1u);
  ai::AutomationFiles orphan;
  ASSERT_THAT(orphan.Add(selection, ai::Kind::kBackupSelection), IsOk());
  EXPECT_THAT(orphan.Join(), MessageHas("names backup plan `plan-1111`, which no get-backup-plan output"));
  AwsCliFile elsewhere = File(kPlan);
  elsewhere.region = *Region::Parse("eu-west-1");
  ai::AutomationFiles other_region;
  ASSERT_THAT(other_region.Add(selection, ai::Kind::kBackupSelection), IsOk());
  ASSERT_THAT(other_region.Add(elsewhere, ai::Kind::kBackupPlan), IsOk());
  EXPECT_THAT(other_region.Join(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(ImportAutomationFiles, TargetsJoinTheirRuleByNameOrAsTheOnlyOne) {
  const std::string other_rule = absl::StrReplaceAll(kRule, {{"nightly", "weekly"}});
  const AwsCliFile a = File(kRule), b = File(other_rule);
  const AwsCliFile for_b = File(LambdaTargets(Quoted(kCreateForm)), "weekly");
  const AwsCliFile unnamed = File(LambdaTargets(Quoted(kCreateForm)));
  ai::AutomationFiles files;
  for (const AwsCliFile* f : {&a, &b}) ASSERT_THAT(files.Add(*f, ai::Kind::kEventRule), IsOk());
  ASSERT_THAT(files.Add(for_b, ai::Kind::kRuleTargets), IsOk());
  EXPECT_THAT(files.Join(), MessageHas("rule `nightly` has no list-targets-by-rule output"));
  ASSERT_THAT(files.Add(unnamed, ai::Kind::kRuleTargets), IsOk());
  EXPECT_THAT(files.Join(), MessageHas("belongs to no one rule"));
  ai::AutomationFiles one;
  ASSERT_THAT(one.Add(a, ai::Kind::kEventRule), IsOk());
  ASSERT_THAT(one.Add(unnamed, ai::Kind::kRuleTargets), IsOk());
  ASSERT_THAT(one.Join(), IsOk());
  ASSERT_THAT(one.Add(unnamed, ai::Kind::kRuleTargets), IsOk());
  EXPECT_THAT(one.Join(), MessageHas("a second list-targets-by-rule output"));
  ai::AutomationFiles same_name;
  const AwsCliFile schedule = File(absl::StrReplaceAll(kSchedule, {{R"("Name": "ami-nightly")", R"("Name": "nightly")"}}));
  ASSERT_THAT(same_name.Add(a, ai::Kind::kEventRule), IsOk());
  ASSERT_THAT(same_name.Add(unnamed, ai::Kind::kRuleTargets), IsOk());
  ASSERT_THAT(same_name.Add(schedule, ai::Kind::kSchedule), IsOk());
  EXPECT_THAT(same_name.Join(), MessageHas("a second rule or schedule is named `nightly`"));
}

// Through ImportAwsCli: a bad automation file fails the import, naming the file and the path.
TEST(ImportAutomationFiles, ImportAwsCliNamesTheFileAndPath) {
  AwsCliFile bad = File(absl::StrReplaceAll(kPolicy, {{R"("State": "ENABLED")", R"("State": "SOMETIMES")"}}));
  bad.name = "dlm.json";
  EXPECT_THAT(ImportAwsCli({bad}), MessageHas("dlm.json: Policy.State: `SOMETIMES`"));
  AwsCliFile targets = File(R"({"Targets": []})", "nightly");
  targets.name = "targets.json";
  EXPECT_THAT(ImportAwsCli({targets}), MessageHas("targets.json: list-targets-by-rule output belongs to rule `nightly`"));
}

// Every prefix of each output is refused or read, never a crash.
TEST(ImportAutomationFiles, TruncatedOutputsNeverCrash) {
  for (const std::string& json : {std::string(kPolicy), std::string(kPlan), std::string(kSelection),
                                  std::string(kSchedule), LambdaTargets(Quoted(kCreateForm))}) {
    for (size_t n = 0; n < json.size(); n += 3) {
      const AwsCliFile f = File(json.substr(0, n));
      (void)ai::ParseLifecyclePolicy(f);
      (void)ai::ParseBackupPlan(f);
      (void)ai::ParseBackupSelection(f);
      (void)ai::ParseSchedule(f);
      (void)ai::ParseRuleTargets(f, "r");
      EXPECT_FALSE(ImportAwsCli({f}).ok() && n + 1 < json.size() && n > 2) << n;
    }
  }
}

}  // namespace
}  // namespace ami
