// CopyImage (COPY-1 … 19, REG-3, REG-4, REG-9, KMS-3, KMS-12) and KMS key use (KMS-1 … 7, 14, 15),
// through the Cloud and the policy engine's preflight. Each rule has a test where it allows and
// one where it denies; every rejected call is checked to leave the cloud's state unchanged.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::AllowsBy;
using ::ami::testing::HasErrorCode;
using ::ami::testing::HasReason;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::ami::testing::Must;

// The state reason code of a copy that fails later (MC-29).
constexpr absl::string_view kKeyRevoked = "Client.CustomerKeyHasBeenRevoked";

KeyPolicyStatement Statement(std::vector<AccountId> accounts, KmsActions actions,
                             KeyPolicyStatement::Effect effect = KeyPolicyStatement::Effect::kAllow) {
  KeyPolicyStatement s;
  s.sid = effect == KeyPolicyStatement::Effect::kAllow ? "allow" : "deny";
  s.effect = effect;
  s.accounts = std::move(accounts);
  s.actions = actions;
  return s;
}

// The shared cloud, under the names these tests use: accounts A (source owner), B (a recipient)
// and C (a third party), and Regions east (us-east-1) and west (eu-west-1).
class CloudFixture : public testing::CloudFixture {
 protected:
  const AccountId& a_ = owner;
  const AccountId& b_ = b;
  const AccountId& c_ = c;
  const Region& east_ = east;
  const Region& west_ = west;
  std::unique_ptr<Cloud>& cloud_ = cloud;

  static CallContext Ctx(AccountId account, Region region) { return CallContext{account, region}; }

  Snapshot SeedSnapshot(AccountId who, Region region, std::optional<KmsKeyArn> key = std::nullopt,
                        CreateVolumePermissions permissions = {}) {
    Snapshot::Builder builder = NewSnapshot(who, region);
    builder.set_kms_key(std::move(key)).set_create_volume_permissions(std::move(permissions));
    return Import(builder);
  }

  // An available image of `snapshots` (the first is the root); `customize` may set more.
  ImageId SeedImage(AccountId who, Region region, std::string name, const std::vector<Snapshot>& snapshots,
                    const std::function<void(Image::Builder&)>& customize = nullptr) {
    static const char* const kDevices[] = {"/dev/xvda", "/dev/sdb", "/dev/sdc"};
    Image::Builder builder = NewImage(who, snapshots.front());
    builder.set_name(std::move(name)).set_region(region);
    for (size_t i = 1; i < snapshots.size(); ++i) builder.add_snapshot_mapping(kDevices[i], snapshots[i]);
    if (customize) customize(builder);
    return Import(builder);
  }

  // A's image in east whose snapshots (encrypted under `key` when given) are shared with B, as is
  // the image itself.
  ImageId SeedSharedWithB(std::string name, std::optional<KmsKeyArn> key = std::nullopt) {
    const Snapshot root = SeedSnapshot(a_, east_, key, {{b_}, false});
    return SeedImage(a_, east_, std::move(name), {root}, [&](Image::Builder& b) {
      b.set_launch_permissions(Must(LaunchPermissions::Create({b_}, false, {}, {})));
    });
  }

  // A key of A in east whose policy lets B use it for shared encrypted images (KMS-6).
  KmsKeyArn KeySharedWithB() { return NewKey(a_, east_, {Statement({b_}, EbsRequiredKmsActions())}); }

  static CopyImageRequest Req(ImageId source, Region source_region, std::string name) {
    CopyImageRequest r;
    r.source_image_id = source.ToString();
    r.source_region = source_region.ToString();
    r.name = std::move(name);
    return r;
  }

  Decision Preflight(AccountId caller, Region destination, Region source_region, ImageId source,
                     std::string name, std::optional<bool> encrypted = std::nullopt,
                     std::optional<KmsKeyArn> key = std::nullopt, policy::CopyPlan* plan = nullptr) {
    policy::CopyQuestion q{caller, destination, source_region, source, std::move(name), encrypted,
                           std::nullopt};
    if (key.has_value()) q.kms_key = KmsKeyRef::FromArn(*key);
    return cloud_->Evaluate([&](const StateView& v) { return policy::EvaluateCopy(v, q, plan); });
  }

  Decision KeyUse(AccountId principal, const KmsKeyArn& key, KmsActions actions) {
    return cloud_->Evaluate(
        [&](const StateView& v) { return policy::EvaluateKeyUse(v, principal, key, actions); });
  }

  // The image after its pending work is done.
  Image Completed(ImageId id) {
    cloud_->AdvanceClock(absl::Minutes(15));
    return *cloud_->GetImage(id);
  }
  Snapshot SnapshotOf(const Image& image, size_t i = 0) const {
    return *cloud_->GetSnapshot(image.snapshot_ids().at(i));
  }

  // Copies and completes; the copy as it ends up.
  Image CopyAndComplete(AccountId caller, Region destination, const CopyImageRequest& r) {
    const absl::StatusOr<ImageId> id = cloud_->CopyImage(Ctx(caller, destination), r);
    EXPECT_THAT(id, IsOk());
    return Completed(Must(id));
  }

  // Checks that a copy failed later (MC-29): image failed with the revoked-key reason, snapshots error.
  void ExpectFailedLater(ImageId id) {
    EXPECT_EQ(cloud_->GetImage(id)->state(), ImageState::kPending);
    const Image done = Completed(id);
    EXPECT_EQ(done.state(), ImageState::kFailed);
    EXPECT_EQ(done.state_reason().code, kKeyRevoked);
    EXPECT_FALSE(done.state_reason().message.empty());
    for (const SnapshotId sid : done.snapshot_ids()) {
      EXPECT_EQ(cloud_->GetSnapshot(sid)->state(), SnapshotState::kError);
    }
  }

};

class CopyImage : public CloudFixture {};
class KmsKeyUse : public CloudFixture {};

// ---- COPY-1: called in the destination Region; pending, then available; stoppable ----

TEST_F(CopyImage, COPY_1_CopyCalledInDestinationIsPendingThenAvailable) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  const absl::StatusOr<ImageId> copy = cloud_->CopyImage(Ctx(a_, west_), Req(src, east_, "web"));
  ASSERT_THAT(copy, IsOk());
  const Image pending = *cloud_->GetImage(*copy);
  EXPECT_EQ(pending.state(), ImageState::kPending);
  EXPECT_EQ(pending.region(), west_);
  EXPECT_EQ(SnapshotOf(pending).state(), SnapshotState::kPending);
  const Image done = Completed(*copy);
  EXPECT_EQ(done.state(), ImageState::kAvailable);
  EXPECT_EQ(SnapshotOf(done).state(), SnapshotState::kCompleted);
  EXPECT_EQ(SnapshotOf(done).region(), west_);
}

TEST_F(CopyImage, COPY_1_SourceImageMustBeInTheSourceRegion) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, west_), Req(src, west_, "web")),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, COPY_1_PendingCopyCannotBeCopiedYet) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  const ImageId copy = Must(cloud_->CopyImage(Ctx(a_, west_), Req(src, east_, "web")));
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, west_), Req(copy, west_, "web-2")),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, COPY_1_DeregisteringPendingCopyStopsIt) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  const ImageId copy = Must(cloud_->CopyImage(Ctx(a_, west_), Req(src, east_, "web")));
  const SnapshotId copy_snapshot = cloud_->GetImage(copy)->snapshot_ids().at(0);
  ASSERT_THAT(cloud_->DeregisterImage(Ctx(a_, west_), copy.ToString()), IsOk());
  const Image stopped = Completed(copy);
  EXPECT_EQ(stopped.state(), ImageState::kDeregistered);
  EXPECT_FALSE(cloud_->GetSnapshot(copy_snapshot).has_value());
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, west_), Req(src, east_, "web")), IsOk());  // Name is free.
}

