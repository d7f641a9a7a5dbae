// What the importer (lib/io/aws_import.cc) decides across files: whether a record repeated in
// another file is the same record (MC-73), and the newest time the inputs observed, which is the
// imported cloud's clock (MC-74). Internal to libami; not thread-safe (one importer uses each).
#ifndef AMI_LIB_AWS_IMPORT_RECORDS_H_
#define AMI_LIB_AWS_IMPORT_RECORDS_H_

#include <optional>
#include <string>
#include <utility>

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

}  // namespace ami::aws_import_internal

#endif  // AMI_LIB_AWS_IMPORT_RECORDS_H_
