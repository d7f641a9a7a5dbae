// Helpers shared by the conversions between libami values and their ami.v1 messages
// (lib/proto_convert.cc, lib/proto_convert_image.cc): field paths in failures, optional and enum
// fields, tags, product codes. Internal to libami; stateless, so thread-safe.
#ifndef AMI_LIB_PROTO_CONVERT_UTIL_H_
#define AMI_LIB_PROTO_CONVERT_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "ami/io/proto.h"
#include "values/choices.h"
#include "values/status_macros.h"

namespace ami::proto_internal {

// Writes a resource id's text into a message's string field, reusing the field's storage (a
// message reused record after record allocates nothing here).
template <typename Id>
void SetId(std::string* field, const Id& id) {
  field->clear();
  id.AppendTo(field);
}

// `status` with its message prefixed by the field path; code and payloads are kept.
inline absl::Status At(absl::string_view path, const absl::Status& status) {
  absl::Status out(status.code(), absl::StrCat(path, ": ", status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

template <typename T>
absl::StatusOr<T> At(absl::string_view path, absl::StatusOr<T> result) {
  if (!result.ok()) return At(path, result.status());
  return result;
}

// A failure at a path within element `index` of list `list` ("Ebs.VolumeId: …") as a failure
// at "list[index].Ebs.VolumeId: …". Paths within an element stay short, so that reading one
// allocates nothing.
template <typename T>
absl::StatusOr<T> InElement(absl::string_view list, int index, absl::StatusOr<T> result) {
  if (result.ok()) return result;
  const absl::Status& status = result.status();
  absl::Status out(status.code(), absl::StrCat(list, "[", index, "].", status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

// Parses an id-like field; empty text gives nullopt.
template <typename T>
absl::StatusOr<std::optional<T>> Optional(absl::string_view path, const std::string& text) {
  if (text.empty()) return std::optional<T>();
  AMI_ASSIGN_OR_RETURN(T value, At(path, T::Parse(text)));
  return std::optional<T>(std::move(value));
}

// Parses an enum field; empty text keeps `fallback`.
template <typename E>
absl::StatusOr<E> EnumOr(absl::string_view path, const std::string& text, E fallback) {
  if (text.empty()) return fallback;
  return At(path, ParseEnum<E>(text));
}

inline absl::StatusOr<absl::Time> TimeOr(absl::string_view path, const std::string& text,
                                         absl::Time fallback) {
  if (text.empty()) return fallback;
  return At(path, ParseAwsTime(text));
}

inline absl::StatusOr<std::optional<absl::Time>> OptionalTime(absl::string_view path,
                                                              const std::string& text) {
  if (text.empty()) return std::optional<absl::Time>();
  AMI_ASSIGN_OR_RETURN(absl::Time t, At(path, ParseAwsTime(text)));
  return std::optional<absl::Time>(t);
}

// A time that is always set: the epoch stands for unset (TimeOr's fallback) and is printed as
// nothing, so JSON omits it rather than print 1970-01-01.
inline std::string TimeText(absl::Time t) {
  return t == absl::UnixEpoch() ? std::string() : FormatAwsTime(t);
}

inline std::string OptionalTimeText(const std::optional<absl::Time>& t) {
  return t.has_value() ? FormatAwsTime(*t) : std::string();
}

inline absl::StatusOr<uint32_t> SizeField(absl::string_view path, int64_t value) {
  if (value < 0 || value > kMaxVolumeSizeGiB) {
    return At(path, MakeError(choices::kInvalidValue,
                              absl::StrCat("volume size ", value, " GiB is outside 0 to ",
                                           kMaxVolumeSizeGiB)));
  }
  return static_cast<uint32_t>(value);
}

inline absl::Status Mismatch(absl::string_view path, absl::string_view why) {
  return At(path, MakeError(choices::kInconsistentValues, why));
}

// Tags.
template <typename Repeated>
void TagsToProto(const TagSet& tags, Repeated* out) {
  for (const Tag& tag : tags) {
    v1::Tag* t = out->Add();
    t->set_key(tag.key());
    t->set_value(tag.value());
  }
}

template <typename Repeated>
absl::StatusOr<TagSet> TagsFromProto(const Repeated& in) {
  std::vector<Tag> tags;
  tags.reserve(static_cast<size_t>(in.size()));
  for (int i = 0; i < in.size(); ++i) {
    absl::StatusOr<Tag> tag = Tag::Create(in.Get(i).key(), in.Get(i).value());
    // The field path is made only for a failure: reading a tag allocates no path.
    if (!tag.ok()) return At(absl::StrCat("Tags[", i, "]"), tag.status());
    tags.push_back(*std::move(tag));
  }
  return At("Tags", TagSet::Create(std::move(tags)));
}

// Product codes.
template <typename Repeated>
void CodesToProto(const std::vector<ProductCode>& codes, Repeated* out) {
  for (const ProductCode& code : codes) {
    v1::ProductCode* p = out->Add();
    p->set_product_code_id(code.code);
    p->set_product_code_type(std::string(ToString(code.type)));
  }
}

template <typename Repeated>
absl::StatusOr<std::vector<ProductCode>> CodesFromProto(const Repeated& in) {
  std::vector<ProductCode> codes;
  codes.reserve(static_cast<size_t>(in.size()));
  for (int i = 0; i < in.size(); ++i) {
    // Made only for a failure: reading a code allocates no path.
    auto path = [i](absl::string_view field) { return absl::StrCat("ProductCodes[", i, "]", field); };
    ProductCode code;
    code.code = in.Get(i).product_code_id();
    code.type = ProductCodeType::kMarketplace;
    if (const std::string& text = in.Get(i).product_code_type(); !text.empty()) {
      absl::StatusOr<ProductCodeType> type = ParseEnum<ProductCodeType>(text);
      if (!type.ok()) return At(path(".ProductCodeType"), type.status());
      code.type = *type;
    }
    const absl::Status valid = ValidateProductCode(code);
    if (!valid.ok()) return At(path(""), valid);
    codes.push_back(std::move(code));
  }
  return codes;
}

inline StateReason ReasonFromProto(const v1::StateReason& r) {
  return StateReason{r.code(), r.message()};
}

inline void ReasonToProto(const StateReason& r, v1::StateReason* out) {
  out->set_code(r.code);
  out->set_message(r.message);
}

// An account named as 12 digits or by an IAM ARN (arn:aws:iam::<account>:…).
inline absl::StatusOr<AccountId> PrincipalAccount(absl::string_view path, absl::string_view text) {
  constexpr absl::string_view kIamPrefix = "arn:aws:iam::";
  if (absl::StartsWith(text, kIamPrefix)) {
    const absl::string_view rest = text.substr(kIamPrefix.size());
    const size_t colon = rest.find(':');
    if (colon != absl::string_view::npos) return At(path, AccountId::Parse(rest.substr(0, colon)));
  }
  return At(path, AccountId::Parse(text));
}

// A volume's encryption: its kms key, or nullopt; `path` is the prefix of the KmsKeyId field.
inline absl::StatusOr<std::optional<KmsKeyArn>> EncryptionFromProto(absl::string_view path,
                                                                     bool has_flag, bool encrypted,
                                                                     const std::string& key) {
  if (key.empty()) {
    if (has_flag && encrypted) {
      return At(absl::StrCat(path, "KmsKeyId"),
                MakeError(choices::kMissingValue, "an encrypted volume names its kms key arn"));
    }
    return std::optional<KmsKeyArn>();
  }
  if (has_flag && !encrypted) {
    return Mismatch(absl::StrCat(path, "KmsKeyId"), "a kms key goes only with Encrypted=true");
  }
  absl::StatusOr<KmsKeyArn> arn = KmsKeyArn::Parse(key);
  if (!arn.ok()) return At(absl::StrCat(path, "KmsKeyId"), arn.status());
  return std::optional<KmsKeyArn>(*arn);
}

}  // namespace ami::proto_internal

#endif  // AMI_LIB_PROTO_CONVERT_UTIL_H_
