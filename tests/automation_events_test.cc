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
#include "ami/v1/automation_events.pb.h"
#include "automation/events_state.h"
#include "cloud/state.h"
#include "io/automation_proto.h"
#include "policy/automation_events.h"
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

  // How many available images the account holds in `region` (DescribeImages, owner self).
  size_t OwnImages(const char* region = kEast) {
    DescribeImagesRequest request;
    request.owners = {"self"};
    absl::StatusOr<DescribeImagesResult> result = w_.cloud().DescribeImages(Ctx(region), request);
    EXPECT_THAT(result.status(), IsOk());
    size_t n = 0;
    if (result.ok()) {
      for (const DescribedImage& d : result->images) n += d.image.state() == ImageState::kAvailable;
    }
    return n;
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
  ASSERT_THAT(events_.PutSchedule(
                  Ctx(), Schedule("fast", "cron(0 3 * * ? *)", {Nightly(/*no_reboot=*/true)})),
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
  w_.cloud().AdvanceClock(absl::Hours(24 * 2 + 1));
  const auto calls = Calls("CopyImage");
  ASSERT_THAT(calls, SizeIs(2));  // Not remembered as copied: each firing tries and fails.
  for (const AutomationRecord& r : calls) {
    // EC2 accepts the call and the copy fails later (KMS-11): the record says so at once.
    EXPECT_EQ(r.error_code, "Client.CustomerKeyHasBeenRevoked");
    EXPECT_THAT(r.message, HasSubstr("fails later"));
    std::optional<Image> copy = w_.cloud().GetImage(*ImageId::Parse(r.result));
    ASSERT_TRUE(copy.has_value());
    EXPECT_EQ(copy->state(), ImageState::kFailed);
  }
  EXPECT_EQ(OwnImages(), 1u);  // Nothing usable was copied: `base` alone is available.
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

// ---- Definitions: PutSchedule's checks and bounds ----

struct Refusal {
  const char* what;
  EventScheduleRequest request;
  ErrorCode code;
};

std::vector<Refusal> Refusals() {
  std::vector<Refusal> out;
  const auto with = [&](const char* what, ErrorCode code, auto change) {
    EventScheduleRequest r = Schedule("ok", "cron(0 3 * * ? *)", {Nightly()});
    change(r);
    out.push_back({what, r, code});
  };
  const auto action = [&](const char* what, auto change) {
    with(what, ErrorCode::kValidationException,
         [&](EventScheduleRequest& r) { change(r.actions[0]); });
  };
  const ErrorCode v = ErrorCode::kValidationException;
  with("empty name", v, [](auto& r) { r.name = ""; });
  with("65-character name", v, [](auto& r) { r.name = std::string(65, 'a'); });
  with("name with a slash", v, [](auto& r) { r.name = "a/b"; });
  with("bad cron", v, [](auto& r) { r.schedule_expression = "cron(0 3 * * * *)"; });
  with("bad rate", v, [](auto& r) { r.schedule_expression = "rate(0 hours)"; });
  with("unknown zone", v, [](auto& r) { r.timezone = "Mars/Olympus"; });
  with("at() on a rule", v, [](auto& r) { r.schedule_expression = "at(2026-02-01T00:00:00)"; });
  with("state word", v, [](auto& r) { r.state = "enabled"; });
  with("role form", v, [](auto& r) { r.role_arn = "arn:aws:iam::111122223333:user/bob"; });
  with("no action", v, [](auto& r) { r.actions.clear(); });
  with("six actions", ErrorCode::kLimitExceededException,
       [](auto& r) { r.actions.assign(6, Nightly()); });
  action("no instance selector", [](auto& a) { a.instance_tags.clear(); });
  action("malformed instance id", [](auto& a) { a.instance_ids = {"i-xyz"}; });
  action("51 instances", [](auto& a) { a.instance_ids.assign(51, "i-0123456789abcdef0"); });
  action("51 tags", [](auto& a) {
    for (int i = 0; i < 51; ++i) a.instance_tags.push_back({absl::StrCat("k", i), "v"});
  });
  action("aws: tag added", [](auto& a) { a.tags_to_add = {{"aws:x", "y"}}; });
  action("87-character prefix", [](auto& a) { a.name_prefix = std::string(87, 'p'); });
  action("prefix character", [](auto& a) { a.name_prefix = "bad*"; });
  action("stray older_than_days", [](auto& a) { a.older_than_days = 3; });
  action("copy without source region", [](auto& a) {
    a = AutomationAction{};
    a.kind = Kind::kCopyImage;
    a.image_tags = {{"copy", "yes"}};
  });
  action("copy key without encrypted", [](auto& a) {
    a = AutomationAction{};
    a.kind = Kind::kCopyImage;
    a.image_tags = {{"copy", "yes"}};
    a.source_region = kWest;
    a.kms_key_id = "alias/dr";
  });
  action("copy key form", [](auto& a) {
    a = AutomationAction{};
    a.kind = Kind::kCopyImage;
    a.image_tags = {{"copy", "yes"}};
    a.source_region = kWest;
    a.encrypted = true;
    a.kms_key_id = "not a key";
  });
  for (const int days : {0, 36526}) {
    action("older_than_days bound", [days](auto& a) {
      a = AutomationAction{};
      a.kind = Kind::kDeregisterOlderThan;
      a.image_tags = {{"made-by", "events"}};
      a.older_than_days = days;
    });
  }
  action("deregister without image tags", [](auto& a) {
    a = AutomationAction{};
    a.kind = Kind::kDeregisterOlderThan;
    a.older_than_days = 3;
  });
  return out;
}

TEST_F(EventsTest, BACKUP_4_RefusedPutScheduleChangesNothing) {
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("ok", "rate(1 hour)", {Nightly()})), IsOk());
  const std::vector<EventScheduleRequest> before = events_.ListSchedules(Ctx());
  for (const Refusal& r : Refusals()) {
    EXPECT_THAT(events_.PutSchedule(Ctx(), r.request), HasErrorCode(r.code)) << r.what;
  }
  EXPECT_EQ(events_.ListSchedules(Ctx()), before);
  w_.cloud().AdvanceClock(absl::Hours(1));
  EXPECT_THAT(Calls("CreateImage"), SizeIs(2));  // The schedule "ok" still fires hourly.
}

