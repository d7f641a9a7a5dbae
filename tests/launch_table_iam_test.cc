// LaunchTable::CheckAs (ami/tools/launch_table.h) against iam::Explain: an organization with a
// service control policy, roles whose policies read tags, owners, visibility, ids, policy
// variables and context the model cannot know, keys whose policies name accounts or one role,
// and images tagged by their owners and by the accounts they are shared with (IAM-5). Every
// (identity, image) question gets the engine's effect and deciding reason, asked twice (the
// second time from what the table remembers).
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "ami/iam/iam.h"
#include "ami/tools/launch_table.h"
#include "gtest/gtest.h"
#include "policy/reasons.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::IsOk;
using ::ami::testing::Must;

// The non-image resources of a launch, as a Resource list.
constexpr char kLaunchResources[] =
    R"(["arn:aws:ec2:*:*:instance/*","arn:aws:ec2:*:*:volume/*",)"
    R"("arn:aws:ec2:*:*:network-interface/*","arn:aws:ec2:*:*:security-group/*",)"
    R"("arn:aws:ec2:*:*:subnet/*"])";

std::string Policy(const std::string& statements) {
  return absl::StrCat(R"({"Version":"2012-10-17","Statement":[)", statements, "]}");
}
std::string AllowKms() { return R"({"Effect":"Allow","Action":"kms:*","Resource":"*"})"; }

// The roles' policies: name → document.
std::map<std::string, std::string> RolePolicies(const std::string& some_image_arn,
                                                const std::string& some_image_id) {
  const std::string run = R"("Effect":"Allow","Action":"ec2:RunInstances")";
  return {
      {"team-a", Policy(absl::StrCat("{", run, R"(,"Resource":"*","Condition":{"StringEqualsIfExists":{"ec2:ResourceTag/team":"a"}}},)", AllowKms()))},
      {"team-strict", Policy(absl::StrCat("{", run, R"(,"Resource":"arn:aws:ec2:*::image/*","Condition":{"StringEquals":{"ec2:ResourceTag/Team":"a","aws:ResourceTag/approved":"true"}}},{)", run, R"(,"Resource":)", kLaunchResources, "},", AllowKms()))},
      {"by-arn", Policy(absl::StrCat("{", run, R"(,"Resource":[")", some_image_arn, R"(",)", std::string(kLaunchResources).substr(1), "},", AllowKms()))},
      {"owners", Policy(absl::StrCat("{", run, R"(,"Resource":"*","Condition":{"StringEqualsIfExists":{"ec2:Owner":["210987654321","amazon"]}}},)", AllowKms()))},
      {"no-public", Policy(absl::StrCat(R"({"Effect":"Allow","Action":["ec2:*","kms:*"],"Resource":"*"},{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*","Condition":{"Bool":{"ec2:Public":"true"}}})"))},
      {"variable", Policy(absl::StrCat("{", run, R"(,"Resource":"*","Condition":{"StringEqualsIfExists":{"ec2:ResourceTag/team":"${aws:PrincipalTag/team}"}}},)", AllowKms()))},
      {"no-kms", Policy(R"({"Effect":"Allow","Action":"ec2:*","Resource":"*"})")},
      {"source-ip", Policy(R"({"Effect":"Allow","Action":["ec2:*","kms:*"],"Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}})")},
      {"not-one-id", Policy(absl::StrCat("{", run, R"(,"Resource":"*","Condition":{"StringNotEqualsIfExists":{"ec2:ImageID":")", some_image_id, R"("}}},)", AllowKms()))},
      {"ebs-only", Policy(absl::StrCat("{", run, R"(,"Resource":"*","Condition":{"StringEqualsIfExists":{"ec2:RootDeviceType":"ebs","ec2:ImageType":"machine"}}},)", AllowKms()))},
  };
}

class LaunchTableIamTest : public testing::CloudFixture {
 protected:
  void SetUp() override {
    CreateOrganizationTree();
    ASSERT_THAT(iam::PutServiceControlPolicy(*cloud, org, "p-approvedonly", {"ApprovedOnly", R"({
        "Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:RunInstances",
        "Resource":"arn:aws:ec2:*::image/*",
        "Condition":{"StringEquals":{"ec2:ResourceTag/approved":"false"}}}]})"}),
                IsOk());
    ASSERT_THAT(iam::AttachServiceControlPolicy(*cloud, "p-approvedonly", parent_ou.ToString()),
                IsOk());
  }

  KmsKeyArn KeyOf(AccountId account, const std::string& extra_statement) {
    CreateKeyRequest key;
    key.policy_document = Must(KeyPolicy::Parse(Policy(absl::StrCat(
        R"({"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)", account.ToString(),
        R"(:root"},"Action":"kms:*","Resource":"*"},)", extra_statement))));
    return Must(cloud->CreateKey(CallContext{account, east}, key));
  }

  // Images of every owner, plaintext or under one of `keys`, shared at random, tagged by
  // their owners and (some) by the accounts they are shared with.
  std::vector<ImageId> Images(const std::vector<KmsKeyArn>& keys, std::mt19937& rng) {
    std::vector<ImageId> out;
    const std::vector<AccountId> owners = {mgmt, owner, b, in_child};
    for (int i = 0; i < 48; ++i) {
      const AccountId image_owner = owners[i % owners.size()];
      testing::Seed seed;
      seed.is_public = rng() % 8 == 0;
      if (image_owner == mgmt && rng() % 3 != 0) seed.key = keys[rng() % keys.size()];
      const ImageId id = SeedImage(image_owner, seed);
      std::vector<LaunchPermissionEntry> with;
      for (const AccountId a : {in_child, b}) {
        if (a != image_owner && rng() % 2 == 0) with.push_back({a.ToString()});
      }
      if (!with.empty()) EXPECT_THAT(Share(CallContext{image_owner, east}, id, with), IsOk());
      Tag(CallContext{image_owner, east}, id, rng);
      for (const LaunchPermissionEntry& e : with) {
        if (rng() % 2 == 0) Tag(CallContext{Must(AccountId::Parse(e.user_id)), east}, id, rng);
      }
      out.push_back(id);
    }
    return out;
  }

  void Tag(const CallContext& ctx, ImageId id, std::mt19937& rng) {
    std::vector<std::pair<std::string, std::string>> tags;
    const char* teams[] = {"a", "b", nullptr};
    const char* approved[] = {"true", "false", nullptr};
    if (const char* t = teams[rng() % 3]) tags.emplace_back(rng() % 4 == 0 ? "Team" : "team", t);
    if (const char* a = approved[rng() % 3]) tags.emplace_back("approved", a);
    tags.emplace_back("Name", absl::StrCat("n", rng() % 5));
    EXPECT_THAT(cloud->CreateTags(ctx, {id.ToString()}, tags), IsOk());
  }

  // The identities asked about: every role of `accounts`, a role session, each account's
  // root user, and a role the cloud does not hold.
  std::vector<std::pair<iam::Identity, AccountId>> Identities(
      const std::map<std::string, std::string>& policies) {
    std::vector<std::pair<iam::Identity, AccountId>> out;
    for (const AccountId account : {in_child, b}) {
      for (const auto& [name, document] : policies) {
        iam::PrincipalSpec spec;
        spec.name = name;
        spec.policies = {{"inline:" + name, document}};
        spec.tags = {{"team", "b"}};
        out.push_back({{Must(iam::PutPrincipal(*cloud, account, spec)), {}}, account});
      }
      out.push_back({{absl::StrCat("arn:aws:sts::", account.ToString(),
                                   ":assumed-role/team-a/session-1"), {}}, account});
      out.push_back({{absl::StrCat("arn:aws:iam::", account.ToString(), ":role/nobody"), {}},
                     account});
    }
    for (const AccountId account : {in_child, b, mgmt, owner}) out.push_back({{}, account});
    return out;
  }
};

TEST_F(LaunchTableIamTest, IAM_1_IAM_5_KMS_5_CheckAsAgreesWithExplain) {
  std::mt19937 rng(20261207);
  const std::vector<KmsKeyArn> keys = {
      KeyOf(mgmt, absl::StrCat(R"({"Sid":"Ebs","Effect":"Allow","Principal":{"AWS":"*"},)",
                               R"("Action":"kms:*","Resource":"*","Condition":{"StringEquals":)",
                               R"({"kms:CallerAccount":[")", in_child.ToString(), R"(",")",
                               b.ToString(), R"("],"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}})")),
      KeyOf(mgmt, absl::StrCat(R"({"Sid":"OneRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)",
                               in_child.ToString(), R"(:role/team-a"},"Action":"kms:*","Resource":"*"})")),
  };
  const std::vector<ImageId> images = Images(keys, rng);
  const std::string first_arn = absl::StrCat("arn:aws:ec2:us-east-1::image/", images[1].ToString());
  const auto identities = Identities(RolePolicies(first_arn, images[5].ToString()));
  const std::unique_ptr<LaunchTable> table = LaunchTable::Build(*cloud);
  std::map<const ReasonTemplate*, int> seen;
  int allowed = 0, questions = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [who, account] : identities) {
      std::vector<std::pair<Region, ImageId>> asked;
      for (const ImageId id : images) asked.push_back({east, id});
      asked.push_back({west, images[0]});
      asked.push_back({east, ImageId::Long(0xdeadbeef)});
      for (const auto& [region, id] : asked) {
        const policy::LaunchQuestion q{account, region, id, std::nullopt, std::nullopt};
        const LaunchTable::Verdict want = LaunchTable::VerdictOf(iam::Explain(*cloud, who, q));
        const LaunchTable::Verdict got = table->CheckAs(who, account, region, id);
        ASSERT_EQ(got.allowed, want.allowed)
            << who.principal << " of " << account.ToString() << " launching " << id.ToString()
            << " in " << region.code();
        ASSERT_EQ(got.why, want.why) << who.principal << " launching " << id.ToString() << ": "
                                     << (want.why ? want.why->text : "-") << " vs "
                                     << (got.why ? got.why->text : "-");
        ASSERT_EQ(got.later, want.later) << who.principal << " launching " << id.ToString();
        ++seen[want.why];
        allowed += want.allowed;
        ++questions;
      }
    }
  }
  // The questions reach every kind of answer the table gives.
  EXPECT_GT(allowed, questions / 10);
  EXPECT_LT(allowed, questions * 9 / 10);
  for (const ReasonTemplate* r : {&reasons::kIamDenies, &reasons::kScpDenies,
                                  &reasons::kIamAllowsOnlyIf, &reasons::kUnknownPrincipal,
                                  &reasons::kNoLaunchPermission, &reasons::kLaunchKeyUnusable,
                                  &reasons::kOwnerMayLaunch, &reasons::kSharedWithAccount}) {
    EXPECT_GT(seen[r], 0) << r->text;
  }
}

// The table answers for the cloud as it was built: a policy changed later is not seen.
TEST_F(LaunchTableIamTest, IAM_1_CheckAsSeesTheCloudAsBuilt) {
  const ImageId id = SeedImage(in_child);
  iam::PrincipalSpec spec;
  spec.name = "dev";
  spec.policies = {{"inline:dev", Policy(R"({"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"})")}};
  const iam::Identity dev{Must(iam::PutPrincipal(*cloud, in_child, spec)), {}};
  const std::unique_ptr<LaunchTable> table = LaunchTable::Build(*cloud);
  EXPECT_TRUE(table->CheckAs(dev, in_child, east, id).allowed);
  spec.policies = {{"inline:dev", Policy(R"({"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"})")}};
  ASSERT_THAT(iam::PutPrincipal(*cloud, in_child, spec), IsOk());
  EXPECT_TRUE(table->CheckAs(dev, in_child, east, id).allowed);
  const LaunchTable::Verdict now = LaunchTable::Build(*cloud)->CheckAs(dev, in_child, east, id);
  EXPECT_FALSE(now.allowed);
  EXPECT_EQ(now.why, &reasons::kIamDenies);
}

// Supplied context values are the engine's to weigh: aws:SourceIp decides the source-ip role.
TEST_F(LaunchTableIamTest, IAM_1_CheckAsWithSuppliedValues) {
  const ImageId id = SeedImage(in_child);
  iam::PrincipalSpec spec;
  spec.name = "office";
  spec.policies = {{"inline:office", Policy(R"({"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}})")}};
  const std::string arn = Must(iam::PutPrincipal(*cloud, in_child, spec));
  const std::unique_ptr<LaunchTable> table = LaunchTable::Build(*cloud);
  const LaunchTable::Verdict unknown = table->CheckAs({arn, {}}, in_child, east, id);
  EXPECT_FALSE(unknown.allowed);
  EXPECT_EQ(unknown.why, &reasons::kIamAllowsOnlyIf);
  EXPECT_TRUE(table->CheckAs({arn, {{"aws:SourceIp", "10.1.2.3"}}}, in_child, east, id).allowed);
  EXPECT_FALSE(table->CheckAs({arn, {{"aws:SourceIp", "192.0.2.1"}}}, in_child, east, id).allowed);
}

}  // namespace
}  // namespace ami
