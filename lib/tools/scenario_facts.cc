// The facts scenario expectations read, and their comparisons.
#include "tools/scenario_facts.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "ami/errors.h"
#include "values/status_macros.h"

namespace ami::scenario_internal {
namespace {

// ---- The resource a check reads -------------------------------------------------------------

Facts ImageFacts(const Cloud& cloud, const Image& im) {
  Facts f{.kind = "image", .exists = true};
  f.image_state = std::string(ToString(im.state()));
  f.owner = im.owner().ToString();
  f.consistency = std::string(ToString(im.consistency()));
  f.state_reason_code = im.state_reason().code;
  f.is_public = im.is_public();
  f.deprecation_time = im.deprecation_time().has_value() ? FormatAwsTime(*im.deprecation_time()) : "";
  f.deregistration_protection =
      im.protection_cooldown_until().has_value()
          ? absl::StrCat("disabled-until-", FormatAwsTime(*im.protection_cooldown_until()))
          : std::string(ToString(im.deregistration_protection()));
  f.launch_permission_accounts.emplace();
  for (const AccountId a : im.launch_permissions().accounts()) {
    f.launch_permission_accounts->push_back(a.ToString());
  }
  f.organizations.emplace();
  for (const OrganizationArn& a : im.launch_permissions().organizations()) {
    f.organizations->push_back(a.ToString());
  }
  f.ous.emplace();
  for (const OrganizationalUnitArn& a : im.launch_permissions().organizational_units()) {
    f.ous->push_back(a.ToString());
  }
  f.keys.emplace();
  f.device_names.emplace();
  f.snapshot_ids.emplace();
  for (const BlockDeviceMapping& m : im.block_device_mappings()) {
    f.device_names->push_back(m.device_name);
    if (!m.ebs.has_value()) continue;
    if (m.ebs->snapshot_id.has_value()) f.snapshot_ids->push_back(m.ebs->snapshot_id->ToString());
    std::optional<KmsKeyArn> key = m.ebs->kms_key;
    if (!key.has_value() && m.ebs->snapshot_id.has_value()) {
      if (const auto snap = cloud.GetSnapshot(*m.ebs->snapshot_id)) key = snap->kms_key();
    }
    f.keys->push_back(key);
  }
  f.owner_id = im.owner();
  f.region = im.region();
  f.has_tags = true;
  return f;
}

Facts InstanceFacts(const Instance& in) {
  Facts f{.kind = "instance", .exists = true};
  f.instance_state = std::string(ToString(in.state()));
  f.owner = in.owner().ToString();
  f.state_reason_code = in.state_reason().code;
  f.keys.emplace();
  for (const AttachedVolume& v : in.volumes()) f.keys->push_back(v.kms_key);
  f.availability_zone = in.availability_zone().ToString();
  f.image = in.image_id().ToString();
  f.reboot_count = absl::StrCat(in.reboot_count());
  f.volumes = in.volumes();
  std::stable_sort(f.volumes->begin(), f.volumes->end(), [](const AttachedVolume& a, const AttachedVolume& b) {
    return a.device_name < b.device_name;
  });
  f.owner_id = in.owner();
  f.region = in.region();
  f.has_tags = true;
  return f;
}

Facts SnapshotFacts(const Snapshot& s) {
  Facts f{.kind = "snapshot", .exists = true};
  f.snapshot_state = std::string(ToString(s.state()));
  f.owner = s.owner().ToString();
  f.is_public = s.is_public();
  f.keys.emplace(1, s.kms_key());
  f.create_volume_permission_accounts.emplace();
  for (const AccountId a : s.create_volume_permissions().accounts) {
    f.create_volume_permission_accounts->push_back(a.ToString());
  }
  f.owner_id = s.owner();
  f.region = s.region();
  f.has_tags = true;
  return f;
}

Facts KmsKeyFacts(const KmsKey& k) {
  Facts f{.kind = "kms key", .exists = true};
  f.key_state = std::string(ToString(k.state()));
  f.owner = k.account().ToString();
  f.owner_id = k.account();
  f.region = k.region();
  return f;
}

}  // namespace

absl::StatusOr<Facts> ReadFacts(const Cloud& cloud, const std::string& resource) {
  if (absl::StartsWith(resource, "ami-")) {
    AMI_ASSIGN_OR_RETURN(const ImageId id, ImageId::Parse(resource));
    const auto image = cloud.GetImage(id);
    return image.has_value() ? ImageFacts(cloud, *image) : Facts{.kind = "image"};
  }
  if (absl::StartsWith(resource, "snap-")) {
    AMI_ASSIGN_OR_RETURN(const SnapshotId id, SnapshotId::Parse(resource));
    const auto snap = cloud.GetSnapshot(id);
    return snap.has_value() ? SnapshotFacts(*snap) : Facts{.kind = "snapshot"};
  }
  if (absl::StartsWith(resource, "i-")) {
    AMI_ASSIGN_OR_RETURN(const InstanceId id, InstanceId::Parse(resource));
    const auto instance = cloud.GetInstance(id);
    return instance.has_value() ? InstanceFacts(*instance) : Facts{.kind = "instance"};
  }
  if (absl::StartsWith(resource, "arn:aws:kms:")) {
    AMI_ASSIGN_OR_RETURN(const KmsKeyArn arn, KmsKeyArn::Parse(resource));
    const auto key = cloud.GetKey(arn);
    return key.has_value() ? KmsKeyFacts(*key) : Facts{.kind = "kms key"};
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot check resource `", resource, "`: expected an ami-, snap- or i- id or a kms key arn"));
}

std::string KeyText(const std::optional<KmsKeyArn>& key) {
  return key.has_value() ? key->ToString() : "none";
}

// Compares one fact with its expected text; a fact the resource's kind lacks is a broken scenario.
absl::Status Compare(absl::string_view field, const Facts& f, const std::optional<std::string>& actual,
                     const std::string& want, std::vector<std::string>* mismatches) {
  if (!actual.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("expect.", field, " does not apply to a ", f.kind));
  }
  if (*actual != want) {
    mismatches->push_back(absl::StrCat(field, " is \"", *actual, "\", expected \"", want, "\""));
  }
  return absl::OkStatus();
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// True when the expectation checks anything besides the outcome and existence.
bool HasStateChecks(const v1::Expect& e) {
  return !e.image_state().empty() || !e.instance_state().empty() || !e.snapshot_state().empty() ||
         !e.key_state().empty() || !e.owner().empty() || !e.kms_key().empty() ||
         !e.consistency().empty() || e.has_public_() || e.has_launch_permission_accounts() ||
         e.has_state_reason_code() || e.has_visible_tags() || e.has_attribute_value() ||
         e.has_deprecation_time() || !e.deregistration_protection().empty() || !e.region().empty() ||
         !e.availability_zone().empty() || !e.image().empty() || !e.volumes().empty() ||
         !e.device_names().empty() || e.has_snapshot_ids() || e.has_launch_permission_organizations() ||
         e.has_launch_permission_ous() || e.has_mapping_count() || e.has_reboot_count() ||
         e.has_create_volume_permission_accounts();
}

// The checks of text facts: states, owner, consistency, state reason, public, launch permissions,
// deprecation time and deregistration protection.
absl::Status CheckFacts(const v1::Expect& e, const Facts& f, std::vector<std::string>* out) {
  auto compare = [&](absl::string_view field, const std::optional<std::string>& actual,
                     const std::string& want) -> absl::Status {
    if (want.empty()) return absl::OkStatus();
    return Compare(field, f, actual, want, out);
  };
  AMI_RETURN_IF_ERROR(compare("image_state", f.image_state, e.image_state()));
  AMI_RETURN_IF_ERROR(compare("instance_state", f.instance_state, e.instance_state()));
  AMI_RETURN_IF_ERROR(compare("snapshot_state", f.snapshot_state, e.snapshot_state()));
  AMI_RETURN_IF_ERROR(compare("key_state", f.key_state, e.key_state()));
  AMI_RETURN_IF_ERROR(compare("owner", f.owner, e.owner()));
  AMI_RETURN_IF_ERROR(compare("consistency", f.consistency, e.consistency()));
  AMI_RETURN_IF_ERROR(
      compare("deregistration_protection", f.deregistration_protection, e.deregistration_protection()));
  if (e.has_deprecation_time()) {
    // Compared as times: "2028-01-01T00:00:00Z" and "2028-01-01T00:00:00.000Z" are the same.
    std::string want;
    if (!e.deprecation_time().empty()) {
      const absl::StatusOr<absl::Time> t = ParseAwsTime(e.deprecation_time());
      if (!t.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("expect.deprecation_time `", e.deprecation_time(),
                                                       "` is not an AWS time or \"\""));
      }
      want = FormatAwsTime(*t);
    }
    AMI_RETURN_IF_ERROR(Compare("deprecation_time", f, f.deprecation_time, want, out));
  }
  if (e.has_state_reason_code()) {
    AMI_RETURN_IF_ERROR(Compare("state_reason_code", f, f.state_reason_code, e.state_reason_code(), out));
  }
  if (e.has_public_()) {
    std::optional<std::string> actual;
    if (f.is_public.has_value()) actual = *f.is_public ? "true" : "false";
    AMI_RETURN_IF_ERROR(Compare("public", f, actual, e.public_() ? "true" : "false", out));
  }
  if (e.has_launch_permission_accounts()) {
    std::optional<std::string> actual;
    if (f.launch_permission_accounts.has_value()) {
      actual = absl::StrJoin(Sorted(*f.launch_permission_accounts), ",");
    }
    const auto& want = e.launch_permission_accounts().accounts();
    AMI_RETURN_IF_ERROR(Compare("launch_permission_accounts", f, actual,
                                absl::StrJoin(Sorted(std::vector<std::string>(want.begin(), want.end())), ","),
                                out));
  }
  return absl::OkStatus();
}

namespace {

// `list` sorted and joined, or nullopt when the fact does not apply.
std::optional<std::string> SortedText(const std::optional<std::vector<std::string>>& list) {
  if (!list.has_value()) return std::nullopt;
  return absl::StrJoin(Sorted(*list), ",");
}

template <typename List>
std::string SortedWant(const List& want) {
  return absl::StrJoin(Sorted(std::vector<std::string>(want.begin(), want.end())), ",");
}

}  // namespace

absl::Status CheckListFacts(const v1::Expect& e, const Facts& f, std::vector<std::string>* out) {
  if (!e.region().empty()) {
    std::optional<std::string> actual;
    if (f.region.has_value()) actual = f.region->ToString();
    AMI_RETURN_IF_ERROR(Compare("region", f, actual, e.region(), out));
  }
  if (!e.availability_zone().empty()) {
    AMI_RETURN_IF_ERROR(Compare("availability_zone", f, f.availability_zone, e.availability_zone(), out));
  }
  if (!e.device_names().empty()) {
    std::optional<std::string> actual;
    if (f.device_names.has_value()) actual = absl::StrJoin(*f.device_names, ",");
    AMI_RETURN_IF_ERROR(Compare("device_names", f, actual, absl::StrJoin(e.device_names(), ","), out));
  }
  if (e.has_mapping_count() && e.mapping_count() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("expect.mapping_count `", e.mapping_count(), "` is not a count"));
  }
  if (e.has_mapping_count()) {
    std::optional<std::string> actual;
    if (f.device_names.has_value()) actual = absl::StrCat(f.device_names->size());
    AMI_RETURN_IF_ERROR(Compare("mapping_count", f, actual, absl::StrCat(e.mapping_count()), out));
  }
  if (e.has_reboot_count() && e.reboot_count() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("expect.reboot_count `", e.reboot_count(), "` is not a count"));
  }
  if (e.has_reboot_count()) {
    AMI_RETURN_IF_ERROR(Compare("reboot_count", f, f.reboot_count, absl::StrCat(e.reboot_count()), out));
  }
  if (e.has_launch_permission_organizations()) {
    AMI_RETURN_IF_ERROR(Compare("launch_permission_organizations", f, SortedText(f.organizations),
                                SortedWant(e.launch_permission_organizations().arns()), out));
  }
  if (e.has_launch_permission_ous()) {
    AMI_RETURN_IF_ERROR(Compare("launch_permission_ous", f, SortedText(f.ous),
                                SortedWant(e.launch_permission_ous().arns()), out));
  }
  if (e.has_create_volume_permission_accounts()) {
    AMI_RETURN_IF_ERROR(Compare("create_volume_permission_accounts", f,
                                SortedText(f.create_volume_permission_accounts),
                                SortedWant(e.create_volume_permission_accounts().accounts()), out));
  }
  return absl::OkStatus();
}

}  // namespace ami::scenario_internal
