// The catalogue of reasons: every rule's id, the EC2 code its deny carries, and its message
// template. Golden tests read these through Decision::Explain(). Internal to libami.
#ifndef AMI_LIB_POLICY_REASONS_H_
#define AMI_LIB_POLICY_REASONS_H_

#include "ami/errors.h"
#include "ami/policy.h"
#include "values/choices.h"

namespace ami::reasons {

using EC = ErrorCode;
using RT = ReasonTemplate;

// ---- Images: existence, Region, state (ID-4, REG-1, REG-2, LAUNCH-2, LAUNCH-3, LAUNCH-7) ----
inline constexpr RT kImageNotFound{"ID-4", EC::kInvalidAMIIDNotFound,
                                   "image {image} does not exist in {region}"};
inline constexpr RT kImageInOtherRegion{
    "REG-2", EC::kInvalidAMIIDNotFound,
    "image {image} is in {source_region}, not {region}: an AMI can be used only in its own region; "
    "copy it to {region} first"};
inline constexpr RT kImageNotLaunchable{
    "LAUNCH-3", EC::kInvalidAMIIDUnavailable,
    "image {image} is {text}: only an available image can be used"};
inline constexpr RT kImageDeregistered{
    "LAUNCH-7", EC::kInvalidAMIIDUnavailable,
    "image {image} has been deregistered and can no longer be used"};
inline constexpr RT kImageInRegion{"REG-1", EC::kInvalidAMIIDNotFound,
                                   "image {image} is in {region}, where the call is made"};

// ---- Launch permission (SHARE-1, SHARE-7, ATTR-1, LAUNCH-4) ----
inline constexpr RT kOwnerMayLaunch{"SHARE-1", EC::kAuthFailure,
                                    "account {account} owns image {image}"};
inline constexpr RT kSharedWithAccount{"SHARE-1", EC::kAuthFailure,
                                       "image {image} is shared with account {account}"};
inline constexpr RT kSharedWithOrganization{
    "SHARE-7", EC::kAuthFailure,
    "image {image} is shared with organization {text}, which account {account} belongs to"};
inline constexpr RT kSharedWithOu{
    "SHARE-7", EC::kAuthFailure,
    "image {image} is shared with organizational unit {text}, which contains account {account}"};
inline constexpr RT kPublicImage{"ATTR-1", EC::kAuthFailure, "image {image} is public"};
inline constexpr RT kNoLaunchPermission{
    "LAUNCH-4", EC::kAuthFailure,
    "account {account} is not authorized for image {image}: it is not shared with the account, "
    "its organization or its OUs, and it is not public"};
inline constexpr RT kSnapshotsNeedNotBeShared{
    "LAUNCH-15", EC::kAuthFailure,
    "launching image {image} does not need its snapshots to be shared with account {account}"};

// ---- KMS (KMS-1, KMS-4, KMS-5, KMS-11, KMS-12, KMS-15) ----
inline constexpr RT kKeyOwner{"KMS-4", EC::kCustomerKeyHasBeenRevoked,
                              "account {account} owns kms key {key}"};
inline constexpr RT kKeyPolicyAllows{
    "KMS-5", EC::kCustomerKeyHasBeenRevoked,
    "the key policy of kms key {key} allows account {account} {actions}"};
inline constexpr RT kKeyGrantAllows{"KMS-4", EC::kCustomerKeyHasBeenRevoked,
                                    "a grant on kms key {key} allows account {account} {actions}"};
inline constexpr RT kKeyNotAllowed{
    "KMS-5", EC::kCustomerKeyHasBeenRevoked,
    "account {account} may not use kms key {key} of account {owner}: neither the key policy nor a "
    "grant allows {actions}"};
inline constexpr RT kKeyPolicyDenies{"KMS-4", EC::kCustomerKeyHasBeenRevoked,
                                     "the key policy of kms key {key} denies account {account} {actions}"};
// KMS-5, IAM-2: a policy of the caller's side (identity policy, boundary, SCP) denies the key use.
inline constexpr RT kKeyUseDeniedByCaller{
    "KMS-5", EC::kCustomerKeyHasBeenRevoked,
    "{text} denies account {account} {actions} with kms key {key}"};
// Unknown never allows: a statement whose principal or condition libami cannot evaluate
// offline never lets an Allow apply and always lets a Deny apply; {text} names the statement
// and what could not be known.
inline constexpr RT kKeyPolicyDeniesUnknown{
    "KMS-4", EC::kCustomerKeyHasBeenRevoked,
    "the key policy of kms key {key} denies account {account} {actions} unless a condition that "
    "cannot be known offline is false ({text})"};
inline constexpr RT kKeyPolicyAllowsOnlyIf{
    "KMS-5", EC::kCustomerKeyHasBeenRevoked,
    "the key policy of kms key {key} would allow account {account} {actions} only if a condition "
    "that cannot be known offline held ({text}), so it does not"};
inline constexpr RT kAwsManagedKeyOtherAccount{
    "KMS-1", EC::kCustomerKeyHasBeenRevoked,
    "kms key {key} is the aws managed key of account {owner}: no other account can use it"};
inline constexpr RT kAwsManagedKeyOwnAccount{
    "KMS-1", EC::kCustomerKeyHasBeenRevoked,
    "kms key {key} is the aws managed key of account {account}, which may use it"};
inline constexpr RT kKeyNotEnabled{"KMS-15", EC::kCustomerKeyHasBeenRevoked,
                                   "kms key {key} is {text}: only an enabled key can be used"};
inline constexpr RT kKeyNotFound{"KMS-11", EC::kCustomerKeyHasBeenRevoked,
                                 "kms key {text} does not exist for account {account} in {region}"};
inline constexpr RT kKeyInOtherRegion{
    "REG-9", EC::kCustomerKeyHasBeenRevoked,
    "kms key {key} is not in {region}: kms keys are regional, so the key must be in {region}"};
inline constexpr RT kKeyNotSymmetric{
    "KMS-2", EC::kCustomerKeyHasBeenRevoked,
    "kms key {key} is not a symmetric encryption key, which is all ebs can use"};
inline constexpr RT kKeyWithoutEncrypted{
    "KMS-12", choices::kKeyWithoutEncrypted,
    "a kms key {text} was given without Encrypted=true"};

// ---- Launch volumes (LAUNCH-9, LAUNCH-10, REG-5) ----
inline constexpr RT kLaunchKeyUnusable{
    "LAUNCH-9", EC::kCustomerKeyHasBeenRevoked,
    "the instance would terminate after launch (Client.InternalError): account {account} cannot "
    "use kms key {key} for snapshot {snapshot} of image {image}"};
inline constexpr RT kLaunchMissingImage{"LAUNCH-1", EC::kMissingParameter,
                                        "RunInstances needs an image id"};
inline constexpr RT kSnapshotMissing{
    "LAUNCH-9", EC::kCustomerKeyHasBeenRevoked,
    "the instance would terminate after launch: snapshot {snapshot} of image {image} no longer "
    "exists"};

// ---- CreateImage (CREATE-1 … CREATE-4, ID-17, REG-6) ----
inline constexpr RT kInstanceNotFound{"ID-4", EC::kInvalidInstanceIDNotFound,
                                      "instance {instance} does not exist in {region}"};
inline constexpr RT kInstanceWrongState{
    "CREATE-2", choices::kCreateImageWrongState,
    "instance {instance} is {text}: an image is created only from a running, stopping or stopped "
    "instance"};
inline constexpr RT kInstanceStoreRoot{
    "CREATE-3", choices::kCreateImageInstanceStore,
    "instance {instance} is instance-store backed: CreateImage needs an ebs-backed instance"};
inline constexpr RT kBadImageName{"ID-17", EC::kInvalidAMINameMalformed,
                                  "ami name {text} is not 3 to 128 letters, digits and ( ) [ ] "
                                  "space . / - ' @ _"};
inline constexpr RT kDuplicateName{"REG-6", EC::kInvalidAMINameDuplicate,
                                   "AMI name {text} is already in use by AMI {image}"};
inline constexpr RT kFileSystemConsistent{
    "CREATE-4", EC::kIncorrectInstanceState,
    "instance {instance} is {text}, so the image will be file-system-consistent"};
inline constexpr RT kCrashConsistent{
    "CREATE-4", EC::kIncorrectInstanceState,
    "instance {instance} is {text}: the image will be crash-consistent, with no file system "
    "integrity guarantee"};

// ---- CopyImage (COPY-*) ----
inline constexpr RT kCopyOwner{"COPY-3", EC::kAuthFailure,
                               "account {account} will own the copy of image {image}"};
inline constexpr RT kCopyNoLaunchPermission{
    "COPY-6", EC::kInvalidAMIIDNotFound,
    "image {image} does not exist for account {account}: it has no launch permission on it, so "
    "it cannot be copied"};
inline constexpr RT kCopyNoStorageAccess{
    "COPY-6", choices::kCopyNoStorageAccess,
    "account {account} cannot read snapshot {snapshot} of image {image}: you do not have "
    "permission to access the storage of this ami"};
inline constexpr RT kCopyMarketplace{
    "COPY-12", choices::kCopyMarketplace,
    "image {image} of account {owner} carries an aws marketplace product code: another account "
    "cannot copy it; launch it and create an image instead"};
inline constexpr RT kCopyDecrypt{
    "COPY-7", EC::kInvalidRequest,
    "snapshot {snapshot} is encrypted: creating an unencrypted copy from an encrypted snapshot is "
    "not supported"};
inline constexpr RT kCopyKeyUnusable{
    "COPY-11", EC::kCustomerKeyHasBeenRevoked,
    "the copy would fail after the call: account {account} cannot use kms key {key} for snapshot "
    "{snapshot}"};
inline constexpr RT kCopyKeyUnresolved{
    "KMS-11", EC::kCustomerKeyHasBeenRevoked,
    "the copy would fail after the call: kms key {text} names no key account {account} can use in "
    "{region}"};

// ---- Sharing (SHARE-*, SNAP-*) ----
inline constexpr RT kNotImageOwner{
    "SHARE-4", EC::kAuthFailure,
    "not authorized for image {image}: account {account} does not own it (owner {owner}); only the "
    "owner can share, modify, describe attributes of or deregister it"};
inline constexpr RT kNotOwnerDeregister{
    "DEREG-1", EC::kAuthFailure,
    "not authorized for image {image}: only its owner {owner} can deregister it, not account "
    "{account}"};
inline constexpr RT kNotOwnerDescribe{
    "DESC-11", EC::kAuthFailure,
    "not authorized for image {image}: only its owner {owner} can describe its attributes, not "
    "account {account}"};
inline constexpr RT kImageOwner{"SHARE-4", EC::kAuthFailure, "account {account} owns image {image}"};
inline constexpr RT kPublicEncrypted{
    "SHARE-14", EC::kUnsupportedOperation,
    "image {image} has encrypted snapshots: encrypted snapshots can't be shared publicly"};
inline constexpr RT kPublicMarketplace{
    "SHARE-15", choices::kPublicMarketplace,
    "image {image} has an aws marketplace product code and cannot be made public"};
inline constexpr RT kShareAwsManagedKey{
    "SHARE-16", EC::kInvalidParameter,
    "image {image} is encrypted with the aws managed key {key}: snapshots encrypted with the aws "
    "managed key can't be shared; copy the image with a customer managed key first"};
inline constexpr RT kShareKeyUnknown{
    "SHARE-16", EC::kInvalidParameter,
    "image {image} is encrypted with kms key {key}, which the state does not hold: whether it is "
    "an aws managed key, whose snapshots can't be shared, is unknown; import the key first"};
inline constexpr RT kShareSnapshotUnknown{
    "SHARE-14", EC::kInvalidSnapshotNotFound,
    "snapshot {snapshot} of image {image} is not in the state: whether it is encrypted, or under "
    "which key, is unknown; import the snapshot first"};
inline constexpr RT kShareNoKeys{
    "SHARE-16", EC::kAuthFailure,
    "image {image} is not encrypted with a kms key: its keys do not stop sharing it"};
inline constexpr RT kShareNeedsKeyAccess{
    "SHARE-17", EC::kAuthFailure,
    "image {image} is encrypted with customer managed key {key}: recipients also need the key "
    "shared with them to launch or copy it"};
inline constexpr RT kBlockPublicAccess{
    "SHARE-20", EC::kOperationNotPermitted,
    "you can't publicly share image {image} because block public access for AMIs is enabled for "
    "account {account} in {region}; call DisableImageBlockPublicAccess first"};
inline constexpr RT kPublicQuota{
    "SHARE-9", choices::kQuotaExceeded,
    "account {account} already has {number} public images in {region}; the quota is 5"};
inline constexpr RT kSharingQuota{
    "SHARE-9", choices::kQuotaExceeded,
    "image {image} would be shared with {number} accounts, organizations and OUs; the quota is "
    "1,000"};
inline constexpr RT kShareAllowed{"SHARE-2", EC::kAuthFailure,
                                  "account {account} may change the launch permissions of image {image}"};
inline constexpr RT kNotSnapshotOwner{
    "SNAP-1", EC::kAuthFailure,
    "not authorized for snapshot {snapshot}: account {account} does not own it (owner {owner})"};
inline constexpr RT kSnapshotNotFound{"ID-4", EC::kInvalidSnapshotNotFound,
                                      "snapshot {snapshot} does not exist in {region}"};
inline constexpr RT kSnapshotAddAndRemove{
    "SNAP-1", EC::kInvalidParameterCombination,
    "createVolumePermission add and remove cannot be combined in one call"};
inline constexpr RT kSnapshotTooManyChanges{
    "SNAP-1", EC::kInvalidParameterValue,
    "{number} createVolumePermission changes in one call; at most 500 are allowed"};
inline constexpr RT kSnapshotDefaultKey{
    "SNAP-2", EC::kOperationNotPermitted,
    "snapshot {snapshot} is encrypted with the aws managed key {key}: encrypted snapshots with the "
    "ebs default key cannot be shared"};
inline constexpr RT kSnapshotKeyUnknown{
    "SNAP-2", EC::kOperationNotPermitted,
    "snapshot {snapshot} is encrypted with kms key {key}, which the state does not hold: whether "
    "it is the ebs default key, which can't be shared, is unknown; import the key first"};
inline constexpr RT kSnapshotPublicEncrypted{
    "SNAP-2", EC::kUnsupportedOperation,
    "snapshot {snapshot} is encrypted: encrypted snapshots can't be shared publicly"};
inline constexpr RT kSnapshotPublicMarketplace{
    "SNAP-2", EC::kUnsupportedOperation,
    "snapshot {snapshot} has an aws marketplace product code and cannot be made public"};
inline constexpr RT kSnapshotBlockPublic{
    "SNAP-3", choices::kSnapshotBlockPublicAccess,
    "snapshot block public access ({text}) is on for account {account} in {region}: snapshot "
    "{snapshot} cannot be made public"};
inline constexpr RT kSnapshotOwner{"SNAP-1", EC::kAuthFailure,
                                   "account {account} owns snapshot {snapshot}"};

// ---- Owner actions, deregistration, snapshots in use (DEREG-*, DESC-11, SNAP-4) ----
inline constexpr RT kBackupManaged{
    "DEREG-5", choices::kBackupManaged,
    "image {image} is managed by aws backup (it carries the aws:backup:source-resource tag): it "
    "cannot be deregistered through ec2; delete its recovery point in aws backup instead"};
inline constexpr RT kBackupManagedSnapshot{
    "DEREG-5", choices::kBackupManaged,
    "snapshot {snapshot} is managed by aws backup (it carries the aws:backup:source-resource "
    "tag): it cannot be deleted through ec2; delete its recovery point in aws backup instead"};
inline constexpr RT kProtected{
    "DEREG-6", choices::kDeregistrationProtected,
    "image {image} has deregistration protection{text}: it cannot be deregistered by any user"};
inline constexpr RT kSnapshotInUse{
    "SNAP-4", EC::kInvalidSnapshotInUse,
    "snapshot {snapshot} is in use by {number} registered image(s); deregister them first"};
inline constexpr RT kNotDirectlyShared{
    "SHARE-8", choices::kCancelWithoutShare,
    "image {image} is not shared with account {account} directly: CancelImageLaunchPermission "
    "removes only a direct account share"};
inline constexpr RT kDirectlyShared{"SHARE-8", EC::kAuthFailure,
                                    "image {image} is shared with account {account} directly"};

// ---- Lifecycle: deprecation, disabled images (LAUNCH-5, LAUNCH-6, DEREG-7, DEREG-8) ----
inline constexpr RT kImageDisabled{
    "LAUNCH-6", EC::kInvalidAMIIDUnavailable,
    "image {image} is disabled: it cannot be used until its owner enables it again"};
inline constexpr RT kDeprecatedStillLaunchable{
    "LAUNCH-5", EC::kInvalidAMIIDUnavailable,
    "image {image} is deprecated since {text}, which hides it from listings but not from a launch "
    "by id"};

// ---- Allowed AMIs (GOV-7 … 9, LAUNCH-8, COPY-16) ----
inline constexpr RT kAllowedImagesOff{
    "GOV-7", EC::kInvalidAMIIDNotFound,
    "allowed AMIs are disabled for account {account} in {region}: every image is allowed"};
inline constexpr RT kAllowedOwnImage{
    "GOV-9", EC::kInvalidAMIIDNotFound,
    "account {account} owns image {image}: allowed AMIs never restrict an account's own images"};
inline constexpr RT kAllowedByCriterion{
    "GOV-8", EC::kInvalidAMIIDNotFound,
    "image {image} meets allowed AMIs criterion {number} of account {account} in {region}"};
inline constexpr RT kNotAllowed{
    "GOV-8", EC::kInvalidAMIIDNotFound,
    "image {image} (owner {owner}) meets none of the allowed AMIs criteria of account {account} "
    "in {region}"};
inline constexpr RT kNotAllowedAudit{
    "GOV-7", EC::kInvalidAMIIDNotFound,
    "allowed AMIs are in audit mode for account {account} in {region}: image {image} is reported "
    "as not allowed, not blocked"};
inline constexpr RT kLaunchNotAllowed{
    "LAUNCH-8", EC::kInvalidAMIIDNotFound,
    "image {image} does not exist for account {account} in {region}: it does not meet the "
    "account's allowed AMIs criteria, so it cannot be launched"};
inline constexpr RT kCopyNotAllowed{
    "COPY-16", EC::kInvalidAMIIDNotFound,
    "image {image} does not exist for account {account}: it does not meet the account's allowed "
    "AMIs criteria in {region}, so it cannot be copied"};

// ---- AWS Config managed rules (GOV-1 … 6): allow = COMPLIANT, deny = NON_COMPLIANT ----
// No call fails with these; their code is the one MC-78 names.
inline constexpr RT kApprovedById{"GOV-1", choices::kConfigNonCompliant,
                                  "image {image} is one of the approved amiIds"};
inline constexpr RT kNotApprovedById{"GOV-1", choices::kConfigNonCompliant,
                                     "image {image} is not among the approved amiIds {text}"};
inline constexpr RT kApprovedByOwnerTag{
    "GOV-2", choices::kConfigNonCompliant,
    "image {image} has tag {text} as its owner sees it, which amisByTagKeyAndValue approves"};
inline constexpr RT kNotApprovedByOwnerTag{
    "GOV-2", choices::kConfigNonCompliant,
    "image {image} has none of the approved tags {text} as its owner sees it"};
inline constexpr RT kApprovedByViewerTag{
    "GOV-3", choices::kConfigNonCompliant,
    "image {image} has tag {text} as account {account} sees it, which amisByTagKeyAndValue "
    "approves"};
inline constexpr RT kNotApprovedByViewerTag{
    "GOV-3", choices::kConfigNonCompliant,
    "image {image} has none of the approved tags {text} as account {account} sees it"};
inline constexpr RT kOwnerTagsInvisible{
    "GOV-3", choices::kConfigNonCompliant,
    "image {image} is owned by account {owner}, whose approved tags are not visible to other "
    "accounts; the instance's account has put none of the approved tags {text} on it"};
inline constexpr RT kNoApprovedTagOnForeignImage{
    "GOV-3", choices::kConfigNonCompliant,
    "image {image} is owned by account {owner}; the instance's account has put none of the "
    "approved tags {text} on it"};
inline constexpr RT kImageTagsUnreadable{
    "GOV-3", choices::kConfigNonCompliant,
    "image {image} is {text}: its tags cannot be read, so no approved tag is present"};
inline constexpr RT kImageNotShownAllowed{
    "GOV-5", choices::kConfigNonCompliant,
    "image {image} is not found: it cannot be shown to meet the allowed AMIs criteria of "
    "account {account} in {region}"};
inline constexpr RT kSnapshotPublic{
    "GOV-6", choices::kConfigNonCompliant,
    "snapshot {snapshot} is public: createVolumePermission group all lets anyone restore it"};
inline constexpr RT kSnapshotNotPublic{
    "GOV-6", choices::kConfigNonCompliant,
    "snapshot {snapshot} is not public: only its owner and the accounts it names may restore it"};
inline constexpr RT kEncryptionByDefaultOn{
    "GOV-6", choices::kConfigNonCompliant,
    "ebs encryption by default is enabled for account {account} in {region}: new volumes are "
    "encrypted"};
inline constexpr RT kEncryptionByDefaultOff{
    "GOV-6", choices::kConfigNonCompliant,
    "ebs encryption by default is disabled for account {account} in {region}: new volumes may "
    "be unencrypted"};

// ---- RegisterImage, ClientTokens, instance state changes (CREATE-5 … 7, 15, 17, COPY-17) ----
inline constexpr RT kRegisterSnapshotNotFound{
    "CREATE-17", EC::kInvalidSnapshotNotFound,
    "snapshot {snapshot} does not exist in {region} or is not shared with account {account}"};
inline constexpr RT kRegisterOwner{"CREATE-17", EC::kAuthFailure,
                                   "account {account} registers image {image} in {region}"};
inline constexpr RT kTokenMismatch{
    "COPY-17", EC::kIdempotentParameterMismatch,
    "client token {text} was used with different parameters"};
inline constexpr RT kTokenReplay{"COPY-17", EC::kIdempotentParameterMismatch,
                                 "client token {text} already made image {image}"};
inline constexpr RT kCopyBadKeyId{
    "KMS-11", EC::kCustomerKeyHasBeenRevoked,
    "the copy would fail after the call: kms key {text} is not a valid key identifier"};
inline constexpr RT kConcurrentNoReboot{
    "CREATE-15", EC::kConcurrentCreateImageNoRebootLimitExceeded,
    "a NoReboot CreateImage of instance {instance} is still in progress (image {image})"};
inline constexpr RT kNewMappingNeedsSize{
    "CREATE-5", choices::kInvalidValue,
    "device {text} is not attached to instance {instance}: a new mapping needs a volume size or "
    "a virtual name"};
inline constexpr RT kMappingSizeChange{
    "CREATE-6", choices::kInvalidValue,
    "the size of existing volume {text} cannot be changed by CreateImage (CREATE-6)"};
inline constexpr RT kMappingEncrypt{
    "CREATE-7", choices::kInvalidValue,
    "volume {text} is unencrypted: Encrypted may only be false; copy the image to encrypt it "
    "(CREATE-7)"};
inline constexpr RT kInstanceOwner{"ID-4", EC::kInvalidInstanceIDNotFound,
                                   "account {account} owns the instances in {region}"};
inline constexpr RT kInstanceStoreStop{
    "CREATE-3", EC::kUnsupportedOperation,
    "instance {instance} is instance-store backed and cannot be stopped"};
inline constexpr RT kCannotStop{"ID-4", EC::kIncorrectInstanceState,
                                "instance {instance} is {text} and cannot be stopped"};
inline constexpr RT kCannotStart{"ID-4", EC::kIncorrectInstanceState,
                                 "instance {instance} is {text} and cannot be started"};

// ---- Image lifecycle (DEREG-7, DEREG-8, SHARE-21) ----
inline constexpr RT kBadDeprecationTime{"DEREG-7", choices::kBadDeprecationTime,
                                        "deprecation time {text} (DEREG-7)"};
inline constexpr RT kPublicDeprecationTooLate{
    "SHARE-21", choices::kBadDeprecationTime,
    "image {image} is public: its deprecation time cannot be after {text}, two years after its "
    "creation; make it private first (SHARE-21)"};
inline constexpr RT kPublicDeprecationLocked{
    "SHARE-21", choices::kPublicDeprecationLocked,
    "image {image} is public: its deprecation cannot be cancelled until it is made private "
    "(SHARE-21)"};
inline constexpr RT kDisableNeedsAvailable{
    "DEREG-8", choices::kImageWrongState,
    "image {image} is {text}: the operation needs it available"};
inline constexpr RT kEnableNeedsDisabled{
    "DEREG-8", choices::kImageWrongState,
    "image {image} is {text}: the operation needs it disabled"};

// ---- KMS keys, tags and snapshot permissions (KMS-1, KMS-4, KMS-14, KMS-15, ID-13, SHARE-13) ----
inline constexpr RT kKeyCreated{"KMS-1", EC::kAuthFailure,
                                "account {account} creates customer managed key {key} in {region}"};
inline constexpr RT kKeyManaged{"KMS-1", EC::kAuthFailure,
                                "account {account} manages its customer managed key {key}"};
inline constexpr RT kAwsManagedKeyChange{
    "KMS-1", choices::kAwsManagedKeyChange,
    "kms key {key} is an aws managed key: its policy, grants and state cannot be changed"};
inline constexpr RT kKeyNotManageable{
    "KMS-1", choices::kKeyNotManageable,
    "kms key `{text}` does not exist in account {account} in {region}"};
inline constexpr RT kReplicaOfNonPrimary{"KMS-14", EC::kKmsInvalidStateException,
                                         "kms key {key} is not a multi-region primary key"};
inline constexpr RT kReplicaExists{
    "KMS-14", EC::kInvalidParameterValue,
    "kms key `{text}` already exists in {region} (KMS-14: at most one replica per region)"};
inline constexpr RT kAliasExists{"ID-13", EC::kInvalidParameterValue,
                                 "alias `{text}` already exists in account {account} in {region}"};
inline constexpr RT kGrantWithoutOperations{"KMS-4", EC::kInvalidParameterValue,
                                            "a grant needs at least one operation"};
inline constexpr RT kKeyPendingDeletion{"KMS-15", EC::kKmsInvalidStateException,
                                        "kms key {key} is pending deletion"};
inline constexpr RT kDescribeKeyUnresolved{
    "ID-14", EC::kKmsNotFoundException,
    "kms key `{text}` does not exist or is not visible to account {account} in {region}"};
inline constexpr RT kDescribeOtherAwsManagedKey{
    "KMS-1", EC::kKmsNotFoundException,
    "kms key `{text}` does not exist or is not visible to account {account} in {region}"};
inline constexpr RT kDescribeKeyNotAllowed{
    "KMS-5", EC::kKmsNotFoundException,
    "kms key `{text}` does not exist or is not visible to account {account} in {region}"};
inline constexpr RT kTagImageNotFound{"ID-4", EC::kInvalidAMIIDNotFound,
                                      "resource {image} does not exist in {region}"};
inline constexpr RT kTagImageNotVisible{"SHARE-13", EC::kInvalidAMIIDNotFound,
                                        "resource {image} does not exist in {region}"};
inline constexpr RT kTagSnapshotNotFound{"ID-4", EC::kInvalidSnapshotNotFound,
                                         "resource {snapshot} does not exist in {region}"};
inline constexpr RT kTagSnapshotNotVisible{"SHARE-13", EC::kInvalidSnapshotNotFound,
                                           "resource {snapshot} does not exist in {region}"};
inline constexpr RT kTagInstanceNotFound{"ID-4", EC::kInvalidInstanceIDNotFound,
                                         "resource {instance} does not exist in {region}"};
inline constexpr RT kTagsOfOwner{"SHARE-13", EC::kAuthFailure,
                                 "account {account} owns {text}: its tags are the resource's own"};
inline constexpr RT kTagsOfRecipient{
    "SHARE-13", EC::kAuthFailure,
    "account {account} sees {text} of account {owner}: the tags it puts on it are visible only to "
    "it"};
inline constexpr RT kTooManyTags{"SHARE-13", choices::kTooManyTags,
                                 "a resource can have at most 50 tags; got {number}"};

// ---- Settings, Allowed AMIs and the Recycle Bin (KMS-2, KMS-3, SHARE-18, SNAP-3, GOV-7, DEREG-9,
// DEREG-10) ----
inline constexpr RT kEncryptionByDefaultSet{
    "KMS-3", EC::kInvalidParameterValue,
    "account {account} sets its ebs encryption by default in {region}"};
inline constexpr RT kDefaultKeyReset{
    "KMS-2", EC::kInvalidParameterValue,
    "account {account} makes its aws managed key {key} the default ebs key in {region}"};
inline constexpr RT kImageBlockSet{
    "SHARE-18", EC::kInvalidParameterValue,
    "account {account} sets its block public access for AMIs in {region}"};
inline constexpr RT kSnapshotBlockSet{
    "SNAP-3", EC::kInvalidParameterValue,
    "account {account} sets its snapshot block public access in {region}"};
inline constexpr RT kDefaultKeySet{
    "KMS-2", EC::kKmsNotFoundException,
    "kms key {key} becomes the default ebs key of account {account} in {region}"};
inline constexpr RT kDefaultKeyNotFound{
    "KMS-2", EC::kKmsNotFoundException,
    "alias `{text}` does not exist in account {account} in {region}"};
inline constexpr RT kDefaultKeyNotSymmetric{
    "KMS-2", EC::kInvalidParameterValue,
    "kms key {key} is not a symmetric encryption key; ebs supports only those"};
inline constexpr RT kAllowedImagesSet{
    "GOV-7", EC::kInvalidParameterValue,
    "account {account} sets its allowed AMIs in {region}"};
inline constexpr RT kRuleCreated{
    "DEREG-9", choices::kRuleNotFound,
    "account {account} creates a recycle bin rule in {region}"};
inline constexpr RT kRuleHeld{
    "DEREG-9", choices::kRuleNotFound,
    "recycle bin rule {text} of account {account} in {region} may be changed"};
inline constexpr RT kRuleNotFound{
    "DEREG-9", choices::kRuleNotFound,
    "recycle bin rule `{text}` does not exist in account {account} in {region}"};
// {text}: the rule id in backticks and its lock state, "`…` is locked".
inline constexpr RT kRuleLockedDelete{
    "DEREG-9", choices::kRuleLocked,
    "recycle bin rule {text}: it can be deleted only once unlocked (DEREG-9)"};
inline constexpr RT kRuleLockedLock{"DEREG-9", choices::kRuleLocked,
                                    "recycle bin rule {text}: only an unlocked rule can be locked"};
inline constexpr RT kRuleNotLocked{"DEREG-9", choices::kRuleLocked,
                                   "recycle bin rule {text}: only a locked rule can be unlocked"};
inline constexpr RT kBinImageRestored{
    "DEREG-10", EC::kInvalidAMIIDNotFound,
    "image {image} is in the recycle bin of account {account} in {region}, its snapshots "
    "restored and its name free"};
inline constexpr RT kBinImageNotFound{
    "DEREG-10", EC::kInvalidAMIIDNotFound,
    "image {image} is not in the recycle bin of account {account} in {region}"};
// {text}: where the snapshot is, "in the recycle bin" or "deleted for good".
inline constexpr RT kRestoreSnapshotsFirst{
    "DEREG-10", choices::kRestoreSnapshotsFirst,
    "image {image} cannot be restored: its snapshot {snapshot} is {text}; restore its snapshots "
    "first (DEREG-10)"};
// {text}: the name in backticks and the image now using it, "`…` is now used by `ami-…`".
inline constexpr RT kRestoreNameInUse{"REG-6", EC::kInvalidAMINameDuplicate,
                                      "image {image} cannot be restored: its name {text}"};
inline constexpr RT kBinSnapshotRestored{
    "DEREG-10", EC::kInvalidSnapshotNotFound,
    "snapshot {snapshot} is in the recycle bin of account {account} in {region}"};
inline constexpr RT kBinSnapshotNotFound{
    "DEREG-10", EC::kInvalidSnapshotNotFound,
    "snapshot {snapshot} is not in the recycle bin of account {account} in {region}"};

// ---- IAM: identity policies, boundaries, service control policies (IAM-1, IAM-2, IAM-7) ----
// {text}: AWS's denial message ("User: arn:… is not authorized to perform: …").
inline constexpr RT kIamDenies{"IAM-7", EC::kUnauthorizedOperation, "{text}"};
inline constexpr RT kScpDenies{"IAM-2", EC::kUnauthorizedOperation, "{text}"};
// {text}: the denial message, then the conditions the model cannot evaluate.
inline constexpr RT kIamAllowsOnlyIf{"IAM-7", EC::kUnauthorizedOperation, "{text}"};
// {text}: the condition key.
inline constexpr RT kIamContextConflict{
    "IAM-7", choices::kInconsistentValues,
    "the value given for condition key {text} disagrees with what the cloud holds for it"};
// {text}: the principal's ARN.
inline constexpr RT kUnknownPrincipal{
    "IAM-7", EC::kUnauthorizedOperation,
    "principal {text} of account {account} is not one the cloud holds: its policies are unknown"};

// The same denials of a KMS or Recycle Bin call, which those APIs answer AccessDeniedException.
inline constexpr RT kIamDeniesAccess{"IAM-7", EC::kAccessDeniedException, "{text}"};
inline constexpr RT kScpDeniesAccess{"IAM-2", EC::kAccessDeniedException, "{text}"};
inline constexpr RT kIamAllowsOnlyIfAccess{"IAM-7", EC::kAccessDeniedException, "{text}"};
inline constexpr RT kUnknownPrincipalAccess{
    "IAM-7", EC::kAccessDeniedException,
    "principal {text} of account {account} is not one the cloud holds: its policies are unknown"};
// KMS-5: a KMS operation on a key that its key policy does not allow the caller (neither the
// principal itself nor its account, which would let IAM decide), or that it denies.
// {text}: AWS's message.
inline constexpr RT kKeyPolicyDeniesCall{"KMS-5", EC::kAccessDeniedException, "{text}"};

}  // namespace ami::reasons

#endif  // AMI_LIB_POLICY_REASONS_H_
