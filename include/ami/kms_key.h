// KmsKey: an AWS KMS key as libami models it (KMS-1 … KMS-15) — its id, account and Region, who
// manages it, its state, its multi-Region role, and who may use it (key-policy statements and
// grants). Made only by KmsKey::Builder; changed by ToBuilder()…Build(). Whether a principal may
// use the key is the policy engine's question; the key only records the policy.
// Thread-safe: values are immutable. Copyable and movable.
#ifndef AMI_KMS_KEY_H_
#define AMI_KMS_KEY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/ids.h"

namespace ami {

// One KMS API action that a key policy or grant may allow.
enum class KmsAction : uint16_t {
  kEncrypt = 1 << 0,
  kDecrypt = 1 << 1,
  kReEncryptFrom = 1 << 2,
  kReEncryptTo = 1 << 3,
  kGenerateDataKey = 1 << 4,
  kGenerateDataKeyWithoutPlaintext = 1 << 5,
  kDescribeKey = 1 << 6,
  kCreateGrant = 1 << 7,
  kListGrants = 1 << 8,
  kRevokeGrant = 1 << 9,
  kRetireGrant = 1 << 10,
};

// A set of KMS actions.
class KmsActions {
 public:
  KmsActions() = default;
  // Parses policy action strings, case-insensitively: "kms:Decrypt", and wildcards such as
  // "kms:*", "kms:ReEncrypt*", "kms:Create*". Real KMS actions that libami does not model
  // ("kms:PutKeyPolicy") are accepted and add nothing; a string naming no KMS action is
  // `InvalidParameterValue`.
  static absl::StatusOr<KmsActions> Parse(const std::vector<std::string>& actions);
  // Every action.
  static KmsActions All();
  // The given actions.
  static KmsActions Of(std::initializer_list<KmsAction> actions);
  // The actions whose bits (KmsAction values) are set in `bits`.
  static KmsActions FromBits(uint16_t bits) { return KmsActions(bits); }

  bool Has(KmsAction a) const { return (bits_ & static_cast<uint16_t>(a)) != 0; }
  // True when every action of `other` is here.
  bool HasAll(KmsActions other) const { return (bits_ & other.bits_) == other.bits_; }
  bool empty() const { return bits_ == 0; }
  KmsActions Union(KmsActions other) const { return KmsActions(bits_ | other.bits_); }
  // The actions as policy strings ("kms:Decrypt", …), in a fixed order, without wildcards.
  std::vector<std::string> ToStrings() const;
  uint16_t bits() const { return bits_; }

  friend bool operator==(KmsActions a, KmsActions b) { return a.bits_ == b.bits_; }
  friend bool operator!=(KmsActions a, KmsActions b) { return a.bits_ != b.bits_; }
  template <typename H>
  friend H AbslHashValue(H h, KmsActions a) {
    return H::combine(std::move(h), a.bits_);
  }

 private:
  explicit KmsActions(uint16_t bits) : bits_(bits) {}
  uint16_t bits_ = 0;
};

// The action's name as policies write it: "kms:Decrypt".
absl::string_view KmsActionName(KmsAction action);

// The actions EBS needs on a key to use it for a shared snapshot or AMI (KMS-6, KMS-8).
KmsActions EbsRequiredKmsActions();

// One condition of a key-policy statement, kept as the policy wrote it: the operator
// ("StringEquals", "ForAnyValue:StringLike", "BoolIfExists", …), the condition key
// ("kms:CallerAccount", "aws:SourceIp", …) and its values (JSON booleans and numbers as text).
// The policy engine evaluates the keys it can know offline and treats every other condition as
// unknown: an unknown condition never lets an Allow apply and always lets a Deny apply.
struct PolicyCondition {
  std::string op;
  std::string key;
  std::vector<std::string> values;

  friend bool operator==(const PolicyCondition& a, const PolicyCondition& b) {
    return a.op == b.op && a.key == b.key && a.values == b.values;
  }
  template <typename H>
  friend H AbslHashValue(H h, const PolicyCondition& c) {
    return H::combine(std::move(h), c.op, c.key, c.values);
  }
};

// One key-policy statement: which principals, under which conditions, may (Allow) or may not
// (Deny) perform which actions. Every condition of the statement must hold for it to apply.
struct KeyPolicyStatement {
  enum class Effect : uint8_t { kAllow, kDeny };
  std::string sid;
  Effect effect = Effect::kAllow;
  // "Principal": "*" — any principal, usually narrowed by the conditions below.
  bool any_principal = false;
  // "Principal": {"AWS": [account ids or arn:aws:iam::<account>:root]}: the whole account.
  std::vector<AccountId> accounts;
  // "Principal": {"AWS": [arn:aws:iam::<account>:role/…, :user/…, …]}: one IAM identity. Calls
  // are made as an account, so such an Allow never grants the account, and such a Deny applies
  // to the identity's account.
  std::vector<std::string> iam_principals;
  // Condition StringEquals aws:PrincipalOrgID (KMS-7); empty for none.
  std::vector<OrganizationId> principal_org_ids;
  // Condition ForAnyValue:StringLike aws:PrincipalOrgPaths, such as
  // "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*" (KMS-7).
  std::vector<std::string> principal_org_paths;
  // Every other condition, as written.
  std::vector<PolicyCondition> conditions;
  KmsActions actions;

