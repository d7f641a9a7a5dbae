// Data Lifecycle Manager AMI policies on the cloud's clock (BACKUP-5 … 10): each rule allowing
// and denying, named by rule id.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/automation/automation.h"
#include "ami/testing/matchers.h"
#include "ami/testing/no_change.h"
#include "ami/testing/world.h"
#include "ami/tools/audit.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsCrashConsistent;
using ::ami::testing::IsFileSystemConsistent;
using ::ami::testing::IsOk;
using ::ami::testing::World;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kAccount[] = "111122223333";
constexpr char kEast[] = "us-east-1";
constexpr char kWest[] = "us-west-2";
constexpr char kAllowAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
constexpr char kNoCreateImage[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},)"
    R"({"Effect":"Deny","Action":"ec2:CreateImage","Resource":"*"}]})";

CallContext Ctx(const char* region = kEast) {
  CallContext ctx;
  ctx.account = *AccountId::Parse(kAccount);
  ctx.region = *Region::Parse(region);
  return ctx;
}

// An account with `n` running instances in us-east-1, those of `tagged` carrying backup=yes,
// a role that may do anything, and one that may not create images.
World MakeWorld(int n, int tagged) {
  World w;
  w.Account(kAccount)
      .Image("base", kAccount, kEast)
      .Role("dlm-role", kAccount, kAllowAll)
      .Role("no-create", kAccount, kNoCreateImage)
      .Key("west-key", kAccount, kWest);
  for (int i = 0; i < n; ++i) w.Instance(absl::StrCat("i", i), kAccount, kEast, "base");
  w.cloud().AdvanceClock(absl::Minutes(2));
  for (int i = 0; i < tagged; ++i) {
    EXPECT_THAT(w.cloud().CreateTags(Ctx(), {w.instance(absl::StrCat("i", i)).ToString()},
                                     {{"backup", "yes"}}),
                IsOk());
  }
  return w;
}

DlmSchedule Daily(int count) {
  DlmSchedule s;
  s.name = "daily";
  s.create_rule.cron_expression = "cron(0 3 * * ? *)";
  s.retain_rule.count = count;
  return s;
}

LifecyclePolicyRequest Policy(const World& w, DlmSchedule schedule) {
  LifecyclePolicyRequest r;
  r.description = "nightly AMIs";
  r.execution_role_arn = w.principal("dlm-role");
  r.target_tags = {{"backup", "yes"}};
  r.schedules = {std::move(schedule)};
  return r;
}

// The registered images a policy made (or copied), in `region`.
std::vector<Image> PolicyImages(const Cloud& cloud, const std::string& policy,
                                const char* region = kEast) {
  std::vector<Image> out;
  for (const Image& image : cloud.ListImages()) {
    const auto tag = image.tags().Find("aws:dlm:lifecycle-policy-id");
    if (tag.has_value() && *tag == policy && image.state() != ImageState::kDeregistered &&
        image.region() == *Region::Parse(region)) {
      out.push_back(image);
    }
  }
  return out;
}

std::vector<Image> ImagesOf(const std::vector<Image>& images, InstanceId instance) {
  std::vector<Image> out;
  for (const Image& i : images) {
    if (i.name().find(instance.ToString()) != std::string::npos) out.push_back(i);
  }
  return out;
}

// ---- BACKUP-5: AMI policies, target tags, NoReboot defaulting to true ----

TEST(AutomationDlm, BACKUP_5_NoRebootDefaultsToTrueAndTargetsTaggedInstances) {
  World w = MakeWorld(3, 2);
  Automation a(w.cloud());
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(7)));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24));
  const std::vector<Image> images = PolicyImages(w.cloud(), *id);
  ASSERT_THAT(images, SizeIs(2));
  for (const Image& i : images) EXPECT_THAT(i, IsCrashConsistent());
  EXPECT_THAT(ImagesOf(images, w.instance("i2")), SizeIs(0));
  EXPECT_EQ(*images[0].tags().Find("aws:dlm:lifecycle-schedule-name"), "daily");
}