// ---- COPY-2: same-Region copies ----

TEST_F(CopyImage, COPY_2_SameRegionCopyIsAllowed) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  EXPECT_TRUE(AllowsBy(Preflight(a_, east_, east_, src, "web-copy"), "COPY-3"));
  const Image copy = CopyAndComplete(a_, east_, Req(src, east_, "web-copy"));
  EXPECT_NE(copy.id(), src);
  EXPECT_EQ(copy.region(), east_);
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
  EXPECT_EQ(cloud_->GetImage(src)->state(), ImageState::kAvailable);
}

TEST_F(CopyImage, COPY_2_SameRegionCopyCannotReuseTheSourceName) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  EXPECT_TRUE(HasReason(Preflight(a_, east_, east_, src, "web"), "REG-6",
                        ErrorCode::kInvalidAMINameDuplicate, false));
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, east_), Req(src, east_, "web")),
              HasErrorCode(ErrorCode::kInvalidAMINameDuplicate));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

// ---- COPY-3: the caller owns the copy ----

TEST_F(CopyImage, COPY_3_CallerOwnsTheCopyIncludingCrossAccount) {
  const ImageId src = SeedSharedWithB("web");
  EXPECT_EQ(CopyAndComplete(a_, east_, Req(src, east_, "web-a")).owner(), a_);
  policy::CopyPlan plan;
  EXPECT_TRUE(AllowsBy(Preflight(b_, east_, east_, src, "web-b", std::nullopt, std::nullopt, &plan),
                       "COPY-3"));
  EXPECT_EQ(plan.owner, b_);
  const Image copy = CopyAndComplete(b_, east_, Req(src, east_, "web-b"));
  EXPECT_EQ(copy.owner(), b_);
  EXPECT_EQ(SnapshotOf(copy).owner(), b_);
  EXPECT_EQ(copy.owner_alias(), OwnerAlias::kNone);
}

TEST_F(CopyImage, COPY_3_SourceOwnerHasNoControlOverTheCopy) {
  const ImageId src = SeedSharedWithB("web");
  const Image copy = CopyAndComplete(b_, east_, Req(src, east_, "web-b"));
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->DeregisterImage(Ctx(a_, east_), copy.id().ToString()),
              HasErrorCode(ErrorCode::kAuthFailure));
  ModifyImageAttributeRequest share{copy.id().ToString()};
  share.add.push_back({c_.ToString()});
  EXPECT_THAT(cloud_->ModifyImageAttribute(Ctx(a_, east_), share), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

// ---- COPY-4: launch permissions and tags ----

TEST_F(CopyImage, COPY_4_OwnTagsCopiedOnRequestAndTagSpecificationsApplied) {
  const TagSet tags = Must(TagSet::Create({Must(Tag::Create("team", "web")),
                                           Must(Tag::Create("aws:cloudformation:stack-name", "s"))}));
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)}, [&](Image::Builder& b) {
    b.set_tags(tags);
    b.set_launch_permissions(Must(LaunchPermissions::Create({b_}, false, {}, {})));
  });
  ASSERT_THAT(cloud_->CreateTags(Ctx(b_, east_), {src.ToString()}, {{"mine", "b"}}), IsOk());
  CopyImageRequest r = Req(src, east_, "web");
  r.copy_image_tags = true;
  r.tag_specifications = {{"image", {{"env", "prod"}}}, {"snapshot", {{"kind", "root"}}}};
  const Image copy = CopyAndComplete(a_, west_, r);
  EXPECT_EQ(copy.tags().Find("team"), "web");
  EXPECT_EQ(copy.tags().Find("env"), "prod");
  EXPECT_FALSE(copy.tags().Find("aws:cloudformation:stack-name").has_value());  // System tag.
  EXPECT_FALSE(copy.tags().Find("mine").has_value());  // Another account's tag.
  EXPECT_EQ(SnapshotOf(copy).tags().Find("kind"), "root");
  EXPECT_FALSE(SnapshotOf(copy).tags().Find("env").has_value());
}

TEST_F(CopyImage, COPY_4_CopiedAndRequestedTagsBeyondFiftyAreRejected) {
  std::vector<Tag> fifty;
  for (int i = 0; i < 50; ++i) fifty.push_back(Must(Tag::Create(absl::StrCat("k", i), "v")));
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)},
                                [&](Image::Builder& b) { b.set_tags(Must(TagSet::Create(fifty))); });
  CopyImageRequest r = Req(src, east_, "web-1");
  r.copy_image_tags = true;
  r.tag_specifications = {{"image", {{"k0", "replaced"}}}};
  ASSERT_THAT(cloud_->CopyImage(Ctx(a_, east_), r), IsOk());  // Fifty still.
  r.name = "web-2";
  r.tag_specifications = {{"image", {{"k50", "v"}}}};
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, east_), r), HasErrorCode(ErrorCode::kTagLimitExceeded));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, COPY_4_LaunchPermissionsAndTagsAreNotCopiedByDefault) {
  const Snapshot root = SeedSnapshot(a_, east_, std::nullopt, {{b_}, false});
  const ImageId src = SeedImage(a_, east_, "web", {root}, [&](Image::Builder& b) {
    b.set_launch_permissions(Must(LaunchPermissions::Create({b_}, true, {}, {})));
    b.set_tags(Must(TagSet::Create({Must(Tag::Create("team", "web"))})));
  });
  const Image copy = CopyAndComplete(a_, east_, Req(src, east_, "web-copy"));
  EXPECT_TRUE(copy.launch_permissions().empty());
  EXPECT_EQ(SnapshotOf(copy).create_volume_permissions(), CreateVolumePermissions{});
  EXPECT_TRUE(copy.tags().empty());
  RunInstancesRequest run;
  run.image_id = copy.id().ToString();
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->RunInstances(Ctx(b_, east_), run), HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, COPY_4_CopyImageTagsNeverCopiesAcrossAccounts) {
  const ImageId src = SeedSharedWithB("web");
  ASSERT_THAT(cloud_->CreateTags(Ctx(a_, east_), {src.ToString()}, {{"team", "web"}}), IsOk());
  ASSERT_THAT(cloud_->CreateTags(Ctx(b_, east_), {src.ToString()}, {{"mine", "b"}}), IsOk());
  CopyImageRequest r = Req(src, east_, "web-b");
  r.copy_image_tags = true;
  r.tag_specifications = {{"image", {{"env", "dev"}}}};
  const Image copy = CopyAndComplete(b_, east_, r);
  EXPECT_FALSE(copy.tags().Find("team").has_value());
  EXPECT_FALSE(copy.tags().Find("mine").has_value());
  EXPECT_EQ(copy.tags().Find("env"), "dev");
  EXPECT_EQ(copy.tags().size(), 1u);
}

TEST_F(CopyImage, COPY_4_TagSpecificationOfOtherResourceTypeIsInvalid) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  CopyImageRequest r = Req(src, east_, "web");
  r.tag_specifications = {{"instance", {{"env", "prod"}}}};
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, west_), r), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

// ---- COPY-5: lifecycle attributes are not copied; the source is recorded ----

TEST_F(CopyImage, COPY_5_CopyRecordsItsSourceAndItsOwnCreationDate) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  cloud_->AdvanceClock(absl::Hours(1));
  const absl::Time called = cloud_->Now();
  const Image copy = CopyAndComplete(a_, west_, Req(src, east_, "web"));
  EXPECT_EQ(copy.source_image(), src);
  EXPECT_EQ(copy.source_image_region(), east_);
  EXPECT_EQ(copy.creation_time(), called);
}

