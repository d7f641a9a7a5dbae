// Audit: what a security reviewer wants to see in a cloud — public images and snapshots, images
// and snapshots shared outside their owner's organization, encrypted images that cannot be
// shared because they use the AWS managed key (SHARE-16), shared encrypted images whose
// recipients cannot use the key (SHARE-17, KMS-5), and crash-consistent images (CREATE-4).
// Thread-safe: reads the cloud through its public, locked API.
#ifndef AMI_TOOLS_AUDIT_H_
#define AMI_TOOLS_AUDIT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "ami/cloud.h"

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
};

// The finding kind as printed, for example "public-image".
absl::string_view ToString(FindingKind kind);

// One finding: the resource, where it is, who owns it, the rule, and a sentence saying why.
struct Finding {
  FindingKind kind = FindingKind::kPublicImage;
  std::string resource;
  Region region = Region::First();
  AccountId owner = AccountId::FromNumber(0);
  std::string rule;
  std::string detail;
};

// Every finding, sorted by kind, then resource id. Deregistered images are not audited.
std::vector<Finding> Audit(const Cloud& cloud);

}  // namespace ami

#endif  // AMI_TOOLS_AUDIT_H_
