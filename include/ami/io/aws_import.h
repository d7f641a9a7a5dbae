// Importing what the AWS CLI prints into a new Cloud (target ami::proto).
//
// Each file is the JSON output of one CLI command, recognised by its top-level keys:
//   describe-images                      {"Images": [...]}
//   describe-snapshots                   {"Snapshots": [...]}
//   describe-instances                   {"Reservations": [{"OwnerId", "Instances": [...]}]}
//   describe-image-attribute             {"ImageId", "LaunchPermissions": [...]}
//   describe-snapshot-attribute          {"SnapshotId", "CreateVolumePermissions": [...]}
//   describe-key                         {"KeyMetadata": {...}}
//   get-key-policy                       {"Policy": "<IAM policy document>", "PolicyName"}
//   get-ebs-encryption-by-default        {"EbsEncryptionByDefault": true}
//   get-image-block-public-access-state  {"ImageBlockPublicAccessState": "block-new-sharing"}
//   get-ebs-default-kms-key-id           {"KmsKeyId": "alias/aws/ebs" or a key ARN}
//   kms list-aliases                     {"Aliases": [{"AliasName", "TargetKeyId"}]}
//   kms list-grants                      {"Grants": [{"KeyId", "GrantId", "GranteePrincipal",
//                                                     "Operations"}]}
//   iam get-account-authorization-details {"UserDetailList", "GroupDetailList",
//                                          "RoleDetailList", "Policies"}
//   organizations describe-organization  {"Organization": {"Id", "MasterAccountId"}}
//   organizations list-roots             {"Roots": [{"Id"}]}
//   organizations list-organizational-units-for-parent {"OrganizationalUnits": [{"Id"}]}
//   organizations list-accounts[-for-parent] {"Accounts": [{"Id", "Paths"}]}
//   organizations list-parents           {"Parents": [{"Id", "Type"}]}
//   organizations list-policies          {"Policies": [{"Id", "Type"}]}
//   organizations describe-policy        {"Policy": {"PolicySummary", "Content"}}
//   organizations list-targets-for-policy {"Targets": [{"TargetId", "Type"}]}
//   dlm get-lifecycle-policy             {"Policy": {"PolicyId", "PolicyDetails", …}}
//   backup list-backup-vaults            {"BackupVaultList": [...]}
//   backup get-backup-plan               {"BackupPlan": {...}, "BackupPlanId"}
//   backup get-backup-selection          {"BackupSelection": {...}, "SelectionId", "BackupPlanId"}
//   events describe-rule                 {"Name", "ScheduleExpression" or "EventPattern", …}
//   events list-targets-by-rule          {"Targets": [{"Id", "Arn", "Input"}]}
//   scheduler get-schedule               {"Name", "ScheduleExpression", "Target": {...}, …}
// get-account-authorization-details and list-policies share "Policies" (IAM's entries have
// PolicyName, or the output IsTruncated), get-key-policy, describe-policy and
// get-lifecycle-policy "Policy" (a string for the key policy, an object with PolicyId or
// PolicyDetails for the lifecycle policy, another object for the SCP), list-targets-for-policy
// and list-targets-by-rule "Targets" (entries with TargetId, or with Id or Arn; an empty list is
// the rule's when AwsCliFile::rule is set). Fields libami does not model are ignored. Every
// value goes through FromProto() (ami/io/proto.h), so an import holds only values the C++ API
// could make.
//
// What the CLI prints in practice is read too. A UTF-8 byte-order mark at the start of a file
// (PowerShell's redirection writes one) is skipped. A file whose top level is a list, as
// `--query` prints it (`describe-images --query 'Images[]'`, `describe-snapshots --query
// 'Snapshots[]'`, `describe-instances --query 'Reservations[]'` or
// `'Reservations[].Instances[]'`), is read by its first element: an image (ImageId), an instance
// (InstanceId, owned by the file's account), a reservation (Instances) or a snapshot (SnapshotId);
// paths in its errors start at the element (`[3].ImageId`); a list of anything else is
// `InvalidParameterValue` naming the file, and an empty list holds nothing. Every timestamp
// (CreationDate, DeletionDate, StartTime, LaunchTime, DeprecationTime, LastLaunchedTime) may be
// ISO 8601 text or a JSON number of epoch seconds, whole or fractional, as AWS CLI v1 prints
// them; a negative one, one after 9999-12-31T23:59:59Z, NaN or Infinity is
// `InvalidParameterValue` naming its path.
//
// Overlapping files (MC-73): a record whose id an earlier one had (the same image in two
// describe-images outputs, the same snapshot, instance, KMS key or grant) is read once when the
// two are the same value, and refused as `InvalidParameterValue`, naming both files and the id,
// when they differ; so is a key's policy, and an account's setting in a Region (EBS encryption by
// default, image block public access, default EBS key), read twice with different values.
//
// What the CLI output lacks is taken from the file: images and snapshots without a Region are
// in the file's Region, resources without an owner are the file's account's, and instances are
// owned by their reservation's OwnerId. Image mappings with neither Ebs nor VirtualName
// (NoDevice) are dropped. Attribute outputs are merged into their image or snapshot before it is
// imported. An AWS managed key (KeyManager AWS) is skipped: every account has its aws/ebs key
// already.
//
// A key policy document is kept as written, every statement and condition (KeyPolicy::Parse):
// one that breaks the policy grammar is `MalformedPolicyDocument`, one over kMaxKeyPolicyBytes
// `ResourceLimitExceeded`.
//
// KMS grants join their key's describe-key output (a KeyId that is no ARN is of the file's
// account and Region); a grant to an AWS service principal (….amazonaws.com) is left out, since
// grants only allow. list-aliases skips aliases with no TargetKeyId and AWS's alias/aws/… other
// than alias/aws/ebs. get-ebs-default-kms-key-id sets the default EBS key of the file's account
// in its Region (alias/aws/ebs, or the AWS managed key, leaves the default).
//
// IAM (get-account-authorization-details; --filter output may be split over several files of the
// same account): each user and role becomes a principal of the file's account (iam::PutPrincipal;
// the account is added standalone unless Organizations output made it a member), with its path,
// tags, inline policies, the default version of each attached managed policy, for a user its
// groups' inline and attached policies, and its permissions boundary's default version. Policy
// documents may be JSON objects (the AWS CLI), JSON strings, or URL-encoded JSON strings (other
// SDKs). Fail-closed, since what is missing could deny: a listing that is truncated
// (IsTruncated true, a Marker or a NextToken) and an attached or boundary policy, or a group, that
// no file lists are `MissingParameter`, naming it and the --filter to add; a user, role, group or
// customer managed policy whose ARN is of another account than the file's is
// `InvalidParameterValue` naming its path. AssumeRolePolicyDocument, instance profiles and
// RoleLastUsed are ignored.
//
// Organizations: describe-organization and list-roots make the organization (one per import);
// list-organizational-units-for-parent (AwsCliFile::parent_id) the OU tree, created parents
// first; list-accounts-for-parent (parent_id), or list-accounts with each account's Paths or a
// list-parents output (AwsCliFile::child_id), place the accounts. The management account stays at
// the root (SCPs do not bind it). Service control policies: every SCP that list-policies lists or
// list-targets-for-policy (AwsCliFile::policy_id) attaches needs its describe-policy content, and
// every described SCP its targets (`MissingParameter`: an SCP is never assumed to allow, nor to be
// attached nowhere); p-FullAWSAccess, built in, is detached from each root, OU and member account
// its list-targets-for-policy output leaves out, and that output is required once any SCP is
// imported (where it is detached, an allow-list SCP alone decides). Resource control and
// declarative EC2 policies in list-policies are refused, not dropped: they may deny. Disagreeing
// inputs are `InvalidParameterValue`: two organizations or roots, a child under two parents, an OU
// or account whose parent is neither the root nor a listed OU. A listing with a NextToken is
// refused (`MissingParameter`). Other policy types in describe-policy are refused. SCPs are put
// last, after every other import call. The import knows only the SCPs its files name: without
// list-policies output, an organization holds p-FullAWSAccess alone.
//
// Snapshots of other accounts' images (MC-36): an image owned by another account than the
// file's (a public Amazon or Marketplace image, or one shared with the account) usually maps
// snapshots that account cannot describe. For each such snapshot that no file describes, a
// placeholder snapshot is created: owned by the image's owner, in the image's Region, with the
// mapping's size (8 GiB when it has none) and encryption (its key, else the owner's aws/ebs
// key), public when the image is public. The account's own images get no placeholders: their snapshots must be described.
//
// Automation (README "State files, AWS CLI import and amictl"; MC-93 … MC-95): lifecycle
// policies, backup vaults, plans and selections, scheduled EventBridge rules with their targets
// and Scheduler schedules become the requests of ami/automation/automation.h, made through the
// Automation facade as the root user of each file's account in its Region, after the IAM
// principals. A selection's plan and a target's rule must be in the import (MissingParameter);
// a target is an action only as a Scheduler ec2:createImage universal target or a Lambda
// function whose constant Input is libami's action form ({"LibamiAction": …}); any other target,
// an event-pattern rule, and fields that change what a definition acts on but that libami does
// not model are refused (InvalidParameterValue), never dropped.
//
// Errors: JSON that cannot be decoded fails with `SerializationException` and the message
// "<file>: cannot decode …"; invalid content with the code of the failed check and the message
// "<file>: <JSON path>: …", for example
// "images.json: Images[3].BlockDeviceMappings[0].Ebs.SnapshotId: invalid snapshot id …". Paths
// use the names AWS prints (`KeyMetadata.CreationDate`); a value of the wrong JSON type (a list
// where an object belongs, text for a number) is `InvalidParameterValue` at its path.
// Thread-safe: pure functions.
#ifndef AMI_IO_AWS_IMPORT_H_
#define AMI_IO_AWS_IMPORT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/cloud.h"
#include "ami/ids.h"

