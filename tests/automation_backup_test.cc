// AWS Backup in a cloud (BACKUP-1 … 3): definitions and their bounds, scheduled and on-demand
// jobs, recovery points and their lifecycle, copies, state records.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/automation/automation.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "ami/testing/world.h"
#include "automation/backup_internal.h"
#include "cloud/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/automation_proto.h"
#include "policy/automation_backup.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::Contains;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kA[] = "111122223333";
constexpr char kB[] = "444455556666";
constexpr char kEast[] = "us-east-1";

CallContext Ctx(const char* account, const char* region = kEast) {
  CallContext ctx;
  ctx.account = AccountId::Parse(account).value();
  ctx.region = Region::Parse(region).value();
  return ctx;
}

std::string InstanceArn(const char* account, InstanceId id, const char* region = kEast) {
  return absl::StrCat("arn:aws:ec2:", region, ":", account, ":instance/", id.ToString());
}

std::string VaultArn(const char* account, const char* name, const char* region = kEast) {
  return absl::StrCat("arn:aws:backup:", region, ":", account, ":backup-vault:", name);
}

BackupRule DailyRule(const std::string& vault = "main", int delete_after_days = 0) {
  BackupRule rule;
  rule.rule_name = "daily";
  rule.target_backup_vault_name = vault;
  rule.schedule_expression = "cron(0 5 * * ? *)";
  rule.lifecycle.delete_after_days = delete_after_days;
  return rule;
}

BackupSelectionRequest AllInstances(const std::string& role) {
  BackupSelectionRequest s;
  s.selection_name = "all";
  s.iam_role_arn = role;
  s.resources = {"*"};
  return s;
}

// Two accounts, a customer managed key in each, an image and two running instances in A.
class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    w_.Account(kA).Account(kB).Key("cmk-a", kA, kEast).Key("cmk-b", kB, kEast)
        .Image("base", kA, kEast)
        .Instance("web", kA, kEast, "base")
        .Instance("db", kA, kEast, "base");
    ASSERT_THAT(w_.status(), IsOk());
    cloud().AdvanceClock(absl::Minutes(1));
    auto role = backup_.CreateBackupDefaultServiceRole(Ctx(kA));
    ASSERT_THAT(role.status(), IsOk());
    role_ = *role;
    ASSERT_THAT(backup_.CreateBackupVault(Ctx(kA), "main"), IsOk());
  }

  Cloud& cloud() { return w_.cloud(); }

  // A plan of account A with one rule and a selection of every instance.
  std::string Plan(const BackupRule& rule) {
    BackupPlanRequest plan;
    plan.backup_plan_name = "plan";
    plan.rules = {rule};
    auto id = backup_.CreateBackupPlan(Ctx(kA), plan);
    EXPECT_THAT(id.status(), IsOk());
    EXPECT_THAT(backup_.CreateBackupSelection(Ctx(kA), id.value_or(""), AllInstances(role_)).status(),
                IsOk());
    return id.value_or("");
  }

  std::vector<BackupJob> JobsOf(const CallContext& ctx, const std::string& resource) {
    std::vector<BackupJob> out;
    for (const BackupJob& j : backup_.ListBackupJobs(ctx)) {
      if (j.resource_arn == resource && j.source_recovery_point_arn.empty()) out.push_back(j);
    }
    return out;
  }

  testing::World w_;
  Automation backup_{w_.cloud()};
  std::string role_;
};

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
  // The instance kept running: no reboot, no stop.
  EXPECT_EQ(cloud().GetInstance(w_.instance("web"))->state(), InstanceState::kRunning);
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

// ---- Validation: bounds and error codes (MC-87) ----

TEST_F(BackupTest, VaultNamesAreCheckedAndUnique) {
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), "main"),
              HasErrorCode(ErrorCode::kAlreadyExistsException));
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), "x"),
              HasErrorCode(ErrorCode::kInvalidParameterValueException));
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), std::string(51, 'v')),
              HasErrorCode(ErrorCode::kInvalidParameterValueException));
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), std::string(50, 'v')), IsOk());
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), "bad.name"),
              HasErrorCode(ErrorCode::kInvalidParameterValueException));
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), ""),
              HasErrorCode(ErrorCode::kMissingParameterValueException));
  // The same name in another account or Region is another vault.
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kB), "main"), IsOk());
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA, "us-west-2"), "main"), IsOk());
}

