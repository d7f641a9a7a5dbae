// Tests for importing IAM (get-account-authorization-details), AWS Organizations and more KMS
// output with ImportAwsCli: the imported principals and service control policies then decide
// calls (IAM-1, IAM-2), and every input that could hide a Deny is refused.
#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "ami/ami.h"
#include "ami/io/aws_import.h"
#include "ami/io/state_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::testing::HasSubstr;

constexpr char kMgmt[] = "111111111111";
constexpr char kWorkload[] = "222222222222";
constexpr char kSandbox[] = "333333333333";
constexpr char kRoot[] = "r-ab12";
constexpr char kWorkloads[] = "ou-ab12-11111111";
constexpr char kProd[] = "ou-ab12-22222222";

AwsCliFile File(std::string name, std::string json, absl::string_view account = kWorkload) {
  AwsCliFile f;
  f.name = std::move(name);
  f.json = std::move(json);
  f.account = *AccountId::Parse(account);
  f.region = *Region::Parse("us-east-1");
  return f;
}

AwsCliFile WithParent(AwsCliFile f, std::string parent) {
  f.parent_id = std::move(parent);
  return f;
}

AwsCliFile WithPolicy(AwsCliFile f, std::string policy) {
  f.policy_id = std::move(policy);
  return f;
}

// An image of the workload account to launch.
std::vector<AwsCliFile> ImageFiles(absl::string_view account = kWorkload) {
  return {File("snapshots.json", R"({"Snapshots": [
              {"SnapshotId": "snap-0aaaabbbbccccdddd", "VolumeSize": 8, "State": "completed"}]})",
               account),
          File("images.json", absl::StrCat(R"({"Images": [{"ImageId": "ami-0aaaabbbbccccdddd",
              "OwnerId": ")", account, R"(", "Name": "golden", "State": "available",
              "RootDeviceName": "/dev/xvda", "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
              "Ebs": {"SnapshotId": "snap-0aaaabbbbccccdddd", "VolumeSize": 8}}]}]})"),
               account)};
}

// What `aws iam get-account-authorization-details` prints for the workload account: a role with
// an inline policy (a JSON object, as the AWS CLI prints it), a user whose group's inline policy
// is URL-encoded (as other SDKs return it), and a role allowed ec2:* by a managed policy (a JSON
// string) but bounded to ec2:Describe*.
std::string AuthorizationDetails(absl::string_view account = kWorkload) {
  const std::string group_policy =
      "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow"
      "%22%2C%22Action%22%3A%22ec2%3ARunInstances%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
  std::string json = R"({
  "UserDetailList": [{
    "Path": "/", "UserName": "alice", "UserId": "AIDAEXAMPLEALICE00001",
    "Arn": "arn:aws:iam::ACCT:user/alice", "CreateDate": "2024-01-02T03:04:05+00:00",
    "GroupList": ["launchers"], "AttachedManagedPolicies": [], "UserPolicyList": [],
    "Tags": [{"Key": "team", "Value": "platform"}]}],
  "GroupDetailList": [{
    "Path": "/", "GroupName": "launchers", "GroupId": "AGPAEXAMPLELAUNCH0001",
    "Arn": "arn:aws:iam::ACCT:group/launchers", "CreateDate": "2024-01-02T03:04:05+00:00",
    "GroupPolicyList": [{"PolicyName": "run", "PolicyDocument": "GROUP_POLICY"}],
    "AttachedManagedPolicies": []}],
  "RoleDetailList": [{
    "Path": "/", "RoleName": "deployer", "RoleId": "AROAEXAMPLEDEPLOY0001",
    "Arn": "arn:aws:iam::ACCT:role/deployer", "CreateDate": "2024-01-02T03:04:05+00:00",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
    "InstanceProfileList": [{"Path": "/", "InstanceProfileName": "deployer",
      "InstanceProfileId": "AIPAEXAMPLEPROFILE01", "Arn": "arn:aws:iam::ACCT:instance-profile/deployer",
      "CreateDate": "2024-01-02T03:04:05+00:00", "Roles": []}],
    "RolePolicyList": [{"PolicyName": "launch", "PolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:Describe*"],
                     "Resource": "*"}]}}],
    "AttachedManagedPolicies": [], "Tags": [],
    "RoleLastUsed": {"LastUsedDate": "2024-05-06T07:08:09+00:00", "Region": "us-east-1"}},
   {"Path": "/bounded/", "RoleName": "bounded", "RoleId": "AROAEXAMPLEBOUNDED01",
    "Arn": "arn:aws:iam::ACCT:role/bounded/bounded", "CreateDate": "2024-01-02T03:04:05+00:00",
    "AssumeRolePolicyDocument": "%7B%7D", "InstanceProfileList": [], "RolePolicyList": [],
    "AttachedManagedPolicies": [{"PolicyName": "Ec2All",
                                 "PolicyArn": "arn:aws:iam::ACCT:policy/Ec2All"}],
    "PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                            "PermissionsBoundaryArn": "arn:aws:iam::ACCT:policy/DescribeOnly"}}],
  "Policies": [{
    "PolicyName": "Ec2All", "PolicyId": "ANPAEXAMPLEEC2ALL0001",
    "Arn": "arn:aws:iam::ACCT:policy/Ec2All", "Path": "/", "DefaultVersionId": "v2",
    "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
    "CreateDate": "2024-01-02T03:04:05+00:00", "UpdateDate": "2024-01-02T03:04:05+00:00",
    "PolicyVersionList": [
      {"Document": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
       "VersionId": "v1", "IsDefaultVersion": false, "CreateDate": "2024-01-02T03:04:05+00:00"},
      {"Document": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}]}",
       "VersionId": "v2", "IsDefaultVersion": true, "CreateDate": "2024-01-02T03:04:05+00:00"}]},
   {"PolicyName": "DescribeOnly", "PolicyId": "ANPAEXAMPLEDESCRIBE1",
    "Arn": "arn:aws:iam::ACCT:policy/DescribeOnly", "Path": "/", "DefaultVersionId": "v1",
    "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 1, "IsAttachable": true,
    "PolicyVersionList": [{"Document": {"Version": "2012-10-17", "Statement": [{"Effect":
      "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}, "VersionId": "v1",
      "IsDefaultVersion": true}]}],
  "IsTruncated": false})";
  json = absl::StrReplaceAll(json, {{"ACCT", account}, {"GROUP_POLICY", group_policy}});
  return json;
}

