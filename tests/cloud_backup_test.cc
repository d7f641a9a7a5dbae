// Images AWS Backup manages (DEREG-5, BACKUP-2, MC-83): an image carrying the
// aws:backup:source-resource tag — imported, read from describe-images JSON or made through the
// internal service path of CreateImage — cannot be deregistered through EC2; users can neither
// set nor delete the tag (MC-7, MC-85). The Recycle Bin half of BACKUP-2 is in state_file_test.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/io/aws_import.h"
#include "ami/policy.h"
#include "cloud/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/planning.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::Account;
using ::ami::testing::HasErrorCode;
using ::ami::testing::IsDeniedBy;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;
using ::ami::testing::Must;
using ::testing::Optional;

constexpr char kSource[] = "arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718";

Tag T(std::string key, std::string value) { return Must(Tag::Create(key, value)); }

class Backup : public testing::CloudFixture {
 protected:
  // An image of the owner's whose tags are `tags`.
  ImageId ImageTagged(std::vector<Tag> tags, std::string name = "") {
    Image::Builder b = NewImage(owner, Import(NewSnapshot(owner, east)));
    if (!name.empty()) b.set_name(name);
    b.set_tags(Must(TagSet::Create(std::move(tags))));
    return Import(b);
  }
  ImageId BackupImage() {
    return ImageTagged({T(std::string(policy::kBackupSourceResourceTag), kSource), T("team", "web")});
  }
  absl::Status Deregister(ImageId id, bool dry_run = false) {
    CallContext ctx = as_owner;
    ctx.dry_run = dry_run;
    return cloud->DeregisterImage(ctx, id.ToString(), /*delete_associated_snapshots=*/true).status();
  }
  Decision MayDeregister(ImageId id) const {
    const internal::CloudState& s = internal::CloudAccess::State(*cloud);
    internal::ReaderLock lock(s.mu);
    return policy::EvaluateImageOwnerAction(s, owner, east, id, policy::ImageAction::kDeregister);
  }
  // CreateImage as a service inside libami makes it: the internal call with `service_tags`.
  absl::StatusOr<ImageId> ServiceCreateImage(InstanceId instance, TagSet service_tags,
                                             TagSet user_tags = {}) {
    internal::CloudState& s = internal::CloudAccess::State(*cloud);
    policy::CreateImageCall call{as_owner, {instance.ToString(), "AwsBackup_job-1"}, instance,
                                 std::move(user_tags), {}, std::move(service_tags)};
    call.request.no_reboot = true;  // BACKUP-1: AWS Backup never reboots.
    internal::WriterLock lock(s.mu);
    absl::StatusOr<policy::Planned> p = policy::PlanCreateImage(s, call);
    if (!p.ok()) return p.status();
    if (absl::Status gate = p->decision.ToStatus(); !gate.ok()) return gate;
    const ImageId id = p->plan.put_images.front()->id();
    s.Commit(std::move(p->plan));
    return id;
  }
  TagSet BackupTags() const {
    return Must(TagSet::Create({T(std::string(policy::kBackupSourceResourceTag), kSource)}));
  }
};

TEST_F(Backup, DEREG_5_DeregisteringABackupManagedImageIsRefusedAndChangesNothing) {
  const ImageId id = BackupImage();
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(Deregister(id), HasErrorCode(ErrorCode::kInvalidParameterValue)));
  EXPECT_THAT(Deregister(id), MessageHas("is managed by aws backup"));
  EXPECT_THAT(Deregister(id), MessageHas(id.ToString()));
  EXPECT_THAT(MayDeregister(id), IsDeniedBy("DEREG-5"));
  EXPECT_THAT(cloud->GetImage(id), Optional(testing::HasState(ImageState::kAvailable)));
}

TEST_F(Backup, DEREG_5_ADryRunAnswersAsForOtherDenials) {
  const ImageId id = BackupImage();
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(Deregister(id, /*dry_run=*/true),
                                      HasErrorCode(ErrorCode::kInvalidParameterValue)));
  // As a protected image's DryRun answers its denial (DEREG-6), not DryRunOperation.
  testing::Seed protected_seed;
  protected_seed.protection = DeregistrationProtection::kEnabled;
  EXPECT_THAT(Deregister(SeedImage(owner, protected_seed), /*dry_run=*/true),
              HasErrorCode(ErrorCode::kOperationNotPermitted));
}