TEST_F(BackupTest, VaultKeysResolveInTheCallersAccountAndRegion) {
  const KmsKeyArn key = w_.key("cmk-a");
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), "by-id", key.key_id().ToString()), IsOk());
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), "by-alias", "alias/aws/ebs"), IsOk());
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), "missing", "alias/none"),
              HasErrorCode(ErrorCode::kInvalidParameterValueException));
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA, "us-west-2"), "other-region", key.ToString()),
              MessageHas("not in the vault's region"));
  std::map<std::string, std::string> keys;
  for (const BackupVaultInfo& v : backup_.ListBackupVaults(Ctx(kA))) keys[v.name] = v.encryption_key_arn;
  EXPECT_EQ(keys["by-id"], key.ToString());
  EXPECT_THAT(keys["main"], HasSubstr(":111122223333:key/"));  // the AWS managed key
  EXPECT_EQ(keys["main"], keys["by-alias"]);
}

TEST_F(BackupTest, VaultQuota) {
  for (int i = 1; i < policy::kMaxBackupVaultsPerRegion; ++i) {
    ASSERT_THAT(backup_.CreateBackupVault(Ctx(kA), absl::StrCat("v", i)), IsOk());
  }
  EXPECT_THAT(backup_.CreateBackupVault(Ctx(kA), "one-more"),
              HasErrorCode(ErrorCode::kLimitExceededException));
}

TEST_F(BackupTest, PlanValidation) {
  const auto refused = [&](BackupPlanRequest p, ErrorCode code, const std::string& text) {
    EXPECT_NO_CHANGE(cloud(), EXPECT_THAT(backup_.CreateBackupPlan(Ctx(kA), p).status(),
                                          HasErrorCode(code)));
    EXPECT_THAT(backup_.CreateBackupPlan(Ctx(kA), p).status(), MessageHas(text));
  };
  BackupPlanRequest p{"plan", {DailyRule()}};
  refused({std::string(51, 'p'), {DailyRule()}}, ErrorCode::kInvalidParameterValueException, "1 to 50");
  refused({"plan", {}}, ErrorCode::kMissingParameterValueException, "at least one rule");
  refused({"plan", std::vector<BackupRule>(policy::kMaxBackupRulesPerPlan + 1, DailyRule())},
          ErrorCode::kLimitExceededException, "at most 10 rules");
  BackupRule r = DailyRule();
  r.schedule_expression = "cron(0 5 * * *)";
  refused({"plan", {r}}, ErrorCode::kInvalidParameterValueException, "ScheduleExpression");
  r = DailyRule();
  r.schedule_expression_timezone = "Mars/Olympus";
  refused({"plan", {r}}, ErrorCode::kInvalidParameterValueException, "ScheduleExpression");
  r = DailyRule();
  r.start_window_minutes = 59;
  refused({"plan", {r}}, ErrorCode::kInvalidParameterValueException, "StartWindowMinutes");
  r = DailyRule();
  r.start_window_minutes = 120;
  r.completion_window_minutes = 179;
  refused({"plan", {r}}, ErrorCode::kInvalidParameterValueException, "CompletionWindowMinutes");
  r.completion_window_minutes = 180;
  r.lifecycle = {119, 30};
  refused({"plan", {r}}, ErrorCode::kInvalidParameterValueException, "at least 90 days more");
  r.lifecycle = {120, 30};
  r.target_backup_vault_name = "nowhere";
  refused({"plan", {r}}, ErrorCode::kInvalidParameterValueException, "does not exist");
  r = DailyRule();
  r.copy_actions = {{"arn:aws:backup:us-east-1:1234:backup-vault:x", {}}};
  refused({"plan", {r}}, ErrorCode::kInvalidParameterValueException, "DestinationBackupVaultArn");
  r = DailyRule();
  BackupRule twin = DailyRule();
  refused({"plan", {r, twin}}, ErrorCode::kInvalidParameterValueException, "used twice");
  // The bounds themselves are accepted.
  r = DailyRule();
  r.start_window_minutes = 60;
  r.completion_window_minutes = 120;
  r.lifecycle = {120, 30};
  EXPECT_THAT(backup_.CreateBackupPlan(Ctx(kA), {"plan", {r}}).status(), IsOk());
  EXPECT_THAT(backup_.CreateBackupPlan(Ctx(kA), p).status(),
              HasErrorCode(ErrorCode::kAlreadyExistsException));
}

