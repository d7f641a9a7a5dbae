// Tests for Snapshot::Builder.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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
Region RegionOf(absl::string_view code) { return *Region::Parse(code); }

KmsKeyArn KeyIn(absl::string_view region) {
  return KmsKeyArn::Of(Account("111122223333"), RegionOf(region),
                       *KmsKeyId::Parse("1234abcd-12ab-34cd-56ef-1234567890ab"));
}

absl::Time Jan15() {
  return absl::FromCivil(absl::CivilSecond(2024, 1, 15, 10, 20, 30), absl::UTCTimeZone());
}

Snapshot::Builder ValidSnapshot() {
  Snapshot::Builder b;
  b.set_id(*SnapshotId::Parse("snap-0123456789abcdef0"))
      .set_owner(Account("111122223333"))
      .set_region(RegionOf("us-east-1"));
  return b;
}

// ---- Rejections --------------------------------------------------------------------------------

TEST(SnapshotBuilder, MissingIdIsMissingParameter) {
  Snapshot::Builder b;
  b.set_owner(Account("111122223333")).set_region(RegionOf("us-east-1"));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(SnapshotBuilder, MissingOwnerIsMissingParameter) {
  Snapshot::Builder b;
  b.set_id(*SnapshotId::Parse("snap-0123456789abcdef0")).set_region(RegionOf("us-east-1"));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(SnapshotBuilder, MissingRegionIsMissingParameter) {
  Snapshot::Builder b;
  b.set_id(*SnapshotId::Parse("snap-0123456789abcdef0")).set_owner(Account("111122223333"));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(SnapshotBuilder, ZeroSizeIsInvalidParameterValue) {
  EXPECT_THAT(ValidSnapshot().set_volume_size_gib(0).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(SnapshotBuilder, SizeAbove64TiBIsInvalidParameterValue) {
  EXPECT_THAT(ValidSnapshot().set_volume_size_gib(kMaxVolumeSizeGiB + 1).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(SnapshotBuilder, REG_9_KeyOfAnotherRegionIsInvalidParameterValue) {
  absl::StatusOr<Snapshot> s = ValidSnapshot().set_kms_key(KeyIn("eu-west-1")).Build();
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(s, MessageHas("eu-west-1"));
}

TEST(SnapshotBuilder, SNAP_1_OwnerInOwnPermissionListIsInvalidParameterValue) {
  CreateVolumePermissions p;
  p.accounts = {Account("444455556666"), Account("111122223333")};
  EXPECT_THAT(ValidSnapshot().set_create_volume_permissions(p).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

class SnapshotBadProductCodeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SnapshotBadProductCodeTest, GOV_8_IsInvalidParameterValue) {
  EXPECT_THAT(ValidSnapshot().set_product_codes({ProductCode{GetParam()}}).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

INSTANTIATE_TEST_SUITE_P(Codes, SnapshotBadProductCodeTest,
                         ::testing::Values("", std::string(26, 'a'), "abc-def", "abc def",
                                           "code_1"));

TEST(SnapshotBuilder, ID_17_DescriptionOver255CharactersIsInvalidParameterValue) {
  EXPECT_THAT(ValidSnapshot().set_description(std::string(256, 'd')).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(SnapshotBuilder, DescriptionThatIsNotUtf8IsInvalidParameterValue) {
  EXPECT_THAT(ValidSnapshot().set_description("bad \xff byte").Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// ---- Valid snapshots ---------------------------------------------------------------------------

TEST(SnapshotBuilder, DefaultsOfAMinimalSnapshot) {
  absl::StatusOr<Snapshot> s = ValidSnapshot().Build();
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->id().ToString(), "snap-0123456789abcdef0");
  EXPECT_EQ(s->owner().ToString(), "111122223333");
  EXPECT_EQ(s->region().code(), "us-east-1");
  EXPECT_EQ(s->volume_size_gib(), 8u);
  EXPECT_FALSE(s->encrypted());
  EXPECT_FALSE(s->kms_key().has_value());
  EXPECT_EQ(s->state(), SnapshotState::kCompleted);
  EXPECT_FALSE(s->is_public());
  EXPECT_TRUE(s->create_volume_permissions().accounts.empty());
  EXPECT_FALSE(s->volume_id().has_value());
  EXPECT_FALSE(s->source_snapshot().has_value());
  EXPECT_TRUE(s->tags().empty());
}

TEST(SnapshotBuilder, GettersReturnWhatWasSet) {
  CreateVolumePermissions p;
  p.accounts = {Account("444455556666")};
  p.is_public = false;
  const TagSet tags = *TagSet::Create({*Tag::Create("Name", "root")});
  absl::StatusOr<Snapshot> s =
      ValidSnapshot()
          .set_volume_size_gib(100)
          .set_kms_key(KeyIn("us-east-1"))
          .set_state(SnapshotState::kError)
          .set_state_message("missing kms permissions")
          .set_description("Created by CreateImage(i-0123456789abcdef0)")
          .set_start_time(Jan15())
          .set_create_volume_permissions(p)
          .set_product_codes({ProductCode{"abcdefghijklmnopqrstuvwxy", ProductCodeType::kDevpay}})
          .set_volume_id(*VolumeId::Parse("vol-0123456789abcdef0"))
          .set_source_snapshot(*SnapshotId::Parse("snap-11111111"))
          .set_tags(tags)
          .Build();
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->volume_size_gib(), 100u);
  EXPECT_TRUE(s->encrypted());
  EXPECT_EQ(s->kms_key(), KeyIn("us-east-1"));
  EXPECT_EQ(s->state(), SnapshotState::kError);
  EXPECT_EQ(s->state_message(), "missing kms permissions");
  EXPECT_EQ(s->description(), "Created by CreateImage(i-0123456789abcdef0)");
  EXPECT_EQ(s->start_time(), Jan15());
  EXPECT_EQ(s->create_volume_permissions(), p);
  ASSERT_EQ(s->product_codes().size(), 1u);
  EXPECT_EQ(s->product_codes()[0].type, ProductCodeType::kDevpay);
  EXPECT_EQ(s->volume_id()->ToString(), "vol-0123456789abcdef0");
  EXPECT_EQ(s->source_snapshot()->ToString(), "snap-11111111");
  EXPECT_EQ(s->tags(), tags);
}

class SnapshotSizeTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(SnapshotSizeTest, SizeInRangeBuilds) {
  absl::StatusOr<Snapshot> s = ValidSnapshot().set_volume_size_gib(GetParam()).Build();
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->volume_size_gib(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Sizes, SnapshotSizeTest, ::testing::Values(1u, 8u, 1024u, 65536u));

TEST(SnapshotBuilder, PermissionAccountsAreSortedAndDeduplicated) {
  CreateVolumePermissions p;
  p.accounts = {Account("999999999999"), Account("012345678901"), Account("999999999999")};
  p.is_public = true;
  absl::StatusOr<Snapshot> s = ValidSnapshot().set_create_volume_permissions(p).Build();
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(s->create_volume_permissions().accounts,
              ElementsAre(Account("012345678901"), Account("999999999999")));
  EXPECT_TRUE(s->is_public());
}

TEST(SnapshotBuilder, ID_17_DescriptionOf255CharactersBuilds) {
  EXPECT_THAT(ValidSnapshot().set_description(std::string(255, 'd')).Build(), IsOk());
}

TEST(SnapshotBuilder, DescriptionLimitCountsCharactersNotBytes) {
  std::string description;
  for (int i = 0; i < 255; ++i) description += "\xc3\xa9";  // é, two bytes each.
  EXPECT_THAT(ValidSnapshot().set_description(description).Build(), IsOk());
}

TEST(SnapshotBuilder, UnencryptingWithNulloptClearsTheKey) {
  absl::StatusOr<Snapshot> s =
      ValidSnapshot().set_kms_key(KeyIn("us-east-1")).set_kms_key(std::nullopt).Build();
  ASSERT_THAT(s, IsOk());
  EXPECT_FALSE(s->encrypted());
}

TEST(SnapshotBuilder, ToBuilderRoundTripsToAnEqualSnapshot) {
  absl::StatusOr<Snapshot> s =
      ValidSnapshot().set_kms_key(KeyIn("us-east-1")).set_description("x").Build();
  ASSERT_THAT(s, IsOk());
  absl::StatusOr<Snapshot> again = s->ToBuilder().Build();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *s);
}

TEST(SnapshotBuilder, EachChangedFieldMakesAnUnequalSnapshot) {
  const Snapshot base = *ValidSnapshot().Build();
  using Change = std::function<void(Snapshot::Builder&)>;
  const std::vector<Change> changes = {
      [](Snapshot::Builder& b) { b.set_id(*SnapshotId::Parse("snap-0123456789abcdef1")); },
      [](Snapshot::Builder& b) { b.set_owner(Account("444455556666")); },
      [](Snapshot::Builder& b) { b.set_region(RegionOf("us-west-2")); },
      [](Snapshot::Builder& b) { b.set_volume_size_gib(9); },
      [](Snapshot::Builder& b) { b.set_kms_key(KeyIn("us-east-1")); },
      [](Snapshot::Builder& b) { b.set_state(SnapshotState::kPending); },
      [](Snapshot::Builder& b) { b.set_state_message("m"); },
      [](Snapshot::Builder& b) { b.set_description("d"); },
      [](Snapshot::Builder& b) { b.set_start_time(Jan15()); },
      [](Snapshot::Builder& b) {
        b.set_create_volume_permissions({{}, true});
      },
      [](Snapshot::Builder& b) { b.set_product_codes({ProductCode{"abc"}}); },
      [](Snapshot::Builder& b) { b.set_volume_id(VolumeId::Short(1)); },
      [](Snapshot::Builder& b) { b.set_source_snapshot(SnapshotId::Short(1)); },
      [](Snapshot::Builder& b) { b.set_tags(*TagSet::Create({*Tag::Create("k", "")})); },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    Snapshot::Builder b = base.ToBuilder();
    changes[i](b);
    absl::StatusOr<Snapshot> changed = b.Build();
    ASSERT_THAT(changed, IsOk()) << "change " << i;
    EXPECT_NE(*changed, base) << "change " << i;
  }
}

TEST(SnapshotBuilder, InfiniteStartTimeIsInvalid) {
  EXPECT_THAT(ValidSnapshot().set_start_time(absl::InfiniteFuture()).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ValidSnapshot().set_start_time(absl::InfinitePast()).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(SnapshotHash, EqualSnapshotsHashEquallyAndEachFieldCounts) {
  const Snapshot base = *ValidSnapshot().Build();
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({
      base,
      *base.ToBuilder().set_volume_size_gib(100).Build(),
      *base.ToBuilder().set_state(SnapshotState::kError).Build(),
      *base.ToBuilder().set_description("other").Build(),
      *base.ToBuilder().set_create_volume_permissions({{}, true}).Build(),
  }));
}

// ---- Shared body --------------------------------------------------------------------------------

TEST(SnapshotValue, BuilderChangesDoNotReachTheSnapshotOrItsCopies) {
  const Snapshot base = *ValidSnapshot().set_description("golden").Build();
  const Snapshot copy = base;
  Snapshot::Builder b = base.ToBuilder();
  b.set_description("changed").set_state_message("failed")
      .set_create_volume_permissions({{Account("444455556666")}, true})
      .set_product_codes({ProductCode{"abc123"}});
  const Snapshot changed = *b.Build();
  EXPECT_EQ(base.description(), "golden");
  EXPECT_TRUE(base.state_message().empty());
  EXPECT_FALSE(base.is_public());
  EXPECT_TRUE(base.product_codes().empty());
  EXPECT_EQ(copy, base);
  EXPECT_EQ(changed.description(), "changed");
  EXPECT_EQ(changed.state_message(), "failed");
  EXPECT_TRUE(changed.is_public());
  EXPECT_THAT(changed.create_volume_permissions().accounts, ElementsAre(Account("444455556666")));
  b.set_description("later");
  EXPECT_EQ(changed.description(), "changed");
  EXPECT_EQ(b.Build()->description(), "later");
}

TEST(SnapshotValue, SortingTheAccountsLeavesTheBuilderAndOtherSnapshotsAlone) {
  Snapshot::Builder b = ValidSnapshot();
  b.set_create_volume_permissions(
      {{Account("777788889999"), Account("444455556666"), Account("777788889999")}, false});
  const Snapshot first = *b.Build();
  EXPECT_THAT(first.create_volume_permissions().accounts,
              ElementsAre(Account("444455556666"), Account("777788889999")));
  const Snapshot second = *b.Build();
  EXPECT_EQ(second, first);
  const Snapshot moved = *std::move(b).Build();
  EXPECT_EQ(moved, first);
  // Already sorted: the built snapshot shares the builder's body.
  const Snapshot sorted = *first.ToBuilder().set_volume_size_gib(16).Build();
  EXPECT_EQ(&sorted.description(), &first.description());
  // The owner among sorted accounts is still refused.
  EXPECT_THAT(ValidSnapshot().set_create_volume_permissions({{Account("111122223333")}, false}).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ValidSnapshot()
                  .set_create_volume_permissions({{Account("777788889999"), Account("111122223333")}, false})
                  .Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(SnapshotValue, MovedFromSnapshotStaysReadable) {
  Snapshot moved = *ValidSnapshot().set_description("kept").Build();
  const Snapshot taken = std::move(moved);
  EXPECT_EQ(taken.description(), "kept");
  EXPECT_EQ(moved.description(), "kept");  // NOLINT: reading a moved-from value.
}

}  // namespace
}  // namespace ami