TEST_F(CopyImage, COPY_5_DeprecationProtectionAndLastLaunchedAreNotCopied) {
  const absl::Time deprecate = cloud_->Now() + absl::Hours(24 * 30);
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)}, [&](Image::Builder& b) {
    b.set_deprecation_time(deprecate)
        .set_deregistration_protection(DeregistrationProtection::kEnabled)
        .set_last_launched_time(cloud_->Now() - absl::Hours(2));
  });
  const Image copy = CopyAndComplete(a_, east_, Req(src, east_, "web-copy"));
  EXPECT_FALSE(copy.deprecation_time().has_value());
  EXPECT_EQ(copy.deregistration_protection(), DeregistrationProtection::kDisabled);
  EXPECT_FALSE(copy.last_launched_time().has_value());
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->DeregisterImage(Ctx(a_, east_), src.ToString()),
              HasErrorCode(ErrorCode::kOperationNotPermitted));  // The source stays protected.
  EXPECT_TRUE(cloud_->StateEquals(*before));
  EXPECT_THAT(cloud_->DeregisterImage(Ctx(a_, east_), copy.id().ToString()), IsOk());
}

// ---- COPY-6: launch permission and snapshot read permission ----

TEST_F(CopyImage, COPY_6_SharedImageWithSharedSnapshotsCanBeCopied) {
  const ImageId src = SeedSharedWithB("web");
  EXPECT_TRUE(Preflight(b_, east_, east_, src, "web-b").allowed());
  EXPECT_EQ(CopyAndComplete(b_, east_, Req(src, east_, "web-b")).state(), ImageState::kAvailable);
}

TEST_F(CopyImage, COPY_6_NoLaunchPermissionIsNotFound) {
  // Without launch permission the image is invisible to the caller (DESC-1).
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_, std::nullopt, {{b_}, false})});
  EXPECT_TRUE(HasReason(Preflight(b_, east_, east_, src, "web-b"), "COPY-6",
                        ErrorCode::kInvalidAMIIDNotFound, false));
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(b_, east_), Req(src, east_, "web-b")),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, COPY_6_EverySnapshotMustBeReadable) {
  const Snapshot root = SeedSnapshot(a_, east_, std::nullopt, {{b_}, false});
  const Snapshot data = SeedSnapshot(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {root, data}, [&](Image::Builder& b) {
    b.set_launch_permissions(Must(LaunchPermissions::Create({b_}, false, {}, {})));
  });
  EXPECT_TRUE(HasReason(Preflight(b_, east_, east_, src, "web-b"), "COPY-6", ErrorCode::kAuthFailure, false));
  auto before = cloud_->Fork();
  const absl::StatusOr<ImageId> denied = cloud_->CopyImage(Ctx(b_, east_), Req(src, east_, "web-b"));
  EXPECT_THAT(denied, HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_THAT(denied, MessageHas("permission to access the storage"));
  EXPECT_TRUE(cloud_->StateEquals(*before));
  ASSERT_THAT(cloud_->ModifySnapshotAttribute(Ctx(a_, east_),
                                              {data.id().ToString(), "add", {b_.ToString()}, {}}),
              IsOk());
  EXPECT_THAT(cloud_->CopyImage(Ctx(b_, east_), Req(src, east_, "web-b")), IsOk());
}

TEST_F(CopyImage, COPY_6_PublicImageWithPrivateSnapshotsLaunchesButCannotBeCopied) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)}, [&](Image::Builder& b) {
    b.set_launch_permissions(Must(LaunchPermissions::Create({}, true, {}, {})));
  });
  RunInstancesRequest run;
  run.image_id = src.ToString();
  EXPECT_THAT(cloud_->RunInstances(Ctx(b_, east_), run), IsOk());
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(b_, east_), Req(src, east_, "web-b")),
              HasErrorCode(ErrorCode::kAuthFailure));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, COPY_6_PublicImageWithPublicSnapshotsCanBeCopied) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_, std::nullopt, {{}, true})},
                                [&](Image::Builder& b) {
                                  b.set_launch_permissions(Must(LaunchPermissions::Create({}, true, {}, {})));
                                });
  const Image copy = CopyAndComplete(c_, west_, Req(src, east_, "web-c"));
  EXPECT_EQ(copy.owner(), c_);
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
}

// ---- COPY-7: an encrypted source cannot become unencrypted ----

TEST_F(CopyImage, COPY_7_EncryptedSourceCannotBecomeUnencrypted) {
  const KmsKeyArn key = NewKey(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_, key)});
  EXPECT_TRUE(HasReason(Preflight(a_, east_, east_, src, "web-plain", false), "COPY-7",
                        ErrorCode::kInvalidRequest, false));
  CopyImageRequest r = Req(src, east_, "web-plain");
  r.encrypted = false;
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, east_), r), HasErrorCode(ErrorCode::kInvalidRequest));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, COPY_7_UnencryptedSourceMayStayPlainOrBecomeEncrypted) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  CopyImageRequest plain = Req(src, east_, "web-plain");
  plain.encrypted = false;
  const Image plain_copy = CopyAndComplete(a_, east_, plain);
  EXPECT_FALSE(SnapshotOf(plain_copy).encrypted());
  EXPECT_FALSE(plain_copy.encrypted());
  CopyImageRequest enc = Req(src, east_, "web-enc");
  enc.encrypted = true;
  const Image enc_copy = CopyAndComplete(a_, east_, enc);
  EXPECT_EQ(enc_copy.state(), ImageState::kAvailable);
  EXPECT_TRUE(SnapshotOf(enc_copy).encrypted());
  EXPECT_TRUE(enc_copy.block_device_mappings()[0].ebs->encrypted);
}

// ---- COPY-8: which key a copy gets by default ----

TEST_F(CopyImage, COPY_8_OwnedEncryptedSourceKeepsItsKeyInSameRegion) {
  const KmsKeyArn key = NewKey(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_, key)});
  EXPECT_EQ(SnapshotOf(CopyAndComplete(a_, east_, Req(src, east_, "web-1"))).kms_key(), key);
  CopyImageRequest r = Req(src, east_, "web-2");
  r.encrypted = true;
  EXPECT_EQ(SnapshotOf(CopyAndComplete(a_, east_, r)).kms_key(), key);
}

TEST_F(CopyImage, COPY_8_SharedEncryptedSourceDoesNotKeepTheOwnersKey) {
  const KmsKeyArn key = KeySharedWithB();
  const ImageId src = SeedSharedWithB("web", key);
  CopyImageRequest plain = Req(src, east_, "web-b");
  plain.encrypted = false;
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(b_, east_), plain), HasErrorCode(ErrorCode::kInvalidRequest));
  EXPECT_TRUE(cloud_->StateEquals(*before));
  policy::CopyPlan plan;
  EXPECT_TRUE(Preflight(b_, east_, east_, src, "web-b", std::nullopt, std::nullopt, &plan).allowed());
  ASSERT_EQ(plan.snapshots.size(), 1u);
  EXPECT_EQ(plan.snapshots[0].key, DefaultKey(b_, east_));
  const Image copy = CopyAndComplete(b_, east_, Req(src, east_, "web-b"));
  EXPECT_NE(SnapshotOf(copy).kms_key(), key);
  EXPECT_EQ(SnapshotOf(copy).kms_key(), DefaultKey(b_, east_));
  EXPECT_EQ(copy.block_device_mappings()[0].ebs->kms_key, DefaultKey(b_, east_));
}

TEST_F(CopyImage, COPY_8_EncryptedWithoutKeyUsesTheDefaultKeyForUnencryptedSource) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  CopyImageRequest r = Req(src, east_, "web-1");
  r.encrypted = true;
  EXPECT_EQ(SnapshotOf(CopyAndComplete(a_, east_, r)).kms_key(), DefaultKey(a_, east_));
  const KmsKeyArn cmk = NewKey(a_, east_);
  ASSERT_THAT(cloud_->ModifyEbsDefaultKmsKeyId(Ctx(a_, east_), cmk.ToString()), IsOk());
  r.name = "web-2";
  EXPECT_EQ(SnapshotOf(CopyAndComplete(a_, east_, r)).kms_key(), cmk);
}

