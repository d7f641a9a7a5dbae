// The rule catalogue: what each rule id that libami prints means. Decisions, explanations, audit
// findings and Config rule evaluations name rules of the rulebook (REG-1, SHARE-16, KMS-5, …) and
// modelling choices (MC-7); DescribeRule turns such an id into a one-line summary and the page it
// comes from. Part of the tools library (target ami::tools), because modelling choices are
// described from the list in ami/tools/modelling_choices.h.
// Thread-safe: the catalogue is constant, built once on first use.
#ifndef AMI_RULES_H_
#define AMI_RULES_H_

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace ami {

// One rule. Every view points at static storage and stays valid for the life of the program.
struct RuleInfo {
  // The rule id, as printed: "SHARE-16", "MC-7".
  std::string_view id;
  // One line (no newline, at most kMaxRuleSummaryBytes bytes) in libami's words.
  std::string_view summary;
  // For a rulebook rule, the AWS documentation page it comes from (https://docs.aws.amazon.com/…);
  // for a modelling choice, the README section that lists it ("README.md#modelling-choices").
  std::string_view doc_url;
};

// The longest summary, in bytes. A modelling choice whose first sentence is longer is shortened
// to its first clause, or cut at a word and ended with "…".
inline constexpr size_t kMaxRuleSummaryBytes = 160;

// The rule `id` names, or nullopt for an id the catalogue does not hold. Ids are case-sensitive
// and written exactly as printed: "share-16" and "SHARE-016" name no rule.
std::optional<RuleInfo> DescribeRule(std::string_view id);

// Every rule, ordered by area and then by number (ASYNC-1 … STOR-5, with MC-1 … among them in
// the order of their area name "MC"); ID-2 comes before ID-10.
const std::vector<RuleInfo>& AllRules();

// Up to `max` rules whose ids are closest to `id` (edit distance, ignoring case), closest first,
// ties in catalogue order; for "did you mean" messages. Only the first kMaxRuleIdQueryBytes
// bytes of `id` are compared, so any input takes bounded time.
std::vector<RuleInfo> ClosestRules(std::string_view id, size_t max = 3);

// The longest input ClosestRules compares; longer input is truncated to this many bytes.
inline constexpr size_t kMaxRuleIdQueryBytes = 32;

}  // namespace ami

#endif  // AMI_RULES_H_
