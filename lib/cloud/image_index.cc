#include "cloud/image_index.h"

#include <vector>

#include "cloud/state.h"

namespace ami::internal {
namespace {

template <typename Map, typename Key, typename Id>
void Set(Map& map, const Key& key, Id id, bool add) {
  if (add) {
    map[key].insert(id);
    return;
  }
  auto it = map.find(key);
  if (it == map.end()) return;
  it->second.erase(id);
  if (it->second.empty()) map.erase(it);
}

}  // namespace

void ImageIndex::Apply(const Image& image, bool add) {
  const ImageId id = image.id();
  const Region region = image.region();
  Set(owner_, AccountKey{image.owner(), region}, id, add);
  if (image.owner_alias() != OwnerAlias::kNone) {
    Set(alias_, std::pair{image.owner_alias(), region}, id, add);
  }
  const LaunchPermissions& lp = image.launch_permissions();
  for (const AccountId a : lp.accounts()) Set(grantee_, AccountKey{a, region}, id, add);
  for (const OrganizationArn& o : lp.organizations()) {
    Set(organization_, std::pair{o.organization_id(), region}, id, add);
  }
  for (const OrganizationalUnitArn& o : lp.organizational_units()) {
    Set(ou_, std::pair{o.ou_id(), region}, id, add);
  }
  if (lp.is_public()) Set(public_, region, id, add);
  add ? AddTags(image.owner(), region, id, image.tags()) : RemoveTags(image.owner(), region, id, image.tags());
  if (add) {
    names_[region].emplace(image.name(), id);
  } else if (auto it = names_.find(region); it != names_.end()) {
    it->second.erase(std::pair{image.name(), id});
    if (it->second.empty()) names_.erase(it);
  }
}

// Calls f(x, add) for the elements of sorted `a` not in sorted `b` (add=false) and of `b` not in
// `a` (add=true).
template <typename T, typename F>
void Diff(const std::vector<T>& a, const std::vector<T>& b, F f) {
  auto i = a.begin(), j = b.begin();
  while (i != a.end() || j != b.end()) {
    if (j == b.end() || (i != a.end() && *i < *j)) {
      f(*i++, false);
    } else if (i == a.end() || *j < *i) {
      f(*j++, true);
    } else {
      ++i, ++j;
    }
  }
}

void ImageIndex::Update(const Image* old, const Image* now) {
  const bool was = old != nullptr && IsRegistered(old->state());
  const bool is = now != nullptr && IsRegistered(now->state());
  if (was && is && old->owner() == now->owner() && old->region() == now->region() &&
      old->owner_alias() == now->owner_alias() && old->name() == now->name()) {
    // The common case, a change of permissions or tags: touch only what changed.
    const ImageId id = now->id();
    const Region region = now->region();
    const LaunchPermissions& a = old->launch_permissions();
    const LaunchPermissions& b = now->launch_permissions();
    Diff(a.accounts(), b.accounts(),
         [&](AccountId x, bool add) { Set(grantee_, AccountKey{x, region}, id, add); });
    Diff(a.organizations(), b.organizations(), [&](const OrganizationArn& x, bool add) {
      Set(organization_, std::pair{x.organization_id(), region}, id, add);
    });
    Diff(a.organizational_units(), b.organizational_units(),
         [&](const OrganizationalUnitArn& x, bool add) {
           Set(ou_, std::pair{x.ou_id(), region}, id, add);
         });
    if (a.is_public() != b.is_public()) Set(public_, region, id, b.is_public());
    if (old->tags() != now->tags()) {
      RemoveTags(now->owner(), region, id, old->tags());
      AddTags(now->owner(), region, id, now->tags());
    }
    return;
  }
  if (was) Apply(*old, false);
  if (is) Apply(*now, true);
}

void SnapshotIndex::Apply(const Snapshot& snapshot, bool add) {
  const SnapshotId id = snapshot.id();
  const Region region = snapshot.region();
  Set(owner_, AccountKey{snapshot.owner(), region}, id, add);
  for (const AccountId a : snapshot.create_volume_permissions().accounts) {
    Set(grantee_, AccountKey{a, region}, id, add);
  }
  if (snapshot.is_public()) Set(public_, region, id, add);
  add ? AddTags(snapshot.owner(), region, id, snapshot.tags())
      : RemoveTags(snapshot.owner(), region, id, snapshot.tags());
}

void SnapshotIndex::Update(const Snapshot* old, const Snapshot* now) {
  if (old != nullptr) Apply(*old, false);
  if (now != nullptr) Apply(*now, true);
}

}  // namespace ami::internal