TEST(AutomationDlm, BACKUP_5_NoRebootFalseRebootsForFileSystemConsistency) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  LifecyclePolicyRequest r = Policy(w, Daily(7));
  r.no_reboot = false;
  const auto id = a.CreateLifecyclePolicy(Ctx(), r);
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24));
  const std::vector<Image> images = PolicyImages(w.cloud(), *id);
  ASSERT_THAT(images, SizeIs(1));
  EXPECT_THAT(images[0], IsFileSystemConsistent());
}

TEST(AutomationDlm, BACKUP_5_TargetTagsAreCaseSensitive) {
  World w = MakeWorld(1, 0);
  ASSERT_THAT(w.cloud().CreateTags(Ctx(), {w.instance("i0").ToString()}, {{"backup", "Yes"}}),
              IsOk());
  Automation a(w.cloud());
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(7)));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(48));
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(0));
}

TEST(AutomationDlm, BACKUP_5_OnlyAmiPoliciesAreRun) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  LifecyclePolicyRequest r = Policy(w, Daily(7));
  r.policy_type = "EBS_SNAPSHOT_MANAGEMENT";
  EXPECT_NO_CHANGE(w.cloud(), {
    EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), r).status(),
                HasErrorCode(ErrorCode::kInvalidRequestException));
  });
  r = Policy(w, Daily(7));
  r.target_tags.clear();
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), r).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  r = Policy(w, Daily(7));
  r.schedules.assign(5, Daily(7));
  for (int i = 0; i < 5; ++i) r.schedules[i].name = absl::StrCat("s", i);
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), r).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  r.schedules.resize(4);
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), r).status(), IsOk());
}

TEST(AutomationDlm, BACKUP_5_ExecutionRoleMustBeARoleOfTheAccount) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  LifecyclePolicyRequest r = Policy(w, Daily(7));
  r.execution_role_arn = "arn:aws:iam::999999999999:role/other";
  const absl::Status s = a.CreateLifecyclePolicy(Ctx(), r).status();
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidRequestException));
  EXPECT_THAT(s.message(), HasSubstr("ExecutionRoleArn"));
}

// ---- BACKUP-6: cron or interval ----

TEST(AutomationDlm, BACKUP_6_IntervalWithStartTimeFiresTwiceADay) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  DlmSchedule s = Daily(100);
  s.create_rule = DlmCreateRule{"", 12, "HOURS", {"09:00"}};
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, s));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(48));
  const std::vector<Image> images = PolicyImages(w.cloud(), *id);
  ASSERT_THAT(images, SizeIs(4));
  std::vector<int> hours;
  for (const Image& i : images) {
    hours.push_back(absl::ToCivilHour(i.creation_time(), absl::UTCTimeZone()).hour());
  }
  EXPECT_THAT(hours, ::testing::UnorderedElementsAre(9, 21, 9, 21));
}

TEST(AutomationDlm, BACKUP_6_BadCreateRulesAreRefused) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  for (DlmCreateRule rule : {DlmCreateRule{"", 5, "HOURS", {}},
                             DlmCreateRule{"", 12, "DAYS", {}},
                             DlmCreateRule{"cron(0 3 * * ? *)", 12, "HOURS", {}},
                             DlmCreateRule{"cron(0/30 * * * ? *)", 0, "", {}},
                             DlmCreateRule{"", 12, "HOURS", {"09:00", "10:00"}},
                             DlmCreateRule{"rate(1 day)", 0, "", {}}}) {
    DlmSchedule s = Daily(7);
    s.create_rule = rule;
    const absl::Status status = a.CreateLifecyclePolicy(Ctx(), Policy(w, s)).status();
    EXPECT_THAT(status, HasErrorCode(ErrorCode::kInvalidRequestException)) << rule.cron_expression;
  }
  EXPECT_THAT(a.GetLifecyclePolicies(Ctx()), SizeIs(0));
}

