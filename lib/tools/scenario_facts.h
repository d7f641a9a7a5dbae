// What a scenario's expectations read and compare: the facts of an image, snapshot, instance or
// key, and the comparisons. Internal to libami's scenario runner.
#ifndef AMI_LIB_SCENARIO_FACTS_H_
#define AMI_LIB_SCENARIO_FACTS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/v1/scenario.pb.h"

namespace ami::scenario_internal {

// What a check can read about one image, snapshot, instance or key; fields that do not apply to
// the resource's kind stay empty.
struct Facts {
  std::string kind;
  bool exists = false;
  std::optional<std::string> image_state, instance_state, snapshot_state, key_state, owner,
      consistency, state_reason_code;
  // An image's deprecation time as an AWS time, "" for none; its deregistration protection as
  // DescribeImageAttribute shows it.
  std::optional<std::string> deprecation_time, deregistration_protection;
  std::optional<bool> is_public;
  std::optional<std::vector<std::string>> launch_permission_accounts;
  // The key of every EBS mapping or volume (nullopt: unencrypted).
  std::optional<std::vector<std::optional<KmsKeyArn>>> keys;
  std::optional<AccountId> owner_id;
  std::optional<Region> region;
  bool has_tags = false;
  // An instance's zone, image id and reboot count, and its volumes sorted by device name.
  std::optional<std::string> availability_zone, image, reboot_count;
  std::optional<std::vector<AttachedVolume>> volumes;
  // An image's mappings' device names and EBS snapshots in mapping order, and the organization
  // and OU ARNs of its launch permissions; a snapshot's createVolumePermission accounts.
  std::optional<std::vector<std::string>> device_names, snapshot_ids, organizations, ous,
      create_volume_permission_accounts;
};

// The facts of `resource`, by its id's form; InvalidArgument when it names no kind of resource.
absl::StatusOr<Facts> ReadFacts(const Cloud& cloud, const std::string& resource);

// A key as text ("none" for unencrypted).
std::string KeyText(const std::optional<KmsKeyArn>& key);

// Validates an expected enum value's spelling, so that a typo is a broken scenario.
template <typename E>
absl::Status ValidEnum(absl::string_view field, const std::string& text) {
  if (text.empty() || ParseEnum<E>(text).ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("expect.", field, " `", text, "` is not a valid value"));
}

// Compares one fact with its expected text; a fact the resource's kind lacks is a broken scenario.
absl::Status Compare(absl::string_view field, const Facts& f, const std::optional<std::string>& actual,
                     const std::string& want, std::vector<std::string>* mismatches);

// `v` sorted.
std::vector<std::string> Sorted(std::vector<std::string> v);

// True when the expectation checks anything besides the outcome and existence.
bool HasStateChecks(const v1::Expect& e);

// The checks of text facts: states, owner, consistency, state reason, public, launch permissions,
// deprecation time and deregistration protection.
absl::Status CheckFacts(const v1::Expect& e, const Facts& f, std::vector<std::string>* out);

// The checks of list facts, places and counts: region, availability zone, device names, mapping
// count, reboot count, launch permission organizations and OUs, createVolumePermission accounts.
// Order-free lists are compared sorted.
absl::Status CheckListFacts(const v1::Expect& e, const Facts& f, std::vector<std::string>* out);

}  // namespace ami::scenario_internal

#endif  // AMI_LIB_SCENARIO_FACTS_H_
