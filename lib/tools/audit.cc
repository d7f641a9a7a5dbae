#include "ami/tools/audit.h"

#include <algorithm>
#include <utility>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/errors.h"
#include "ami/policy.h"
#include "policy/reasons.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

// The severity of each kind, as the header's table says; config-noncompliant by resource type.
Severity SeverityOf(FindingKind kind) {
  switch (kind) {
    case FindingKind::kPublicSnapshot: return Severity::kCritical;
    case FindingKind::kPublicImage:
    case FindingKind::kImageSharedOutsideOrganization:
    case FindingKind::kSnapshotSharedOutsideOrganization: return Severity::kHigh;
    case FindingKind::kUnshareableAwsManagedKey:
    case FindingKind::kRecipientCannotUseKey: return Severity::kMedium;
    case FindingKind::kCrashConsistentImage:
    case FindingKind::kInstanceRunsDeprecatedImage: return Severity::kLow;
    case FindingKind::kInstanceImageUnknown: return Severity::kInfo;
    case FindingKind::kInstanceBackupsCrashConsistent: return Severity::kMedium;
    case FindingKind::kConfigNonCompliant: return Severity::kHigh;
  }
  return Severity::kHigh;  // GCOVR_EXCL_LINE: the switch is exhaustive.
}

Severity ConfigSeverity(ConfigResourceType type) {
  switch (type) {
    case ConfigResourceType::kSnapshot: return Severity::kCritical;
    case ConfigResourceType::kInstance: return Severity::kHigh;
    case ConfigResourceType::kAccount: return Severity::kMedium;
  }
  return Severity::kHigh;  // GCOVR_EXCL_LINE: the switch is exhaustive.
}

// The Name tag, or "".
std::string NameTag(const TagSet& tags) {
  const std::optional<absl::string_view> name = tags.Find("Name");
  return name.has_value() ? std::string(*name) : std::string();
}

// The accounts the cloud knows, by organization (for org/OU shares and "outside" checks).
struct Directory {
  absl::flat_hash_map<AccountId, std::optional<OrganizationId>> org_of;
  std::vector<AccountId> accounts;
};

bool Outside(const Directory& dir, AccountId owner, AccountId other) {
  auto o = dir.org_of.find(owner);
  auto t = dir.org_of.find(other);
  if (o == dir.org_of.end() || !o->second.has_value()) return true;
  return t == dir.org_of.end() || t->second != o->second;
}

// Accounts that may launch the image besides its owner, among those the cloud knows, plus the
// directly listed ones.
std::vector<AccountId> Recipients(const Cloud& cloud, const Directory& dir, const Image& image) {
  std::vector<AccountId> out = image.launch_permissions().accounts();
  for (const AccountId a : dir.accounts) {
    if (a == image.owner() || image.launch_permissions().HasAccount(a)) continue;
    const Decision d = cloud.Evaluate(
        [&](const StateView& v) { return policy::EvaluateLaunchPermission(v, image, a); });
    if (d.allowed()) out.push_back(a);
  }
  return out;
}

// The image's keys as the engine names them for sharing (SHARE-16, SHARE-17), in the image's
// order: the AWS managed key that stops the share, or a key recipients need to be granted.
struct ShareKey {
  KmsKeyArn key;
  bool aws_managed = false;
};

std::vector<ShareKey> ShareKeys(const Cloud& cloud, const Image& image) {
  const Decision d = cloud.Evaluate(
      [&](const StateView& v) { return policy::EvaluateShareKeys(v, image); });
  std::vector<ShareKey> out;
  // A deny keeps the keys before the one that stopped it as overridden permits.
  for (const Reasons* list : {&d.overridden(), &d.reasons()}) {
    for (const Reason& r : *list) {
      if (!r.args.key.has_value()) continue;
      out.push_back({*r.args.key, r.what == &reasons::kShareAwsManagedKey});
    }
  }
  return out;
}