// The organization: management account at the root, the workload account in Prod under
// Workloads, the sandbox account in Workloads; p-denyrun01 on Prod denies RunInstances.
std::vector<AwsCliFile> OrganizationFiles() {
  return {
      File("org.json", R"({"Organization": {"Id": "o-exampleorg1",
          "Arn": "arn:aws:organizations::111111111111:organization/o-exampleorg1",
          "FeatureSet": "ALL", "MasterAccountId": "111111111111",
          "MasterAccountArn": "arn:aws:organizations::111111111111:account/o-exampleorg1/111111111111",
          "MasterAccountEmail": "admin@example.com",
          "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}})",
           kMgmt),
      File("roots.json", R"({"Roots": [{"Id": "r-ab12",
          "Arn": "arn:aws:organizations::111111111111:root/o-exampleorg1/r-ab12", "Name": "Root",
          "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]})", kMgmt),
      WithParent(File("ous-root.json", R"({"OrganizationalUnits": [{"Id": "ou-ab12-11111111",
          "Arn": "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-11111111",
          "Name": "Workloads"}]})", kMgmt), kRoot),
      WithParent(File("ous-workloads.json", R"({"OrganizationalUnits": [{"Id": "ou-ab12-22222222",
          "Name": "Prod"}]})", kMgmt), kWorkloads),
      WithParent(File("accounts-root.json", R"({"Accounts": [{"Id": "111111111111",
          "Name": "Management", "Status": "ACTIVE", "JoinedMethod": "CREATED"}]})", kMgmt), kRoot),
      WithParent(File("accounts-prod.json", R"({"Accounts": [{"Id": "222222222222",
          "Arn": "arn:aws:organizations::111111111111:account/o-exampleorg1/222222222222",
          "Email": "w@example.com", "Name": "Workload", "Status": "ACTIVE"}]})", kMgmt), kProd),
      WithParent(File("accounts-workloads.json", R"({"Accounts": [{"Id": "333333333333",
          "Name": "Sandbox", "Status": "ACTIVE"}]})", kMgmt), kWorkloads),
      File("scps.json", R"({"Policies": [
          {"Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY",
           "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
           "Description": "Allows access to every operation", "AwsManaged": true},
          {"Id": "p-denyrun01", "Name": "DenyRun", "Type": "SERVICE_CONTROL_POLICY",
           "AwsManaged": false}]})", kMgmt),
      File("scp-denyrun.json", R"({"Policy": {"PolicySummary": {"Id": "p-denyrun01",
          "Name": "DenyRun", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false},
          "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"*\"}]}"}})",
           kMgmt),
      WithPolicy(File("targets-denyrun.json", R"({"Targets": [{"TargetId": "ou-ab12-22222222",
          "Arn": "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-22222222",
          "Name": "Prod", "Type": "ORGANIZATIONAL_UNIT"}]})", kMgmt), "p-denyrun01"),
      WithPolicy(File("targets-full.json", R"({"Targets": [
          {"TargetId": "r-ab12", "Type": "ROOT"},
          {"TargetId": "ou-ab12-11111111", "Type": "ORGANIZATIONAL_UNIT"},
          {"TargetId": "ou-ab12-22222222", "Type": "ORGANIZATIONAL_UNIT"},
          {"TargetId": "111111111111", "Type": "ACCOUNT"}, {"TargetId": "222222222222", "Type": "ACCOUNT"},
          {"TargetId": "333333333333", "Type": "ACCOUNT"}]})", kMgmt), "p-FullAWSAccess"),
  };
}

// `files` without the file named `name`.
std::vector<AwsCliFile> Without(std::vector<AwsCliFile> files, absl::string_view name) {
  files.erase(std::remove_if(files.begin(), files.end(),
                             [&](const AwsCliFile& f) { return f.name == name; }),
              files.end());
  return files;
}

