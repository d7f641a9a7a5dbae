#include "cloud/state.h"

#include "values/kms_id_access.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"

namespace ami::internal {

bool IsRegistered(ImageState state) { return state != ImageState::kDeregistered; }

absl::Status DryRunCheck(const CallContext& ctx) {
  if (!ctx.dry_run) return absl::OkStatus();
  return MakeError(ErrorCode::kDryRunOperation,
                   "request would have succeeded, but the DryRun flag is set");
}

std::unique_ptr<CloudState> CloudState::Clone() const {
  auto copy = std::make_unique<CloudState>();
  copy->options = options;
  copy->now = now;
  copy->next_id = next_id;
  copy->accounts = accounts;
  copy->organizations = organizations;
  copy->settings = settings;
  copy->keys = keys;
  copy->aliases = aliases;
  copy->images = images;
  copy->snapshots = snapshots;
  copy->instances = instances;
  copy->image_names = image_names;
  copy->snapshot_users = snapshot_users;
  copy->public_images = public_images;
  copy->foreign_tags = foreign_tags;
  copy->client_tokens = client_tokens;
  copy->creating_from = creating_from;
  copy->pending = pending;
  copy->allowed_images = allowed_images;
  copy->bin_rules = bin_rules;
  copy->bin_images = bin_images;
  copy->bin_snapshots = bin_snapshots;
  copy->image_index = image_index;
  copy->snapshot_index = snapshot_index;
  return copy;
}

namespace {

template <typename Map>
bool SameValues(const Map& a, const Map& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || !(*it->second == *v)) return false;
  }
  return true;
}

template <typename Id, typename T>
bool SameValues(const ValueTable<Id, T>& a, const ValueTable<Id, T>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& value : a) {
    const T* other = b.Find(value->id());
    if (other == nullptr || !(*other == *value)) return false;
  }
  return true;
}

}  // namespace

bool CloudState::SameAs(const CloudState& o) const {
  return now == o.now && next_id == o.next_id && accounts == o.accounts &&
         organizations == o.organizations && settings == o.settings && SameValues(keys, o.keys) &&
         aliases == o.aliases && SameValues(images, o.images) &&
         SameValues(snapshots, o.snapshots) && SameValues(instances, o.instances) &&
         image_names == o.image_names && snapshot_users == o.snapshot_users &&
         public_images == o.public_images && foreign_tags == o.foreign_tags &&
         client_tokens == o.client_tokens && creating_from == o.creating_from &&
         pending == o.pending && allowed_images == o.allowed_images &&
         bin_rules == o.bin_rules && bin_images == o.bin_images &&
         bin_snapshots == o.bin_snapshots;
}

const Image* CloudState::FindImage(ImageId id) const {
  auto it = images.find(id);
  return it == images.end() ? nullptr : it->second.get();
}

const Snapshot* CloudState::FindSnapshot(SnapshotId id) const {
  auto it = snapshots.find(id);
  return it == snapshots.end() ? nullptr : it->second.get();
}

const Instance* CloudState::FindInstance(InstanceId id) const {
  return instances.Find(id);
}

const AccountInfo* CloudState::FindAccount(AccountId id) const {
  auto it = accounts.find(id);
  return it == accounts.end() ? nullptr : &it->second;
}

std::optional<AccountId> CloudState::OrganizationManagement(const OrganizationId& org) const {
  auto it = organizations.find(org);
  if (it == organizations.end()) return std::nullopt;
  return it->second.management;
}

RegionSettings CloudState::Settings(AccountId account, Region region) const {
  auto it = settings.find(AccountRegion{account, region});
  if (it != settings.end()) {
    RegionSettings s = it->second;
    // SHARE-18, ASYNC-4: enabling image block public access takes effect later.
    if (s.image_block_public_access_from.has_value() && *s.image_block_public_access_from <= now) {
      s.image_block_public_access = true;
      s.image_block_public_access_from.reset();
    }
    return s;
  }
  RegionSettings s;
  s.default_kms_key = AwsManagedEbsKey(account, region);
  return s;
}

KeyFacts CloudState::FindKey(const KmsKeyArn& arn) const {
  KeyFacts facts;
  auto it = keys.find(arn);
  if (it != keys.end()) {
    facts.key = it->second.get();
    facts.aws_managed = facts.key->is_aws_managed();
  } else {
    facts.aws_managed = IsAwsManagedEbsKey(arn);
  }
  return facts;
}