TEST_F(CopyImage, COPY_8_KmsKeyIdReencryptsEverySnapshot) {
  const KmsKeyArn old_key = NewKey(a_, east_);
  const KmsKeyArn new_key = NewKey(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web",
                                {SeedSnapshot(a_, east_), SeedSnapshot(a_, east_, old_key)});
  CopyImageRequest r = Req(src, east_, "web-rekeyed");
  r.encrypted = true;
  r.kms_key_id = new_key.ToString();
  const Image copy = CopyAndComplete(a_, east_, r);
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
  EXPECT_EQ(SnapshotOf(copy, 0).kms_key(), new_key);
  EXPECT_EQ(SnapshotOf(copy, 1).kms_key(), new_key);
}

// ---- COPY-9: cross-Region encrypted copies use a destination key ----

TEST_F(CopyImage, COPY_9_CrossRegionEncryptedCopyUsesTheDestinationDefaultKey) {
  const KmsKeyArn key = NewKey(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_, key)});
  EXPECT_EQ(SnapshotOf(CopyAndComplete(a_, west_, Req(src, east_, "web-1"))).kms_key(),
            DefaultKey(a_, west_));
  const KmsKeyArn west_cmk = NewKey(a_, west_);
  ASSERT_THAT(cloud_->ModifyEbsDefaultKmsKeyId(Ctx(a_, west_), west_cmk.ToString()), IsOk());
  const Image copy = CopyAndComplete(a_, west_, Req(src, east_, "web-2"));
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
  EXPECT_EQ(SnapshotOf(copy).kms_key(), west_cmk);
}

TEST_F(CopyImage, COPY_9_CrossRegionCopyNeverKeepsTheSourceKey) {
  const KmsKeyArn key = NewKey(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_, key)});
  CopyImageRequest plain = Req(src, east_, "web");
  plain.encrypted = false;
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, west_), plain), HasErrorCode(ErrorCode::kInvalidRequest));
  EXPECT_TRUE(cloud_->StateEquals(*before));
  CopyImageRequest r = Req(src, east_, "web");
  r.encrypted = true;
  const Image copy = CopyAndComplete(a_, west_, r);
  ASSERT_TRUE(SnapshotOf(copy).kms_key().has_value());
  EXPECT_NE(SnapshotOf(copy).kms_key(), key);
  EXPECT_EQ(SnapshotOf(copy).kms_key()->region(), west_);
}

// ---- COPY-11: KMS access problems fail the copy later ----

TEST_F(CopyImage, COPY_11_CopierWithoutSourceKeyAccessFailsLater) {
  const KmsKeyArn key = NewKey(a_, east_);  // No statement for B.
  const ImageId src = SeedSharedWithB("web", key);
  const Decision d = Preflight(b_, east_, east_, src, "web-b");
  EXPECT_TRUE(d.denied_later()) << d.Explain();
  EXPECT_TRUE(HasReason(d, "COPY-11", ErrorCode::kCustomerKeyHasBeenRevoked, true));
  const absl::StatusOr<ImageId> copy = cloud_->CopyImage(Ctx(b_, east_), Req(src, east_, "web-b"));
  ASSERT_THAT(copy, IsOk());
  ExpectFailedLater(*copy);
}

TEST_F(CopyImage, KMS_11_UnparsedKeyOnACopyThatFailsLaterForItsSourceKeyFailsLater) {
  const KmsKeyArn key = NewKey(a_, east_);  // No statement for B.
  const ImageId src = SeedSharedWithB("web", key);
  CopyImageRequest r = Req(src, east_, "web-b");
  r.encrypted = true;
  r.kms_key_id = "not-a-key";
  const absl::StatusOr<ImageId> copy = cloud_->CopyImage(Ctx(b_, east_), r);
  ASSERT_THAT(copy, IsOk());
  ExpectFailedLater(*copy);
}

TEST_F(CopyImage, COPY_11_CopierWithoutDestinationKeyAccessFailsLater) {
  const KmsKeyArn foreign = NewKey(c_, east_);  // C's key; its policy does not name A.
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  const Decision d = Preflight(a_, east_, east_, src, "web-c", true, foreign);
  EXPECT_TRUE(d.denied_later()) << d.Explain();
  EXPECT_TRUE(HasReason(d, "COPY-11", ErrorCode::kCustomerKeyHasBeenRevoked, true));
  CopyImageRequest r = Req(src, east_, "web-c");
  r.encrypted = true;
  r.kms_key_id = foreign.ToString();
  const absl::StatusOr<ImageId> copy = cloud_->CopyImage(Ctx(a_, east_), r);
  ASSERT_THAT(copy, IsOk());
  ExpectFailedLater(*copy);
}

TEST_F(CopyImage, COPY_11_CopierWithKeyAccessSucceeds) {
  const KmsKeyArn key = KeySharedWithB();
  const ImageId src = SeedSharedWithB("web", key);
  const Decision d = Preflight(b_, east_, east_, src, "web-b");
  EXPECT_TRUE(d.allowed()) << d.Explain();
  for (const Reason& r : d.reasons()) EXPECT_FALSE(r.async) << r.Message();
  const Image copy = CopyAndComplete(b_, east_, Req(src, east_, "web-b"));
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
  EXPECT_EQ(SnapshotOf(copy).state(), SnapshotState::kCompleted);
}

// ---- COPY-12: another account's Marketplace image ----

TEST_F(CopyImage, COPY_12_OthersMarketplaceImageCannotBeCopied) {
  const Snapshot root = SeedSnapshot(a_, east_, std::nullopt, {{b_}, false});
  const ImageId src = SeedImage(a_, east_, "vendor", {root}, [&](Image::Builder& b) {
    b.set_product_codes({{"abcd1234efgh5678ijkl", ProductCodeType::kMarketplace}});
    b.set_launch_permissions(Must(LaunchPermissions::Create({b_}, false, {}, {})));
  });
  EXPECT_TRUE(HasReason(Preflight(b_, east_, east_, src, "vendor-b"), "COPY-12",
                        ErrorCode::kOperationNotPermitted, false));
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(b_, west_), Req(src, east_, "vendor-b")),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, COPY_12_OwnerMayCopyItsMarketplaceImage) {
  const std::vector<ProductCode> codes = {{"abcd1234efgh5678ijkl", ProductCodeType::kMarketplace}};
  const ImageId src = SeedImage(a_, east_, "vendor", {SeedSnapshot(a_, east_)},
                                [&](Image::Builder& b) { b.set_product_codes(codes); });
  const Image copy = CopyAndComplete(a_, west_, Req(src, east_, "vendor"));
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
  EXPECT_EQ(copy.product_codes(), codes);
}

// ---- COPY-17: ClientToken idempotency ----

TEST_F(CopyImage, COPY_17_SameTokenAndParametersReturnTheSameImage) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  CopyImageRequest r = Req(src, east_, "web");
  r.client_token = "token-1";
  const ImageId first = Must(cloud_->CopyImage(Ctx(a_, west_), r));
  const size_t images = cloud_->ListImages().size(), snapshots = cloud_->ListSnapshots().size();
  EXPECT_EQ(Must(cloud_->CopyImage(Ctx(a_, west_), r)), first);
  Completed(first);
  EXPECT_EQ(Must(cloud_->CopyImage(Ctx(a_, west_), r)), first);
  EXPECT_EQ(cloud_->ListImages().size(), images);
  EXPECT_EQ(cloud_->ListSnapshots().size(), snapshots);
}

