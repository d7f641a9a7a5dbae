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

// Builds one fleet step by step. The order of the random draws is part of the output: each
// step draws in the same order as the one before it.
class FleetBuilder {
 public:
  explicit FleetBuilder(const FleetSpec& spec) : spec_(spec), rng_(Mix(spec.seed)) {}

  absl::StatusOr<Fleet> Build();

 private:
  absl::Status ParseRegions();
  absl::Status MakeOrganizations();
  absl::Status AddMembers();
  absl::StatusOr<KmsKeyArn> CustomerKey(AccountId owner, Region region);
  KmsKeyArn AwsKey(AccountId account, Region region);
  void ChooseShareAndEncryption(FleetImage& made, int org_index);
  absl::StatusOr<LaunchPermissions> Grant(FleetImage& made, int org_index, KeyUsers* users,
                                          std::vector<AccountId>& accounts);
  absl::Status MakeImage(int i);
  absl::Status AddSnapshots(Image::Builder& b, const FleetImage& made,
                            const std::optional<KmsKeyArn>& key,
                            const std::vector<AccountId>& accounts);
  absl::Status ImportKey(const std::pair<AccountId, Region>& where, const KmsKeyArn& arn);
  absl::Status ImportAll();
  AccountId InstanceOwner(size_t image_index);
  absl::Status MakeInstance(int i);

  const FleetSpec& spec_;
  Random rng_;
  Fleet fleet_;
  Cloud* cloud_ = nullptr;
  absl::Time now_;
  std::vector<Organization> orgs_;
  std::map<std::pair<AccountId, Region>, KeyUsers> key_users_;
  std::map<std::pair<AccountId, Region>, KmsKeyArn> customer_keys_;
  absl::flat_hash_map<std::pair<AccountId, Region>, KmsKeyArn> aws_keys_;
  std::vector<Snapshot> snapshots_;
  std::vector<Image> images_;
  std::vector<std::vector<SnapshotId>> image_snapshots_;
  std::vector<int> image_owner_index_;
  uint64_t snapshot_index_ = 0;
  absl::flat_hash_map<Region, std::vector<AvailabilityZone>> zones_;
};

absl::Status FleetBuilder::ParseRegions() {
  for (const std::string& name : spec_.regions) {
    AMI_ASSIGN_OR_RETURN(const Region region, Region::Parse(name));
    if (std::find(fleet_.regions.begin(), fleet_.regions.end(), region) != fleet_.regions.end()) {
      return Invalid(absl::StrCat("Region ", name, " listed twice"));
    }
    fleet_.regions.push_back(region);
  }
  return absl::OkStatus();
}

// ---- Accounts, organizations, OUs ----
absl::Status FleetBuilder::MakeOrganizations() {
  const uint64_t account_base = 100000000000ULL + (spec_.seed % 1000) * 100000000ULL;
  for (int i = 0; i < spec_.accounts; ++i) {
    fleet_.accounts.push_back(AccountId::FromNumber(account_base + static_cast<uint64_t>(i) * 37));
  }
  fleet_.organization_of.assign(spec_.accounts, -1);
  for (int o = 0; o < spec_.organizations; ++o) {
    // Members are dealt round-robin; the first one dealt manages the organization.
    const int management = o;
    Organization org{*OrganizationId::Parse(absl::StrCat("o-", rng_.Alnum(10))),
                     fleet_.accounts[management],
                     absl::StrCat("r-", rng_.Alnum(4)),
                     {},
                     {}};
    AMI_RETURN_IF_ERROR(cloud_->CreateOrganization(org.id, org.management, org.root));
    for (int u = 0; u < spec_.ous_per_organization; ++u) {
      org.ous.push_back(*OrganizationalUnitId::Parse(
          absl::StrCat("ou-", org.root.substr(2), "-", rng_.Alnum(8))));
      // The first half sit under the root; the rest under one of the first half.
      const int top = std::max(1, spec_.ous_per_organization / 2);
      std::optional<OrganizationalUnitId> parent;
      if (u >= top) parent = org.ous[static_cast<size_t>(rng_.Below(top))];
      AMI_RETURN_IF_ERROR(cloud_->CreateOrganizationalUnit(org.id, org.ous.back(), parent));
    }
    org.members.push_back(management);
    fleet_.organization_of[management] = o;
    orgs_.push_back(std::move(org));
  }
  return absl::OkStatus();
}