// ---- BACKUP-7: retention ----

TEST(AutomationDlm, BACKUP_7_CountRetentionDeregistersOldestAndDeletesSnapshots) {
  World w = MakeWorld(2, 2);
  Automation a(w.cloud());
  const size_t snapshots_before = w.cloud().ListSnapshots().size();
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(3)));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 5));
  const std::vector<Image> images = PolicyImages(w.cloud(), *id);
  EXPECT_THAT(ImagesOf(images, w.instance("i0")), SizeIs(3));
  EXPECT_THAT(ImagesOf(images, w.instance("i1")), SizeIs(3));
  // One root snapshot per AMI kept; those of the deregistered AMIs are deleted.
  EXPECT_EQ(w.cloud().ListSnapshots().size(), snapshots_before + 6);
}

TEST(AutomationDlm, BACKUP_7_AgeRetentionKeepsAmisForTheirAge) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  DlmSchedule s = Daily(0);
  s.retain_rule = DlmAgeOrCount{0, 2, "DAYS"};
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, s));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 6));
  // Made at 03:00 on days 1…6; at day 6 04:00 those of days 5 and 6 are younger than 2 days,
  // and the one of day 4 expires exactly at day 6 03:00.
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(2));
}

TEST(AutomationDlm, BACKUP_7_RetentionBoundsAndOneTypePerPolicy) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(1001))).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(1000))).status(), IsOk());
  DlmSchedule by_age = Daily(0);
  by_age.name = "weekly";
  by_age.retain_rule = DlmAgeOrCount{0, 4, "WEEKS"};
  LifecyclePolicyRequest mixed = Policy(w, Daily(7));
  mixed.schedules.push_back(by_age);
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), mixed).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  DlmSchedule too_old = Daily(0);
  too_old.retain_rule = DlmAgeOrCount{0, 101, "YEARS"};
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), Policy(w, too_old)).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
}

// ---- BACKUP-8: deprecation ----

TEST(AutomationDlm, BACKUP_8_CountDeprecationDeprecatesAllButTheNewest) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  DlmSchedule s = Daily(3);
  s.deprecate_rule.count = 1;
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, s));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 4));
  std::vector<Image> images = PolicyImages(w.cloud(), *id);
  ASSERT_THAT(images, SizeIs(3));
  std::sort(images.begin(), images.end(),
            [](const Image& x, const Image& y) { return x.creation_time() < y.creation_time(); });
  EXPECT_TRUE(images[0].deprecation_time().has_value());
  EXPECT_TRUE(images[1].deprecation_time().has_value());
  EXPECT_FALSE(images[2].deprecation_time().has_value());
}

// A deprecation cancelled by hand is not overridden by the policy's next firings (BACKUP-8).
TEST(AutomationDlm, BACKUP_8_ACancelledDeprecationIsNotOverridden) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  DlmSchedule s = Daily(5);
  s.deprecate_rule.count = 1;
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, s));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 2));
  std::vector<Image> images = PolicyImages(w.cloud(), *id);
  std::sort(images.begin(), images.end(),
            [](const Image& x, const Image& y) { return x.creation_time() < y.creation_time(); });
  ASSERT_THAT(images, SizeIs(2));
  ASSERT_TRUE(images[0].deprecation_time().has_value());
  ASSERT_THAT(w.cloud().DisableImageDeprecation(Ctx(), images[0].id().ToString()), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 2));
  EXPECT_FALSE(w.cloud().GetImage(images[0].id())->deprecation_time().has_value());
  // The AMIs made since are deprecated as they age past the newest one.
  EXPECT_TRUE(w.cloud().GetImage(images[1].id())->deprecation_time().has_value());
}

