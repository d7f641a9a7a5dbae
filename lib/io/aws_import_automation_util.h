// Helpers shared by the automation parsers (lib/io/aws_import_automation_*.cc): decoding an
// output, bounded text and lists, tags, and the presence of a field libami refuses. Internal to
// libami; pure functions, thread-safe.
#ifndef AMI_LIB_IO_AWS_IMPORT_AUTOMATION_UTIL_H_
#define AMI_LIB_IO_AWS_IMPORT_AUTOMATION_UTIL_H_

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ami/errors.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/struct.pb.h"
#include "io/aws_import_automation.h"
#include "io/aws_import_json.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::aws_import_internal::automation {

using Tags = std::vector<std::pair<std::string, std::string>>;

// The file's JSON decoded as `M` (a byte-order mark already removed by the importer).
template <typename M>
absl::StatusOr<M> DecodeOutput(const AwsCliFile& file, absl::string_view kind) {
  M m;
  AMI_RETURN_IF_ERROR(DecodeJson(file.json, absl::StrCat(kind, " output"), &m));
  return m;
}

inline absl::Status Missing(absl::string_view path, absl::string_view what) {
  return MakeError(choices::kMissingValue, absl::StrCat(path, ": ", what, " is missing"));
}

inline absl::Status Refused(absl::string_view path, absl::string_view why) {
  return MakeError(choices::kInvalidValue, absl::StrCat(path, ": ", why));
}

// At most `max` bytes; `required`: not empty.
inline absl::Status Text(absl::string_view path, const std::string& value, size_t max,
                         bool required = false) {
  if (required && value.empty()) return Missing(path, "a value");
  if (value.size() > max) {
    return Refused(path, absl::StrCat(value.size(), " bytes, more than the limit of ", max));
  }
  return absl::OkStatus();
}

inline absl::Status Count(absl::string_view path, int n, int max) {
  if (n > max) return Refused(path, absl::StrCat(n, " entries, more than the limit of ", max));
  return absl::OkStatus();
}

inline absl::Status Word(absl::string_view path, const std::string& value,
                         std::initializer_list<absl::string_view> words) {
  for (absl::string_view w : words) {
    if (value == w) return absl::OkStatus();
  }
  std::string list;
  for (absl::string_view w : words) absl::StrAppend(&list, list.empty() ? "" : ", ", w);
  return Refused(path, absl::StrCat("`", text_util::Clip(value), "` is not one of ", list));
}

// A field held as google.protobuf.Value only to be refused: present unless absent, null, or an
// empty list or object.
inline bool Present(bool has, const google::protobuf::Value& v) {
  if (!has) return false;
  switch (v.kind_case()) {
    case google::protobuf::Value::kNullValue:
    case google::protobuf::Value::KIND_NOT_SET:
      return false;
    case google::protobuf::Value::kListValue:
      return v.list_value().values_size() > 0;
    case google::protobuf::Value::kStructValue:
      return v.struct_value().fields_size() > 0;
    default:
      return true;
  }
}

// {"Key", "Value"} pairs, in file order.
template <typename T>
absl::StatusOr<Tags> TagList(absl::string_view path, const google::protobuf::RepeatedPtrField<T>& in) {
  AMI_RETURN_IF_ERROR(Count(path, in.size(), kMaxImportTags));
  Tags out;
  for (int i = 0; i < in.size(); ++i) {
    const std::string at = absl::StrCat(path, "[", i, "]");
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(at, ".Key"), in[i].key(), kMaxDefinitionNameBytes, true));
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(at, ".Value"), in[i].value(), kMaxDefinitionTextBytes));
    out.emplace_back(in[i].key(), in[i].value());
  }
  return out;
}

// A JSON object of tags, sorted by key.
template <typename Map>
absl::StatusOr<Tags> TagMap(absl::string_view path, const Map& in) {
  AMI_RETURN_IF_ERROR(Count(path, static_cast<int>(in.size()), kMaxImportTags));
  Tags out(in.begin(), in.end());
  std::sort(out.begin(), out.end());
  for (const auto& [key, value] : out) {
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".", text_util::Clip(key)), key, kMaxDefinitionNameBytes, true));
    AMI_RETURN_IF_ERROR(Text(absl::StrCat(path, ".", text_util::Clip(key)), value, kMaxDefinitionTextBytes));
  }
  return out;
}

// A non-negative count or number of days, as an int.
inline absl::StatusOr<int> SmallInt(absl::string_view path, int64_t v) {
  if (v < 0 || v > 1000000) return Refused(path, absl::StrCat(v, " is out of range (0 to 1000000)"));
  return static_cast<int>(v);
}

}  // namespace ami::aws_import_internal::automation

#endif  // AMI_LIB_IO_AWS_IMPORT_AUTOMATION_UTIL_H_