TEST_F(BackupTest, PlanQuotaAndDeterministicIds) {
  std::vector<std::string> ids;
  for (int i = 0; i < policy::kMaxBackupPlansPerRegion; ++i) {
    auto id = backup_.CreateBackupPlan(Ctx(kA), {absl::StrCat("p", i), {DailyRule()}});
    ASSERT_THAT(id.status(), IsOk());
    ids.push_back(*id);
  }
  EXPECT_THAT(backup_.CreateBackupPlan(Ctx(kA), {"over", {DailyRule()}}).status(),
              HasErrorCode(ErrorCode::kLimitExceededException));
  EXPECT_EQ(ids[0], "00000000-0000-4000-8000-000000000001");
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  const auto plans = backup_.ListBackupPlans(Ctx(kA));
  ASSERT_THAT(plans, SizeIs(100));
  EXPECT_EQ(plans[0].backup_plan_arn,
            absl::StrCat("arn:aws:backup:us-east-1:111122223333:backup-plan:", ids[0]));
}

TEST_F(BackupTest, SelectionValidation) {
  auto plan = backup_.CreateBackupPlan(Ctx(kA), {"plan", {DailyRule()}});
  ASSERT_THAT(plan.status(), IsOk());
  const auto refused = [&](BackupSelectionRequest s, ErrorCode code) {
    EXPECT_NO_CHANGE(cloud(), EXPECT_THAT(backup_.CreateBackupSelection(Ctx(kA), *plan, s).status(),
                                          HasErrorCode(code)));
  };
  BackupSelectionRequest s = AllInstances(role_);
  s.iam_role_arn = "";
  refused(s, ErrorCode::kMissingParameterValueException);
  s.iam_role_arn = "role/x";
  refused(s, ErrorCode::kInvalidParameterValueException);
  s = AllInstances(role_);
  s.selection_name = std::string(51, 's');
  refused(s, ErrorCode::kInvalidParameterValueException);
  s = AllInstances(role_);
  s.resources = {"i-0123"};
  refused(s, ErrorCode::kInvalidParameterValueException);
  s.resources = std::vector<std::string>(policy::kMaxSelectionResources + 1, "*");
  refused(s, ErrorCode::kLimitExceededException);
  s = AllInstances(role_);
  s.list_of_tags = {{"StringEquals", "backup", "yes"}};
  refused(s, ErrorCode::kInvalidParameterValueException);
  s.list_of_tags = {};
  s.conditions = {{"StringEquals", "backup", "yes"}};
  refused(s, ErrorCode::kInvalidParameterValueException);
  s.conditions = {{"StringGreater", "aws:ResourceTag/backup", "yes"}};
  refused(s, ErrorCode::kInvalidParameterValueException);
  s.conditions = std::vector<BackupCondition>(policy::kMaxSelectionConditions + 1,
                                              {"StringEquals", "aws:ResourceTag/a", "b"});
  refused(s, ErrorCode::kLimitExceededException);
  EXPECT_THAT(backup_.CreateBackupSelection(Ctx(kA), "no-such-plan", AllInstances(role_)).status(),
              HasErrorCode(ErrorCode::kResourceNotFoundException));
  EXPECT_THAT(backup_.CreateBackupSelection(Ctx(kB), *plan, AllInstances(role_)).status(),
              HasErrorCode(ErrorCode::kResourceNotFoundException));
  for (int i = 0; i < policy::kMaxSelectionsPerPlan; ++i) {
    BackupSelectionRequest ok = AllInstances(role_);
    ok.selection_name = absl::StrCat("s", i);
    ASSERT_THAT(backup_.CreateBackupSelection(Ctx(kA), *plan, ok).status(), IsOk());
  }
  BackupSelectionRequest more = AllInstances(role_);
  more.selection_name = "more";
  refused(more, ErrorCode::kLimitExceededException);
  more.selection_name = "s0";
  EXPECT_THAT(backup_.CreateBackupSelection(Ctx(kA), *plan, more).status(),
              HasErrorCode(ErrorCode::kAlreadyExistsException));
}

TEST_F(BackupTest, StartBackupJobValidation) {
  const auto refused = [&](StartBackupJobRequest r, ErrorCode code) {
    EXPECT_NO_CHANGE(cloud(), EXPECT_THAT(backup_.StartBackupJob(Ctx(kA), r).status(),
                                          HasErrorCode(code)));
  };
  const std::string arn = InstanceArn(kA, w_.instance("web"));
  refused({"nowhere", arn, role_, {}}, ErrorCode::kResourceNotFoundException);
  refused({"main", arn, "", {}}, ErrorCode::kMissingParameterValueException);
  refused({"main", "", role_, {}}, ErrorCode::kMissingParameterValueException);
  refused({"main", InstanceArn(kB, w_.instance("web")), role_, {}},
          ErrorCode::kInvalidParameterValueException);
  refused({"main", arn, role_, {-1, 0}}, ErrorCode::kInvalidParameterValueException);
  refused({"main", arn, role_, {policy::kMaxLifecycleDays + 1, 0}},
          ErrorCode::kInvalidParameterValueException);
  CallContext dry = Ctx(kA);
  dry.dry_run = true;
  EXPECT_NO_CHANGE(cloud(), EXPECT_THAT(backup_.StartBackupJob(dry, {"main", arn, role_, {}}).status(),
                                        HasErrorCode(ErrorCode::kDryRunOperation)));
}

