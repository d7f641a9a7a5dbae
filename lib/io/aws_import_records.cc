// Repeated records and the imported clock (lib/io/aws_import_records.h).
#include "io/aws_import_records.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "values/choices.h"

namespace ami::aws_import_internal {

absl::Status SettingValues::Check(const AwsCliFile& file, const std::string& setting,
                                  const std::string& value, absl::string_view what) {
  const auto [it, added] = seen_.try_emplace(setting, &file, value);
  if (added || it->second.second == value) return absl::OkStatus();
  return MakeError(choices::kConflictingRecords,
                   absl::StrCat(what, " differs from the one in `", it->second.first->name, "`"));
}

void NewestTime::Observe(const AwsCliFile& file, absl::string_view path, const std::string& text) {
  if (text.empty()) return;
  const absl::StatusOr<absl::Time> t = ParseAwsTime(text);
  if (!t.ok() || (newest_.has_value() && *t <= *newest_)) return;
  newest_ = *t;
  where_ = absl::StrCat(file.name, ": ", path);
}

absl::StatusOr<absl::Time> NewestTime::Clock(std::optional<absl::Time> now,
                                             absl::Time fallback) const {
  if (!now.has_value()) return newest_.value_or(fallback);
  if (newest_.has_value() && *now < *newest_) {
    return MakeError(choices::kClockBeforeInputs,
                     absl::StrCat("the clock `", FormatAwsTime(*now), "` is earlier than `",
                                  FormatAwsTime(*newest_), "`, which ", where_, " observed"));
  }
  return *now;
}

}  // namespace ami::aws_import_internal
