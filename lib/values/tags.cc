#include "ami/attributes.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/text_util.h"

namespace ami {

absl::StatusOr<Tag> Tag::Create(absl::string_view key, absl::string_view value) {
  const int key_len = text_util::Utf8Length(key);
  if (key_len < 1 || key_len > 128) {
    return MakeError(choices::kInvalidTag,
                     absl::StrCat("invalid tag key `", text_util::Clip(key),
                                  "`: a key is 1 to 128 unicode characters"));
  }
  const int value_len = text_util::Utf8Length(value);
  if (value_len < 0 || value_len > 256) {
    return MakeError(choices::kInvalidTag,
                     absl::StrCat("invalid value for tag `", text_util::Clip(key),
                                  "`: a value is 0 to 256 unicode characters"));
  }
  return Tag(std::string(key), std::string(value));
}

bool Tag::is_system() const { return absl::StartsWith(key_, "aws:"); }

TagSet::TagSet(std::vector<Tag> sorted) {
  if (!sorted.empty()) tags_ = std::make_shared<const std::vector<Tag>>(std::move(sorted));
}

const std::vector<Tag>& TagSet::NoTags() {
  static const auto* const kNone = new std::vector<Tag>();
  return *kNone;
}

absl::StatusOr<TagSet> TagSet::Create(std::vector<Tag> tags) {
  std::sort(tags.begin(), tags.end());
  size_t user_tags = 0;
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i > 0 && tags[i].key() == tags[i - 1].key()) {
      return MakeError(choices::kInvalidTag,
                       absl::StrCat("duplicate tag key `", text_util::Clip(tags[i].key()), "`"));
    }
    if (!tags[i].is_system()) ++user_tags;
  }
  if (user_tags > kMaxUserTagsPerResource) {
    return MakeError(choices::kTooManyTags,
                     absl::StrCat("a resource can have at most ", kMaxUserTagsPerResource,
                                  " tags; got ", user_tags));
  }
  return TagSet(std::move(tags));
}

absl::StatusOr<TagSet> TagSet::CreateUserTags(std::vector<Tag> tags) {
  for (const Tag& tag : tags) {
    if (tag.is_system()) {
      return MakeError(choices::kInvalidTag,
                       absl::StrCat("tag key `", text_util::Clip(tag.key()),
                                    "` is reserved: keys starting with aws: are for aws use"));
    }
  }
  return Create(std::move(tags));
}

std::optional<absl::string_view> TagSet::Find(absl::string_view key) const {
  const std::vector<Tag>& all = tags();
  auto it = std::lower_bound(all.begin(), all.end(), key,
                             [](const Tag& t, absl::string_view k) { return t.key() < k; });
  if (it == all.end() || it->key() != key) return std::nullopt;
  return absl::string_view(it->value());
}

absl::StatusOr<TagSet> TagSet::With(const TagSet& added) const {
  std::vector<Tag> merged = added.tags();
  for (const Tag& tag : tags()) {
    if (!added.Find(tag.key()).has_value()) merged.push_back(tag);
  }
  return Create(std::move(merged));
}

TagSet TagSet::Without(const std::vector<std::string>& keys) const {
  const absl::flat_hash_set<std::string> drop(keys.begin(), keys.end());
  std::vector<Tag> kept;
  for (const Tag& tag : tags()) {
    if (!drop.contains(tag.key())) kept.push_back(tag);
  }
  return TagSet(std::move(kept));
}

TagSet TagSet::UserTags() const {
  std::vector<Tag> kept;
  for (const Tag& tag : tags()) {
    if (!tag.is_system()) kept.push_back(tag);
  }
  return TagSet(std::move(kept));
}

}  // namespace ami
