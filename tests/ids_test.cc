#include "ami/ids.h"

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/hash/hash_testing.h"
#include "ami/arns.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;

// Resource ids are small, inline values: at most 16 bytes and nothing on the heap.
template <typename T>
constexpr bool kInlineId = sizeof(T) <= 16 && std::is_trivially_copyable_v<T> &&
                           std::is_trivially_destructible_v<T>;
static_assert(kInlineId<AccountId>);
static_assert(kInlineId<ImageId>);
static_assert(kInlineId<SnapshotId>);
static_assert(kInlineId<InstanceId>);
static_assert(kInlineId<VolumeId>);
static_assert(kInlineId<Region>);
static_assert(kInlineId<AvailabilityZone>);
static_assert(kInlineId<AvailabilityZoneId>);

// A KMS key id holds its 129 bits (ID-12, ID-15) and an ARN its account and Region besides:
// inline too, at most 24 bytes each and nothing on the heap.
template <typename T>
constexpr bool kInlineKmsId = sizeof(T) <= 24 && std::is_trivially_copyable_v<T> &&
                              std::is_trivially_destructible_v<T>;
static_assert(kInlineKmsId<KmsKeyId>);
static_assert(kInlineKmsId<KmsKeyArn>);

// AppendTo writes what ToString returns, after whatever the string holds.
TEST(ResourceIdText, AppendToAppendsTheTextForm) {
  std::string out = "x";
  const ImageId image = *ImageId::Parse("ami-0123456789abcdef0");
  const SnapshotId snapshot = SnapshotId::Short(0xdeadbeef);
  const InstanceId instance = InstanceId::Long(0xfedcba9876543210ull, 0xA);
  const VolumeId volume = *VolumeId::Parse("vol-0000000a");
  image.AppendTo(&out);
  snapshot.AppendTo(&out);
  instance.AppendTo(&out);
  volume.AppendTo(&out);
  EXPECT_EQ(out, "xami-0123456789abcdef0snap-deadbeefi-afedcba9876543210vol-0000000a");
  EXPECT_EQ(out, "x" + image.ToString() + snapshot.ToString() + instance.ToString() + volume.ToString());
}

TEST(ResourceIdSize, AtMostSixteenBytes) {
  EXPECT_LE(sizeof(AccountId), 16u);
  EXPECT_LE(sizeof(ImageId), 16u);
  EXPECT_LE(sizeof(SnapshotId), 16u);
  EXPECT_LE(sizeof(InstanceId), 16u);
  EXPECT_LE(sizeof(VolumeId), 16u);
  EXPECT_LE(sizeof(Region), 16u);
  EXPECT_LE(sizeof(AvailabilityZone), 16u);
}

TEST(ResourceIdSize, KmsIdsAtMostTwentyFourBytes) {
  EXPECT_LE(sizeof(KmsKeyId), 24u);
  EXPECT_LE(sizeof(KmsKeyArn), 24u);
}

// ---- AccountId (ID-6) ----

class AccountIdValid : public ::testing::TestWithParam<std::string> {};