  friend bool operator==(const KeyPolicyStatement& a, const KeyPolicyStatement& b) {
    return a.sid == b.sid && a.effect == b.effect && a.any_principal == b.any_principal &&
           a.accounts == b.accounts && a.iam_principals == b.iam_principals &&
           a.principal_org_ids == b.principal_org_ids &&
           a.principal_org_paths == b.principal_org_paths && a.conditions == b.conditions &&
           a.actions == b.actions;
  }
  template <typename H>
  friend H AbslHashValue(H h, const KeyPolicyStatement& s) {
    return H::combine(std::move(h), s.sid, s.effect, s.any_principal, s.accounts,
                      s.iam_principals, s.principal_org_ids, s.principal_org_paths, s.conditions,
                      s.actions);
  }
};

// A grant: lets a grantee account perform the listed operations (KMS-4).
struct KmsGrant {
  std::string grant_id;
  AccountId grantee;
  KmsActions operations;

  friend bool operator==(const KmsGrant& a, const KmsGrant& b) {
    return a.grant_id == b.grant_id && a.grantee == b.grantee && a.operations == b.operations;
  }
  template <typename H>
  friend H AbslHashValue(H h, const KmsGrant& g) {
    return H::combine(std::move(h), g.grant_id, g.grantee, g.operations);
  }
};

// The account a key-policy principal belongs to: a 12-digit account id, or an IAM ARN
// arn:aws:iam::<account>:root (the whole account), :role/…, :user/…, :assumed-role/… (one
// identity). `whole_account`, when given, says whether it names the whole account. Anything else
// is `InvalidParameterValue`.
absl::StatusOr<AccountId> PrincipalAccountOf(absl::string_view principal,
                                             bool* whole_account = nullptr);

// A key policy as AWS KMS takes it: a JSON policy document whose statements name a Principal
// (or NotPrincipal), Action (or NotAction), Resource and Condition, kept as written and compiled
// once when made, for the policy engine's one evaluator of AWS's policy language. Every key has
// exactly one (KMS-4). Bound: kMaxKeyPolicyBytes (ami/errors.h, AWS KMS's own 32 KiB) of text.
// Thread-safe: immutable; copies share the compiled form.
class KeyPolicy {
 public:
  // The policy CreateKey gives a key made without one: the key's account may use it, and IAM
  // policies decide for the account's users and roles ("Enable IAM User Permissions").
  static KeyPolicy Default(AccountId account);
  // Reads a key policy document. One that is not JSON, breaks the grammar (a statement without
  // a principal, an unknown condition operator, …) is `MalformedPolicyDocument`, naming the
  // statement and element; one larger than kMaxKeyPolicyBytes is `ResourceLimitExceeded`.
  static absl::StatusOr<KeyPolicy> Parse(absl::string_view document);
  // The default policy of `account` followed by `statements`, written as JSON — the form the
  // structured API (KeyPolicyStatement) builds. A statement that names no principal or whose
  // IAM principals are not IAM ARNs is `InvalidParameterValue`; one without actions is left out.
  static absl::StatusOr<KeyPolicy> FromStatements(AccountId account,
                                                  const std::vector<KeyPolicyStatement>& statements);
  // This policy's statements followed by `statements`, as FromStatements writes them.
  absl::StatusOr<KeyPolicy> With(const std::vector<KeyPolicyStatement>& statements) const;

  // The JSON document, as given to Parse or as FromStatements wrote it.
  const std::string& document() const { return document_; }
  size_t statement_count() const;

  // The compiled form, defined inside libami.
  struct Compiled;
  const Compiled& compiled() const { return *compiled_; }

  friend bool operator==(const KeyPolicy& a, const KeyPolicy& b) {
    return a.document_ == b.document_;
  }
  friend bool operator!=(const KeyPolicy& a, const KeyPolicy& b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, const KeyPolicy& p) {
    return H::combine(std::move(h), p.document_);
  }