TEST_F(EventsTest, BACKUP_4_BoundsAcceptTheirLimit) {
  EventScheduleRequest r = Schedule(std::string(64, 'n'), "rate(1 day)", {Nightly()});
  r.actions.assign(5, Nightly());
  r.actions[0].name_prefix = std::string(86, 'p');
  r.actions[1].tags_to_add.clear();
  for (int i = 0; i < 50; ++i) r.actions[1].tags_to_add.push_back({absl::StrCat("k", i), "v"});
  r.timezone = "UTC";
  r.schedule_expression = "at(2026-02-01T00:00:00)";
  EXPECT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  AutomationAction retire;
  retire.kind = Kind::kDeregisterOlderThan;
  retire.image_tags = {{"made-by", "events"}};
  retire.older_than_days = 36525;
  EXPECT_THAT(events_.PutSchedule(Ctx(), Schedule("retire", "rate(1 day)", {retire})), IsOk());
}

TEST_F(EventsTest, BACKUP_4_NamedInstancesAndRoleArnBounds) {
  EventScheduleRequest r = Schedule("named", "rate(1 day)", {Nightly()});
  r.actions[0].instance_ids.assign(50, "i-0123456789abcdef0");
  const std::string role = "arn:aws:iam::111122223333:role/";
  r.role_arn = role + std::string(1600 - role.size(), 'r');
  EXPECT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  r.role_arn += "r";
  EXPECT_THAT(events_.PutSchedule(Ctx(), r), HasErrorCode(ErrorCode::kValidationException));
}

