// The reboot CreateImage makes (CREATE-4, MC-84): without NoReboot a running instance is rebooted
// once, which its reboot count and last reboot time show; NoReboot, a stopped or stopping instance,
// a refused call and a DryRun count none. The count survives a state file and the JSON form.
#include <cstdint>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/io/proto.h"
#include "ami/io/state_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::HasState;
using ::ami::testing::IsOk;
using ::ami::testing::Must;
using ::ami::testing::WasRebooted;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

class Reboot : public testing::CloudFixture {
 protected:
  // A running instance of the owner's, launched from a seeded image.
  InstanceId RunningInstance() {
    const std::vector<InstanceId> ids = Must(Launch(as_owner, SeedImage(owner)));
    cloud->AdvanceClock(absl::Minutes(5));
    EXPECT_THAT(cloud->GetInstance(ids.at(0)), Optional(HasState(InstanceState::kRunning)));
    return ids.at(0);
  }
  // An instance of the owner's in `state`, imported with `reboots` reboots so far.
  InstanceId Imported(InstanceState state, uint32_t reboots = 0) {
    const InstanceId id = InstanceId::Short(0x0b0b0001u + static_cast<uint32_t>(++imported_));
    Instance::Builder b;
    b.set_id(id).set_owner(owner).set_availability_zone(east.zones().front())
        .set_image_id(SeedImage(owner)).set_state(state).set_launch_time(t0)
        .add_volume(AttachedVolume{"/dev/xvda", VolumeId::Short(0x0c0c0000u + imported_), 8});
    if (reboots > 0) b.set_reboots(reboots, t0);
    testing::Check(cloud->ImportInstance(Must(b.Build())));
    return id;
  }
  absl::StatusOr<ImageId> Create(InstanceId id, std::string name, bool no_reboot = false,
                                 bool dry_run = false) {
    CallContext ctx = as_owner;
    ctx.dry_run = dry_run;
    CreateImageRequest r{id.ToString(), std::move(name)};
    r.no_reboot = no_reboot;
    return cloud->CreateImage(ctx, r);
  }
  Instance Get(InstanceId id) const { return *cloud->GetInstance(id); }

 private:
  uint32_t imported_ = 0;
};

TEST_F(Reboot, CREATE_4_ALaunchedInstanceWasNeverRebooted) {
  const Instance fresh = Get(RunningInstance());
  EXPECT_EQ(fresh.reboot_count(), 0u);
  EXPECT_EQ(fresh.last_reboot_time(), std::nullopt);
}

TEST_F(Reboot, CREATE_4_CreateImageWithRebootCountsOneRebootNowAndTheInstanceRunsAgain) {
  const InstanceId id = RunningInstance();
  const absl::Time first = cloud->Now();
  ASSERT_THAT(Create(id, "first"), IsOk());
  EXPECT_THAT(Get(id), WasRebooted(1));
  EXPECT_THAT(Get(id).last_reboot_time(), Optional(first));
  EXPECT_THAT(Get(id), HasState(InstanceState::kRunning));
  cloud->AdvanceClock(absl::Hours(1));
  ASSERT_THAT(Create(id, "second"), IsOk());
  EXPECT_THAT(Get(id), WasRebooted(2));
  EXPECT_THAT(Get(id).last_reboot_time(), Optional(first + absl::Hours(1)));
}

TEST_F(Reboot, CREATE_4_NoRebootCountsNone) {
  const InstanceId id = RunningInstance();
  const Instance before = Get(id);
  ASSERT_THAT(Create(id, "crash", /*no_reboot=*/true), IsOk());
  EXPECT_THAT(Get(id), WasRebooted(0));
  EXPECT_EQ(Get(id), before);  // The instance is untouched.
}

TEST_F(Reboot, CREATE_4_AStoppedOrStoppingInstanceHasNothingToReboot) {
  for (const InstanceState state : {InstanceState::kStopped, InstanceState::kStopping}) {
    const InstanceId id = Imported(state);
    ASSERT_THAT(Create(id, absl::StrCat("of-", ToString(state))), IsOk());
    EXPECT_THAT(Get(id), WasRebooted(0)) << ToString(state);
    EXPECT_THAT(Get(id), HasState(state));
  }
}

TEST_F(Reboot, CREATE_4_ARefusedCreateImageChangesNothing) {
  const InstanceId id = RunningInstance();
  ASSERT_THAT(Create(id, "taken"), IsOk());
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(Create(id, "taken"),
                                      HasErrorCode(ErrorCode::kInvalidAMINameDuplicate)));
  EXPECT_THAT(Get(id), WasRebooted(1));
}

TEST_F(Reboot, CREATE_16_ADryRunChangesNothing) {
  const InstanceId id = RunningInstance();
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(Create(id, "dry", false, /*dry_run=*/true),
                                      HasErrorCode(ErrorCode::kDryRunOperation)));
  EXPECT_THAT(Get(id), WasRebooted(0));
}

TEST_F(Reboot, CREATE_4_TheCountStopsAtItsLargestValue) {
  const uint32_t most = std::numeric_limits<uint32_t>::max();
  const InstanceId id = Imported(InstanceState::kRunning, most);
  cloud->AdvanceClock(absl::Minutes(1));
  ASSERT_THAT(Create(id, "once-more"), IsOk());
  EXPECT_THAT(Get(id), WasRebooted(most));
  EXPECT_THAT(Get(id).last_reboot_time(), Optional(cloud->Now()));
}

TEST_F(Reboot, CREATE_4_AStateFileKeepsTheCount) {
  const InstanceId id = RunningInstance();
  ASSERT_THAT(Create(id, "saved"), IsOk());
  std::stringstream file;
  ASSERT_THAT(SaveState(*cloud, file), IsOk());
  const std::unique_ptr<Cloud> loaded = Must(LoadState(file));
  EXPECT_TRUE(loaded->StateEquals(*cloud));
  EXPECT_EQ(*loaded->GetInstance(id), Get(id));
  EXPECT_THAT(*loaded->GetInstance(id), WasRebooted(1));
}

TEST_F(Reboot, CREATE_4_TheJsonFormShowsTheCountAndReadsItBack) {
  const InstanceId id = RunningInstance();
  const std::string never = ToJson(Get(id));
  EXPECT_THAT(never, Not(HasSubstr("RebootCount")));
  EXPECT_THAT(never, Not(HasSubstr("LastRebootTime")));
  ASSERT_THAT(Create(id, "shown"), IsOk());
  const std::string json = ToJson(Get(id));
  EXPECT_THAT(json, HasSubstr("\"RebootCount\": 1"));
  EXPECT_THAT(json, HasSubstr(absl::StrCat("\"LastRebootTime\": \"", FormatAwsTime(cloud->Now()))));
  EXPECT_THAT(FromJson<Instance>(json), ::ami::testing::IsOkAndHolds(Get(id)));
}

}  // namespace
}  // namespace ami
