// ami_guardrails: "IAM policies can force users to launch only AMIs with specific tags", told
// end to end. A platform team tags approved images `approved=true`; a service control policy on
// the workloads OU denies ec2:RunInstances on images whose ec2:ResourceTag/approved is not true.
// A developer role in a member account launches the golden image shared with it only once its
// own account has tagged it (IAM-5), and its identity policy refuses it a share. A cross-account
// key with the EBS-style policy shows kms:CallerAccount and kms:ViaService deciding, and one with
// an aws:SourceIp condition a residual condition. Exits non-zero when any step does not behave
// as AWS would.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ami/ami.h"
#include "ami/iam/iam.h"
#include "examples/common/steps.h"

namespace {

using namespace ami;

using examples::ExpectCode;
using examples::failures;
using examples::Must;
using examples::MustOk;
using examples::Show;
using examples::Step;

const AccountId kPlatform = AccountId::FromNumber(111122223333);
const AccountId kWorkload = AccountId::FromNumber(444455556666);
const Region kEast = Region::Parse("us-east-1").value();

ImageId GoldenImage(Cloud& cloud) {
  const Snapshot root = Must(Snapshot::Builder()
                                 .set_id(SnapshotId::Long(0x901de))
                                 .set_owner(kPlatform)
                                 .set_region(kEast)
                                 .set_volume_size_gib(8)
                                 .set_start_time(cloud.Now())
                                 .Build(),
                             "golden snapshot");
  MustOk(cloud.ImportSnapshot(root), "import snapshot");
  const Image image = Must(Image::Builder()
                               .set_id(ImageId::Long(0x901de))
                               .set_name("golden-al2023")
                               .set_owner(kPlatform)
                               .set_region(kEast)
                               .set_creation_time(cloud.Now())
                               .add_snapshot_mapping("/dev/xvda", root)
                               .Build(),
                           "golden image");
  MustOk(cloud.ImportImage(image), "import image");
  return image.id();
}

}  // namespace

int main() {
  auto cloud = Cloud::Create();
  const OrganizationId org = OrganizationId::Parse("o-a1b2c3d4e5").value();
  const OrganizationalUnitId workloads = OrganizationalUnitId::Parse("ou-ab12-11111111").value();
  MustOk(cloud->CreateOrganization(org, kPlatform, "r-ab12"), "organization");
  MustOk(cloud->CreateOrganizationalUnit(org, workloads), "workloads OU");
  MustOk(cloud->AddAccount(kWorkload, org, workloads), "workload account");

  Step("The platform team shares its golden image and guards the workloads OU with an SCP");
  const ImageId golden = GoldenImage(*cloud);
  ModifyImageAttributeRequest share{golden.ToString()};
  share.add = {LaunchPermissionEntry{kWorkload.ToString()}};
  MustOk(cloud->ModifyImageAttribute({kPlatform, kEast}, share), "share");
  MustOk(iam::PutServiceControlPolicy(*cloud, org, "p-approvedonly", {"ApprovedOnly", R"({
      "Version":"2012-10-17","Statement":[{"Sid":"DenyUnapprovedImages","Effect":"Deny",
      "Action":"ec2:RunInstances","Resource":"arn:aws:ec2:*::image/*",
      "Condition":{"StringNotEquals":{"ec2:ResourceTag/approved":"true"}}}]})"}),
         "SCP");
  MustOk(iam::AttachServiceControlPolicy(*cloud, "p-approvedonly", workloads.ToString()), "attach");
  MustOk(cloud->CreateTags({kPlatform, kEast}, {golden.ToString()}, {{"approved", "true"}}),
         "platform tag");

  iam::PrincipalSpec developer;
  developer.name = "developer";
  developer.policies = {{"inline:launch", R"({"Version":"2012-10-17","Statement":[{
      "Effect":"Allow","Action":["ec2:RunInstances","ec2:Describe*"],
      "Resource":"*"}]})"}};
  CallContext dev{kWorkload, kEast};
  dev.principal = Must(iam::PutPrincipal(*cloud, kWorkload, developer), "developer role");
  RunInstancesRequest launch;
  launch.image_id = golden.ToString();

  Step("The developer launches the golden image: its own account has not approved it");
  ExpectCode(cloud->RunInstances(dev, launch).status(), ErrorCode::kUnauthorizedOperation);

  Step("The workload account tags the shared image approved=true (its own tag, IAM-5)");
  MustOk(cloud->CreateTags({kWorkload, kEast}, {golden.ToString()}, {{"approved", "true"}}),
         "workload tag");
  ExpectCode(cloud->RunInstances(dev, launch).status(), std::nullopt);

  Step("The developer tries to share the image of its own instance: its identity policy refuses");
  const std::vector<InstanceId> mine = Must(cloud->RunInstances(dev, launch), "launch");
  cloud->AdvanceClock(absl::Minutes(5));
  const ImageId own = Must(cloud->CreateImage({kWorkload, kEast}, {mine.front().ToString(), "dev-image"}),
                           "create image");
  ModifyImageAttributeRequest reshare{own.ToString()};
  reshare.add = {LaunchPermissionEntry{"777788889999"}};
  ExpectCode(cloud->ModifyImageAttribute(dev, reshare), ErrorCode::kUnauthorizedOperation);

  Step("A cross-account key with the EBS-style policy: kms:CallerAccount and kms:ViaService decide");
  KeyPolicyStatement ebs_style;
  ebs_style.sid = "Allow access through EBS for the workload account";
  ebs_style.any_principal = true;
  ebs_style.actions = KmsActions::All();
  ebs_style.conditions = {{"StringEquals", "kms:CallerAccount", {kWorkload.ToString()}},
                          {"StringEquals", "kms:ViaService", {"ec2.us-east-1.amazonaws.com"}}};
  const KmsKeyArn shared_key =
      Must(cloud->CreateKey({kPlatform, kEast}, {"shared", false, "SYMMETRIC_DEFAULT", {ebs_style}}),
           "EBS-style key");
  const KmsActions use = policy::ReadKeyActions();
  Show(cloud->Evaluate([&](const StateView& v) {
         return policy::EvaluateKeyUse(v, kWorkload, shared_key, use);
       }),
       true);
  Show(cloud->Evaluate([&](const StateView& v) {
         return policy::EvaluateKeyUse(v, AccountId::FromNumber(777788889999), shared_key, use);
       }),
       false);

  Step("A key that allows the workload account only from the office network: a residual condition");
  KeyPolicyStatement office;
  office.sid = "Office";
  office.accounts = {kWorkload};
  office.actions = KmsActions::All();
  office.conditions = {{"IpAddress", "aws:SourceIp", {"203.0.113.0/24"}}};
  const KmsKeyArn office_key =
      Must(cloud->CreateKey({kPlatform, kEast}, {"office", false, "SYMMETRIC_DEFAULT", {office}}),
           "office key");
  Show(cloud->Evaluate([&](const StateView& v) {
         return policy::EvaluateKeyUse(v, kWorkload, office_key, use);
       }),
       false);

  std::printf("\n%s\n", failures == 0 ? "every step behaved as AWS documents" : "FAILURES");
  return failures == 0 ? 0 : 1;
}
