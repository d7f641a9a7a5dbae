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
// Fields libami does not model are ignored. Every value goes through FromProto() (ami/io/proto.h),
// so an import holds only values the C++ API could make.
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
// Snapshots of other accounts' images (MC-36): an image owned by another account than the
// file's (a public Amazon or Marketplace image, or one shared with the account) usually maps
// snapshots that account cannot describe. For each such snapshot that no file describes, a
// placeholder snapshot is created: owned by the image's owner, in the image's Region, with the
// mapping's size (8 GiB when it has none) and encryption (its key, else the owner's aws/ebs
// key), public when the image is public. The account's own images get no placeholders: their snapshots must be described.
//
// Errors: JSON that cannot be decoded fails with `SerializationException` and the message
// "<file>: cannot decode …"; invalid content with the code of the failed check and the message
// "<file>: <JSON path>: …", for example
// "images.json: Images[3].BlockDeviceMappings[0].Ebs.SnapshotId: invalid snapshot id …".
// Thread-safe: pure functions.
#ifndef AMI_IO_AWS_IMPORT_H_
#define AMI_IO_AWS_IMPORT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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
};

// Builds a new cloud from the files: keys first, then key policies, snapshots and their
// createVolumePermission attributes, images and their launchPermission attributes, instances,
// then settings. Atomic: on any error no cloud is returned. An attribute output for an image or
// snapshot that no file describes fails, naming it.
absl::StatusOr<std::unique_ptr<Cloud>> ImportAwsCli(const std::vector<AwsCliFile>& files,
                                                    Cloud::Options options = {});

// The text of the AWS CLI output file at `path`, for AwsCliFile::json. A file larger than
// kMaxAwsCliFileBytes (ami/errors.h) is `ResourceLimitExceeded` by its size, before it is read;
// one that cannot be read `InvalidParameterValue`.
absl::StatusOr<std::string> ReadAwsCliJson(const std::string& path);

// Which output a JSON document is, by its top-level keys: "describe-images",
// "describe-snapshots", "describe-instances", "describe-image-attribute",
// "describe-snapshot-attribute", "describe-key", "get-key-policy",
// "get-ebs-encryption-by-default" or "get-image-block-public-access-state". Undecodable JSON is
// `SerializationException`; an object of no known shape `InvalidParameterValue`.
absl::StatusOr<std::string> DetectAwsCliKind(absl::string_view json);

}  // namespace ami

#endif  // AMI_IO_AWS_IMPORT_H_
