// Golden tests of the explanations: each denial's Decision::Explain() text is compared with
// tests/golden/<name>.txt. Run with AMI_UPDATE_GOLDEN=1 to rewrite the files after a deliberate
// change: each rewritten test fails, saying so; review the diff, then run again without it.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_join.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::IsOk;

std::string GoldenPath(const std::string& name) {
  return std::string(AMI_SOURCE_DIR) + "/tests/golden/" + name + ".txt";
}

// Compares `text` with the golden file at `path`; with `update`, rewrites the file instead and
// fails, so that a run that rewrites goldens never passes.
void CheckGolden(const std::string& path, const std::string& text, bool update) {
  if (update) {
    std::ofstream out(path);
    out << text;
    ASSERT_TRUE(out.flush().good()) << "cannot write golden file " << path;
    ADD_FAILURE() << "golden file " << path << " was rewritten (AMI_UPDATE_GOLDEN is set): "
                  << "review the diff, then run the test again without AMI_UPDATE_GOLDEN";
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "missing golden file " << path;
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(text, golden.str()) << "explanation in " << path << " changed";
}

void ExpectGolden(const std::string& name, const Decision& d) {
  ASSERT_FALSE(d.allowed()) << name << " should be a denial:\n" << d.Explain();
  CheckGolden(GoldenPath(name), d.Explain() + "\n", std::getenv("AMI_UPDATE_GOLDEN") != nullptr);
}

std::string RewrittenGoldenPath() { return ::testing::TempDir() + "/golden_rewrite_test.txt"; }

TEST(GoldenFiles, RewritingAGoldenFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(CheckGolden(RewrittenGoldenPath(), "new text\n", /*update=*/true),
                          "was rewritten (AMI_UPDATE_GOLDEN is set)");
  const std::string path = RewrittenGoldenPath();
  std::ifstream in(path);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), "new text\n");
  CheckGolden(path, "new text\n", /*update=*/false);
}

template <typename T>
T Must(absl::StatusOr<T> v) {
  EXPECT_THAT(v, IsOk());
  return *std::move(v);
}

// A small, deterministic world: A owns images in us-east-1, B is another account.
class Golden : public ::testing::Test {
 protected:
  void SetUp() override {
    cloud_ = Cloud::Create();
    east_ = *Region::Parse("us-east-1");
    west_ = *Region::Parse("eu-west-1");
    a_ = *AccountId::Parse("111122223333");
    b_ = *AccountId::Parse("444455556666");
    key_ = Must(cloud_->CreateKey({a_, east_}, {"a key", false, "SYMMETRIC_DEFAULT", {}}));
    plain_snap_ = Seed("snap-00000000000000001", std::nullopt);
    cmk_snap_ = Seed("snap-00000000000000002", key_);
    aws_snap_ = Seed("snap-00000000000000003", cloud_->GetSettings(a_, east_).default_kms_key);
    plain_ = SeedImage("ami-00000000000000001", "plain-image", plain_snap_, {});
    cmk_ = SeedImage("ami-00000000000000002", "cmk-image", cmk_snap_, {});
    aws_ = SeedImage("ami-00000000000000003", "aws-key-image", aws_snap_, {});
  }

  SnapshotId Seed(const std::string& id, std::optional<KmsKeyArn> key) {
    const Snapshot s = *Snapshot::Builder()
                            .set_id(*SnapshotId::Parse(id))
                            .set_owner(a_)
                            .set_region(east_)
                            .set_kms_key(key)
                            .Build();
    EXPECT_THAT(cloud_->ImportSnapshot(s), IsOk());
    return s.id();
  }

  ImageId SeedImage(const std::string& id, const std::string& name, SnapshotId snap,
                    std::vector<ProductCode> codes) {
    const Image image = *Image::Builder()
                             .set_id(*ImageId::Parse(id))
                             .set_name(name)
                             .set_owner(a_)
                             .set_region(east_)
                             .add_snapshot_mapping("/dev/xvda", *cloud_->GetSnapshot(snap))
                             .set_product_codes(std::move(codes))
                             .Build();
    EXPECT_THAT(cloud_->ImportImage(image), IsOk());
    return image.id();
  }

  void ShareWith(ImageId image, AccountId account) {
    ModifyImageAttributeRequest r{image.ToString()};
    r.add.push_back({account.ToString()});
    ASSERT_THAT(cloud_->ModifyImageAttribute({a_, east_}, r), IsOk());
  }

  Decision Eval(absl::FunctionRef<Decision(const StateView&)> f) { return cloud_->Evaluate(f); }