TEST_F(BackupTest, JobsKeptPerAccountAndRegionAreBounded) {
  // Jobs of an instance that does not exist fail at once.
  const std::string arn = absl::StrCat("arn:aws:ec2:us-east-1:", kA, ":instance/i-0000000000000dead");
  for (int i = 0; i <= policy::kMaxBackupJobsKept; ++i) {
    ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), {"main", arn, role_, {}}).status(), IsOk());
  }
  const auto jobs = backup_.ListBackupJobs(Ctx(kA));
  ASSERT_THAT(jobs, SizeIs(policy::kMaxBackupJobsKept));
  EXPECT_EQ(jobs[0].state, "FAILED");
  EXPECT_EQ(jobs[0].backup_job_id, "00000000-0000-4000-8000-000000000002");
}

// ---- The state: Fork, StateEquals, records ----

TEST_F(BackupTest, ForkKeepsBackupStateIndependent) {
  Plan(DailyRule("main", 7));
  std::unique_ptr<Cloud> fork = cloud().Fork();
  ASSERT_TRUE(fork->StateEquals(cloud()));
  fork->AdvanceClock(absl::Hours(24));
  Automation forked(*fork);
  EXPECT_THAT(forked.ListBackupJobs(Ctx(kA)), SizeIs(2));
  EXPECT_THAT(backup_.ListBackupJobs(Ctx(kA)), SizeIs(0));
  cloud().AdvanceClock(absl::Hours(24));
  EXPECT_TRUE(fork->StateEquals(cloud()));
}

TEST_F(BackupTest, StateEqualsSeesBackupDifferences) {
  std::unique_ptr<Cloud> fork = cloud().Fork();
  ASSERT_THAT(backup_.CreateBackupVault(Ctx(kA), "another"), IsOk());
  EXPECT_FALSE(fork->StateEquals(cloud()));
  Automation forked(*fork);
  ASSERT_THAT(forked.CreateBackupVault(Ctx(kA), "another"), IsOk());
  EXPECT_TRUE(fork->StateEquals(cloud()));
  ASSERT_THAT(backup_.StartBackupJob(Ctx(kA), {"main", InstanceArn(kA, w_.instance("web")), role_, {}})
                  .status(),
              IsOk());
  EXPECT_FALSE(fork->StateEquals(cloud()));
}

TEST_F(BackupTest, DefaultServiceRoleHasTheManagedPolicysEc2Actions) {
  EXPECT_EQ(role_, "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole");
}

// The backup state of `cloud`, as its record holds it.
internal::BackupState StateOf(const Cloud& cloud) {
  const internal::CloudState& s = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(s.mu);
  return s.automation().backup;
}

TEST_F(BackupTest, RecordRoundTrips) {
  ASSERT_THAT(backup_.CreateBackupVault(Ctx(kA), "encrypted", w_.key("cmk-a").ToString()), IsOk());
  BackupRule rule = DailyRule("main", 7);
  rule.copy_actions = {{VaultArn(kA, "encrypted"), {9, 0}}};
  rule.recovery_point_tags = {{"k", "v"}};
  rule.schedule_expression_timezone = "Europe/Paris";
  const std::string id = Plan(rule);
  BackupSelectionRequest tagged;
  tagged.selection_name = "tagged";
  tagged.iam_role_arn = role_;
  tagged.not_resources = {"arn:aws:ec2:*:*:instance/i-1*"};
  tagged.list_of_tags = {{"STRINGEQUALS", "backup", "yes"}};
  tagged.conditions = {{"StringNotLike", "aws:ResourceTag/x", "y*"}};
  ASSERT_THAT(backup_.CreateBackupSelection(Ctx(kA), id, tagged).status(), IsOk());
  cloud().AdvanceClock(absl::Hours(24 * 2) + absl::Minutes(3));  // jobs under way, too
  const internal::BackupState before = StateOf(cloud());
  ASSERT_FALSE(before.jobs.empty());
  ASSERT_FALSE(before.recovery_points.empty());
  v1::BackupStateRecord record;
  internal::BackupToProto(before, &record);
  internal::BackupState after;
  ASSERT_THAT(internal::BackupFromProto(record, &after), IsOk());
  EXPECT_TRUE(after == before);
  // A record with no counter (an older file) reads as a fresh counter.
  v1::BackupStateRecord empty;
  ASSERT_THAT(internal::BackupFromProto(empty, &after), IsOk());
  EXPECT_EQ(after.next_number, 1u);
}