TEST_F(CopyImage, COPY_17_SameTokenDifferentParametersIsMismatch) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  CopyImageRequest r = Req(src, east_, "web");
  r.client_token = "token-1";
  ASSERT_THAT(cloud_->CopyImage(Ctx(a_, west_), r), IsOk());
  auto before = cloud_->Fork();
  r.name = "web-other";
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, west_), r), HasErrorCode(ErrorCode::kIdempotentParameterMismatch));
  r.name = "web";
  r.encrypted = true;
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, west_), r), HasErrorCode(ErrorCode::kIdempotentParameterMismatch));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

// ---- COPY-18: the name must be free for the caller in the destination Region ----

TEST_F(CopyImage, COPY_18_NameUsedInTheDestinationRegionIsDuplicate) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  SeedImage(a_, west_, "web", {SeedSnapshot(a_, west_)});
  EXPECT_TRUE(HasReason(Preflight(a_, west_, east_, src, "web"), "REG-6",
                        ErrorCode::kInvalidAMINameDuplicate, false));
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, west_), Req(src, east_, "web")),
              HasErrorCode(ErrorCode::kInvalidAMINameDuplicate));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, COPY_18_NameUsedInTheSourceRegionOrByAnotherAccountIsFine) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  SeedImage(b_, west_, "web", {SeedSnapshot(b_, west_)});
  const Image copy = CopyAndComplete(a_, west_, Req(src, east_, "web"));
  EXPECT_EQ(copy.name(), "web");
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
}

// ---- COPY-19: cross-account and cross-Region in one call ----

TEST_F(CopyImage, COPY_19_CrossAccountCrossRegionCopy) {
  const KmsKeyArn key = KeySharedWithB();
  const ImageId src = SeedSharedWithB("web", key);
  const Image copy = CopyAndComplete(b_, west_, Req(src, east_, "web-from-a"));
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
  EXPECT_EQ(copy.owner(), b_);
  EXPECT_EQ(copy.region(), west_);
  EXPECT_EQ(copy.source_image_region(), east_);
  EXPECT_EQ(SnapshotOf(copy).owner(), b_);
  EXPECT_EQ(SnapshotOf(copy).kms_key(), DefaultKey(b_, west_));
}

TEST_F(CopyImage, COPY_19_CrossAccountCrossRegionNeedsEveryPermission) {
  const KmsKeyArn key = NewKey(a_, east_);
  const Snapshot root = SeedSnapshot(a_, east_, key);
  const ImageId src = SeedImage(a_, east_, "web", {root});
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(b_, west_), Req(src, east_, "web-1")),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));  // No launch permission: invisible.
  EXPECT_TRUE(cloud_->StateEquals(*before));
  ModifyImageAttributeRequest share{src.ToString()};
  share.add.push_back({b_.ToString()});
  ASSERT_THAT(cloud_->ModifyImageAttribute(Ctx(a_, east_), share), IsOk());
  before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(b_, west_), Req(src, east_, "web-1")),
              HasErrorCode(ErrorCode::kAuthFailure));  // No snapshot permission.
  EXPECT_TRUE(cloud_->StateEquals(*before));
  ASSERT_THAT(cloud_->ModifySnapshotAttribute(Ctx(a_, east_),
                                              {root.id().ToString(), "add", {b_.ToString()}, {}}),
              IsOk());
  EXPECT_TRUE(Preflight(b_, west_, east_, src, "web-1").denied_later());  // No key access.
  ExpectFailedLater(Must(cloud_->CopyImage(Ctx(b_, west_), Req(src, east_, "web-1"))));
  ASSERT_THAT(cloud_->PutKeyPolicy(Ctx(a_, east_), key.ToString(),
                                   {Statement({b_}, EbsRequiredKmsActions())}),
              IsOk());
  EXPECT_EQ(CopyAndComplete(b_, west_, Req(src, east_, "web-2")).state(), ImageState::kAvailable);
}

// ---- REG-3: SourceRegion ----

TEST_F(CopyImage, REG_3_BadSourceRegionIsInvalidRegion) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  auto before = cloud_->Fork();
  for (const char* region : {"us-east-9", "useast1", ""}) {
    CopyImageRequest r = Req(src, east_, "web-copy");
    r.source_region = region;
    EXPECT_THAT(cloud_->CopyImage(Ctx(a_, east_), r), HasErrorCode(ErrorCode::kInvalidRegion)) << region;
  }
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, REG_3_CopyLandsInTheCalledRegion) {
  const Region sydney = Must(Region::Parse("ap-southeast-2"));
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  const Image copy = CopyAndComplete(a_, sydney, Req(src, east_, "web"));
  EXPECT_EQ(copy.region(), sydney);
  EXPECT_EQ(SnapshotOf(copy).region(), sydney);
  EXPECT_EQ(cloud_->GetImage(src)->region(), east_);
}

// ---- REG-4: a copy is a distinct image ----

TEST_F(CopyImage, REG_4_CopyHasNewIdsAndOutlivesItsSource) {
  const Snapshot root = SeedSnapshot(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {root});
  const Image copy = CopyAndComplete(a_, east_, Req(src, east_, "web-copy"));
  EXPECT_NE(copy.id(), src);
  ASSERT_EQ(copy.snapshot_ids().size(), 1u);
  EXPECT_NE(copy.snapshot_ids()[0], root.id());
  EXPECT_EQ(SnapshotOf(copy).source_snapshot(), root.id());
  ASSERT_THAT(cloud_->DeregisterImage(Ctx(a_, east_), src.ToString(), /*delete_associated_snapshots=*/true),
              IsOk());
  EXPECT_FALSE(cloud_->GetSnapshot(root.id()).has_value());
  const Image after = Completed(copy.id());
  EXPECT_EQ(after.state(), ImageState::kAvailable);
  EXPECT_EQ(SnapshotOf(after).state(), SnapshotState::kCompleted);
}

TEST_F(CopyImage, REG_4_DeregisteredSourceCannotBeCopiedButItsCopyCan) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  const Image copy = CopyAndComplete(a_, east_, Req(src, east_, "web-copy"));
  ASSERT_THAT(cloud_->DeregisterImage(Ctx(a_, east_), src.ToString()), IsOk());
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, west_), Req(src, east_, "web")),
              HasErrorCode(ErrorCode::kInvalidAMIIDUnavailable));
  EXPECT_TRUE(cloud_->StateEquals(*before));
  EXPECT_EQ(CopyAndComplete(a_, west_, Req(copy.id(), east_, "web")).state(), ImageState::kAvailable);
}

// ---- REG-9: the KmsKeyId must be a key of the destination Region ----

TEST_F(CopyImage, REG_9_KeyOfAnotherRegionFailsTheCopyLater) {
  const KmsKeyArn east_key = NewKey(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  const Decision d = Preflight(a_, west_, east_, src, "web", true, east_key);
  EXPECT_TRUE(d.denied_later()) << d.Explain();
  EXPECT_TRUE(HasReason(d, "REG-9", ErrorCode::kCustomerKeyHasBeenRevoked, true));
  CopyImageRequest r = Req(src, east_, "web");
  r.encrypted = true;
  r.kms_key_id = east_key.ToString();
  const absl::StatusOr<ImageId> copy = cloud_->CopyImage(Ctx(a_, west_), r);
  ASSERT_THAT(copy, IsOk());
  ExpectFailedLater(*copy);
}

TEST_F(CopyImage, REG_9_ReplicatedMultiRegionKeyWorksInTheDestination) {
  const KmsKeyArn primary = NewKey(a_, east_, {}, /*multi_region=*/true);
  const KmsKeyArn replica = Must(cloud_->ReplicateKey(Ctx(a_, east_), primary.ToString(), "eu-west-1"));
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_, primary)});
  EXPECT_TRUE(Preflight(a_, west_, east_, src, "web", true, replica).allowed());
  CopyImageRequest r = Req(src, east_, "web");
  r.encrypted = true;
  r.kms_key_id = replica.ToString();
  const Image copy = CopyAndComplete(a_, west_, r);
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
  EXPECT_EQ(SnapshotOf(copy).kms_key(), replica);
  r.name = "web-by-id";
  r.kms_key_id = primary.key_id().ToString();  // A bare mrk- id resolves in the called Region.
  EXPECT_EQ(SnapshotOf(CopyAndComplete(a_, west_, r)).kms_key(), replica);
}