  std::unique_ptr<Cloud> cloud_;
  Region east_ = Region::All().front(), west_ = Region::All().front();
  AccountId a_ = AccountId::FromNumber(0), b_ = AccountId::FromNumber(0);
  KmsKeyArn key_ = KmsKeyArn::Of(a_, east_, *KmsKeyId::Parse("00000000-0000-0000-0000-000000000000"));
  SnapshotId plain_snap_ = SnapshotId::Short(0), cmk_snap_ = SnapshotId::Short(0),
             aws_snap_ = SnapshotId::Short(0);
  ImageId plain_ = ImageId::Short(0), cmk_ = ImageId::Short(0), aws_ = ImageId::Short(0);
};

TEST_F(Golden, LAUNCH_4_NotShared) {
  ExpectGolden("launch_4_not_shared", Eval([&](const StateView& v) {
                 return policy::EvaluateLaunch(v, {b_, east_, plain_, std::nullopt, std::nullopt});
               }));
}

TEST_F(Golden, REG_2_ImageInAnotherRegion) {
  ExpectGolden("reg_2_other_region", Eval([&](const StateView& v) {
                 return policy::EvaluateLaunch(v, {a_, west_, plain_, std::nullopt, std::nullopt});
               }));
}

TEST_F(Golden, LAUNCH_7_Deregistered) {
  ASSERT_THAT(cloud_->DeregisterImage({a_, east_}, plain_.ToString()), IsOk());
  ExpectGolden("launch_7_deregistered", Eval([&](const StateView& v) {
                 return policy::EvaluateLaunch(v, {a_, east_, plain_, std::nullopt, std::nullopt});
               }));
}

TEST_F(Golden, LAUNCH_9_KeyNotSharedReportedLater) {
  ShareWith(cmk_, b_);
  const Decision d = Eval([&](const StateView& v) {
    return policy::EvaluateLaunch(v, {b_, east_, cmk_, std::nullopt, std::nullopt});
  });
  EXPECT_TRUE(d.denied_later());
  ExpectGolden("launch_9_key_not_shared", d);
}

TEST_F(Golden, SHARE_16_AwsManagedKey) {
  ExpectGolden("share_16_aws_managed_key", Eval([&](const StateView& v) {
                 policy::ShareQuestion q{a_, east_, aws_, {}};
                 q.change.add_accounts = {b_};
                 return policy::EvaluateModifyLaunchPermission(v, q);
               }));
}

TEST_F(Golden, SHARE_14_PublicEncrypted) {
  ASSERT_THAT(cloud_->DisableImageBlockPublicAccess({a_, east_}), IsOk());
  ExpectGolden("share_14_public_encrypted",
               Eval([&](const StateView& v) { return policy::EvaluateMakePublic(v, a_, east_, cmk_); }));
}

TEST_F(Golden, SHARE_20_BlockPublicAccess) {
  ExpectGolden("share_20_block_public_access",
               Eval([&](const StateView& v) { return policy::EvaluateMakePublic(v, a_, east_, plain_); }));
}

TEST_F(Golden, SHARE_4_NotOwner) {
  ExpectGolden("share_4_not_owner", Eval([&](const StateView& v) {
                 policy::ShareQuestion q{b_, east_, plain_, {}};
                 q.change.add_public = true;
                 return policy::EvaluateModifyLaunchPermission(v, q);
               }));
}

TEST_F(Golden, COPY_6_NoStorageAccess) {
  ShareWith(plain_, b_);
  ExpectGolden("copy_6_no_storage_access", Eval([&](const StateView& v) {
                 return policy::EvaluateCopy(v, {b_, west_, east_, plain_, "copy", std::nullopt, std::nullopt});
               }));
}

TEST_F(Golden, COPY_7_UnencryptedCopyOfEncrypted) {
  ExpectGolden("copy_7_decrypt", Eval([&](const StateView& v) {
                 return policy::EvaluateCopy(v, {a_, east_, east_, cmk_, "copy", false, std::nullopt});
               }));
}

TEST_F(Golden, COPY_12_Marketplace) {
  const ImageId market = SeedImage("ami-00000000000000004", "market-image", plain_snap_,
                                   {{"abcdefghij0123456789abcde", ProductCodeType::kMarketplace}});
  ShareWith(market, b_);
  ASSERT_THAT(cloud_->ModifySnapshotAttribute({a_, east_}, {plain_snap_.ToString(), "add", {b_.ToString()}, {}}),
              IsOk());
  ExpectGolden("copy_12_marketplace", Eval([&](const StateView& v) {
                 return policy::EvaluateCopy(v, {b_, east_, east_, market, "copy", std::nullopt, std::nullopt});
               }));
}

