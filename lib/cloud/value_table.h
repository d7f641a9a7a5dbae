// ValueTable: immutable values by id, each held by a shared pointer that is its own key. A slot
// is the pointer alone (16 bytes, where a map of id to pointer takes 32). Internal to libami.
#ifndef AMI_LIB_CLOUD_VALUE_TABLE_H_
#define AMI_LIB_CLOUD_VALUE_TABLE_H_

#include <cstddef>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"

namespace ami::internal {

// T has `Id id() const`. Lookups by id need no value; hashing a held value reads its id.
template <typename Id, typename T>
class ValueTable {
 public:
  using Ptr = std::shared_ptr<const T>;

  // The value with `id`, or nullptr.
  const T* Find(Id id) const {
    auto it = set_.find(id);
    return it == set_.end() ? nullptr : it->get();
  }
  bool contains(Id id) const { return set_.contains(id); }
  size_t size() const { return set_.size(); }
  // Makes room for `n` values without growing again.
  void reserve(size_t n) { set_.reserve(n); }
  // How many values it has room for.
  size_t capacity() const { return set_.capacity(); }
  // Adds `value`, or puts it in place of the value with the same id.
  void Put(Ptr value) {
    auto [it, inserted] = set_.insert(value);
    // Same id, so the same hash and place: the held pointer may change in place.
    if (!inserted) const_cast<Ptr&>(*it) = std::move(value);
  }
  // Every value, in no particular order.
  auto begin() const { return set_.begin(); }
  auto end() const { return set_.end(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(Id id) const { return absl::Hash<Id>()(id); }
    size_t operator()(const Ptr& p) const { return absl::Hash<Id>()(p->id()); }
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(const Ptr& a, const Ptr& b) const { return a->id() == b->id(); }
    bool operator()(const Ptr& a, Id b) const { return a->id() == b; }
    bool operator()(Id a, const Ptr& b) const { return a == b->id(); }
  };
  absl::flat_hash_set<Ptr, Hash, Eq> set_;
};

}  // namespace ami::internal

#endif  // AMI_LIB_CLOUD_VALUE_TABLE_H_
