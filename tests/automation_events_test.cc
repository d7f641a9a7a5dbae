// EventBridge scheduled rules and EventBridge Scheduler schedules (BACKUP-4): definitions checked
// and refused with the service's codes, firings on the cloud's clock, and what their CreateImage,
// CopyImage and deregister actions do as the schedule's role.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/automation/automation.h"
#include "ami/testing/matchers.h"
#include "ami/testing/world.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::World;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using Kind = AutomationAction::Kind;

constexpr char kOwner[] = "111122223333";
constexpr char kEast[] = "us-east-1";
constexpr char kWest[] = "us-west-2";
constexpr char kEc2Only[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]})";
constexpr char kNoCreateImage[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},
       {"Effect":"Deny","Action":"ec2:CreateImage","Resource":"*"}]})";

CallContext Ctx(const char* region = kEast) {
  CallContext ctx;
  ctx.account = *AccountId::Parse(kOwner);
  ctx.region = *Region::Parse(region);
  return ctx;
}

absl::Time At(const char* text) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &t, &err)) << err;
  return t;
}

// A CreateImage action over the instances tagged backup=nightly.
AutomationAction Nightly(bool no_reboot = false) {
  AutomationAction a;
  a.kind = Kind::kCreateImage;
  a.instance_tags = {{"backup", "nightly"}};
  a.no_reboot = no_reboot;
  a.name_prefix = "nightly-";
  a.tags_to_add = {{"made-by", "events"}};
  return a;
}

EventScheduleRequest Schedule(const std::string& name, const std::string& expression,
                              std::vector<AutomationAction> actions, const std::string& tz = "") {
  EventScheduleRequest r;
  r.name = name;
  r.schedule_expression = expression;
  r.timezone = tz;
  r.actions = std::move(actions);
  return r;
}

// An account with three running instances in us-east-1: `web` and `db` tagged backup=nightly,
// `scratch` untagged.
class EventsTest : public ::testing::Test {
 protected:
  explicit EventsTest(Cloud::Options options = {}) : w_(options) {
    w_.Account(kOwner)
        .Image("base", kOwner, kEast)
        .Instance("web", kOwner, kEast, "base")
        .Instance("db", kOwner, kEast, "base")
        .Instance("scratch", kOwner, kEast, "base");
    for (const char* label : {"web", "db"}) {
      EXPECT_THAT(w_.cloud().CreateTags(Ctx(), {w_.instance(label).ToString()},
                                        {{"backup", "nightly"}}),
                  IsOk());
    }
    w_.cloud().AdvanceClock(absl::Minutes(1));
  }

  void SetUp() override { ASSERT_THAT(w_.status(), IsOk()); }

  // The calls recorded for `action`, oldest first.
  std::vector<AutomationRecord> Calls(const std::string& action, Cloud* cloud = nullptr) {
    std::vector<AutomationRecord> out;
    for (const AutomationRecord& r : Automation(cloud ? *cloud : w_.cloud()).History(Ctx())) {
      if (r.action == action) out.push_back(r);
    }
    return out;
  }

  // How many images the account holds in `region` (DescribeImages, owner self).
  size_t OwnImages(const char* region = kEast) {
    DescribeImagesRequest request;
    request.owners = {"self"};
    absl::StatusOr<DescribeImagesResult> result = w_.cloud().DescribeImages(Ctx(region), request);
    EXPECT_THAT(result.status(), IsOk());
    return result.ok() ? result->images.size() : 0;
  }

  // The images made for each instance, by the records of successful CreateImage calls.
  std::map<std::string, std::vector<Image>> ImagesByInstance() {
    std::map<std::string, std::vector<Image>> out;
    for (const AutomationRecord& r : Calls("CreateImage")) {
      if (r.error_code != "OK") continue;
      std::optional<Image> image = w_.cloud().GetImage(*ImageId::Parse(r.result));
      if (image.has_value()) out[r.resource].push_back(*image);
    }
    return out;
  }

  World w_;
  Automation events_{w_.cloud()};
};

// ---- Firing: the seed's strategy (BACKUP-4, CREATE-4) ----