TEST_F(Backup, DEREG_5_ComesBeforeDeregistrationProtection) {
  Image::Builder b = NewImage(owner, Import(NewSnapshot(owner, east)));
  b.set_tags(BackupTags()).set_deregistration_protection(DeregistrationProtection::kEnabled);
  const ImageId id = Import(b);
  EXPECT_THAT(Deregister(id), HasErrorCode(ErrorCode::kInvalidParameterValue));
  // Both decide; DEREG-5, first, gives the code.
  EXPECT_THAT(MayDeregister(id), IsDeniedBy("DEREG-5"));
  EXPECT_THAT(MayDeregister(id), IsDeniedBy("DEREG-6"));
}

TEST_F(Backup, DEREG_5_TheSameImageWithoutTheTagDeregisters) {
  const ImageId plain = ImageTagged({T("team", "web")}, "AwsBackup_not-really");
  EXPECT_FALSE(policy::IsBackupManaged(*cloud->GetImage(plain)));  // A name proves nothing.
  EXPECT_THAT(Deregister(plain), IsOk());
}

TEST_F(Backup, DEREG_5_AnImportedImageWithTheTagIsBackupManaged) {
  EXPECT_TRUE(policy::IsBackupManaged(*cloud->GetImage(BackupImage())));
  EXPECT_FALSE(policy::IsBackupManaged(*cloud->GetImage(SeedImage(owner))));
  // Another aws:backup: tag alone is not the one AWS Backup's AMIs carry.
  EXPECT_FALSE(policy::IsBackupManaged(
      *cloud->GetImage(ImageTagged({T("aws:backup:other", "x")}))));
}

TEST_F(Backup, DEREG_5_AnImageReadFromDescribeImagesJsonWithTheTagIsBackupManaged) {
  const auto file = [](const std::string& name, std::string json) {
    AwsCliFile f;
    f.name = name;
    f.json = std::move(json);
    f.account = Account("111122223333");
    f.region = Region::Parse("us-east-1").value();
    return f;
  };
  const std::string image = absl::StrCat(R"({"Images": [{"ImageId": "ami-0a1b2c3d4e5f60718",
      "Name": "AwsBackup_2024-01-01", "RootDeviceName": "/dev/xvda",
      "CreationDate": "2024-01-01T00:05:00.000Z",
      "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
        "Ebs": {"SnapshotId": "snap-0a1b2c3d4e5f60718", "VolumeSize": 8}}],
      "Tags": [{"Key": "aws:backup:source-resource", "Value": ")", kSource, R"("}]}]})");
  const std::unique_ptr<Cloud> imported = Must(ImportAwsCli(
      {file("snapshots.json", R"({"Snapshots": [{"SnapshotId": "snap-0a1b2c3d4e5f60718",
          "VolumeSize": 8, "StartTime": "2024-01-01T00:00:00.000Z"}]})"),
       file("images.json", image)}));
  const ImageId id = ImageId::Parse("ami-0a1b2c3d4e5f60718").value();
  EXPECT_TRUE(policy::IsBackupManaged(*imported->GetImage(id)));
  EXPECT_NO_CHANGE(imported, EXPECT_THAT(imported->DeregisterImage(as_owner, id.ToString()).status(),
                                         HasErrorCode(ErrorCode::kInvalidParameterValue)));
}

TEST_F(Backup, DEREG_5_ACopyMadeThroughEc2IsTheCopiersOwnImage) {
  const ImageId backup = BackupImage();
  CopyImageRequest r{backup.ToString(), "us-east-1", "copy-of-backup"};
  r.copy_image_tags = true;
  const ImageId copy = Must(cloud->CopyImage(as_owner, r));
  cloud->AdvanceClock(absl::Hours(1));
  const Image copied = *cloud->GetImage(copy);
  EXPECT_EQ(copied.tags().Find("team"), "web");  // The user's tags are copied, AWS's are not.
  EXPECT_FALSE(policy::IsBackupManaged(copied));
  EXPECT_THAT(Deregister(copy), IsOk());
}

