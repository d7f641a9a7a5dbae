// Resource tags: Tag (one key and value) and TagSet (the tags one account sees on a resource).
//
// Keys are 1–128 Unicode characters, values 0–256, both valid UTF-8; a resource carries at most
// 50 user tags (keys starting with `aws:` are system tags: they do not count and users cannot
// create them). Thread-safe: values are immutable.
#ifndef AMI_TAGS_H_
#define AMI_TAGS_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ami {

// Most user tags on one resource.
inline constexpr size_t kMaxUserTagsPerResource = 50;

// One tag. Made by Create(); copyable and movable.
class Tag {
 public:
  // Checks lengths and UTF-8; failure is `InvalidParameterValue`.
  static absl::StatusOr<Tag> Create(absl::string_view key, absl::string_view value);

  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }
  // True for the `aws:` system tags.
  bool is_system() const;

  friend bool operator==(const Tag& a, const Tag& b) { return a.key_ == b.key_ && a.value_ == b.value_; }
  friend bool operator!=(const Tag& a, const Tag& b) { return !(a == b); }
  friend bool operator<(const Tag& a, const Tag& b) {
    return a.key_ != b.key_ ? a.key_ < b.key_ : a.value_ < b.value_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const Tag& t) {
    return H::combine(std::move(h), t.key_, t.value_);
  }

 private:
  Tag(std::string key, std::string value) : key_(std::move(key)), value_(std::move(value)) {}
  std::string key_;
  std::string value_;
};

namespace internal {
struct ValueSharing;
}  // namespace internal

// A set of tags with distinct keys, sorted by key. The default TagSet is empty. Copies share
// the tags (they are never changed), so a copy costs one reference count.
class TagSet {
 public:
  TagSet() = default;
  // Distinct keys (`InvalidParameterValue`), at most 50 user tags (`TagLimitExceeded`).
  static absl::StatusOr<TagSet> Create(std::vector<Tag> tags);
  // Checks tags a user asks to create: as Create(), and no `aws:` keys (`InvalidParameterValue`).
  static absl::StatusOr<TagSet> CreateUserTags(std::vector<Tag> tags);

  // The value of `key`, if present.
  std::optional<absl::string_view> Find(absl::string_view key) const;
  bool empty() const { return tags_ == nullptr; }
  size_t size() const { return tags_ == nullptr ? 0 : tags_->size(); }
  const std::vector<Tag>& tags() const { return tags_ == nullptr ? NoTags() : *tags_; }
  std::vector<Tag>::const_iterator begin() const { return tags().begin(); }
  std::vector<Tag>::const_iterator end() const { return tags().end(); }

  // These tags with `added` put over them (CreateTags): same key, new value.
  absl::StatusOr<TagSet> With(const TagSet& added) const;
  // These tags without the given keys (DeleteTags).
  TagSet Without(const std::vector<std::string>& keys) const;
  // These tags without the `aws:` system tags.
  TagSet UserTags() const;

  friend bool operator==(const TagSet& a, const TagSet& b) {
    return a.tags_ == b.tags_ || a.tags() == b.tags();
  }
  friend bool operator!=(const TagSet& a, const TagSet& b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, const TagSet& s) {
    return H::combine(std::move(h), s.tags());
  }

 private:
  friend struct internal::ValueSharing;
  // Takes sorted tags with distinct keys; none is stored as no vector.
  explicit TagSet(std::vector<Tag> sorted);
  static const std::vector<Tag>& NoTags();
  // Null when empty.
  std::shared_ptr<const std::vector<Tag>> tags_;
};

}  // namespace ami

#endif  // AMI_TAGS_H_
