// Tests for Image::Builder, LaunchPermissions, ValidateImageName and
// BlockDeviceMapping::FromSnapshot.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/hash/hash_testing.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/io/proto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"
#include "values/image_access.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::testing::ElementsAre;

constexpr char kOwner[] = "111122223333";

AccountId Account(absl::string_view text) { return *AccountId::Parse(text); }
Region RegionOf(absl::string_view code) { return *Region::Parse(code); }
KmsKeyArn KeyIn(absl::string_view region) {
  return KmsKeyArn::Of(Account(kOwner), RegionOf(region),
                       *KmsKeyId::Parse("1234abcd-12ab-34cd-56ef-1234567890ab"));
}
absl::Time Jan15() {
  return absl::FromCivil(absl::CivilSecond(2024, 1, 15, 10, 20, 30), absl::UTCTimeZone());
}

Snapshot Snap(absl::string_view region = "us-east-1", bool encrypted = false) {
  Snapshot::Builder b;
  b.set_id(*SnapshotId::Parse("snap-0123456789abcdef0"))
      .set_owner(Account(kOwner))
      .set_region(RegionOf(region))
      .set_volume_size_gib(30);
  if (encrypted) b.set_kms_key(KeyIn(region));
  return *b.Build();
}

// A new empty EBS volume of `size_gib`.
BlockDeviceMapping Ebs(std::string device, uint32_t size_gib) {
  return {std::move(device), EbsBlockDevice{std::nullopt, size_gib}, ""};
}

BlockDeviceMapping Ephemeral(std::string device, std::string virtual_name) {
  return {std::move(device), std::nullopt, std::move(virtual_name)};
}

LaunchPermissions SharedWith(std::vector<AccountId> accounts, bool is_public = false) {
  return *LaunchPermissions::Create(std::move(accounts), is_public, {}, {});
}

Image::Builder ValidImage() {
  Image::Builder b;
  b.set_id(*ImageId::Parse("ami-0123456789abcdef0"))
      .set_name("my-image")
      .set_owner(Account(kOwner))
      .set_region(RegionOf("us-east-1"))
      .add_snapshot_mapping("/dev/xvda", Snap());
  return b;
}

// ---- Rejections --------------------------------------------------------------------------------

