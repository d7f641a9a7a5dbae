#include "ami/tools/modelling_choices.h"

#include <iterator>
#include <vector>

namespace ami {
namespace {

// The table itself, in id order. scripts/readme_choices prints the README list from it.
constexpr ModellingChoice kChoices[] = {
  {"MC-1", "ID-1, ID-2",
   "Resource ids are a prefix (ami-, snap-, i-, vol-) and exactly 8 or 17 lowercase hex "
   "digits; uppercase or any other length is the kind's *.Malformed code."},
  {"MC-2", "ID-12, ID-15",
   "KMS key ids are lowercase 8-4-4-4-12 UUIDs or mrk- and 32 lowercase hex digits."},
  {"MC-3", "ID-6, ID-7, DESC-2",
   "A malformed account id is InvalidUserID.Malformed, except in a launchPermission entry, "
   "where it (like a group other than all) is InvalidAMIAttributeItemValue."},
  {"MC-4", "ID-12, ID-13, ID-14",
   "KMS identifiers fail with KMS's own codes: a malformed key id or alias name is "
   "NotFoundException, a malformed KMS ARN InvalidArnException, and a new alias under "
   "alias/aws/ (or malformed) InvalidAliasNameException."},
  {"MC-5", "ID-16, SHARE-7",
   "A malformed organization or OU id or ARN, including a bare o-/ou- id where an ARN is "
   "required, is InvalidParameterValue."},
  {"MC-6", "SHARE-9, SHARE-10",
   "More than 1,000 sharing entities (accounts, organizations, OUs) on one image is "
   "ResourceLimitExceeded."},
  {"MC-7", "SHARE-13",
   "Tag keys are 1-128 and values 0-256 Unicode characters of valid UTF-8; a bad, duplicate "
   "or user-created aws: key is InvalidParameterValue; more than 50 user tags is "
   "TagLimitExceeded; aws: system tags do not count toward the 50."},
  {"MC-8", "-",
   "Bytes or JSON text that cannot be decoded at all fail with SerializationException "
   "(canonical code DATA_LOSS); decodable but invalid content fails with the code of the "
   "check it breaks."},
  {"MC-9", "ID-8, ID-9, ID-10",
   "The Region catalogue is the commercial partition (34 Regions) with their AZ letters and "
   "AZ ids; GovCloud, China, Local Zones, Wavelength Zones and Outposts are unknown "
   "(InvalidRegion, InvalidZone.NotFound). Per-account AZ name mapping is not modelled."},
  {"MC-10", "ID-17, CREATE-6",
   "Structural checks use the generic EC2 codes: out-of-range or malformed values "
   "(descriptions over 255 characters, volume sizes outside 1-65536 GiB, instance types, "
   "product codes, an owner listed in its own permissions) are InvalidParameterValue; "
   "values that contradict each other InvalidParameterCombination; a missing one "
   "MissingParameter."},
  {"MC-11", "CREATE-2, CREATE-4, CREATE-17",
   "Image consistency is file-system-consistent (stopped instance, or running instance that "
   "EC2 reboots) or crash-consistent (NoReboot on a running instance, or an instance stuck "
   "stopping); images registered from snapshots, or read without the field, are unknown. "
   "Copies keep their source's consistency."},
  {"MC-13", "CREATE-16",
   "DryRunOperation is reported with canonical code FAILED_PRECONDITION (HTTP 412)."},
  {"MC-14", "-",
   "Reading the wire form, an empty enum field takes the builder default (state available / "
   "completed / running, root device ebs, architecture x86_64, virtualization hvm, volume "
   "type gp3)."},
  {"MC-15", "DEREG-8",
   "A disabled image that still has launch permissions is refused as inconsistent "
   "(InvalidParameterCombination)."},
  {"MC-16", "CREATE-2",
   "CreateImage on an instance that is pending, shutting-down or terminated is "
   "IncorrectInstanceState; stopping is allowed."},
  {"MC-17", "CREATE-3",
   "CreateImage on an instance-store-backed instance is UnsupportedOperation."},
  {"MC-18", "KMS-12, LAUNCH-10",
   "KmsKeyId without Encrypted=true is InvalidParameterCombination."},
  {"MC-19", "COPY-6",
   "CopyImage of another account's AMI without read permission on every snapshot is "
   "AuthFailure (\"You do not have permission to access the storage of this ami\")."},
  {"MC-20", "COPY-12",
   "CopyImage of another account's AMI that carries an AWS Marketplace product code is "
   "OperationNotPermitted; other product code types and billing codes do not block a copy."},
  {"MC-21", "SHARE-15",
   "Making an AMI with an AWS Marketplace product code public is UnsupportedOperation."},
  {"MC-22", "SHARE-9, SHARE-10",
   "A sixth public AMI in a Region, or more than 1,000 sharing entities, is "
   "ResourceLimitExceeded."},
  {"MC-23", "SNAP-3",
   "Making a snapshot public while snapshot block public access is block-new-sharing or "
   "block-all-sharing is OperationNotPermitted; block-all-sharing also makes public snapshots "
   "unreadable to other accounts."},
  {"MC-24", "DEREG-6",
   "Deregistering an image with deregistration protection, or in its 24-hour cooldown, is "
   "OperationNotPermitted."},
  {"MC-25", "SHARE-8",
   "CancelImageLaunchPermission by an account without a direct account share is "
   "InvalidParameterValue."},
  {"MC-26", "KMS-1, ID-14",
   "Managing (policy, grants, aliases, state) a key the caller does not own is "
   "NotFoundException; changing an AWS managed key is OperationNotPermitted. AWS managed "
   "aws/ebs keys exist in every account and Region from the start, with ids derived from the "
   "seed."},
  {"MC-27", "-",
   "A decision that could not be evaluated at all, or that holds no permit, denies and is "
   "reported as InvalidRequest."},
  {"MC-28", "KMS-5, IAM-1, IAM-2",
   "A call that names no principal (CallContext::principal) is made as the account's root "
   "user: it needs no identity policy, though service control policies bind it. Key use is "
   "decided by the key's state, its key policy and grants, and for a call as a principal (or "
   "in an account SCPs govern) by that principal's identity policies, boundary and SCPs for "
   "the KMS actions EC2 performs (kms:Decrypt, kms:CreateGrant, …). The public preflight "
   "functions (policy::EvaluateLaunch, EvaluateCopy, EvaluateKeyUse) ask as the root user; "
   "iam::Explain asks as a principal."},
  {"MC-29", "KMS-11, LAUNCH-9, COPY-11",
   "KMS failures are reported later: the preflight Decision denies with "
   "CustomerKeyHasBeenRevoked marked as later; the call succeeds, then AdvanceClock() fails "
   "the copy (image failed, state reason Client.CustomerKeyHasBeenRevoked; snapshots error) "
   "or terminates the instance (state reason Client.InternalError)."},
  {"MC-30", "COPY-8, COPY-9, KMS-3",
   "A copy of an encrypted snapshot the caller owns in the destination Region keeps its key; "
   "any other encrypted copy (shared, or cross-Region) gets the destination's default key "
   "unless KmsKeyId is given. With encryption by default on, Encrypted=false is overridden."},
  {"MC-31", "COPY-4, COPY-5, CREATE-12",
   "A copy drops launch permissions, deprecation time, deregistration protection, last "
   "launched time and source instance; it keeps product codes, billing details, "
   "architecture, boot mode, IMDS support and consistency."},
  {"MC-32", "RunInstances",
   "RunInstances' Encrypted and KmsKeyId apply to every EBS volume of the image; an "
   "availability zone outside the called Region is InvalidParameterValue; stopping is "
   "immediate, starting and launching take Options::instance_pending."},
  {"MC-33", "CREATE-15",
   "At most one NoReboot CreateImage per instance may be pending; a second is "
   "ConcurrentCreateImageNoRebootLimitExceeded."},
  {"MC-34", "SHARE-4, LAUNCH-3",
   "Sharing a deregistered or disabled image is InvalidAMIID.Unavailable; adding the owner "
   "to its own launch permissions is ignored; only available images launch or copy."},
  {"MC-35", "CREATE-17",
   "RegisterImage needs each snapshot to be the caller's, shared with it, or public "
   "(createVolumePermission); otherwise InvalidSnapshot.NotFound."},
  {"MC-36", "SHARE-11, SHARE-12, COPY-6",
   "Importing AWS CLI output, a snapshot that an image of another account maps and that no "
   "describe-snapshots output describes becomes a placeholder: owned by the image's owner, in "
   "its Region, with the mapping's size and encryption (its key, else the owner's aws/ebs "
   "key), public when the image is public. The importing account's own images get none: a "
   "snapshot of theirs that is not described is InvalidSnapshot.NotFound."},
  {"MC-37", "SHARE-3, SHARE-5",
   "ModifyImageAttribute with no attribute is MissingParameter; launch permissions together "
   "with another attribute is InvalidParameterCombination; a non-owner's modify, reset, "
   "describe-attribute or deregister is AuthFailure."},
  {"MC-38", "SHARE-17",
   "Sharing an encrypted image checks no KMS access; a recipient without use of the key "
   "learns it at launch or copy, later (MC-29)."},
  {"MC-39", "COPY-18, COPY-19",
   "A copy's name must be unused by the caller in the destination Region "
   "(InvalidAMIName.Duplicate). A cross-account, cross-Region copy needs launch permission, "
   "read permission on every snapshot and use of the source key in the source Region, and "
   "use of the destination key."},
  {"MC-40", "REG-6, ID-4, ASYNC-5",
   "There are no propagation delays: a deregistered image's name is reusable at once, new "
   "ids are visible at once, and grants and policies take effect at once."},
  {"MC-41", "CREATE-13, CREATE-14",
   "CreateImage gives the new image the instance's product codes and billing details, which "
   "the instance took from its image at launch."},
  {"MC-42", "KMS-14, KMS-15",
   "A replica key gets the default policy (its owner only), no grants and no description; "
   "enabling or disabling a key pending deletion is KMSInvalidStateException."},
  {"MC-43", "DEREG-8, LAUNCH-6",
   "DisableImage needs an available image and EnableImage a disabled one; otherwise "
   "InvalidAMIID.Unavailable. Launching a disabled image is InvalidAMIID.Unavailable for its "
   "owner and AuthFailure for anyone else, since it is private. A disabled image keeps its "
   "name and its snapshots stay in use."},
  {"MC-44", "DEREG-7, SHARE-21",
   "A deprecation time in the past, over 10 years ahead, or later than two years after a "
   "public image's creation is InvalidParameterValue; cancelling a public image's "
   "deprecation is OperationNotPermitted. Making an image public sets its deprecation to "
   "creation + 2 years unless it is earlier; the later removal of sharing from old public "
   "images is not modelled."},
  {"MC-45", "DEREG-9, DEREG-10",
   "Recycle Bin: an unknown rule is InvalidParameterValue; deleting, locking or unlocking a "
   "rule in the wrong lock state is OperationNotPermitted; restoring an image whose snapshot "
   "is not restored is InvalidSnapshot.NotFound. When several rules retain a resource the "
   "longest retention applies. An image in the bin does not hold its name (open question "
   "5): restoring it after the name was reused is InvalidAMIName.Duplicate. Restored "
   "snapshots are completed at once; instance-store images are never retained."},
  {"MC-46", "DESC-2, DESC-4, DESC-5, DESC-6, DESC-12",
   "DescribeImages and DescribeSnapshots: an unknown filter, a filter without values or a "
   "NextToken not made for the same request is InvalidParameterValue; MaxResults must be "
   "5-1000 and cannot be combined with ids (InvalidParameterCombination); at most 1,000 "
   "ids, 50 filters and 200 values per filter. One missing or invisible id fails the whole "
   "call (InvalidAMIID.NotFound, open question 11); a deregistered id is left out. `?` "
   "matches zero or one character, as the user guide says."},
  {"MC-47", "DESC-6",
   "Filters the model does not hold a value for: hypervisor is xen, image-type machine, "
   "free-tier-eligible false; kernel-id, ramdisk-id and sriov-net-support match nothing; "
   "manifest-location is the owner alias (else the owner id), a slash and the name; "
   "image-allowed matches nothing while Allowed AMIs is disabled. Snapshots carry no owner "
   "alias, so DescribeSnapshots with owner amazon or an owner-alias filter finds nothing."},
  {"MC-48", "DESC-10",
   "Another account's image is shown with the caller's own tags, the public flag as its only "
   "launch permission, no deregistration protection and no last launched time (open question "
   "8); its deprecation time is shown. Another account's snapshot likewise shows only the "
   "caller's tags and the public flag."},
  {"MC-49", "COPY-16, GOV-8, GOV-9",
   "CopyImage asks the Allowed AMIs setting of the caller in the source Region, where the "
   "image is found. ImageProviders amazon matches images with the amazon owner alias (the "
   "model has no verified-provider list); image names match with `*` and `?` (one "
   "character); MaximumDaysSinceDeprecated N keeps images deprecated less than N days ago."},
  {"MC-50", "SHARE-18, ASYNC-4",
   "EnableImageBlockPublicAccess takes effect exactly 10 minutes later on the cloud's clock, "
   "and GetImageBlockPublicAccessState says unblocked until then; disabling takes effect at "
   "once and cancels a pending enable."},
  {"MC-51", "DEREG-6",
   "Enabling deregistration protection again during a cooldown ends the cooldown: "
   "protection is in force, and a later disable starts over (with a new cooldown only if "
   "the protection was enabled with one)."},
  {"MC-52", "SHARE-19",
   "Importing a public image turns image block public access off for its owner and Region "
   "unless the account has enabled or disabled it itself; other settings do not count."},
  {"MC-53", "-",
   "Input larger than a documented limit (ami/errors.h: a JSON value over 16 MiB, an AWS "
   "CLI file over 256 MiB, a key policy over 32 KiB, a scenario over 16 MiB or 100,000 "
   "steps, a state file over 64 GiB, JSON nested deeper than 64 or that would take more "
   "than 8 times its size plus 1 MiB once decoded) is ResourceLimitExceeded, before it is "
   "read or decoded; so is a scenario step that would leave the scenario more than 100,000 "
   "images, snapshots, instances and KMS keys of its own. A state-file record that claims "
   "more than 64 MiB is refused as corrupt (SerializationException) before anything is "
   "allocated."},
  {"MC-54", "-",
   "A fleet spec the generator cannot honour (negative counts, more than 10 million accounts "
   "or images or 100 million instances, fractions outside [0, 1], "
   "share or encryption fractions summing past 1, volumes outside 1-4, more than 50 tags, "
   "a Region named twice) is InvalidParameterValue; an unknown Region is InvalidRegion. "
   "Generated organization and OU shares of standalone owners become account shares, and "
   "only private images are encrypted with an AWS managed key, since AWS cannot share them "
   "(KMS-1)."},
  {"MC-55", "KMS-4, KMS-5, KMS-6, KMS-7",
   "Key policies are JSON documents evaluated by the one evaluator of AWS's policy language "
   "(MC-61, MC-62): every condition operator, IfExists, ForAnyValue:/ForAllValues: and policy "
   "variables. A condition on a fact the model cannot know never lets an Allow apply and "
   "always lets a Deny apply, and the explanation names it. A key made without a policy has "
   "the default key policy (its account, kms:*); KeyPolicyStatement lists are added after "
   "it, a JSON document (KeyPolicy::Parse, get-key-policy) is the whole policy."},
  {"MC-56", "KMS-4, KMS-5",
   "A call without a principal is the account's root user: a key-policy statement naming an "
   "IAM user or role of its account neither grants nor denies it; a call made as that "
   "principal is matched by its ARN, and across accounts its identity policy must allow "
   "too. A grant names an account: like a key policy naming the account, it delegates to "
   "IAM, so a user or role needs its identity policy too (the root user does not). Service, "
   "Federated and CanonicalUser principals never name an EC2 caller; NotPrincipal and "
   "NotAction are evaluated as AWS documents."},
  {"MC-57", "KMS-1, KMS-2, SHARE-16, SNAP-2",
   "AWS managed keys are imported with their real ids and used only by their own account. "
   "An account's aws/ebs key is the key kms list-aliases names alias/aws/ebs, else the AWS "
   "managed key described as \"Default key that protects my EBS volumes when no other key "
   "is defined\" (or the former \"Default master key ...\"), else one derived from the "
   "seed; an imported alias that names a key of another kind, account or Region is "
   "InvalidParameterCombination. Sharing an image or snapshot encrypted under a key the "
   "state does not hold is refused, since it may be an AWS managed key: InvalidParameter "
   "for an image (SHARE-16), OperationNotPermitted for a snapshot (SNAP-2)."},
  {"MC-58", "SHARE-14, SHARE-16",
   "A snapshot is the truth of its image's encryption: an image whose EBS mapping disagrees "
   "with its snapshot on encryption or key is refused on import and on load "
   "(InvalidParameterCombination), and an image mapping a snapshot the state does not hold "
   "cannot be made public or shared (InvalidSnapshot.NotFound)."},
  {"MC-59", "-",
   "Input is read strictly: a JSON boolean is true or false (or the string \"true\" or "
   "\"false\"), anything else InvalidParameterValue naming its path; a NUL character or "
   "invalid UTF-8 in JSON or scenario text is SerializationException; state-file records "
   "out of the order of state.proto are SerializationException; a scenario clock move that "
   "is negative, infinite or over 100 years is InvalidParameterValue."},
  {"MC-60", "COPY-6, DESC-1, DESC-4, LAUNCH-4, SHARE-4, DEREG-1",
   "CopyImage of an image the caller cannot see (it neither owns it nor has launch "
   "permission) answers InvalidAMIID.NotFound, as DescribeImages does for its id, so a copy "
   "never tells an account that an image exists. RunInstances answers AuthFailure \"Not "
   "authorized for images\" and the owner's operations (modify, reset, describe attribute, "
   "deregister, deprecate, disable, protect) AuthFailure \"Not authorized for image\", "
   "whether or not the caller can see the image, as observed (LAUNCH-4, SHARE-4, DEREG-1)."},
  {"MC-61", "IAM-1, KMS-4",
   "A policy document of any kind that breaks the grammar is MalformedPolicyDocument, "
   "naming the statement and element: not JSON, a duplicate key, an unknown element, an "
   "Effect other than Allow or Deny, not exactly one of Action/NotAction or "
   "Resource/NotResource (Resource is required in every kind), a Principal outside a key "
   "policy or none in one, a Version other than 2012-10-17 or 2008-10-17 (an SCP must be "
   "2012-10-17), a condition value its operator cannot read. Bounds above every size AWS "
   "accepts: 131,072 bytes, 1,000 statements, 1,000 values per condition key, 256-byte "
   "condition keys, JSON nested 16 deep, 20,000 JSON values."},
  {"MC-62", "IAM-1",
   "Condition values the documentation leaves open: a request value its operator cannot "
   "read (not a number, date, boolean or IP address) makes the condition unknown, for "
   "negated operators too; a key with several values under an operator without "
   "ForAnyValue/ForAllValues gives the answer all its values agree on, else unknown; an "
   "empty list of values is absent; operator names are case-sensitive; dates are ISO 8601 "
   "with a zone (or a date alone, midnight UTC) or whole epoch seconds; a `*` or `?` that "
   "a policy variable substitutes matches only itself."},
  {"MC-63", "IAM-1, KMS-4",
   "NotPrincipal exempts a user or role only when it lists the principal and its account "
   "(AWS evaluates the account as a principal of the request too); a role session matches "
   "a statement naming its role."},
  {"MC-64", "IAM-3",
   "ec2:Owner is amazon for images of Amazon, aws-marketplace for Marketplace images, and "
   "the owner's account id otherwise; ec2:ImageType is machine."},
  {"MC-65", "IAM-1, IAM-2",
   "Setting IAM up fails as setting organizations up does: a malformed name, path or policy "
   "id, an unknown organization or a target outside the policy's organization is "
   "InvalidParameterValue; attaching an attached policy, detaching one that is not, or "
   "detaching a target's last policy is InvalidParameterCombination (AWS Organizations: "
   "DuplicatePolicyAttachmentException, PolicyNotAttachedException, "
   "ConstraintViolationException)."},
  {"MC-66", "IAM-7",
   "A call whose principal the cloud does not hold, or that belongs to another account, is "
   "UnauthorizedOperation: its policies are unknown. IAM is asked first: an operation IAM "
   "denies answers UnauthorizedOperation before any resource check (a missing image, "
   "AuthFailure)."},
  {"MC-67", "IAM-3, IAM-6",
   "The resources each call authorizes: RunInstances the image, and instance, volume, "
   "network-interface, security-group and subnet as arn:aws:ec2:<region>:<account>:<type>/* "
   "(ids the model does not hold; the instance with ec2:InstanceType and the request's "
   "tags); CreateImage the new image (image/*, with the request's tags), the instance and "
   "snapshot/*; CopyImage the new image/* and snapshot/* and the source image; "
   "ModifyImageAttribute and DeregisterImage the image, ModifyImageAttribute with "
   "ec2:Attribute launchPermission, description (and ec2:Attribute/Description) or "
   "imdsSupport."},
  {"MC-68", "IAM-2",
   "An organization's accounts are bound by service control policies once it holds one of "
   "its own; p-FullAWSAccess is attached to its root, every OU and every account until "
   "detached. An import whose list-roots output shows SERVICE_CONTROL_POLICY in the root's "
   "PolicyTypes (ENABLED, PENDING_ENABLE or PENDING_DISABLE) is refused unless `aws "
   "organizations list-policies --filter SERVICE_CONTROL_POLICY` output lists its SCPs; one "
   "that shows RESOURCE_CONTROL_POLICY there is refused, as resource control policies are not "
   "modelled. A root with empty PolicyTypes, or without the key (a hand-written file), is "
   "taken to enable no SCPs, and its accounts are not governed by SCPs."},
  {"MC-69", "IAM-7",
   "Every operation asks IAM when called as a principal (and the service control policies "
   "of an account they govern when called as its root user). Describe and list actions, the "
   "account's EBS encryption, block public access and Allowed AMIs settings, and CreateKey "
   "are asked on resource \"*\" (DescribeImageAttribute too, which AWS's tables leave "
   "unclear); a call carrying tags also needs ec2:CreateTags with ec2:CreateAction on what "
   "it creates. KMS and Recycle Bin refusals are AccessDeniedException, EC2's "
   "UnauthorizedOperation. KMS operations on a key need its key policy (directly, or through "
   "the account so that IAM decides) except for the key's own account called as its root "
   "user, as before. Recycle Bin rules are asked as rbin:CreateRule, DeleteRule, LockRule "
   "and UnlockRule on the rule's ARN. ListImagesInRecycleBin and ListSnapshotsInRecycleBin "
   "have no error to report: a caller IAM refuses is shown an empty list. kms:GrantOperations, "
   "kms:GranteePrincipal, kms:KeySpec and a key's tags are not in the context: conditions on "
   "them never allow."},
  {"MC-70", "IAM-7",
   "The policy simulator (iam::Simulate, amictl simulate) answers a principal the cloud "
   "does not hold with NoSuchEntity, as IAM's simulate-principal-policy does, where a call "
   "by it is UnauthorizedOperation (MC-66). Its EvalDecision is never allowed while a "
   "condition on a key the model does not know could change the answer: implicitDeny when "
   "an Allow needs the key, explicitDeny when a Deny may apply, with the keys in "
   "MissingContextValues. Statements are named by position and Sid; line and column are "
   "not kept."},
  {"MC-71", "GOV-5",
   "ec2-instance-launched-with-allowed-ami is NON_COMPLIANT only when the instance's AMI "
   "fails the Allowed AMIs criteria and the setting is not disabled: with the setting "
   "disabled an instance is COMPLIANT; in audit mode an AMI that fails the criteria is "
   "NON_COMPLIANT; an AMI the cloud no longer holds is NON_COMPLIANT while the setting is on, "
   "and a deregistered one is judged on its stored fields. InstanceStateNameList defaults to "
   "running and stopped; instances in other states are NOT_APPLICABLE."},
  {"MC-72", "GOV-3",
   "Config rules evaluate every recorded instance (pending, running, shutting-down, "
   "stopping, stopped); terminated instances have no result. In approved-amis-by-tag a "
   "key:value entry splits at its first colon and whitespace around entries is trimmed; "
   "empty amiIds entries are skipped. Rule parameters that are malformed or unknown are "
   "InvalidParameterValue, a missing amiIds or amisByTagKeyAndValue MissingParameter, text "
   "that is not JSON (or nests deeper than 64 levels) SerializationException, and "
   "describe-config-rules output over 4 MiB (InputParameters over 64 KiB) "
   "ResourceLimitExceeded."},
  {"MC-73", "-",
   "Importing AWS CLI output, a record whose id an earlier record of the import had (the same "
   "image, snapshot, instance, KMS key or grant in two files, as overlapping describe-* runs "
   "print them) is read once when the two are the same value, and refused with "
   "InvalidParameterValue, naming both files and the id, when they differ (another Region, "
   "another description, another grantee): AWS cannot have printed both, and which is newer "
   "is unknown. A key policy, and an account's EBS encryption by default, image block public "
   "access state or default EBS key in a Region, read twice must agree likewise."},
  {"MC-74", "DEREG-7, ASYNC-1",
   "An imported cloud's clock is when the data was taken: the newest time its inputs "
   "observed (an image's CreationDate or LastLaunchedTime, a snapshot's StartTime, an "
   "instance's LaunchTime or LastRebootTime, a KMS key's CreationDate; never a DeprecationTime "
   "or DeletionDate, "
   "which may lie ahead), or the time the caller gives (amictl import --now), which may not "
   "be earlier than that (InvalidParameterValue); inputs that observed no time keep "
   "Cloud::Options::start_time. Deprecations and ages are judged at that clock."},
  {"MC-75", "-",
   "libami's JSON follows what AWS prints: a time the value does not hold (an unset creation, "
   "start or launch time, kept as the Unix epoch) is omitted, never printed as 1970-01-01; "
   "timestamps may be read as ISO 8601 text or as epoch seconds (AWS CLI v1), from 0 to "
   "253402300799; a value of the wrong JSON type is SerializationException naming its path in "
   "AWS's field names (KeyMetadata.CreationDate), except in a bool field, and an epoch time "
   "out of range, negative, NaN or Infinity InvalidParameterValue. Region, Consistency, SourceSnapshotId, a key's Policy, "
   "PolicyDocument and Grants, and an instance volume's size, encryption and snapshot are "
   "libami's own fields, which AWS does not print there."},
  {"MC-76", "GOV-1, GOV-6",
   "The audit (Audit, amictl audit) refuses with InvalidParameterValue a --rule entry that "
   "is neither a finding kind, a rulebook id nor a given Config rule's name, an unknown "
   "severity, and an --now time before the state's clock: the clock only moves forward, so "
   "that deprecations already judged are never undone. Severities are fixed per kind: a "
   "public snapshot critical; a public image and an image or snapshot shared outside its "
   "owner's organization high; an image that cannot be shared (AWS managed key) or whose "
   "recipients cannot use its key medium; a crash-consistent image and an instance running "
   "a deprecated image low; an instance running an image the state does not hold info; a "
   "Config NON_COMPLIANT snapshot critical, instance high, account medium."},
  {"MC-77", "GOV-3",
   "The audit's default scope is the accounts the state holds (organization members, "
   "accounts added or holding IAM principals). An AWS CLI import adds no account for its "
   "files, since that would assert the account belongs to no organization; a state that "
   "holds none is about the owners of its instances and KMS keys, without any the owners of "
   "its images and snapshots that are not public, without any every owner. Resource findings "
   "are about resources the audited accounts own; another account's image is a finding only "
   "through an instance of an audited account that runs it (a Config rule, a deprecation)."},
  {"MC-78", "GOV-1",
   "Config rule verdicts are the policy engine's decisions (allow = COMPLIANT, deny = "
   "NON_COMPLIANT, the first reason the annotation). No call fails with them; their reasons "
   "carry InvalidParameterValue only because every reason names an error code."},
  {"MC-79", "GOV-9",
   "DescribeInstanceImageMetadata answers for the caller's instances in the Region, sorted by "
   "id, without pages (MaxResults and NextToken are not modelled). An instance whose image the "
   "cloud does not hold is described by its image id alone, with ImageAllowed unset: the "
   "image-allowed filter counts it as false, never as true. The owner-id filter matches the "
   "instance's owner and owner-alias the image owner's alias (BELIEVED); zone-id and other "
   "names are InvalidParameterValue."},
  {"MC-80", "-",
   "amictl reports an option its subcommand does not take, a flag given a value, an option "
   "without its value, an --output other than text or json, and a misspelled subcommand as "
   "InvalidParameter (exit 2, naming the nearest valid one). In explain --batch a line that "
   "is not JSON is SerializationException and a line over 65,536 bytes "
   "ResourceLimitExceeded; the run goes on with the next line."},
  {"MC-81", "BUILD-5, BACKUP-6",
   "Schedule expressions read in a time zone (ami/automation/schedule.h): a local time that a "
   "daylight-saving change skips does not fire, as EventBridge Scheduler documents, and one "
   "that it repeats fires once, at its first occurrence (BELIEVED: AWS says it runs once, not "
   "which); an at() on a skipped local time never fires. rate() counts minutes, hours and "
   "24-hour days from the schedule's creation; a DLM interval with a start time fires at that "
   "UTC time and every interval after it, whatever the creation time."},
  {"MC-82", "BUILD-5, BACKUP-6",
   "Cron forms AWS does not document are refused (InvalidParameterValue): L-n and LW in "
   "Day-of-month, ranges that run backwards (FRI-MON, 22-2), steps in Day-of-week, and L, nW, "
   "nL or n#k in a list; `L` alone in Day-of-week is Saturday. nW does not fire in a month "
   "shorter than n, and a day no month has (cron(0 0 31 2 ? *)) is accepted and never fires."},
  {"MC-83", "DEREG-5, BACKUP-2",
   "An image is managed by AWS Backup when it carries the aws:backup:source-resource tag "
   "(OBSERVED: tools that skip Backup's AMIs and snapshots filter on it); its name "
   "(AwsBackup_...) is not looked at, since any user may choose one. DeregisterImage of such an "
   "image is InvalidParameterValue, as DeleteSnapshot of a Backup-managed snapshot is OBSERVED to "
   "answer (BELIEVED for images, whose code AWS does not document), after the ownership checks "
   "and before deregistration protection; with DryRun it is the same error. DeleteSnapshot of a "
   "snapshot carrying the tag is the same error, after the ownership check (OBSERVED). Restored "
   "from the "
   "Recycle Bin, an image or snapshot loses the aws:backup: tags, and with them the management."},
  {"MC-84", "CREATE-4",
   "CreateImage without NoReboot on a running instance counts one reboot on the instance (its "
   "reboot count and last reboot time, at the call's time); the instance stays running, the call "
   "being one step where EC2 stops and starts it. NoReboot, a stopped or stopping instance, a "
   "refused call and a DryRun count none. The count stops at 4,294,967,295."},
  {"MC-85", "SHARE-13",
   "DeleteTags naming a key with the aws: prefix is InvalidParameterValue and deletes nothing: "
   "users can neither create nor delete AWS's tags."},
  {"MC-86", "BACKUP-1",
   "An AWS Backup selection assigns an instance of its plan's account and Region when it "
   "matches Resources (every instance when empty; ARNs or * with * wildcards) AND any "
   "ListOfTags entry (when given) AND every Conditions entry, and no NotResources ARN "
   "(BELIEVED). ListOfTags takes a tag key or aws:ResourceTag/key, Conditions only "
   "aws:ResourceTag/key; StringLike patterns take *. A firing backs up each instance once, as "
   "the role of the first selection that assigns it, in instance id order; a terminated "
   "instance only when a selection names its ARN exactly (its job then fails)."},
  {"MC-87", "BACKUP-1",
   "AWS Backup's bounds (BELIEVED where AWS documents none): vault names 2-50 of letters, "
   "digits, - and _; plan, rule and selection names 1-50 of those and periods; 100 vaults and "
   "100 plans per account and Region, 10 rules per plan, 10 copy actions and 50 recovery point "
   "tags per rule, 50 selections per plan, 500 ARNs in Resources and in NotResources, 30 tag "
   "conditions; StartWindowMinutes 60 to 43,200, CompletionWindowMinutes at least "
   "StartWindowMinutes + 60; lifecycle days 0 to 36,500, DeleteAfterDays at least "
   "MoveToColdStorageAfterDays + 90 (accepted, but EC2 recovery points never move to cold "
   "storage); 10,000 jobs kept per account and Region. Invalid values are "
   "InvalidParameterValueException, missing ones MissingParameterValueException, a taken name "
   "AlreadyExistsException, a quota LimitExceededException, an unknown plan, vault or recovery "
   "point ResourceNotFoundException; a rule's target vault must exist when the plan is made. A "
   "vault without a key uses the account's aws/ebs key. DeleteBackupPlan removes its "
   "selections with it; its jobs under way and recovery points go on."},
  {"MC-88", "BACKUP-2",
   "An AWS Backup job starts at its firing (CREATED, then RUNNING at once: the start window "
   "never passes) with CreateImage NoReboot=true as the selection's role, named "
   "AwsBackup_<instance>_<job id>, tagged aws:backup:source-resource = the instance ARN (on "
   "copies too), and completes when the AMI is available. A refused call fails the job with "
   "the status message \"<ErrorCode>: <message>\" and a history record, never retried. "
   "DeleteAfterDays counts from completion; a lifecycle deletion that is refused leaves the "
   "recovery point EXPIRED. A copy of an AMI with a Marketplace product code into another "
   "account fails with InvalidRequestException before anything is shared."},
  {"MC-89", "BACKUP-3",
   "An AWS Backup copy into another account is shared first (launch permission and the "
   "snapshots' createVolumePermission, by the job's role), then copied as the destination "
   "account's root user with Encrypted=true and the destination vault's key; that root user "
   "also deletes it when its lifecycle ends. The calls AWS Backup makes as itself (lifecycle "
   "deletions and DeleteRecoveryPoint) carry aws:CalledVia = backup.amazonaws.com in the call's "
   "context. Restoring a recovery point is not modelled."},
  {"MC-90", "BACKUP-4",
   "EventBridge schedules (Automation::PutSchedule): one with a time zone is an EventBridge "
   "Scheduler schedule, one without a scheduled rule in UTC; at() needs a time zone (UTC for "
   "UTC). A malformed definition is ValidationException; a sixth action (AWS's five targets "
   "per rule) or a 301st schedule of one account and Region (the default 300 rules per event "
   "bus) is LimitExceededException; DeleteSchedule of a missing schedule is "
   "ResourceNotFoundException, as Scheduler's DeleteSchedule (EventBridge's DeleteRule "
   "succeeds). Actions are checked when put (BELIEVED: AWS reads a target's input only when it "
   "calls it): a CreateImage action names instances or instance tags, a copy or deregister "
   "action image tags; a KMS key needs encrypted; name prefixes are at most 86 AMI-name "
   "characters, tag lists at most 50 tags, older_than_days 1-36,525; a field of another kind "
   "of action is refused."},
  {"MC-91", "BACKUP-4, CREATE-4",
   "A schedule's firing runs its actions in order as its role (the account's root user when "
   "none), each EC2 call recorded in the history with OK or the refusal's code; a refused call "
   "does not stop the run. CreateImage images the named instances, else the running or "
   "stopped instances carrying every instance tag, by id, each AMI named prefix, firing time "
   "(yyyy-mm-ddThh-mm-ssZ), - and instance id, rebooting unless no_reboot. Deregister removes, "
   "with their snapshots, the account's images of the Region carrying every image tag created "
   "more than older_than_days x 24 hours before the firing. PutSchedule on an existing name "
   "replaces the schedule and restarts rate() from then; a DISABLED schedule does not fire; "
   "an at() schedule fires once and stays listed."},
  {"MC-92", "BACKUP-4, KMS-11",
   "A CopyImage action copies each available image of the account in the source Region that "
   "carries every image tag, once per schedule: a source it copied is not copied again, nor "
   "is a copy it made. A copy EC2 accepts but will fail (a KMS key the role cannot use, "
   "KMS-11) is recorded at once as failed, with the copy's id and the state reason it will get "
   "(Client.CustomerKeyHasBeenRevoked), and is not remembered: the next firing tries again."},
  {"MC-93", "BACKUP-1, BACKUP-5",
   "Importing automation definitions (dlm get-lifecycle-policy, backup get-backup-plan and "
   "get-backup-selection, list-backup-vaults) makes them through the Automation facade as the "
   "root user of the file's account in its Region, so they get the cloud's own ids: "
   "ImportAwsCli reports each file id with the id it became (amictl import prints them), and a "
   "selection names its plan by the file's BackupPlanId, which must be in the same import. A "
   "lifecycle policy whose State is ERROR is made ENABLED (the state asked for; the service "
   "judges it again). DateCreated, DateModified and CreationDate are checked, not kept. Wrong "
   "JSON types are SerializationException at their path, missing values MissingParameter, "
   "values and forms libami refuses InvalidParameterValue."},
  {"MC-94", "BACKUP-4",
   "An EventBridge Scheduler universal target arn:aws:scheduler:::aws-sdk:ec2:createImage "
   "imports as a CreateImage of the instance its Input names, acting as the target's RoleArn; "
   "its Name becomes the prefix of each image's name, followed by the firing time (AWS would "
   "refuse the second firing as a duplicate name, BELIEVED). ec2:copyImage and "
   "ec2:deregisterImage targets name one image, which libami's tag-selected copy and "
   "deregister actions cannot express: they are refused. A schedule with a StartDate or "
   "EndDate is refused; a FlexibleTimeWindow fires at the window's start."},
  {"MC-95", "BACKUP-4, BACKUP-5",
   "Unknown never allows in imported automation: a Lambda target is imported only when its "
   "constant Input is libami's action form (LibamiAction CreateImage, CopyImage or "
   "DeregisterOlderThan with its documented keys and the function's ExecutionRoleArn, which "
   "the actions act as), other targets, event-pattern rules and inputs taken from the event "
   "are refused naming the rule and target; fields that change what a definition acts on and "
   "that libami does not model (ShareRules, VariableTags, Exclusions, ExcludeBootVolume, "
   "outposts, scripts, event-based policies) are refused, not dropped, while FastRestoreRule, "
   "ArchiveRule, AdvancedBackupSettings, IndexActions and a rule's own RoleArn are ignored."},
  {"MC-96", "BACKUP-10",
   "A Data Lifecycle Manager policy whose firing has a call refused (IAM, KMS, a role the cloud "
   "does not hold, an instance state) goes to the ERROR state with the first refusal as its "
   "status message, and back to ENABLED after a firing with no refusal (BELIEVED: AWS documents "
   "the error state, not when it is entered or left). In ERROR it deletes nothing (count and age "
   "retention pause) unless a default policy has ExtendDeletion; creation is still attempted at "
   "each firing. Every call and its outcome is in Automation::History()."},
  {"MC-97", "BACKUP-5, BACKUP-9",
   "DLM's AMIs are named dlm-<policy id>-<instance id>-<yyyy-mm-ddThh-mm-ssZ> and carry the "
   "system tags aws:dlm:lifecycle-policy-id and aws:dlm:lifecycle-schedule-name (BELIEVED: the "
   "name format is not documented); a cross-Region copy keeps the source's name. Copies are made "
   "once the source AMI is available (the cloud's image_pending after the firing); a copy's age "
   "retention deletes every copy past its age, the last included. Policy ids are policy- and 17 "
   "hex digits from the cloud's seed."},
  {"MC-98", "BACKUP-5, BACKUP-10",
   "Only IMAGE_MANAGEMENT (AMI) custom policies and INSTANCE default policies run; snapshot and "
   "event-based policies are refused with InvalidRequestException. A default AMI policy targets "
   "every running or stopped instance of its Region (its Exclusions are not modelled), every "
   "CreateInterval days from its creation, and retains RetainInterval days. Target tags select "
   "an instance carrying any of them, key and value case-sensitive."},
};

}  // namespace

const std::vector<ModellingChoice>& ModellingChoices() {
  static const auto* choices =
      new std::vector<ModellingChoice>(std::begin(kChoices), std::end(kChoices));
  return *choices;
}

}  // namespace ami