TEST(AutomationDlm, BACKUP_8_AgeDeprecationAndItsBounds) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  DlmSchedule s = Daily(0);
  s.retain_rule = DlmAgeOrCount{0, 30, "DAYS"};
  s.deprecate_rule = DlmAgeOrCount{0, 7, "DAYS"};
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, s));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24));
  const std::vector<Image> images = PolicyImages(w.cloud(), *id);
  ASSERT_THAT(images, SizeIs(1));
  EXPECT_EQ(images[0].deprecation_time(), images[0].creation_time() + absl::Hours(24 * 7));
  DlmSchedule longer = s;
  longer.deprecate_rule = DlmAgeOrCount{0, 31, "DAYS"};
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), Policy(w, longer)).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  DlmSchedule counted = Daily(3);
  counted.deprecate_rule.count = 4;
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), Policy(w, counted)).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
}

// ---- BACKUP-9: cross-Region copies ----

TEST(AutomationDlm, BACKUP_9_CopiesAreEncryptedWithTheCmkAndExpire) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  DlmSchedule s = Daily(5);
  DlmCrossRegionCopyRule copy;
  copy.target_region = kWest;
  copy.encrypted = true;
  copy.cmk_arn = w.key("west-key").ToString();
  copy.retain_rule = DlmAgeOrCount{0, 2, "DAYS"};
  s.cross_region_copy_rules = {copy};
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, s));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 5));
  const std::vector<Image> copies = PolicyImages(w.cloud(), *id, kWest);
  EXPECT_THAT(copies, SizeIs(2));
  for (const Image& c : copies) {
    ASSERT_THAT(c.snapshot_ids(), SizeIs(1));
    const std::optional<Snapshot> snapshot = w.cloud().GetSnapshot(c.snapshot_ids()[0]);
    ASSERT_TRUE(snapshot.has_value());
    EXPECT_THAT(*snapshot, ::ami::testing::EncryptedWith(w.key("west-key")));
    EXPECT_THAT(c, ::ami::testing::OwnedBy(*AccountId::Parse(kAccount)));
  }
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(5));
}

TEST(AutomationDlm, BACKUP_9_CopyRuleChecks) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  DlmSchedule s = Daily(5);
  DlmCrossRegionCopyRule copy;
  copy.target_region = kWest;
  copy.encrypted = true;
  copy.cmk_arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  s.cross_region_copy_rules = {copy};
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), Policy(w, s)).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  copy.cmk_arn.clear();
  copy.target_region = kEast;
  s.cross_region_copy_rules = {copy};
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), Policy(w, s)).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  copy.target_region = kWest;
  s.cross_region_copy_rules.assign(4, copy);
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), Policy(w, s)).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  s.cross_region_copy_rules.resize(1);
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), Policy(w, s)).status(), IsOk());
}

// The default role may create, retain and copy under the default key; under a customer managed
// key its copies fail (it has no KMS permission), and the failure is recorded.
TEST(AutomationDlm, BACKUP_9_TheDefaultRoleNeedsKmsPermissionForACmkCopy) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  const auto role = a.CreateDefaultLifecycleRole(Ctx(), "instance");
  ASSERT_THAT(role.status(), IsOk());
  EXPECT_THAT(*role, HasSubstr(":role/AWSDataLifecycleManagerDefaultRoleForAMIManagement"));
  EXPECT_THAT(a.CreateDefaultLifecycleRole(Ctx(), "volume").status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  DlmSchedule s = Daily(3);
  DlmCrossRegionCopyRule copy;
  copy.target_region = kWest;
  copy.encrypted = true;
  copy.cmk_arn = w.key("west-key").ToString();
  s.cross_region_copy_rules = {copy};
  LifecyclePolicyRequest r = Policy(w, s);
  r.execution_role_arn = *role;
  const auto id = a.CreateLifecyclePolicy(Ctx(), r);
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 2));
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(2));
  int copies = 0;
  for (const Image& c : PolicyImages(w.cloud(), *id, kWest)) {
    if (c.state() == ImageState::kAvailable) ++copies;
  }
  EXPECT_EQ(copies, 0);
  bool copy_failure_seen = false;
  for (const AutomationRecord& rec : a.History(Ctx())) {
    if (rec.action == "CopyImage" && rec.error_code != "OK") copy_failure_seen = true;
  }
  for (const AutomationRecord& rec : a.History(Ctx(kWest))) {
    if (rec.action == "CopyImage" && rec.error_code != "OK") copy_failure_seen = true;
  }
  const bool failed_later = [&] {
    for (const Image& c : w.cloud().ListImages()) {
      if (c.region() == *Region::Parse(kWest) && c.state() == ImageState::kFailed) return true;
    }
    return false;
  }();
  EXPECT_TRUE(copy_failure_seen || failed_later);
}

