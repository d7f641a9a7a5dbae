#include "ami/kms_key.h"

#include <array>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/resource_checks.h"
#include "values/status_macros.h"
#include "values/text_util.h"

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

// Every AWS KMS API action a key policy may name (modelled or not), lowercased after "kms:".
constexpr absl::string_view kKnownActions[] = {
    "cancelkeydeletion", "connectcustomkeystore", "createalias", "createcustomkeystore",
    "creategrant", "createkey", "decrypt", "deletealias", "deletecustomkeystore",
    "deleteimportedkeymaterial", "derivesharedsecret", "describecustomkeystores", "describekey",
    "disablekey", "disablekeyrotation", "disconnectcustomkeystore", "enablekey",
    "enablekeyrotation", "encrypt", "generatedatakey", "generatedatakeypair",
    "generatedatakeypairwithoutplaintext", "generatedatakeywithoutplaintext", "generatemac",
    "generaterandom", "getkeypolicy", "getkeyrotationstatus", "getparametersforimport",
    "getpublickey", "importkeymaterial", "listaliases", "listgrants", "listkeypolicies",
    "listkeyrotations", "listkeys", "listresourcetags", "listretirablegrants", "putkeypolicy",
    "reencryptfrom", "reencryptto", "replicatekey", "retiregrant", "revokegrant",
    "rotatekeyondemand", "schedulekeydeletion", "sign", "synchronizemultiregionkey",
    "tagresource", "untagresource", "updatealias", "updatecustomkeystore",
    "updatekeydescription", "updateprimaryregion", "verify", "verifymac"};

// The modelled actions a policy action string names (IAM names are case-insensitive; `*`
// wildcards match any run of characters), or nullopt when it names no KMS action at all.
std::optional<uint16_t> BitsOf(absl::string_view raw) {
  const std::string lower = absl::AsciiStrToLower(raw);
  if (!absl::StartsWith(lower, "kms:")) return std::nullopt;
  const absl::string_view pattern = absl::string_view(lower).substr(4);
  bool known = false;
  for (const absl::string_view action : kKnownActions) known = known || text_util::Glob(pattern, action);
  if (!known) return std::nullopt;
  uint16_t bits = 0;
  for (const ActionName& a : kActionNames) {
    if (text_util::Glob(pattern, absl::AsciiStrToLower(a.name.substr(4)))) bits |= Bit(a.action);
  }
  return bits;
}

absl::Status Invalid(const std::string& message) {
  return MakeError(choices::kInvalidValue, message);
}


}  // namespace

absl::StatusOr<AccountId> PrincipalAccountOf(absl::string_view principal, bool* whole_account) {
  constexpr absl::string_view kIamPrefix = "arn:aws:iam::";
  bool whole = true;
  absl::string_view account = principal;
  if (absl::StartsWith(principal, kIamPrefix)) {
    const absl::string_view rest = principal.substr(kIamPrefix.size());
    const size_t colon = rest.find(':');
    const absl::string_view resource =
        colon == absl::string_view::npos ? absl::string_view() : rest.substr(colon + 1);
    if (resource.empty()) {
      return MakeError(choices::kInvalidValue,
                       absl::StrCat("invalid principal `", text_util::Clip(std::string(principal)),
                                    "`: expected an account id or an iam arn"));
    }
    account = rest.substr(0, colon);
    whole = resource == "root";
  }
  AMI_ASSIGN_OR_RETURN(const AccountId id, AccountId::Parse(account));
  if (whole_account != nullptr) *whole_account = whole;
  return id;
}

absl::StatusOr<KmsActions> KmsActions::Parse(const std::vector<std::string>& actions) {
  uint16_t bits = 0;
  for (const std::string& action : actions) {
    const std::optional<uint16_t> b = BitsOf(action);
    if (!b.has_value()) {
      return Invalid(absl::StrCat("unknown kms action `", text_util::Clip(action), "`"));
    }
    bits |= *b;
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

absl::string_view KmsActionName(KmsAction action) {
  for (const ActionName& a : kActionNames) {
    if (a.action == action) return a.name;
  }
  return "";  // GCOVR_EXCL_LINE: every KmsAction has a name.
}

KmsActions EbsRequiredKmsActions() {
  return KmsActions::Of({KmsAction::kDescribeKey, KmsAction::kCreateGrant, KmsAction::kDecrypt,
                         KmsAction::kReEncryptFrom, KmsAction::kGenerateDataKeyWithoutPlaintext});
}

KmsKey::KmsKey()
    : arn_(KmsKeyArn::Of(AccountId::FromNumber(0), Region::First(),
                         *KmsKeyId::Parse("00000000-0000-0000-0000-000000000000"))) {}

bool operator==(const KmsKey& a, const KmsKey& b) { return a.Tie() == b.Tie(); }

KmsKey::Builder KmsKey::ToBuilder() const {
  Builder b;
  b.key_ = *this;
  b.has_arn_ = true;
  b.has_policy_ = true;
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
B& B::set_policy(KeyPolicy p) {
  key_.policy_ = std::move(p);
  has_policy_ = true;
  added_.clear();
  return *this;
}
B& B::set_policy(std::vector<KeyPolicyStatement> s) {
  has_policy_ = false;
  added_ = std::move(s);
  return *this;
}
B& B::add_policy_statement(KeyPolicyStatement s) { added_.push_back(std::move(s)); return *this; }
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
  for (const KmsGrant& g : key_.grants_) {
    if (g.operations.empty()) {
      return Invalid(absl::StrCat("kms key `", arn, "`: grant `", g.grant_id,
                                  "` allows no operation"));
    }
  }
  KmsKey key = key_;
  if (!has_policy_) key.policy_ = KeyPolicy::Default(key.account());
  if (!added_.empty()) {
    absl::StatusOr<KeyPolicy> policy = key.policy_.With(added_);
    if (!policy.ok()) {
      return internal::PrefixStatus(absl::StrCat("kms key `", arn, "`: "), policy.status());
    }
    key.policy_ = *std::move(policy);
  }
  return key;
}

}  // namespace ami