// A finding about `resource` (an image, snapshot or instance), of AWS resource type `type`.
template <typename R>
Finding FindingOn(const R& resource, absl::string_view type, FindingKind kind, std::string rule,
                  std::string detail) {
  Finding f;
  f.kind = kind;
  f.severity = SeverityOf(kind);
  f.resource = resource.id().ToString();
  f.resource_type = std::string(type);
  f.name = NameTag(resource.tags());
  f.region = resource.region();
  f.owner = resource.owner();
  f.rule = std::move(rule);
  f.detail = std::move(detail);
  return f;
}

void AuditImage(const Cloud& cloud, const Directory& dir, const Image& image,
                std::vector<Finding>* out) {
  auto add = [&](FindingKind kind, std::string rule, std::string detail) {
    out->push_back(FindingOn(image, "AWS::EC2::Image", kind, std::move(rule), std::move(detail)));
  };
  const LaunchPermissions& lp = image.launch_permissions();
  if (lp.is_public()) add(FindingKind::kPublicImage, "ATTR-1", "the image is public (launch permission group all)");
  std::vector<std::string> outside;
  for (const AccountId a : lp.accounts()) {
    if (Outside(dir, image.owner(), a)) outside.push_back(a.ToString());
  }
  auto owner_org = dir.org_of.find(image.owner());
  for (const OrganizationArn& arn : lp.organizations()) {
    if (owner_org == dir.org_of.end() || owner_org->second != arn.organization_id()) outside.push_back(arn.ToString());
  }
  for (const OrganizationalUnitArn& arn : lp.organizational_units()) {
    if (owner_org == dir.org_of.end() || owner_org->second != arn.organization_id()) outside.push_back(arn.ToString());
  }
  if (!outside.empty()) {
    add(FindingKind::kImageSharedOutsideOrganization, "SHARE-7",
        absl::StrCat("shared outside the owner's organization with ", absl::StrJoin(outside, ", ")));
  }
  if (image.consistency() == ImageConsistency::kCrashConsistent) {
    add(FindingKind::kCrashConsistentImage, "CREATE-4",
        "created with NoReboot from a running instance: no file system integrity guarantee");
  }
  std::optional<std::vector<AccountId>> recipients;
  for (const ShareKey& k : ShareKeys(cloud, image)) {
    if (k.aws_managed) {
      add(FindingKind::kUnshareableAwsManagedKey, "SHARE-16",
          absl::StrCat("encrypted with the aws managed key `", k.key.ToString(),
                       "`: it cannot be shared until copied under a customer managed key"));
      return;
    }
    if (!recipients.has_value()) recipients = Recipients(cloud, dir, image);
    std::vector<std::string> blocked;
    for (const AccountId r : *recipients) {
      const Decision use = cloud.Evaluate([&](const StateView& v) {
        return policy::EvaluateKeyUse(v, r, k.key, policy::ReadKeyActions());
      });
      if (!use.allowed()) blocked.push_back(r.ToString());
    }
    if (!blocked.empty()) {
      add(FindingKind::kRecipientCannotUseKey, "SHARE-17",
          absl::StrCat("recipients ", absl::StrJoin(blocked, ", "), " cannot use kms key `",
                       k.key.ToString(), "`: their launches and copies will fail"));
      return;
    }
  }
}

void AuditSnapshot(const Directory& dir, const Snapshot& s, std::vector<Finding>* out) {
  auto add = [&](FindingKind kind, std::string detail) {
    out->push_back(FindingOn(s, "AWS::EC2::Snapshot", kind, "SNAP-1", std::move(detail)));
  };
  if (s.is_public()) {
    add(FindingKind::kPublicSnapshot,
        "anyone may create volumes from the snapshot (createVolumePermission group all)");
  }
  std::vector<std::string> outside;
  for (const AccountId a : s.create_volume_permissions().accounts) {
    if (Outside(dir, s.owner(), a)) outside.push_back(a.ToString());
  }
  if (!outside.empty()) {
    add(FindingKind::kSnapshotSharedOutsideOrganization,
        absl::StrCat("shared outside the owner's organization with ", absl::StrJoin(outside, ", ")));
  }
}

