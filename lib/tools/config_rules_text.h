// What the Config rule evaluators (config_rules_eval.cc, config_fleet.cc) pass the policy
// engine from a rule: its approved ids and tag entries, and the texts annotations print.
// Internal to libami's tools.
#ifndef AMI_LIB_TOOLS_CONFIG_RULES_TEXT_H_
#define AMI_LIB_TOOLS_CONFIG_RULES_TEXT_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "ami/tools/config_rules.h"
#include "policy/governance.h"

namespace ami::config_text {

// approved-amis-by-id: the approved ids, and the list as annotations print it.
absl::flat_hash_set<ImageId> ApprovedIds(const ConfigRule& rule);
std::string ApprovedIdsText(const ConfigRule& rule);
// approved-amis-by-tag: the entries, and the list as annotations print it.
std::vector<policy::ApprovedTagEntry> TagEntries(const ConfigRule& rule);
std::string TagEntriesText(const ConfigRule& rule);
// ec2-instance-launched-with-allowed-ami: the states evaluated as bits (1 << state), and the
// annotation of an instance in another state (NOT_APPLICABLE, GOV-5).
uint32_t StateBits(const ConfigRule& rule);
std::string OutOfScopeText(const ConfigRule& rule, InstanceState state);

}  // namespace ami::config_text

#endif  // AMI_LIB_TOOLS_CONFIG_RULES_TEXT_H_
