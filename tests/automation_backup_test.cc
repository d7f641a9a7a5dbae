// AWS Backup on the cloud's clock (BACKUP-1 … 3): scheduled and on-demand jobs, selections,
// recovery points and their lifecycle, copies.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/automation_backup_fixture.h"

namespace ami::backup_test {
namespace {

// ---- BACKUP-1: AWS Backup never reboots; its AMIs are crash-consistent ----

TEST_F(BackupTest, BACKUP_1_OnDemandJobMakesCrashConsistentAmiWithSourceTag) {
  StartBackupJobRequest r{"main", InstanceArn(kA, w_.instance("web")), role_, {}};
  auto job = backup_.StartBackupJob(Ctx(kA), r);
  ASSERT_THAT(job.status(), IsOk());
  ASSERT_THAT(backup_.ListBackupJobs(Ctx(kA)), SizeIs(1));
  EXPECT_EQ(backup_.ListBackupJobs(Ctx(kA))[0].state, "RUNNING");
  cloud().AdvanceClock(absl::Minutes(10));
  const BackupJob done = backup_.ListBackupJobs(Ctx(kA))[0];
  EXPECT_EQ(done.backup_job_id, *job);
  EXPECT_EQ(done.state, "COMPLETED");
  const auto points = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main");
  ASSERT_THAT(points, SizeIs(1));
  EXPECT_EQ(points[0].recovery_point_arn, done.recovery_point_arn);
  EXPECT_EQ(points[0].recovery_point_arn,
            absl::StrCat("arn:aws:ec2:us-east-1::image/", points[0].image_id.ToString()));
  const std::optional<Image> image = cloud().GetImage(points[0].image_id);
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->state(), ImageState::kAvailable);
  EXPECT_EQ(image->consistency(), ImageConsistency::kCrashConsistent);
  EXPECT_EQ(image->tags().Find("aws:backup:source-resource"),
            std::optional<absl::string_view>(r.resource_arn));
  // The instance kept running and was never rebooted.
  EXPECT_EQ(cloud().GetInstance(w_.instance("web"))->state(), InstanceState::kRunning);
  EXPECT_EQ(cloud().GetInstance(w_.instance("web"))->reboot_count(), 0u);
}

TEST_F(BackupTest, BACKUP_1_StoppedInstanceBackupIsFileSystemConsistent) {
  ASSERT_THAT(cloud().StopInstances(Ctx(kA), {w_.instance("web").ToString()}), IsOk());
  cloud().AdvanceClock(absl::Minutes(5));
  StartBackupJobRequest r{"main", InstanceArn(kA, w_.instance("web")), role_, {}};
  ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), r).status(), IsOk());
  cloud().AdvanceClock(absl::Minutes(10));
  const auto points = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main");
  ASSERT_THAT(points, SizeIs(1));
  EXPECT_EQ(cloud().GetImage(points[0].image_id)->consistency(),
            ImageConsistency::kFileSystemConsistent);
}

TEST_F(BackupTest, BACKUP_1_TerminatedInstanceJobFailsWithTheRefusal) {
  ASSERT_THAT(cloud().TerminateInstances(Ctx(kA), {w_.instance("web").ToString()}), IsOk());
  cloud().AdvanceClock(absl::Minutes(5));
  StartBackupJobRequest r{"main", InstanceArn(kA, w_.instance("web")), role_, {}};
  ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), r).status(), IsOk());
  const BackupJob job = backup_.ListBackupJobs(Ctx(kA))[0];
  EXPECT_EQ(job.state, "FAILED");
  EXPECT_THAT(job.status_message, HasSubstr("IncorrectInstanceState"));
  const auto history = backup_.History(Ctx(kA));
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back().action, "CreateImage");
  EXPECT_EQ(history.back().error_code, "IncorrectInstanceState");
  EXPECT_EQ(history.back().source, "backup:on-demand");
}