TEST_F(EventsTest, BACKUP_4_NightlyCronWithRebootMakesFileSystemConsistentAmis) {
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("nightly", "cron(0 3 * * ? *)", {Nightly()})),
              IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24 * 7));

  const auto images = ImagesByInstance();
  ASSERT_THAT(images, SizeIs(2));
  for (const char* label : {"web", "db"}) {
    const std::vector<Image>& made = images.at(w_.instance(label).ToString());
    ASSERT_THAT(made, SizeIs(7)) << label;
    for (const Image& image : made) {
      EXPECT_EQ(image.consistency(), ImageConsistency::kFileSystemConsistent);
      EXPECT_EQ(image.tags().Find("made-by"), "events");
      EXPECT_THAT(image.name(), HasSubstr("T03-00-00Z-" + w_.instance(label).ToString()));
    }
    EXPECT_EQ(made.front().name(),
              "nightly-2026-01-01T03-00-00Z-" + w_.instance(label).ToString());
  }
  EXPECT_EQ(images.count(w_.instance("scratch").ToString()), 0u);
  for (const AutomationRecord& r : Calls("CreateImage")) {
    EXPECT_EQ(r.source, "events:nightly");
    EXPECT_EQ(absl::FormatTime("%H:%M:%S", r.time, absl::UTCTimeZone()), "03:00:00");
  }
}

TEST_F(EventsTest, BACKUP_4_NoRebootMakesCrashConsistentAmis) {
  ASSERT_THAT(
      events_.PutSchedule(Ctx(), Schedule("fast", "cron(0 3 * * ? *)", {Nightly(/*no_reboot=*/true)})),
      IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24 * 2));
  const auto images = ImagesByInstance();
  ASSERT_THAT(images, SizeIs(2));
  for (const auto& [instance, made] : images) {
    ASSERT_THAT(made, SizeIs(2));
    for (const Image& image : made) {
      EXPECT_EQ(image.consistency(), ImageConsistency::kCrashConsistent) << instance;
    }
  }
}

TEST_F(EventsTest, BACKUP_4_NamedInstancesAreImagedAndAMissingOneIsRecordedAsFailed) {
  AutomationAction a;
  a.kind = Kind::kCreateImage;
  a.instance_ids = {w_.instance("scratch").ToString(), "i-0123456789abcdef0"};
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("named", "rate(1 day)", {a})), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24));
  const auto calls = Calls("CreateImage");
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_EQ(calls[0].resource, "i-0123456789abcdef0");
  EXPECT_EQ(calls[0].error_code, "InvalidInstanceID.NotFound");
  EXPECT_THAT(calls[0].result, IsEmpty());
  EXPECT_EQ(calls[1].resource, w_.instance("scratch").ToString());
  EXPECT_EQ(calls[1].error_code, "OK");
}

TEST_F(EventsTest, BACKUP_4_RateCountsFromTheScheduleCreation) {
  w_.cloud().AdvanceClock(absl::Minutes(16));  // 00:17
  const absl::Time anchor = w_.cloud().Now();
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("twice-daily", "rate(12 hours)", {Nightly()})),
              IsOk());
  w_.cloud().AdvanceClock(absl::Hours(36));
  std::vector<absl::Time> times;
  for (const AutomationRecord& r : Calls("CreateImage")) {
    if (r.resource == w_.instance("web").ToString()) times.push_back(r.time);
  }
  EXPECT_THAT(times, ElementsAre(anchor + absl::Hours(12), anchor + absl::Hours(24),
                                 anchor + absl::Hours(36)));
}

class EventsDstTest : public EventsTest {
 protected:
  static Cloud::Options March() {
    Cloud::Options o;
    o.start_time = absl::FromUnixSeconds(1772755200);  // 2026-03-06T00:00:00Z
    return o;
  }
  EventsDstTest() : EventsTest(March()) {}
};

TEST_F(EventsDstTest, BACKUP_4_SchedulerScheduleFiresAtThreeLocalAcrossDaylightSaving) {
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("ny", "cron(0 3 * * ? *)", {Nightly()},
                                                  "America/New_York")),
              IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24 * 4));
  std::vector<absl::Time> times;
  for (const AutomationRecord& r : Calls("CreateImage")) {
    if (r.resource == w_.instance("web").ToString()) times.push_back(r.time);
  }
  // EST (UTC-5) until Sunday 8 March 2026 at 02:00, EDT (UTC-4) after.
  EXPECT_THAT(times, ElementsAre(At("2026-03-06T08:00:00Z"), At("2026-03-07T08:00:00Z"),
                                 At("2026-03-08T07:00:00Z"), At("2026-03-09T07:00:00Z")));
}

