// Tests for Instance::Builder and ValidateInstanceType.
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/io/proto.h"
#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::ElementsAre;

AccountId Account(absl::string_view text) { return *AccountId::Parse(text); }

KmsKeyArn KeyIn(absl::string_view region) {
  return KmsKeyArn::Of(Account("111122223333"), *Region::Parse(region),
                       *KmsKeyId::Parse("1234abcd-12ab-34cd-56ef-1234567890ab"));
}

AttachedVolume Volume(std::string device, uint64_t volume_number) {
  AttachedVolume v;
  v.device_name = std::move(device);
  v.volume_id = VolumeId::Long(volume_number);
  v.volume_size_gib = 8;
  return v;
}

Instance::Builder ValidInstance() {
  Instance::Builder b;
  b.set_id(*InstanceId::Parse("i-0123456789abcdef0"))
      .set_owner(Account("111122223333"))
      .set_availability_zone(*AvailabilityZone::Parse("us-east-1a"))
      .set_image_id(*ImageId::Parse("ami-0123456789abcdef0"))
      .add_volume(Volume("/dev/xvda", 1));
  return b;
}

// ---- ValidateInstanceType ----------------------------------------------------------------------

class ValidInstanceTypeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidInstanceTypeTest, IsAccepted) { EXPECT_THAT(ValidateInstanceType(GetParam()), IsOk()); }

INSTANTIATE_TEST_SUITE_P(Types, ValidInstanceTypeTest,
                         ::testing::Values("t3.micro", "m7g.large", "c5n.18xlarge", "u-6tb1.metal",
                                           "mac2-m2pro.metal", "p4d.24xlarge"));

class InvalidInstanceTypeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidInstanceTypeTest, IsInvalidParameterValue) {
  EXPECT_THAT(ValidateInstanceType(GetParam()), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

INSTANTIATE_TEST_SUITE_P(Types, InvalidInstanceTypeTest,
                         ::testing::Values("", "t3", "T3.micro", ".micro", "t3.", "t3.micro.x",
                                           "t3_micro", "t3 .micro",
                                           std::string(33, 'm') + ".large"));

// ---- Instance::Builder: rejections -------------------------------------------------------------

TEST(InstanceBuilder, MissingIdIsMissingParameter) {
  Instance::Builder b;
  b.set_owner(Account("111122223333"))
      .set_availability_zone(*AvailabilityZone::Parse("us-east-1a"))
      .set_image_id(ImageId::Short(1));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(InstanceBuilder, MissingOwnerIsMissingParameter) {
  Instance::Builder b;
  b.set_id(InstanceId::Short(1))
      .set_availability_zone(*AvailabilityZone::Parse("us-east-1a"))
      .set_image_id(ImageId::Short(1));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(InstanceBuilder, MissingAvailabilityZoneIsMissingParameter) {
  Instance::Builder b;
  b.set_id(InstanceId::Short(1)).set_owner(Account("111122223333")).set_image_id(ImageId::Short(1));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(InstanceBuilder, MissingImageIsMissingParameter) {
  Instance::Builder b;
  b.set_id(InstanceId::Short(1))
      .set_owner(Account("111122223333"))
      .set_availability_zone(*AvailabilityZone::Parse("us-east-1a"));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(InstanceBuilder, MalformedInstanceTypeIsInvalidParameterValue) {
  EXPECT_THAT(ValidInstance().set_instance_type("t3micro").Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(InstanceBuilder, DuplicateDeviceNameIsInvalidParameterValue) {
  absl::StatusOr<Instance> in = ValidInstance().add_volume(Volume("/dev/xvda", 2)).Build();
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(in, MessageHas("/dev/xvda"));
}

TEST(InstanceBuilder, DuplicateVolumeIsInvalidParameterValue) {
  absl::StatusOr<Instance> in = ValidInstance().add_volume(Volume("/dev/sdb", 1)).Build();
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(in, MessageHas(VolumeId::Long(1).ToString()));
}

TEST(InstanceBuilder, VolumeWithoutDeviceNameIsInvalidParameterValue) {
  EXPECT_THAT(ValidInstance().add_volume(Volume("", 2)).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(InstanceBuilder, VolumeAbove64TiBIsInvalidParameterValue) {
  AttachedVolume v = Volume("/dev/sdb", 2);
  v.volume_size_gib = kMaxVolumeSizeGiB + 1;
  EXPECT_THAT(ValidInstance().add_volume(v).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(InstanceBuilder, REG_9_VolumeKeyOfAnotherRegionIsInvalidParameterValue) {
  AttachedVolume v = Volume("/dev/sdb", 2);
  v.kms_key = KeyIn("us-west-2");
  absl::StatusOr<Instance> in = ValidInstance().add_volume(v).Build();
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(in, MessageHas("us-west-2"));
}

// Validation compares a few volumes pairwise and many through sets: both find duplicates.
TEST(InstanceBuilder, DuplicatesAmongManyVolumesAreFound) {
  for (const int count : {3, 16, 17, 40}) {
    Instance::Builder devices = ValidInstance();
    Instance::Builder volumes = ValidInstance();
    Instance::Builder distinct = ValidInstance();
    for (int i = 2; i <= count; ++i) {
      const std::string device = absl::StrCat("/dev/sd", i);
      devices.add_volume(Volume(device, static_cast<uint64_t>(i)));
      volumes.add_volume(Volume(device, static_cast<uint64_t>(i)));
      distinct.add_volume(Volume(device, static_cast<uint64_t>(i)));
    }
    devices.add_volume(Volume(absl::StrCat("/dev/sd", count), 1000));
    volumes.add_volume(Volume("/dev/last", static_cast<uint64_t>(count)));
    distinct.add_volume(Volume("/dev/last", 1000));
    SCOPED_TRACE(count);
    EXPECT_THAT(devices.Build(), MessageHas(absl::StrCat("device `/dev/sd", count)));
    EXPECT_THAT(volumes.Build(), MessageHas(VolumeId::Long(static_cast<uint64_t>(count)).ToString()));
    EXPECT_THAT(distinct.Build(), IsOk());
  }
}

// A short and a long volume id with the same digits are two volumes.
TEST(InstanceBuilder, ShortAndLongVolumeIdsWithTheSameDigitsAreDistinct) {
  AttachedVolume v = Volume("/dev/sdb", 1);
  v.volume_id = VolumeId::Short(1);
  EXPECT_THAT(ValidInstance().add_volume(v).Build(), IsOk());
}

// Each failing check names the instance.
TEST(InstanceBuilder, EachVolumeCheckNamesTheInstance) {
  AttachedVolume big = Volume("/dev/sdb", 2);
  big.volume_size_gib = kMaxVolumeSizeGiB + 1;
  AttachedVolume foreign_key = Volume("/dev/sdb", 2);
  foreign_key.kms_key = KeyIn("us-west-2");
  const std::vector<absl::StatusOr<Instance>> failures = {
      ValidInstance().add_volume(Volume("/dev/xvda", 2)).Build(),
      ValidInstance().add_volume(Volume("", 2)).Build(),
      ValidInstance().add_volume(big).Build(),
      ValidInstance().add_volume(foreign_key).Build(),
      ValidInstance().set_launch_time(absl::InfiniteFuture()).Build(),
  };
  for (const absl::StatusOr<Instance>& in : failures) {
    EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidParameterValue));
    EXPECT_THAT(in, MessageHas("instance `i-0123456789abcdef0`"));
  }
}

TEST(InstanceBuilder, CREATE_13_MalformedProductCodeIsInvalidParameterValue) {
  EXPECT_THAT(ValidInstance().set_product_codes({ProductCode{std::string(26, 'a')}}).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// ---- Instance::Builder: valid instances --------------------------------------------------------

TEST(InstanceBuilder, DefaultsOfAMinimalInstance) {
  absl::StatusOr<Instance> in = ValidInstance().Build();
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->id().ToString(), "i-0123456789abcdef0");
  EXPECT_EQ(in->owner().ToString(), "111122223333");
  EXPECT_EQ(in->availability_zone().ToString(), "us-east-1a");
  EXPECT_EQ(in->image_id().ToString(), "ami-0123456789abcdef0");
  EXPECT_EQ(in->state(), InstanceState::kRunning);
  EXPECT_EQ(in->instance_type(), "t3.micro");
  EXPECT_EQ(in->root_device_type(), RootDeviceType::kEbs);
  EXPECT_EQ(in->root_device_name(), "/dev/xvda");
  EXPECT_FALSE(in->imds_v2_required());
  EXPECT_EQ(in->launch_time(), absl::UnixEpoch());
  EXPECT_THAT(in->volumes(), ElementsAre(Volume("/dev/xvda", 1)));
  EXPECT_FALSE(in->volumes()[0].encrypted());
}

TEST(InstanceBuilder, REG_5_RegionIsTheZonesRegion) {
  absl::StatusOr<Instance> in =
      ValidInstance().set_availability_zone(*AvailabilityZone::Parse("eu-west-1b")).Build();
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->region().code(), "eu-west-1");
}

TEST(InstanceBuilder, GettersReturnWhatWasSet) {
  AttachedVolume data = Volume("/dev/sdb", 2);
  data.volume_size_gib = 0;  // Unknown size is allowed.
  data.delete_on_termination = false;
  data.kms_key = KeyIn("us-east-1");
  data.snapshot_id = *SnapshotId::Parse("snap-0123456789abcdef0");
  const absl::Time launched =
      absl::FromCivil(absl::CivilSecond(2024, 1, 15, 10, 20, 30), absl::UTCTimeZone());
  const TagSet tags = *TagSet::Create({*Tag::Create("Name", "web")});
  absl::StatusOr<Instance> in = ValidInstance()
                                    .add_volume(data)
                                    .set_state(InstanceState::kStopped)
                                    .set_state_reason({"Client.UserInitiatedShutdown", "stop"})
                                    .set_instance_type("m7g.large")
                                    .set_root_device_name("/dev/sda1")
                                    .set_architecture(Architecture::kArm64)
                                    .set_product_codes({ProductCode{"abc123"}})
                                    .set_platform_details("Red Hat Enterprise Linux")
                                    .set_imds_v2_required(true)
                                    .set_launch_time(launched)
                                    .set_tags(tags)
                                    .Build();
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->state(), InstanceState::kStopped);
  EXPECT_EQ(in->state_reason().code, "Client.UserInitiatedShutdown");
  EXPECT_EQ(in->instance_type(), "m7g.large");
  EXPECT_EQ(in->root_device_name(), "/dev/sda1");
  EXPECT_EQ(in->architecture(), Architecture::kArm64);
  ASSERT_EQ(in->volumes().size(), 2u);
  EXPECT_EQ(in->volumes()[1], data);
  EXPECT_TRUE(in->volumes()[1].encrypted());
  EXPECT_EQ(in->product_codes()[0].code, "abc123");
  EXPECT_EQ(in->platform_details(), "Red Hat Enterprise Linux");
  EXPECT_TRUE(in->imds_v2_required());
  EXPECT_EQ(in->launch_time(), launched);
  EXPECT_EQ(in->tags(), tags);
}

TEST(InstanceBuilder, SetVolumesReplacesTheList) {
  absl::StatusOr<Instance> in = ValidInstance().set_volumes({Volume("/dev/sdc", 3)}).Build();
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->volumes(), ElementsAre(Volume("/dev/sdc", 3)));
}

TEST(InstanceBuilder, InstanceWithoutVolumesBuilds) {
  EXPECT_THAT(ValidInstance().set_volumes({}).Build(), IsOk());
}

TEST(InstanceBuilder, ToBuilderRoundTripsToAnEqualInstance) {
  absl::StatusOr<Instance> in = ValidInstance().set_instance_type("c7i.xlarge").Build();
  ASSERT_THAT(in, IsOk());
  absl::StatusOr<Instance> again = in->ToBuilder().Build();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *in);
}

// ---- Reboots (CREATE-4, MC-84) --------------------------------------------------------------------

TEST(InstanceBuilder, CREATE_4_RebootsAreKeptToTheNanosecondAndThroughToBuilder) {
  const absl::Time at = absl::FromUnixNanos(1767225600123456789);
  const absl::StatusOr<Instance> in = ValidInstance().set_reboots(3, at).Build();
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->reboot_count(), 3u);
  EXPECT_EQ(in->last_reboot_time(), at);
  const absl::StatusOr<Instance> again = in->ToBuilder().set_instance_type("t3.small").Build();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->reboot_count(), 3u);
  EXPECT_EQ(again->last_reboot_time(), at);
  const absl::StatusOr<Instance> cleared = in->ToBuilder().set_reboots(0, std::nullopt).Build();
  ASSERT_THAT(cleared, IsOk());
  EXPECT_EQ(cleared->last_reboot_time(), std::nullopt);
}

TEST(InstanceBuilder, CREATE_4_ACountAndATimeComeTogether) {
  EXPECT_THAT(ValidInstance().set_reboots(1, std::nullopt).Build(),
              MessageHas("a reboot count and a last reboot time come together"));
  EXPECT_THAT(ValidInstance().set_reboots(0, absl::UnixEpoch()).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// The bound: 64-bit nanoseconds since 1970, 1970-01-01 to 2262-04-11.
TEST(InstanceBuilder, CREATE_4_TheLastRebootTimeIsWithinItsBounds) {
  const absl::Time last = absl::FromUnixNanos(std::numeric_limits<int64_t>::max());
  EXPECT_THAT(ValidInstance().set_reboots(1, last).Build(), IsOk());
  EXPECT_THAT(ValidInstance().set_reboots(1, absl::UnixEpoch()).Build(), IsOk());
  for (const absl::Time t : {last + absl::Nanoseconds(1), absl::UnixEpoch() - absl::Nanoseconds(1),
                             absl::InfiniteFuture(), absl::InfinitePast()}) {
    const absl::StatusOr<Instance> in = ValidInstance().set_reboots(1, t).Build();
    EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidParameterValue));
    EXPECT_THAT(in, MessageHas("instance `i-0123456789abcdef0`: last reboot time"));
  }
  // The moving Build() checks the same.
  Instance::Builder b = ValidInstance();
  EXPECT_THAT(std::move(b.set_reboots(1, absl::InfiniteFuture())).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(InstanceBuilder, EachChangedFieldMakesAnUnequalInstance) {
  const Instance base = *ValidInstance().Build();
  using Change = std::function<void(Instance::Builder&)>;
  const std::vector<Change> changes = {
      [](Instance::Builder& b) { b.set_id(InstanceId::Short(9)); },
      [](Instance::Builder& b) { b.set_owner(Account("444455556666")); },
      [](Instance::Builder& b) { b.set_availability_zone(*AvailabilityZone::Parse("us-east-1b")); },
      [](Instance::Builder& b) { b.set_image_id(ImageId::Short(9)); },
      [](Instance::Builder& b) { b.set_state(InstanceState::kTerminated); },
      [](Instance::Builder& b) {
        b.set_state_reason({"c", "m"});
      },
      [](Instance::Builder& b) { b.set_instance_type("t3.small"); },
      [](Instance::Builder& b) { b.set_root_device_type(RootDeviceType::kInstanceStore); },
      [](Instance::Builder& b) { b.set_root_device_name("/dev/sda1"); },
      [](Instance::Builder& b) { b.set_architecture(Architecture::kI386); },
      [](Instance::Builder& b) { b.add_volume(Volume("/dev/sdb", 2)); },
      [](Instance::Builder& b) { b.set_product_codes({ProductCode{"abc"}}); },
      [](Instance::Builder& b) { b.set_platform_details("Windows"); },
      [](Instance::Builder& b) { b.set_imds_v2_required(true); },
      [](Instance::Builder& b) { b.set_launch_time(absl::FromUnixSeconds(1)); },
      [](Instance::Builder& b) { b.set_tags(*TagSet::Create({*Tag::Create("k", "v")})); },
      [](Instance::Builder& b) { b.set_reboots(1, absl::UnixEpoch()); },
      [](Instance::Builder& b) { b.set_reboots(1, absl::FromUnixSeconds(7)); },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    Instance::Builder b = base.ToBuilder();
    changes[i](b);
    absl::StatusOr<Instance> changed = b.Build();
    ASSERT_THAT(changed, IsOk()) << "change " << i;
    EXPECT_NE(*changed, base) << "change " << i;
  }
}

TEST(InstanceHash, EqualInstancesHashEquallyAndEachFieldCounts) {
  const Instance base = *ValidInstance().Build();
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({
      base,
      *base.ToBuilder().set_state(InstanceState::kStopped).Build(),
      *base.ToBuilder().set_instance_type("m7g.large").Build(),
      *base.ToBuilder().set_imds_v2_required(true).Build(),
      *base.ToBuilder().set_volumes({}).Build(),
      *base.ToBuilder().set_reboots(2, absl::FromUnixSeconds(60)).Build(),
      *base.ToBuilder().set_reboots(2, absl::FromUnixSeconds(61)).Build(),
  }));
}

// ---- Shared body --------------------------------------------------------------------------------

TEST(InstanceValue, BuilderChangesDoNotReachTheInstanceOrItsCopies) {
  const Instance base = *ValidInstance().set_instance_type("m7g.large").Build();
  const Instance copy = base;
  Instance::Builder b = base.ToBuilder();
  b.set_instance_type("c5.xlarge").set_platform_details("Windows").set_imds_v2_required(true)
      .set_state_reason(StateReason{"Server.SpotInstanceTermination", "gone"});
  const Instance changed = *b.Build();
  EXPECT_EQ(base.instance_type(), "m7g.large");
  EXPECT_EQ(base.platform_details(), "Linux/UNIX");
  EXPECT_FALSE(base.imds_v2_required());
  EXPECT_TRUE(base.state_reason().code.empty());
  EXPECT_EQ(copy, base);
  EXPECT_EQ(changed.instance_type(), "c5.xlarge");
  EXPECT_EQ(changed.platform_details(), "Windows");
  EXPECT_TRUE(changed.imds_v2_required());
  EXPECT_EQ(changed.state_reason().code, "Server.SpotInstanceTermination");
  // The builder goes on from what it built; what it built does not change with it.
  b.set_instance_type("t3.nano");
  EXPECT_EQ(changed.instance_type(), "c5.xlarge");
  EXPECT_EQ(b.Build()->instance_type(), "t3.nano");
}

TEST(InstanceValue, CopiesShareTheBodyUntilOneIsRebuilt) {
  const Instance base = *ValidInstance().Build();
  const Instance copy = base;
  EXPECT_EQ(&copy.instance_type(), &base.instance_type());
  const Instance rebuilt = *base.ToBuilder().set_state(InstanceState::kStopped).Build();
  EXPECT_EQ(&rebuilt.instance_type(), &base.instance_type());  // The state is not in the body.
  const Instance retyped = *base.ToBuilder().set_instance_type("m5.large").Build();
  EXPECT_NE(&retyped.instance_type(), &base.instance_type());
}

TEST(InstanceValue, MovedFromInstanceStaysReadable) {
  Instance moved = *ValidInstance().set_platform_details("Windows").Build();
  const Instance taken = std::move(moved);
  EXPECT_EQ(taken.platform_details(), "Windows");
  EXPECT_EQ(moved.platform_details(), "Windows");  // NOLINT: reading a moved-from value.
  EXPECT_EQ(moved.instance_type(), "t3.micro");     // NOLINT
}

TEST(InstanceValue, MovingTheValueOutOfABuilderKeepsEveryField) {
  Instance::Builder b = ValidInstance();
  b.set_instance_type("m7g.large").set_architecture(Architecture::kArm64)
      .set_product_codes({ProductCode{"abc123"}}).add_volume(Volume("/dev/sdb", 2))
      .set_tags(*TagSet::Create({*Tag::Create("k", "v")}));
  const Instance copied = *b.Build();
  const Instance moved = *std::move(b).Build();
  EXPECT_EQ(moved, copied);
  EXPECT_EQ(moved.volumes().size(), 2u);
}

// ---- Volumes in compact form ---------------------------------------------------------------------

std::vector<AttachedVolume> EveryKindOfVolume() {
  std::vector<AttachedVolume> out;
  AttachedVolume root = Volume("/dev/xvda", 0xfedcba9876543210ULL);
  root.volume_id = VolumeId::Long(0xfedcba9876543210ULL, 0xa);
  root.snapshot_id = SnapshotId::Long(0x0123456789abcdefULL, 0x7);
  root.kms_key = KeyIn("us-east-1");
  root.volume_size_gib = 16384;
  out.push_back(root);
  AttachedVolume legacy = Volume("/dev/sdb", 0);
  legacy.volume_id = VolumeId::Short(0x89abcdef);
  legacy.snapshot_id = SnapshotId::Short(0x1234abcd);
  legacy.delete_on_termination = false;
  legacy.volume_size_gib = 0;
  out.push_back(legacy);
  AttachedVolume blank = Volume("/dev/sdc", 3);  // No snapshot, no key.
  out.push_back(blank);
  return out;
}

TEST(InstanceVolumes, EveryFieldComesBackAsGiven) {
  const std::vector<AttachedVolume> given = EveryKindOfVolume();
  const Instance in = *ValidInstance().set_volumes(given).Build();
  ASSERT_EQ(in.volumes().size(), 3u);
  for (size_t i = 0; i < given.size(); ++i) EXPECT_EQ(in.volumes()[i], given[i]) << i;
  EXPECT_EQ(in.volumes()[0].volume_id.ToString(), "vol-afedcba9876543210");
  EXPECT_EQ(in.volumes()[1].snapshot_id->ToString(), "snap-1234abcd");
  EXPECT_FALSE(in.volumes()[1].delete_on_termination);
  EXPECT_EQ(in.volumes()[2].snapshot_id, std::nullopt);
  EXPECT_FALSE(in.volumes()[2].encrypted());
  EXPECT_EQ(in.volumes(), given);
}

TEST(InstanceVolumes, EachCallMakesAListOfItsOwn) {
  const std::vector<AttachedVolume> given = EveryKindOfVolume();
  const Instance in = *ValidInstance().set_volumes(given).Build();
  EXPECT_EQ(in.volume_count(), 3u);
  std::vector<AttachedVolume> mine = in.volumes();
  mine[0].volume_size_gib = 1;  // Changes the caller's list only.
  EXPECT_EQ(in.volumes(), given);
  size_t i = 0;
  for (auto& v : in.volumes()) EXPECT_EQ(v, given[i++]);
  EXPECT_EQ(i, given.size());
  EXPECT_THAT(in.volumes(), ElementsAre(given[0], given[1], given[2]));
  // A builder made from the instance keeps the volumes and can replace them.
  const Instance rebuilt = *in.ToBuilder().set_volumes({given[2]}).Build();
  EXPECT_THAT(rebuilt.volumes(), ElementsAre(given[2]));
  EXPECT_EQ(rebuilt.volume_count(), 1u);
  EXPECT_EQ(in.volumes(), given);
  const Instance bare = *in.ToBuilder().set_volumes({}).Build();
  EXPECT_TRUE(bare.volumes().empty());
  EXPECT_EQ(bare.volume_count(), 0u);
  const Instance added = *bare.ToBuilder().add_volume(given[1]).add_volume(given[0]).Build();
  EXPECT_THAT(added.volumes(), ElementsAre(given[1], given[0]));
}

TEST(InstanceVolumes, EachVolumeFieldCountsForEqualityAndHash) {
  const std::vector<AttachedVolume> given = EveryKindOfVolume();
  const Instance base = *ValidInstance().set_volumes(given).Build();
  const std::vector<std::function<void(AttachedVolume&)>> changes = {
      [](AttachedVolume& v) { v.device_name = "/dev/sdz"; },
      [](AttachedVolume& v) { v.volume_id = VolumeId::Long(v.volume_id.low64(), 0xb); },
      [](AttachedVolume& v) { v.volume_id = VolumeId::Long(v.volume_id.low64() ^ 1, 0xa); },
      [](AttachedVolume& v) { v.volume_id = VolumeId::Short(static_cast<uint32_t>(v.volume_id.low64())); },
      [](AttachedVolume& v) { v.volume_size_gib = 8; },
      [](AttachedVolume& v) { v.delete_on_termination = false; },
      [](AttachedVolume& v) { v.kms_key = std::nullopt; },
      [](AttachedVolume& v) { v.snapshot_id = std::nullopt; },
      [](AttachedVolume& v) { v.snapshot_id = SnapshotId::Long(v.snapshot_id->low64(), 0x6); },
  };
  std::vector<Instance> variants = {base};
  for (size_t i = 0; i < changes.size(); ++i) {
    std::vector<AttachedVolume> volumes = given;
    changes[i](volumes[0]);
    const Instance changed = *ValidInstance().set_volumes(volumes).Build();
    EXPECT_NE(changed, base) << "change " << i;
    EXPECT_EQ(changed.volumes()[0], volumes[0]) << "change " << i;
    variants.push_back(changed);
  }
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(variants));
}

}  // namespace
}  // namespace ami
