// Observation: everything callers can read of a Cloud through its public API — the state file
// it saves, and for every account in every Region its DescribeImages and DescribeSnapshots
// answers (every page), settings, Allowed AMIs, Recycle Bin rules and contents — taken without
// Fork() or StateEquals(), so that a test of atomicity does not rest on the code it tests.
// Two observations are equal when no caller could tell the clouds apart by these reads.
#ifndef AMI_TESTS_OBSERVATION_H_
#define AMI_TESTS_OBSERVATION_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "ami/cloud.h"

namespace ami::testing {

// What one account reads in one Region.
struct RegionObservation {
  AccountId account = AccountId::FromNumber(0);
  Region region = Region::All().front();
  // DescribeImages pages: everything visible, images the account may launch, and images on
  // which it sees tag team=blue (the owner, grantee and tag indexes); each image with the
  // Allowed AMIs verdict. Then DescribeSnapshots pages, and every page's next token.
  std::vector<std::vector<std::pair<Image, std::optional<bool>>>> image_pages;
  std::vector<std::vector<Snapshot>> snapshot_pages;
  std::vector<std::string> tokens;
  RegionSettings settings;
  std::string image_block_public_access;
  std::string snapshot_block_public_access;
  AllowedImagesSettings allowed_images;
  std::vector<RetentionRule> bin_rules;
  std::vector<std::pair<Image, absl::Time>> bin_images;  // With the time each leaves.
  std::vector<std::pair<Snapshot, absl::Time>> bin_snapshots;

  friend bool operator==(const RegionObservation&, const RegionObservation&) = default;
};

struct Observation {
  // SaveState's bytes: every image, snapshot, instance, key, setting and pending work, as the
  // owners see them.
  std::string state_file;
  absl::Time now;
  std::vector<RegionObservation> regions;  // For each account, each Region.

  friend bool operator==(const Observation&, const Observation&) = default;
};

// Reads `cloud` as each of `accounts` in each of `regions`; describes `page_size` (5–1000) at a
// time. A read that fails is recorded as a failed test assertion.
Observation Observe(const Cloud& cloud, const std::vector<AccountId>& accounts,
                    const std::vector<Region>& regions, int page_size);

// The reads in which `a` and `b` differ, one line each ("DescribeImages of 111111111111 in
// us-east-1"); empty when they are equal.
std::vector<std::string> Differences(const Observation& a, const Observation& b);

}  // namespace ami::testing

#endif  // AMI_TESTS_OBSERVATION_H_
