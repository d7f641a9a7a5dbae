// The rulebook's rules as libami describes them (lib/tools/rule_table.cc): one summary in libami's
// words and the AWS documentation page of each. Internal to libami; read it through ami/rules.h.
#ifndef AMI_LIB_TOOLS_RULE_TABLE_H_
#define AMI_LIB_TOOLS_RULE_TABLE_H_

#include "absl/types/span.h"
#include "ami/rules.h"

namespace ami::internal {

// Every rulebook rule (not the modelling choices), ordered by area and then by number.
absl::Span<const RuleInfo> RulebookRules();

}  // namespace ami::internal

#endif  // AMI_LIB_TOOLS_RULE_TABLE_H_
