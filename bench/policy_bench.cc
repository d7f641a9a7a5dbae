// The policy language: compiling documents, evaluating a role's request against ten
// identity-policy statements with tag conditions, a service control policy on its OU and an
// EBS-style key policy, and the whole launch decision as that role through the launch table
// (BM_LaunchDecisionIam) and through the policy engine (BM_LaunchDecisionIamEngine).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/iam/iam.h"
#include "ami/iam/simulation.h"
#include "ami/tools/launch_table.h"
#include "benchmark/benchmark.h"
#include "policy/lang/context.h"
#include "policy/lang/document.h"
#include "policy/lang/evaluate.h"

namespace {

using ami::lang::NamedPolicy;
using ami::lang::ParsePolicy;
using ami::lang::PolicyDocument;
using ami::lang::PolicyInputs;
using ami::lang::PolicyKind;
using ami::lang::RequestContext;

// Ten statements, each allowing one action on tagged images of one team.
std::string TenStatementPolicy(int n) {
  std::string statements;
  for (int i = 0; i < 10; ++i) {
    absl::StrAppend(&statements, i == 0 ? "" : ",", R"({"Sid":"S)", i,
                    R"(","Effect":"Allow","Action":["ec2:RunInstances","ec2:Describe*"],)",
                    R"("Resource":"arn:aws:ec2:*::image/*","Condition":{"StringEquals":)",
                    R"({"ec2:ResourceTag/team":"team-)", n, "-", i,
                    R"("},"StringLike":{"aws:PrincipalTag/project":"p-*"}}})");
  }
  return absl::StrCat(R"({"Version":"2012-10-17","Statement":[)", statements, "]}");
}

void BM_PolicyCompile(benchmark::State& state) {
  std::vector<std::string> texts;
  for (int i = 0; i < 1000; ++i) texts.push_back(TenStatementPolicy(i));
  for (auto _ : state) {
    for (const std::string& t : texts) {
      auto doc = ParsePolicy(t, PolicyKind::kIdentity);
      benchmark::DoNotOptimize(doc);
    }
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_PolicyCompile)->Unit(benchmark::kMillisecond);

void BM_PolicyEvaluateIam(benchmark::State& state) {
  const PolicyDocument identity = *ParsePolicy(TenStatementPolicy(7), PolicyKind::kIdentity);
  const PolicyDocument scp = *ParsePolicy(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
         {"Effect":"Deny","Action":"ec2:RunInstances","Resource":"arn:aws:ec2:*::image/*",
          "Condition":{"StringNotEquals":{"ec2:ResourceTag/approved":"true"}}}]})",
      PolicyKind::kServiceControl);
  PolicyInputs in;
  in.identity = {NamedPolicy{"arn:aws:iam::111122223333:policy/Dev", &identity}};
  in.scp_levels = {{NamedPolicy{"FullAWSAccess", &scp}}};
  RequestContext ctx;
  ctx.principal_account = "111122223333";
  ctx.principal_arn = "arn:aws:iam::111122223333:role/dev";
  ctx.action = "ec2:RunInstances";
  ctx.resource = "arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0";
  ctx.Set("ec2:ResourceTag/team", "team-7-9");
  ctx.Set("ec2:ResourceTag/approved", "true");
  ctx.SetComplete("ec2:ResourceTag/");
  ctx.Set("aws:PrincipalTag/project", "p-web");
  for (auto _ : state) {
    auto r = ami::lang::Evaluate(in, ctx);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_PolicyEvaluateIam);

// A launch decision as a role of a member account (the seed's guardrail): ten identity-policy
// statements with tag conditions, an SCP on its OU denying untagged images, 1,024 encrypted
// images shared by the management account under a key with the EBS-style policy and tagged by
// the member account. The whole question — IAM on every resource of the launch, the launch
// permission, the snapshot's key through the key policy and the role's own policies (KMS-5).
struct IamWorld {
  std::unique_ptr<ami::Cloud> cloud;
  std::unique_ptr<ami::LaunchTable> table;
  ami::AccountId caller = ami::AccountId::FromNumber(0);
  ami::Region region = ami::Region::First();
  std::vector<ami::ImageId> images;
  ami::iam::Identity role;
};
// Images shared with the role's account, each under the key; asked in a fixed random order.
constexpr uint64_t kIamImages = 1024;

template <typename T>
T Must(absl::StatusOr<T> v) {
  if (!v.ok()) std::abort();  // A fixed set-up that cannot fail.
  return *std::move(v);
}
void Must(const absl::Status& s) {
  if (!s.ok()) std::abort();
}

IamWorld MakeIamWorld() {
  using namespace ami;  // NOLINT
  IamWorld w;
  w.cloud = Cloud::Create();
  const AccountId mgmt = AccountId::FromNumber(111122223333);
  const AccountId member = AccountId::FromNumber(444455556666);
  const Region east = *Region::Parse("us-east-1");
  const OrganizationId org = *OrganizationId::Parse("o-a1b2c3d4e5");
  const OrganizationalUnitId ou = *OrganizationalUnitId::Parse("ou-ab12-11111111");
  Must(w.cloud->CreateOrganization(org, mgmt, "r-ab12"));
  Must(w.cloud->CreateOrganizationalUnit(org, ou));
  Must(w.cloud->AddAccount(member, org, ou));
  Must(iam::PutServiceControlPolicy(*w.cloud, org, "p-approvedonly", {"ApprovedOnly",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:RunInstances",
          "Resource":"arn:aws:ec2:*::image/*",
          "Condition":{"StringNotEquals":{"ec2:ResourceTag/approved":"true"}}}]})"}));
  Must(iam::AttachServiceControlPolicy(*w.cloud, "p-approvedonly", ou.ToString()));
  iam::PrincipalSpec dev;
  dev.name = "dev";
  dev.policies = {{"Teams", TenStatementPolicy(7)},
                  {"Launch", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                      "Action":["ec2:RunInstances","kms:*"],"Resource":"*"}]})"}};
  dev.tags = {{"project", "p-web"}};
  w.role.principal = Must(iam::PutPrincipal(*w.cloud, member, dev));
  CreateKeyRequest key;
  key.policy_document = Must(KeyPolicy::Parse(absl::StrCat(
      R"({"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow",
          "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
         {"Sid":"Ebs","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*",
          "Condition":{"StringEquals":{"kms:CallerAccount":")", member.ToString(),
      R"(","kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}]})")));
  const KmsKeyArn arn = Must(w.cloud->CreateKey(CallContext{mgmt, east}, key));
  for (uint64_t i = 0; i < kIamImages; ++i) {
    const Snapshot root = Must(Snapshot::Builder()
                                   .set_id(SnapshotId::Long(0x5eed0000 + i))
                                   .set_owner(mgmt)
                                   .set_region(east)
                                   .set_volume_size_gib(8)
                                   .set_kms_key(arn)
                                   .set_start_time(w.cloud->Now())
                                   .Build());
    Must(w.cloud->ImportSnapshot(root));
    const Image image = Must(Image::Builder()
                                 .set_id(ImageId::Long(0xa11e0000 + i))
                                 .set_name(absl::StrCat("golden-", i))
                                 .set_owner(mgmt)
                                 .set_region(east)
                                 .set_creation_time(w.cloud->Now())
                                 .add_snapshot_mapping("/dev/xvda", root)
                                 .set_launch_permissions(Must(LaunchPermissions::Create(
                                     {member}, false, {}, {})))
                                 .Build());
    Must(w.cloud->ImportImage(image));
    // The member's own tags (IAM-5): most images approved, teams spread over its statements.
    Must(w.cloud->CreateTags(CallContext{member, east}, {image.id().ToString()},
                             {{"approved", i % 8 == 0 ? "false" : "true"},
                              {"team", absl::StrCat("team-7-", i % 10)},
                              {"Name", absl::StrCat("golden-", i)}}));
    w.images.push_back(image.id());
  }
  w.caller = member;
  w.region = east;
  w.table = LaunchTable::Build(*w.cloud);
  return w;
}

const IamWorld& TheIamWorld() {
  static const IamWorld& w = *new IamWorld(MakeIamWorld());
  return w;
}

// The images asked about, in a fixed pseudo-random order.
std::vector<ami::ImageId> IamPicks(const IamWorld& w) {
  std::vector<ami::ImageId> picks;
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (uint64_t i = 0; i < kIamImages; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    picks.push_back(w.images[x % w.images.size()]);
  }
  return picks;
}

// The launch decision as the role through the launch table (LaunchTable::CheckAs).
void BM_LaunchDecisionIam(benchmark::State& state) {
  const IamWorld& w = TheIamWorld();
  const std::vector<ami::ImageId> picks = IamPicks(w);
  size_t allowed = 0, i = 0;
  for (auto _ : state) {
    const ami::LaunchTable::Verdict v =
        w.table->CheckAs(w.role, w.caller, w.region, picks[i++ & (kIamImages - 1)]);
    allowed += v.allowed;
    benchmark::DoNotOptimize(v);
  }
  state.counters["allowed"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_LaunchDecisionIam);

// The same questions through the policy engine on the live cloud (iam::Explain).
void BM_LaunchDecisionIamEngine(benchmark::State& state) {
  const IamWorld& w = TheIamWorld();
  const std::vector<ami::ImageId> picks = IamPicks(w);
  size_t allowed = 0, i = 0;
  for (auto _ : state) {
    const ami::policy::LaunchQuestion q{w.caller, w.region, picks[i++ & (kIamImages - 1)],
                                        std::nullopt, std::nullopt};
    const ami::Decision d = ami::iam::Explain(*w.cloud, w.role, q);
    allowed += d.allowed();
    benchmark::DoNotOptimize(d);
  }
  state.counters["allowed"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_LaunchDecisionIamEngine);

}  // namespace
