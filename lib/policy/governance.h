// Governance: what AWS Config's managed rules (GOV-1 … 6) and DescribeInstanceImageMetadata
// (GOV-9) say of an instance, an image, a snapshot or an account's settings. Each answer is a
// Decision: allow = COMPLIANT (or "meets the criteria"), deny = NON_COMPLIANT, its first reason
// the annotation. Tools compile these into one pass over a fleet, memoizing per image; they
// never restate the rules. Internal to libami. Thread-safe: pure functions of their inputs.
#ifndef AMI_LIB_POLICY_GOVERNANCE_H_
#define AMI_LIB_POLICY_GOVERNANCE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ami/policy.h"
#include "policy/planning.h"

namespace ami::policy {

// Config records every instance but a terminated one (GOV-3): only recorded instances have a
// result.
bool ConfigRecordsInstance(InstanceState state);

// approved-amis-by-id (GOV-1): compliant when `image` is one of `approved`. Matched by id alone,
// so a deregistered or missing image is judged too (GOV-3). `listed` is the approved ids as
// the annotation prints them.
Decision EvaluateApprovedAmiById(ImageId image, const absl::flat_hash_set<ImageId>& approved,
                                 absl::string_view listed);

// One entry of approved-amis-by-tag: `key` (any value) or `key` = `value` (GOV-2).
struct ApprovedTagEntry {
  std::string key;
  std::optional<std::string> value;
};

// The index of the first entry `tags` meet, or -1 (entries are ORed, GOV-2).
int MatchApprovedTags(const TagSet& tags, absl::Span<const ApprovedTagEntry> entries);

// approved-amis-by-tag (GOV-2, GOV-3) for an instance of `viewer` running `image`: the image's
// tags as `viewer` sees them — its owner's tags when `viewer` owns it, otherwise only the tags
// `viewer` put on it itself (SHARE-13). An image the state does not hold, or a deregistered
// one, has no tags to read: NON_COMPLIANT. `listed` prints the entries for the annotation.
Decision EvaluateApprovedAmiByTag(const PlanView& view, ImageId image, AccountId viewer,
                                  absl::Span<const ApprovedTagEntry> entries,
                                  absl::string_view listed);

// ec2-instance-launched-with-allowed-ami (GOV-5) and DescribeInstanceImageMetadata's
// ImageAllowed (GOV-9): allow when `account`'s Allowed AMIs setting in `region` is disabled or
// the image meets it; deny when the setting is enabled or in audit mode and the image fails
// its criteria (audit mode reports, it does not block). `image` nullptr: the state does not
// hold the image, which can then not be shown to meet enabled criteria (unknown never allows).
Decision EvaluateImageMeetsAllowedAmis(const StateView& view, const Image* image, ImageId id,
                                       AccountId account, Region region);

// ebs-snapshot-public-restorable-check (GOV-6): NON_COMPLIANT when the snapshot is public.
Decision EvaluateSnapshotNotPublic(const Snapshot& snapshot);

// ec2-ebs-encryption-by-default (GOV-6, KMS-3): COMPLIANT when EBS encryption by default is on
// for `account` in `region`.
Decision EvaluateEncryptionByDefaultOn(const StateView& view, AccountId account, Region region);

}  // namespace ami::policy

#endif  // AMI_LIB_POLICY_GOVERNANCE_H_
