// DescribeImages and DescribeSnapshots: requests, results, and the EC2 filter pattern language
// (DESC-1 … 10, 12). What a caller gets is what AWS would show it: images it owns, images
// shared with it (directly or through its organization and OUs) and public images, each as the
// caller sees it — another account's image carries the caller's own tags only (DESC-10,
// SHARE-13). Plain values and pure functions; thread-safe.
#ifndef AMI_DESCRIBE_H_
#define AMI_DESCRIBE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ami/image.h"
#include "ami/snapshot.h"

namespace ami {

// The MaxResults bounds of DescribeImages and DescribeSnapshots.
inline constexpr int kMinDescribeResults = 5;
inline constexpr int kMaxDescribeResults = 1000;
// Most values in one filter, most filters in one request, most ids in one request.
inline constexpr size_t kMaxFilterValues = 200;
inline constexpr size_t kMaxFilters = 50;
inline constexpr size_t kMaxDescribeIds = 1000;

// One EC2 filter: the values are ORed; filters are ANDed (DESC-5).
struct Filter {
  std::string name;
  std::vector<std::string> values;
};

// A filter value: literal text, `*` (any run of characters), `?` (zero or one character, as the
// EC2 user guide says) and `\` escaping the next character (DESC-5). Case-sensitive.
class FilterPattern {
 public:
  // Always succeeds; a trailing lone `\` stands for itself.
  static FilterPattern Compile(absl::string_view value);
  bool Matches(absl::string_view text) const;
  // The literal text every match starts with (before the first unescaped wildcard).
  const std::string& literal_prefix() const { return prefix_; }
  // True when the value has no unescaped wildcard: it matches exactly literal_prefix().
  bool exact() const { return exact_; }

 private:
  // Tokens: a literal byte, or a wildcard (kAny = `*`, kOne = `?`).
  enum : int { kAny = -1, kOne = -2 };
  std::vector<int> tokens_;
  std::string prefix_;
  bool exact_ = true;
};

struct DescribeImagesRequest {
  // Account ids, "self", "amazon", "aws-marketplace", "aws-backup-vault" (DESC-2).
  std::vector<std::string> owners;
  // "self", account ids, "all" (DESC-3).
  std::vector<std::string> executable_users;
  // Named images; one that does not exist or is not visible fails the call (DESC-4).
  std::vector<std::string> image_ids;
  // Every filter of DESC-6.
  std::vector<Filter> filters;
  bool include_deprecated = false;
  bool include_disabled = false;
  // 0: every match in one answer. Else 5–1000 per page (DESC-12).
  int max_results = 0;
  // From a previous page of the same request.
  std::string next_token;
};

// One image as the caller sees it. For another account's image: the caller's own tags, no
// launch permissions but the public flag, no deregistration protection and no last launched
// time (DESC-10).
struct DescribedImage {
  Image image;
  // Set when the caller's Allowed AMIs setting is enabled or in audit mode (DESC-9).
  std::optional<bool> image_allowed;
};

struct DescribeImagesResult {
  std::vector<DescribedImage> images;
  // Empty when this was the last page.
  std::string next_token;
};

struct DescribeSnapshotsRequest {
  // Account ids, "self", "amazon".
  std::vector<std::string> owner_ids;
  // Account ids, "self", "all".
  std::vector<std::string> restorable_by_user_ids;
  std::vector<std::string> snapshot_ids;
  // description, encrypted, kms-key-id, owner-alias, owner-id, progress, snapshot-id,
  // start-time, status, tag:<key>, tag-key, volume-id, volume-size.
  std::vector<Filter> filters;
  int max_results = 0;
  std::string next_token;
};

struct DescribeSnapshotsResult {
  // As the caller sees them: another account's snapshot carries the caller's own tags and no
  // create-volume permissions but the public flag.
  std::vector<Snapshot> snapshots;
  std::string next_token;
};

}  // namespace ami

#endif  // AMI_DESCRIBE_H_