TEST_F(Golden, REG_6_DuplicateName) {
  ExpectGolden("reg_6_duplicate_name", Eval([&](const StateView& v) {
                 return policy::EvaluateCopy(v, {a_, east_, east_, plain_, "cmk-image", std::nullopt, std::nullopt});
               }));
}

TEST_F(Golden, SNAP_4_SnapshotInUse) {
  ExpectGolden("snap_4_in_use", Eval([&](const StateView& v) {
                 return policy::EvaluateDeleteSnapshot(v, a_, east_, plain_snap_);
               }));
}

TEST_F(Golden, SNAP_2_DefaultKeySnapshot) {
  ExpectGolden("snap_2_default_key", Eval([&](const StateView& v) {
                 policy::SnapshotShareQuestion q{a_, east_, aws_snap_, {b_}, {}, false, false};
                 return policy::EvaluateModifySnapshotPermission(v, q);
               }));
}

TEST_F(Golden, DEREG_1_NotOwner) {
  ExpectGolden("dereg_1_not_owner", Eval([&](const StateView& v) {
                 return policy::EvaluateImageOwnerAction(v, b_, east_, plain_, policy::ImageAction::kDeregister);
               }));
}

TEST_F(Golden, DESC_11_NotOwner) {
  ShareWith(plain_, b_);
  ExpectGolden("desc_11_not_owner", Eval([&](const StateView& v) {
                 return policy::EvaluateImageOwnerAction(v, b_, east_, plain_,
                                                         policy::ImageAction::kDescribeAttribute);
               }));
}

TEST_F(Golden, KMS_15_DisabledKey) {
  ASSERT_THAT(cloud_->DisableKey({a_, east_}, key_.ToString()), IsOk());
  ExpectGolden("kms_15_disabled_key", Eval([&](const StateView& v) {
                 return policy::EvaluateKeyUse(v, a_, key_, policy::ReadKeyActions());
               }));
}

TEST_F(Golden, KMS_1_AwsManagedKeyOfAnotherAccount) {
  const KmsKeyArn aws_key = *cloud_->GetSettings(a_, east_).default_kms_key;
  ExpectGolden("kms_1_aws_managed_key",
               Eval([&](const StateView& v) { return policy::EvaluateKeyUse(v, b_, aws_key, policy::ReadKeyActions()); }));
}

TEST_F(Golden, CREATE_2_TerminatedInstance) {
  const InstanceId id = Must(cloud_->RunInstances({a_, east_}, {plain_.ToString()})).front();
  ASSERT_THAT(cloud_->TerminateInstances({a_, east_}, {id.ToString()}), IsOk());
  ExpectGolden("create_2_terminated", Eval([&](const StateView& v) {
                 return policy::EvaluateCreateImage(v, {a_, east_, id, "from-terminated", false});
               }));
}

}  // namespace
}  // namespace ami

namespace ami {
namespace {

// Every placeholder a reason template may hold renders its argument; an absent argument renders
// nothing, and an unknown placeholder is kept as written.
TEST(ReasonMessage, EveryPlaceholderRendersItsArgument) {
  static constexpr ReasonTemplate kAll{
      "TEST-1", ErrorCode::kAuthFailure,
      "{image}|{snapshot}|{instance}|{account}|{owner}|{key}|{region}|{source_region}|{number}|"
      "{text}|{actions}|{other}|{}"};
  Reason r;
  r.what = &kAll;
  r.args.image = *ImageId::Parse("ami-0123456789abcdef0");
  r.args.snapshot = *SnapshotId::Parse("snap-0123456789abcdef0");
  r.args.instance = *InstanceId::Parse("i-0123456789abcdef0");
  r.args.account = *AccountId::Parse("444455556666");
  r.args.owner = *AccountId::Parse("111122223333");
  r.args.key = *KmsKeyArn::Parse(
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  r.args.region = *Region::Parse("eu-west-1");
  r.args.source_region = *Region::Parse("us-east-1");
  r.args.number = 3;  // kms:Decrypt and kms:DescribeKey as actions.
  r.args.text = "free text";
  EXPECT_EQ(r.Message(),
            "`ami-0123456789abcdef0`|`snap-0123456789abcdef0`|`i-0123456789abcdef0`|"
            "`444455556666`|`111122223333`|"
            "`arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`|"
            "eu-west-1|us-east-1|3|free text|" +
                absl::StrJoin(KmsActions::Of({static_cast<KmsAction>(1), static_cast<KmsAction>(2)})
                                  .ToStrings(),
                              ", ") +
                "|{other}|{}");
  Reason empty;
  empty.what = &kAll;
  EXPECT_EQ(empty.Message(), "||||||||0|||{other}|{}");
}

}  // namespace
}  // namespace ami