TEST_P(AccountIdValid, ID_6_ParsesAndPrintsBack) {
  absl::StatusOr<AccountId> id = AccountId::Parse(GetParam());
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->ToString(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Accounts, AccountIdValid,
                         ::testing::Values("123456789012", "012345678901", "000000000000",
                                           "999999999999", "000000000001"));

TEST(AccountId, ID_6_LeadingZerosAreKept) {
  EXPECT_EQ(AccountId::Parse("012345678901")->ToString(), "012345678901");
  EXPECT_EQ(AccountId::FromNumber(42).ToString(), "000000000042");
  EXPECT_NE(*AccountId::Parse("012345678901"), *AccountId::Parse("123456789010"));
}

TEST(AccountId, ID_6_ElevenDigitsIsMalformed) {
  EXPECT_THAT(AccountId::Parse("12345678901"), HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}
TEST(AccountId, ID_6_ThirteenDigitsIsMalformed) {
  EXPECT_THAT(AccountId::Parse("1234567890123"), HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}
TEST(AccountId, ID_7_HyphensAreMalformed) {
  EXPECT_THAT(AccountId::Parse("1234-5678-9012"), HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}
TEST(AccountId, ID_6_LettersAreMalformed) {
  EXPECT_THAT(AccountId::Parse("12345678901a"), HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}
TEST(AccountId, ID_6_EmptyIsMalformed) {
  EXPECT_THAT(AccountId::Parse(""), HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}
TEST(AccountId, ID_6_SignIsMalformed) {
  EXPECT_THAT(AccountId::Parse("+12345678901"), HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}

TEST(AccountId, HashAndOrder) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*AccountId::Parse("123456789012"), *AccountId::Parse("012345678901"),
       AccountId::FromNumber(0), AccountId::FromNumber(999999999999ULL)}));
  EXPECT_LT(*AccountId::Parse("012345678901"), *AccountId::Parse("123456789012"));
}

// ---- Hex resource ids (ID-1, ID-2, ID-3) ----

struct HexCase {
  std::string text;
};

template <typename Id>
void ExpectRoundTrip(const std::string& text) {
  absl::StatusOr<Id> id = Id::Parse(text);
  ASSERT_THAT(id, IsOk()) << text;
  EXPECT_EQ(id->ToString(), text);
  EXPECT_EQ(id->is_long(), text.size() - text.find('-') - 1 == 17);
}

TEST(HexIds, ID_1_BothLengthsRoundTrip) {
  for (const char* t : {"ami-12345678", "ami-0123456789abcdef0", "ami-fffffffffffffffff",
                        "ami-00000000", "ami-00000000000000000", "ami-f0000000000000000"}) {
    ExpectRoundTrip<ImageId>(t);
  }
  for (const char* t : {"snap-1234abcd", "snap-0123456789abcdef0"}) ExpectRoundTrip<SnapshotId>(t);
  for (const char* t : {"i-1a2b3c4d", "i-1234567890abcdef0"}) ExpectRoundTrip<InstanceId>(t);
  for (const char* t : {"vol-1a2b3c4d", "vol-049df61146c4d7901"}) ExpectRoundTrip<VolumeId>(t);
}

TEST(HexIds, ID_1_ShortAndLongAreDistinct) {
  EXPECT_NE(*ImageId::Parse("ami-12345678"), *ImageId::Parse("ami-00000000012345678"));
}

TEST(HexIds, ID_1_LongFactoryUsesAllSeventeenDigits) {
  EXPECT_EQ(ImageId::Long(0x0123456789abcdefULL, 0xf).ToString(), "ami-f0123456789abcdef");
  EXPECT_EQ(ImageId::Short(0xdeadbeef).ToString(), "ami-deadbeef");
  EXPECT_EQ(*ImageId::Parse("ami-f0123456789abcdef"), ImageId::Long(0x0123456789abcdefULL, 0xf));
}

TEST(ImageId, ID_3_WrongPrefixIsMalformed) {
  EXPECT_THAT(ImageId::Parse("snap-12345678"), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
}
TEST(ImageId, ID_3_LegacyKernelPrefixIsNotAnAmiId) {
  EXPECT_THAT(ImageId::Parse("aki-12345678"), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
}
TEST(ImageId, ID_2_UppercaseHexIsMalformed) {
  EXPECT_THAT(ImageId::Parse("ami-0123456789ABCDEF0"), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
}
TEST(ImageId, ID_2_NonHexIsMalformed) {
  EXPECT_THAT(ImageId::Parse("ami-0123456789abcdefg"), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
}
TEST(ImageId, ID_1_NineDigitsIsMalformed) {
  EXPECT_THAT(ImageId::Parse("ami-123456789"), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
}
TEST(ImageId, ID_1_SixteenDigitsIsMalformed) {
  EXPECT_THAT(ImageId::Parse("ami-0123456789abcdef"), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
}
TEST(ImageId, ID_1_EighteenDigitsIsMalformed) {
  EXPECT_THAT(ImageId::Parse("ami-0123456789abcdef01"), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
}
TEST(ImageId, ID_3_EmptyIsMalformed) {
  EXPECT_THAT(ImageId::Parse(""), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(ImageId::Parse("ami-"), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
}
TEST(ImageId, ID_3_MessageShowsTheFormAndTheInput) {
  EXPECT_THAT(ImageId::Parse("ami-xyz"), MessageHas("`ami-xyz`"));
  EXPECT_THAT(ImageId::Parse("ami-xyz"), MessageHas("ami-xxxxxxxxxxxxxxxxx"));
}
TEST(ImageId, HostileInputIsClippedInTheMessage) {
  const std::string huge(100000, 'a');
  absl::StatusOr<ImageId> id = ImageId::Parse(huge);
  ASSERT_THAT(id, HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_LT(id.status().message().size(), 300u);
  EXPECT_THAT(ImageId::Parse(std::string("ami-\n\x01", 6)), MessageHas("\\x0a"));
}
TEST(SnapshotId, ID_3_MalformedCode) {
  EXPECT_THAT(SnapshotId::Parse("snap-xyz"), HasErrorCode(ErrorCode::kInvalidSnapshotIDMalformed));
  EXPECT_THAT(SnapshotId::Parse("ami-12345678"), HasErrorCode(ErrorCode::kInvalidSnapshotIDMalformed));
}
TEST(InstanceId, ID_3_MalformedCode) {
  EXPECT_THAT(InstanceId::Parse("i-123"), HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
  EXPECT_THAT(InstanceId::Parse("instance-12345678"), HasErrorCode(ErrorCode::kInvalidInstanceIDMalformed));
}
TEST(VolumeId, ID_3_MalformedCode) {
  EXPECT_THAT(VolumeId::Parse("vol-"), HasErrorCode(ErrorCode::kInvalidVolumeIDMalformed));
  EXPECT_THAT(VolumeId::Parse("vol-1234567G"), HasErrorCode(ErrorCode::kInvalidVolumeIDMalformed));
}

TEST(HexIds, HashIsCorrect) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*ImageId::Parse("ami-12345678"), *ImageId::Parse("ami-00000000012345678"),
       *ImageId::Parse("ami-0123456789abcdef0"), *ImageId::Parse("ami-f0123456789abcdef"),
       ImageId::Short(0), ImageId::Long(0)}));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*SnapshotId::Parse("snap-12345678"), *SnapshotId::Parse("snap-0123456789abcdef0")}));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*InstanceId::Parse("i-12345678"), *InstanceId::Parse("i-0123456789abcdef0")}));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*VolumeId::Parse("vol-12345678"), *VolumeId::Parse("vol-0123456789abcdef0")}));
}

TEST(HexIds, OrderIsTheOrderOfTheText) {
  std::vector<std::string> texts = {"ami-ffffffff", "ami-00000001", "ami-0000000100000000f",
                                    "ami-00000000fffffffff", "ami-12345678",
                                    "ami-123456780abcdef00", "ami-12345677fffffffff",
                                    "ami-f0000000000000000", "ami-00000000"};
  std::vector<ImageId> ids;
  for (const std::string& t : texts) ids.push_back(*ImageId::Parse(t));
  std::sort(texts.begin(), texts.end());
  std::sort(ids.begin(), ids.end());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i].ToString(), texts[i]);
}

}  // namespace
}  // namespace ami
