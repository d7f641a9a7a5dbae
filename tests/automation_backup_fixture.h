// The world the AWS Backup tests start from: two accounts with a customer managed key each, an
// image and two running instances in the first, the default service role and a vault.
#ifndef AMI_TESTS_AUTOMATION_BACKUP_FIXTURE_H_
#define AMI_TESTS_AUTOMATION_BACKUP_FIXTURE_H_

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

namespace ami::backup_test {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::Contains;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

inline constexpr char kA[] = "111122223333";
inline constexpr char kB[] = "444455556666";
inline constexpr char kEast[] = "us-east-1";

inline CallContext Ctx(const char* account, const char* region = kEast) {
  CallContext ctx;
  ctx.account = AccountId::Parse(account).value();
  ctx.region = Region::Parse(region).value();
  return ctx;
}

inline std::string InstanceArn(const char* account, InstanceId id, const char* region = kEast) {
  return absl::StrCat("arn:aws:ec2:", region, ":", account, ":instance/", id.ToString());
}

inline std::string VaultArn(const char* account, const char* name, const char* region = kEast) {
  return absl::StrCat("arn:aws:backup:", region, ":", account, ":backup-vault:", name);
}

inline BackupRule DailyRule(const std::string& vault = "main", int delete_after_days = 0) {
  BackupRule rule;
  rule.rule_name = "daily";
  rule.target_backup_vault_name = vault;
  rule.schedule_expression = "cron(0 5 * * ? *)";
  rule.lifecycle.delete_after_days = delete_after_days;
  return rule;
}

inline BackupSelectionRequest AllInstances(const std::string& role) {
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

}  // namespace ami::backup_test

#endif  // AMI_TESTS_AUTOMATION_BACKUP_FIXTURE_H_
