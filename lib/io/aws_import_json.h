// Reading AWS CLI JSON output for the importer (lib/aws_import.cc): failures located by file
// and JSON path, the kind of each output, and key policy documents. Internal to libami;
// stateless, so thread-safe.
#ifndef AMI_LIB_AWS_IMPORT_JSON_H_
#define AMI_LIB_AWS_IMPORT_JSON_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ami/io/aws_import.h"
#include "ami/errors.h"
#include "ami/kms_key.h"
#include "values/choices.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "io/json_check.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::aws_import_internal {

// ---- Error locations --------------------------------------------------------------------------

// `status` with another message; code and payloads are kept.
absl::Status WithMessage(const absl::Status& status, absl::string_view message);

// `status` with `prefix` before its message.
absl::Status Prefixed(absl::string_view prefix, const absl::Status& status);

// `status` located at `path`: a message that starts with a path continues it
// ("Images[3]" + "ImageId: …" is "Images[3].ImageId: …"); any other is put after it.
absl::Status At(absl::string_view path, const absl::Status& status);

template <typename T>
absl::StatusOr<T> At(absl::string_view path, absl::StatusOr<T> result) {
  if (!result.ok()) return At(path, result.status());
  return result;
}

// `status` in `file`: "<name>: …".
absl::Status InFile(const AwsCliFile& file, const absl::Status& status);

template <typename T>
absl::StatusOr<T> InFile(const AwsCliFile& file, absl::StatusOr<T> result) {
  if (!result.ok()) return InFile(file, result.status());
  return result;
}

absl::Status Invalid(absl::string_view message);

// A value message read from a file, and where it sits there ("Images[3]").
template <typename P>
struct Located {
  const AwsCliFile* file;
  std::string path;
  P proto;
  // For an image whose NoDevice mappings were dropped: the file's index of each mapping kept.
  std::vector<int> kept_mappings = {};
};

// A message that starts with `BlockDeviceMappings[n]` renumbered to the file's index `kept[n]`.
absl::Status Renumbered(const absl::Status& status, const std::vector<int>& kept);

template <typename P>
absl::Status Locate(const Located<P>& at, const absl::Status& status) {
  return InFile(*at.file, At(at.path, Renumbered(status, at.kept_mappings)));
}

template <typename P, typename T>
absl::StatusOr<T> Locate(const Located<P>& at, absl::StatusOr<T> result) {
  if (!result.ok()) return Locate(at, result.status());
  return result;
}

// ---- JSON and kinds ---------------------------------------------------------------------------

// Decodes JSON text into `out`, ignoring unknown fields, once json_check::CheckJson() has passed
// it (a google.protobuf.Struct is checked without a schema); `SerializationException` when it
// cannot be decoded.
template <typename M>
absl::Status DecodeJson(absl::string_view json, absl::string_view what, M* out) {
  json_check::JsonCheckOptions check;
  check.what = std::string(what);
  if constexpr (!std::is_same_v<M, google::protobuf::Struct>) check.message = M::descriptor();
  return json_check::DecodeChecked(json, check, out);
}

enum class Kind : uint8_t {
  kImages, kSnapshots, kInstances, kImageAttribute, kSnapshotAttribute, kKey, kKeyPolicy,
  kEbsEncryption, kImageBlockPublicAccess, kAliases, kGrants, kEbsDefaultKey,
  kAuthorizationDetails, kOrganization, kRoots, kOrganizationalUnits, kAccounts, kParents,
  kScpList, kScpContent, kScpTargets, kDlmPolicy, kBackupVaults, kBackupPlan, kBackupSelection,
  kEventRule, kRuleTargets, kSchedule, kEmptyList
};

// The automation outputs (lib/io/aws_import_automation.h).
inline bool IsAutomationKind(Kind kind) {
  return kind >= Kind::kDlmPolicy && kind <= Kind::kSchedule;
}

struct KindInfo {
  Kind kind;
  absl::string_view name;
  // The top-level key that only this output has (get-account-authorization-details and
  // list-policies share "Policies", get-key-policy and describe-policy "Policy": Detect() tells
  // them apart).
  absl::string_view key;
};

const KindInfo& InfoOf(Kind kind);

// What a document is: an output by its top-level keys, or a bare list (what `--query
// 'Images[]'`, `'Snapshots[]'`, `'Reservations[]'` or `'Reservations[].Instances[]'` prints) by
// the keys of its first element.
struct Detected {
  Kind kind;
  // A bare list: its elements are records of `kind`'s output, at these byte ranges.
  bool bare = false;
  // A bare list of describe-instances reservations (else of instances).
  bool reservations = false;
  std::vector<std::pair<size_t, size_t>> elements;
};

// Reads the document with json_check::CheckJson() without building anything for the values. A
// list whose first element is not an image (ImageId), instance (InstanceId), reservation
// (Instances) or snapshot (SnapshotId) is `InvalidParameterValue`; an empty list is kEmptyList.
absl::StatusOr<Detected> DetectShape(absl::string_view json);

// DetectShape()'s kind.
absl::StatusOr<Kind> Detect(absl::string_view json);

// The UTF-8 byte-order mark that PowerShell writes at the start of a file.
inline constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";


}  // namespace ami::aws_import_internal

#endif  // AMI_LIB_AWS_IMPORT_JSON_H_