// The Name tag of a Config result's instance or snapshot.
std::string ConfigResourceName(const Cloud& cloud, const ConfigResult& r) {
  if (r.resource_type == ConfigResourceType::kInstance) {
    const std::optional<Instance> i = cloud.GetInstance(r.instance);
    return i.has_value() ? NameTag(i->tags()) : std::string();
  }
  if (r.resource_type == ConfigResourceType::kSnapshot) {
    const std::optional<Snapshot> s = cloud.GetSnapshot(r.snapshot);
    return s.has_value() ? NameTag(s->tags()) : std::string();
  }
  return std::string();
}

// What is audited: the audited accounts' resources, in the audited Regions, of the kept rules.
class Scope {
 public:
  Scope(std::vector<AccountId> owners, const std::vector<Region>& regions,
        std::vector<std::string> rules)
      : owners_(owners.begin(), owners.end()),
        regions_(regions.begin(), regions.end()),
        rules_(std::move(rules)) {}

  bool Has(AccountId owner, Region region) const {
    return owners_.contains(owner) && (regions_.empty() || regions_.contains(region));
  }
  // True when a `rules` entry names the finding's kind, rule or Config rule (or none is given).
  bool Keeps(absl::string_view kind, absl::string_view rule, absl::string_view config_rule) const {
    if (rules_.empty()) return true;
    return std::any_of(rules_.begin(), rules_.end(), [&](const std::string& e) {
      return e == kind || e == rule || (!config_rule.empty() && e == config_rule);
    });
  }
  bool Keeps(const Finding& f) const { return Keeps(ToString(f.kind), f.rule, f.config_rule); }

 private:
  absl::flat_hash_set<AccountId> owners_;
  absl::flat_hash_set<Region> regions_;
  std::vector<std::string> rules_;
};

// A rulebook id: capital letters, a hyphen, digits ("SHARE-7", "GOV-1").
bool IsRuleId(absl::string_view text) {
  const size_t dash = text.find('-');
  if (dash == 0 || dash == absl::string_view::npos || dash + 1 == text.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ok = i < dash ? absl::ascii_isupper(c) : i == dash || absl::ascii_isdigit(c);
    if (!ok) return false;
  }
  return true;
}

absl::Status ValidateRules(const AuditOptions& options) {
  for (const std::string& e : options.rules) {
    bool known = IsRuleId(e);
    for (int k = 0; k <= static_cast<int>(FindingKind::kConfigNonCompliant); ++k) {
      known = known || e == ToString(static_cast<FindingKind>(k));
    }
    for (const ConfigRule& r : options.config_rules) known = known || e == r.name();
    if (!known) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrCat("unknown rule `", text_util::Clip(e),
                                    "`: expected a finding kind, a rulebook id such as SHARE-7 "
                                    "or the name of a config rule"));
    }
  }
  return absl::OkStatus();
}

// A finding about an audited instance.
Finding InstanceFinding(const Instance& inst, FindingKind kind, std::string rule,
                        std::string detail) {
  return FindingOn(inst, "AWS::EC2::Instance", kind, std::move(rule), std::move(detail));
}

// The audited accounts' instances (not terminated) that run an image deprecated by now
// (DEREG-7), or one the state does not hold, whose deprecation cannot be judged (DEREG-11).
void AuditInstances(const std::vector<Instance>& instances,
                    const absl::flat_hash_map<ImageId, const Image*>& images, const Scope& scope,
                    absl::Time now, std::vector<Finding>* out) {
  for (const Instance& inst : instances) {
    if (inst.state() == InstanceState::kTerminated || !scope.Has(inst.owner(), inst.region())) {
      continue;
    }
    const auto it = images.find(inst.image_id());
    if (it == images.end()) {
      out->push_back(InstanceFinding(
          inst, FindingKind::kInstanceImageUnknown, "DEREG-11",
          absl::StrCat("runs image `", inst.image_id().ToString(),
                       "`, which the state does not hold: its owner, deprecation and "
                       "permissions are not judged")));
      continue;
    }
    const Image& image = *it->second;
    if (!image.deprecation_time().has_value() || *image.deprecation_time() > now) continue;
    out->push_back(InstanceFinding(
        inst, FindingKind::kInstanceRunsDeprecatedImage, "DEREG-7",
        absl::StrCat("runs image `", image.id().ToString(), "` of account ",
                     image.owner().ToString(), ", deprecated since ",
                     FormatAwsTime(*image.deprecation_time()),
                     ": it is hidden from new listings and due to be replaced")));
  }
}