std::vector<AwsCliFile> Join(std::vector<AwsCliFile> a, const std::vector<AwsCliFile>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

CallContext As(absl::string_view account, const std::string& principal) {
  CallContext ctx;
  ctx.account = *AccountId::Parse(account);
  ctx.region = *Region::Parse("us-east-1");
  ctx.principal = principal;
  return ctx;
}

absl::Status Launch(Cloud& cloud, const CallContext& ctx) {
  RunInstancesRequest r;
  r.image_id = "ami-0aaaabbbbccccdddd";
  return cloud.RunInstances(ctx, r).status();
}

std::string Arn(absl::string_view account, absl::string_view rest) {
  return absl::StrCat("arn:aws:iam::", account, ":", rest);
}

// ---- Kinds -------------------------------------------------------------------------------------

TEST(ImportIamKinds, EachOutputIsRecognisedByItsTopLevelKeys) {
  EXPECT_EQ(*DetectAwsCliKind(AuthorizationDetails()), "get-account-authorization-details");
  EXPECT_EQ(*DetectAwsCliKind(R"({"Policies": [{"PolicyName": "p", "Arn": "a"}]})"),
            "get-account-authorization-details");
  EXPECT_EQ(*DetectAwsCliKind(R"({"Policies": [{"Id": "p-FullAWSAccess"}]})"), "list-policies");
  EXPECT_EQ(*DetectAwsCliKind(R"({"Policy": {"Content": "{}"}})"), "describe-policy");
  EXPECT_EQ(*DetectAwsCliKind(R"({"Policy": "{}", "PolicyName": "default"})"), "get-key-policy");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"Organization": {}})", "describe-organization"},
      {R"({"Roots": []})", "list-roots"},
      {R"({"OrganizationalUnits": []})", "list-organizational-units-for-parent"},
      {R"({"Accounts": []})", "list-accounts"},
      {R"({"Parents": []})", "list-parents"},
      {R"({"Targets": []})", "list-targets-for-policy"},
      {R"({"Grants": [], "Truncated": false})", "list-grants"},
      {R"({"KmsKeyId": "alias/aws/ebs"})", "get-ebs-default-kms-key-id"},
  };
  for (const auto& [json, kind] : cases) EXPECT_EQ(DetectAwsCliKind(json).value_or("?"), kind);
}

// ---- IAM ---------------------------------------------------------------------------------------

TEST(ImportIam, IAM_1_ImportedPoliciesDecide) {
  auto cloud = ImportAwsCli(Join(ImageFiles(), {File("iam.json", AuthorizationDetails())}));
  ASSERT_THAT(cloud, IsOk());
  // The role's inline policy (a JSON object) allows RunInstances.
  EXPECT_THAT(Launch(**cloud, As(kWorkload, Arn(kWorkload, "role/deployer"))), IsOk());
  // The user's group's inline policy (URL-encoded) applies to the user.
  EXPECT_THAT(Launch(**cloud, As(kWorkload, Arn(kWorkload, "user/alice"))), IsOk());
  // The managed policy's default version (v2) allows ec2:*, the boundary only ec2:Describe*.
  const absl::Status bounded =
      Launch(**cloud, As(kWorkload, Arn(kWorkload, "role/bounded/bounded")));
  EXPECT_THAT(bounded, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(bounded.message(), HasSubstr("because no permissions boundary allows"));
}

TEST(ImportIam, IAM_1_WithoutTheGroupThePolicyDoesNotApply) {
  std::string json = AuthorizationDetails();
  json = absl::StrReplaceAll(json, {{R"("GroupList": ["launchers"])", R"("GroupList": [])"}});
  auto cloud = ImportAwsCli(Join(ImageFiles(), {File("iam.json", json)}));
  ASSERT_THAT(cloud, IsOk());
  const absl::Status alice = Launch(**cloud, As(kWorkload, Arn(kWorkload, "user/alice")));
  EXPECT_THAT(alice, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(alice.message(), HasSubstr("because no identity-based policy allows"));
}

TEST(ImportIam, FilteredOutputSplitOverFilesIsJoined) {
  // --filter Role in one file, --filter LocalManagedPolicy in another.
  const std::string roles = R"({"RoleDetailList": [{"Path": "/", "RoleName": "runner",
      "Arn": "arn:aws:iam::222222222222:role/runner", "AttachedManagedPolicies": [
        {"PolicyName": "Run", "PolicyArn": "arn:aws:iam::222222222222:policy/Run"}]}],
      "IsTruncated": false})";
  const std::string policies = R"({"Policies": [{"PolicyName": "Run",
      "Arn": "arn:aws:iam::222222222222:policy/Run", "DefaultVersionId": "v1",
      "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document":
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ec2:RunInstances",
         "Resource": "*"}}}]}]})";
  auto cloud = ImportAwsCli(
      Join(ImageFiles(), {File("roles.json", roles), File("policies.json", policies)}));
  ASSERT_THAT(cloud, IsOk());
  EXPECT_THAT(Launch(**cloud, As(kWorkload, Arn(kWorkload, "role/runner"))), IsOk());
}

TEST(ImportIam, EmptyPoliciesListAsksForNoOrganization) {
  // `--filter LocalManagedPolicy` of an account with none prints what list-policies would.
  EXPECT_THAT(ImportAwsCli({File("iam.json", R"({"Policies": []})")}), IsOk());
}

