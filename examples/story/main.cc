// ami_story: the life of a golden image across two accounts, with every decision explained.
//
// Account A launches an instance from a public Amazon image with its volumes encrypted under the
// AWS managed key, creates an AMI with a reboot and one with NoReboot, moves the instance to
// another Availability Zone, tries to share the aws/ebs-encrypted AMI (denied, SHARE-16), copies
// it re-encrypted under a customer managed key, shares it and the key with account B (KMS-6).
// B launches it, copies it to another Region under its own key and owns the copy (COPY-3).
// Finally A tries to make the encrypted AMI public (denied, SHARE-14). Exits non-zero when any
// step does not behave as AWS would.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "examples/common/steps.h"

namespace {

using namespace ami;

using examples::ExpectCode;
using examples::failures;
using examples::Must;
using examples::MustOk;
using examples::Show;
using examples::Step;

// A public Amazon Linux image with an unencrypted root snapshot, as AWS publishes them.
ImageId SeedAmazonImage(Cloud& cloud, Region region) {
  const AccountId amazon = Must(AccountId::Parse("137112412989"), "amazon account");
  const Snapshot root = Must(Snapshot::Builder()
                                 .set_id(Must(SnapshotId::Parse("snap-0a0b0c0d0e0f01234"), "snap"))
                                 .set_owner(amazon)
                                 .set_region(region)
                                 .set_volume_size_gib(8)
                                 .set_create_volume_permissions({{}, /*is_public=*/true})
                                 .Build(),
                             "amazon snapshot");
  const Image image = Must(Image::Builder()
                               .set_id(Must(ImageId::Parse("ami-0fedcba9876543210"), "ami"))
                               .set_name("al2023-ami-2026.1.20260101.0-kernel-6.1-x86_64")
                               .set_owner(amazon)
                               .set_owner_alias(OwnerAlias::kAmazon)
                               .set_region(region)
                               .add_snapshot_mapping("/dev/xvda", root)
                               .set_launch_permissions(Must(LaunchPermissions::Create({}, true, {}, {}), "public"))
                               .Build(),
                           "amazon image");
  MustOk(cloud.ImportSnapshot(root), "import snapshot");
  MustOk(cloud.ImportImage(image), "import image");
  return image.id();
}

}  // namespace

