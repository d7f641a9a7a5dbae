// Audit: what a security reviewer wants to see in the accounts a state is about — their public
// images and snapshots, images and snapshots shared outside their owner's organization,
// encrypted images that cannot be shared because they use the AWS managed key (SHARE-16),
// shared encrypted images whose recipients cannot use the key (SHARE-17, KMS-5),
// crash-consistent images (CREATE-4), their instances running a deprecated image (DEREG-7) or
// one the state does not hold (DEREG-11), instances whose recent backups are all
// crash-consistent (BACKUP-4), and
// the NON_COMPLIANT results of AWS Config managed rules (GOV-1 … 6, ami/tools/config_rules.h).
//
// Scope: the audited accounts (AuditOptions::owners; by default the accounts the state holds,
// AuditedAccounts()). Resource findings are about resources an audited account owns; instance
// findings about instances an audited account owns, whatever image they run. Another account's
// image is never a finding by itself: a public Amazon or Canonical image in an import is what
// the audited accounts see, not what they expose.
//
// Severities, by kind (Severity, most severe first):
//   public-snapshot                       critical  anyone may copy the data
//   public-image                          high      anyone may launch it
//   image-shared-outside-organization     high
//   snapshot-shared-outside-organization  high
//   unshareable-aws-managed-key           medium    a share will fail, nothing is exposed
//   recipient-cannot-use-key              medium    recipients' launches will fail
//   crash-consistent-image                low       integrity, not exposure
//   instance-runs-deprecated-image        low       as of the cloud's clock (Cloud::Now)
//   instance-image-unknown                info      the state does not hold the image the
//                                                   instance runs: nothing about it is judged
//   instance-backups-crash-consistent     medium    every AMI made of the instance within
//                                                   AuditOptions::backup_window is
//                                                   crash-consistent: no backup with
//                                                   file-system integrity (BACKUP-1, BACKUP-4)
//   config-noncompliant                   by resource: a snapshot (publicly restorable)
//                                         critical, an instance high, an account medium
//
// Thread-safety: reads the cloud through its public, locked API; the values are plain data.
#ifndef AMI_TOOLS_AUDIT_H_
#define AMI_TOOLS_AUDIT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/cloud.h"
#include "ami/tools/config_rules.h"

