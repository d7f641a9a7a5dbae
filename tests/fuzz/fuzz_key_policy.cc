// Key policies built from fuzz bytes: statements for any principal, accounts or IAM roles, with
// conditions drawn from the keys and operators libami evaluates and from ones it cannot know
// offline. Properties (unknown never allows, Deny wins):
//   - adding a Deny statement never turns a denied key use into an allowed one;
//   - removing an Allow statement, or a grant, never turns a denied key use into an allowed one;
//   - forgetting the caller's organization (an account the state does not hold) never does;
//   - an Allow statement whose only condition cannot be known offline never allows anyone but
//     the key's owner.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ami/cloud.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "tests/fuzz/fuzz_check.h"

namespace ami {
namespace {

const AccountId kOwner = AccountId::FromNumber(111122223333);
const AccountId kMember = AccountId::FromNumber(444455556666);
const AccountId kOutsider = AccountId::FromNumber(666677778888);
const AccountId kStranger = AccountId::FromNumber(777788889999);
const AccountId kCallers[] = {kOwner, kMember, kOutsider, kStranger};

constexpr const char* kOperators[] = {
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike", "Bool", "Null", "StringEqualsIfExists",
    "StringNotEqualsIfExists", "ForAnyValue:StringLike", "ForAllValues:StringEquals",
    "IpAddress", "NotIpAddress", "ArnLike", "NumericLessThan"};
constexpr const char* kKeys[] = {
    "kms:CallerAccount", "kms:ViaService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "kms:GrantIsForAWSResource", "aws:PrincipalAccount", "aws:SourceIp", "aws:PrincipalArn",
    "KMS:CALLERACCOUNT", "kms:EncryptionContext:aws:ebs:id"};
constexpr const char* kValues[] = {
    "111122223333", "444455556666", "666677778888", "777788889999",
    "ec2.us-east-1.amazonaws.com", "ec2.eu-west-1.amazonaws.com", "EC2.US-EAST-1.AMAZONAWS.COM",
    "o-a1b2c3d4e5", "o-*", "o-a1b2c3d4e5/r-ab12/*", "true", "false", "*", "10.0.0.0/8",
    "${aws:PrincipalAccount}", "arn:aws:iam::444455556666:role/*"};

template <typename T, size_t N>
const T& Pick(FuzzedDataProvider& in, const T (&items)[N]) {
  return items[in.ConsumeIntegralInRange<size_t>(0, N - 1)];
}

PolicyCondition Condition(FuzzedDataProvider& in) {
  PolicyCondition c{Pick(in, kOperators), Pick(in, kKeys), {}};
  const int values = in.ConsumeIntegralInRange(1, 3);
  for (int i = 0; i < values; ++i) c.values.push_back(Pick(in, kValues));
  return c;
}

KeyPolicyStatement Statement(FuzzedDataProvider& in) {
  KeyPolicyStatement s;
  s.sid = "S";
  s.effect = in.ConsumeBool() ? KeyPolicyStatement::Effect::kAllow
                              : KeyPolicyStatement::Effect::kDeny;
  switch (in.ConsumeIntegralInRange(0, 2)) {
    case 0:
      s.any_principal = true;
      break;
    case 1:
      s.accounts.push_back(Pick(in, kCallers));
      break;
    default:
      s.iam_principals.push_back("arn:aws:iam::444455556666:role/builder");
      break;
  }
  if (in.ConsumeIntegralInRange(0, 3) == 0) {
    s.principal_org_ids.push_back(OrganizationId::Parse("o-a1b2c3d4e5").value());
  }
  const int conditions = in.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < conditions; ++i) s.conditions.push_back(Condition(in));
  s.actions = KmsActions::FromBits(in.ConsumeIntegral<uint16_t>() & 0x7FF);
  if (s.actions.empty()) s.actions = KmsActions::All();
  return s;
}

struct World {
  std::vector<KeyPolicyStatement> policy;
  std::vector<KmsGrant> grants;
  bool member_known = true;
};

const KmsKeyArn& Key() {
  static const KmsKeyArn arn = KmsKeyArn::Parse(
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab").value();
  return arn;
}

// Whether each caller may use the key for each of two action sets, in a fixed order; nullopt
// when the policy is not one KMS would take (a condition value its operator cannot read, the
// same operator and key twice in a statement), which must be refused, never half-read.
std::optional<std::vector<bool>> Decide(const World& w) {
  std::unique_ptr<Cloud> cloud = Cloud::Create();
  const OrganizationId org = OrganizationId::Parse("o-a1b2c3d4e5").value();
  AMI_FUZZ_CHECK(cloud->CreateOrganization(org, kOwner, "r-ab12").ok());
  if (w.member_known) AMI_FUZZ_CHECK(cloud->AddAccount(kMember, org).ok());
  AMI_FUZZ_CHECK(cloud->AddAccount(kOutsider).ok());
  const absl::StatusOr<KmsKey> key =
      KmsKey::Builder().set_arn(Key()).set_policy(w.policy).set_grants(w.grants).Build();
  if (!key.ok()) {
    const std::optional<ErrorCode> code = GetErrorCode(key.status());
    AMI_FUZZ_CHECK(code == ErrorCode::kMalformedPolicyDocument ||
                   code == ErrorCode::kInvalidParameterValue);
    return std::nullopt;
  }
  AMI_FUZZ_CHECK(cloud->ImportKey(*key).ok());
  std::vector<bool> out;
  for (const AccountId caller : kCallers) {
    for (const KmsActions actions :
         {EbsRequiredKmsActions(), KmsActions::Of({KmsAction::kCreateGrant})}) {
      out.push_back(cloud
                        ->Evaluate([&](const StateView& view) {
                          return policy::EvaluateKeyUse(view, caller, Key(), actions);
                        })
                        .allowed());
    }
  }
  return out;
}

// No answer that `before` denies does `after` allow (when both policies were taken).
void CheckNoNewAllow(const std::optional<std::vector<bool>>& before,
                     const std::optional<std::vector<bool>>& after) {
  if (!before || !after) return;
  AMI_FUZZ_CHECK(before->size() == after->size());
  for (size_t i = 0; i < before->size(); ++i) AMI_FUZZ_CHECK((*before)[i] || !(*after)[i]);
}

}  // namespace
}  // namespace ami

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ami;  // NOLINT
  FuzzedDataProvider in(data, size);
  World w;
  const int statements = in.ConsumeIntegralInRange(0, 5);
  for (int i = 0; i < statements; ++i) w.policy.push_back(Statement(in));
  if (in.ConsumeBool()) {
    w.grants.push_back({"g1", Pick(in, kCallers), EbsRequiredKmsActions()});
  }
  const std::optional<std::vector<bool>> base = Decide(w);

  World more_deny = w;
  KeyPolicyStatement deny = Statement(in);
  deny.effect = KeyPolicyStatement::Effect::kDeny;
  more_deny.policy.push_back(deny);
  CheckNoNewAllow(base, Decide(more_deny));

  for (size_t i = 0; i < w.policy.size(); ++i) {
    if (w.policy[i].effect != KeyPolicyStatement::Effect::kAllow) continue;
    World fewer = w;
    fewer.policy.erase(fewer.policy.begin() + static_cast<std::ptrdiff_t>(i));
    CheckNoNewAllow(base, Decide(fewer));
  }
  if (!w.grants.empty()) {
    World no_grant = w;
    no_grant.grants.clear();
    CheckNoNewAllow(base, Decide(no_grant));
  }
  World forgotten = w;
  forgotten.member_known = false;
  CheckNoNewAllow(base, Decide(forgotten));

  // An Allow under a condition that cannot be known offline grants no one but the owner.
  World unknowable;
  KeyPolicyStatement allow;
  allow.any_principal = true;
  allow.actions = KmsActions::All();
  allow.conditions = {{"IpAddress", "aws:SourceIp", {"10.0.0.0/8"}}};
  unknowable.policy = {allow};
  const std::optional<std::vector<bool>> answers = Decide(unknowable);
  AMI_FUZZ_CHECK(answers.has_value());
  for (size_t i = 2; i < answers->size(); ++i) AMI_FUZZ_CHECK(!(*answers)[i]);  // After the owner.
  return 0;
}
