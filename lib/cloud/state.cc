#include "cloud/state.h"

#include "values/kms_id_access.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "policy/lang/document.h"
#include "values/choices.h"

namespace ami::internal {

bool IsRegistered(ImageState state) { return state != ImageState::kDeregistered; }

absl::Status DryRunCheck(const CallContext& ctx) {
  if (!ctx.dry_run) return absl::OkStatus();
  return MakeError(ErrorCode::kDryRunOperation,
                   "request would have succeeded, but the DryRun flag is set");
}

// The copy is not shared until returned: it is filled without its lock.
std::unique_ptr<CloudState> CloudState::Clone() const ABSL_NO_THREAD_SAFETY_ANALYSIS {
  auto copy = std::make_unique<CloudState>();
  copy->options = options;
  copy->now_ = now_;
  copy->next_id_ = next_id_;
  copy->accounts_ = accounts_;
  copy->organizations_ = organizations_;
  copy->settings_ = settings_;
  copy->keys_ = keys_;
  copy->aliases_ = aliases_;
  copy->images_ = images_;
  copy->snapshots_ = snapshots_;
  copy->instances_ = instances_;
  copy->instances_by_owner_ = instances_by_owner_;
  copy->image_names_ = image_names_;
  copy->snapshot_users_ = snapshot_users_;
  copy->public_images_ = public_images_;
  copy->foreign_tags_ = foreign_tags_;
  copy->client_tokens_ = client_tokens_;
  copy->creating_from_ = creating_from_;
  copy->pending_ = pending_;
  copy->allowed_images_ = allowed_images_;
  copy->bin_rules_ = bin_rules_;
  copy->bin_images_ = bin_images_;
  copy->bin_snapshots_ = bin_snapshots_;
  copy->image_index_ = image_index_;
  copy->snapshot_index_ = snapshot_index_;
  copy->principals_ = principals_;
  copy->role_names_ = role_names_;
  copy->scps_ = scps_;
  copy->scp_attachments_ = scp_attachments_;
  copy->full_access_detached_ = full_access_detached_;
  copy->scp_orgs_ = scp_orgs_;
  copy->automation_ = automation_;
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
  return now_ == o.now_ && next_id_ == o.next_id_ && accounts_ == o.accounts_ &&
         organizations_ == o.organizations_ && settings_ == o.settings_ && SameValues(keys_, o.keys_) &&
         aliases_ == o.aliases_ && SameValues(images_, o.images_) &&
         SameValues(snapshots_, o.snapshots_) && SameValues(instances_, o.instances_) &&
         image_names_ == o.image_names_ && snapshot_users_ == o.snapshot_users_ &&
         public_images_ == o.public_images_ && foreign_tags_ == o.foreign_tags_ &&
         client_tokens_ == o.client_tokens_ && creating_from_ == o.creating_from_ &&
         pending_ == o.pending_ && allowed_images_ == o.allowed_images_ &&
         bin_rules_ == o.bin_rules_ && bin_images_ == o.bin_images_ &&
         bin_snapshots_ == o.bin_snapshots_ && SameValues(principals_, o.principals_) &&
         SameValues(scps_, o.scps_) && scp_attachments_ == o.scp_attachments_ &&
         full_access_detached_ == o.full_access_detached_ && automation_ == o.automation_;
}

const IamPrincipal* CloudState::FindPrincipal(AccountId account, absl::string_view arn) const {
  // arn:aws:sts::<account>:assumed-role/<role>/<session> names the role.
  const std::string session_prefix = absl::StrCat("arn:aws:sts::", account.ToString(),
                                                  ":assumed-role/");
  std::string key(arn);
  if (absl::StartsWith(arn, session_prefix)) {
    const absl::string_view rest = arn.substr(session_prefix.size());
    const size_t slash = rest.find('/');
    if (slash == absl::string_view::npos || slash == 0 || slash + 1 == rest.size()) return nullptr;
    auto role = role_names_.find(std::make_pair(account, std::string(rest.substr(0, slash))));
    if (role == role_names_.end()) return nullptr;
    key = role->second;
  }
  auto it = principals_.find(key);
  if (it == principals_.end() || it->second->account != account) return nullptr;
  return it->second.get();
}

// AWS's FullAWSAccess: allows every action on every resource.
static const ServiceControlPolicy& FullAwsAccess() {
  static const ServiceControlPolicy* policy = [] {
    auto* p = new ServiceControlPolicy;
    p->id = std::string(kFullAwsAccessId);
    p->document.name = "FullAWSAccess";
    p->document.text =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
    p->document.document = std::make_shared<const lang::PolicyDocument>(
        lang::ParsePolicy(p->document.text, lang::PolicyKind::kServiceControl).value());
    return p;
  }();
  return *policy;
}

const ServiceControlPolicy* CloudState::FindServiceControlPolicy(absl::string_view id) const {
  if (id == kFullAwsAccessId) return &FullAwsAccess();
  auto it = scps_.find(id);
  return it == scps_.end() ? nullptr : it->second.get();
}

std::vector<std::string> CloudState::AttachedServiceControlPolicies(
    absl::string_view target) const {
  std::vector<std::string> ids;
  if (!full_access_detached_.contains(target)) ids.push_back(std::string(kFullAwsAccessId));
  if (auto it = scp_attachments_.find(target); it != scp_attachments_.end()) {
    ids.insert(ids.end(), it->second.begin(), it->second.end());
  }
  return ids;
}

std::optional<OrganizationId> CloudState::OrganizationOfTarget(absl::string_view target) const {
  if (auto account = AccountId::Parse(target); account.ok()) {
    const AccountInfo* info = FindAccount(*account);
    return info != nullptr ? info->organization : std::nullopt;
  }
  auto ou = OrganizationalUnitId::Parse(target);
  for (const auto& [id, org] : organizations_) {
    if (org.root_id == target || (ou.ok() && org.ous.contains(*ou))) return id;
  }
  return std::nullopt;
}

bool CloudState::GovernedByServiceControlPolicies(AccountId account) const {
  if (scp_orgs_.empty()) return false;
  const AccountInfo* info = FindAccount(account);
  if (info == nullptr || !info->organization) return false;
  if (!scp_orgs_.contains(info->organization->ToString())) return false;
  const OrganizationInfo* org = FindOrganization(*info->organization);
  return org != nullptr && org->management != account;
}

std::vector<policy::ScpLevel> CloudState::ServiceControlPolicies(AccountId account) const {
  if (!GovernedByServiceControlPolicies(account)) return {};
  const AccountInfo* info = FindAccount(account);
  std::vector<std::string> targets = {info->root_id};
  for (const OrganizationalUnitId& ou : info->ou_path) targets.push_back(ou.ToString());
  targets.push_back(account.ToString());
  std::vector<policy::ScpLevel> levels;
  for (std::string& target : targets) {
    policy::ScpLevel level;
    if (!full_access_detached_.contains(target)) level.policies.push_back(&FullAwsAccess());
    if (auto it = scp_attachments_.find(target); it != scp_attachments_.end()) {
      for (const std::string& id : it->second) level.policies.push_back(scps_.at(id).get());
    }
    level.target = std::move(target);
    levels.push_back(std::move(level));
  }
  return levels;
}

const Image* CloudState::FindImage(ImageId id) const {
  auto it = images_.find(id);
  return it == images_.end() ? nullptr : it->second.get();
}

const Snapshot* CloudState::FindSnapshot(SnapshotId id) const {
  auto it = snapshots_.find(id);
  return it == snapshots_.end() ? nullptr : it->second.get();
}

const Instance* CloudState::FindInstance(InstanceId id) const {
  return instances_.Find(id);
}

const AccountInfo* CloudState::FindAccount(AccountId id) const {
  auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

std::optional<AccountId> CloudState::OrganizationManagement(const OrganizationId& org) const {
  auto it = organizations_.find(org);
  if (it == organizations_.end()) return std::nullopt;
  return it->second.management;
}

RegionSettings CloudState::Settings(AccountId account, Region region) const {
  auto it = settings_.find(AccountRegion{account, region});
  if (it != settings_.end()) {
    RegionSettings s = it->second;
    // SHARE-18, ASYNC-4: enabling image block public access takes effect later.
    if (s.image_block_public_access_from.has_value() && *s.image_block_public_access_from <= now_) {
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
  auto it = keys_.find(arn);
  if (it != keys_.end()) {
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
  auto it = aliases_.find(std::make_tuple(account, region, std::string(alias)));
  if (it == aliases_.end()) return std::nullopt;
  return it->second;
}

std::optional<ImageId> CloudState::FindImageByName(AccountId owner, Region region,
                                                   absl::string_view name) const {
  auto it = image_names_.find(std::make_tuple(owner, region, std::string(name)));
  if (it == image_names_.end()) return std::nullopt;
  return it->second;
}

int CloudState::ImagesUsingSnapshot(SnapshotId id) const {
  auto it = snapshot_users_.find(id);
  return it == snapshot_users_.end() ? 0 : it->second;
}

int CloudState::PublicImageCount(AccountId owner, Region region) const {
  auto it = public_images_.find(AccountRegion{owner, region});
  return it == public_images_.end() ? 0 : it->second;
}

const AllowedImagesSettings* CloudState::AllowedImages(AccountId account, Region region) const {
  auto it = allowed_images_.find(AccountRegion{account, region});
  if (it == allowed_images_.end() || it->second.state == AllowedImagesState::kDisabled) return nullptr;
  return &it->second;
}

namespace {
// The 128 bits of the aws/ebs key id of an account and Region, derived from the seed.
std::pair<uint64_t, uint64_t> AwsManagedEbsKeyBits(uint64_t seed, AccountId account, Region region) {
  const uint64_t high = Mix(seed ^ Mix(account.number()));
  const uint64_t low = Mix(high ^ (0xeb5ULL << 8 | region.index()));
  return {high, low};
}
}  // namespace

KmsKeyArn CloudState::AwsManagedEbsKey(AccountId account, Region region) const {
  if (!aliases_.empty()) {  // An imported aws/ebs key is named by the account's alias.
    auto it = aliases_.find(std::make_tuple(account, region, std::string(kAwsEbsAlias)));
    if (it != aliases_.end()) return it->second;
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
  auto it = images_.find(id);
  image = sharing_.Shared(std::move(image), it == images_.end() ? nullptr : it->second.get());
  image_index_.Update(it == images_.end() ? nullptr : it->second.get(), image.get());
  if (it != images_.end() && SameHoldings(*it->second, *image)) {
    const Image& old = *it->second;
    if (old.is_public() != image->is_public()) {
      const AccountRegion where{old.owner(), old.region()};
      if (old.is_public() && --public_images_[where] == 0) public_images_.erase(where);
      if (image->is_public()) ++public_images_[where];
    }
    it->second = std::move(image);
    return;
  }
  if (it != images_.end()) {
    const Image& old = *it->second;
    if (IsRegistered(old.state())) {
      image_names_.erase(std::make_tuple(old.owner(), old.region(), old.name()));
      for (const SnapshotId s : old.snapshot_ids()) {
        if (--snapshot_users_[s] == 0) snapshot_users_.erase(s);
      }
    }
    if (old.is_public()) {
      const AccountRegion where{old.owner(), old.region()};
      if (--public_images_[where] == 0) public_images_.erase(where);
    }
  }
  if (IsRegistered(image->state())) {
    image_names_.insert_or_assign(std::make_tuple(image->owner(), image->region(), image->name()), id);
    for (const SnapshotId s : image->snapshot_ids()) ++snapshot_users_[s];
  }
  if (image->is_public()) ++public_images_[AccountRegion{image->owner(), image->region()}];
  images_[id] = std::move(image);
}

void CloudState::PutSnapshot(std::shared_ptr<const Snapshot> snapshot) {
  snapshot = sharing_.Shared(std::move(snapshot));
  const SnapshotId id = snapshot->id();
  auto it = snapshots_.find(id);
  snapshot_index_.Update(it == snapshots_.end() ? nullptr : it->second.get(), snapshot.get());
  snapshots_[id] = std::move(snapshot);
}

void CloudState::PutInstance(Instance instance) {
  sharing_.Share(instance);
  if (!instances_.contains(instance.id())) {
    instances_by_owner_[AccountRegion{instance.owner(), instance.region()}].push_back(instance.id());
  }
  instances_.Put(std::make_shared<const Instance>(std::move(instance)));
}

void CloudState::RemoveSnapshot(SnapshotId id) {
  auto it = snapshots_.find(id);
  if (it == snapshots_.end()) return;
  const Region region = it->second->region();
  snapshot_index_.Update(it->second.get(), nullptr);
  snapshots_.erase(it);
  DropForeignTags(id.ToString(), region);
}

void CloudState::SetForeignTags(const std::string& id, Region region, AccountId account,
                                TagSet tags) {
  const bool image = id.rfind("ami-", 0) == 0;
  auto index_tags = [&](const TagSet& t, bool add) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (image) {
      const ImageId iid = *ImageId::Parse(id);
      add ? image_index_.AddTags(account, region, iid, t) : image_index_.RemoveTags(account, region, iid, t);
    } else {
      const SnapshotId sid = *SnapshotId::Parse(id);
      add ? snapshot_index_.AddTags(account, region, sid, t)
          : snapshot_index_.RemoveTags(account, region, sid, t);
    }
  };
  auto it = foreign_tags_.find(id);
  if (it != foreign_tags_.end()) {
    auto mine = it->second.find(account);
    if (mine != it->second.end()) {
      index_tags(mine->second, false);
      it->second.erase(mine);
    }
  }
  if (tags.empty()) {
    if (it != foreign_tags_.end() && it->second.empty()) foreign_tags_.erase(it);
    return;
  }
  index_tags(tags, true);
  foreign_tags_[id][account] = std::move(tags);
}

void CloudState::DropForeignTags(const std::string& id, Region region) {
  auto it = foreign_tags_.find(id);
  if (it == foreign_tags_.end()) return;
  std::vector<AccountId> taggers;
  for (const auto& [account, tags] : it->second) taggers.push_back(account);
  for (const AccountId a : taggers) SetForeignTags(id, region, a, TagSet());
}

const TagSet* CloudState::ForeignTags(const std::string& id, AccountId viewer) const {
  auto it = foreign_tags_.find(id);
  if (it == foreign_tags_.end()) return nullptr;
  auto mine = it->second.find(viewer);
  return mine == it->second.end() ? nullptr : &mine->second;
}

RegionSettings CloudState::StoredSettings(AccountId account, Region region) const {
  auto it = settings_.find(AccountRegion{account, region});
  if (it != settings_.end()) return it->second;
  RegionSettings s;
  s.default_kms_key = AwsManagedEbsKey(account, region);
  return s;
}

void CloudState::ReleaseCreateImage(const Image& image) {
  if (!image.source_instance().has_value()) return;
  auto it = creating_from_.find(*image.source_instance());
  if (it != creating_from_.end() && it->second == image.id()) creating_from_.erase(it);
}

void CloudState::Schedule(absl::Duration after, PendingWork work) {
  pending_.emplace(now_ + after, std::move(work));
}

}  // namespace ami::internal
