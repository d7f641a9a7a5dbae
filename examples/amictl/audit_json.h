// amictl audit --json: an audit report as ami.v1.AuditReport (proto/ami/v1/audit.proto), printed
// by protobuf's JSON printer.
#ifndef AMI_EXAMPLES_AMICTL_AUDIT_JSON_H_
#define AMI_EXAMPLES_AMICTL_AUDIT_JSON_H_

#include <string>
#include <vector>

#include "ami/tools/audit.h"

namespace amictl {

// The report as indented JSON, with every field printed (empty lists and strings included).
// `state` is the state file's name; `rules` the --rule entries.
std::string AuditReportJson(const ami::AuditReport& report, const std::string& state,
                            const std::vector<std::string>& rules);

}  // namespace amictl

#endif  // AMI_EXAMPLES_AMICTL_AUDIT_JSON_H_
