// The machinery DescribeImages and DescribeSnapshots share: ordered streams over index sets
// (merged in id order, or in (name, id) order for name prefixes), pagination tokens and request
// fingerprints. Internal to libami.
#ifndef AMI_LIB_CLOUD_DESCRIBE_QUERY_H_
#define AMI_LIB_CLOUD_DESCRIBE_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ami/errors.h"
#include "ami/requests.h"
#include "values/choices.h"

namespace ami::internal {

// The union of id-ordered sets, walked in id order from just after a cursor, each id once.
template <typename Id>
class IdStream {
 public:
  using IdSet = absl::btree_set<Id>;

  IdStream(const std::vector<const IdSet*>& sets, const std::optional<Id>& after) {
    for (const IdSet* set : sets) {
      if (set == nullptr) continue;
      auto it = after.has_value() ? set->upper_bound(*after) : set->begin();
      if (it != set->end()) heads_.push_back({it, set->end()});
    }
  }

  // The next id, or false at the end.
  bool Next(Id* out) {
    if (heads_.empty()) return false;
    size_t best = 0;
    for (size_t i = 1; i < heads_.size(); ++i) {
      if (*heads_[i].first < *heads_[best].first) best = i;
    }
    *out = *heads_[best].first;
    for (size_t i = 0; i < heads_.size();) {
      if (*heads_[i].first == *out && ++heads_[i].first == heads_[i].second) {
        heads_[i] = heads_.back();
        heads_.pop_back();
      } else {
        ++i;
      }
    }
    return true;
  }

 private:
  std::vector<std::pair<typename IdSet::const_iterator, typename IdSet::const_iterator>> heads_;
};

// The union of name-prefix ranges of a (name, id) set, in (name, id) order from just after a
// cursor, each entry once.
template <typename Id>
class NameStream {
 public:
  using Key = std::pair<std::string, Id>;
  using NameSet = absl::btree_set<Key>;

  NameStream(const NameSet* set, const std::vector<std::string>& prefixes,
             const std::optional<Key>& after, Id smallest) {
    if (set == nullptr) return;
    for (const std::string& prefix : prefixes) {
      auto it = set->lower_bound(Key{prefix, smallest});
      if (after.has_value() && it != set->end() && !(*after < *it)) it = set->upper_bound(*after);
      if (it != set->end() && absl::StartsWith(it->first, prefix)) heads_.push_back({it, prefix});
    }
    end_ = set->end();
  }

  bool Next(const Key** out) {
    if (heads_.empty()) return false;
    size_t best = 0;
    for (size_t i = 1; i < heads_.size(); ++i) {
      if (*heads_[i].first < *heads_[best].first) best = i;
    }
    const Key* key = &*heads_[best].first;
    *out = key;
    for (size_t i = 0; i < heads_.size();) {
      if (*heads_[i].first == *key) {
        ++heads_[i].first;
        if (heads_[i].first == end_ || !absl::StartsWith(heads_[i].first->first, heads_[i].second)) {
          heads_[i] = heads_.back();
          heads_.pop_back();
          continue;
        }
      }
      ++i;
    }
    return true;
  }

  // How many entries the ranges hold, counting no further than `limit`.
  static size_t Count(const NameSet* set, const std::vector<std::string>& prefixes, size_t limit,
                      Id smallest) {
    if (set == nullptr) return 0;
    size_t n = 0;
    for (const std::string& prefix : prefixes) {
      for (auto it = set->lower_bound(Key{prefix, smallest});
           it != set->end() && absl::StartsWith(it->first, prefix) && n <= limit; ++it) {
        ++n;
      }
    }
    return n;
  }

 private:
  std::vector<std::pair<typename NameSet::const_iterator, std::string>> heads_;
  typename NameSet::const_iterator end_;
};

// A page position: which candidate source the query walks, and the last key returned.
struct PageToken {
  int plan = 0;
  uint64_t fingerprint = 0;
  std::string id;
  std::string name;
};

std::string EncodeToken(const PageToken& token);
// `InvalidParameterValue` for a token this build did not make, or one of another request.
absl::StatusOr<PageToken> DecodeToken(const std::string& text, uint64_t fingerprint);

// FNV-1a 64 over the parts, each followed by a separator: stable across processes.
uint64_t Fingerprint(const std::vector<std::string>& parts);

// The fingerprint of a describe request: `head` (caller, Region, flags), then each id list and
// each filter with its values. Page tokens carry it, so a token serves only its own request.
uint64_t RequestFingerprint(std::vector<std::string> head,
                            const std::vector<const std::vector<std::string>*>& lists,
                            const std::vector<Filter>& filters);

// Compiles one filter's values; `all_exact` is true when none has a wildcard.
void CompilePatterns(const std::vector<std::string>& values, std::vector<FilterPattern>* patterns,
                     bool* all_exact);

// How many entries the sets hold together (an upper bound of their union); nullptr is empty.
template <typename Set>
size_t SizeOf(const std::vector<const Set*>& sets) {
  size_t n = 0;
  for (const Set* set : sets) n += set == nullptr ? 0 : set->size();
  return n;
}

// Checks MaxResults, and the counts of ids, filters and filter values (DESC-12).
absl::Status CheckDescribeBounds(int max_results, size_t ids, const std::vector<Filter>& filters);

// A filter's kind by its name in `names` (name → kind pairs), or `tag` with the key of a
// `tag:<key>` filter; any other name is InvalidParameterValue (MC-46) saying `unknown_help`.
template <typename Kind, size_t N>
absl::StatusOr<std::pair<Kind, std::string>> FilterKind(
    const Filter& f, const std::pair<absl::string_view, Kind> (&names)[N], Kind tag,
    absl::string_view unknown_help) {
  if (absl::StartsWith(f.name, "tag:") && f.name.size() > 4) {
    return std::make_pair(tag, f.name.substr(4));
  }
  for (const auto& [name, kind] : names) {
    if (name == f.name) return std::make_pair(kind, std::string());
  }
  return MakeError(choices::kUnknownFilter, absl::StrCat("the filter `", f.name.substr(0, 128),
                                                         "` is invalid", unknown_help));
}

}  // namespace ami::internal

#endif  // AMI_LIB_CLOUD_DESCRIBE_QUERY_H_
