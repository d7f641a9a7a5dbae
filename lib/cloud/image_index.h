// Secondary indexes over registered images and existing snapshots, for DescribeImages and
// DescribeSnapshots: by owner, owner alias, grantee account, organization, OU, the public set,
// tag (as each account sees it) and name. Every set is ordered by id, so a page resumes with
// lower_bound and a union of sets merges in id order. Internal to libami.
#ifndef AMI_LIB_CLOUD_IMAGE_INDEX_H_
#define AMI_LIB_CLOUD_IMAGE_INDEX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/image.h"
#include "ami/snapshot.h"

namespace ami::internal {

// The tag keys and values an index refers to, each held once under a small number; a string is
// forgotten (and its number reused) when no index entry refers to it any more.
class TagStrings {
 public:
  // The number of `text`, if an entry refers to it.
  std::optional<uint32_t> Find(absl::string_view text) const {
    auto it = ids_.find(text);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  // The number of `text`, counting one more reference (made when new).
  uint32_t Ref(absl::string_view text) {
    auto [it, fresh] = ids_.try_emplace(text, 0);
    if (fresh) {
      if (free_.empty()) {
        it->second = static_cast<uint32_t>(entries_.size());
        entries_.push_back({std::string(text), 0});
      } else {
        it->second = free_.back();
        free_.pop_back();
        entries_[it->second] = {std::string(text), 0};
      }
    }
    ++entries_[it->second].refs;
    return it->second;
  }
  // One reference fewer to number `id`.
  void Unref(uint32_t id) {
    Entry& e = entries_[id];
    if (--e.refs > 0) return;
    ids_.erase(e.text);
    e.text.clear();
    free_.push_back(id);
  }
  size_t size() const { return ids_.size(); }

 private:
  struct Entry {
    std::string text;
    uint32_t refs = 0;
  };
  absl::flat_hash_map<std::string, uint32_t> ids_;
  std::vector<Entry> entries_;  // By number.
  std::vector<uint32_t> free_;  // Numbers to reuse.
};

template <typename Id>
class ResourceIndex {
 public:
  using IdSet = absl::btree_set<Id>;
  using AccountKey = std::pair<AccountId, Region>;
  // (viewer, Region, key number, value number) and (viewer, Region, key number): see TagStrings.
  using TagKey = std::tuple<AccountId, Region, uint32_t, uint32_t>;
  using TagKeyKey = std::tuple<AccountId, Region, uint32_t>;

  // The set under `key`, or nullptr when empty.
  const IdSet* ByOwner(AccountId owner, Region region) const { return Find(owner_, {owner, region}); }
  const IdSet* ByGrantee(AccountId account, Region region) const {
    return Find(grantee_, {account, region});
  }
  const IdSet* Public(Region region) const { return Find(public_, region); }
  // Resources on which `viewer` sees tag key = value (its own, or the owner's when it owns them).
  const IdSet* ByTag(AccountId viewer, Region region, const std::string& key,
                     const std::string& value) const {
    const std::optional<uint32_t> k = strings_.Find(key), v = strings_.Find(value);
    if (!k.has_value() || !v.has_value()) return nullptr;
    return Find(tag_, TagKey{viewer, region, *k, *v});
  }
  const IdSet* ByTagKey(AccountId viewer, Region region, const std::string& key) const {
    const std::optional<uint32_t> k = strings_.Find(key);
    return k.has_value() ? Find(tag_key_, TagKeyKey{viewer, region, *k}) : nullptr;
  }

  // Tags `viewer` put on a resource it does not own.
  // How many distinct tag keys and values the tag sets refer to.
  size_t tag_strings() const { return strings_.size(); }
  // Each entry of tag_ holds a reference to its key and value string, each of tag_key_ to its
  // key string.
  void AddTags(AccountId viewer, Region region, Id id, const TagSet& tags) {
    for (const Tag& t : tags) {
      const uint32_t k = strings_.Ref(t.key()), v = strings_.Ref(t.value());
      auto [tv, new_tv] = tag_.try_emplace(TagKey{viewer, region, k, v});
      tv->second.insert(id);
      if (!new_tv) {
        strings_.Unref(k);
        strings_.Unref(v);
      }
      const uint32_t k2 = strings_.Ref(t.key());
      auto [tk, new_tk] = tag_key_.try_emplace(TagKeyKey{viewer, region, k2});
      tk->second.insert(id);
      if (!new_tk) strings_.Unref(k2);
    }
  }
  void RemoveTags(AccountId viewer, Region region, Id id, const TagSet& tags) {
    for (const Tag& t : tags) {
      const std::optional<uint32_t> k = strings_.Find(t.key()), v = strings_.Find(t.value());
      if (!k.has_value() || !v.has_value()) continue;
      // The tag_key_ entry, if any, holds `k`: it stays known through the first erase.
      if (Erase(tag_, TagKey{viewer, region, *k, *v}, id)) {
        strings_.Unref(*k);
        strings_.Unref(*v);
      }
      if (Erase(tag_key_, TagKeyKey{viewer, region, *k}, id)) strings_.Unref(*k);
    }
  }

 protected:
  template <typename Map>
  static const IdSet* Find(const Map& map, const typename Map::key_type& key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }
  // Removes `id` from the set under `key`; true when that emptied the set and dropped the entry.
  template <typename Map>
  static bool Erase(Map& map, const typename Map::key_type& key, Id id) {
    auto it = map.find(key);
    if (it == map.end()) return false;
    it->second.erase(id);
    if (!it->second.empty()) return false;
    map.erase(it);
    return true;
  }

  absl::flat_hash_map<AccountKey, IdSet> owner_;
  absl::flat_hash_map<AccountKey, IdSet> grantee_;
  absl::flat_hash_map<Region, IdSet> public_;
  absl::flat_hash_map<TagKey, IdSet> tag_;
  absl::flat_hash_map<TagKeyKey, IdSet> tag_key_;
  TagStrings strings_;
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