std::optional<KmsKeyArn> CloudState::FindAlias(AccountId account, Region region,
                                               absl::string_view alias) const {
  if (alias == kAwsEbsAlias) return AwsManagedEbsKey(account, region);
  auto it = aliases.find(std::make_tuple(account, region, std::string(alias)));
  if (it == aliases.end()) return std::nullopt;
  return it->second;
}

std::optional<ImageId> CloudState::FindImageByName(AccountId owner, Region region,
                                                   absl::string_view name) const {
  auto it = image_names.find(std::make_tuple(owner, region, std::string(name)));
  if (it == image_names.end()) return std::nullopt;
  return it->second;
}

int CloudState::ImagesUsingSnapshot(SnapshotId id) const {
  auto it = snapshot_users.find(id);
  return it == snapshot_users.end() ? 0 : it->second;
}

int CloudState::PublicImageCount(AccountId owner, Region region) const {
  auto it = public_images.find(AccountRegion{owner, region});
  return it == public_images.end() ? 0 : it->second;
}

const AllowedImagesSettings* CloudState::AllowedImages(AccountId account, Region region) const {
  auto it = allowed_images.find(AccountRegion{account, region});
  if (it == allowed_images.end() || it->second.state == AllowedImagesState::kDisabled) return nullptr;
  return &it->second;
}

uint64_t CloudState::NextRandom() {
  IdSequence ids = Ids();
  const uint64_t bits = ids.NextRandom();
  next_id = ids.next();
  return bits;
}

ImageId CloudState::NewImageId() {
  return ImageId::Long(NextRandom(), 0);
}
SnapshotId CloudState::NewSnapshotId() { return SnapshotId::Long(NextRandom(), 0); }
InstanceId CloudState::NewInstanceId() { return InstanceId::Long(NextRandom(), 0); }
VolumeId CloudState::NewVolumeId() { return VolumeId::Long(NextRandom(), 0); }


namespace {
// The 128 bits of the aws/ebs key id of an account and Region, derived from the seed.
std::pair<uint64_t, uint64_t> AwsManagedEbsKeyBits(uint64_t seed, AccountId account, Region region) {
  const uint64_t high = Mix(seed ^ Mix(account.number()));
  const uint64_t low = Mix(high ^ (0xeb5ULL << 8 | region.index()));
  return {high, low};
}
}  // namespace

KmsKeyArn CloudState::AwsManagedEbsKey(AccountId account, Region region) const {
  if (!aliases.empty()) {  // An imported aws/ebs key is named by the account's alias.
    auto it = aliases.find(std::make_tuple(account, region, std::string(kAwsEbsAlias)));
    if (it != aliases.end()) return it->second;
  }
  const auto [high, low] = AwsManagedEbsKeyBits(options.seed, account, region);
  return KmsKeyArn::Of(account, region, KmsKeyIdAccess::FromBits(high, low, false));
}

bool CloudState::IsAwsManagedEbsKey(const KmsKeyArn& arn) const {
  const auto [high, low] = AwsManagedEbsKeyBits(options.seed, arn.account(), arn.region());
  return KmsKeyIdAccess::HasUuidBits(arn.key_id(), high, low);
}

namespace {
// True when both images hold the same name and snapshots for the same owner and Region, so the
// name and snapshot-user indexes need no change (a permission, tag or attribute change).
bool SameHoldings(const Image& a, const Image& b) {
  if (IsRegistered(a.state()) != IsRegistered(b.state()) || a.owner() != b.owner() ||
      a.region() != b.region() || a.name() != b.name() ||
      a.block_device_mappings().size() != b.block_device_mappings().size()) {
    return false;
  }
  for (size_t i = 0; i < a.block_device_mappings().size(); ++i) {
    const auto& x = a.block_device_mappings()[i].ebs;
    const auto& y = b.block_device_mappings()[i].ebs;
    if (x.has_value() != y.has_value() || (x.has_value() && x->snapshot_id != y->snapshot_id)) {
      return false;
    }
  }
  return true;
}
}  // namespace

