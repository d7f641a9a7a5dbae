// The policy language: compiling documents, and evaluating a role's request against ten
// identity-policy statements with tag conditions, a service control policy on its OU and an
// EBS-style key policy.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

}  // namespace