TEST(ImportIam, TruncatedListingIsRefused) {
  std::string json = AuthorizationDetails();
  json = absl::StrReplaceAll(json, {{R"("IsTruncated": false)",
                                     R"("IsTruncated": true, "Marker": "AAAA")"}});
  const auto cloud = ImportAwsCli({File("iam.json", json)});
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(cloud.status().message(), HasSubstr("iam.json: the listing is truncated"));
}

TEST(ImportIam, AttachedAwsManagedPolicyNotListedIsRefused) {
  const std::string json = R"({"RoleDetailList": [{"Path": "/", "RoleName": "admin",
      "Arn": "arn:aws:iam::222222222222:role/admin", "AttachedManagedPolicies": [
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}],
      "Policies": []})";
  const auto cloud = ImportAwsCli({File("iam.json", json)});
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(cloud.status().message(),
              HasSubstr("iam.json: RoleDetailList[0].AttachedManagedPolicies[0].PolicyArn: "
                        "managed policy `arn:aws:iam::aws:policy/ReadOnlyAccess` is in no "
                        "Policies list"));
  EXPECT_THAT(cloud.status().message(), HasSubstr("without --filter, or include AWSManagedPolicy"));
}

TEST(ImportIam, MissingBoundaryPolicyIsRefused) {
  std::string no_boundary = AuthorizationDetails();
  no_boundary = absl::StrReplaceAll(
      no_boundary, {{R"("PermissionsBoundaryArn": "arn:aws:iam::222222222222:policy/DescribeOnly")",
                     R"("PermissionsBoundaryArn": "arn:aws:iam::222222222222:policy/Gone")"}});
  const auto boundary = ImportAwsCli({File("iam.json", no_boundary)});
  EXPECT_THAT(boundary.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(boundary.status().message(),
              HasSubstr("PermissionsBoundary.PermissionsBoundaryArn: managed policy "
                        "`arn:aws:iam::222222222222:policy/Gone`"));
}

TEST(ImportIam, MissingGroupIsRefused) {
  std::string no_group = AuthorizationDetails();
  no_group = absl::StrReplaceAll(no_group, {{R"("GroupName": "launchers")", R"("GroupName": "x")"}});
  const auto group = ImportAwsCli({File("iam.json", no_group)});
  EXPECT_THAT(group.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(group.status().message(),
              HasSubstr("UserDetailList[0].GroupList[0]: group `launchers` is in no GroupDetailList"));
}

TEST(ImportIam, PrincipalOfAnotherAccountIsRefused) {
  const auto cloud = ImportAwsCli({File("iam.json", AuthorizationDetails(kSandbox), kWorkload)});
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud.status().message(), HasSubstr("iam.json: "));
  EXPECT_THAT(cloud.status().message(),
              HasSubstr("is not of account `222222222222`, which the file was taken as"));
}

TEST(ImportIam, BadPolicyDocumentsAreRefused) {
  const std::string bad_escape = R"({"UserDetailList": [{"UserName": "u", "UserPolicyList": [
      {"PolicyName": "p", "PolicyDocument": "%7B%zz"}]}]})";
  const auto escape = ImportAwsCli({File("iam.json", bad_escape)});
  EXPECT_THAT(escape.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(escape.status().message(),
              HasSubstr("UserDetailList[0].UserPolicyList[0].PolicyDocument: a url-encoded"));
  const std::string not_json = R"({"UserDetailList": [{"UserName": "u", "UserPolicyList": [
      {"PolicyName": "p", "PolicyDocument": 7}]}]})";
  EXPECT_THAT(ImportAwsCli({File("iam.json", not_json)}).status(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// ---- Organizations -----------------------------------------------------------------------------

TEST(ImportOrganizations, IAM_2_ImportedScpOnTheOuDenies) {
  auto cloud = ImportAwsCli(Join(Join(ImageFiles(), OrganizationFiles()),
                                 {File("iam.json", AuthorizationDetails())}));
  ASSERT_THAT(cloud, IsOk());
  EXPECT_EQ((*cloud)->AccountOrganization(*AccountId::Parse(kWorkload)),
            *OrganizationId::Parse("o-exampleorg1"));
  EXPECT_EQ((*cloud)->AccountOrganization(*AccountId::Parse(kSandbox)),
            *OrganizationId::Parse("o-exampleorg1"));
  const absl::Status denied = Launch(**cloud, As(kWorkload, Arn(kWorkload, "role/deployer")));
  EXPECT_THAT(denied, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(denied.message(), HasSubstr("with an explicit deny in a service control policy"));
}

TEST(ImportOrganizations, IAM_2_StateFileKeepsWhatWasImported) {
  auto cloud = ImportAwsCli(Join(Join(ImageFiles(), OrganizationFiles()),
                                 {File("iam.json", AuthorizationDetails())}));
  ASSERT_THAT(cloud, IsOk());
  std::stringstream saved;
  ASSERT_THAT(SaveState(**cloud, saved), IsOk());
  auto loaded = LoadState(saved);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_THAT(Launch(**loaded, As(kWorkload, Arn(kWorkload, "role/deployer"))),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(Launch(**loaded, As(kWorkload, "")),
              HasErrorCode(ErrorCode::kUnauthorizedOperation));  // SCPs bind the root user too.
}

TEST(ImportOrganizations, IAM_2_AccountOutsideTheDeniedOuIsAllowed) {
  auto cloud = ImportAwsCli(Join(Join(ImageFiles(kSandbox), OrganizationFiles()),
                                 {File("iam.json", AuthorizationDetails(kSandbox), kSandbox)}));
  ASSERT_THAT(cloud, IsOk());
  EXPECT_THAT(Launch(**cloud, As(kSandbox, Arn(kSandbox, "role/deployer"))), IsOk());
}

TEST(ImportOrganizations, IAM_2_FullAwsAccessDetachedFromAnOuLeavesOnlyWhatItsScpsAllow) {
  // Workloads keeps only an SCP that allows ec2:Describe*: the sandbox account may not launch.
  std::vector<AwsCliFile> files =
      Join(ImageFiles(kSandbox), Without(OrganizationFiles(), "targets-full.json"));
  files.push_back(File("scp-describe.json", R"({"Policy": {"PolicySummary": {"Id": "p-describe1",
      "Name": "DescribeOnly", "Type": "SERVICE_CONTROL_POLICY"}, "Content":
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}]}"}})",
                       kMgmt));
  files.push_back(WithPolicy(File("targets-describe.json",
                                  R"({"Targets": [{"TargetId": "ou-ab12-11111111",
                                      "Type": "ORGANIZATIONAL_UNIT"}]})", kMgmt), "p-describe1"));
  files.push_back(WithPolicy(File("targets-full.json", R"({"Targets": [
      {"TargetId": "r-ab12", "Type": "ROOT"}, {"TargetId": "ou-ab12-22222222", "Type": "ORGANIZATIONAL_UNIT"},
      {"TargetId": "111111111111", "Type": "ACCOUNT"}, {"TargetId": "222222222222", "Type": "ACCOUNT"},
      {"TargetId": "333333333333", "Type": "ACCOUNT"}]})", kMgmt), "p-FullAWSAccess"));
  files.push_back(File("iam.json", AuthorizationDetails(kSandbox), kSandbox));
  auto cloud = ImportAwsCli(files);
  ASSERT_THAT(cloud, IsOk());
  const absl::Status denied = Launch(**cloud, As(kSandbox, Arn(kSandbox, "role/deployer")));
  EXPECT_THAT(denied, HasErrorCode(ErrorCode::kUnauthorizedOperation));
  EXPECT_THAT(denied.message(), HasSubstr("service control policy"));
}

