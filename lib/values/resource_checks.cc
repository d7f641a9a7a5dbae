#include "values/resource_checks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/snapshot.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami::checks {

absl::Status VolumeSize(absl::string_view what, uint32_t gib, bool allow_zero) {
  if ((gib == 0 && !allow_zero) || gib > kMaxVolumeSizeGiB) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(what, ": volume size ", gib, " GiB is outside 1 to ",
                                  kMaxVolumeSizeGiB));
  }
  return absl::OkStatus();
}

absl::Status KeyInRegion(absl::string_view what, const KmsKeyArn& key, Region region) {
  if (key.region() != region) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(what, " in ", region.code(), " names kms key `", key.ToString(),
                                  "` of another region; kms keys are regional"));
  }
  return absl::OkStatus();
}

absl::Status Description(absl::string_view what, absl::string_view description) {
  const int length = text_util::Utf8Length(description);
  if (length < 0 || length > 255) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(what, ": a description is at most 255 characters of utf-8"));
  }
  return absl::OkStatus();
}

absl::Status FiniteTime(absl::string_view what, absl::string_view field, absl::Time t) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
    return MakeError(choices::kInvalidValue, absl::StrCat(what, ": ", field, " must be a finite time"));
  }
  return absl::OkStatus();
}

absl::Status FiniteTime(absl::string_view what, absl::string_view field,
                        const std::optional<absl::Time>& t) {
  return t.has_value() ? FiniteTime(what, field, *t) : absl::OkStatus();
}

absl::Status ProductCodes(const std::vector<ProductCode>& codes) {
  for (const ProductCode& code : codes) AMI_RETURN_IF_ERROR(ValidateProductCode(code));
  return absl::OkStatus();
}

absl::Status SortedAccounts(absl::string_view what, AccountId owner,
                            std::vector<AccountId>* accounts) {
  std::sort(accounts->begin(), accounts->end());
  accounts->erase(std::unique(accounts->begin(), accounts->end()), accounts->end());
  if (std::binary_search(accounts->begin(), accounts->end(), owner)) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(what, ": the owner `", owner.ToString(),
                                  "` cannot be listed in its own permissions"));
  }
  return absl::OkStatus();
}

}  // namespace ami::checks
