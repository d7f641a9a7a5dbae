// The seeded fleet generator (ami/tools/fleet.h).
#include "ami/tools/fleet.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/errors.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/snapshot.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami {
namespace {

// SplitMix64's finalizer: a bijection on 64-bit values, so distinct inputs give distinct ids.
uint64_t Mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A seeded SplitMix64 stream.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_ += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  // `n` lowercase letters and digits.
  std::string Alnum(int n) {
    static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(kChars[Below(36)]);
    return s;
  }

 private:
  uint64_t state_;
};

// Distinct id streams per kind: the index goes through the bijection with a kind offset.
enum IdKind : uint64_t { kImageIds = 1, kSnapshotIds, kInstanceIds, kVolumeIds, kKeyIds };
uint64_t IdValue(uint64_t seed, IdKind kind, uint64_t index) {
  return Mix((seed << 8 | kind) * 0x100000000ULL + index);
}

std::string KeyUuid(uint64_t a, uint64_t b) {
  const std::string hex = absl::StrCat(absl::Hex(a, absl::kZeroPad16), absl::Hex(b, absl::kZeroPad16));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-4", hex.substr(13, 3), "-8",
                      hex.substr(17, 3), "-", hex.substr(20, 12));
}

absl::Status Invalid(absl::string_view what) {
  return MakeError(choices::kBadFleetSpec, absl::StrCat("fleet spec: ", what));
}

absl::Status Validate(const FleetSpec& spec) {
  if (spec.accounts < 1 || spec.accounts > kMaxFleetAccounts) {
    return Invalid("accounts must be within 1-10,000,000");
  }
  if (spec.images > kMaxFleetImages || spec.instances > kMaxFleetInstances) {
    return Invalid("at most 10,000,000 images and 100,000,000 instances");
  }
  if (spec.organizations < 0 || spec.ous_per_organization < 0 || spec.images < 0 ||
      spec.instances < 0 || spec.accounts_per_share < 1) {
    return Invalid("counts must not be negative (and accounts_per_share at least 1)");
  }
  if (spec.organizations > 0 && spec.organization_members * spec.accounts < spec.organizations) {
    return Invalid("each organization needs at least one member account");
  }
  if (spec.instances > 0 && spec.images == 0) return Invalid("instances need images");
  if (spec.min_volumes < 1 || spec.max_volumes > 4 || spec.min_volumes > spec.max_volumes) {
    return Invalid("volumes per image must be within 1-4, min <= max");
  }
  if (spec.tags_per_image < 0 || spec.tags_per_image > 50 || spec.tags_per_instance < 0 ||
      spec.tags_per_instance > 50) {
    return Invalid("tags per resource must be within 0-50");
  }
  for (double f : {spec.organization_members, spec.shared_with_accounts,
                   spec.shared_with_organization, spec.shared_with_ou, spec.public_images,
                   spec.encrypted_customer_key, spec.encrypted_aws_managed, spec.product_codes}) {
    if (!(f >= 0 && f <= 1)) return Invalid("fractions must be within [0, 1]");
  }
  if (spec.shared_with_accounts + spec.shared_with_organization + spec.shared_with_ou +
          spec.public_images > 1.0 + 1e-9) {
    return Invalid("share fractions must sum to at most 1");
  }
  if (spec.encrypted_customer_key + spec.encrypted_aws_managed > 1.0 + 1e-9) {
    return Invalid("encryption fractions must sum to at most 1");
  }
  if (spec.regions.empty()) return Invalid("at least one Region");
  if (spec.organizations > 0 && spec.accounts_per_share > spec.accounts) {
    return Invalid("accounts_per_share exceeds the accounts");
  }
  return absl::OkStatus();
}

struct Organization {
  OrganizationId id;
  AccountId management;
  std::string root;
  std::vector<OrganizationalUnitId> ous;
  std::vector<int> members;  // Account indexes.
};

// What a customer managed key's policy must allow.
struct KeyUsers {
  std::set<AccountId> accounts;
  std::set<OrganizationId> organizations;
  std::set<std::string> org_paths;
};

