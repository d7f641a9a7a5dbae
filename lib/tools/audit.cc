#include "ami/tools/audit.h"

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/policy.h"
#include "policy/reasons.h"

namespace ami {
namespace {

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

void AuditImage(const Cloud& cloud, const Directory& dir, const Image& image,
                std::vector<Finding>* out) {
  auto add = [&](FindingKind kind, std::string rule, std::string detail) {
    out->push_back({kind, image.id().ToString(), image.region(), image.owner(), std::move(rule),
                    std::move(detail)});
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
  if (s.is_public()) {
    out->push_back({FindingKind::kPublicSnapshot, s.id().ToString(), s.region(), s.owner(), "SNAP-1",
                    "anyone may create volumes from the snapshot (createVolumePermission group all)"});
  }
  std::vector<std::string> outside;
  for (const AccountId a : s.create_volume_permissions().accounts) {
    if (Outside(dir, s.owner(), a)) outside.push_back(a.ToString());
  }
  if (!outside.empty()) {
    out->push_back({FindingKind::kSnapshotSharedOutsideOrganization, s.id().ToString(), s.region(),
                    s.owner(), "SNAP-1",
                    absl::StrCat("shared outside the owner's organization with ",
                                 absl::StrJoin(outside, ", "))});
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
  }
  return "unknown";
}

std::vector<Finding> Audit(const Cloud& cloud) {
  Directory dir;
  const std::vector<Image> images = cloud.ListImages();
  const std::vector<Snapshot> snapshots = cloud.ListSnapshots();
  // Every account the cloud knows of: owners and recipients, with their organizations.
  absl::flat_hash_map<AccountId, bool> seen;
  auto know = [&](AccountId a) {
    if (seen.emplace(a, true).second) {
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
  std::vector<Finding> out;
  for (const Image& i : images) {
    if (i.state() != ImageState::kDeregistered) AuditImage(cloud, dir, i, &out);
  }
  for (const Snapshot& s : snapshots) AuditSnapshot(dir, s, &out);
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.kind, a.resource) < std::tie(b.kind, b.resource);
  });
  return out;
}

}  // namespace ami
