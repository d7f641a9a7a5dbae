// Keeps one copy of the parts many values have alike — tag sets, instance bodies, snapshot
// bodies — for the values a cloud holds. Internal to libami.
#ifndef AMI_LIB_VALUE_SHARING_H_
#define AMI_LIB_VALUE_SHARING_H_

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "ami/attributes.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/snapshot.h"

namespace ami::internal {

// Distinct values of T, each held once. An entry that only the set still holds is dropped when
// the set has doubled since it last looked, so the set stays within twice what is in use.
template <typename T>
class InternSet {
 public:
  // The held pointer whose value equals *value; `value` itself (held from now on) when new.
  std::shared_ptr<const T> Intern(std::shared_ptr<const T> value) {
    auto [it, inserted] = set_.insert(value);
    if (!inserted) return *it;
    if (set_.size() >= prune_at_) Prune();
    return value;
  }
  size_t size() const { return set_.size(); }

 private:
  struct Hash {
    size_t operator()(const std::shared_ptr<const T>& p) const { return absl::Hash<T>()(*p); }
  };
  struct Eq {
    bool operator()(const std::shared_ptr<const T>& a, const std::shared_ptr<const T>& b) const {
      return a == b || *a == *b;
    }
  };
  void Prune() {
    for (auto it = set_.begin(); it != set_.end();) {
      if (it->use_count() == 1) {
        set_.erase(it++);
      } else {
        ++it;
      }
    }
    prune_at_ = std::max<size_t>(kMinPruneSize, 2 * set_.size());
  }
  static constexpr size_t kMinPruneSize = 1024;
  absl::flat_hash_set<std::shared_ptr<const T>, Hash, Eq> set_;
  size_t prune_at_ = kMinPruneSize;
};

// Friend of TagSet, Image, Snapshot and Instance: puts pooled parts in their place.
struct ValueSharing {
  class Pool {
   public:
    // Puts the pool's copies of the value's tags (and snapshot or instance body) in place of
    // its own.
    void Share(TagSet& tags) { tags.tags_ = Pooled(tags); }
    void Share(Image& image) { Share(image.tags_); }
    void Share(Snapshot& snapshot) {
      Share(snapshot.tags_);
      snapshot.body_ = snapshot_bodies_.Intern(snapshot.body_.shared());
    }
    void Share(Instance& instance) {
      Share(instance.tags_);
      instance.body_ = bodies_.Intern(instance.body_.shared());
    }
    // `value` itself when its parts are the pool's already; otherwise a copy whose parts are.
    // An image that replaces `previous` (held by the cloud, so pooled) and keeps its tags
    // (a permission or state change) is returned without hashing them again.
    std::shared_ptr<const Image> Shared(std::shared_ptr<const Image> image,
                                        const Image* previous = nullptr) {
      if (previous != nullptr && previous->tags_.tags_ == image->tags_.tags_) return image;
      std::shared_ptr<const std::vector<Tag>> pooled = Pooled(image->tags_);
      if (pooled == image->tags_.tags_) return image;
      auto copy = std::make_shared<Image>(*image);
      copy->tags_.tags_ = std::move(pooled);
      return copy;
    }
    std::shared_ptr<const Snapshot> Shared(std::shared_ptr<const Snapshot> snapshot) {
      std::shared_ptr<const std::vector<Tag>> tags = Pooled(snapshot->tags_);
      std::shared_ptr<const Snapshot::Body> body = snapshot_bodies_.Intern(snapshot->body_.shared());
      if (tags == snapshot->tags_.tags_ && body == snapshot->body_.shared()) return snapshot;
      auto copy = std::make_shared<Snapshot>(*snapshot);
      copy->tags_.tags_ = std::move(tags);
      copy->body_ = std::move(body);
      return copy;
    }

   private:
    std::shared_ptr<const std::vector<Tag>> Pooled(const TagSet& tags) {
      return tags.tags_ == nullptr ? nullptr : tags_.Intern(tags.tags_);
    }
    InternSet<std::vector<Tag>> tags_;
    InternSet<Instance::Body> bodies_;
    InternSet<Snapshot::Body> snapshot_bodies_;
  };
};

}  // namespace ami::internal

#endif  // AMI_LIB_VALUE_SHARING_H_