namespace ami {

// One file of AWS CLI JSON output and where it was taken.
struct AwsCliFile {
  // The file's name, for error messages.
  std::string name;
  // The JSON text the CLI printed.
  std::string json;
  // The account the CLI ran as: owner of what describe-* outputs lack an owner for, and the
  // account whose settings the get-* outputs are.
  AccountId account = AccountId::FromNumber(0);
  // The Region the CLI ran in (describe-images, -snapshots and -instances print none).
  Region region = Region::First();
  // For get-key-policy output: the key it belongs to (key id or ARN); empty for the only key
  // that describe-key output names for `account` in `region`.
  std::string key_id;
  // The ids the Organizations commands were run with, which their output does not repeat:
  // --parent-id of list-organizational-units-for-parent and list-accounts-for-parent (a root
  // r-… or OU ou-…; empty for list-accounts), --child-id of list-parents, and --policy-id of
  // list-targets-for-policy. A file of those kinds without its id fails (`MissingParameter`).
  std::string parent_id;
  std::string child_id;
  std::string policy_id;
  // The --rule of events list-targets-by-rule, which its output does not repeat; empty for the
  // only rule that describe-rule output names for `account` in `region`.
  std::string rule;
};

// An automation definition the import made: the id its file gave it and the id the cloud gave
// it (the Automation facade makes its own ids). `kind` is "lifecycle-policy", "backup-plan" or
// "backup-selection".
struct ImportedAutomationId {
  std::string kind;
  std::string file_id;
  std::string cloud_id;
};

// Builds a new cloud from the files: the organization, OUs and accounts first, then keys (with
// their grants), aliases, key policies, snapshots and their createVolumePermission attributes,
// images and their launchPermission attributes, instances, settings, IAM principals, and last
// service control policies. Atomic: on any error no cloud is returned. An attribute output for
// an image or snapshot that no file describes fails, naming it.
//
// The cloud's clock (MC-74) is when the data was taken, so that deprecations and ages are judged
// then: `now` when given, which may not be earlier than any time the inputs observed
// (`InvalidParameterValue`, naming the newest and where it is); otherwise the newest of those
// times — an image's CreationDate and LastLaunchedTime, a snapshot's StartTime, an instance's
// LaunchTime and LastRebootTime (libami's own) and a KMS key's CreationDate (not DeprecationTime or DeletionDate, which may lie
// ahead); otherwise, for inputs that observed no time, `options.start_time`. The other options
// are used as they are.
//
// Automation definitions (see "Automation" above) are made after the principals, before the
// service control policies; `renamed`, when given, receives each definition's file id and the id
// the cloud gave it, in the order they were made.
absl::StatusOr<std::unique_ptr<Cloud>> ImportAwsCli(const std::vector<AwsCliFile>& files,
                                                    Cloud::Options options = {},
                                                    std::optional<absl::Time> now = std::nullopt,
                                                    std::vector<ImportedAutomationId>* renamed = nullptr);

// The text of the AWS CLI output file at `path`, for AwsCliFile::json. A file larger than
// kMaxAwsCliFileBytes (ami/errors.h) is `ResourceLimitExceeded` by its size, before it is read;
// one that cannot be opened or read `InvalidParameterValue` saying why, from errno ("cannot
// open `<path>`: no such file or directory", "… permission denied", "… is a directory").
absl::StatusOr<std::string> ReadAwsCliJson(const std::string& path);

// Which output a JSON document is, by its top-level keys: "describe-images",
// "describe-snapshots", "describe-instances", "describe-image-attribute",
// "describe-snapshot-attribute", "describe-key", "get-key-policy",
// "get-ebs-encryption-by-default", "get-image-block-public-access-state", "list-aliases",
// "list-grants", "get-ebs-default-kms-key-id", "get-account-authorization-details",
// "describe-organization", "list-roots", "list-organizational-units-for-parent",
// "list-accounts", "list-parents", "list-policies", "describe-policy",
// "list-targets-for-policy", "get-lifecycle-policy", "list-backup-vaults", "get-backup-plan",
// "get-backup-selection", "describe-rule", "list-targets-by-rule" or "get-schedule"; a bare list by its first element ("describe-images",
// "describe-snapshots" or "describe-instances"), or "empty-list". A leading byte-order mark is
// skipped. Undecodable JSON is `SerializationException`; an object or list of no known shape
// `InvalidParameterValue`.
absl::StatusOr<std::string> DetectAwsCliKind(absl::string_view json);

}  // namespace ami

#endif  // AMI_IO_AWS_IMPORT_H_