TEST(ImageBuilder, MissingIdIsMissingParameter) {
  Image::Builder b;
  b.set_name("my-image").set_owner(Account(kOwner)).set_region(RegionOf("us-east-1"));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(ImageBuilder, MissingNameIsMissingParameter) {
  Image::Builder b;
  b.set_id(ImageId::Short(1)).set_owner(Account(kOwner)).set_region(RegionOf("us-east-1"));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(ImageBuilder, MissingOwnerIsMissingParameter) {
  Image::Builder b;
  b.set_id(ImageId::Short(1)).set_name("my-image").set_region(RegionOf("us-east-1"));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(ImageBuilder, MissingRegionIsMissingParameter) {
  Image::Builder b;
  b.set_id(ImageId::Short(1)).set_name("my-image").set_owner(Account(kOwner));
  EXPECT_THAT(b.Build(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(ImageBuilder, ID_17_NameTooShortIsMalformed) {
  EXPECT_THAT(ValidImage().set_name("ab").Build(),
              HasErrorCode(ErrorCode::kInvalidAMINameMalformed));
}

TEST(ImageBuilder, ID_17_NameTooLongIsMalformed) {
  EXPECT_THAT(ValidImage().set_name(std::string(129, 'n')).Build(),
              HasErrorCode(ErrorCode::kInvalidAMINameMalformed));
}

TEST(ImageBuilder, ID_17_NameWithForbiddenCharacterIsMalformed) {
  EXPECT_THAT(ValidImage().set_name("my-image!").Build(),
              HasErrorCode(ErrorCode::kInvalidAMINameMalformed));
}

TEST(ImageBuilder, ID_17_DescriptionOver255CharactersIsInvalidParameterValue) {
  EXPECT_THAT(ValidImage().set_description(std::string(256, 'd')).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, GOV_8_MalformedProductCodeIsInvalidParameterValue) {
  EXPECT_THAT(ValidImage().set_product_codes({ProductCode{"not-a-code"}}).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, REG_8_SnapshotOfAnotherRegionIsInvalidParameterValue) {
  absl::StatusOr<Image> image =
      ValidImage().add_snapshot_mapping("/dev/sdb", Snap("eu-west-1")).Build();
  EXPECT_THAT(image, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(image, MessageHas("eu-west-1"));
}

TEST(ImageBuilder, DuplicateDeviceNameIsInvalidParameterValue) {
  absl::StatusOr<Image> image = ValidImage().add_block_device_mapping(Ebs("/dev/xvda", 10)).Build();
  EXPECT_THAT(image, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(image, MessageHas("/dev/xvda"));
}

TEST(ImageBuilder, CREATE_17_EbsImageWithoutRootMappingIsInvalidParameterValue) {
  EXPECT_THAT(ValidImage().set_block_device_mappings({}).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, CREATE_17_EbsRootNotOnASnapshotIsInvalidParameterValue) {
  EXPECT_THAT(ValidImage().set_block_device_mappings({Ebs("/dev/xvda", 8)}).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, CREATE_17_EbsRootOnInstanceStoreIsInvalidParameterValue) {
  EXPECT_THAT(
      ValidImage().set_block_device_mappings({Ephemeral("/dev/xvda", "ephemeral0")}).Build(),
      HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, MappingThatIsBothEbsAndInstanceStoreIsInvalidCombination) {
  BlockDeviceMapping m = Ebs("/dev/sdb", 10);
  m.virtual_name = "ephemeral0";
  EXPECT_THAT(ValidImage().add_block_device_mapping(m).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
}

TEST(ImageBuilder, MappingThatIsNeitherEbsNorInstanceStoreIsInvalidCombination) {
  EXPECT_THAT(ValidImage().add_block_device_mapping(Ephemeral("/dev/sdb", "")).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
}

TEST(ImageBuilder, MappingWithoutDeviceNameIsInvalidParameterValue) {
  EXPECT_THAT(ValidImage().add_block_device_mapping(Ebs("", 10)).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, EmptyVolumeWithoutSizeIsInvalidParameterValue) {
  EXPECT_THAT(ValidImage().add_block_device_mapping(Ebs("/dev/sdb", 0)).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, VolumeAbove64TiBIsInvalidParameterValue) {
  EXPECT_THAT(ValidImage().add_block_device_mapping(Ebs("/dev/sdb", kMaxVolumeSizeGiB + 1)).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, KMS_12_KeyWithoutEncryptedIsInvalidCombination) {
  BlockDeviceMapping m = Ebs("/dev/sdb", 10);
  m.ebs->kms_key = KeyIn("us-east-1");
  EXPECT_THAT(ValidImage().add_block_device_mapping(m).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
}

TEST(ImageBuilder, REG_9_KeyOfAnotherRegionIsInvalidParameterValue) {
  BlockDeviceMapping m = Ebs("/dev/sdb", 10);
  m.ebs->encrypted = true;
  m.ebs->kms_key = KeyIn("eu-west-1");
  EXPECT_THAT(ValidImage().add_block_device_mapping(m).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, COPY_5_SourceImageAndRegionOneWithoutTheOtherIsInvalidCombination) {
  EXPECT_THAT(ValidImage().set_source_image(ImageId::Short(7), std::nullopt).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(ValidImage().set_source_image(std::nullopt, RegionOf("us-west-2")).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
}

TEST(ImageBuilder, DEREG_8_DisabledImageWithLaunchPermissionsIsInvalidCombination) {
  for (const LaunchPermissions& p : {SharedWith({Account("444455556666")}), SharedWith({}, true)}) {
    EXPECT_THAT(ValidImage().set_state(ImageState::kDisabled).set_launch_permissions(p).Build(),
                HasErrorCode(ErrorCode::kInvalidParameterCombination));
  }
}

TEST(ImageBuilder, SHARE_1_OwnerInOwnLaunchPermissionsIsInvalidParameterValue) {
  EXPECT_THAT(ValidImage().set_launch_permissions(SharedWith({Account(kOwner)})).Build(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ImageBuilder, DEREG_6_CooldownWhileProtectionEnabledIsInvalidCombination) {
  for (const DeregistrationProtection p :
       {DeregistrationProtection::kEnabled, DeregistrationProtection::kEnabledWithCooldown}) {
    EXPECT_THAT(ValidImage()
                    .set_deregistration_protection(p)
                    .set_protection_cooldown_until(Jan15())
                    .Build(),
                HasErrorCode(ErrorCode::kInvalidParameterCombination));
  }
}

// ---- Valid images ------------------------------------------------------------------------------

TEST(ImageBuilder, DefaultsOfAMinimalImage) {
  absl::StatusOr<Image> image = ValidImage().Build();
  ASSERT_THAT(image, IsOk());
  EXPECT_EQ(image->id().ToString(), "ami-0123456789abcdef0");
  EXPECT_EQ(image->name(), "my-image");
  EXPECT_EQ(image->owner().ToString(), kOwner);
  EXPECT_EQ(image->region().code(), "us-east-1");
  EXPECT_EQ(image->state(), ImageState::kAvailable);
  EXPECT_EQ(image->root_device_type(), RootDeviceType::kEbs);
  EXPECT_EQ(image->root_device_name(), "/dev/xvda");
  EXPECT_EQ(image->consistency(), ImageConsistency::kUnknown);
  EXPECT_EQ(image->deregistration_protection(), DeregistrationProtection::kDisabled);
  EXPECT_TRUE(image->launch_permissions().empty());
  EXPECT_FALSE(image->is_public());
  EXPECT_FALSE(image->encrypted());
  EXPECT_THAT(image->snapshot_ids(), ElementsAre(*SnapshotId::Parse("snap-0123456789abcdef0")));
}

TEST(ImageBuilder, GettersReturnWhatWasSet) {
  const LaunchPermissions perms = SharedWith({Account("444455556666")}, true);
  absl::StatusOr<Image> image =
      ValidImage()
          .set_owner_alias(OwnerAlias::kAmazon)
          .set_state(ImageState::kPending)
          .set_state_reason({"Server.InternalError", "boom"})
          .set_creation_time(Jan15())
          .set_architecture(Architecture::kArm64)
          .set_boot_mode(BootMode::kUefi)
          .set_ena_support(false)
          .set_imds_v2_required(true)
          .set_product_codes({ProductCode{"abc123", ProductCodeType::kDevpay}})
          .set_platform_details("Windows")
          .set_usage_operation("RunInstances:0002")
          .set_launch_permissions(perms)
          .set_deprecation_time(Jan15() + absl::Hours(48))
          .set_protection_cooldown_until(Jan15() + absl::Hours(24))
          .set_source_instance(*InstanceId::Parse("i-0123456789abcdef0"))
          .set_source_image(ImageId::Short(7), RegionOf("us-west-2"))
          .set_last_launched_time(Jan15() + absl::Hours(1))
          .Build();
  ASSERT_THAT(image, IsOk());
  EXPECT_EQ(image->owner_alias(), OwnerAlias::kAmazon);
  EXPECT_EQ(image->state_reason().message, "boom");
  EXPECT_EQ(image->creation_time(), Jan15());
  EXPECT_EQ(image->architecture(), Architecture::kArm64);
  EXPECT_EQ(image->boot_mode(), BootMode::kUefi);
  EXPECT_FALSE(image->ena_support());
  EXPECT_TRUE(image->imds_v2_required());
  EXPECT_FALSE(image->has_marketplace_code());
  EXPECT_EQ(image->usage_operation(), "RunInstances:0002");
  EXPECT_EQ(image->launch_permissions(), perms);
  EXPECT_TRUE(image->is_public());
  EXPECT_EQ(image->deprecation_time(), Jan15() + absl::Hours(48));
  EXPECT_EQ(image->protection_cooldown_until(), Jan15() + absl::Hours(24));
  EXPECT_EQ(image->source_instance()->ToString(), "i-0123456789abcdef0");
  EXPECT_EQ(image->source_image(), ImageId::Short(7));
  EXPECT_EQ(image->source_image_region(), RegionOf("us-west-2"));
  EXPECT_EQ(image->last_launched_time(), Jan15() + absl::Hours(1));
}

TEST(ImageBuilder, InstanceStoreImageNeedsNoSnapshotRoot) {
  absl::StatusOr<Image> image =
      ValidImage()
          .set_root_device_type(RootDeviceType::kInstanceStore)
          .set_root_device_name("/dev/sda1")
          .set_block_device_mappings({Ephemeral("/dev/sdb", "ephemeral0")})
          .Build();
  ASSERT_THAT(image, IsOk());
  EXPECT_TRUE(image->snapshot_ids().empty());
}

TEST(ImageBuilder, EncryptedMappingWithKeyInRegionBuilds) {
  absl::StatusOr<Image> image = ValidImage()
                                    .set_block_device_mappings({})
                                    .add_snapshot_mapping("/dev/xvda", Snap("us-east-1", true))
                                    .add_block_device_mapping(Ebs("/dev/sdb", kMaxVolumeSizeGiB))
                                    .Build();
  ASSERT_THAT(image, IsOk());
  EXPECT_TRUE(image->encrypted());
  EXPECT_EQ(image->block_device_mappings()[0].ebs->kms_key, KeyIn("us-east-1"));
}

TEST(ImageBuilder, CREATE_4_ConsistencyIsReadBack) {
  for (const ImageConsistency c :
       {ImageConsistency::kFileSystemConsistent, ImageConsistency::kCrashConsistent}) {
    absl::StatusOr<Image> image = ValidImage().set_consistency(c).Build();
    ASSERT_THAT(image, IsOk());
    EXPECT_EQ(image->consistency(), c);
  }
  EXPECT_EQ(ToString(ImageConsistency::kFileSystemConsistent), "file-system-consistent");
  EXPECT_EQ(ToString(ImageConsistency::kCrashConsistent), "crash-consistent");
  EXPECT_EQ(ParseEnum<ImageConsistency>("crash-consistent").value_or(ImageConsistency::kUnknown),
            ImageConsistency::kCrashConsistent);
}

TEST(ImageBuilder, ToBuilderRoundTripsToAnEqualImage) {
  absl::StatusOr<Image> image =
      ValidImage().set_consistency(ImageConsistency::kCrashConsistent).set_description("d").Build();
  ASSERT_THAT(image, IsOk());
  absl::StatusOr<Image> again = image->ToBuilder().Build();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *image);
}

TEST(ImageBuilder, EachChangedFieldMakesAnUnequalImage) {
  const Image base = *ValidImage().Build();
  using Change = std::function<void(Image::Builder&)>;
  const std::vector<Change> changes = {
      [](Image::Builder& b) { b.set_name("other-name"); },
      [](Image::Builder& b) { b.set_state(ImageState::kDeregistered); },
      [](Image::Builder& b) { b.set_consistency(ImageConsistency::kFileSystemConsistent); },
      [](Image::Builder& b) { b.set_consistency(ImageConsistency::kCrashConsistent); },
      [](Image::Builder& b) { b.set_launch_permissions(SharedWith({}, true)); },
      [](Image::Builder& b) { b.set_deprecation_time(Jan15()); },
      [](Image::Builder& b) {
        b.set_deregistration_protection(DeregistrationProtection::kEnabled);
      },
      [](Image::Builder& b) { b.set_last_launched_time(Jan15()); },
      [](Image::Builder& b) { b.add_block_device_mapping(Ephemeral("/dev/sdb", "ephemeral0")); },
      [](Image::Builder& b) { b.set_tags(*TagSet::Create({*Tag::Create("k", "v")})); },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    Image::Builder b = base.ToBuilder();
    changes[i](b);
    absl::StatusOr<Image> changed = b.Build();
    ASSERT_THAT(changed, IsOk()) << "change " << i;
    EXPECT_NE(*changed, base) << "change " << i;
  }
}

// ---- ValidateImageName, LaunchPermissions, FromSnapshot ---------------------------------------

TEST(ValidateImageName, ID_17_AcceptsTheDocumentedAlphabet) {
  for (const std::string& name : {std::string("abc"), std::string(128, 'x'),
                                  std::string("My AMI (v1) [x86] 2024.01/prod-'a'@b_c")}) {
    EXPECT_THAT(ValidateImageName(name), IsOk()) << name;
  }
}

TEST(ValidateImageName, ID_17_RejectsBadNamesAsMalformed) {
  for (const std::string& name :
       {std::string(""), std::string("ab"), std::string(129, 'x'), std::string("name#1"),
        std::string("a,b,c"), std::string("caf\xc3\xa9"), std::string("tab\tname")}) {
    EXPECT_THAT(ValidateImageName(name), HasErrorCode(ErrorCode::kInvalidAMINameMalformed)) << name;
  }
}

TEST(LaunchPermissions, CreateSortsAndDeduplicates) {
  const AccountId a = Account("999999999999"), b = Account("012345678901");
  absl::StatusOr<LaunchPermissions> p = LaunchPermissions::Create({a, b, a}, false, {}, {});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->accounts(), ElementsAre(b, a));
  EXPECT_EQ(p->entity_count(), 2u);
  EXPECT_TRUE(p->HasAccount(a));
  EXPECT_FALSE(p->HasAccount(Account(kOwner)));
  EXPECT_FALSE(p->empty());
}

TEST(LaunchPermissions, SHARE_7_OrganizationsAndUnitsCountAsEntities) {
  const OrganizationArn org =
      *OrganizationArn::Parse("arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5");
  const OrganizationalUnitArn ou = *OrganizationalUnitArn::Parse(
      "arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-11111111");
  absl::StatusOr<LaunchPermissions> p = LaunchPermissions::Create({}, true, {org, org}, {ou});
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(p->organizations(), ElementsAre(org));
  EXPECT_THAT(p->organizational_units(), ElementsAre(ou));
  EXPECT_EQ(p->entity_count(), 2u);
  EXPECT_TRUE(p->is_public());
}

std::vector<AccountId> Accounts(uint64_t n) {
  std::vector<AccountId> out;
  for (uint64_t i = 0; i < n; ++i) out.push_back(AccountId::FromNumber(500000000000 + i));
  return out;
}

TEST(LaunchPermissions, SHARE_9_ThousandEntitiesAreAllowed) {
  absl::StatusOr<LaunchPermissions> p = LaunchPermissions::Create(Accounts(1000), true, {}, {});
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->entity_count(), 1000u);
}

TEST(LaunchPermissions, SHARE_9_MoreThanThousandEntitiesIsResourceLimitExceeded) {
  EXPECT_THAT(LaunchPermissions::Create(Accounts(1001), false, {}, {}),
              HasErrorCode(ErrorCode::kResourceLimitExceeded));
}

TEST(LaunchPermissions, SHARE_9_DuplicatesDoNotCountTowardsTheLimit) {
  std::vector<AccountId> accounts = Accounts(1000);
  accounts.push_back(accounts.front());
  EXPECT_THAT(LaunchPermissions::Create(accounts, false, {}, {}), IsOk());
}

TEST(BlockDeviceMapping, FromEncryptedSnapshotCopiesSizeAndKey) {
  const BlockDeviceMapping m =
      BlockDeviceMapping::FromSnapshot("/dev/sdf", Snap("us-east-1", true));
  EXPECT_EQ(m.device_name, "/dev/sdf");
  ASSERT_TRUE(m.ebs.has_value());
  EXPECT_EQ(m.ebs->snapshot_id, *SnapshotId::Parse("snap-0123456789abcdef0"));
  EXPECT_EQ(m.ebs->volume_size_gib, 30u);
  EXPECT_TRUE(m.ebs->encrypted);
  EXPECT_EQ(m.ebs->kms_key, KeyIn("us-east-1"));
  EXPECT_TRUE(m.virtual_name.empty());
}

TEST(BlockDeviceMapping, FromUnencryptedSnapshotHasNoKey) {
  const BlockDeviceMapping m = BlockDeviceMapping::FromSnapshot("/dev/sdf", Snap());
  ASSERT_TRUE(m.ebs.has_value());
  EXPECT_FALSE(m.ebs->encrypted);
  EXPECT_FALSE(m.ebs->kms_key.has_value());
}

TEST(ImageHash, EqualImagesHashEquallyAndEachFieldCounts) {
  const Image base = *ValidImage().Build();
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({
      base,
      *base.ToBuilder().set_name("another-name").Build(),
      *base.ToBuilder().set_description("changed").Build(),
      *base.ToBuilder().set_state(ImageState::kPending).Build(),
      *base.ToBuilder().set_consistency(ImageConsistency::kCrashConsistent).Build(),
      *base.ToBuilder().set_imds_v2_required(true).Build(),
      *base.ToBuilder().set_deprecation_time(absl::FromUnixSeconds(1900000000)).Build(),
      *base.ToBuilder().set_launch_permissions(*LaunchPermissions::Create({}, true, {}, {})).Build(),
  }));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {LaunchPermissions(), *LaunchPermissions::Create({}, true, {}, {}),
       *LaunchPermissions::Create({*AccountId::Parse("444455556666")}, false, {}, {})}));
}

// ---- Values ------------------------------------------------------------------------------------

// A builder made from an image changes its own copy; the image and its other copies keep theirs.
TEST(ImageValue, BuilderChangesDoNotReachTheImage) {
  const Image original = *ValidImage().set_description("first").Build();
  const Image copy = original;
  Image::Builder b = original.ToBuilder();
  b.set_name("renamed").set_description("second").set_platform("windows");
  const Image changed = *b.Build();
  b.set_description("third");
  const Image again = *b.Build();
  EXPECT_EQ(original.name(), "my-image");
  EXPECT_EQ(original.description(), "first");
  EXPECT_EQ(original.platform(), "");
  EXPECT_EQ(copy, original);
  EXPECT_EQ(changed.name(), "renamed");
  EXPECT_EQ(changed.description(), "second");
  EXPECT_EQ(again.description(), "third");
  EXPECT_EQ(again.platform(), "windows");
  EXPECT_NE(changed, original);
  EXPECT_NE(again, changed);
}

// Equality and hashing see every field, those the copies share as well as their own.
TEST(ImageValue, EqualityAndHashSeeSharedAndOwnFields) {
  const Image a = *ValidImage().Build();
  const Image b = *ValidImage().Build();
  EXPECT_EQ(a, b);
  EXPECT_EQ(absl::HashOf(a), absl::HashOf(b));
  const Image other_name = *a.ToBuilder().set_name("other-name").Build();
  const Image other_sharing = *a.ToBuilder().set_launch_permissions(SharedWith({Account("444455556666")})).Build();
  EXPECT_NE(a, other_name);
  EXPECT_NE(a, other_sharing);
  EXPECT_NE(absl::HashOf(a), absl::HashOf(other_name));
}

// A moved-from image is still readable.
TEST(ImageValue, MovedFromImageStaysReadable) {
  Image a = *ValidImage().Build();
  const Image b = std::move(a);
  EXPECT_EQ(b.name(), "my-image");
  EXPECT_EQ(a.name(), "my-image");  // NOLINT(bugprone-use-after-move): the point of the test.
  EXPECT_EQ(a.block_device_mappings().size(), 1u);
}

// The field-by-field copies of ModifyImageAttribute and DescribeImages keep every field they do
// not mean to change: an image with every field set comes back equal.
TEST(ImageValue, DirectDerivationsKeepEveryOtherField) {
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  const Image full = *ValidImage()
                          .set_description("every field set")
                          .set_owner_alias(OwnerAlias::kAmazon)
                          .set_state(ImageState::kAvailable)
                          .set_state_reason({"Client.Reason", "a reason"})
                          .set_imds_v2_required(true)
                          .set_launch_permissions(SharedWith({Account("444455556666")}, true))
                          .set_deprecation_time(t + absl::Hours(24))
                          .set_deregistration_protection(DeregistrationProtection::kDisabled)
                          .set_protection_cooldown_until(t + absl::Hours(1))
                          .set_last_launched_time(t)
                          .set_tags(*TagSet::Create({*Tag::Create("team", "platform")}))
                          .Build();
  const absl::StatusOr<std::shared_ptr<const Image>> same =
      internal::ImageAccess::WithLaunchPermissions(full, full.launch_permissions(),
                                                   full.deprecation_time());
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(**same, full);
  const Image view = internal::ImageAccess::ViewForOthers(full, TagSet());
  const Image expected = *full.ToBuilder()
                              .set_tags(TagSet())
                              .set_launch_permissions(SharedWith({}, true))
                              .set_protection_cooldown_until(std::nullopt)
                              .set_last_launched_time(std::nullopt)
                              .Build();
  EXPECT_EQ(view, expected);
  // An infinite deprecation time is refused, as Build() refuses it.
  EXPECT_FALSE(internal::ImageAccess::WithLaunchPermissions(full, full.launch_permissions(),
                                                            absl::InfiniteFuture())
                   .ok());
}

}  // namespace
}  // namespace ami
