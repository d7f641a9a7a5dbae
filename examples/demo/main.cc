// ami_demo: builds a few libami values — a customer managed KMS key, an encrypted snapshot, the
// AMI that maps it (created with a reboot, so file-system-consistent) and an instance launched
// from it — prints each as the JSON the AWS CLI would show, and shows how bad input is refused.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/io/proto.h"

namespace {

template <typename T>
T Must(absl::StatusOr<T> v) {
  if (!v.ok()) {
    std::fprintf(stderr, "unexpected error: %s\n", std::string(v.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(v);
}

void Show(const char* title, const std::string& json) {
  std::printf("== %s\n%s\n", title, json.c_str());
}

void ShowRejection(const char* what, const absl::Status& status) {
  const auto code = ami::GetErrorCode(status);
  std::printf("%-34s -> %s: %s\n", what,
              code ? std::string(ami::ErrorCodeName(*code)).c_str() : "(no code)",
              std::string(status.message()).c_str());
}

}  // namespace

int main() {
  using namespace ami;
  const AccountId owner = Must(AccountId::Parse("111122223333"));
  const AccountId partner = Must(AccountId::Parse("444455556666"));
  const Region region = Must(Region::Parse("eu-west-1"));
  const absl::Time created = Must(ParseAwsTime("2026-03-01T09:30:00.000Z"));

  const KmsKeyArn key_arn = KmsKeyArn::Of(
      owner, region, Must(KmsKeyId::Parse("1234abcd-12ab-34cd-56ef-1234567890ab")));
  KeyPolicyStatement share;
  share.sid = "Allow use of the key by the partner account";
  share.accounts = {partner};
  share.actions = EbsRequiredKmsActions();
  const KmsKey key = Must(KmsKey::Builder()
                              .set_arn(key_arn)
                              .set_description("golden AMI key")
                              .set_creation_time(created)
                              .add_policy_statement(share)
                              .Build());

  const Snapshot root = Must(Snapshot::Builder()
                                 .set_id(Must(SnapshotId::Parse("snap-0f1e2d3c4b5a69788")))
                                 .set_owner(owner)
                                 .set_region(region)
                                 .set_volume_size_gib(16)
                                 .set_kms_key(key_arn)
                                 .set_description("Created by CreateImage(i-0123456789abcdef0) for ami-0a1b2c3d4e5f60718")
                                 .set_start_time(created)
                                 .Build());

  const Image image =
      Must(Image::Builder()
               .set_id(Must(ImageId::Parse("ami-0a1b2c3d4e5f60718")))
               .set_name("golden-al2023-2026.03.01")
               .set_description("Golden Amazon Linux 2023 image")
               .set_owner(owner)
               .set_region(region)
               .set_creation_time(created)
               .add_snapshot_mapping("/dev/xvda", root)
               .set_launch_permissions(Must(LaunchPermissions::Create({partner}, false, {}, {})))
               .set_source_instance(Must(InstanceId::Parse("i-0123456789abcdef0")))
               .set_consistency(ImageConsistency::kFileSystemConsistent)
               .set_tags(Must(TagSet::CreateUserTags({Must(Tag::Create("approved", "true"))})))
               .Build());

  AttachedVolume volume;
  volume.device_name = "/dev/xvda";
  volume.volume_id = Must(VolumeId::Parse("vol-049df61146c4d7901"));
  volume.volume_size_gib = 16;
  volume.kms_key = key_arn;
  volume.snapshot_id = root.id();
  const Instance instance = Must(Instance::Builder()
                                     .set_id(Must(InstanceId::Parse("i-0fedcba9876543210")))
                                     .set_owner(owner)
                                     .set_availability_zone(Must(AvailabilityZone::Parse("eu-west-1b")))
                                     .set_image_id(image.id())
                                     .set_instance_type("m7g.large")
                                     .set_architecture(Architecture::kArm64)
                                     .add_volume(volume)
                                     .set_launch_time(created + absl::Hours(1))
                                     .Build());

  Show("KMS key (aws kms describe-key)", ToJson(key));
  Show("Snapshot (aws ec2 describe-snapshots)", ToJson(root));
  Show("Image (aws ec2 describe-images)", ToJson(image));
  Show("Instance (aws ec2 describe-instances)", ToJson(instance));

  std::printf("\nThe image is %s: %s\n", std::string(ToString(image.consistency())).c_str(),
              image.consistency() == ImageConsistency::kCrashConsistent
                  ? "no file-system integrity guarantee"
                  : "buffered data was flushed before the snapshots were taken");

  std::printf("\n== Bad input is refused with the AWS error code\n");
  ShowRejection("ImageId \"ami-12345\"", ImageId::Parse("ami-12345").status());
  ShowRejection("AccountId \"1234-5678-9012\"", AccountId::Parse("1234-5678-9012").status());
  ShowRejection("Region \"us-north-7\"", Region::Parse("us-north-7").status());
  ShowRejection("AvailabilityZone \"eu-west-1z\"", AvailabilityZone::Parse("eu-west-1z").status());
  ShowRejection("image name \"ab\"", ValidateImageName("ab"));
  ShowRejection("alias \"alias/aws/mine\"", ValidateNewAliasName("alias/aws/mine"));
  ShowRejection("corrupt protobuf bytes", FromBinary<Image>("\xff\xff\xff").status());
  return 0;
}
