// Secondary indexes over registered images and existing snapshots, for DescribeImages and
// DescribeSnapshots: by owner, owner alias, grantee account, organization, OU, the public set,
// tag (as each account sees it) and name. Every set is ordered by id, so a page resumes with
// lower_bound and a union of sets merges in id order. Internal to libami.
#ifndef AMI_LIB_CLOUD_IMAGE_INDEX_H_
#define AMI_LIB_CLOUD_IMAGE_INDEX_H_

#include <string>
#include <tuple>
#include <utility>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "ami/image.h"
#include "ami/organization.h"
#include "ami/snapshot.h"
#include "ami/tags.h"

namespace ami::internal {

template <typename Id>
class ResourceIndex {
 public:
  using IdSet = absl::btree_set<Id>;
  using AccountKey = std::pair<AccountId, Region>;
  using TagKey = std::tuple<AccountId, Region, std::string, std::string>;
  using TagKeyKey = std::tuple<AccountId, Region, std::string>;

  // The set under `key`, or nullptr when empty.
  const IdSet* ByOwner(AccountId owner, Region region) const { return Find(owner_, {owner, region}); }
  const IdSet* ByGrantee(AccountId account, Region region) const {
    return Find(grantee_, {account, region});
  }
  const IdSet* Public(Region region) const { return Find(public_, region); }
  // Resources on which `viewer` sees tag key = value (its own, or the owner's when it owns them).
  const IdSet* ByTag(AccountId viewer, Region region, const std::string& key,
                     const std::string& value) const {
    return Find(tag_, TagKey{viewer, region, key, value});
  }
  const IdSet* ByTagKey(AccountId viewer, Region region, const std::string& key) const {
    return Find(tag_key_, TagKeyKey{viewer, region, key});
  }

  // Tags `viewer` put on a resource it does not own.
  void AddTags(AccountId viewer, Region region, Id id, const TagSet& tags) {
    for (const Tag& t : tags) {
      tag_[TagKey{viewer, region, t.key(), t.value()}].insert(id);
      tag_key_[TagKeyKey{viewer, region, t.key()}].insert(id);
    }
  }
  void RemoveTags(AccountId viewer, Region region, Id id, const TagSet& tags) {
    for (const Tag& t : tags) {
      Erase(tag_, TagKey{viewer, region, t.key(), t.value()}, id);
      Erase(tag_key_, TagKeyKey{viewer, region, t.key()}, id);
    }
  }

 protected:
  template <typename Map>
  static const IdSet* Find(const Map& map, const typename Map::key_type& key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }
  template <typename Map>
  static void Erase(Map& map, const typename Map::key_type& key, Id id) {
    auto it = map.find(key);
    if (it == map.end()) return;
    it->second.erase(id);
    if (it->second.empty()) map.erase(it);
  }

  absl::flat_hash_map<AccountKey, IdSet> owner_;
  absl::flat_hash_map<AccountKey, IdSet> grantee_;
  absl::flat_hash_map<Region, IdSet> public_;
  absl::flat_hash_map<TagKey, IdSet> tag_;
  absl::flat_hash_map<TagKeyKey, IdSet> tag_key_;
};

class ImageIndex : public ResourceIndex<ImageId> {
 public:
  using NameSet = absl::btree_set<std::pair<std::string, ImageId>>;

  // Keeps the sets in step when an image is added (old == nullptr), replaced or dropped
  // (now == nullptr). Only registered images are indexed.
  void Update(const Image* old, const Image* now);

  const IdSet* ByAlias(OwnerAlias alias, Region region) const {
    return Find(alias_, {alias, region});
  }
  const IdSet* ByOrganization(const OrganizationId& org, Region region) const {
    return Find(organization_, {org, region});
  }
  const IdSet* ByOu(const OrganizationalUnitId& ou, Region region) const {
    return Find(ou_, {ou, region});
  }
  // Registered images of the Region ordered by (name, id); nullptr when none.
  const NameSet* Names(Region region) const {
    auto it = names_.find(region);
    return it == names_.end() ? nullptr : &it->second;
  }

 private:
  void Apply(const Image& image, bool add);

  absl::flat_hash_map<std::pair<OwnerAlias, Region>, IdSet> alias_;
  absl::flat_hash_map<std::pair<OrganizationId, Region>, IdSet> organization_;
  absl::flat_hash_map<std::pair<OrganizationalUnitId, Region>, IdSet> ou_;
  absl::flat_hash_map<Region, NameSet> names_;
};

class SnapshotIndex : public ResourceIndex<SnapshotId> {
 public:
  // As ImageIndex::Update, for snapshots.
  void Update(const Snapshot* old, const Snapshot* now);

 private:
  void Apply(const Snapshot& snapshot, bool add);
};

}  // namespace ami::internal

#endif  // AMI_LIB_CLOUD_IMAGE_INDEX_H_
