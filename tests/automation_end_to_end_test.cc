// The automation services together: a state file saved in the middle of a month of AWS Backup,
// an EventBridge schedule and a Data Lifecycle Manager policy loads back equal and goes on
// exactly as the original; definitions imported from AWS CLI output are made and fire.
#include <memory>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/automation/automation.h"
#include "ami/iam/iam.h"
#include "ami/io/aws_import.h"
#include "ami/io/state_file.h"
#include "ami/testing/matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ami {
namespace {

using ::ami::testing::IsOk;
using ::testing::SizeIs;

constexpr char kAccount[] = "111122223333";
constexpr char kAllowAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";

CallContext Ctx() {
  CallContext ctx;
  ctx.account = *AccountId::Parse(kAccount);
  ctx.region = *Region::Parse("us-east-1");
  return ctx;
}

// An account with a base image, four instances tagged for the three services, and one
// definition of each service.
std::unique_ptr<Cloud> ThreeServices() {
  std::unique_ptr<Cloud> cloud = Cloud::Create();
  const CallContext ctx = Ctx();
  EXPECT_THAT(cloud->AddAccount(ctx.account), IsOk());
  const Snapshot root = *Snapshot::Builder()
                             .set_id(SnapshotId::Long(0x5eed00001ULL))
                             .set_owner(ctx.account)
                             .set_region(ctx.region)
                             .set_volume_size_gib(8)
                             .set_start_time(cloud->Now())
                             .Build();
  const Image base = *Image::Builder()
                          .set_id(ImageId::Long(0x5eed00001ULL))
                          .set_name("base")
                          .set_owner(ctx.account)
                          .set_region(ctx.region)
                          .set_creation_time(cloud->Now())
                          .add_snapshot_mapping("/dev/xvda", root)
                          .Build();
  EXPECT_THAT(cloud->ImportSnapshot(root), IsOk());
  EXPECT_THAT(cloud->ImportImage(base), IsOk());
  RunInstancesRequest launch;
  launch.image_id = base.id().ToString();
  launch.count = 4;
  launch.tags = {{"backup", "yes"}};
  EXPECT_THAT(cloud->RunInstances(ctx, launch).status(), IsOk());
  cloud->AdvanceClock(absl::Minutes(5));
  iam::PrincipalSpec role;
  role.name = "automation";
  role.policies = {{"all", kAllowAll}};
  const std::string arn = *iam::PutPrincipal(*cloud, ctx.account, role);
  Automation a(*cloud);
  LifecyclePolicyRequest dlm;
  dlm.description = "twice a day";
  dlm.execution_role_arn = arn;
  dlm.target_tags = {{"backup", "yes"}};
  DlmSchedule s;
  s.name = "12h";
  s.create_rule = DlmCreateRule{"", 12, "HOURS", {"06:00"}};
  s.retain_rule.count = 5;
  dlm.schedules = {s};
  EXPECT_THAT(a.CreateLifecyclePolicy(ctx, dlm).status(), IsOk());
  EXPECT_THAT(a.CreateBackupVault(ctx, "Default"), IsOk());
  BackupRule rule;
  rule.rule_name = "daily";
  rule.target_backup_vault_name = "Default";
  rule.schedule_expression = "cron(0 5 * * ? *)";
  rule.lifecycle.delete_after_days = 3;
  const auto plan = a.CreateBackupPlan(ctx, {"daily", {rule}});
  EXPECT_THAT(plan.status(), IsOk());
  BackupSelectionRequest sel;
  sel.selection_name = "all";
  sel.iam_role_arn = arn;
  sel.resources = {"*"};
  EXPECT_THAT(a.CreateBackupSelection(ctx, *plan, sel).status(), IsOk());
  EventScheduleRequest nightly;
  nightly.name = "nightly";
  nightly.schedule_expression = "cron(0 3 * * ? *)";
  nightly.role_arn = arn;
  AutomationAction create;
  create.instance_tags = {{"backup", "yes"}};
  create.tags_to_add = {{"made-by", "events"}};
  AutomationAction expire;
  expire.kind = AutomationAction::Kind::kDeregisterOlderThan;
  expire.image_tags = {{"made-by", "events"}};
  expire.older_than_days = 2;
  nightly.actions = {create, expire};
  EXPECT_THAT(a.PutSchedule(ctx, nightly), IsOk());
  return cloud;
}

TEST(AutomationEndToEnd, AStateSavedMidMonthGoesOnExactlyAsTheOriginal) {
  std::unique_ptr<Cloud> cloud = ThreeServices();
  cloud->AdvanceClock(absl::Hours(24 * 10) + absl::Minutes(7));
  std::stringstream file;
  ASSERT_THAT(SaveState(*cloud, file), IsOk());
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = LoadState(file);
  ASSERT_THAT(loaded.status(), IsOk());
  EXPECT_TRUE((*loaded)->StateEquals(*cloud));
  cloud->AdvanceClock(absl::Hours(24 * 10));
  (*loaded)->AdvanceClock(absl::Hours(24 * 10));
  EXPECT_TRUE((*loaded)->StateEquals(*cloud));
  Automation a(**loaded);
  EXPECT_THAT(a.ListBackupJobs(Ctx()), SizeIs(4 * 20));
  EXPECT_FALSE(a.History(Ctx()).empty());
}

TEST(AutomationEndToEnd, AnImportedLifecyclePolicyIsMadeAndChecked) {
  AwsCliFile f;
  f.name = "dlm.json";
  f.account = *AccountId::Parse(kAccount);
  f.region = *Region::Parse("us-east-1");
  f.json = R"({"Policy": {"PolicyId": "policy-0123456789abcdef0", "Description": "nightly",
    "State": "ENABLED",
    "ExecutionRoleArn": "arn:aws:iam::111122223333:role/AWSDataLifecycleManagerDefaultRoleForAMIManagement",
    "DateCreated": "2025-11-01T10:00:00+00:00", "DateModified": "2025-11-01T10:00:00+00:00",
    "PolicyDetails": {"PolicyType": "IMAGE_MANAGEMENT", "ResourceTypes": ["INSTANCE"],
      "TargetTags": [{"Key": "backup", "Value": "nightly"}],
      "Schedules": [{"Name": "daily", "CreateRule": {"Interval": 24, "IntervalUnit": "HOURS",
        "Times": ["03:00"]}, "RetainRule": {"Count": 7}}]}}})";
  std::vector<ImportedAutomationId> ids;
  absl::StatusOr<std::unique_ptr<Cloud>> cloud = ImportAwsCli({f}, {}, std::nullopt, &ids);
  ASSERT_THAT(cloud.status(), IsOk());
  ASSERT_THAT(ids, SizeIs(1));
  Automation a(**cloud);
  const auto policy = a.GetLifecyclePolicy(Ctx(), ids[0].cloud_id);
  ASSERT_THAT(policy.status(), IsOk());
  EXPECT_EQ(policy->details.schedules.at(0).retain_rule.count, 7);
  EXPECT_EQ(policy->state, "ENABLED");
  // A policy the checks refuse fails the import: a retention count over 1000 (BACKUP-7).
  f.json.replace(f.json.find("\"Count\": 7"), 10, "\"Count\": 1001");
  EXPECT_FALSE(ImportAwsCli({f}).ok());
}

}  // namespace
}  // namespace ami