absl::Status FleetBuilder::AddMembers() {
  const int members =
      spec_.organizations == 0 ? 0 : static_cast<int>(spec_.organization_members * spec_.accounts);
  for (int i = 0; i < spec_.accounts; ++i) {
    if (i < spec_.organizations) continue;  // Management accounts, already members.
    if (i >= members) {
      AMI_RETURN_IF_ERROR(cloud_->AddAccount(fleet_.accounts[i]));
      continue;
    }
    const int o = i % spec_.organizations;
    Organization& org = orgs_[o];
    std::optional<OrganizationalUnitId> ou;
    // One member in four sits at the root.
    if (!org.ous.empty() && rng_.Below(4) != 0) {
      ou = org.ous[rng_.Below(org.ous.size())];
    }
    AMI_RETURN_IF_ERROR(cloud_->AddAccount(fleet_.accounts[i], org.id, ou));
    org.members.push_back(i);
    fleet_.organization_of[i] = o;
  }
  fleet_.organizations = spec_.organizations;
  return absl::OkStatus();
}

// ---- Snapshots, images and the keys they need ----
absl::StatusOr<KmsKeyArn> FleetBuilder::CustomerKey(AccountId owner, Region region) {
  auto it = customer_keys_.find({owner, region});
  if (it != customer_keys_.end()) return it->second;
  AMI_ASSIGN_OR_RETURN(
      const KmsKeyId id,
      KmsKeyId::Parse(KeyUuid(IdValue(spec_.seed, kKeyIds, customer_keys_.size()), rng_.Next())));
  key_users_[{owner, region}];
  return customer_keys_.emplace(std::make_pair(owner, region), KmsKeyArn::Of(owner, region, id))
      .first->second;
}

KmsKeyArn FleetBuilder::AwsKey(AccountId account, Region region) {
  auto it = aws_keys_.find({account, region});
  if (it == aws_keys_.end()) {
    it = aws_keys_.emplace(std::make_pair(account, region),
                           *cloud_->GetSettings(account, region).default_kms_key).first;
  }
  return it->second;
}

void FleetBuilder::ChooseShareAndEncryption(FleetImage& made, int org_index) {
  const double cut_accounts = spec_.shared_with_accounts;
  const double cut_org = cut_accounts + spec_.shared_with_organization;
  const double cut_ou = cut_org + spec_.shared_with_ou;
  const double cut_public = cut_ou + spec_.public_images;
  const double share = rng_.Unit();
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
      (org_index < 0 || (made.share == FleetShare::kOu && orgs_[org_index].ous.empty()))) {
    made.share = FleetShare::kAccounts;
  }
  const double encryption = rng_.Unit();
  if (made.share != FleetShare::kPublic && encryption < spec_.encrypted_customer_key) {
    made.encryption = FleetEncryption::kCustomerKey;
  } else if (made.share == FleetShare::kPrivate &&
             encryption >= spec_.encrypted_customer_key &&
             encryption < spec_.encrypted_customer_key + spec_.encrypted_aws_managed) {
    made.encryption = FleetEncryption::kAwsManagedKey;
  }
}

// The image's launch permissions; records the grantees in `users` (the key's policy) and the
// granted accounts in `accounts` (the snapshots' create-volume permissions).
absl::StatusOr<LaunchPermissions> FleetBuilder::Grant(FleetImage& made, int org_index,
                                                      KeyUsers* users,
                                                      std::vector<AccountId>& accounts) {
  std::vector<OrganizationArn> org_arns;
  std::vector<OrganizationalUnitArn> ou_arns;
  if (made.share == FleetShare::kAccounts) {
    std::set<AccountId> chosen;
    while (static_cast<int>(chosen.size()) <
           std::min(spec_.accounts_per_share, spec_.accounts - 1)) {
      const AccountId a = fleet_.accounts[rng_.Below(spec_.accounts)];
      if (a != made.owner) chosen.insert(a);
    }
    accounts.assign(chosen.begin(), chosen.end());
    made.grantees = accounts;
    if (users != nullptr) users->accounts.insert(chosen.begin(), chosen.end());
  } else if (made.share == FleetShare::kOrganization) {
    const Organization& org = orgs_[org_index];
    org_arns.push_back(OrganizationArn::Of(org.management, org.id));
    if (users != nullptr) users->organizations.insert(org.id);
  } else if (made.share == FleetShare::kOu) {
    const Organization& org = orgs_[org_index];
    const OrganizationalUnitId& ou = org.ous[rng_.Below(org.ous.size())];
    ou_arns.push_back(OrganizationalUnitArn::Of(org.management, org.id, ou));
    // The OU may be nested: match it anywhere on the principal's path.
    if (users != nullptr) {
      users->org_paths.insert(
          absl::StrCat(org.id.ToString(), "/", org.root, "/*", ou.ToString(), "/*"));
    }
  }
  return LaunchPermissions::Create(accounts, made.share == FleetShare::kPublic, org_arns,
                                   ou_arns);
}