TEST(ImportOrganizations, ScpListedWithoutItsContentIsRefused) {
  const auto cloud = ImportAwsCli(Without(OrganizationFiles(), "scp-denyrun.json"));
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(cloud.status().message(),
              HasSubstr("service control policy `p-denyrun01` has no describe-policy output: "
                        "its content is unknown and is not assumed to allow"));
}

TEST(ImportOrganizations, ScpWithoutItsTargetsIsRefused) {
  const auto cloud = ImportAwsCli(Without(OrganizationFiles(), "targets-denyrun.json"));
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(cloud.status().message(), HasSubstr("scp-denyrun.json: Policy: service control "
                                                  "policy `p-denyrun01` has no "
                                                  "list-targets-for-policy output"));
}

TEST(ImportOrganizations, UnknownParentIsRefused) {
  std::vector<AwsCliFile> files = OrganizationFiles();
  files[3].parent_id = "ou-ab12-99999999";  // ous-workloads.json under an OU nobody lists
  const auto cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud.status().message(),
              HasSubstr("ous-workloads.json: OrganizationalUnits[0].Id: OU `ou-ab12-22222222` is "
                        "under `ou-ab12-99999999`, which is neither the root"));
}

TEST(ImportOrganizations, AccountUnderTwoParentsIsRefused) {
  std::vector<AwsCliFile> two_ous = OrganizationFiles();
  two_ous.push_back(WithParent(File("again.json", R"({"Accounts": [{"Id": "222222222222"}]})",
                                    kMgmt), kWorkloads));
  const auto a = ImportAwsCli(two_ous);
  EXPECT_THAT(a.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(a.status().message(), HasSubstr("again.json: Accounts[0].Id: `222222222222` is under "
                                              "`ou-ab12-11111111` here and under `ou-ab12-22222222`"));
}

TEST(ImportOrganizations, TwoOrganizationsAreRefused) {
  std::vector<AwsCliFile> two_orgs = OrganizationFiles();
  two_orgs.push_back(File("org2.json", R"({"Organization": {"Id": "o-otherorg22",
      "MasterAccountId": "111111111111"}})", kMgmt));
  const auto b = ImportAwsCli(two_orgs);
  EXPECT_THAT(b.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(b.status().message(), HasSubstr("an import holds one organization"));
}

TEST(ImportOrganizations, AccountWithoutParentIsRefused) {
  std::vector<AwsCliFile> files = OrganizationFiles();
  files.push_back(File("all-accounts.json", R"({"Accounts": [{"Id": "444444444444"}]})", kMgmt));
  const auto unplaced = ImportAwsCli(files);
  EXPECT_THAT(unplaced.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(unplaced.status().message(), HasSubstr("account `444444444444` has no known parent"));
}

TEST(ImportOrganizations, ListAccountsIsPlacedByPathsOrListParents) {
  std::vector<AwsCliFile> files = OrganizationFiles();
  for (AwsCliFile& f : files) {  // FullAWSAccess is attached to the new account too.
    if (f.name == "targets-full.json") {
      f.json = absl::StrReplaceAll(f.json, {{R"({"TargetId": "333333333333", "Type": "ACCOUNT"})",
                                             R"({"TargetId": "333333333333", "Type": "ACCOUNT"},
          {"TargetId": "444444444444", "Type": "ACCOUNT"})"}});
    }
  }
  files.push_back(File("all-accounts.json", "", kMgmt));
  files.back().json = R"({"Accounts": [{"Id": "444444444444",
      "Paths": ["o-exampleorg1/r-ab12/ou-ab12-11111111/444444444444/"]}]})";
  const auto placed = ImportAwsCli(files);
  ASSERT_THAT(placed, IsOk());
  EXPECT_EQ((*placed)->AccountOrganization(*AccountId::Parse("444444444444")),
            *OrganizationId::Parse("o-exampleorg1"));
  files.back().json = R"({"Accounts": [{"Id": "444444444444"}]})";
  AwsCliFile parents = File("parents.json", R"({"Parents": [{"Id": "ou-ab12-11111111",
      "Type": "ORGANIZATIONAL_UNIT"}]})", kMgmt);
  parents.child_id = "444444444444";
  EXPECT_THAT(ImportAwsCli(Join(files, {parents})), IsOk());
}

