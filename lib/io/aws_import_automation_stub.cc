// ImportAutomation in a build whose Automation facade (lib/automation) does not define the
// definition-making calls: an import that holds automation definitions is refused, naming the
// first; one that holds none succeeds. lib/io/aws_import_automation_calls.cc is the version that
// calls the facade.
#include "absl/strings/str_cat.h"
#include "io/aws_import_automation.h"

namespace ami::aws_import_internal {

absl::Status ImportAutomation(Cloud&, const ImportedAutomation& in,
                              std::vector<ImportedAutomationId>*) {
  if (in.empty()) return absl::OkStatus();
  const AwsCliFile* file = !in.vaults.empty()       ? in.vaults[0].file
                           : !in.plans.empty()      ? in.plans[0].file
                           : !in.selections.empty() ? in.selections[0].file
                           : !in.policies.empty()   ? in.policies[0].file
                                                    : in.schedules[0].file;
  return InFile(*file, MakeError(ErrorCode::kUnsupportedOperation,
                                 "this build of libami cannot make automation definitions"));
}

}  // namespace ami::aws_import_internal