 private:
  friend class KmsKey;
  KeyPolicy() = default;
  std::string document_;
  std::shared_ptr<const Compiled> compiled_;
};

// An AWS KMS key.
class KmsKey {
 public:
  class Builder;

  // The key's ARN: its account, Region and id.
  const KmsKeyArn& arn() const { return arn_; }
  KmsKeyId id() const { return arn_.key_id(); }
  AccountId account() const { return arn_.account(); }
  Region region() const { return arn_.region(); }
  KeyManager manager() const { return manager_; }
  bool is_aws_managed() const { return manager_ == KeyManager::kAws; }
  KeyState state() const { return state_; }
  bool enabled() const { return state_ == KeyState::kEnabled; }
  MultiRegionRole multi_region_role() const { return role_; }
  // The key spec, for example "SYMMETRIC_DEFAULT" or "RSA_2048".
  const std::string& key_spec() const { return key_spec_; }
  // False for asymmetric and HMAC keys, which EBS cannot use (KMS-2).
  bool symmetric() const { return key_spec_ == "SYMMETRIC_DEFAULT"; }
  const std::string& description() const { return description_; }
  absl::Time creation_time() const { return creation_time_; }
  // When a key in PendingDeletion will be deleted.
  std::optional<absl::Time> deletion_time() const { return deletion_time_; }
  // The key policy (KMS-4).
  const KeyPolicy& policy() const { return policy_; }
  const std::vector<KmsGrant>& grants() const { return grants_; }
  const TagSet& tags() const { return tags_; }

  // A builder holding a copy of this key.
  Builder ToBuilder() const;

  friend bool operator==(const KmsKey& a, const KmsKey& b);
  friend bool operator!=(const KmsKey& a, const KmsKey& b) { return !(a == b); }

 private:
  friend class Builder;
  KmsKey();
  // Every field, for equality and hashing.
  auto Tie() const {
    return std::tie(arn_, manager_, state_, role_, key_spec_, description_, creation_time_,
                    deletion_time_, policy_, grants_, tags_);
  }
  // After Tie(), whose deduced type it needs.
  template <typename H>
  friend H AbslHashValue(H h, const KmsKey& k) {
    return internal::HashTuple(std::move(h), k.Tie());
  }

  KmsKeyArn arn_;
  KeyManager manager_ = KeyManager::kCustomer;
  KeyState state_ = KeyState::kEnabled;
  MultiRegionRole role_ = MultiRegionRole::kNone;
  std::string key_spec_ = "SYMMETRIC_DEFAULT";
  std::string description_;
  absl::Time creation_time_ = absl::UnixEpoch();
  std::optional<absl::Time> deletion_time_;
  KeyPolicy policy_;
  std::vector<KmsGrant> grants_;
  TagSet tags_;
};

// Builds a KmsKey. Required: set_arn(). Build() checks structure: a `mrk-` id exactly when the
// key is multi-Region; AWS managed keys are single-Region and symmetric; a deletion time only in
// PendingDeletion; every statement names a principal, its IAM principals are IAM ARNs, its
// conditions have an operator, a key and values; and every grant names an operation.
class KmsKey::Builder {
 public:
  Builder() = default;
  Builder& set_arn(const KmsKeyArn& arn);
  Builder& set_manager(KeyManager m);
  Builder& set_state(KeyState s);
  Builder& set_multi_region_role(MultiRegionRole r);
  // Uppercase letters, digits and underscores; "SYMMETRIC_DEFAULT" unless set.
  Builder& set_key_spec(std::string spec);
  Builder& set_description(std::string d);
  Builder& set_creation_time(absl::Time t);
  Builder& set_deletion_time(std::optional<absl::Time> t);
  // The key policy as a document. Without any set_policy, the key has KeyPolicy::Default.
  Builder& set_policy(KeyPolicy policy);
  // The default key policy followed by `statements` (KeyPolicy::FromStatements).
  Builder& set_policy(std::vector<KeyPolicyStatement> statements);
  // Adds a statement after the key's policy (the default one unless set).
  Builder& add_policy_statement(KeyPolicyStatement statement);
  Builder& set_grants(std::vector<KmsGrant> grants);
  Builder& add_grant(KmsGrant grant);
  Builder& set_tags(TagSet tags);

  absl::StatusOr<KmsKey> Build() const;

 private:
  friend class KmsKey;
  KmsKey key_;
  bool has_arn_ = false;
  bool has_policy_ = false;  // key_.policy_ was set (else Build gives the default).
  std::vector<KeyPolicyStatement> added_;  // After the policy, written by Build.
};

}  // namespace ami

#endif  // AMI_KMS_KEY_H_