absl::Status FleetBuilder::MakeImage(int i) {
  const int owner_index = static_cast<int>(rng_.Below(spec_.accounts));
  const AccountId owner = fleet_.accounts[owner_index];
  const Region region = fleet_.regions[rng_.Below(fleet_.regions.size())];
  const int org_index = fleet_.organization_of[owner_index];
  FleetImage made{ImageId::Long(IdValue(spec_.seed, kImageIds, i)), owner, region,
                  FleetShare::kPrivate, FleetEncryption::kNone, false, {}};
  ChooseShareAndEncryption(made, org_index);
  std::optional<KmsKeyArn> key;
  if (made.encryption == FleetEncryption::kCustomerKey) {
    AMI_ASSIGN_OR_RETURN(key, CustomerKey(owner, region));
  }
  if (made.encryption == FleetEncryption::kAwsManagedKey) key = AwsKey(owner, region);
  KeyUsers* users = key.has_value() && made.encryption == FleetEncryption::kCustomerKey
                        ? &key_users_[{owner, region}]
                        : nullptr;
  std::vector<AccountId> accounts;
  AMI_ASSIGN_OR_RETURN(LaunchPermissions permissions, Grant(made, org_index, users, accounts));
  Image::Builder b;
  b.set_id(made.id)
      .set_name(absl::StrCat("fleet-", i))
      .set_description(absl::StrCat("fleet image ", i))
      .set_owner(owner)
      .set_region(region)
      .set_creation_time(now_ - absl::Hours(static_cast<int64_t>(rng_.Below(24 * 700))))
      .set_launch_permissions(std::move(permissions))
      .set_tags(MakeTags(rng_, spec_.tags_per_image));
  if (spec_.product_codes > 0 && rng_.Chance(spec_.product_codes)) {
    made.marketplace = true;
    b.set_product_codes({{absl::StrCat("fleet", rng_.Alnum(20)), ProductCodeType::kMarketplace}});
  }
  AMI_RETURN_IF_ERROR(AddSnapshots(b, made, key, accounts));
  AMI_ASSIGN_OR_RETURN(Image image, b.Build());
  images_.push_back(std::move(image));
  image_owner_index_.push_back(owner_index);
  fleet_.images.push_back(std::move(made));
  return absl::OkStatus();
}

absl::Status FleetBuilder::AddSnapshots(Image::Builder& b, const FleetImage& made,
                                        const std::optional<KmsKeyArn>& key,
                                        const std::vector<AccountId>& accounts) {
  const int volumes =
      spec_.min_volumes + static_cast<int>(rng_.Below(spec_.max_volumes - spec_.min_volumes + 1));
  std::vector<SnapshotId> ids;
  for (int v = 0; v < volumes; ++v) {
    AMI_ASSIGN_OR_RETURN(
        Snapshot snapshot,
        Snapshot::Builder()
            .set_id(SnapshotId::Long(IdValue(spec_.seed, kSnapshotIds, snapshot_index_++)))
            .set_owner(made.owner)
            .set_region(made.region)
            .set_volume_size_gib(v == 0 ? 8 : 8 * static_cast<uint32_t>(1 + rng_.Below(16)))
            .set_kms_key(key)
            .set_start_time(now_ - absl::Hours(24 * 800))
            .set_create_volume_permissions({accounts, false})
            .Build());
    b.add_snapshot_mapping(
        v == 0 ? "/dev/xvda" : absl::StrCat("/dev/sd", std::string(1, static_cast<char>('a' + v))),
        snapshot);
    ids.push_back(snapshot.id());
    snapshots_.push_back(std::move(snapshot));
  }
  image_snapshots_.push_back(std::move(ids));
  return absl::OkStatus();
}

// A customer managed key, with a policy statement for every kind of grantee.
absl::Status FleetBuilder::ImportKey(const std::pair<AccountId, Region>& where,
                                     const KmsKeyArn& arn) {
  const KeyUsers& users = key_users_[where];
  KmsKey::Builder kb;
  kb.set_arn(arn).set_description("fleet key").set_creation_time(now_ - absl::Hours(24 * 900));
  // The default key policy (the account's "Enable IAM User Permissions"), then one statement
  // per kind of grantee, each allowing what EBS needs (KMS-6).
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
  return cloud_->ImportKey(key);
}

// ---- Import: keys (with policies for every grantee), snapshots, images ----
absl::Status FleetBuilder::ImportAll() {
  for (const auto& [where, arn] : customer_keys_) AMI_RETURN_IF_ERROR(ImportKey(where, arn));
  fleet_.customer_keys = static_cast<int>(customer_keys_.size());
  for (const Snapshot& snapshot : snapshots_) {
    AMI_RETURN_IF_ERROR(cloud_->ImportSnapshot(snapshot));
  }
  snapshots_.clear();
  snapshots_.shrink_to_fit();
  for (const Image& image : images_) AMI_RETURN_IF_ERROR(cloud_->ImportImage(image));
  return absl::OkStatus();
}