// The audited instances (not terminated) whose AMIs made within `window` before `now` are all
// crash-consistent: the backups exist but none has file-system integrity (BACKUP-1, BACKUP-4).
void AuditBackups(const std::vector<Instance>& instances, const std::vector<Image>& images,
                  const Scope& scope, absl::Time now, absl::Duration window,
                  std::vector<Finding>* out) {
  struct Backups {
    int crash = 0;
    int consistent = 0;
  };
  absl::flat_hash_map<InstanceId, Backups> by_instance;
  for (const Image& i : images) {
    if (!i.source_instance().has_value() || i.state() == ImageState::kDeregistered ||
        i.creation_time() < now - window || i.creation_time() > now) {
      continue;
    }
    Backups& b = by_instance[*i.source_instance()];
    (i.consistency() == ImageConsistency::kFileSystemConsistent ? b.consistent : b.crash)++;
  }
  for (const Instance& inst : instances) {
    if (inst.state() == InstanceState::kTerminated || !scope.Has(inst.owner(), inst.region())) {
      continue;
    }
    const auto it = by_instance.find(inst.id());
    if (it == by_instance.end() || it->second.consistent > 0) continue;
    out->push_back(InstanceFinding(
        inst, FindingKind::kInstanceBackupsCrashConsistent, "BACKUP-4",
        absl::StrCat("its ", it->second.crash, " AMI(s) of the last ",
                     absl::FormatDuration(window),
                     " are all crash-consistent (taken without a reboot): none guarantees "
                     "file-system integrity; back it up with a reboot, or stopped")));
  }
}

// Each Config rule in each Region: the results in scope, and a finding per NON_COMPLIANT one.
void AuditConfigRules(const Cloud& cloud, const AuditOptions& options, const Scope& scope,
                      const std::vector<Region>& regions, AuditReport* report) {
  const absl::string_view kind = ToString(FindingKind::kConfigNonCompliant);
  for (const ConfigRule& rule : options.config_rules) {
    // A rule deployed in one Region evaluates only that Region's resources (GOV-4).
    std::vector<Region> where = regions;
    if (rule.region().has_value()) {
      where.clear();
      if (std::find(regions.begin(), regions.end(), *rule.region()) != regions.end()) {
        where.push_back(*rule.region());
      }
    }
    const ConfigEvaluation e = EvaluateConfigRuleForAllAccounts(cloud, rule, where);
    for (const ConfigResult& r : e.results()) {
      if (!scope.Has(r.account, r.region) || !scope.Keeps(kind, r.rule, rule.name())) continue;
      ConfigRuleResult c;
      c.config_rule = rule.name();
      c.resource_type = std::string(ToString(r.resource_type));
      c.resource = r.ResourceId();
      c.compliance = r.compliance;
      c.annotation = std::string(r.annotation);
      c.rule = std::string(r.rule);
      c.account = r.account;
      c.region = r.region;
      if (r.compliance == ComplianceType::kNonCompliant) {
        Finding f;
        f.kind = FindingKind::kConfigNonCompliant;
        f.severity = ConfigSeverity(r.resource_type);
        f.resource = c.resource;
        f.resource_type = c.resource_type;
        f.name = ConfigResourceName(cloud, r);
        f.region = r.region;
        f.owner = r.account;
        f.rule = c.rule;
        f.config_rule = c.config_rule;
        f.detail = c.annotation;
        report->findings.push_back(std::move(f));
      }
      report->config_results.push_back(std::move(c));
    }
  }
}