TEST_F(EventsTest, BACKUP_4_AtFiresOnce) {
  ASSERT_THAT(events_.PutSchedule(
                  Ctx(), Schedule("once", "at(2026-01-02T10:00:00)", {Nightly()}, "UTC")),
              IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24 * 5));
  const auto calls = Calls("CreateImage");
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_THAT(calls, Each(Field(&AutomationRecord::time, At("2026-01-02T10:00:00Z"))));
  EXPECT_THAT(events_.ListSchedules(Ctx()), SizeIs(1));
}

TEST_F(EventsTest, BACKUP_4_DisabledScheduleNeverFiresUntilEnabled) {
  EventScheduleRequest r = Schedule("off", "rate(1 hour)", {Nightly()});
  r.state = "DISABLED";
  ASSERT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24 * 3));
  EXPECT_THAT(Calls("CreateImage"), IsEmpty());
  r.state = "ENABLED";
  ASSERT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(1));
  EXPECT_THAT(Calls("CreateImage"), SizeIs(2));
  r.state = "DISABLED";
  ASSERT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(5));
  EXPECT_THAT(Calls("CreateImage"), SizeIs(2));
}

TEST_F(EventsTest, BACKUP_4_DeletedScheduleFiresNoMore) {
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("gone", "rate(1 hour)", {Nightly()})), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(1));
  ASSERT_THAT(events_.DeleteSchedule(Ctx(), "gone"), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(5));
  EXPECT_THAT(Calls("CreateImage"), SizeIs(2));
  EXPECT_THAT(events_.ListSchedules(Ctx()), IsEmpty());
  EXPECT_THAT(events_.DeleteSchedule(Ctx(), "gone"),
              HasErrorCode(ErrorCode::kResourceNotFoundException));
  EXPECT_THAT(events_.DeleteSchedule(Ctx(), "bad/name"),
              HasErrorCode(ErrorCode::kValidationException));
}

TEST_F(EventsTest, BACKUP_4_DeregisterOlderThanKeepsTheNewestAmis) {
  AutomationAction retire;
  retire.kind = Kind::kDeregisterOlderThan;
  retire.image_tags = {{"made-by", "events"}};
  retire.older_than_days = 3;
  ASSERT_THAT(events_.PutSchedule(
                  Ctx(), Schedule("rotate", "cron(0 3 * * ? *)", {Nightly(), retire})),
              IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24 * 7));
  // Made on 1 … 7 January at 03:00; at the 7th's firing those of the 1st … 3rd are older than
  // three days, the 4th's exactly three days old: 4 … 7 stay.
  for (const char* label : {"web", "db"}) {
    std::vector<std::string> kept;
    for (const AutomationRecord& r : Calls("CreateImage")) {
      if (r.resource != w_.instance(label).ToString()) continue;
      std::optional<Image> image = w_.cloud().GetImage(*ImageId::Parse(r.result));
      if (image.has_value() && image->state() == ImageState::kAvailable) {
        kept.push_back(absl::FormatTime("%d", r.time, absl::UTCTimeZone()));
      }
    }
    EXPECT_THAT(kept, ElementsAre("04", "05", "06", "07")) << label;
  }
  const auto deregistered = Calls("DeregisterImage");
  ASSERT_THAT(deregistered, SizeIs(6));
  for (const AutomationRecord& r : deregistered) {
    EXPECT_EQ(r.error_code, "OK");
    EXPECT_THAT(r.message, HasSubstr("success"));  // Its snapshot went with it.
  }
  EXPECT_TRUE(w_.cloud().GetImage(w_.image("base")).has_value());  // Not tagged: kept.
}

// ---- CopyImage actions ----

class EventsCopyTest : public EventsTest {
 protected:
  EventsCopyTest() {
    w_.Image("source", kOwner, kWest, {.tags = {{"copy", "yes"}}})
        .Image("other", kOwner, kWest)
        .Key("cmk", kOwner, kEast)
        .Role("copier", kOwner, kEc2Only);
  }
  AutomationAction CopyAction() {
    AutomationAction a;
    a.kind = Kind::kCopyImage;
    a.source_region = kWest;
    a.image_tags = {{"copy", "yes"}};
    a.name_prefix = "dr-";
    a.tags_to_add = {{"copied-by", "events"}};
    return a;
  }
};