void CloudState::PutImage(std::shared_ptr<const Image> image) {
  const ImageId id = image->id();
  auto it = images.find(id);
  image = sharing.Shared(std::move(image), it == images.end() ? nullptr : it->second.get());
  image_index.Update(it == images.end() ? nullptr : it->second.get(), image.get());
  if (it != images.end() && SameHoldings(*it->second, *image)) {
    const Image& old = *it->second;
    if (old.is_public() != image->is_public()) {
      const AccountRegion where{old.owner(), old.region()};
      if (old.is_public() && --public_images[where] == 0) public_images.erase(where);
      if (image->is_public()) ++public_images[where];
    }
    it->second = std::move(image);
    return;
  }
  if (it != images.end()) {
    const Image& old = *it->second;
    if (IsRegistered(old.state())) {
      image_names.erase(std::make_tuple(old.owner(), old.region(), old.name()));
      for (const SnapshotId s : old.snapshot_ids()) {
        if (--snapshot_users[s] == 0) snapshot_users.erase(s);
      }
    }
    if (old.is_public()) {
      const AccountRegion where{old.owner(), old.region()};
      if (--public_images[where] == 0) public_images.erase(where);
    }
  }
  if (IsRegistered(image->state())) {
    image_names.insert_or_assign(std::make_tuple(image->owner(), image->region(), image->name()), id);
    for (const SnapshotId s : image->snapshot_ids()) ++snapshot_users[s];
  }
  if (image->is_public()) ++public_images[AccountRegion{image->owner(), image->region()}];
  images[id] = std::move(image);
}

void CloudState::PutSnapshot(std::shared_ptr<const Snapshot> snapshot) {
  snapshot = sharing.Shared(std::move(snapshot));
  const SnapshotId id = snapshot->id();
  auto it = snapshots.find(id);
  snapshot_index.Update(it == snapshots.end() ? nullptr : it->second.get(), snapshot.get());
  snapshots[id] = std::move(snapshot);
}

void CloudState::PutInstance(Instance instance) {
  sharing.Share(instance);
  instances.Put(std::make_shared<const Instance>(std::move(instance)));
}

void CloudState::RemoveSnapshot(SnapshotId id) {
  auto it = snapshots.find(id);
  if (it == snapshots.end()) return;
  const Region region = it->second->region();
  snapshot_index.Update(it->second.get(), nullptr);
  snapshots.erase(it);
  DropForeignTags(id.ToString(), region);
}

void CloudState::SetForeignTags(const std::string& id, Region region, AccountId account,
                                TagSet tags) {
  const bool image = id.rfind("ami-", 0) == 0;
  auto index_tags = [&](const TagSet& t, bool add) {
    if (image) {
      const ImageId iid = *ImageId::Parse(id);
      add ? image_index.AddTags(account, region, iid, t) : image_index.RemoveTags(account, region, iid, t);
    } else {
      const SnapshotId sid = *SnapshotId::Parse(id);
      add ? snapshot_index.AddTags(account, region, sid, t)
          : snapshot_index.RemoveTags(account, region, sid, t);
    }
  };
  auto it = foreign_tags.find(id);
  if (it != foreign_tags.end()) {
    auto mine = it->second.find(account);
    if (mine != it->second.end()) {
      index_tags(mine->second, false);
      it->second.erase(mine);
    }
  }
  if (tags.empty()) {
    if (it != foreign_tags.end() && it->second.empty()) foreign_tags.erase(it);
    return;
  }
  index_tags(tags, true);
  foreign_tags[id][account] = std::move(tags);
}

void CloudState::DropForeignTags(const std::string& id, Region region) {
  auto it = foreign_tags.find(id);
  if (it == foreign_tags.end()) return;
  std::vector<AccountId> accounts;
  for (const auto& [account, tags] : it->second) accounts.push_back(account);
  for (const AccountId a : accounts) SetForeignTags(id, region, a, TagSet());
}

const TagSet* CloudState::ForeignTags(const std::string& id, AccountId viewer) const {
  auto it = foreign_tags.find(id);
  if (it == foreign_tags.end()) return nullptr;
  auto mine = it->second.find(viewer);
  return mine == it->second.end() ? nullptr : &mine->second;
}

RegionSettings CloudState::StoredSettings(AccountId account, Region region) const {
  auto it = settings.find(AccountRegion{account, region});
  if (it != settings.end()) return it->second;
  RegionSettings s;
  s.default_kms_key = AwsManagedEbsKey(account, region);
  return s;
}

void CloudState::ReleaseCreateImage(const Image& image) {
  if (!image.source_instance().has_value()) return;
  auto it = creating_from.find(*image.source_instance());
  if (it != creating_from.end() && it->second == image.id()) creating_from.erase(it);
}

void CloudState::Schedule(absl::Duration after, PendingWork work) {
  pending.emplace(now + after, std::move(work));
}

}  // namespace ami::internal
