// Reading `aws iam get-account-authorization-details` output for the importer
// (lib/io/aws_import.cc): users and roles with every identity policy that applies to them,
// resolved across the files of one import. Internal to libami; not thread-safe (one importer
// uses it).
#ifndef AMI_LIB_AWS_IMPORT_IAM_H_
#define AMI_LIB_AWS_IMPORT_IAM_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ami/iam/iam.h"
#include "ami/io/aws_import.h"
#include "google/protobuf/struct.pb.h"

namespace ami::aws_import_internal {

// A policy document as IAM prints it: a JSON object (the AWS CLI), a JSON string, or a
// URL-encoded JSON string (other SDKs); returns the JSON text.
absl::StatusOr<std::string> PolicyDocumentText(const std::string& path,
                                               const google::protobuf::Value& value);

// One user or role read, and where it sits in its file.
struct ImportedPrincipal {
  const AwsCliFile* file;
  std::string path;
  iam::PrincipalSpec spec;
};

// Every get-account-authorization-details output of an import. A file may hold only some of the
// lists (--filter): a managed policy or group is looked up in every file of the same account
// (an AWS managed policy, arn:aws:iam::aws:policy/…, in every file).
class AuthorizationDetails {
 public:
  // Reads one file; an incomplete listing (IsTruncated true, or a Marker) is refused.
  absl::Status Add(const AwsCliFile& file);
  // The users and roles of every file, in file order, each with its inline policies, the default
  // version of each attached managed policy, (users) its groups' inline and attached policies,
  // and its permissions boundary. A policy or group that no file holds fails the import.
  absl::StatusOr<std::vector<ImportedPrincipal>> Principals() const;
  bool empty() const { return files_.empty(); }

 private:
  struct File {
    const AwsCliFile* file;
    google::protobuf::Struct doc;
  };
  struct Group {
    const File* from;
    std::string path;
    const google::protobuf::Struct* detail;
  };
  absl::Status IndexPolicies(const File& f);
  absl::Status IndexGroups(const File& f);
  absl::StatusOr<iam::PolicySpec> Managed(const AwsCliFile& file, const std::string& arn,
                                          const std::string& path) const;
  absl::Status AddPolicies(const File& f, const std::string& path,
                           const google::protobuf::Struct& detail, const char* inline_list,
                           const std::string& prefix, std::vector<iam::PolicySpec>* out) const;
  absl::Status AddGroups(const File& f, const std::string& path,
                         const google::protobuf::Struct& user,
                         std::vector<iam::PolicySpec>* out) const;
  absl::StatusOr<ImportedPrincipal> Principal(const File& f, const std::string& path,
                                              const google::protobuf::Struct& detail,
                                              bool is_role) const;

  std::vector<std::unique_ptr<File>> files_;
  // Managed policies by ARN: the default version's document.
  absl::flat_hash_map<std::string, std::string> policies_;
  // Groups by "<account>/<name>".
  absl::flat_hash_map<std::string, Group> groups_;
};

}  // namespace ami::aws_import_internal

#endif  // AMI_LIB_AWS_IMPORT_IAM_H_
