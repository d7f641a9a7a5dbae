// Policy documents from fuzz bytes, read as every kind of policy. A document either parses or is
// MalformedPolicyDocument; one that parses is evaluated for a role against a fixed request with
// some keys known and some unknown. Properties:
//   - reading never crashes, hangs or fails with another error code;
//   - evaluating is deterministic;
//   - adding a Deny-everything statement never turns a denial into an allow, and forgetting
//     every context value never does (unknown never allows).
#include <cstddef>
#include <cstdint>
#include <string>

#include "ami/errors.h"
#include "policy/lang/context.h"
#include "policy/lang/document.h"
#include "policy/lang/evaluate.h"
#include "tests/fuzz/fuzz_check.h"

namespace ami::lang {
namespace {

RequestContext Context(bool known) {
  RequestContext ctx;
  ctx.principal_account = "111122223333";
  ctx.principal_arn = "arn:aws:iam::111122223333:role/dev";
  ctx.action = "ec2:RunInstances";
  ctx.resource = "arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0";
  if (known) {
    ctx.Set("aws:PrincipalAccount", "111122223333");
    ctx.Set("ec2:ResourceTag/approved", "true");
    ctx.SetComplete("ec2:ResourceTag/");
    ctx.Set("aws:SourceIp", "10.1.2.3");
    ctx.Set("aws:CurrentTime", "2026-06-01T00:00:00Z");
    ctx.SetMany("aws:TagKeys", {"team", "cost"});
    ctx.Set("aws:PrincipalTag/team", "platform");
  }
  return ctx;
}

constexpr char kDenyAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})";

void Check(const PolicyDocument& doc) {
  const PolicyDocument deny = *ParsePolicy(kDenyAll, PolicyKind::kIdentity);
  const PolicyDocument deny_scp = *ParsePolicy(kDenyAll, PolicyKind::kServiceControl);
  PolicyInputs in;
  if (doc.kind == PolicyKind::kKeyPolicy) {
    in.resource_policy = NamedPolicy{"key", &doc};
    in.resource_account = "111122223333";
    in.resource_policy_required = true;
  } else if (doc.kind == PolicyKind::kServiceControl) {
    in.principal_is_root = true;
    in.scp_levels = {{NamedPolicy{"scp", &doc}}};
  } else {
    in.identity = {NamedPolicy{"identity", &doc}};
  }
  const RequestContext known = Context(true);
  const PolicyResult r = Evaluate(in, known);
  AMI_FUZZ_CHECK(Evaluate(in, known).outcome == r.outcome);
  (void)DenialMessage(r, known);
  if (!r.allowed()) {
    AMI_FUZZ_CHECK(!Evaluate(in, Context(false)).allowed());
  }
  // The root user has no identity policies: its Deny comes from an SCP.
  if (in.principal_is_root) {
    in.scp_levels[0].push_back(NamedPolicy{"deny", &deny_scp});
  } else {
    in.identity.push_back(NamedPolicy{"deny", &deny});
  }
  AMI_FUZZ_CHECK(!Evaluate(in, known).allowed());
}

}  // namespace
}  // namespace ami::lang

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ami::lang;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (PolicyKind kind : {PolicyKind::kIdentity, PolicyKind::kServiceControl,
                          PolicyKind::kKeyPolicy}) {
    const absl::StatusOr<PolicyDocument> doc = ParsePolicy(text, kind);
    if (!doc.ok()) {
      AMI_FUZZ_CHECK(ami::GetErrorCode(doc.status()) == ami::ErrorCode::kMalformedPolicyDocument);
      continue;
    }
    Check(*doc);
  }
  return 0;
}