TEST_F(BackupTest, BACKUP_1_RoleThatIamDeniesFailsEveryScheduledJob) {
  w_.Role("no-ec2", kA,
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})");
  ASSERT_THAT(w_.status(), IsOk());
  BackupPlanRequest plan;
  plan.backup_plan_name = "plan";
  plan.rules = {DailyRule()};
  auto id = backup_.CreateBackupPlan(Ctx(kA), plan);
  ASSERT_THAT(id.status(), IsOk());
  ASSERT_THAT(backup_.CreateBackupSelection(Ctx(kA), *id, AllInstances(w_.principal("no-ec2")))
                  .status(),
              IsOk());
  cloud().AdvanceClock(absl::Hours(24));
  const auto jobs = backup_.ListBackupJobs(Ctx(kA));
  ASSERT_THAT(jobs, SizeIs(2));
  for (const BackupJob& j : jobs) {
    EXPECT_EQ(j.state, "FAILED");
    EXPECT_THAT(j.status_message, HasSubstr("UnauthorizedOperation"));
    EXPECT_EQ(j.backup_plan_id, *id);
  }
  int refused = 0;
  for (const AutomationRecord& r : backup_.History(Ctx(kA))) {
    if (r.action == "CreateImage" && r.error_code == "UnauthorizedOperation") ++refused;
    EXPECT_EQ(r.source, absl::StrCat("backup:", *id, "/daily"));
  }
  EXPECT_EQ(refused, 2);
  EXPECT_THAT(backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main"), SizeIs(0));
}

TEST_F(BackupTest, BACKUP_1_UnknownRoleIsDenied) {
  StartBackupJobRequest r{"main", InstanceArn(kA, w_.instance("web")),
                          absl::StrCat("arn:aws:iam::", kA, ":role/missing"), {}};
  ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), r).status(), IsOk());
  EXPECT_EQ(backup_.ListBackupJobs(Ctx(kA))[0].state, "FAILED");
}

// ---- The schedule ----

TEST_F(BackupTest, DailyCronOverThirtyDaysMakesThirtyJobsAndKeepsSevenPoints) {
  Plan(DailyRule("main", 7));
  cloud().AdvanceClock(absl::Hours(24 * 30));
  for (const char* label : {"web", "db"}) {
    EXPECT_EQ(cloud().GetInstance(w_.instance(label))->reboot_count(), 0u);  // BACKUP-1
    const auto jobs = JobsOf(Ctx(kA), InstanceArn(kA, w_.instance(label)));
    ASSERT_THAT(jobs, SizeIs(30)) << label;
    for (const BackupJob& j : jobs) EXPECT_EQ(j.state, "COMPLETED") << j.status_message;
    EXPECT_EQ(absl::FormatTime("%H:%M", jobs[0].creation_date, absl::UTCTimeZone()), "05:00");
  }
  const auto points = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main");
  EXPECT_THAT(points, SizeIs(14));  // 7 per instance
  for (const RecoveryPoint& p : points) {
    EXPECT_GT(p.creation_date, cloud().Now() - absl::Hours(24 * 7));
    EXPECT_TRUE(cloud().GetImage(p.image_id).has_value());
  }
  // The older AMIs were deregistered and their snapshots deleted, as AWS Backup.
  int deregistered = 0;
  for (const AutomationRecord& r : backup_.History(Ctx(kA))) {
    if (r.action == "DeregisterImage") {
      EXPECT_EQ(r.error_code, "OK") << r.message;
      ++deregistered;
    }
  }
  EXPECT_EQ(deregistered, 2 * 23);
}

TEST_F(BackupTest, ScheduleInATimeZoneFiresAtLocalTime) {
  BackupRule rule = DailyRule();
  rule.schedule_expression_timezone = "America/New_York";
  Plan(rule);
  cloud().AdvanceClock(absl::Hours(24));
  const auto jobs = JobsOf(Ctx(kA), InstanceArn(kA, w_.instance("web")));
  ASSERT_THAT(jobs, SizeIs(1));
  // 05:00 in New York in January is 10:00 UTC.
  EXPECT_EQ(absl::FormatTime("%H:%M", jobs[0].creation_date, absl::UTCTimeZone()), "10:00");
}

