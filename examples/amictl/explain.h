// amictl explain's question: asked from the command line or from a line of --batch input.
#ifndef AMI_EXAMPLES_AMICTL_EXPLAIN_H_
#define AMI_EXAMPLES_AMICTL_EXPLAIN_H_

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "ami/cloud.h"
#include "ami/policy.h"
#include "nlohmann/json.hpp"

namespace amictl {

// One preflight question, as given: nothing is parsed yet.
struct Question {
  std::string as;      // the calling account
  std::string region;  // the Region called
  std::string action;  // launch, copy, share or make-public
  std::string image;
  std::optional<std::string> source_region;  // copy
  std::optional<std::string> name;           // copy
  std::optional<std::string> with;           // share: ACCOUNT, ORG_ARN, OU_ARN or all
  std::optional<std::string> kms_key;        // launch, copy
  bool encrypted = false;                    // launch, copy
  std::optional<std::string> principal;      // ask as this IAM user or role
  std::vector<std::pair<std::string, std::string>> context;  // condition keys' values
};

// Checks `q` without asking it: a malformed id, an unknown action or a missing option of the
// action is an error with its AWS code (MissingParameter for a missing option).
absl::Status CheckQuestion(const Question& q);
// Checks `q` as CheckQuestion does, then asks it of `cloud` (through IAM first when it names a
// principal or context).
absl::StatusOr<ami::Decision> Decide(const ami::Cloud& cloud, const Question& q);

// "launch ami-… as ACCOUNT in REGION[ by PRINCIPAL]".
std::string Describe(const Question& q);
// {"Question", "Effect", "ReportedLater", "Reasons", "Overridden", "Errors"}.
nlohmann::ordered_json DecisionJson(const std::string& question, const ami::Decision& d);

// `j` as text, with `indent` (-1: one line); invalid UTF-8 in its strings is replaced (U+FFFD).
std::string DumpJson(const nlohmann::ordered_json& j, int indent = -1);

// The longest line --batch reads; a longer line is an error on its line and is skipped.
inline constexpr size_t kMaxBatchLineBytes = 64 << 10;

// Answers each line of `in` (JSON questions) on stdout, one line each, in order; the exit
// status: 2 if any line was an error, else 1 if any was denied, else 0.
int ExplainBatch(const ami::Cloud& cloud, std::FILE* in, bool json);

}  // namespace amictl

#endif  // AMI_EXAMPLES_AMICTL_EXPLAIN_H_