// ---- KMS-3: EBS encryption by default ----

TEST_F(CopyImage, KMS_3_EncryptionByDefaultEncryptsTheCopyEvenWithEncryptedFalse) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  ASSERT_THAT(cloud_->EnableEbsEncryptionByDefault(Ctx(a_, west_)), IsOk());
  CopyImageRequest r = Req(src, east_, "web");
  r.encrypted = false;
  const Image copy = CopyAndComplete(a_, west_, r);
  EXPECT_EQ(copy.state(), ImageState::kAvailable);
  EXPECT_EQ(SnapshotOf(copy).kms_key(), DefaultKey(a_, west_));
  EXPECT_TRUE(copy.block_device_mappings()[0].ebs->encrypted);
}

TEST_F(CopyImage, KMS_3_EncryptionByDefaultOverridesEncryptedFalseForEncryptedSource) {
  // MC-30: with encryption by default on, Encrypted=false is overridden, so no unencrypted copy
  // is asked for and COPY-7 has nothing to reject.
  const KmsKeyArn key = NewKey(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_, key)});
  ASSERT_THAT(cloud_->EnableEbsEncryptionByDefault(Ctx(a_, west_)), IsOk());
  CopyImageRequest r = Req(src, east_, "web");
  r.encrypted = false;
  const absl::StatusOr<ImageId> copy = cloud_->CopyImage(Ctx(a_, west_), r);
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(SnapshotOf(Completed(*copy)).kms_key(), DefaultKey(a_, west_));
}

TEST_F(CopyImage, KMS_3_EncryptionByDefaultIsPerAccountAndRegion) {
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  ASSERT_THAT(cloud_->EnableEbsEncryptionByDefault(Ctx(a_, east_)), IsOk());  // Source Region.
  ASSERT_THAT(cloud_->EnableEbsEncryptionByDefault(Ctx(b_, west_)), IsOk());  // Another account.
  const Image copy = CopyAndComplete(a_, west_, Req(src, east_, "web"));
  EXPECT_FALSE(SnapshotOf(copy).encrypted());
  EXPECT_FALSE(copy.encrypted());
}

// ---- KMS-12: KmsKeyId needs Encrypted=true ----