TEST(ImportOrganizations, ListParentsWithoutItsChildIdIsRefused) {
  std::vector<AwsCliFile> files = OrganizationFiles();
  files.push_back(File("parents.json", R"({"Parents": [{"Id": "ou-ab12-11111111",
      "Type": "ORGANIZATIONAL_UNIT"}]})", kMgmt));
  const auto no_child = ImportAwsCli(files);
  EXPECT_THAT(no_child.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(no_child.status().message(), HasSubstr("parents.json: list-parents output needs "
                                                     "the --child-id it was run with: set "
                                                     "AwsCliFile::child_id (amictl import --child)"));
}

TEST(ImportOrganizations, ListingWithoutItsParentIdIsRefused) {
  std::vector<AwsCliFile> no_parent = OrganizationFiles();
  no_parent[2].parent_id.clear();
  const auto cloud = ImportAwsCli(no_parent);
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(cloud.status().message(), HasSubstr("set AwsCliFile::parent_id"));
}

TEST(ImportOrganizations, TruncatedListingIsRefused) {
  std::vector<AwsCliFile> files = OrganizationFiles();
  files.push_back(WithParent(File("more.json", R"({"Accounts": [], "NextToken": "abc"})", kMgmt),
                             kRoot));
  const auto cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(cloud.status().message(), HasSubstr("more.json: NextToken: the listing is truncated"));
}

// OrganizationFiles() without any SCP output, the root's PolicyTypes replaced by `types` (a JSON
// list; empty leaves the key out).
std::vector<AwsCliFile> WithoutScps(absl::string_view types) {
  std::vector<AwsCliFile> files = OrganizationFiles();
  for (absl::string_view name :
       {"scps.json", "scp-denyrun.json", "targets-denyrun.json", "targets-full.json"}) {
    files = Without(std::move(files), name);
  }
  for (AwsCliFile& f : files) {
    if (f.name != "roots.json") continue;
    f.json = absl::StrCat(R"({"Roots": [{"Id": "r-ab12", "Name": "Root")",
                          types.empty() ? "" : absl::StrCat(R"(, "PolicyTypes": )", types),
                          "}]}");
  }
  return files;
}

TEST(ImportOrganizations, IAM_2_ScpsEnabledInTheRootWithoutTheirListingAreRefused) {
  // Without the listing the organization would hold no SCP, and its accounts none would deny.
  for (absl::string_view status : {"ENABLED", "PENDING_ENABLE", "PENDING_DISABLE"}) {
    SCOPED_TRACE(status);
    const std::string types = absl::StrCat(R"([{"Type": "TAG_POLICY", "Status": "ENABLED"},
        {"Type": "SERVICE_CONTROL_POLICY", "Status": ")", status, R"("}])");
    const auto cloud = ImportAwsCli(WithoutScps(types));
    EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kMissingParameter));
    EXPECT_THAT(cloud.status().message(),
                HasSubstr("roots.json: Roots[0].PolicyTypes[1]: root `r-ab12` has service "
                          "control policies enabled, but no output of `aws organizations "
                          "list-policies --filter SERVICE_CONTROL_POLICY` lists them"));
    EXPECT_THAT(cloud.status().message(),
                HasSubstr("then `aws organizations describe-policy --policy-id <id>` and `aws "
                          "organizations list-targets-for-policy --policy-id <id>` for each"));
  }
  // An empty Policies list is no SCP listing: with SCPs enabled it would list p-FullAWSAccess.
  std::vector<AwsCliFile> empty = WithoutScps(
      R"([{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}])");
  empty.push_back(File("scps.json", R"({"Policies": []})", kMgmt));
  EXPECT_THAT(ImportAwsCli(empty).status(), HasErrorCode(ErrorCode::kMissingParameter));
}