int main() {
  auto cloud = Cloud::Create();
  const Region east = Must(Region::Parse("us-east-1"), "region");
  const Region west = Must(Region::Parse("eu-west-1"), "region");
  const AccountId a = Must(AccountId::Parse("111122223333"), "account A");
  const AccountId b = Must(AccountId::Parse("444455556666"), "account B");
  const CallContext as_a{a, east}, as_b{b, east}, as_b_west{b, west};
  const ImageId amazon_image = SeedAmazonImage(*cloud, east);

  Step("A launches an instance from the public Amazon image, volumes encrypted with aws/ebs");
  Show(cloud->Evaluate([&](const StateView& v) {
         return policy::EvaluateLaunch(v, {a, east, amazon_image, true, std::nullopt});
       }),
       true);
  RunInstancesRequest run{amazon_image.ToString(), "us-east-1a"};
  run.encrypted = true;
  const InstanceId web = Must(cloud->RunInstances(as_a, run), "RunInstances").front();
  cloud->AdvanceClock(absl::Minutes(2));
  std::printf("instance %s is %s\n", web.ToString().c_str(),
              std::string(ToString(cloud->GetInstance(web)->state())).c_str());

  Step("A creates an AMI with a reboot, and one with NoReboot (CREATE-4)");
  CreateImageRequest with_reboot{web.ToString(), "web-2026-01-01-reboot"};
  Show(cloud->Evaluate([&](const StateView& v) {
         return policy::EvaluateCreateImage(v, {a, east, web, with_reboot.name, false});
       }),
       true);
  const ImageId golden = Must(cloud->CreateImage(as_a, with_reboot), "CreateImage reboot");
  CreateImageRequest no_reboot{web.ToString(), "web-2026-01-01-noreboot"};
  no_reboot.no_reboot = true;
  Show(cloud->Evaluate([&](const StateView& v) {
         return policy::EvaluateCreateImage(v, {a, east, web, no_reboot.name, true});
       }),
       true);
  const ImageId hasty = Must(cloud->CreateImage(as_a, no_reboot), "CreateImage NoReboot");
  cloud->AdvanceClock(absl::Minutes(15));
  for (const ImageId id : {golden, hasty}) {
    const Image image = *cloud->GetImage(id);
    std::printf("%s %s: %s, %s\n", id.ToString().c_str(), image.name().c_str(),
                std::string(ToString(image.state())).c_str(),
                std::string(ToString(image.consistency())).c_str());
  }
  if (cloud->GetImage(golden)->consistency() != ImageConsistency::kFileSystemConsistent ||
      cloud->GetImage(hasty)->consistency() != ImageConsistency::kCrashConsistent) {
    std::printf("UNEXPECTED consistency\n");
    ++failures;
  }

  Step("A moves the instance to us-east-1b: create image (done), terminate, launch (REG-7)");
  MustOk(cloud->TerminateInstances(as_a, {web.ToString()}), "terminate");
  RunInstancesRequest moved{golden.ToString(), "us-east-1b"};
  const InstanceId web2 = Must(cloud->RunInstances(as_a, moved), "RunInstances moved").front();
  cloud->AdvanceClock(absl::Minutes(2));
  std::printf("instance %s runs %s in %s\n", web2.ToString().c_str(),
              golden.ToString().c_str(), cloud->GetInstance(web2)->availability_zone().ToString().c_str());

  Step("A tries to share the AMI encrypted with aws/ebs with B (SHARE-16)");
  ModifyImageAttributeRequest share{golden.ToString()};
  share.add.push_back({b.ToString()});
  Show(cloud->Evaluate([&](const StateView& v) {
         policy::ShareQuestion q{a, east, golden, {}};
         q.change.add_accounts = {b};
         return policy::EvaluateModifyLaunchPermission(v, q);
       }),
       false);
  ExpectCode(cloud->ModifyImageAttribute(as_a, share), ErrorCode::kInvalidParameter);

  Step("A creates a customer managed key that B may use, and copies the AMI under it");
  KeyPolicyStatement allow_b;
  allow_b.sid = "Allow use of the key by account B";
  allow_b.accounts = {b};
  allow_b.actions = EbsRequiredKmsActions().Union(policy::WriteKeyActions());
  const KmsKeyArn key_a = Must(cloud->CreateKey(as_a, {"golden image key", false, "SYMMETRIC_DEFAULT", {allow_b}}),
                               "CreateKey A");
  CopyImageRequest reencrypt{golden.ToString(), "us-east-1", "web-2026-01-01-cmk"};
  reencrypt.encrypted = true;
  reencrypt.kms_key_id = key_a.ToString();
  const ImageId shared = Must(cloud->CopyImage(as_a, reencrypt), "CopyImage re-encrypt");
  cloud->AdvanceClock(absl::Minutes(15));
  std::printf("copy %s is %s, encrypted with %s\n", shared.ToString().c_str(),
              std::string(ToString(cloud->GetImage(shared)->state())).c_str(),
              cloud->GetImage(shared)->block_device_mappings()[0].ebs->kms_key->ToString().c_str());

  Step("A shares the re-encrypted AMI with B (SHARE-1, SHARE-17)");
  share.image_id = shared.ToString();
  Show(cloud->Evaluate([&](const StateView& v) {
         policy::ShareQuestion q{a, east, shared, {}};
         q.change.add_accounts = {b};
         return policy::EvaluateModifyLaunchPermission(v, q);
       }),
       true);
  MustOk(cloud->ModifyImageAttribute(as_a, share), "share with B");

  Step("B launches the shared AMI (LAUNCH-4, LAUNCH-15, KMS-6)");
  Show(cloud->Evaluate([&](const StateView& v) {
         return policy::EvaluateLaunch(v, {b, east, shared, std::nullopt, std::nullopt});
       }),
       true);
  const InstanceId b_web = Must(cloud->RunInstances(as_b, {shared.ToString()}), "B RunInstances").front();
  cloud->AdvanceClock(absl::Minutes(2));
  std::printf("B's instance %s is %s\n", b_web.ToString().c_str(),
              std::string(ToString(cloud->GetInstance(b_web)->state())).c_str());

  Step("B copies the AMI to eu-west-1 under its own key: first without snapshot access (COPY-6)");
  const KmsKeyArn key_b = Must(cloud->CreateKey(as_b_west, {"B's key", false, "SYMMETRIC_DEFAULT", {}}),
                               "CreateKey B");
  CopyImageRequest b_copy{shared.ToString(), "us-east-1", "web-from-a"};
  b_copy.encrypted = true;
  b_copy.kms_key_id = key_b.ToString();
  policy::CopyQuestion cq{b, west, east, shared, b_copy.name, true, *KmsKeyRef::Parse(key_b.ToString())};
  Show(cloud->Evaluate([&](const StateView& v) { return policy::EvaluateCopy(v, cq); }), false);
  ExpectCode(cloud->CopyImage(as_b_west, b_copy).status(), ErrorCode::kAuthFailure);
  for (const SnapshotId sid : cloud->GetImage(shared)->snapshot_ids()) {
    MustOk(cloud->ModifySnapshotAttribute(as_a, {sid.ToString(), "add", {b.ToString()}, {}}),
           "share snapshot");
  }
  Show(cloud->Evaluate([&](const StateView& v) { return policy::EvaluateCopy(v, cq); }), true);
  const ImageId b_image = Must(cloud->CopyImage(as_b_west, b_copy), "B CopyImage");
  cloud->AdvanceClock(absl::Minutes(15));
  const Image copied = *cloud->GetImage(b_image);
  std::printf("B's copy %s in %s: owner %s, state %s, key %s\n", b_image.ToString().c_str(),
              copied.region().code().data(), copied.owner().ToString().c_str(),
              std::string(ToString(copied.state())).c_str(),
              copied.block_device_mappings()[0].ebs->kms_key->ToString().c_str());
  if (copied.owner() != b || copied.state() != ImageState::kAvailable ||
      copied.block_device_mappings()[0].ebs->kms_key != key_b) {
    std::printf("UNEXPECTED copy\n");
    ++failures;
  }

  Step("A tries to make the encrypted AMI public (SHARE-14)");
  MustOk(cloud->DisableImageBlockPublicAccess(as_a), "disable block public access");
  Show(cloud->Evaluate([&](const StateView& v) { return policy::EvaluateMakePublic(v, a, east, shared); }),
       false);
  ModifyImageAttributeRequest make_public{shared.ToString()};
  make_public.add.push_back({"", "all"});
  ExpectCode(cloud->ModifyImageAttribute(as_a, make_public), ErrorCode::kUnsupportedOperation);

  std::printf("\n%s\n", failures == 0 ? "story complete: every step behaved as expected"
                                      : "story FAILED");
  return failures == 0 ? 0 : 1;
}
