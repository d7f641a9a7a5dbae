// AWS Config managed rules over a cloud's AMIs, instances and snapshots (GOV-1 … GOV-9): what
// `aws configservice get-compliance-details-by-config-rule` would report for a rule that
// `aws configservice describe-config-rules` describes.
//
// A ConfigRule is one of five managed rules, made from its Source.SourceIdentifier and its
// InputParameters (a JSON-encoded string) as describe-config-rules prints them:
//   approved-amis-by-id                    APPROVED_AMIS_BY_ID (GOV-1), `amiIds`
//   approved-amis-by-tag                   APPROVED_AMIS_BY_TAG (GOV-2, GOV-3), `amisByTagKeyAndValue`
//   ec2-instance-launched-with-allowed-ami EC2_INSTANCE_LAUNCHED_WITH_ALLOWED_AMI (GOV-5, GOV-7 … 9),
//                                          optional `InstanceStateNameList`
//   ebs-snapshot-public-restorable-check   EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK (GOV-6)
//   ec2-ebs-encryption-by-default          EC2_EBS_ENCRYPTION_BY_DEFAULT (GOV-6, KMS-3)
// EvaluateConfigRule() evaluates one rule for one account in one Region (rules are Regional,
// GOV-4); EvaluateConfigRuleForAllAccounts() does so for every account the cloud knows in the
// given Regions in one pass, as an aggregator would. Both read the cloud once under its read
// lock, decide once per image (and per account that sees it differently), then make one pass
// over the instances.
//
// Thread-safe: ConfigRule is an immutable value (copyable and movable); the functions hold no
// state and read the cloud under its lock; a ConfigEvaluation is a value that may be read from
// any thread once returned.
#ifndef AMI_TOOLS_CONFIG_RULES_H_
#define AMI_TOOLS_CONFIG_RULES_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/attributes.h"
#include "ami/cloud.h"
#include "ami/ids.h"

namespace ami {

// The most characters `amiIds` may hold (GOV-1).
inline constexpr size_t kMaxApprovedAmiIdsChars = 1024;
// The most entries `amisByTagKeyAndValue` may hold (GOV-2).
inline constexpr size_t kMaxApprovedAmiTagEntries = 10;
// The largest describe-config-rules output ParseDescribeConfigRules reads, and the largest
// InputParameters string.
inline constexpr size_t kMaxDescribeConfigRulesBytes = 4 << 20;
inline constexpr size_t kMaxConfigRuleInputParametersBytes = 65536;

// Which managed rule.
enum class ConfigRuleKind : uint8_t {
  kApprovedAmisById,
  kApprovedAmisByTag,
  kInstanceLaunchedWithAllowedAmi,
  kEbsSnapshotPublicRestorableCheck,
  kEbsEncryptionByDefault,
};

// The rule's identifier ("APPROVED_AMIS_BY_ID") and its managed-rule name
// ("approved-amis-by-id").
absl::string_view SourceIdentifier(ConfigRuleKind kind);
absl::string_view ManagedRuleName(ConfigRuleKind kind);

// One entry of `amisByTagKeyAndValue`: `key` (any value) or `key:value` (that pair). The entry
// is split at its first colon.
struct ApprovedTag {
  std::string key;
  std::optional<std::string> value;

  friend bool operator==(const ApprovedTag& a, const ApprovedTag& b) {
    return a.key == b.key && a.value == b.value;
  }
};

// A managed rule and its parameters. Made only by Create() or ParseDescribeConfigRules().
class ConfigRule {
 public:
  // The rule that `source_identifier` names, with `input_parameters` as describe-config-rules
  // prints InputParameters: a JSON object of string values, "" or "{}" for none. Failure,
  // `InvalidParameterValue` naming what: an unknown identifier; InputParameters that is not a
  // JSON object of strings or names a parameter the rule does not take; `amiIds` over 1,024
  // characters or with an entry that is not an AMI id; more than 10 `amisByTagKeyAndValue`
  // entries or an empty one; an `InstanceStateNameList` entry that is not an instance state.
  // A required parameter left out (`amiIds`, `amisByTagKeyAndValue`) is `MissingParameter`.
  // `name` is ConfigRuleName; empty: the managed-rule name.
  static absl::StatusOr<ConfigRule> Create(absl::string_view source_identifier,
                                           absl::string_view input_parameters,
                                           absl::string_view name = "");

  ConfigRuleKind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  // approved-amis-by-id: the approved ids, in parameter order.
  const std::vector<ImageId>& ami_ids() const { return ami_ids_; }
  // approved-amis-by-tag: the entries, ORed.
  const std::vector<ApprovedTag>& approved_tags() const { return approved_tags_; }
  // ec2-instance-launched-with-allowed-ami: the instance states evaluated; running and stopped
  // unless InstanceStateNameList says otherwise.
  const std::vector<InstanceState>& instance_states() const { return instance_states_; }
  // The Region the rule is deployed in, from the ConfigRuleArn describe-config-rules printed:
  // a rule evaluates only that Region's resources (GOV-4). Unset for a rule made by Create().
  const std::optional<Region>& region() const { return region_; }

