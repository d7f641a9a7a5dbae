// The one place where libami's chosen error codes live. Each constant names the modelling
// choice (MC-n) that ModellingChoices() and README.md describe. Internal to libami.
#ifndef AMI_LIB_CHOICES_H_
#define AMI_LIB_CHOICES_H_

#include <cstdint>

#include "absl/strings/string_view.h"
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

// MC-16: CreateImage on an instance in a state other than running, stopping or stopped (CREATE-2).
inline constexpr ErrorCode kCreateImageWrongState = ErrorCode::kIncorrectInstanceState;
// MC-17: CreateImage on an instance-store-backed instance (CREATE-3).
inline constexpr ErrorCode kCreateImageInstanceStore = ErrorCode::kUnsupportedOperation;
// MC-18: KmsKeyId without Encrypted=true (KMS-12).
inline constexpr ErrorCode kKeyWithoutEncrypted = ErrorCode::kInvalidParameterCombination;
// MC-19: CopyImage without read permission on the source's snapshots (COPY-6).
inline constexpr ErrorCode kCopyNoStorageAccess = ErrorCode::kAuthFailure;
// MC-20: CopyImage of another account's Marketplace AMI (COPY-12).
inline constexpr ErrorCode kCopyMarketplace = ErrorCode::kOperationNotPermitted;
// MC-21: making an AMI with a Marketplace product code public (SHARE-15).
inline constexpr ErrorCode kPublicMarketplace = ErrorCode::kUnsupportedOperation;
// MC-22: the public-AMI and sharing-entity quotas (SHARE-9, SHARE-10).
inline constexpr ErrorCode kQuotaExceeded = ErrorCode::kResourceLimitExceeded;
// MC-23: making a snapshot public while snapshot block public access is on (SNAP-3).
inline constexpr ErrorCode kSnapshotBlockPublicAccess = ErrorCode::kOperationNotPermitted;
// MC-24: deregistering a protected image (DEREG-6).
inline constexpr ErrorCode kDeregistrationProtected = ErrorCode::kOperationNotPermitted;
// MC-25: CancelImageLaunchPermission without a direct account share (SHARE-8).
inline constexpr ErrorCode kCancelWithoutShare = ErrorCode::kInvalidParameterValue;

// MC-26: managing a key of another account, or changing an AWS managed key (KMS-1).
inline constexpr ErrorCode kKeyNotManageable = ErrorCode::kKmsNotFoundException;
inline constexpr ErrorCode kAwsManagedKeyChange = ErrorCode::kOperationNotPermitted;
// MC-27: a decision that could not be evaluated at all.
inline constexpr ErrorCode kEvaluationError = ErrorCode::kInvalidRequest;

// MC-29: the state reason codes of failures reported later.
inline constexpr absl::string_view kCopyFailureCode = "Client.CustomerKeyHasBeenRevoked";
inline constexpr absl::string_view kLaunchFailureCode = "Client.InternalError";

// MC-43: DisableImage on an image that is not available, EnableImage on one not disabled.
inline constexpr ErrorCode kImageWrongState = ErrorCode::kInvalidAMIIDUnavailable;
// MC-44: a deprecation time in the past, over 10 years ahead, or past a public image's 2 years
// (DEREG-7, SHARE-21); cancelling a public image's deprecation.
inline constexpr ErrorCode kBadDeprecationTime = ErrorCode::kInvalidParameterValue;
inline constexpr ErrorCode kPublicDeprecationLocked = ErrorCode::kOperationNotPermitted;
// MC-45: Recycle Bin: an unknown rule, a locked rule, an image whose snapshots are not restored.
inline constexpr ErrorCode kRuleNotFound = ErrorCode::kInvalidParameterValue;
inline constexpr ErrorCode kRuleLocked = ErrorCode::kOperationNotPermitted;
inline constexpr ErrorCode kRestoreSnapshotsFirst = ErrorCode::kInvalidSnapshotNotFound;

// MC-46: DescribeImages / DescribeSnapshots input: an unknown filter, a bad NextToken.
inline constexpr ErrorCode kUnknownFilter = ErrorCode::kInvalidParameterValue;
inline constexpr ErrorCode kBadNextToken = ErrorCode::kInvalidParameterValue;

// MC-53: input larger than a documented limit (ami/errors.h).
inline constexpr ErrorCode kInputTooLarge = ErrorCode::kResourceLimitExceeded;

// MC-54: a FleetSpec the generator cannot honour (ami/tools/fleet.h).
inline constexpr ErrorCode kBadFleetSpec = ErrorCode::kInvalidParameterValue;

// MC-61: a policy document of any kind (identity, boundary, SCP, key policy) that breaks the
// grammar or libami's bounds: IAM's code, for Organizations and KMS too.
inline constexpr ErrorCode kMalformedPolicy = ErrorCode::kMalformedPolicyDocument;

// MC-70: the policy simulator asked about a principal the cloud does not hold: IAM's
// NoSuchEntity, where a call by it is UnauthorizedOperation (MC-66).
inline constexpr ErrorCode kUnknownSimulatedPrincipal = ErrorCode::kNoSuchEntity;

// MC-73: two records of an import with the same id that differ (an image, snapshot, instance,
// kms key or grant in two outputs): AWS cannot have printed both.
inline constexpr ErrorCode kConflictingRecords = ErrorCode::kInvalidParameterValue;
// MC-74: an import's clock set earlier than a time its inputs observed.
inline constexpr ErrorCode kClockBeforeInputs = ErrorCode::kInvalidParameterValue;
// MC-78: a Config rule's evaluation is not a call and fails none; its reasons carry this code
// only because every reason names one.
inline constexpr ErrorCode kConfigNonCompliant = ErrorCode::kInvalidParameterValue;

// MC-83: DeregisterImage of an image AWS Backup manages (DEREG-5, BACKUP-2), as DeleteSnapshot
// of a Backup-managed snapshot answers (OBSERVED).
inline constexpr ErrorCode kBackupManaged = ErrorCode::kInvalidParameterValue;
// MC-85: DeleteTags naming an aws: key.
inline constexpr ErrorCode kReservedTagDelete = ErrorCode::kInvalidParameterValue;

}  // namespace ami::choices

#endif  // AMI_LIB_CHOICES_H_
