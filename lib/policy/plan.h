// Plans: everything an allowed operation will create, change, remove or schedule, computed by
// the policy engine from a read-only view before any table is touched, and applied by the one
// writer, CloudState::Commit. Internal to libami.
#ifndef AMI_LIB_POLICY_PLAN_H_
#define AMI_LIB_POLICY_PLAN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/time/time.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/policy.h"
#include "ami/snapshot.h"
#include "ami/attributes.h"
#include "ami/state_view.h"
#include "policy/iam.h"

namespace ami::internal {

// The seeded id sequence (images, snapshots, instances, volumes, keys, grants). A plan draws
// from a copy of the state's sequence; Commit stores where the plan left it, so a rejected
// operation draws nothing.
class IdSequence {
 public:
  IdSequence(uint64_t seed, uint64_t next) : seed_(seed), next_(next) {}
  uint64_t seed() const { return seed_; }
  // How many values were drawn since the cloud began.
  uint64_t next() const { return next_; }
  // The next 64 random bits of the sequence.
  uint64_t NextRandom();
  ImageId NewImageId() { return ImageId::Long(NextRandom(), 0); }
  SnapshotId NewSnapshotId() { return SnapshotId::Long(NextRandom(), 0); }
  InstanceId NewInstanceId() { return InstanceId::Long(NextRandom(), 0); }
  VolumeId NewVolumeId() { return VolumeId::Long(NextRandom(), 0); }
  // A new KMS key id from the next two draws: `mrk-` + hex when `multi_region`, else a UUID.
  KmsKeyId NewKeyId(bool multi_region);
  // A new grant id: 32 hex digits of the next two draws, the later one first.
  std::string NewGrantId();

 private:
  uint64_t seed_;
  uint64_t next_;
};

// SplitMix64: a fast, well-mixed step, used for the id sequence and derived key ids.
uint64_t Mix(uint64_t x);

// What AdvanceClock() completes.
struct PendingWork {
  // kBinExpiry: a Recycle Bin entry (image or snapshot id) whose retention ends.
  enum class Kind : uint8_t { kImage, kInstance, kKeyDeletion, kBinExpiry };
  Kind kind = Kind::kImage;
  std::string id;  // The resource id, as text.
  // Set when the work fails (KMS-11, LAUNCH-9): the state reason to record.
  std::optional<StateReason> failure;

  friend bool operator==(const PendingWork& a, const PendingWork& b) {
    return a.kind == b.kind && a.id == b.id && a.failure == b.failure;
  }
};

// A CopyImage ClientToken (COPY-17): what the request was, and what it made.
struct TokenEntry {
  std::string fingerprint;
  ImageId image = ImageId::Short(0);

  friend bool operator==(const TokenEntry& a, const TokenEntry& b) {
    return a.fingerprint == b.fingerprint && a.image == b.image;
  }
};

// An organization: its management account, root and OU tree (child → parent; none = root).
struct OrganizationInfo {
  AccountId management = AccountId::FromNumber(0);
  std::string root_id;
  absl::flat_hash_map<OrganizationalUnitId, std::optional<OrganizationalUnitId>> ous;

  friend bool operator==(const OrganizationInfo& a, const OrganizationInfo& b) {
    return a.management == b.management && a.root_id == b.root_id && a.ous == b.ous;
  }
};
// An account in a Region, the key of per-account settings.
using AccountRegion = std::pair<AccountId, Region>;

// (caller, Region, ClientToken).
using TokenKey = std::tuple<AccountId, Region, std::string>;

// Everything one operation changes. Commit applies the parts in this order: `ids`; the extra
// parts' accounts, organizations, clock and Recycle Bin entries; snapshots, images, instances;
// the extra parts' removals; `schedule` and `client_token`; the extra parts' keys, aliases,
// tags and settings.
struct Plan {
  // ---- Images, snapshots and instances: what most operations change ----
  // Where the id sequence stands after the operation; unset when it drew no id.
  std::optional<IdSequence> ids;
  // Added or replaced; snapshots before images, so that an image's snapshots exist. The usual
  // one image, its first snapshots and one piece of work are held without an allocation.
  absl::InlinedVector<std::shared_ptr<const Snapshot>, 2> put_snapshots;
  absl::InlinedVector<std::shared_ptr<const Image>, 1> put_images;
  std::vector<Instance> put_instances;
  // Work that AdvanceClock() completes, `after` from now.
  absl::InlinedVector<std::pair<absl::Duration, PendingWork>, 1> schedule;
  // A ClientToken remembered with what it made (COPY-17).
  std::optional<std::pair<TokenKey, TokenEntry>> client_token;