// ---- BACKUP-10: edge cases ----

TEST(AutomationDlm, BACKUP_10_RemovingTheTargetTagStopsManagingItsAmis) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(2)));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 2));
  ASSERT_THAT(PolicyImages(w.cloud(), *id), SizeIs(2));
  ASSERT_THAT(w.cloud().DeleteTags(Ctx(), {w.instance("i0").ToString()}, {"backup"}), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 5));
  // No new AMI, and the two it made are no longer managed: none is deregistered.
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(2));
}

TEST(AutomationDlm, BACKUP_10_TerminatedInstanceCountPolicyStopsManaging) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(3)));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 3));
  ASSERT_THAT(w.cloud().TerminateInstances(Ctx(), {w.instance("i0").ToString()}), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 10));
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(3));
}

TEST(AutomationDlm, BACKUP_10_TerminatedInstanceAgePolicyKeepsTheLastAmi) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  DlmSchedule s = Daily(0);
  s.retain_rule = DlmAgeOrCount{0, 2, "DAYS"};
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, s));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 3));
  ASSERT_THAT(w.cloud().TerminateInstances(Ctx(), {w.instance("i0").ToString()}), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 10));
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(1));
}

TEST(AutomationDlm, BACKUP_10_RefusedCallsPutThePolicyInErrorAndPauseCountRetention) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(1)));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24));
  ASSERT_THAT(PolicyImages(w.cloud(), *id), SizeIs(1));
  // The role loses ec2:CreateImage: the next firing fails, recorded, and nothing is deleted.
  LifecyclePolicyRequest denied = Policy(w, Daily(1));
  denied.execution_role_arn = w.principal("no-create");
  const auto id2 = a.CreateLifecyclePolicy(Ctx(), denied);
  ASSERT_THAT(id2.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24));
  const auto p = a.GetLifecyclePolicy(Ctx(), *id2);
  ASSERT_THAT(p.status(), IsOk());
  EXPECT_EQ(p->state, "ERROR");
  EXPECT_THAT(p->status_message, HasSubstr("CreateImage"));
  EXPECT_THAT(PolicyImages(w.cloud(), *id2), SizeIs(0));
  bool recorded = false;
  for (const AutomationRecord& r : a.History(Ctx())) {
    if (r.source == absl::StrCat("dlm:", *id2, "/daily") && r.error_code != "OK") recorded = true;
  }
  EXPECT_TRUE(recorded);
}

TEST(AutomationDlm, BACKUP_10_UnknownRoleNeverActs) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  LifecyclePolicyRequest r = Policy(w, Daily(3));
  r.execution_role_arn = absl::StrCat("arn:aws:iam::", kAccount, ":role/NotImported");
  const auto id = a.CreateLifecyclePolicy(Ctx(), r);
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 2));
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(0));
  EXPECT_EQ(a.GetLifecyclePolicy(Ctx(), *id)->state, "ERROR");
}