// An account that may launch the image: its owner or, sometimes, one it is shared with.
AccountId FleetBuilder::InstanceOwner(size_t image_index) {
  const FleetImage& made = fleet_.images[image_index];
  AccountId owner = made.owner;
  switch (made.share) {
    case FleetShare::kPrivate:
      break;
    case FleetShare::kAccounts:
      if (rng_.Below(2) == 0) owner = made.grantees[rng_.Below(made.grantees.size())];
      break;
    case FleetShare::kOrganization: {
      const auto& org_members =
          orgs_[fleet_.organization_of[image_owner_index_[image_index]]].members;
      owner = fleet_.accounts[org_members[rng_.Below(org_members.size())]];
      break;
    }
    case FleetShare::kOu:
      break;  // The owner; OU members are many and change with the tree.
    case FleetShare::kPublic:
      owner = fleet_.accounts[rng_.Below(spec_.accounts)];
      break;
  }
  return owner;
}

// ---- Instances: each runs an image its owner may launch ----
absl::Status FleetBuilder::MakeInstance(int i) {
  const size_t image_index = rng_.Below(images_.size());
  const FleetImage& made = fleet_.images[image_index];
  const Image& image = images_[image_index];
  const AccountId owner = InstanceOwner(image_index);
  const std::vector<AvailabilityZone>& region_zones = zones_[made.region];
  Instance::Builder ib;
  ib.set_id(InstanceId::Long(IdValue(spec_.seed, kInstanceIds, i)))
      .set_owner(owner)
      .set_availability_zone(region_zones[rng_.Below(region_zones.size())])
      .set_image_id(made.id)
      .set_instance_type(kInstanceTypes[rng_.Below(5)])
      .set_product_codes(image.product_codes())
      .set_launch_time(now_ - absl::Minutes(static_cast<int64_t>(rng_.Below(60 * 24 * 365))))
      .set_tags(MakeTags(rng_, spec_.tags_per_instance));
  const std::vector<SnapshotId>& ids = image_snapshots_[image_index];
  for (size_t v = 0; v < ids.size(); ++v) {
    const BlockDeviceMapping& m = image.block_device_mappings()[v];
    AttachedVolume volume;
    volume.device_name = m.device_name;
    volume.volume_id =
        VolumeId::Long(IdValue(spec_.seed, kVolumeIds, static_cast<uint64_t>(i) * 4 + v));
    volume.volume_size_gib = m.ebs->volume_size_gib;
    volume.snapshot_id = ids[v];
    // LAUNCH-10: the owner keeps the snapshot's key; others get their default key.
    if (m.ebs->kms_key.has_value()) {
      volume.kms_key = owner == made.owner ? *m.ebs->kms_key : AwsKey(owner, made.region);
    }
    ib.add_volume(std::move(volume));
  }
  AMI_ASSIGN_OR_RETURN(const Instance instance, ib.Build());
  AMI_RETURN_IF_ERROR(cloud_->ImportInstance(instance));
  fleet_.instances.push_back(instance.id());
  return absl::OkStatus();
}

absl::StatusOr<Fleet> FleetBuilder::Build() {
  AMI_RETURN_IF_ERROR(Validate(spec_));
  AMI_RETURN_IF_ERROR(ParseRegions());
  Cloud::Options options;
  options.seed = spec_.seed;
  fleet_.cloud = Cloud::Create(options);
  cloud_ = fleet_.cloud.get();
  now_ = cloud_->Now();
  AMI_RETURN_IF_ERROR(MakeOrganizations());
  AMI_RETURN_IF_ERROR(AddMembers());
  snapshots_.reserve(static_cast<size_t>(spec_.images) * 3);
  images_.reserve(static_cast<size_t>(spec_.images));
  fleet_.images.reserve(static_cast<size_t>(spec_.images));
  for (int i = 0; i < spec_.images; ++i) AMI_RETURN_IF_ERROR(MakeImage(i));
  fleet_.snapshots = static_cast<int>(snapshots_.size());
  AMI_RETURN_IF_ERROR(ImportAll());
  for (const Region region : fleet_.regions) zones_[region] = region.zones();
  fleet_.instances.reserve(static_cast<size_t>(spec_.instances));
  for (int i = 0; i < spec_.instances; ++i) AMI_RETURN_IF_ERROR(MakeInstance(i));
  return std::move(fleet_);
}

}  // namespace

absl::StatusOr<Fleet> GenerateFleet(const FleetSpec& spec) { return FleetBuilder(spec).Build(); }

}  // namespace ami