TEST_F(EventsCopyTest, BACKUP_4_CopiesEachTaggedImageOnce) {
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("dr", "rate(1 day)", {CopyAction()})), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24 * 3));
  const auto calls = Calls("CopyImage");
  ASSERT_THAT(calls, SizeIs(1));
  EXPECT_EQ(calls[0].resource, w_.image("source").ToString());
  EXPECT_EQ(calls[0].error_code, "OK");
  std::optional<Image> copy = w_.cloud().GetImage(*ImageId::Parse(calls[0].result));
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(copy->region(), *Region::Parse(kEast));
  EXPECT_EQ(copy->state(), ImageState::kAvailable);
}

TEST_F(EventsCopyTest, BACKUP_4_CopyWithAKeyTheRoleCannotUseRecordsAFailure) {
  EventScheduleRequest r = Schedule("dr", "rate(1 day)", {CopyAction()});
  r.actions[0].encrypted = true;
  r.actions[0].kms_key_id = w_.key("cmk").ToString();
  r.role_arn = w_.principal("copier");
  ASSERT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24 * 2));
  const auto calls = Calls("CopyImage");
  ASSERT_THAT(calls, SizeIs(2));  // Not remembered as copied: each firing tries and fails.
  for (const AutomationRecord& r : calls) {
    EXPECT_NE(r.error_code, "OK");
    if (!r.result.empty()) {
      std::optional<Image> copy = w_.cloud().GetImage(*ImageId::Parse(r.result));
      ASSERT_TRUE(copy.has_value());
      EXPECT_NE(copy->state(), ImageState::kAvailable);
    }
  }
}

// ---- IAM: the role the schedule acts as ----

TEST_F(EventsTest, BACKUP_4_RoleThatMayNotCreateImagesRecordsFailuresAndChangesNothing) {
  w_.Role("no-create", kOwner, kNoCreateImage);
  ASSERT_THAT(w_.status(), IsOk());
  EventScheduleRequest r = Schedule("denied", "cron(0 3 * * ? *)", {Nightly()});
  r.role_arn = w_.principal("no-create");
  ASSERT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  const size_t before = OwnImages();
  w_.cloud().AdvanceClock(absl::Hours(24 * 2));
  const auto calls = Calls("CreateImage");
  ASSERT_THAT(calls, SizeIs(4));
  for (const AutomationRecord& c : calls) {
    EXPECT_EQ(c.error_code, "UnauthorizedOperation");
    EXPECT_THAT(c.result, IsEmpty());
  }
  EXPECT_EQ(OwnImages(), before);
}

TEST_F(EventsTest, BACKUP_4_RoleTheCloudDoesNotHoldIsDenied) {
  EventScheduleRequest r = Schedule("ghost", "rate(1 day)", {Nightly()});
  r.role_arn = "arn:aws:iam::111122223333:role/missing";
  ASSERT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24));
  const auto calls = Calls("CreateImage");
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_THAT(calls, Each(Field(&AutomationRecord::error_code, "UnauthorizedOperation")));
}

// ---- Fork and determinism ----

TEST_F(EventsTest, BACKUP_4_ForkRunsItsOwnSchedules) {
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("nightly", "cron(0 3 * * ? *)", {Nightly()})),
              IsOk());
  std::unique_ptr<Cloud> fork = w_.cloud().Fork();
  Automation forked(*fork);
  ASSERT_THAT(forked.DeleteSchedule(Ctx(), "nightly"), IsOk());
  fork->AdvanceClock(absl::Hours(24));
  w_.cloud().AdvanceClock(absl::Hours(48));
  EXPECT_THAT(Calls("CreateImage", fork.get()), IsEmpty());
  EXPECT_THAT(Calls("CreateImage"), SizeIs(4));
  EXPECT_THAT(events_.ListSchedules(Ctx()), SizeIs(1));
}

TEST(EventsDeterminism, BACKUP_4_TwoRunsMakeTheSameIds) {
  auto run = [] {
    World w;
    w.Account(kOwner).Image("base", kOwner, kEast).Instance("web", kOwner, kEast, "base");
    EXPECT_THAT(w.status(), IsOk());
    EXPECT_THAT(w.cloud().CreateTags(Ctx(), {w.instance("web").ToString()},
                                     {{"backup", "nightly"}}),
                IsOk());
    Automation a(w.cloud());
    EXPECT_THAT(a.PutSchedule(Ctx(), Schedule("nightly", "rate(6 hours)", {Nightly()})), IsOk());
    w.cloud().AdvanceClock(absl::Hours(48));
    return a.History(Ctx());
  };
  const std::vector<AutomationRecord> first = run();
  EXPECT_THAT(first, SizeIs(8));
  EXPECT_EQ(first, run());
}

}  // namespace
}  // namespace ami