TEST(EventsPolicy, BACKUP_4_ReasonsNameTheirRule) {
  EventScheduleRequest r = Schedule("once", "at(2026-02-01T00:00:00)", {Nightly()});
  policy::PutScheduleQuestion q{*AccountId::Parse(kOwner), *Region::Parse(kEast), &r};
  Decision d = policy::EvaluatePutSchedule(q);
  ASSERT_FALSE(d.allowed());
  EXPECT_EQ(d.reasons()[0].rule(), "MC-90");
  EXPECT_EQ(d.reasons()[0].Message(),
            "schedule `once` uses at(), which only an EventBridge Scheduler schedule takes: give "
            "it a time zone (`UTC` for UTC)");
  r.timezone = "UTC";
  d = policy::EvaluatePutSchedule(q);
  EXPECT_TRUE(d.allowed());
  r.name = "bad name";
  d = policy::EvaluatePutSchedule(q);
  ASSERT_FALSE(d.allowed());
  EXPECT_EQ(d.reasons()[0].rule(), "BACKUP-4");
  EXPECT_EQ(d.reasons()[0].code(), ErrorCode::kValidationException);
  r.name = "ok";
  r.schedule_expression = "rate(0 days)";
  EXPECT_THAT(policy::EvaluatePutSchedule(q).ToStatus().message(),
              HasSubstr("the schedule expression of `ok` is invalid: rate expression"));
  q.schedules_in_region = 300;
  r.schedule_expression = "rate(1 day)";
  EXPECT_EQ(policy::EvaluatePutSchedule(q).reasons()[0].code(), ErrorCode::kLimitExceededException);
  q.replaces = true;
  EXPECT_TRUE(policy::EvaluatePutSchedule(q).allowed());
}

TEST_F(EventsTest, BACKUP_4_ThreeHundredSchedulesPerRegion) {
  for (int i = 2; i < 300; ++i) {
    ASSERT_THAT(
        events_.PutSchedule(Ctx(), Schedule(absl::StrCat("s", i), "rate(1 day)", {Nightly()})),
        IsOk());
  }
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("s0", "rate(1 day)", {Nightly()})), IsOk());
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("s1", "rate(1 day)", {Nightly()})), IsOk());
  EXPECT_THAT(events_.PutSchedule(Ctx(), Schedule("s300", "rate(1 day)", {Nightly()})),
              HasErrorCode(ErrorCode::kLimitExceededException));
  // Replacing one does not count; another Region has its own 300.
  EXPECT_THAT(events_.PutSchedule(Ctx(), Schedule("s0", "rate(2 days)", {Nightly()})), IsOk());
  EXPECT_THAT(events_.PutSchedule(Ctx(kWest), Schedule("s300", "rate(1 day)", {Nightly()})),
              IsOk());
  EXPECT_THAT(events_.ListSchedules(Ctx()), SizeIs(300));
}

TEST_F(EventsTest, BACKUP_4_PutReplacesAndListsByName) {
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("b", "rate(1 day)", {Nightly()})), IsOk());
  ASSERT_THAT(events_.PutSchedule(Ctx(), Schedule("a", "rate(1 day)", {Nightly()})), IsOk());
  const EventScheduleRequest replaced = Schedule("b", "rate(2 days)", {Nightly(true)});
  ASSERT_THAT(events_.PutSchedule(Ctx(), replaced), IsOk());
  const auto listed = events_.ListSchedules(Ctx());
  ASSERT_THAT(listed, SizeIs(2));
  EXPECT_EQ(listed[0].name, "a");
  EXPECT_EQ(listed[1], replaced);
  EXPECT_THAT(events_.ListSchedules(Ctx(kWest)), IsEmpty());
}

TEST_F(EventsTest, BACKUP_4_DryRunPutsNothing) {
  CallContext ctx = Ctx();
  ctx.dry_run = true;
  EXPECT_THAT(events_.PutSchedule(ctx, Schedule("dry", "rate(1 day)", {Nightly()})),
              HasErrorCode(ErrorCode::kDryRunOperation));
  EXPECT_THAT(events_.ListSchedules(Ctx()), IsEmpty());
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

// ---- The state-file record ----

internal::EventsState EventsOf(const Cloud& cloud) {
  internal::CloudState& s = internal::CloudAccess::State(cloud);
  internal::ReaderLock lock(s.mu);
  return s.automation().events;
}

TEST_F(EventsCopyTest, BACKUP_4_RecordRoundTrips) {
  EventScheduleRequest r = Schedule("dr", "rate(1 day)", {CopyAction(), Nightly(true)});
  r.actions[0].encrypted = true;
  ASSERT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  EventScheduleRequest ny = Schedule("ny", "cron(0/30 1-5 ? * MON-FRI *)", {Nightly()},
                                     "America/New_York");
  ny.state = "DISABLED";
  ny.role_arn = w_.principal("copier");
  ASSERT_THAT(events_.PutSchedule(Ctx(kWest), ny), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24) + absl::Nanoseconds(5));
  const internal::EventsState state = EventsOf(w_.cloud());
  ASSERT_THAT(state.schedules, SizeIs(2));
  ASSERT_THAT(state.schedules.begin()->second.copies, SizeIs(1));

  v1::EventsStateRecord record;
  internal::EventsToProto(state, &record);
  internal::EventsState back;
  ASSERT_THAT(internal::EventsFromProto(record, &back), IsOk());
  EXPECT_EQ(back, state);
  v1::EventsStateRecord again;
  internal::EventsToProto(back, &again);
  EXPECT_EQ(again.SerializeAsString(), record.SerializeAsString());
}

