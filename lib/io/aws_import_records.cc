// Repeated records and the imported clock (lib/io/aws_import_records.h).
#include "io/aws_import_records.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/kms_key.h"
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

// A snapshot as an account other than its owner sees it: without the owner's tags (SHARE-13).
absl::StatusOr<Snapshot> AsAnyAccountSeesIt(const Snapshot& snapshot) {
  return snapshot.ToBuilder().set_tags({}).Build();
}

// An image as an account other than its owner sees it (DESC-10, SHARE-13): without the owner's
// tags, deregistration protection and last launched time. Two views of one image must agree
// on the rest.
absl::StatusOr<Image> AsAnyAccountSeesIt(const Image& image) {
  return image.ToBuilder()
      .set_tags({})
      .set_deregistration_protection(DeregistrationProtection::kDisabled)
      .set_protection_cooldown_until(std::nullopt)
      .set_last_launched_time(std::nullopt)
      .Build();
}

// The description AWS gives the aws/ebs key it creates in each account and Region (KMS-2), now
// and formerly: with no list-aliases output, it names the account's aws/ebs key.
bool IsEbsDefaultDescription(const std::string& description) {
  return description == "Default key that protects my EBS volumes when no other key is defined" ||
         description ==
             "Default master key that protects my EBS volumes when no other key is defined";
}

// A grantee's account: an account id or the account field of an IAM or STS ARN.
absl::StatusOr<AccountId> GranteeAccount(const std::string& grantee) {
  if (absl::StartsWith(grantee, "arn:")) {
    const std::vector<std::string> parts = absl::StrSplit(grantee, absl::MaxSplits(':', 5));
    if (parts.size() == 6 && (parts[2] == "iam" || parts[2] == "sts")) {
      return AccountId::Parse(parts[4]);
    }
  }
  return PrincipalAccountOf(grantee);
}

}  // namespace ami::aws_import_internal
