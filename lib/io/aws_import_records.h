// What the importer (lib/io/aws_import.cc) decides across files: whether a record repeated in
// another file is the same record (MC-73), and the newest time the inputs observed, which is the
// imported cloud's clock (MC-74). Internal to libami; not thread-safe (one importer uses each).
#ifndef AMI_LIB_AWS_IMPORT_RECORDS_H_
#define AMI_LIB_AWS_IMPORT_RECORDS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "ami/io/aws_import.h"
#include "ami/io/proto.h"
#include "google/protobuf/util/message_differencer.h"
#include "io/aws_import_json.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami::aws_import_internal {

// MC-73: two values with the same id are the same record when their ami.v1 forms are equal.
template <typename T>
bool SameValue(const T& a, const T& b) {
  return google::protobuf::util::MessageDifferencer::Equals(ToProto(a), ToProto(b));
}

// MC-73: `later`, read as `later_value`, has the id `id` of the earlier record `first`: OK when
// it is the same record (then read once), else InvalidParameterValue naming both files.
template <typename P, typename T>
absl::Status CheckRepeat(const Located<P>& first, const Located<P>& later, const T& later_value,
                         absl::string_view what, const std::string& id) {
  AMI_ASSIGN_OR_RETURN(const T first_value, Locate(first, FromProto(first.proto)));
  if (SameValue(first_value, later_value)) return absl::OkStatus();
  return Locate(later, MakeError(choices::kConflictingRecords,
                                 absl::StrCat(what, " `", id, "` differs from the one in `",
                                              first.file->name, "` at ", first.path)));
}

// MC-73: one setting (a key's policy, an account's setting in a Region) read from several files.
class SettingValues {
 public:
  // OK when `setting` was not read before, or was read with the same `value`; else
  // InvalidParameterValue "<what> differs from the one in `<first file>`".
  absl::Status Check(const AwsCliFile& file, const std::string& setting, const std::string& value,
                     absl::string_view what);

 private:
  absl::flat_hash_map<std::string, std::pair<const AwsCliFile*, std::string>> seen_;
};

// MC-74: the newest of the times the inputs observed, and where it was read.
class NewestTime {
 public:
  // Takes the time `text` read at `path` of `file` into account. Empty or malformed text is
  // skipped: a malformed time is refused when its record is read.
  void Observe(const AwsCliFile& file, absl::string_view path, const std::string& text);

  // The clock: `now` when given, refused (InvalidParameterValue) when it is earlier than the
  // newest time; else the newest time; else, when nothing was observed, `fallback`.
  absl::StatusOr<absl::Time> Clock(std::optional<absl::Time> now, absl::Time fallback) const;

 private:
  std::optional<absl::Time> newest_;
  std::string where_;
};

// An image or snapshot as an account other than its owner sees it (DESC-10, SHARE-13): without
// the owner's tags and, for an image, deregistration protection and last launched time.
absl::StatusOr<Image> AsAnyAccountSeesIt(const Image& image);
absl::StatusOr<Snapshot> AsAnyAccountSeesIt(const Snapshot& snapshot);

// True for the description AWS gives the aws/ebs key it creates (KMS-2), now and formerly.
bool IsEbsDefaultDescription(const std::string& description);

// A grantee's account: an account id or the account field of an IAM or STS ARN.
absl::StatusOr<AccountId> GranteeAccount(const std::string& grantee);

// MC-73, SHARE-13: several files' records of images or snapshots (T), by id. Each id is imported
// from its owner's view when a file of the owner's account holds it, else from its first record;
// `index` receives that record's place for each id. Two owner's views must be equal; any other
// two views must agree once `as_any` has taken from both what only the owner sees (tags, and
// for images deregistration protection and last launched time). `parsed` receives every record
// as read. Failure: a record that does not decode; two views that disagree,
// InvalidParameterValue naming both files and the id.
template <typename T, typename P, typename Id>
absl::Status ChooseViews(const std::vector<Located<P>>& records, absl::string_view what,
                         absl::StatusOr<T> (*as_any)(const T&), std::vector<T>* parsed,
                         absl::flat_hash_map<Id, size_t>* index) {
  parsed->reserve(records.size());
  auto owners = [&](size_t i) { return (*parsed)[i].owner() == records[i].file->account; };
  for (size_t i = 0; i < records.size(); ++i) {
    AMI_ASSIGN_OR_RETURN(T value, Locate(records[i], FromProto(records[i].proto)));
    parsed->push_back(std::move(value));
    const auto [it, added] = index->emplace((*parsed)[i].id(), i);
    if (!added && owners(i) && !owners(it->second)) it->second = i;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const size_t c = index->at((*parsed)[i].id());
    if (i == c) continue;
    const bool both_owners = owners(c) && owners(i);
    AMI_ASSIGN_OR_RETURN(const T a, both_owners ? (*parsed)[c] : as_any((*parsed)[c]));
    AMI_ASSIGN_OR_RETURN(const T b, both_owners ? (*parsed)[i] : as_any((*parsed)[i]));
    if (SameValue(a, b)) continue;
    return Locate(records[i],
                  MakeError(choices::kConflictingRecords,
                            absl::StrCat(what, " `", (*parsed)[i].id().ToString(),
                                         "` differs from the one in `", records[c].file->name,
                                         "` at ", records[c].path)));
  }
  return absl::OkStatus();
}

}  // namespace ami::aws_import_internal

#endif  // AMI_LIB_AWS_IMPORT_RECORDS_H_