namespace ami {

// What a finding is about.
enum class FindingKind : uint8_t {
  kPublicImage,
  kPublicSnapshot,
  kImageSharedOutsideOrganization,
  kSnapshotSharedOutsideOrganization,
  kUnshareableAwsManagedKey,
  kRecipientCannotUseKey,
  kCrashConsistentImage,
  kInstanceRunsDeprecatedImage,
  kInstanceImageUnknown,
  kInstanceBackupsCrashConsistent,
  kConfigNonCompliant,
};

// The finding kind as printed, for example "public-image".
absl::string_view ToString(FindingKind kind);

// How much a finding matters, most severe first (the order compares: kCritical < kInfo).
enum class Severity : uint8_t { kCritical, kHigh, kMedium, kLow, kInfo };
inline constexpr size_t kSeverityCount = 5;

// "critical", "high", "medium", "low", "info".
absl::string_view ToString(Severity severity);
// The severity named by its word, in any case; anything else is `InvalidParameterValue`.
absl::StatusOr<Severity> ParseSeverity(absl::string_view text);
// True when `severity` is `threshold` or more severe.
inline bool AtLeast(Severity severity, Severity threshold) { return severity <= threshold; }

// One finding: the resource, where it is, whose it is, the rule, and a sentence saying why.
struct Finding {
  FindingKind kind = FindingKind::kPublicImage;
  Severity severity = Severity::kHigh;
  // The resource id ("ami-…", "snap-…", "i-…", or the account id for an account rule) and its
  // type as AWS Config names it ("AWS::EC2::Image", "AWS::EC2::Snapshot",
  // "AWS::EC2::Instance", "AWS::::Account").
  std::string resource;
  std::string resource_type;
  // The resource's Name tag as its owner sees it (any text: escape it to print it); empty when
  // it has none.
  std::string name;
  Region region = Region::First();
  // The account that owns the resource.
  AccountId owner = AccountId::FromNumber(0);
  // The rulebook id (spec/rules.md), for example "SHARE-7" or "GOV-1".
  std::string rule;
  // config-noncompliant: the Config rule's name (ConfigRuleName); empty otherwise.
  std::string config_rule;
  // A sentence saying why (for config-noncompliant, the evaluation's annotation).
  std::string detail;
};

// What to audit. Every field's default audits everything in the audited accounts.
struct AuditOptions {
  // The accounts audited. Default (empty): AuditedAccounts(cloud).
  std::vector<AccountId> owners;
  // The Regions audited. Default (empty): all.
  std::vector<Region> regions;
  // The findings kept: each entry a finding kind ("public-image"), a rulebook id ("SHARE-7",
  // "GOV-1") or the name of one of `config_rules`; a finding is kept when any entry names it.
  // Default (empty): all. An entry that is none of these is refused (`InvalidParameterValue`).
  std::vector<std::string> rules;
  // AWS Config managed rules evaluated, in each audited Region (GOV-4); their NON_COMPLIANT
  // results are config-noncompliant findings. Default (empty): none.
  std::vector<ConfigRule> config_rules;
  // How far back an instance's AMIs count as its recent backups (instance-backups-crash-consistent).
  absl::Duration backup_window = absl::Hours(24 * 7);
};

// One Config evaluation result in scope, as `aws configservice
// get-compliance-details-by-config-rule` reports it, with the strings owned.
struct ConfigRuleResult {
  std::string config_rule;    // ConfigRuleName
  std::string resource_type;  // "AWS::EC2::Instance", …
  std::string resource;       // ResourceId
  ComplianceType compliance = ComplianceType::kCompliant;
  std::string annotation;
  std::string rule;  // GOV-n
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::First();
};

// An audit's findings and their totals.
struct AuditReport {
  // The cloud's clock when it ran: every age and deprecation is judged at this time.
  absl::Time now = absl::UnixEpoch();
  // The accounts audited, sorted, and the Regions (empty: all).
  std::vector<AccountId> owners;
  std::vector<Region> regions;
  // Sorted by severity (most severe first), kind, resource id, then rule.
  std::vector<Finding> findings;
  // Config evaluation results in scope (every compliance type), sorted by rule name, resource
  // type, resource id.
  std::vector<ConfigRuleResult> config_results;
  // Totals of the findings: by rulebook id, owner, Region and severity (indexed by Severity).
  std::map<std::string, size_t> by_rule;
  std::map<AccountId, size_t> by_account;
  std::map<Region, size_t> by_region;
  std::array<size_t, kSeverityCount> by_severity{};

  // How many findings are `threshold` or more severe.
  size_t CountAtLeast(Severity threshold) const;
};

// The accounts a state is about: those it holds (Cloud::ListAccounts: an organization's
// members, accounts added or holding IAM principals). A state that holds none (an AWS CLI import
// without Organizations or IAM output, whose accounts' organization membership stays unknown)
// is about what describe-* run as an account lists of its own (MC-77): the owners of its
// instances and KMS keys; without any, the owners of its images and snapshots that are not
// public; without any, every owner. The public images of others, and the placeholders made for
// their snapshots, do not make their owners audited.
std::vector<AccountId> AuditedAccounts(const Cloud& cloud);

// Audits the cloud as of its clock. Fails only for options it cannot honour: a `rules` entry
// that names nothing (`InvalidParameterValue`). Deregistered images are not audited; terminated
// instances are not.
absl::StatusOr<AuditReport> Audit(const Cloud& cloud, const AuditOptions& options);

// The findings of Audit(cloud, AuditOptions()).
std::vector<Finding> Audit(const Cloud& cloud);

// `text` with &, <, >, " and ' replaced by character references: safe as HTML text and as a
// quoted attribute value.
std::string HtmlEscape(absl::string_view text);

// The report as one self-contained HTML page (inline CSS; no script, font or image is loaded):
// a title naming `state` and the clock, totals per severity, rule, account and Region with a
// bar each, and every finding with its severity, resource, account, Region, rule and
// explanation. Every text is escaped; the same report gives the same bytes.
std::string FormatAuditHtml(const AuditReport& report, absl::string_view state);

}  // namespace ami

#endif  // AMI_TOOLS_AUDIT_H_
