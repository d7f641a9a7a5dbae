// The bulk form of the one writer (StateLoader, lib/cloud/state.h): state files and imports.
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "cloud/state.h"

namespace ami::internal {

void StateLoader::SetClock(const Cloud::Options& options, absl::Time now, uint64_t next_id) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  s_.options = options;
  s_.now_ = now;
  s_.next_id_ = next_id;
}

bool StateLoader::AddOrganization(const OrganizationId& id, OrganizationInfo info) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return s_.organizations_.emplace(id, std::move(info)).second;
}

bool StateLoader::AddAccount(AccountInfo info) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const AccountId id = info.id;
  return s_.accounts_.emplace(id, std::move(info)).second;
}

bool StateLoader::AddSettings(AccountId account, Region region, const RegionSettings& settings) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return s_.settings_.emplace(AccountRegion{account, region}, settings).second;
}

void StateLoader::PutSettings(AccountId account, Region region, const RegionSettings& settings) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  s_.settings_.insert_or_assign(AccountRegion{account, region}, settings);
}

void StateLoader::PutAlias(AccountId account, Region region, const std::string& alias,
                           const KmsKeyArn& key) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  s_.aliases_.insert_or_assign(std::make_tuple(account, region, alias), key);
}

void StateLoader::SetForeignTags(const std::string& id, Region region, AccountId account,
                                 TagSet tags) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  s_.SetForeignTags(id, region, account, std::move(tags));
}

void StateLoader::AddPending(absl::Time at, PendingWork work) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  s_.pending_.emplace(at, std::move(work));
}

void StateLoader::PutClientToken(TokenKey key, TokenEntry entry) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  s_.client_tokens_.insert_or_assign(std::move(key), std::move(entry));
}

void StateLoader::PutCreating(InstanceId instance, ImageId image) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  s_.creating_from_.insert_or_assign(instance, image);
}

bool StateLoader::AddAllowedImages(AccountId account, Region region,
                                   AllowedImagesSettings settings) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return s_.allowed_images_.emplace(AccountRegion{account, region}, std::move(settings)).second;
}

bool StateLoader::AppendRule(AccountId account, Region region, RetentionRule rule) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  std::vector<RetentionRule>& rules = s_.bin_rules_[AccountRegion{account, region}];
  if (!rules.empty() && !(rules.back().id < rule.id)) return false;
  rules.push_back(std::move(rule));
  return true;
}

bool StateLoader::AddBinImage(BinEntry<Image> entry) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const ImageId id = entry.resource->id();
  return s_.bin_images_.emplace(id, std::move(entry)).second;
}

bool StateLoader::AddBinSnapshot(BinEntry<Snapshot> entry) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const SnapshotId id = entry.resource->id();
  if (s_.snapshots_.contains(id)) return false;
  return s_.bin_snapshots_.emplace(id, std::move(entry)).second;
}

bool StateLoader::AddKey(KmsKey key) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const KmsKeyArn arn = key.arn();
  if (s_.keys_.contains(arn)) return false;
  s_.keys_.emplace(arn, std::make_shared<const KmsKey>(std::move(key)));
  return true;
}

bool StateLoader::AddSnapshot(Snapshot snapshot) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (s_.snapshots_.contains(snapshot.id())) return false;
  s_.sharing_.Share(snapshot);
  s_.PutSnapshot(std::make_shared<const Snapshot>(std::move(snapshot)));
  return true;
}

bool StateLoader::AddImage(Image image) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (s_.images_.contains(image.id())) return false;
  s_.sharing_.Share(image);
  s_.PutImage(std::make_shared<const Image>(std::move(image)));
  return true;
}

bool StateLoader::AddInstance(Instance instance) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (s_.instances_.contains(instance.id())) return false;
  s_.PutInstance(std::move(instance));
  return true;
}

void StateLoader::ReserveSnapshots(size_t n) ABSL_NO_THREAD_SAFETY_ANALYSIS { s_.snapshots_.reserve(n); }
void StateLoader::ReserveImages(size_t n) ABSL_NO_THREAD_SAFETY_ANALYSIS { s_.images_.reserve(n); }
void StateLoader::ReserveInstances(size_t n) ABSL_NO_THREAD_SAFETY_ANALYSIS { s_.instances_.reserve(n); }

}  // namespace ami::internal