TEST(AutomationDlm, BACKUP_10_PoliciesTargetOnlyTheirRegion) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  const auto id = a.CreateLifecyclePolicy(Ctx(kWest), Policy(w, Daily(3)));
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(48));
  EXPECT_THAT(PolicyImages(w.cloud(), *id, kEast), SizeIs(0));
  EXPECT_THAT(PolicyImages(w.cloud(), *id, kWest), SizeIs(0));
}

TEST(AutomationDlm, BACKUP_10_DefaultPolicyBoundsAndRun) {
  World w = MakeWorld(2, 0);
  Automation a(w.cloud());
  LifecyclePolicyRequest r;
  r.description = "default AMI policy";
  r.execution_role_arn = w.principal("dlm-role");
  r.default_policy = "INSTANCE";
  r.schedules.clear();
  r.create_interval_days = 8;
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), r).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  r.create_interval_days = 2;
  r.retain_interval_days = 2;
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), r).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  r.retain_interval_days = 15;
  EXPECT_THAT(a.CreateLifecyclePolicy(Ctx(), r).status(),
              HasErrorCode(ErrorCode::kInvalidRequestException));
  r.create_interval_days = 1;
  r.retain_interval_days = 3;
  const auto id = a.CreateLifecyclePolicy(Ctx(), r);
  ASSERT_THAT(id.status(), IsOk());
  w.cloud().AdvanceClock(absl::Hours(24 * 10) + absl::Minutes(1));
  // Every instance of the Region, untagged included: one a day, kept three days.
  EXPECT_THAT(ImagesOf(PolicyImages(w.cloud(), *id), w.instance("i0")), SizeIs(3));
  EXPECT_THAT(ImagesOf(PolicyImages(w.cloud(), *id), w.instance("i1")), SizeIs(3));
}

// A simulated year of a daily policy with count retention 7: exactly seven AMIs and seven
// snapshots per instance at the end, the same on every run.
TEST(AutomationDlm, BACKUP_7_AYearOfADailyPolicyKeepsExactlySeven) {
  auto run = [] {
    World w = MakeWorld(0, 0);
    RunInstancesRequest launch;
    launch.image_id = w.image("base").ToString();
    launch.count = 40;
    launch.tags = {{"backup", "yes"}};
    EXPECT_THAT(w.cloud().RunInstances(Ctx(), launch).status(), IsOk());
    w.cloud().AdvanceClock(absl::Minutes(2));
    Automation a(w.cloud());
    const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(7)));
    EXPECT_THAT(id.status(), IsOk());
    const size_t snapshots_before = w.cloud().ListSnapshots().size();
    w.cloud().AdvanceClock(absl::Hours(24 * 365));
    EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(40 * 7));
    EXPECT_EQ(w.cloud().ListSnapshots().size(), snapshots_before + 40 * 7);
    std::vector<std::string> ids;
    for (const Image& i : PolicyImages(w.cloud(), *id)) ids.push_back(i.id().ToString());
    return ids;
  };
  EXPECT_EQ(run(), run());
}

TEST(AutomationDlm, AnIdleYearRunsNoFiring) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  LifecyclePolicyRequest r = Policy(w, Daily(7));
  r.state = "DISABLED";
  ASSERT_THAT(a.CreateLifecyclePolicy(Ctx(), r).status(), IsOk());
  const absl::Time start = w.cloud().Now();
  w.cloud().AdvanceClock(absl::Hours(24 * 365));
  EXPECT_EQ(w.cloud().Now(), start + absl::Hours(24 * 365));
  EXPECT_THAT(a.History(Ctx()), SizeIs(0));
}