// Every account the cloud knows of: owners and recipients, with their organizations.
Directory MakeDirectory(const Cloud& cloud, const std::vector<Image>& images,
                        const std::vector<Snapshot>& snapshots) {
  Directory dir;
  absl::flat_hash_set<AccountId> seen;
  auto know = [&](AccountId a) {
    if (seen.insert(a).second) {
      dir.accounts.push_back(a);
      dir.org_of[a] = cloud.AccountOrganization(a);
    }
  };
  for (const Image& i : images) {
    know(i.owner());
    for (const AccountId a : i.launch_permissions().accounts()) know(a);
  }
  for (const Snapshot& s : snapshots) {
    know(s.owner());
    for (const AccountId a : s.create_volume_permissions().accounts) know(a);
  }
  for (const AccountId a : cloud.ListAccounts()) know(a);
  std::sort(dir.accounts.begin(), dir.accounts.end());
  return dir;
}

void Sort(std::vector<Finding>* findings) {
  std::sort(findings->begin(), findings->end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.severity, a.kind, a.resource, a.config_rule, a.rule, a.detail) <
           std::tie(b.severity, b.kind, b.resource, b.config_rule, b.rule, b.detail);
  });
}

void Total(AuditReport* report) {
  for (const Finding& f : report->findings) {
    ++report->by_rule[f.rule];
    ++report->by_account[f.owner];
    ++report->by_region[f.region];
    ++report->by_severity[static_cast<size_t>(f.severity)];
  }
}

}  // namespace

absl::string_view ToString(FindingKind kind) {
  switch (kind) {
    case FindingKind::kPublicImage: return "public-image";
    case FindingKind::kPublicSnapshot: return "public-snapshot";
    case FindingKind::kImageSharedOutsideOrganization: return "image-shared-outside-organization";
    case FindingKind::kSnapshotSharedOutsideOrganization: return "snapshot-shared-outside-organization";
    case FindingKind::kUnshareableAwsManagedKey: return "unshareable-aws-managed-key";
    case FindingKind::kRecipientCannotUseKey: return "recipient-cannot-use-key";
    case FindingKind::kCrashConsistentImage: return "crash-consistent-image";
    case FindingKind::kInstanceRunsDeprecatedImage: return "instance-runs-deprecated-image";
    case FindingKind::kInstanceImageUnknown: return "instance-image-unknown";
    case FindingKind::kInstanceBackupsCrashConsistent: return "instance-backups-crash-consistent";
    case FindingKind::kConfigNonCompliant: return "config-noncompliant";
  }
  return "unknown";
}

absl::string_view ToString(Severity severity) {
  switch (severity) {
    case Severity::kCritical: return "critical";
    case Severity::kHigh: return "high";
    case Severity::kMedium: return "medium";
    case Severity::kLow: return "low";
    case Severity::kInfo: return "info";
  }
  return "unknown";
}

absl::StatusOr<Severity> ParseSeverity(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  for (size_t i = 0; i < kSeverityCount; ++i) {
    const Severity s = static_cast<Severity>(i);
    if (lower == ToString(s)) return s;
  }
  return MakeError(ErrorCode::kInvalidParameterValue,
                   absl::StrCat("unknown severity `", text_util::Clip(text),
                                "`: expected critical, high, medium, low or info"));
}

size_t AuditReport::CountAtLeast(Severity threshold) const {
  size_t n = 0;
  for (size_t i = 0; i <= static_cast<size_t>(threshold); ++i) n += by_severity[i];
  return n;
}

namespace {

std::vector<AccountId> SortedUnique(std::vector<AccountId> accounts) {
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  return accounts;
}

}  // namespace