TEST(ImportOrganizations, IAM_2_ScpsEnabledInTheRootAndListedAreImported) {
  std::vector<AwsCliFile> files = OrganizationFiles();
  for (AwsCliFile& f : files) {
    if (f.name != "roots.json") continue;
    f.json = absl::StrReplaceAll(f.json, {{"ENABLED", "PENDING_DISABLE"}});
  }
  for (const auto& org : {OrganizationFiles(), files}) {
    auto cloud = ImportAwsCli(Join(Join(ImageFiles(), org),
                                   {File("iam.json", AuthorizationDetails())}));
    ASSERT_THAT(cloud, IsOk());
    EXPECT_THAT(Launch(**cloud, As(kWorkload, Arn(kWorkload, "role/deployer"))),
                HasErrorCode(ErrorCode::kUnauthorizedOperation));
  }
}

TEST(ImportOrganizations, IAM_2_RootWithoutScpsEnabledImportsWithoutScps) {
  // Empty PolicyTypes, other types only, or none at all (a hand-written file): no SCP governs.
  for (absl::string_view types :
       {"[]", R"([{"Type": "TAG_POLICY", "Status": "ENABLED"}])", ""}) {
    SCOPED_TRACE(types);
    auto cloud = ImportAwsCli(Join(Join(ImageFiles(), WithoutScps(types)),
                                   {File("iam.json", AuthorizationDetails())}));
    ASSERT_THAT(cloud, IsOk());
    EXPECT_EQ((*cloud)->AccountOrganization(*AccountId::Parse(kWorkload)),
              *OrganizationId::Parse("o-exampleorg1"));
    EXPECT_THAT(Launch(**cloud, As(kWorkload, Arn(kWorkload, "role/deployer"))), IsOk());
  }
}

TEST(ImportOrganizations, IAM_2_ResourceControlPoliciesEnabledInTheRootAreRefused) {
  std::vector<AwsCliFile> files = OrganizationFiles();
  for (AwsCliFile& f : files) {
    if (f.name != "roots.json") continue;
    f.json = absl::StrReplaceAll(f.json, {{R"("Status": "ENABLED"})", R"("Status": "ENABLED"},
        {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"})"}});
  }
  const auto cloud = ImportAwsCli(files);  // SCPs listed: only the RCPs are refused.
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud.status().message(),
              HasSubstr("roots.json: Roots[0].PolicyTypes[1].Type: root `r-ab12` has "
                        "`RESOURCE_CONTROL_POLICY` policies enabled (status `ENABLED`): they are "
                        "not modelled and may deny"));
  const auto alone = ImportAwsCli(WithoutScps(
      R"([{"Type": "RESOURCE_CONTROL_POLICY", "Status": "PENDING_ENABLE"}])"));
  EXPECT_THAT(alone.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(alone.status().message(), HasSubstr("(status `PENDING_ENABLE`)"));
}

// ---- KMS ---------------------------------------------------------------------------------------

constexpr char kKey[] = R"({"KeyMetadata": {"AWSAccountId": "222222222222",
    "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
    "Arn": "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "Enabled": true, "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
    "KeyManager": "CUSTOMER", "KeySpec": "SYMMETRIC_DEFAULT"}})";
constexpr char kKeyArn[] =
    "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";

TEST(ImportOrganizations, IAM_2_FullAwsAccessWithoutItsTargetsIsRefused) {
  // Where FullAWSAccess is detached, an allow-list SCP alone decides: not knowing where that is
  // could lose a restriction.
  const auto cloud = ImportAwsCli(Without(OrganizationFiles(), "targets-full.json"));
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(cloud.status().message(),
              HasSubstr("p-FullAWSAccess has no list-targets-for-policy output"));
}

TEST(ImportOrganizations, IAM_2_ResourceControlPoliciesAreRefusedNotDropped) {
  std::vector<AwsCliFile> files = OrganizationFiles();
  files.push_back(File("rcps.json", R"({"Policies": [{"Id": "p-rcp0000001", "Name": "Perimeter",
      "Type": "RESOURCE_CONTROL_POLICY", "AwsManaged": false}]})", kMgmt));
  const auto cloud = ImportAwsCli(files);
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud.status().message(), HasSubstr("`RESOURCE_CONTROL_POLICY` policies are not modelled"));
}