TEST_F(BackupTest, HostileRecordsAreRefusedWithoutCrashing) {
  BackupRule rule = DailyRule("main", 7);
  Plan(rule);
  cloud().AdvanceClock(absl::Hours(24));
  v1::BackupStateRecord good;
  internal::BackupToProto(StateOf(cloud()), &good);
  ASSERT_GT(good.jobs_size(), 0);
  ASSERT_GT(good.recovery_points_size(), 0);
  const auto refused = [&](auto mutate, const std::string& text) {
    v1::BackupStateRecord bad = good;
    mutate(bad);
    internal::BackupState out;
    const absl::Status st = internal::BackupFromProto(bad, &out);
    EXPECT_THAT(st, HasErrorCode(ErrorCode::kInvalidParameterValue)) << text;
    EXPECT_THAT(st, MessageHas(text));
  };
  refused([](auto& r) { r.mutable_vaults(0)->set_account("12"); }, "backup.vaults[0]: account");
  refused([](auto& r) { r.mutable_vaults(0)->set_name("a"); }, "backup.vaults[0]");
  refused([](auto& r) { r.mutable_vaults(0)->set_arn("arn:x"); }, "arn does not name the vault");
  refused([](auto& r) { r.mutable_vaults(0)->set_encryption_key_arn("k"); }, "encryption_key_arn");
  refused([](auto& r) { *r.add_vaults() = r.vaults(0); }, "repeated vault");
  refused([](auto& r) { r.mutable_plans(0)->mutable_rules(0)->set_schedule_expression("cron(x)"); },
          "backup.plans[0]");
  refused([](auto& r) {
            for (int i = 0; i < 20; ++i) *r.mutable_plans(0)->add_rules() = r.plans(0).rules(0);
          },
          "rules per backup plan");
  refused([](auto& r) { r.mutable_plans(0)->mutable_selections(0)->set_iam_role_arn(""); },
          "IamRoleArn");
  refused([](auto& r) { *r.mutable_plans(0)->add_selections() = r.plans(0).selections(0); },
          "repeated");
  refused([](auto& r) { *r.add_plans() = r.plans(0); }, "repeated plan id");
  refused([](auto& r) { r.mutable_jobs(0)->set_state("DONE"); }, "unknown state");
  refused([](auto& r) { r.mutable_jobs(0)->set_image_id("ami-zz"); }, "image_id");
  refused([](auto& r) { r.mutable_jobs(0)->set_backup_job_id(""); }, "backup_job_id");
  refused([](auto& r) { r.mutable_jobs(0)->set_status_message(std::string(5000, 'x')); },
          "longer than");
  refused([](auto& r) { r.mutable_jobs(0)->mutable_lifecycle()->set_delete_after_days(-4); },
          "DeleteAfterDays");
  refused([](auto& r) { r.mutable_jobs(0)->set_destination_vault_arn("arn:nope"); },
          "destination_vault_arn");
  refused([](auto& r) { *r.add_jobs() = r.jobs(0); }, "repeated job id");
  refused([](auto& r) { r.mutable_recovery_points(0)->set_status("GONE"); }, "unknown status");
  refused([](auto& r) { r.mutable_recovery_points(0)->set_recovery_point_arn("arn:aws:ec2:us-east-1::image/ami-1"); },
          "recovery_point_arn");
  refused([](auto& r) { r.mutable_recovery_points(0)->set_region("mars-1"); }, "region");
  refused([](auto& r) { *r.add_recovery_points() = r.recovery_points(0); }, "repeated recovery point");
  // Every field of every message garbled in turn: a status, never a crash.
  for (int field = 0; field < 40; ++field) {
    v1::BackupStateRecord bad = good;
    const std::string junk(static_cast<size_t>(field) * 7 % 300, '\xff');
    bad.mutable_plans(0)->set_backup_plan_arn(junk);
    bad.mutable_jobs(0)->set_resource_arn(junk);
    bad.mutable_recovery_points(0)->set_resource_arn(junk);
    bad.mutable_jobs(0)->set_deadline_ns(field % 2 ? INT64_MIN : INT64_MAX);
    internal::BackupState out;
    (void)internal::BackupFromProto(bad, &out);
  }
}

}  // namespace
}  // namespace ami
