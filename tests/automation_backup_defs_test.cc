// AWS Backup's definitions (BACKUP-1 … 3, MC-87): bounds and error codes, atomic refusals, the
// state's Fork and StateEquals, and its state-file record.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/automation_backup_fixture.h"

namespace ami::backup_test {
namespace {

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
}  // namespace ami::backup_test