  // Images entering the Recycle Bin as they are now, for `days` (DEREG-9).
  struct Retained {
    ImageId image = ImageId::Short(0);
    int days = 0;
  };
  // Snapshots deleted; those with `days` > 0 stay in the Recycle Bin that long (DEREG-9).
  struct Deleted {
    SnapshotId snapshot = SnapshotId::Short(0);
    int days = 0;
  };
  // The tags `account` keeps on another account's image or snapshot `id` (SHARE-13); empty
  // tags drop them.
  struct ForeignTags {
    std::string id;
    Region region = Region::First();
    AccountId account = AccountId::FromNumber(0);
    TagSet tags;
  };

  // The parts fewer operations change, allocated on first use so that a plan of the parts
  // above moves and is destroyed cheaply.
  struct Extra {
    // ---- Accounts, organizations and the clock ----
    // The clock's new time (AdvanceClock), set before anything else is applied.
    std::optional<absl::Time> now;
    // The earliest scheduled work is done and leaves the queue (AdvanceClock).
    bool pop_due_work = false;
    // Organizations and accounts added or replaced.
    std::vector<std::pair<OrganizationId, OrganizationInfo>> put_organizations;
    std::vector<AccountInfo> put_accounts;
    std::vector<Retained> retain_images;

    // ---- Removals ----
    std::vector<Deleted> delete_snapshots;
    // Every account's tags on these images or snapshots are dropped (deregistered, deleted).
    std::vector<std::pair<std::string, Region>> drop_foreign_tags;
    // NoReboot CreateImage calls now in progress: instance → the image it makes (CREATE-15).
    std::vector<std::pair<InstanceId, ImageId>> start_create_image;
    // KMS keys deleted for good, with their aliases (KMS-14).
    std::vector<KmsKeyArn> delete_keys;
    // Recycle Bin entries (image or snapshot ids) whose retention ended (DEREG-9).
    std::vector<std::string> expire_bin_entries;

    // ---- KMS keys, aliases and the tags accounts put on others' resources ----
    // Customer managed keys added or replaced (KMS-1, KMS-4, KMS-14, KMS-15).
    std::vector<std::shared_ptr<const KmsKey>> put_keys;
    // New aliases: (account, Region, alias name) → key (ID-13).
    std::vector<std::pair<std::tuple<AccountId, Region, std::string>, KmsKeyArn>> put_aliases;
    std::vector<ForeignTags> set_foreign_tags;

    // ---- Settings, Allowed AMIs and the Recycle Bin ----
    // The whole settings of an account in a Region after the change (KMS-2, KMS-3, SHARE-18,
    // SNAP-3).
    std::optional<std::pair<AccountRegion, RegionSettings>> put_settings;
    // The Allowed AMIs setting of an account in a Region; nullopt: back to the default
    // (disabled, no criteria), which is not stored (GOV-7).
    std::optional<std::pair<AccountRegion, std::optional<AllowedImagesSettings>>> put_allowed_images;
    // The Recycle Bin rules of an account in a Region, sorted by id; empty erases them (DEREG-9).
    std::optional<std::pair<AccountRegion, std::vector<RetentionRule>>> put_bin_rules;
    // Recycle Bin entries (image or snapshot ids) restored: they leave the bin, and put_images
    // or put_snapshots hold them again (DEREG-10).
    std::vector<std::string> leave_bin;

    // ---- IAM principals and service control policies (IAM-1, IAM-2) ----
    // Users and roles added or replaced.
    std::vector<std::shared_ptr<const IamPrincipal>> put_principals;
    // Service control policies added or replaced.
    std::vector<std::shared_ptr<const ServiceControlPolicy>> put_scps;
    // A policy attached to (or detached from) a root, OU or account.
    struct ScpAttachment {
      std::string policy_id;
      std::string target;
      bool attach = true;
    };
    std::vector<ScpAttachment> scp_attachments;
  };
  // The extra parts; all empty until mutable_extra() is first called.
  const Extra& extra() const { return extra_ != nullptr ? *extra_ : NoExtra(); }
  Extra& mutable_extra() {
    if (extra_ == nullptr) extra_ = std::make_unique<Extra>();
    return *extra_;
  }
  bool has_extra() const { return extra_ != nullptr; }

 private:
  static const Extra& NoExtra();
  std::unique_ptr<Extra> extra_;
};

}  // namespace ami::internal

#endif  // AMI_LIB_POLICY_PLAN_H_
