// The one place where libami's chosen error codes live. Each constant names the modelling
// choice (MC-n) that ModellingChoices() and README.md describe. Internal to libami.
#ifndef AMI_LIB_CHOICES_H_
#define AMI_LIB_CHOICES_H_

#include <cstdint>

#include "ami/errors.h"

namespace ami::choices {

// MC-3: a malformed account id outside a launch permission.
inline constexpr ErrorCode kMalformedAccountId = ErrorCode::kInvalidUserIDMalformed;
// MC-3: a malformed launch-permission entry (ID-7 names the code for account ids).
inline constexpr ErrorCode kBadLaunchPermissionItem = ErrorCode::kInvalidAMIAttributeItemValue;
// MC-4: KMS's own codes for malformed key ids, ARNs and alias names.
inline constexpr ErrorCode kMalformedKmsKey = ErrorCode::kKmsNotFoundException;
inline constexpr ErrorCode kMalformedKmsArn = ErrorCode::kKmsInvalidArnException;
inline constexpr ErrorCode kBadNewAliasName = ErrorCode::kKmsInvalidAliasNameException;
// MC-5: malformed organization and OU ids and ARNs.
inline constexpr ErrorCode kMalformedOrganization = ErrorCode::kInvalidParameterValue;
// MC-6: more sharing entities than the SHARE-9 quota.
inline constexpr ErrorCode kTooManySharingEntities = ErrorCode::kResourceLimitExceeded;
// MC-7: invalid, duplicate or reserved tags, and too many of them.
inline constexpr ErrorCode kInvalidTag = ErrorCode::kInvalidParameterValue;
inline constexpr ErrorCode kTooManyTags = ErrorCode::kTagLimitExceeded;
// MC-8: bytes or text that cannot be decoded at all.
inline constexpr ErrorCode kUndecodableInput = ErrorCode::kSerializationException;
// MC-10: a value out of range or malformed; values that contradict each other; one missing.
inline constexpr ErrorCode kInvalidValue = ErrorCode::kInvalidParameterValue;
inline constexpr ErrorCode kInconsistentValues = ErrorCode::kInvalidParameterCombination;
inline constexpr ErrorCode kMissingValue = ErrorCode::kMissingParameter;
// MC-12: the process-wide KMS key id table is full.
inline constexpr ErrorCode kKmsKeyTableFull = ErrorCode::kResourceLimitExceeded;

}  // namespace ami::choices

#endif  // AMI_LIB_CHOICES_H_