TEST_F(BackupTest, DeletedPlanStopsFiringButKeepsItsRecoveryPoints) {
  const std::string id = Plan(DailyRule("main", 30));
  cloud().AdvanceClock(absl::Hours(24));
  ASSERT_THAT(backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main"), SizeIs(2));
  ASSERT_THAT(backup_.DeleteBackupPlan(Ctx(kA), id), IsOk());
  cloud().AdvanceClock(absl::Hours(24 * 3));
  EXPECT_THAT(backup_.ListBackupJobs(Ctx(kA)), SizeIs(2));
  EXPECT_THAT(backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main"), SizeIs(2));
  EXPECT_THAT(backup_.DeleteBackupPlan(Ctx(kA), id),
              HasErrorCode(ErrorCode::kResourceNotFoundException));
}

// ---- Selections (MC-86) ----

class BackupSelectionTest : public BackupTest {
 protected:
  void SetUp() override {
    BackupTest::SetUp();
    w_.Instance("batch", kA, kEast, "base");
    ASSERT_THAT(w_.status(), IsOk());
    cloud().AdvanceClock(absl::Minutes(1));
    ASSERT_THAT(cloud().CreateTags(Ctx(kA), {w_.instance("web").ToString()},
                                   {{"backup", "yes"}, {"tier", "web-frontend"}}),
                IsOk());
    ASSERT_THAT(cloud().CreateTags(Ctx(kA), {w_.instance("db").ToString()}, {{"backup", "no"}}),
                IsOk());
  }

  // The instances (labels) one firing of a plan with `selection` backs up.
  std::vector<std::string> Selected(BackupSelectionRequest selection) {
    BackupPlanRequest plan;
    plan.backup_plan_name = "plan";
    plan.rules = {DailyRule()};
    auto id = backup_.CreateBackupPlan(Ctx(kA), plan);
    EXPECT_THAT(id.status(), IsOk());
    selection.selection_name = "s";
    selection.iam_role_arn = role_;
    EXPECT_THAT(backup_.CreateBackupSelection(Ctx(kA), id.value_or(""), selection).status(), IsOk());
    cloud().AdvanceClock(absl::Hours(24));
    std::vector<std::string> out;
    for (const char* label : {"batch", "db", "web"}) {
      if (!JobsOf(Ctx(kA), InstanceArn(kA, w_.instance(label))).empty()) out.push_back(label);
    }
    return out;
  }
};

TEST_F(BackupSelectionTest, ByListOfTags) {
  BackupSelectionRequest s;
  s.list_of_tags = {{"STRINGEQUALS", "backup", "yes"}, {"STRINGEQUALS", "aws:ResourceTag/backup", "maybe"}};
  EXPECT_THAT(Selected(s), Eq(std::vector<std::string>{"web"}));
}

TEST_F(BackupSelectionTest, ByArn) {
  BackupSelectionRequest s;
  s.resources = {InstanceArn(kA, w_.instance("db"))};
  EXPECT_THAT(Selected(s), Eq(std::vector<std::string>{"db"}));
}

TEST_F(BackupSelectionTest, ByWildcardArnWithNotResources) {
  BackupSelectionRequest s;
  s.resources = {"arn:aws:ec2:*:*:instance/*"};
  s.not_resources = {InstanceArn(kA, w_.instance("db"))};
  EXPECT_THAT(Selected(s), Eq(std::vector<std::string>{"batch", "web"}));
}

TEST_F(BackupSelectionTest, ConditionsAreAllRequired) {
  BackupSelectionRequest s;
  s.conditions = {{"StringLike", "aws:ResourceTag/tier", "web-*"},
                  {"StringNotEquals", "aws:ResourceTag/backup", "no"}};
  EXPECT_THAT(Selected(s), Eq(std::vector<std::string>{"web"}));
}

TEST_F(BackupSelectionTest, StringNotLikeSelectsUntaggedInstancesToo) {
  BackupSelectionRequest s;
  s.conditions = {{"StringNotLike", "aws:ResourceTag/backup", "n*"}};
  EXPECT_THAT(Selected(s), Eq(std::vector<std::string>{"batch", "web"}));
}

TEST(BackupWildcard, Matches) {
  EXPECT_TRUE(policy::BackupWildcardMatch("*", ""));
  EXPECT_TRUE(policy::BackupWildcardMatch("a*c", "abbbc"));
  EXPECT_TRUE(policy::BackupWildcardMatch("*b*", "abc"));
  EXPECT_FALSE(policy::BackupWildcardMatch("a*c", "abcd"));
  EXPECT_FALSE(policy::BackupWildcardMatch("abc", "ab"));
  EXPECT_TRUE(policy::BackupWildcardMatch("a**", "a"));
  // Long inputs stay fast: at most pattern × text steps.
  EXPECT_FALSE(policy::BackupWildcardMatch(std::string(500, '*') + "b", std::string(1000, 'a')));
}

// ---- BACKUP-2 and BACKUP-3: copies ----

TEST_F(BackupTest, BACKUP_3_CopyIsEncryptedWithTheDestinationVaultKey) {
  ASSERT_THAT(backup_.CreateBackupVault(Ctx(kA), "encrypted", w_.key("cmk-a").ToString()), IsOk());
  BackupRule rule = DailyRule("main", 3);
  rule.copy_actions = {{VaultArn(kA, "encrypted"), {5, 0}}};
  Plan(rule);
  cloud().AdvanceClock(absl::Hours(24));
  const auto source = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main");
  ASSERT_THAT(source, SizeIs(2));
  EXPECT_FALSE(source[0].encrypted);  // the instances' volumes are not encrypted
  const auto copies = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "encrypted");
  ASSERT_THAT(copies, SizeIs(2));
  for (const RecoveryPoint& c : copies) {
    EXPECT_TRUE(c.encrypted);
    EXPECT_EQ(c.encryption_key_arn, w_.key("cmk-a").ToString());
    EXPECT_FALSE(c.source_recovery_point_arn.empty());
    const std::optional<Image> image = cloud().GetImage(c.image_id);
    ASSERT_TRUE(image.has_value());
    EXPECT_TRUE(image->encrypted());
    EXPECT_TRUE(image->tags().Find("aws:backup:source-resource").has_value());
  }
  // Copies have their own lifecycle: the sources go after 3 days, the copies after 5. On
  // January 4 at 06:01 the first day's sources are gone, its copies are not.
  cloud().AdvanceClock(absl::Hours(24 * 2 + 6));
  EXPECT_THAT(backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main"), SizeIs(6));
  EXPECT_THAT(backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "encrypted"), SizeIs(8));
}

TEST_F(BackupTest, BACKUP_3_CopyIntoAnotherAccountIsOwnedThereAndEncryptedWithItsKey) {
  ASSERT_THAT(backup_.CreateBackupVault(Ctx(kB), "central", w_.key("cmk-b").ToString()), IsOk());
  BackupRule rule = DailyRule();
  rule.copy_actions = {{VaultArn(kB, "central"), {}}};
  Plan(rule);
  cloud().AdvanceClock(absl::Hours(24));
  const auto copies = backup_.ListRecoveryPointsByBackupVault(Ctx(kB), "central");
  ASSERT_THAT(copies, SizeIs(2));
  for (const RecoveryPoint& c : copies) {
    const std::optional<Image> image = cloud().GetImage(c.image_id);
    ASSERT_TRUE(image.has_value());
    EXPECT_EQ(image->owner(), AccountId::Parse(kB).value());  // COPY-3
    EXPECT_EQ(c.encryption_key_arn, w_.key("cmk-b").ToString());
  }
  // The copy jobs are the source account's, completed.
  int copy_jobs = 0;
  for (const BackupJob& j : backup_.ListBackupJobs(Ctx(kA))) {
    if (j.source_recovery_point_arn.empty()) continue;
    ++copy_jobs;
    EXPECT_EQ(j.state, "COMPLETED") << j.status_message;
  }
  EXPECT_EQ(copy_jobs, 2);
}

TEST_F(BackupTest, BACKUP_2_MarketplaceAmiIsNotCopiedToAnotherAccount) {
  // An instance of a Marketplace AMI: its backup carries the product code.
  auto snap = Snapshot::Builder().set_id(SnapshotId::Long(0x77)).set_owner(AccountId::Parse(kA).value())
                  .set_region(Region::Parse(kEast).value()).set_volume_size_gib(8)
                  .set_start_time(cloud().Now()).Build();
  ASSERT_THAT(snap.status(), IsOk());
  ASSERT_THAT(cloud().ImportSnapshot(*snap), IsOk());
  auto market = Image::Builder().set_id(ImageId::Long(0x77)).set_name("market")
                    .set_owner(AccountId::Parse(kA).value()).set_region(Region::Parse(kEast).value())
                    .set_creation_time(cloud().Now()).add_snapshot_mapping("/dev/xvda", *snap)
                    .set_product_codes({{"prodcode1", ProductCodeType::kMarketplace}}).Build();
  ASSERT_THAT(market.status(), IsOk());
  ASSERT_THAT(cloud().ImportImage(*market), IsOk());
  RunInstancesRequest run;
  run.image_id = market->id().ToString();
  auto launched = cloud().RunInstances(Ctx(kA), run);
  ASSERT_THAT(launched.status(), IsOk());
  cloud().AdvanceClock(absl::Minutes(1));
  ASSERT_THAT(backup_.CreateBackupVault(Ctx(kB), "central"), IsOk());
  ASSERT_THAT(backup_.CreateBackupVault(Ctx(kA), "local"), IsOk());
  BackupRule rule = DailyRule();
  rule.copy_actions = {{VaultArn(kB, "central"), {}}, {VaultArn(kA, "local"), {}}};
  BackupPlanRequest plan{"plan", {rule}};
  auto id = backup_.CreateBackupPlan(Ctx(kA), plan);
  ASSERT_THAT(id.status(), IsOk());
  BackupSelectionRequest s = AllInstances(role_);
  s.resources = {InstanceArn(kA, launched->front())};
  ASSERT_THAT(backup_.CreateBackupSelection(Ctx(kA), *id, s).status(), IsOk());
  cloud().AdvanceClock(absl::Hours(24));
  const auto points = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main");
  ASSERT_THAT(points, SizeIs(1));
  const Image backup_ami = *cloud().GetImage(points[0].image_id);
  EXPECT_TRUE(backup_ami.has_marketplace_code());
  std::vector<BackupJob> copies;
  for (const BackupJob& j : backup_.ListBackupJobs(Ctx(kA))) {
    if (!j.source_recovery_point_arn.empty()) copies.push_back(j);
  }
  ASSERT_THAT(copies, SizeIs(2));
  EXPECT_EQ(copies[0].backup_vault_name, "central");
  EXPECT_EQ(copies[0].state, "FAILED");
  EXPECT_THAT(copies[0].status_message, HasSubstr("Marketplace"));
  // Nothing was shared, nothing reached the other account.
  EXPECT_TRUE(backup_ami.launch_permissions().accounts().empty());
  EXPECT_THAT(backup_.ListRecoveryPointsByBackupVault(Ctx(kB), "central"), SizeIs(0));
  // Within the account the copy is made.
  EXPECT_EQ(copies[1].backup_vault_name, "local");
  EXPECT_EQ(copies[1].state, "COMPLETED") << copies[1].status_message;
}

TEST_F(BackupTest, BACKUP_2_BackupDeletesItsOwnRecoveryPointAndSnapshots) {
  StartBackupJobRequest r{"main", InstanceArn(kA, w_.instance("web")), role_, {}};
  ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), r).status(), IsOk());
  cloud().AdvanceClock(absl::Minutes(10));
  const auto points = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main");
  ASSERT_THAT(points, SizeIs(1));
  const std::vector<SnapshotId> snaps = cloud().GetImage(points[0].image_id)->snapshot_ids();
  ASSERT_FALSE(snaps.empty());
  EXPECT_THAT(backup_.DeleteRecoveryPoint(Ctx(kA), "other", points[0].recovery_point_arn),
              HasErrorCode(ErrorCode::kResourceNotFoundException));
  ASSERT_THAT(backup_.DeleteRecoveryPoint(Ctx(kA), "main", points[0].recovery_point_arn), IsOk());
  EXPECT_THAT(backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main"), SizeIs(0));
  const std::optional<Image> gone = cloud().GetImage(points[0].image_id);
  EXPECT_TRUE(!gone.has_value() || gone->state() == ImageState::kDeregistered);
  for (const SnapshotId s : snaps) EXPECT_FALSE(cloud().GetSnapshot(s).has_value());
}