TEST_F(Backup, DEREG_5_UsersCanNeitherSetNorDeleteTheTag) {
  const ImageId plain = SeedImage(owner);
  const ImageId backup = BackupImage();
  const std::string key(policy::kBackupSourceResourceTag);
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(cloud->CreateTags(as_owner, {plain.ToString()}, {{key, "x"}}),
                                      HasErrorCode(ErrorCode::kInvalidParameterValue)));
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(cloud->DeleteTags(as_owner, {backup.ToString()}, {key}),
                                      HasErrorCode(ErrorCode::kInvalidParameterValue)));
  EXPECT_THAT(cloud->DeleteTags(as_owner, {backup.ToString()}, {"team", key}),
              MessageHas("cannot be deleted"));
  EXPECT_TRUE(policy::IsBackupManaged(*cloud->GetImage(backup)));
  // A user tag still goes.
  EXPECT_THAT(cloud->DeleteTags(as_owner, {backup.ToString()}, {"team"}), IsOk());
  EXPECT_TRUE(policy::IsBackupManaged(*cloud->GetImage(backup)));
}

TEST_F(Backup, DEREG_5_CreateImageRefusesTheTagFromAUser) {
  const InstanceId instance = Must(Launch(as_owner, SeedImage(owner))).at(0);
  cloud->AdvanceClock(absl::Minutes(5));
  CreateImageRequest r{instance.ToString(), "mine"};
  r.tag_specifications = {{"image", {{std::string(policy::kBackupSourceResourceTag), kSource}}}};
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(cloud->CreateImage(as_owner, r),
                                      HasErrorCode(ErrorCode::kInvalidParameterValue)));
}

TEST_F(Backup, DEREG_5_TheServicePathMakesABackupManagedImage) {
  const InstanceId instance = Must(Launch(as_owner, SeedImage(owner))).at(0);
  cloud->AdvanceClock(absl::Minutes(5));
  const ImageId id = Must(ServiceCreateImage(instance, BackupTags()));
  const Image image = *cloud->GetImage(id);
  EXPECT_TRUE(policy::IsBackupManaged(image));
  EXPECT_THAT(cloud->GetSnapshot(RootSnapshot(id))->tags().Find(policy::kBackupSourceResourceTag),
              Optional(absl::string_view(kSource)));
  EXPECT_EQ(cloud->GetInstance(instance)->reboot_count(), 0u);  // BACKUP-1: no reboot.
  cloud->AdvanceClock(absl::Hours(1));
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(Deregister(id), HasErrorCode(ErrorCode::kInvalidParameterValue)));
}

TEST_F(Backup, DEREG_5_TheServicePathKeepsUserAndServiceTagsApart) {
  const InstanceId instance = Must(Launch(as_owner, SeedImage(owner))).at(0);
  cloud->AdvanceClock(absl::Minutes(5));
  const TagSet user = Must(TagSet::Create({T("team", "web")}));
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(ServiceCreateImage(instance, user),
                                      MessageHas("service tag key `team` does not start with aws:")));
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(ServiceCreateImage(instance, {}, BackupTags()),
                                      HasErrorCode(ErrorCode::kInvalidParameterValue)));
  const ImageId both = Must(ServiceCreateImage(instance, BackupTags(), user));
  EXPECT_EQ(cloud->GetImage(both)->tags().size(), 2u);
}

// DEREG-5, BACKUP-2: a snapshot AWS Backup made is deleted with its recovery point, not through
// EC2; a snapshot without the tag deletes.
TEST_F(Backup, DEREG_5_DeletingABackupManagedSnapshotIsRefused) {
  Snapshot::Builder tagged = NewSnapshot(owner, east);
  tagged.set_tags(BackupTags());
  const SnapshotId backup = Import(tagged).id();
  EXPECT_NO_CHANGE(cloud, EXPECT_THAT(cloud->DeleteSnapshot(as_owner, backup.ToString()),
                                      HasErrorCode(ErrorCode::kInvalidParameterValue)));
  EXPECT_THAT(cloud->DeleteSnapshot(as_owner, backup.ToString()), MessageHas("managed by aws backup"));
  const SnapshotId plain = Import(NewSnapshot(owner, east)).id();
  EXPECT_THAT(cloud->DeleteSnapshot(as_owner, plain.ToString()), IsOk());
}

}  // namespace
}  // namespace ami