std::vector<AccountId> AuditedAccounts(const Cloud& cloud) {
  std::vector<AccountId> out = cloud.ListAccounts();
  if (!out.empty()) return out;
  // MC-77: what describe-* run as an account lists of its own, first what only it can list.
  for (const Instance& i : cloud.ListInstances()) out.push_back(i.owner());
  for (const KmsKey& k : cloud.ListKeys()) out.push_back(k.account());
  if (!out.empty()) return SortedUnique(std::move(out));
  const std::vector<Image> images = cloud.ListImages();
  const std::vector<Snapshot> snapshots = cloud.ListSnapshots();
  for (const Image& i : images) {
    if (!i.is_public()) out.push_back(i.owner());
  }
  for (const Snapshot& s : snapshots) {
    if (!s.is_public()) out.push_back(s.owner());
  }
  if (!out.empty()) return SortedUnique(std::move(out));
  for (const Image& i : images) out.push_back(i.owner());
  for (const Snapshot& s : snapshots) out.push_back(s.owner());
  return SortedUnique(std::move(out));
}

absl::StatusOr<AuditReport> Audit(const Cloud& cloud, const AuditOptions& options) {
  AMI_RETURN_IF_ERROR(ValidateRules(options));
  AuditReport report;
  report.now = cloud.Now();
  report.owners = options.owners.empty() ? AuditedAccounts(cloud) : options.owners;
  std::sort(report.owners.begin(), report.owners.end());
  report.owners.erase(std::unique(report.owners.begin(), report.owners.end()), report.owners.end());
  report.regions = options.regions;
  std::sort(report.regions.begin(), report.regions.end());
  report.regions.erase(std::unique(report.regions.begin(), report.regions.end()),
                       report.regions.end());
  const Scope scope(report.owners, report.regions, options.rules);
  const std::vector<Image> images = cloud.ListImages();
  const std::vector<Snapshot> snapshots = cloud.ListSnapshots();
  const std::vector<Instance> instances = cloud.ListInstances();
  const Directory dir = MakeDirectory(cloud, images, snapshots);
  // The Regions the audited accounts hold resources in: where Config rules are evaluated.
  std::set<Region> held;
  absl::flat_hash_map<ImageId, const Image*> by_id;
  for (const Image& i : images) {
    by_id.emplace(i.id(), &i);
    if (!scope.Has(i.owner(), i.region())) continue;
    held.insert(i.region());
    if (i.state() != ImageState::kDeregistered) AuditImage(cloud, dir, i, &report.findings);
  }
  for (const Snapshot& s : snapshots) {
    if (!scope.Has(s.owner(), s.region())) continue;
    held.insert(s.region());
    AuditSnapshot(dir, s, &report.findings);
  }
  for (const Instance& i : instances) {
    if (scope.Has(i.owner(), i.region())) held.insert(i.region());
  }
  AuditInstances(instances, by_id, scope, report.now, &report.findings);
  AuditBackups(instances, images, scope, report.now, options.backup_window, &report.findings);
  const std::vector<Region> config_regions =
      report.regions.empty() ? std::vector<Region>(held.begin(), held.end()) : report.regions;
  if (!options.config_rules.empty()) AuditConfigRules(cloud, options, scope, config_regions, &report);
  report.findings.erase(std::remove_if(report.findings.begin(), report.findings.end(),
                                       [&](const Finding& f) { return !scope.Keeps(f); }),
                        report.findings.end());
  Sort(&report.findings);
  std::sort(report.config_results.begin(), report.config_results.end(),
            [](const ConfigRuleResult& a, const ConfigRuleResult& b) {
              return std::tie(a.config_rule, a.resource_type, a.resource, a.region) <
                     std::tie(b.config_rule, b.resource_type, b.resource, b.region);
            });
  Total(&report);
  return report;
}

std::vector<Finding> Audit(const Cloud& cloud) {
  absl::StatusOr<AuditReport> report = Audit(cloud, AuditOptions());
  return report.ok() ? std::move(report->findings) : std::vector<Finding>();
}

}  // namespace ami