TEST(ImportIam, IAM_1_AnAmbiguousDefaultVersionIsRefused) {
  // DefaultVersionId names v2, but v1 is flagged the default: which one denies is unknown.
  const std::string details = absl::StrReplaceAll(
      AuthorizationDetails(), {{R"("VersionId": "v1", "IsDefaultVersion": false)",
                                R"("VersionId": "v1", "IsDefaultVersion": true)"}});
  const auto cloud = ImportAwsCli({File("iam.json", details)});
  EXPECT_THAT(cloud.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(cloud.status().message(), HasSubstr("its default version is ambiguous"));
}

TEST(ImportIam, IAM_1_GroupListAndBoundaryOfAnotherShapeAreRefused) {
  const std::string groups = absl::StrReplaceAll(
      AuthorizationDetails(), {{R"("GroupList": ["launchers"])", R"("GroupList": "launchers")"}});
  EXPECT_THAT(ImportAwsCli({File("iam.json", groups)}).status(),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  const std::string boundary = absl::StrReplaceAll(
      AuthorizationDetails(),
      {{R"("PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                            "PermissionsBoundaryArn": "arn:aws:iam::222222222222:policy/DescribeOnly"})",
        R"("PermissionsBoundary": "arn:aws:iam::222222222222:policy/DescribeOnly")"}});
  const auto refused = ImportAwsCli({File("iam.json", boundary)});
  EXPECT_THAT(refused.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(refused.status().message(), HasSubstr("PermissionsBoundary: expected an object"));
}

TEST(ImportKms, GrantsJoinTheirKey) {
  const auto cloud = ImportAwsCli({File("key.json", kKey), File("grants.json", R"({"Grants": [
      {"KeyId": "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
       "GrantId": "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60",
       "Name": "", "CreationDate": "2024-01-02T03:04:05+00:00",
       "GranteePrincipal": "arn:aws:iam::333333333333:role/reader",
       "IssuingAccount": "arn:aws:iam::222222222222:root",
       "Operations": ["Decrypt", "DescribeKey", "GenerateMac"]},
      {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "GrantId": "g2",
       "GranteePrincipal": "dynamodb.us-east-1.amazonaws.com", "Operations": ["Decrypt"]}],
      "Truncated": false})")});
  ASSERT_THAT(cloud, IsOk());
  const auto key = (*cloud)->GetKey(*KmsKeyArn::Parse(kKeyArn));
  ASSERT_TRUE(key.has_value());
  ASSERT_EQ(key->grants().size(), 1u);  // The service's grant is no account's.
  EXPECT_EQ(key->grants()[0].grantee, *AccountId::Parse(kSandbox));
  EXPECT_TRUE(key->grants()[0].operations.Has(KmsAction::kDecrypt));
  EXPECT_FALSE(key->grants()[0].operations.Has(KmsAction::kEncrypt));
}

TEST(ImportKms, GrantOfAKeyNotDescribedIsRefused) {
  const auto unknown = ImportAwsCli({File("grants.json", R"({"Grants": [
      {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "GrantId": "g",
       "GranteePrincipal": "333333333333", "Operations": ["Decrypt"]}]})")});
  EXPECT_THAT(unknown.status(), HasErrorCode(ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(unknown.status().message(), HasSubstr("grants.json: Grants[0].KeyId: "));
}

TEST(ImportKms, GrantWithUnknownOperationIsRefused) {
  const auto bad = ImportAwsCli({File("key.json", kKey), File("grants.json", R"({"Grants": [
      {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "GrantId": "g",
       "GranteePrincipal": "333333333333", "Operations": ["Fly"]}]})")});
  EXPECT_THAT(bad.status(), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(bad.status().message(), HasSubstr("grants.json: Grants[0].Operations: "));
}

TEST(ImportKms, AliasesSkipAwsOwnAndUntargetedOnes) {
  const auto cloud = ImportAwsCli({File("key.json", kKey), File("aliases.json", R"({"Aliases": [
      {"AliasName": "alias/app", "AliasArn": "arn:aws:kms:us-east-1:222222222222:alias/app",
       "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
      {"AliasName": "alias/aws/rds", "AliasArn": "arn:aws:kms:us-east-1:222222222222:alias/aws/rds",
       "TargetKeyId": "0987dcba-09fe-87dc-65ba-ab0987654321"},
      {"AliasName": "alias/aws/s3", "AliasArn": "arn:aws:kms:us-east-1:222222222222:alias/aws/s3"}],
      "Truncated": false})")});
  ASSERT_THAT(cloud, IsOk());
  EXPECT_EQ((*cloud)->DescribeKey(As(kWorkload, ""), "alias/app")->arn().ToString(), kKeyArn);
}

TEST(ImportKms, EbsDefaultKeyIsTheFilesAccountsInItsRegion) {
  const auto cloud = ImportAwsCli({File("key.json", kKey),
                                   File("default.json", absl::StrCat(R"({"KmsKeyId": ")",
                                                                     kKeyArn, R"("})"))});
  ASSERT_THAT(cloud, IsOk());
  const RegionSettings set =
      (*cloud)->GetSettings(*AccountId::Parse(kWorkload), *Region::Parse("us-east-1"));
  ASSERT_TRUE(set.default_kms_key.has_value());
  EXPECT_EQ(set.default_kms_key->ToString(), kKeyArn);
  const auto aws = ImportAwsCli({File("default.json", R"({"KmsKeyId": "alias/aws/ebs"})")});
  ASSERT_THAT(aws, IsOk());
  const std::optional<KmsKeyArn> aws_default =
      (*aws)->GetSettings(*AccountId::Parse(kWorkload), *Region::Parse("us-east-1")).default_kms_key;
  EXPECT_TRUE(!aws_default.has_value() || aws_default->ToString() != kKeyArn);
  const auto empty = ImportAwsCli({File("default.json", R"({"KmsKeyId": ""})")});
  EXPECT_THAT(empty.status(), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(empty.status().message(), HasSubstr("default.json: KmsKeyId: no key"));
  const auto bad = ImportAwsCli({File("default.json", R"({"KmsKeyId": "not a key"})")});
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("default.json: KmsKeyId: "));
}

}  // namespace
}  // namespace ami