TEST_F(EventsCopyTest, BACKUP_4_HostileRecordsAreRefused) {
  EventScheduleRequest r = Schedule("dr", "rate(1 day)", {CopyAction(), Nightly()});
  ASSERT_THAT(events_.PutSchedule(Ctx(), r), IsOk());
  w_.cloud().AdvanceClock(absl::Hours(24));
  v1::EventsStateRecord good;
  internal::EventsToProto(EventsOf(w_.cloud()), &good);
  ASSERT_EQ(good.schedules(0).copies_size(), 1);

  struct Case {
    const char* what;
    ErrorCode code;
    void (*change)(v1::EventScheduleRecord*);
  };
  const ErrorCode bad = ErrorCode::kInvalidParameterValue;
  const Case cases[] = {
      {"account", ErrorCode::kInvalidUserIDMalformed, [](auto* p) { p->set_account("12"); }},
      {"region", ErrorCode::kInvalidRegion, [](auto* p) { p->set_region("mars-1"); }},
      {"name", ErrorCode::kValidationException, [](auto* p) { p->set_name("a/b"); }},
      {"expression", ErrorCode::kValidationException,
       [](auto* p) { p->set_schedule_expression("rate(x)"); }},
      {"kind", bad, [](auto* p) { p->mutable_actions(0)->set_kind("LAUNCH"); }},
      {"six actions", ErrorCode::kLimitExceededException,
       [](auto* p) {
         for (int i = 0; i < 4; ++i) *p->add_actions() = p->actions(1);
       }},
      {"anchor", bad, [](auto* p) { p->set_anchor_seconds(-1); }},
      {"anchor nanos", bad, [](auto* p) { p->set_anchor_nanos(1000000000); }},
      {"copy of a create action", bad, [](auto* p) { p->mutable_copies(0)->set_action_index(1); }},
      {"copy index", bad, [](auto* p) { p->mutable_copies(0)->set_action_index(-3); }},
      {"copy id", ErrorCode::kInvalidAMIIDMalformed,
       [](auto* p) { p->mutable_copies(0)->set_copy_image_id("ami-x"); }},
      {"copy listed twice", bad, [](auto* p) { *p->add_copies() = p->copies(0); }},
  };
  for (const Case& c : cases) {
    v1::EventsStateRecord hostile = good;
    c.change(hostile.mutable_schedules(0));
    internal::EventsState out;
    EXPECT_THAT(internal::EventsFromProto(hostile, &out), HasErrorCode(c.code)) << c.what;
    EXPECT_THAT(out.schedules, IsEmpty()) << c.what;
  }

  v1::EventsStateRecord twice = good;
  *twice.add_schedules() = good.schedules(0);
  internal::EventsState out;
  EXPECT_THAT(internal::EventsFromProto(twice, &out), HasErrorCode(bad));
  v1::EventsStateRecord crowded;
  for (int i = 0; i < 301; ++i) {
    v1::EventScheduleRecord* p = crowded.add_schedules();
    *p = good.schedules(0);
    p->clear_copies();
    p->set_name(absl::StrCat("s", i));
  }
  EXPECT_THAT(internal::EventsFromProto(crowded, &out),
              HasErrorCode(ErrorCode::kLimitExceededException));
  v1::EventsStateRecord huge;
  for (int i = 0; i < 100001; ++i) huge.add_schedules();
  EXPECT_THAT(internal::EventsFromProto(huge, &out),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
}

}  // namespace
}  // namespace ami