  friend bool operator==(const ConfigRule& a, const ConfigRule& b) {
    return a.kind_ == b.kind_ && a.name_ == b.name_ && a.ami_ids_ == b.ami_ids_ &&
           a.approved_tags_ == b.approved_tags_ && a.instance_states_ == b.instance_states_ &&
           a.region_ == b.region_;
  }

 private:
  ConfigRule() = default;
  ConfigRuleKind kind_ = ConfigRuleKind::kApprovedAmisById;
  std::string name_;
  std::vector<ImageId> ami_ids_;
  std::vector<ApprovedTag> approved_tags_;
  std::vector<InstanceState> instance_states_;
  std::optional<Region> region_;
  friend absl::StatusOr<std::vector<ConfigRule>> ParseDescribeConfigRules(absl::string_view json);
};

// The rules of `aws configservice describe-config-rules` output ({"ConfigRules": [...]}), in
// order. Failure: text over kMaxDescribeConfigRulesBytes — `ResourceLimitExceeded`; text that
// is not JSON or nests deeper than 64 — `SerializationException`; a rule without
// Source.SourceIdentifier, or a custom rule (Source.Owner other than AWS) —
// `InvalidParameterValue`; managed rules other than the five above — `InvalidParameterValue`
// naming every unknown identifier; a rule's parameters refused as by ConfigRule::Create, with
// the rule's name.
absl::StatusOr<std::vector<ConfigRule>> ParseDescribeConfigRules(absl::string_view json);

// What a rule says of a resource.
enum class ComplianceType : uint8_t { kCompliant, kNonCompliant, kNotApplicable };
// "COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE".
absl::string_view ToString(ComplianceType type);

// The resource types the rules evaluate.
enum class ConfigResourceType : uint8_t { kInstance, kSnapshot, kAccount };
// "AWS::EC2::Instance", "AWS::EC2::Snapshot", "AWS::::Account".
absl::string_view ToString(ConfigResourceType type);

// One evaluation result. Its text fields view strings the ConfigEvaluation that holds it owns
// (or static text): copy them out to keep them past its life.
struct ConfigResult {
  ConfigResourceType resource_type = ConfigResourceType::kInstance;
  ComplianceType compliance = ComplianceType::kCompliant;
  // The account whose resource it is, and its Region.
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
  // The resource: one of these, by resource_type (for kAccount, `account`).
  InstanceId instance = InstanceId::Short(0);
  SnapshotId snapshot = SnapshotId::Short(0);
  // A sentence saying why, naming the AMI and the tag or id it lacks.
  absl::string_view annotation;
  // The rulebook id that decided it (GOV-n).
  absl::string_view rule;

  // The resource id as printed: "i-…", "snap-…" or the 12-digit account id.
  std::string ResourceId() const;
};

// The results of one rule: one per resource evaluated, in no particular order. Movable, not
// copyable (the results view its annotations).
class ConfigEvaluation {
 public:
  ConfigEvaluation() = default;
  ConfigEvaluation(ConfigEvaluation&&) = default;
  ConfigEvaluation& operator=(ConfigEvaluation&&) = default;
  ConfigEvaluation(const ConfigEvaluation&) = delete;
  ConfigEvaluation& operator=(const ConfigEvaluation&) = delete;

  const std::vector<ConfigResult>& results() const { return results_; }
  // The result for a resource id ("i-…", "snap-…", account id), or nullptr; a linear search.
  const ConfigResult* Find(absl::string_view resource_id) const;
  // How many results have `type`.
  size_t Count(ComplianceType type) const;

 private:
  friend struct ConfigEvaluationBuilder;
  std::vector<ConfigResult> results_;
  // Annotations, made once per image and reading (a deque: adding keeps the others in place).
  std::deque<std::string> annotations_;
};

// Evaluates `rule` for `account`'s resources in `region` (GOV-4) as the cloud is now. Instance
// rules evaluate pending, running, shutting-down, stopping and stopped instances; terminated
// ones are not evaluated (GOV-3).
ConfigEvaluation EvaluateConfigRule(const Cloud& cloud, const ConfigRule& rule, AccountId account,
                                    Region region);

// Evaluates `rule` for every account's resources in each of `regions`, in one pass: the
// results of EvaluateConfigRule for each account and Region together. The account rule
// (ec2-ebs-encryption-by-default) gives one result per account the cloud knows and Region.
ConfigEvaluation EvaluateConfigRuleForAllAccounts(const Cloud& cloud, const ConfigRule& rule,
                                                  const std::vector<Region>& regions);

}  // namespace ami

#endif  // AMI_TOOLS_CONFIG_RULES_H_