TEST_F(CopyImage, KMS_12_KmsKeyIdWithoutEncryptedIsInvalidParameterCombination) {
  const KmsKeyArn key = NewKey(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  EXPECT_TRUE(HasReason(Preflight(a_, east_, east_, src, "web-enc", std::nullopt, key), "KMS-12",
                        ErrorCode::kInvalidParameterCombination, false));
  auto before = cloud_->Fork();
  for (const std::optional<bool> encrypted : {std::optional<bool>(), std::optional<bool>(false)}) {
    CopyImageRequest r = Req(src, east_, "web-enc");
    r.encrypted = encrypted;
    r.kms_key_id = key.ToString();
    EXPECT_THAT(cloud_->CopyImage(Ctx(a_, east_), r), HasErrorCode(ErrorCode::kInvalidParameterCombination));
  }
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, KMS_12_UnparsableKmsKeyIdWithoutEncryptedIsAlsoRejected) {
  // The parameter dependency is checked on the call; only the key itself is checked later (KMS-11).
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  CopyImageRequest r = Req(src, east_, "web-enc");
  r.kms_key_id = "not-a-key";
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->CopyImage(Ctx(a_, east_), r), HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

TEST_F(CopyImage, KMS_12_KmsKeyIdWithEncryptedTrueIsAccepted) {
  const KmsKeyArn key = NewKey(a_, east_);
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  CopyImageRequest r = Req(src, east_, "web-enc");
  r.encrypted = true;
  r.kms_key_id = key.ToString();
  EXPECT_EQ(SnapshotOf(CopyAndComplete(a_, east_, r)).kms_key(), key);
}

// ---- KMS-1: AWS managed keys ----

TEST_F(KmsKeyUse, KMS_1_AwsManagedKeyIsUsableByItsOwnAccount) {
  const KmsKeyArn ebs = DefaultKey(a_, east_);
  EXPECT_TRUE(AllowsBy(KeyUse(a_, ebs, policy::WriteKeyActions()), "KMS-1"));
  const KmsKey described = Must(cloud_->DescribeKey(Ctx(a_, east_), "alias/aws/ebs"));
  EXPECT_EQ(described.arn(), ebs);
  EXPECT_EQ(described.manager(), KeyManager::kAws);
}

TEST_F(KmsKeyUse, KMS_1_AwsManagedKeyIsNotUsableByOtherAccounts) {
  const KmsKeyArn ebs = DefaultKey(a_, east_);
  EXPECT_TRUE(HasReason(KeyUse(b_, ebs, policy::ReadKeyActions()), "KMS-1",
                        ErrorCode::kCustomerKeyHasBeenRevoked, false));
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->PutKeyPolicy(Ctx(a_, east_), "alias/aws/ebs", {Statement({b_}, KmsActions::All())}),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
  EXPECT_TRUE(cloud_->StateEquals(*before));
  const ImageId src = SeedImage(b_, east_, "b-web", {SeedSnapshot(b_, east_)});
  EXPECT_TRUE(HasReason(Preflight(b_, east_, east_, src, "b-web-enc", true, ebs), "KMS-1",
                        ErrorCode::kCustomerKeyHasBeenRevoked, true));
  CopyImageRequest r = Req(src, east_, "b-web-enc");
  r.encrypted = true;
  r.kms_key_id = ebs.ToString();
  ExpectFailedLater(Must(cloud_->CopyImage(Ctx(b_, east_), r)));
}

// ---- KMS-2: the default EBS key ----

TEST_F(KmsKeyUse, KMS_2_AsymmetricKeyCannotBeTheDefaultEbsKey) {
  const KmsKeyArn rsa = NewKey(a_, east_, {}, false, "RSA_2048");
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->ModifyEbsDefaultKmsKeyId(Ctx(a_, east_), rsa.ToString()),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud_->StateEquals(*before));
  EXPECT_TRUE(HasReason(KeyUse(a_, rsa, policy::WriteKeyActions()), "KMS-2",
                        ErrorCode::kCustomerKeyHasBeenRevoked, false));
}

TEST_F(KmsKeyUse, KMS_2_DefaultKeyCanBeChangedResetAndNamedByAlias) {
  const KmsKeyArn aws_ebs = DefaultKey(a_, east_);
  EXPECT_EQ(aws_ebs.account(), a_);
  const KmsKeyArn cmk = NewKey(a_, east_);
  ASSERT_THAT(cloud_->ModifyEbsDefaultKmsKeyId(Ctx(a_, east_), cmk.ToString()), IsOk());
  EXPECT_EQ(DefaultKey(a_, east_), cmk);
  ASSERT_THAT(cloud_->ResetEbsDefaultKmsKeyId(Ctx(a_, east_)), IsOk());
  EXPECT_EQ(DefaultKey(a_, east_), aws_ebs);
  ASSERT_THAT(cloud_->ModifyEbsDefaultKmsKeyId(Ctx(a_, east_), cmk.ToString()), IsOk());
  ASSERT_THAT(cloud_->ModifyEbsDefaultKmsKeyId(Ctx(a_, east_), "alias/aws/ebs"), IsOk());
  EXPECT_EQ(DefaultKey(a_, east_), aws_ebs);
}

// ---- KMS-4: grants and explicit denies ----

TEST_F(KmsKeyUse, KMS_4_GrantAllowsUse) {
  const KmsKeyArn key = NewKey(a_, east_);
  EXPECT_FALSE(KeyUse(b_, key, policy::ReadKeyActions()).allowed());
  ASSERT_THAT(cloud_->CreateGrant(Ctx(a_, east_), key.ToString(), b_, policy::ReadKeyActions()), IsOk());
  EXPECT_TRUE(AllowsBy(KeyUse(b_, key, policy::ReadKeyActions()), "KMS-4"));
  const ImageId src = SeedSharedWithB("web", key);
  EXPECT_EQ(CopyAndComplete(b_, east_, Req(src, east_, "web-b")).state(), ImageState::kAvailable);
}

TEST_F(KmsKeyUse, KMS_4_ExplicitDenyInTheKeyPolicyWins) {
  const KmsKeyArn key =
      NewKey(a_, east_, {Statement({b_}, KmsActions::All()),
                         Statement({a_, b_}, KmsActions::Of({KmsAction::kDecrypt}),
                                   KeyPolicyStatement::Effect::kDeny)});
  ASSERT_THAT(cloud_->CreateGrant(Ctx(a_, east_), key.ToString(), b_, KmsActions::All()), IsOk());
  const Decision d = KeyUse(b_, key, policy::ReadKeyActions());
  EXPECT_TRUE(HasReason(d, "KMS-4", ErrorCode::kCustomerKeyHasBeenRevoked, false));
  EXPECT_THAT(d.Explain(), ::testing::HasSubstr("denies account"));  // The Deny, not the Allow or grant.
  EXPECT_FALSE(KeyUse(a_, key, policy::ReadKeyActions()).allowed());  // Even the owner.
  EXPECT_TRUE(KeyUse(b_, key, policy::WriteKeyActions()).allowed());  // No Decrypt needed.
  const ImageId src = SeedSharedWithB("web", key);
  ExpectFailedLater(Must(cloud_->CopyImage(Ctx(b_, east_), Req(src, east_, "web-b"))));
}

// ---- KMS-5 and KMS-7: cross-account use through the key policy ----

TEST_F(KmsKeyUse, KMS_5_StatementNamingTheAccountOrItsOrganizationAllows) {
  const OrganizationId org = Must(OrganizationId::Parse("o-a1b2c3d4e5"));
  ASSERT_THAT(cloud_->CreateOrganization(org, a_, "r-ab12"), IsOk());
  ASSERT_THAT(cloud_->AddAccount(c_, org), IsOk());
  KeyPolicyStatement in_org;
  in_org.sid = "org";
  in_org.any_principal = true;
  in_org.principal_org_ids = {org};
  in_org.actions = EbsRequiredKmsActions();
  const KmsKeyArn key = NewKey(a_, east_, {Statement({b_}, EbsRequiredKmsActions()), in_org});
  EXPECT_TRUE(AllowsBy(KeyUse(b_, key, policy::ReadKeyActions()), "KMS-5"));
  EXPECT_TRUE(AllowsBy(KeyUse(c_, key, policy::ReadKeyActions()), "KMS-5"));
}

TEST_F(KmsKeyUse, KMS_5_CrossAccountUseNeedsAStatementCoveringEveryAction) {
  const OrganizationId org = Must(OrganizationId::Parse("o-a1b2c3d4e5"));
  ASSERT_THAT(cloud_->CreateOrganization(org, a_, "r-ab12"), IsOk());
  KeyPolicyStatement in_org;
  in_org.sid = "org";
  in_org.any_principal = true;
  in_org.principal_org_ids = {org};
  in_org.actions = EbsRequiredKmsActions();
  const KmsKeyArn key = NewKey(a_, east_, {in_org, Statement({c_}, KmsActions::All())});
  const Decision outside = KeyUse(b_, key, policy::ReadKeyActions());  // B is in no organization.
  EXPECT_TRUE(HasReason(outside, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked, false));
  ASSERT_THAT(cloud_->PutKeyPolicy(Ctx(a_, east_), key.ToString(),
                                   {Statement({b_}, KmsActions::Of({KmsAction::kDescribeKey,
                                                                    KmsAction::kCreateGrant,
                                                                    KmsAction::kReEncryptFrom}))}),
              IsOk());
  const Decision partial = KeyUse(b_, key, policy::ReadKeyActions());
  EXPECT_TRUE(HasReason(partial, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked, false));
  ASSERT_FALSE(partial.reasons().empty());
  EXPECT_THAT(partial.reasons()[0].Message(), ::testing::HasSubstr("kms:Decrypt"));
}

TEST_F(KmsKeyUse, KMS_7_OrgPathConditionAllowsAccountsUnderTheOu) {
  const OrganizationId org = Must(OrganizationId::Parse("o-a1b2c3d4e5"));
  const OrganizationalUnitId ou = Must(OrganizationalUnitId::Parse("ou-ab12-11111111"));
  const OrganizationalUnitId child = Must(OrganizationalUnitId::Parse("ou-ab12-22222222"));
  ASSERT_THAT(cloud_->CreateOrganization(org, a_, "r-ab12"), IsOk());
  ASSERT_THAT(cloud_->CreateOrganizationalUnit(org, ou), IsOk());
  ASSERT_THAT(cloud_->CreateOrganizationalUnit(org, child, ou), IsOk());
  ASSERT_THAT(cloud_->AddAccount(b_, org, ou), IsOk());
  ASSERT_THAT(cloud_->AddAccount(c_, org, child), IsOk());
  KeyPolicyStatement s;
  s.any_principal = true;
  s.principal_org_paths = {"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"};
  s.actions = EbsRequiredKmsActions();
  const KmsKeyArn key = NewKey(a_, east_, {s});
  EXPECT_TRUE(AllowsBy(KeyUse(b_, key, policy::ReadKeyActions()), "KMS-5"));
  EXPECT_TRUE(KeyUse(c_, key, policy::ReadKeyActions()).allowed());  // Nested OU.
}

TEST_F(KmsKeyUse, KMS_7_OrgPathConditionDeniesAccountsOutsideTheOu) {
  const OrganizationId org = Must(OrganizationId::Parse("o-a1b2c3d4e5"));
  const OrganizationalUnitId ou = Must(OrganizationalUnitId::Parse("ou-ab12-11111111"));
  const OrganizationalUnitId other = Must(OrganizationalUnitId::Parse("ou-ab12-33333333"));
  ASSERT_THAT(cloud_->CreateOrganization(org, a_, "r-ab12"), IsOk());
  ASSERT_THAT(cloud_->CreateOrganizationalUnit(org, ou), IsOk());
  ASSERT_THAT(cloud_->CreateOrganizationalUnit(org, other), IsOk());
  ASSERT_THAT(cloud_->AddAccount(b_, org), IsOk());          // At the root.
  ASSERT_THAT(cloud_->AddAccount(c_, org, other), IsOk());  // In a sibling OU.
  KeyPolicyStatement s;
  s.any_principal = true;
  s.principal_org_paths = {"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"};
  s.actions = EbsRequiredKmsActions();
  const KmsKeyArn key = NewKey(a_, east_, {s});
  EXPECT_TRUE(HasReason(KeyUse(b_, key, policy::ReadKeyActions()), "KMS-5",
                        ErrorCode::kCustomerKeyHasBeenRevoked, false));
  EXPECT_TRUE(HasReason(KeyUse(c_, key, policy::ReadKeyActions()), "KMS-5",
                        ErrorCode::kCustomerKeyHasBeenRevoked, false));
}

// ---- KMS-6: the five actions a recipient needs on the source key ----

TEST_F(KmsKeyUse, KMS_6_TheFiveActionsLetAnotherAccountCopyASharedEncryptedImage) {
  const KmsActions five = Must(KmsActions::Parse(
      {"kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:Decrypt"}));
  const KmsKeyArn key = NewKey(a_, east_, {Statement({b_}, five)});
  EXPECT_TRUE(KeyUse(b_, key, EbsRequiredKmsActions()).allowed());
  const ImageId src = SeedSharedWithB("web", key);
  EXPECT_EQ(CopyAndComplete(b_, east_, Req(src, east_, "web-b")).state(), ImageState::kAvailable);
}

TEST_F(KmsKeyUse, KMS_6_EachOfTheFiveActionsIsRequired) {
  const KmsAction five[] = {KmsAction::kDescribeKey, KmsAction::kCreateGrant,
                            KmsAction::kGenerateDataKeyWithoutPlaintext, KmsAction::kReEncryptFrom,
                            KmsAction::kDecrypt};
  const KmsKeyArn key = NewKey(a_, east_);
  for (const KmsAction missing : five) {
    KmsActions granted;
    for (const KmsAction a : five) {
      if (a != missing) granted = granted.Union(KmsActions::Of({a}));
    }
    ASSERT_THAT(cloud_->PutKeyPolicy(Ctx(a_, east_), key.ToString(), {Statement({b_}, granted)}), IsOk());
    const Decision d = KeyUse(b_, key, EbsRequiredKmsActions());
    SCOPED_TRACE(KmsActions::Of({missing}).ToStrings()[0]);
    EXPECT_TRUE(HasReason(d, "KMS-5", ErrorCode::kCustomerKeyHasBeenRevoked, false));
    ASSERT_FALSE(d.reasons().empty());
    EXPECT_THAT(d.reasons()[0].Message(), ::testing::HasSubstr(KmsActions::Of({missing}).ToStrings()[0]));
  }
}

// ---- KMS-14: multi-Region keys ----

TEST_F(KmsKeyUse, KMS_14_ReplicaSharesTheIdButHasItsOwnPolicy) {
  const KmsKeyArn primary = NewKey(a_, east_, {}, /*multi_region=*/true);
  const KmsKeyArn replica = Must(cloud_->ReplicateKey(Ctx(a_, east_), primary.ToString(), "eu-west-1"));
  EXPECT_EQ(replica.key_id(), primary.key_id());
  EXPECT_EQ(replica.region(), west_);
  EXPECT_EQ(cloud_->GetKey(replica)->multi_region_role(), MultiRegionRole::kReplica);
  EXPECT_EQ(cloud_->GetKey(primary)->multi_region_role(), MultiRegionRole::kPrimary);
  ASSERT_THAT(cloud_->PutKeyPolicy(Ctx(a_, west_), replica.ToString(), {Statement({b_}, KmsActions::All())}),
              IsOk());
  EXPECT_TRUE(KeyUse(b_, replica, policy::ReadKeyActions()).allowed());
  EXPECT_FALSE(KeyUse(b_, primary, policy::ReadKeyActions()).allowed());
  EXPECT_EQ(cloud_->GetKey(primary)->policy(), KeyPolicy::Default(cloud_->GetKey(primary)->account()));
}

TEST_F(KmsKeyUse, KMS_14_ReplicateRejectsSingleRegionKeysAndSecondReplicas) {
  const KmsKeyArn single = NewKey(a_, east_);
  const KmsKeyArn primary = NewKey(a_, east_, {}, /*multi_region=*/true);
  const KmsKeyArn replica = Must(cloud_->ReplicateKey(Ctx(a_, east_), primary.ToString(), "eu-west-1"));
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->ReplicateKey(Ctx(a_, east_), single.ToString(), "eu-west-1"),
              HasErrorCode(ErrorCode::kKmsInvalidStateException));
  EXPECT_THAT(cloud_->ReplicateKey(Ctx(a_, west_), replica.ToString(), "ap-southeast-2"),
              HasErrorCode(ErrorCode::kKmsInvalidStateException));
  EXPECT_THAT(cloud_->ReplicateKey(Ctx(a_, east_), primary.ToString(), "us-east-1"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud_->ReplicateKey(Ctx(a_, east_), primary.ToString(), "eu-west-1"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_TRUE(cloud_->StateEquals(*before));
}

// ---- KMS-15: key state ----

TEST_F(KmsKeyUse, KMS_15_DisabledKeyCannotBeUsed) {
  const KmsKeyArn key = NewKey(a_, east_);
  ASSERT_THAT(cloud_->DisableKey(Ctx(a_, east_), key.ToString()), IsOk());
  EXPECT_TRUE(HasReason(KeyUse(a_, key, policy::WriteKeyActions()), "KMS-15",
                        ErrorCode::kCustomerKeyHasBeenRevoked, false));
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  CopyImageRequest r = Req(src, east_, "web-enc");
  r.encrypted = true;
  r.kms_key_id = key.ToString();
  ExpectFailedLater(Must(cloud_->CopyImage(Ctx(a_, east_), r)));
}

TEST_F(KmsKeyUse, KMS_15_ReenabledKeyCanBeUsedAgain) {
  const KmsKeyArn key = NewKey(a_, east_);
  ASSERT_THAT(cloud_->DisableKey(Ctx(a_, east_), key.ToString()), IsOk());
  ASSERT_THAT(cloud_->EnableKey(Ctx(a_, east_), key.ToString()), IsOk());
  EXPECT_TRUE(KeyUse(a_, key, policy::WriteKeyActions()).allowed());
  const ImageId src = SeedImage(a_, east_, "web", {SeedSnapshot(a_, east_)});
  CopyImageRequest r = Req(src, east_, "web-enc");
  r.encrypted = true;
  r.kms_key_id = key.ToString();
  EXPECT_EQ(CopyAndComplete(a_, east_, r).state(), ImageState::kAvailable);
}

TEST_F(KmsKeyUse, KMS_15_DeletionWindowMustBeSevenToThirtyDays) {
  const KmsKeyArn key = NewKey(a_, east_);
  auto before = cloud_->Fork();
  for (const int days : {0, 6, 31}) {
    EXPECT_THAT(cloud_->ScheduleKeyDeletion(Ctx(a_, east_), key.ToString(), days),
                HasErrorCode(ErrorCode::kInvalidParameterValue))
        << days;
  }
  EXPECT_TRUE(cloud_->StateEquals(*before));
  EXPECT_EQ(cloud_->GetKey(key)->state(), KeyState::kEnabled);
}

TEST_F(KmsKeyUse, KMS_15_ScheduledKeyIsDeletedAfterTheWindow) {
  const KmsKeyArn key = NewKey(a_, east_);
  ASSERT_THAT(cloud_->ScheduleKeyDeletion(Ctx(a_, east_), key.ToString(), 7), IsOk());
  EXPECT_EQ(cloud_->GetKey(key)->state(), KeyState::kPendingDeletion);
  EXPECT_TRUE(HasReason(KeyUse(a_, key, policy::WriteKeyActions()), "KMS-15",
                        ErrorCode::kCustomerKeyHasBeenRevoked, false));
  auto before = cloud_->Fork();
  EXPECT_THAT(cloud_->EnableKey(Ctx(a_, east_), key.ToString()),
              HasErrorCode(ErrorCode::kKmsInvalidStateException));
  EXPECT_TRUE(cloud_->StateEquals(*before));
  cloud_->AdvanceClock(absl::Hours(24 * 6));
  EXPECT_TRUE(cloud_->GetKey(key).has_value());
  cloud_->AdvanceClock(absl::Hours(24) + absl::Minutes(1));
  EXPECT_FALSE(cloud_->GetKey(key).has_value());
  EXPECT_FALSE(KeyUse(a_, key, policy::WriteKeyActions()).allowed());
}

}  // namespace
}  // namespace ami