TEST_F(BackupTest, BACKUP_2_RefusedLifecycleDeletionLeavesThePointExpired) {
  // A role that may create images but not deregister them.
  w_.Role("create-only", kA,
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:CreateImage","ec2:CreateTags"],"Resource":"*"}]})");
  ASSERT_THAT(w_.status(), IsOk());
  StartBackupJobRequest r{"main", InstanceArn(kA, w_.instance("web")), w_.principal("create-only"),
                          {1, 0}};
  ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), r).status(), IsOk());
  cloud().AdvanceClock(absl::Hours(25));
  const auto points = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main");
  ASSERT_THAT(points, SizeIs(1));
  EXPECT_EQ(points[0].status, "EXPIRED");
  EXPECT_EQ(backup_.History(Ctx(kA)).back().error_code, "UnauthorizedOperation");
}

TEST_F(BackupTest, BACKUP_2_LifecycleDeletionCallsAsAwsBackup) {
  // A role that may deregister only when AWS Backup calls (aws:CalledVia).
  w_.Role("via-backup", kA, R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":["ec2:*"],"Resource":"*"},
      {"Effect":"Deny","Action":["ec2:DeregisterImage","ec2:DeleteSnapshot"],"Resource":"*",
       "Condition":{"ForAllValues:StringNotEquals":{"aws:CalledVia":"backup.amazonaws.com"}}}]})");
  ASSERT_THAT(w_.status(), IsOk());
  const std::string role = w_.principal("via-backup");
  StartBackupJobRequest r{"main", InstanceArn(kA, w_.instance("web")), role, {1, 0}};
  ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), r).status(), IsOk());
  StartBackupJobRequest kept{"main", InstanceArn(kA, w_.instance("db")), role, {}};
  ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), kept).status(), IsOk());
  cloud().AdvanceClock(absl::Hours(25));
  const auto points = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main");
  ASSERT_THAT(points, SizeIs(1));  // the first one's lifecycle deleted it
  EXPECT_EQ(points[0].resource_arn, kept.resource_arn);
  // The same role, calling EC2 itself, may not deregister the other.
  CallContext as_role = Ctx(kA);
  as_role.principal = role;
  EXPECT_THAT(cloud().DeregisterImage(as_role, points[0].image_id.ToString(), true), Not(IsOk()));
  EXPECT_EQ(cloud().GetImage(points[0].image_id)->state(), ImageState::kAvailable);
}

TEST_F(BackupTest, BACKUP_2_BackupAmiIsNotDeregisteredThroughEc2) {
  StartBackupJobRequest r{"main", InstanceArn(kA, w_.instance("web")), role_, {}};
  ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), r).status(), IsOk());
  cloud().AdvanceClock(absl::Minutes(10));
  const auto points = backup_.ListRecoveryPointsByBackupVault(Ctx(kA), "main");
  ASSERT_THAT(points, SizeIs(1));
  // The owner's root user, through EC2: refused (DEREG-5).
  EXPECT_NO_CHANGE(cloud(), EXPECT_THAT(cloud().DeregisterImage(Ctx(kA), points[0].image_id.ToString(),
                                                                true),
                                        HasErrorCode(ErrorCode::kInvalidParameterValue)));
  // Through AWS Backup: deleted.
  ASSERT_THAT(backup_.DeleteRecoveryPoint(Ctx(kA), "main", points[0].recovery_point_arn), IsOk());
  EXPECT_NE(cloud().GetImage(points[0].image_id).value_or(*cloud().GetImage(w_.image("base"))).state(),
            ImageState::kAvailable);
}


}  // namespace
}  // namespace ami::backup_test
