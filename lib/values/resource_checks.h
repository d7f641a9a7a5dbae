// Structural checks shared by the resource builders. Internal to libami.
#ifndef AMI_LIB_RESOURCE_CHECKS_H_
#define AMI_LIB_RESOURCE_CHECKS_H_

#include <cstdint>
#include <string>
#include <optional>
#include <vector>

#include "absl/time/time.h"

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ami/arns.h"
#include "ami/attributes.h"
#include "ami/ids.h"

namespace ami::checks {

// 1–65536 GiB (0 too when `allow_zero`, meaning "the snapshot's size").
absl::Status VolumeSize(absl::string_view what, uint32_t gib, bool allow_zero);
// The key is in `region` (REG-9: keys are regional).
absl::Status KeyInRegion(absl::string_view what, const KmsKeyArn& key, Region region);
// At most 255 characters of valid UTF-8.
absl::Status Description(absl::string_view what, absl::string_view description);
// A finite time (not absl::InfiniteFuture() or absl::InfinitePast()).
absl::Status FiniteTime(absl::string_view what, absl::string_view field, absl::Time t);
absl::Status FiniteTime(absl::string_view what, absl::string_view field,
                        const std::optional<absl::Time>& t);
// Every code is well formed.
absl::Status ProductCodes(const std::vector<ProductCode>& codes);
// Sorts and de-duplicates `accounts`; the owner may not be among them.
absl::Status SortedAccounts(absl::string_view what, AccountId owner,
                            std::vector<AccountId>* accounts);

}  // namespace ami::checks

#endif  // AMI_LIB_RESOURCE_CHECKS_H_