// The audit names instances whose recent backups are all crash-consistent (the seed's point:
// a backup without a reboot has no file-system integrity), and not those backed up with one.
TEST(AutomationDlm, BACKUP_4_AuditFindsInstancesWithOnlyCrashConsistentBackups) {
  for (const bool reboot : {false, true}) {
    World w = MakeWorld(2, 1);
    Automation a(w.cloud());
    LifecyclePolicyRequest r = Policy(w, Daily(7));
    if (reboot) r.no_reboot = false;
    ASSERT_THAT(a.CreateLifecyclePolicy(Ctx(), r).status(), IsOk());
    w.cloud().AdvanceClock(absl::Hours(24 * 3));
    std::vector<std::string> flagged;
    for (const Finding& f : Audit(w.cloud())) {
      if (f.kind == FindingKind::kInstanceBackupsCrashConsistent) flagged.push_back(f.resource);
    }
    if (reboot) {
      EXPECT_THAT(flagged, SizeIs(0));
    } else {
      EXPECT_THAT(flagged, ::testing::ElementsAre(w.instance("i0").ToString()));
    }
  }
}

// ---- The API: state, deletion, forks, determinism ----

TEST(AutomationDlm, DisabledPoliciesDoNotFireAndDeletedPoliciesLeaveTheirAmis) {
  World w = MakeWorld(1, 1);
  Automation a(w.cloud());
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(2)));
  ASSERT_THAT(id.status(), IsOk());
  ASSERT_THAT(a.UpdateLifecyclePolicyState(Ctx(), *id, "DISABLED"), IsOk());
  w.cloud().AdvanceClock(absl::Hours(48));
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(0));
  ASSERT_THAT(a.UpdateLifecyclePolicyState(Ctx(), *id, "ENABLED"), IsOk());
  w.cloud().AdvanceClock(absl::Hours(48));
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(2));
  ASSERT_THAT(a.DeleteLifecyclePolicy(Ctx(), *id), IsOk());
  w.cloud().AdvanceClock(absl::Hours(48));
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(2));
  EXPECT_THAT(a.DeleteLifecyclePolicy(Ctx(), *id),
              HasErrorCode(ErrorCode::kResourceNotFoundException));
  EXPECT_THAT(a.GetLifecyclePolicy(Ctx(kWest), "policy-0123456789abcdef0").status(),
              HasErrorCode(ErrorCode::kResourceNotFoundException));
}

TEST(AutomationDlm, ForksRunIndependentlyAndRunsAreDeterministic) {
  World w = MakeWorld(2, 2);
  Automation a(w.cloud());
  const auto id = a.CreateLifecyclePolicy(Ctx(), Policy(w, Daily(3)));
  ASSERT_THAT(id.status(), IsOk());
  std::unique_ptr<Cloud> fork = w.cloud().Fork();
  EXPECT_TRUE(fork->StateEquals(w.cloud()));
  fork->AdvanceClock(absl::Hours(24 * 4));
  EXPECT_THAT(PolicyImages(w.cloud(), *id), SizeIs(0));
  EXPECT_THAT(PolicyImages(*fork, *id), SizeIs(6));
  EXPECT_FALSE(fork->StateEquals(w.cloud()));
  w.cloud().AdvanceClock(absl::Hours(24 * 4));
  EXPECT_TRUE(fork->StateEquals(w.cloud()));
}

// IAM-7: under a role whose policies answer by the action alone, a supplied condition value that
// disagrees with what the cloud holds still denies (inputs that disagree never allow).
TEST(AutomationDlm, IAM_7_ASuppliedValueThatDisagreesDeniesUnderAnActionOnlyRole) {
  World w = MakeWorld(1, 1);
  CreateImageRequest req;
  req.instance_id = w.instance("i0").ToString();
  req.name = "checked";
  req.no_reboot = true;
  CallContext ctx = Ctx();
  ctx.principal = w.principal("dlm-role");
  ctx.context = {{"aws:PrincipalAccount", "999999999999"}};
  EXPECT_NO_CHANGE(w.cloud(), {
    EXPECT_THAT(w.cloud().CreateImage(ctx, req).status(),
                HasErrorCode(ErrorCode::kInvalidParameterCombination));
  });
  ctx.context.clear();
  EXPECT_THAT(w.cloud().CreateImage(ctx, req).status(), IsOk());
}

}  // namespace
}  // namespace ami
