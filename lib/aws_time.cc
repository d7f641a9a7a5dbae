#include "ami/aws_time.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "choices.h"
#include "text_util.h"

namespace ami {

std::string FormatAwsTime(absl::Time t) {
  const bool whole_millis = (t - absl::UnixEpoch()) % absl::Milliseconds(1) == absl::ZeroDuration();
  return absl::FormatTime(whole_millis ? "%Y-%m-%dT%H:%M:%E3SZ" : "%Y-%m-%dT%H:%M:%E*SZ", t,
                          absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseAwsTime(absl::string_view text) {
  // RFC 3339 only: a 'Z' or a "+HH:MM" offset at the end, and no surrounding spaces.
  const bool zone_ok =
      !text.empty() &&
      (text.back() == 'Z' ||
       (text.size() > 6 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-') &&
        text[text.size() - 3] == ':'));
  const bool spaces = text.find_first_of(" \t\n\r") != absl::string_view::npos;
  absl::Time t;
  std::string err;
  if (!zone_ok || spaces || !absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err) ||
      t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("invalid time `", text_util::Clip(text),
                                  "`: expected ISO 8601, for example 2024-05-01T12:00:00.000Z"));
  }
  return t;
}

}  // namespace ami
