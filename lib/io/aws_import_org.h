// Reading AWS Organizations output for the importer (lib/io/aws_import.cc): the organization,
// its root, OU tree and accounts, and its service control policies with their targets.
// Internal to libami; not thread-safe (one importer uses it).
#ifndef AMI_LIB_AWS_IMPORT_ORG_H_
#define AMI_LIB_AWS_IMPORT_ORG_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ami/cloud.h"
#include "ami/io/aws_import.h"
#include "ami/v1/aws_cli.pb.h"
#include "io/aws_import_json.h"

namespace ami::aws_import_internal {

class OrganizationFiles {
 public:
  // Reads one output of `kind` (describe-organization, list-roots, list-organizational-units-
  // for-parent, list-accounts[-for-parent], list-parents, list-policies, describe-policy or
  // list-targets-for-policy). A listing the CLI cut short (NextToken) is refused, and so is a
  // root whose PolicyTypes enables resource control policies.
  absl::Status Add(const AwsCliFile& file, Kind kind);
  // Creates the organization, its OUs (parents first) and its member accounts. Nothing when no
  // file was an Organizations output. Refused when a root's PolicyTypes enables service control
  // policies and no list-policies output lists one (a root without PolicyTypes enables none).
  absl::Status ImportTree(Cloud& cloud) const;
  // Puts the service control policies and attaches them where their targets say; detaches
  // p-FullAWSAccess from what its list-targets-for-policy output leaves out. Run last: every
  // call of the import before is made as an account's root user, whom SCPs bind.
  absl::Status ImportPolicies(Cloud& cloud) const;

 private:
  // Where a value was read.
  struct Where {
    const AwsCliFile* file = nullptr;
    std::string path;
  };
  struct Parent {
    std::string id;
    Where where;
  };
  struct Content {
    std::string name;
    std::string document;
    Where where;
  };
  struct Targets {
    std::vector<std::string> ids;
    Where where;
  };

  absl::Status AddOrganization(const AwsCliFile& file);
  absl::Status AddRoots(const AwsCliFile& file);
  absl::Status AddPolicyTypes(const AwsCliFile& file, const v1::ListRootsOutput::Root& root,
                              int i);
  absl::Status AddUnits(const AwsCliFile& file);
  absl::Status AddAccounts(const AwsCliFile& file);
  absl::Status AddParents(const AwsCliFile& file);
  absl::Status AddPolicyList(const AwsCliFile& file);
  absl::Status AddPolicy(const AwsCliFile& file);
  absl::Status AddTargets(const AwsCliFile& file);
  absl::Status SetParent(const std::string& child, const std::string& parent, Where where);
  absl::Status ImportUnits(Cloud& cloud, const OrganizationId& org) const;
  absl::Status ImportAccounts(Cloud& cloud, const OrganizationId& org) const;
  absl::Status CheckScpsListed() const;
  absl::Status CheckPolicies() const;
  absl::Status DetachFullAccess(Cloud& cloud, const OrganizationId& org) const;

  bool any_ = false;
  std::optional<v1::DescribeOrganizationOutput::Organization> org_;
  Where org_where_;
  std::optional<Parent> root_;
  // Where a root's PolicyTypes says SERVICE_CONTROL_POLICY (file null when none does).
  Where scps_enabled_;
  // Each OU and account with its parent (a root or OU id).
  std::map<std::string, Parent> parents_;
  // Accounts listed without a parent, until list-parents output places them.
  std::map<std::string, Where> accounts_;
  // SCPs listed by list-policies, described, and their targets, by id.
  std::map<std::string, Where> listed_;
  std::map<std::string, Content> described_;
  std::map<std::string, Targets> targets_;
};

}  // namespace ami::aws_import_internal

#endif  // AMI_LIB_AWS_IMPORT_ORG_H_
