#include "ami/errors.h"

#include <optional>
#include <string>

#include "absl/time/civil_time.h"

#include "absl/strings/str_cat.h"
#include "values/choices.h"
#include "values/text_util.h"

namespace ami {

namespace {

// Writes `value` as `width` decimal digits at `out`.
void Digits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
}

// Reads `width` decimal digits at `text`; -1 when one is not a digit.
int Read(absl::string_view text, size_t at, int width) {
  int v = 0;
  for (int i = 0; i < width; ++i) {
    const char c = text[at + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// The common "YYYY-MM-DDTHH:MM:SS.mmmZ" and "YYYY-MM-DDTHH:MM:SSZ" forms, parsed without the
// general parser (state files hold millions of them); nullopt for anything else.
std::optional<absl::Time> ParseFast(absl::string_view t) {
  if ((t.size() != 24 && t.size() != 20) || t[4] != '-' || t[7] != '-' || t[10] != 'T' ||
      t[13] != ':' || t[16] != ':' || t.back() != 'Z' || (t.size() == 24 && t[19] != '.')) {
    return std::nullopt;
  }
  const int y = Read(t, 0, 4), mo = Read(t, 5, 2), d = Read(t, 8, 2), h = Read(t, 11, 2),
            mi = Read(t, 14, 2), se = Read(t, 17, 2), ms = t.size() == 24 ? Read(t, 20, 3) : 0;
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
      se > 59 || ms < 0) {
    return std::nullopt;
  }
  const absl::CivilSecond cs(y, mo, d, h, mi, se);
  // CivilSecond normalizes out-of-range days (Feb 30 → Mar 2): such text is not a real date.
  if (cs.day() != d || cs.month() != mo) return std::nullopt;
  return absl::FromCivil(cs, absl::UTCTimeZone()) + absl::Milliseconds(ms);
}

}  // namespace

std::string FormatAwsTime(absl::Time t) {
  const absl::Duration since_epoch = t - absl::UnixEpoch();
  const bool whole_millis = since_epoch % absl::Milliseconds(1) == absl::ZeroDuration();
  const absl::CivilSecond cs = absl::ToCivilSecond(t, absl::UTCTimeZone());
  if (!whole_millis || cs.year() < 0 || cs.year() > 9999) {
    return absl::FormatTime(whole_millis ? "%Y-%m-%dT%H:%M:%E3SZ" : "%Y-%m-%dT%H:%M:%E*SZ", t,
                            absl::UTCTimeZone());
  }
  const int64_t millis =
      absl::ToInt64Milliseconds(t - absl::FromCivil(cs, absl::UTCTimeZone()));
  std::string out = "0000-00-00T00:00:00.000Z";
  Digits(&out[0], cs.year(), 4);
  Digits(&out[5], cs.month(), 2);
  Digits(&out[8], cs.day(), 2);
  Digits(&out[11], cs.hour(), 2);
  Digits(&out[14], cs.minute(), 2);
  Digits(&out[17], cs.second(), 2);
  Digits(&out[20], millis, 3);
  return out;
}

absl::StatusOr<absl::Time> ParseAwsTime(absl::string_view text) {
  // RFC 3339 only: a 'Z' or a "+HH:MM" offset at the end, and no surrounding spaces.
  const bool zone_ok =
      !text.empty() &&
      (text.back() == 'Z' ||
       (text.size() > 6 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-') &&
        text[text.size() - 3] == ':'));
  if (const std::optional<absl::Time> fast = ParseFast(text)) return *fast;
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
