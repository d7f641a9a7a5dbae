#include "ami/kms_key.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "choices.h"
#include "resource_checks.h"
#include "status_macros.h"
#include "text_util.h"

namespace ami {
namespace {

struct ActionName {
  KmsAction action;
  absl::string_view name;
};

constexpr std::array<ActionName, 11> kActionNames = {{
    {KmsAction::kEncrypt, "kms:Encrypt"},
    {KmsAction::kDecrypt, "kms:Decrypt"},
    {KmsAction::kReEncryptFrom, "kms:ReEncryptFrom"},
    {KmsAction::kReEncryptTo, "kms:ReEncryptTo"},
    {KmsAction::kGenerateDataKey, "kms:GenerateDataKey"},
    {KmsAction::kGenerateDataKeyWithoutPlaintext, "kms:GenerateDataKeyWithoutPlaintext"},
    {KmsAction::kDescribeKey, "kms:DescribeKey"},
    {KmsAction::kCreateGrant, "kms:CreateGrant"},
    {KmsAction::kListGrants, "kms:ListGrants"},
    {KmsAction::kRevokeGrant, "kms:RevokeGrant"},
    {KmsAction::kRetireGrant, "kms:RetireGrant"},
}};

uint16_t Bit(KmsAction a) { return static_cast<uint16_t>(a); }

// The actions a policy action string names, or 0 when it names none that libami models.
uint16_t BitsOf(absl::string_view raw) {
  // IAM action names are case-insensitive.
  const std::string lower = absl::AsciiStrToLower(raw);
  auto same = [&lower](absl::string_view name) { return absl::AsciiStrToLower(name) == lower; };
  if (same("kms:*")) return KmsActions::All().bits();
  if (same("kms:ReEncrypt*")) return Bit(KmsAction::kReEncryptFrom) | Bit(KmsAction::kReEncryptTo);
  if (same("kms:GenerateDataKey*")) {
    return Bit(KmsAction::kGenerateDataKey) | Bit(KmsAction::kGenerateDataKeyWithoutPlaintext);
  }
  if (same("kms:Describe*")) return Bit(KmsAction::kDescribeKey);
  if (same("kms:List*")) return Bit(KmsAction::kListGrants);
  if (same("kms:Get*")) return 0;  // Valid, but names no modelled action.
  for (const ActionName& a : kActionNames) {
    if (same(a.name)) return Bit(a.action);
  }
  return 0xFFFF;  // Unknown.
}

absl::Status Invalid(const std::string& message) {
  return MakeError(choices::kInvalidValue, message);
}

}  // namespace

absl::StatusOr<KmsActions> KmsActions::Parse(const std::vector<std::string>& actions) {
  uint16_t bits = 0;
  for (const std::string& action : actions) {
    const uint16_t b = BitsOf(action);
    if (b == 0xFFFF) {
      return Invalid(absl::StrCat("unknown kms action `", text_util::Clip(action), "`"));
    }
    bits |= b;
  }
  return KmsActions(bits);
}

KmsActions KmsActions::All() {
  uint16_t bits = 0;
  for (const ActionName& a : kActionNames) bits |= Bit(a.action);
  return KmsActions(bits);
}

KmsActions KmsActions::Of(std::initializer_list<KmsAction> actions) {
  uint16_t bits = 0;
  for (const KmsAction a : actions) bits |= Bit(a);
  return KmsActions(bits);
}

std::vector<std::string> KmsActions::ToStrings() const {
  std::vector<std::string> out;
  for (const ActionName& a : kActionNames) {
    if (Has(a.action)) out.emplace_back(a.name);
  }
  return out;
}

KmsActions EbsRequiredKmsActions() {
  return KmsActions::Of({KmsAction::kDescribeKey, KmsAction::kCreateGrant, KmsAction::kDecrypt,
                         KmsAction::kReEncryptFrom, KmsAction::kGenerateDataKeyWithoutPlaintext});
}

KmsKey::KmsKey()
    : arn_(KmsKeyArn::Of(AccountId::FromNumber(0), Region::All().front(),
                         *KmsKeyId::Parse("00000000-0000-0000-0000-000000000000"))) {}

bool operator==(const KmsKey& a, const KmsKey& b) {
  return a.arn_ == b.arn_ && a.manager_ == b.manager_ && a.state_ == b.state_ &&
         a.role_ == b.role_ && a.key_spec_ == b.key_spec_ &&
         a.description_ == b.description_ && a.creation_time_ == b.creation_time_ &&
         a.deletion_time_ == b.deletion_time_ && a.policy_ == b.policy_ &&
         a.grants_ == b.grants_ && a.tags_ == b.tags_;
}

KmsKey::Builder KmsKey::ToBuilder() const {
  Builder b;
  b.key_ = *this;
  b.has_arn_ = true;
  return b;
}

using B = KmsKey::Builder;
B& B::set_arn(const KmsKeyArn& arn) { key_.arn_ = arn; has_arn_ = true; return *this; }
B& B::set_manager(KeyManager m) { key_.manager_ = m; return *this; }
B& B::set_state(KeyState s) { key_.state_ = s; return *this; }
B& B::set_multi_region_role(MultiRegionRole r) { key_.role_ = r; return *this; }
B& B::set_key_spec(std::string s) { key_.key_spec_ = std::move(s); return *this; }
B& B::set_description(std::string d) { key_.description_ = std::move(d); return *this; }
B& B::set_creation_time(absl::Time t) { key_.creation_time_ = t; return *this; }
B& B::set_deletion_time(std::optional<absl::Time> t) { key_.deletion_time_ = t; return *this; }
B& B::set_policy(std::vector<KeyPolicyStatement> s) { key_.policy_ = std::move(s); return *this; }
B& B::add_policy_statement(KeyPolicyStatement s) { key_.policy_.push_back(std::move(s)); return *this; }
B& B::set_grants(std::vector<KmsGrant> g) { key_.grants_ = std::move(g); return *this; }
B& B::add_grant(KmsGrant g) { key_.grants_.push_back(std::move(g)); return *this; }
B& B::set_tags(TagSet t) { key_.tags_ = std::move(t); return *this; }

absl::StatusOr<KmsKey> KmsKey::Builder::Build() const {
  if (!has_arn_) return MakeError(choices::kMissingValue, "a kms key needs its arn");
  const std::string arn = key_.arn_.ToString();
  const bool mrk_id = key_.arn_.key_id().is_multi_region();
  const bool multi_region = key_.role_ != MultiRegionRole::kNone;
  if (mrk_id != multi_region) {
    return Invalid(absl::StrCat("kms key `", arn, "`: ",
                                mrk_id ? "an mrk- key id needs a multi-region role"
                                       : "a multi-region key needs an mrk- key id"));
  }
  bool spec_ok = !key_.key_spec_.empty() && key_.key_spec_.size() <= 64;
  for (const char c : key_.key_spec_) {
    spec_ok = spec_ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (!spec_ok) {
    return Invalid(absl::StrCat("kms key `", arn, "`: invalid key spec `",
                                text_util::Clip(key_.key_spec_), "`"));
  }
  if (key_.manager_ == KeyManager::kAws && (multi_region || !key_.symmetric())) {
    return Invalid(absl::StrCat("kms key `", arn,
                                "`: aws managed keys are single-region symmetric keys"));
  }
  if (key_.manager_ == KeyManager::kAws && key_.state_ == KeyState::kPendingDeletion) {
    return Invalid(absl::StrCat("kms key `", arn, "`: aws managed keys cannot be deleted (KMS-1)"));
  }
  AMI_RETURN_IF_ERROR(checks::FiniteTime(absl::StrCat("kms key `", arn, "`"), "creation time",
                                         key_.creation_time_));
  AMI_RETURN_IF_ERROR(checks::FiniteTime(absl::StrCat("kms key `", arn, "`"), "deletion time",
                                         key_.deletion_time_));
  if (key_.deletion_time_.has_value() != (key_.state_ == KeyState::kPendingDeletion)) {
    return Invalid(absl::StrCat("kms key `", arn,
                                "`: a deletion time goes with the PendingDeletion state only"));
  }
  for (const KeyPolicyStatement& s : key_.policy_) {
    if (!s.any_principal && s.accounts.empty()) {
      return Invalid(absl::StrCat("kms key `", arn, "`: policy statement `", s.sid,
                                  "` names no principal"));
    }
  }
  for (const KmsGrant& g : key_.grants_) {
    if (g.operations.empty()) {
      return Invalid(absl::StrCat("kms key `", arn, "`: grant `", g.grant_id,
                                  "` allows no operation"));
    }
  }
  return key_;
}

}  // namespace ami