constexpr const char* kTagKeys[] = {"env", "team", "app", "cost-center", "owner", "approved"};
constexpr const char* kEnvs[] = {"prod", "staging", "dev", "test"};
constexpr const char* kInstanceTypes[] = {"t3.micro", "t3.large", "m5.xlarge", "c5.2xlarge",
                                          "r6g.large"};

TagSet MakeTags(Random& rng, int n) {
  std::vector<Tag> tags;
  for (int i = 0; i < n; ++i) {
    const std::string key = i < 6 ? kTagKeys[i] : absl::StrCat("k", i);
    const std::string value = i == 0 ? kEnvs[rng.Below(4)] : absl::StrCat("v", rng.Below(100));
    tags.push_back(*Tag::Create(key, value));
  }
  return *TagSet::Create(std::move(tags));
}

}  // namespace

absl::StatusOr<Fleet> GenerateFleet(const FleetSpec& spec) {
  AMI_RETURN_IF_ERROR(Validate(spec));
  Fleet fleet;
  for (const std::string& name : spec.regions) {
    AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(name));
    if (std::find(fleet.regions.begin(), fleet.regions.end(), region) != fleet.regions.end()) {
      return Invalid(absl::StrCat("Region ", name, " listed twice"));
    }
    fleet.regions.push_back(region);
  }
  Random rng(Mix(spec.seed));
  Cloud::Options options;
  options.seed = spec.seed;
  fleet.cloud = Cloud::Create(options);
  Cloud& cloud = *fleet.cloud;
  const absl::Time now = cloud.Now();

  // ---- Accounts, organizations, OUs ----
  const uint64_t account_base = 100000000000ULL + (spec.seed % 1000) * 100000000ULL;
  for (int i = 0; i < spec.accounts; ++i) {
    fleet.accounts.push_back(AccountId::FromNumber(account_base + static_cast<uint64_t>(i) * 37));
  }
  fleet.organization_of.assign(spec.accounts, -1);
  std::vector<Organization> orgs;
  const int members =
      spec.organizations == 0 ? 0 : static_cast<int>(spec.organization_members * spec.accounts);
  for (int o = 0; o < spec.organizations; ++o) {
    // Members are dealt round-robin; the first one dealt manages the organization.
    const int management = o;
    Organization org{*OrganizationId::Parse(absl::StrCat("o-", rng.Alnum(10))),
                     fleet.accounts[management],
                     absl::StrCat("r-", rng.Alnum(4)),
                     {},
                     {}};
    AMI_RETURN_IF_ERROR(cloud.CreateOrganization(org.id, org.management, org.root));
    for (int u = 0; u < spec.ous_per_organization; ++u) {
      org.ous.push_back(
          *OrganizationalUnitId::Parse(absl::StrCat("ou-", org.root.substr(2), "-", rng.Alnum(8))));
      // The first half sit under the root; the rest under one of the first half.
      const int top = std::max(1, spec.ous_per_organization / 2);
      std::optional<OrganizationalUnitId> parent;
      if (u >= top) parent = org.ous[static_cast<size_t>(rng.Below(top))];
      AMI_RETURN_IF_ERROR(cloud.CreateOrganizationalUnit(org.id, org.ous.back(), parent));
    }
    org.members.push_back(management);
    fleet.organization_of[management] = o;
    orgs.push_back(std::move(org));
  }
  for (int i = 0; i < spec.accounts; ++i) {
    if (i < spec.organizations) continue;  // Management accounts, already members.
    if (i >= members) {
      AMI_RETURN_IF_ERROR(cloud.AddAccount(fleet.accounts[i]));
      continue;
    }
    const int o = i % spec.organizations;
    Organization& org = orgs[o];
    std::optional<OrganizationalUnitId> ou;
    // One member in four sits at the root.
    if (!org.ous.empty() && rng.Below(4) != 0) {
      ou = org.ous[rng.Below(org.ous.size())];
    }
    AMI_RETURN_IF_ERROR(cloud.AddAccount(fleet.accounts[i], org.id, ou));
    org.members.push_back(i);
    fleet.organization_of[i] = o;
  }
  fleet.organizations = spec.organizations;

  // ---- Snapshots, images and the keys they need ----
  std::map<std::pair<AccountId, Region>, KeyUsers> key_users;
  std::map<std::pair<AccountId, Region>, KmsKeyArn> customer_keys;
  absl::flat_hash_map<std::pair<AccountId, Region>, KmsKeyArn> aws_keys;
  auto customer_key = [&](AccountId owner, Region region) -> absl::StatusOr<KmsKeyArn> {
    auto it = customer_keys.find({owner, region});
    if (it != customer_keys.end()) return it->second;
    AMI_ASSIGN_OR_RETURN(
        const KmsKeyId id,
        KmsKeyId::Parse(KeyUuid(IdValue(spec.seed, kKeyIds, customer_keys.size()), rng.Next())));
    key_users[{owner, region}];
    return customer_keys.emplace(std::make_pair(owner, region), KmsKeyArn::Of(owner, region, id))
        .first->second;
  };
  auto aws_key = [&](AccountId account, Region region) {
    auto it = aws_keys.find({account, region});
    if (it == aws_keys.end()) {
      it = aws_keys.emplace(std::make_pair(account, region),
                            *cloud.GetSettings(account, region).default_kms_key).first;
    }
    return it->second;
  };
  std::vector<Snapshot> snapshots;
  std::vector<Image> images;
  std::vector<std::vector<SnapshotId>> image_snapshots;
  std::vector<int> image_owner_index;
  snapshots.reserve(static_cast<size_t>(spec.images) * 3);
  images.reserve(static_cast<size_t>(spec.images));
  fleet.images.reserve(static_cast<size_t>(spec.images));
  uint64_t snapshot_index = 0;
  const double cut_accounts = spec.shared_with_accounts;
  const double cut_org = cut_accounts + spec.shared_with_organization;
  const double cut_ou = cut_org + spec.shared_with_ou;
  const double cut_public = cut_ou + spec.public_images;
  for (int i = 0; i < spec.images; ++i) {
    const int owner_index = static_cast<int>(rng.Below(spec.accounts));
    const AccountId owner = fleet.accounts[owner_index];
    const Region region = fleet.regions[rng.Below(fleet.regions.size())];
    const int org_index = fleet.organization_of[owner_index];
    FleetImage made{ImageId::Long(IdValue(spec.seed, kImageIds, i)), owner, region,
                    FleetShare::kPrivate, FleetEncryption::kNone, false, {}};
    const double share = rng.Unit();
    if (share < cut_accounts) {
      made.share = FleetShare::kAccounts;
    } else if (share < cut_org) {
      made.share = FleetShare::kOrganization;
    } else if (share < cut_ou) {
      made.share = FleetShare::kOu;
    } else if (share < cut_public) {
      made.share = FleetShare::kPublic;
    }
    // Organization and OU shares need an organization with OUs; standalone owners share with
    // accounts instead.
    if ((made.share == FleetShare::kOrganization || made.share == FleetShare::kOu) &&
        (org_index < 0 || (made.share == FleetShare::kOu && orgs[org_index].ous.empty()))) {
      made.share = FleetShare::kAccounts;
    }
    const double encryption = rng.Unit();
    if (made.share != FleetShare::kPublic && encryption < spec.encrypted_customer_key) {
      made.encryption = FleetEncryption::kCustomerKey;
    } else if (made.share == FleetShare::kPrivate &&
               encryption >= spec.encrypted_customer_key &&
               encryption < spec.encrypted_customer_key + spec.encrypted_aws_managed) {
      made.encryption = FleetEncryption::kAwsManagedKey;
    }
    std::optional<KmsKeyArn> key;
    if (made.encryption == FleetEncryption::kCustomerKey) {
      AMI_ASSIGN_OR_RETURN(key, customer_key(owner, region));
    }
    if (made.encryption == FleetEncryption::kAwsManagedKey) key = aws_key(owner, region);

    std::vector<AccountId> accounts;
    std::vector<OrganizationArn> org_arns;
    std::vector<OrganizationalUnitArn> ou_arns;
    KeyUsers* users = key.has_value() && made.encryption == FleetEncryption::kCustomerKey
                          ? &key_users[{owner, region}]
                          : nullptr;
    if (made.share == FleetShare::kAccounts) {
      std::set<AccountId> chosen;
      while (static_cast<int>(chosen.size()) <
             std::min(spec.accounts_per_share, spec.accounts - 1)) {
        const AccountId a = fleet.accounts[rng.Below(spec.accounts)];
        if (a != owner) chosen.insert(a);
      }
      accounts.assign(chosen.begin(), chosen.end());
      made.grantees = accounts;
      if (users != nullptr) users->accounts.insert(chosen.begin(), chosen.end());
    } else if (made.share == FleetShare::kOrganization) {
      const Organization& org = orgs[org_index];
      org_arns.push_back(OrganizationArn::Of(org.management, org.id));
      if (users != nullptr) users->organizations.insert(org.id);
    } else if (made.share == FleetShare::kOu) {
      const Organization& org = orgs[org_index];
      const OrganizationalUnitId& ou = org.ous[rng.Below(org.ous.size())];
      ou_arns.push_back(OrganizationalUnitArn::Of(org.management, org.id, ou));
      // The OU may be nested: match it anywhere on the principal's path.
      if (users != nullptr) {
        users->org_paths.insert(absl::StrCat(org.id.ToString(), "/", org.root, "/*", ou.ToString(), "/*"));
      }
    }
    AMI_ASSIGN_OR_RETURN(LaunchPermissions permissions,
                     LaunchPermissions::Create(accounts, made.share == FleetShare::kPublic,
                                               org_arns, ou_arns));
    Image::Builder b;
    b.set_id(made.id)
        .set_name(absl::StrCat("fleet-", i))
        .set_description(absl::StrCat("fleet image ", i))
        .set_owner(owner)
        .set_region(region)
        .set_creation_time(now - absl::Hours(static_cast<int64_t>(rng.Below(24 * 700))))
        .set_launch_permissions(std::move(permissions))
        .set_tags(MakeTags(rng, spec.tags_per_image));
    if (spec.product_codes > 0 && rng.Chance(spec.product_codes)) {
      made.marketplace = true;
      b.set_product_codes({{absl::StrCat("fleet", rng.Alnum(20)), ProductCodeType::kMarketplace}});
    }
    const int volumes = spec.min_volumes + static_cast<int>(rng.Below(spec.max_volumes - spec.min_volumes + 1));
    std::vector<SnapshotId> ids;
    for (int v = 0; v < volumes; ++v) {
      AMI_ASSIGN_OR_RETURN(
          Snapshot snapshot,
          Snapshot::Builder()
              .set_id(SnapshotId::Long(IdValue(spec.seed, kSnapshotIds, snapshot_index++)))
              .set_owner(owner)
              .set_region(region)
              .set_volume_size_gib(v == 0 ? 8 : 8 * static_cast<uint32_t>(1 + rng.Below(16)))
              .set_kms_key(key)
              .set_start_time(now - absl::Hours(24 * 800))
              .set_create_volume_permissions({accounts, false})
              .Build());
      b.add_snapshot_mapping(v == 0 ? "/dev/xvda" : absl::StrCat("/dev/sd", std::string(1, static_cast<char>('a' + v))),
                             snapshot);
      ids.push_back(snapshot.id());
      snapshots.push_back(std::move(snapshot));
    }
    AMI_ASSIGN_OR_RETURN(Image image, b.Build());
    images.push_back(std::move(image));
    image_snapshots.push_back(std::move(ids));
    image_owner_index.push_back(owner_index);
    fleet.images.push_back(std::move(made));
  }
  fleet.snapshots = static_cast<int>(snapshots.size());

  // ---- Import: keys (with policies for every grantee), snapshots, images ----
  for (const auto& [where, arn] : customer_keys) {
    const KeyUsers& users = key_users[where];
    KmsKey::Builder kb;
    kb.set_arn(arn).set_description("fleet key").set_creation_time(now - absl::Hours(24 * 900));
    KeyPolicyStatement root;
    root.sid = "Enable IAM User Permissions";
    root.accounts = {where.first};
    root.actions = KmsActions::All();
    kb.add_policy_statement(std::move(root));
    // One statement per kind of grantee, each allowing what EBS needs (KMS-6).
    auto allow = [&kb](const char* sid, auto fill) {
      KeyPolicyStatement s;
      s.sid = sid;
      s.actions = EbsRequiredKmsActions();
      fill(s);
      kb.add_policy_statement(std::move(s));
    };
    if (!users.accounts.empty()) {
      allow("AllowGrantees", [&](KeyPolicyStatement& s) {
        s.accounts.assign(users.accounts.begin(), users.accounts.end());
      });
    }
    if (!users.organizations.empty()) {
      allow("AllowOrganization", [&](KeyPolicyStatement& s) {
        s.any_principal = true;
        s.principal_org_ids.assign(users.organizations.begin(), users.organizations.end());
      });
    }
    if (!users.org_paths.empty()) {
      allow("AllowOus", [&](KeyPolicyStatement& s) {
        s.any_principal = true;
        s.principal_org_paths.assign(users.org_paths.begin(), users.org_paths.end());
      });
    }
    AMI_ASSIGN_OR_RETURN(const KmsKey key, kb.Build());
    AMI_RETURN_IF_ERROR(cloud.ImportKey(key));
  }
  fleet.customer_keys = static_cast<int>(customer_keys.size());
  for (const Snapshot& snapshot : snapshots) AMI_RETURN_IF_ERROR(cloud.ImportSnapshot(snapshot));
  snapshots.clear();
  snapshots.shrink_to_fit();
  for (const Image& image : images) AMI_RETURN_IF_ERROR(cloud.ImportImage(image));

  // ---- Instances: each runs an image its owner may launch ----
  absl::flat_hash_map<Region, std::vector<AvailabilityZone>> zones;
  for (const Region region : fleet.regions) zones[region] = region.zones();
  fleet.instances.reserve(static_cast<size_t>(spec.instances));
  for (int i = 0; i < spec.instances; ++i) {
    const size_t image_index = rng.Below(images.size());
    const FleetImage& made = fleet.images[image_index];
    const Image& image = images[image_index];
    AccountId owner = made.owner;
    switch (made.share) {
      case FleetShare::kPrivate:
        break;
      case FleetShare::kAccounts:
        if (rng.Below(2) == 0) owner = made.grantees[rng.Below(made.grantees.size())];
        break;
      case FleetShare::kOrganization: {
        const auto& org_members =
            orgs[fleet.organization_of[image_owner_index[image_index]]].members;
        owner = fleet.accounts[org_members[rng.Below(org_members.size())]];
        break;
      }
      case FleetShare::kOu:
        break;  // The owner; OU members are many and change with the tree.
      case FleetShare::kPublic:
        owner = fleet.accounts[rng.Below(spec.accounts)];
        break;
    }
    const std::vector<AvailabilityZone>& region_zones = zones[made.region];
    Instance::Builder ib;
    ib.set_id(InstanceId::Long(IdValue(spec.seed, kInstanceIds, i)))
        .set_owner(owner)
        .set_availability_zone(region_zones[rng.Below(region_zones.size())])
        .set_image_id(made.id)
        .set_instance_type(kInstanceTypes[rng.Below(5)])
        .set_product_codes(image.product_codes())
        .set_launch_time(now - absl::Minutes(static_cast<int64_t>(rng.Below(60 * 24 * 365))))
        .set_tags(MakeTags(rng, spec.tags_per_instance));
    const std::vector<SnapshotId>& ids = image_snapshots[image_index];
    for (size_t v = 0; v < ids.size(); ++v) {
      const BlockDeviceMapping& m = image.block_device_mappings()[v];
      AttachedVolume volume;
      volume.device_name = m.device_name;
      volume.volume_id = VolumeId::Long(IdValue(spec.seed, kVolumeIds,
                                                static_cast<uint64_t>(i) * 4 + v));
      volume.volume_size_gib = m.ebs->volume_size_gib;
      volume.snapshot_id = ids[v];
      // LAUNCH-10: the owner keeps the snapshot's key; others get their default key.
      if (m.ebs->kms_key.has_value()) {
        volume.kms_key = owner == made.owner ? *m.ebs->kms_key : aws_key(owner, made.region);
      }
      ib.add_volume(std::move(volume));
    }
    AMI_ASSIGN_OR_RETURN(const Instance instance, ib.Build());
    AMI_RETURN_IF_ERROR(cloud.ImportInstance(instance));
    fleet.instances.push_back(instance.id());
  }
  return fleet;
}

}  // namespace ami
