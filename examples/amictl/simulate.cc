// amictl simulate: the policy simulator (iam::Simulate), in the spirit of
// `aws iam simulate-principal-policy`.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/errors.h"
#include "ami/iam/iam.h"
#include "ami/io/state_file.h"
#include "cli.h"
#include "progress.h"

namespace amictl {
namespace {

constexpr char kHelp[] =
    "usage: amictl simulate --state STATE --principal ARN --action ACTION [--action ACTION]...\n"
    "                       [--resource ARN]... [--context KEY=VALUE]... [--region REGION]\n"
    "\n"
    "May the IAM user or role ARN perform each ACTION on each resource (\"*\" when none is\n"
    "given)? Its identity policies, permissions boundary and its account's service control\n"
    "policies decide, as for a call. An image ARN the state holds carries the image's keys\n"
    "(ec2:Owner, ec2:Public, its tags, …); other ARNs carry none. --context supplies a\n"
    "condition key's value; a decision that waits on a key nobody supplied is never allowed\n"
    "and lists the key under MissingContextValues. --region (default us-east-1) is the\n"
    "Region of the calls.\n"
    "\n"
    "--json prints {\"EvaluationResults\": [{EvalActionName, EvalResourceName, EvalDecision,\n"
    "MatchedStatements [{SourcePolicyId, SourcePolicyType, Statement}], MissingContextValues,\n"
    "ResidualConditions, Message}]}. Exit 0 when every result is allowed, 1 otherwise, 2 for\n"
    "bad input (NoSuchEntity for a principal the state does not hold).\n";

// The request the options give; InvalidParameterValue-like usage errors as MissingParameter.
absl::StatusOr<ami::iam::SimulationRequest> RequestOf(const Args& args) {
  ami::iam::SimulationRequest r;
  r.principal = args.Get("--principal").value_or("");
  if (auto region = args.Get("--region")) {
    auto parsed = ami::Region::Parse(*region);
    if (!parsed.ok()) return parsed.status();
    r.region = *parsed;
  }
  for (const Args::Item& item : args.items) {
    if (item.option == "--action") r.actions.push_back(item.value);
    if (item.option == "--resource") r.resources.push_back(item.value);
    if (item.option != "--context") continue;
    const size_t eq = item.value.find('=');
    if (eq == std::string::npos || eq == 0) {
      return ami::MakeError(ami::ErrorCode::kMissingParameter,
                            absl::StrCat("--context `", item.value, "`: use KEY=VALUE"));
    }
    r.context.push_back({item.value.substr(0, eq), item.value.substr(eq + 1)});
  }
  return r;
}

std::string QuoteAll(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& s : items) quoted.push_back(Quote(s));
  return absl::StrCat("[", absl::StrJoin(quoted, ", "), "]");
}

void PrintJson(const std::vector<ami::iam::SimulationResult>& results) {
  std::printf("{\"EvaluationResults\": [");
  for (size_t i = 0; i < results.size(); ++i) {
    const ami::iam::SimulationResult& r = results[i];
    std::printf("%s\n  {\"EvalActionName\": %s, \"EvalResourceName\": %s, \"EvalDecision\": %s,\n"
                "   \"MatchedStatements\": [",
                i ? "," : "", Quote(r.action).c_str(), Quote(r.resource).c_str(),
                Quote(std::string(ami::iam::EvalDecisionName(r.decision))).c_str());
    for (size_t m = 0; m < r.matched_statements.size(); ++m) {
      const ami::iam::MatchedStatement& s = r.matched_statements[m];
      std::printf("%s{\"SourcePolicyId\": %s, \"SourcePolicyType\": %s, \"Statement\": %s}",
                  m ? ", " : "", Quote(s.source_policy_id).c_str(),
                  Quote(s.source_policy_type).c_str(), Quote(s.statement).c_str());
    }
    std::printf("],\n   \"MissingContextValues\": %s,\n   \"ResidualConditions\": %s,\n"
                "   \"Message\": %s}",
                QuoteAll(r.missing_context_values).c_str(), QuoteAll(r.residual).c_str(),
                Quote(r.message).c_str());
  }
  std::printf("\n]}\n");
}

void PrintText(const std::vector<ami::iam::SimulationResult>& results) {
  for (const ami::iam::SimulationResult& r : results) {
    std::printf("%s on %s: %s", r.action.c_str(), r.resource.c_str(),
                std::string(ami::iam::EvalDecisionName(r.decision)).c_str());
    for (const ami::iam::MatchedStatement& s : r.matched_statements) {
      std::printf(" by %s %s (%s)", s.source_policy_id.c_str(), s.statement.c_str(),
                  s.source_policy_type.c_str());
    }
    if (!r.missing_context_values.empty()) {
      std::printf("; missing context values: %s",
                  absl::StrJoin(r.missing_context_values, ", ").c_str());
    }
    std::printf("\n");
    for (const std::string& c : r.residual) std::printf("  %s\n", c.c_str());
  }
}

}  // namespace

int Simulate(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const auto state = args.Get("--state");
  if (!state || !args.Has("--principal") || !args.Has("--action") || !args.Positionals().empty()) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  auto request = RequestOf(args);
  if (!request.ok()) return Fail(args, request.status());
  auto cloud = LoadStateShowingProgress(*state);
  if (!cloud.ok()) return Fail(args, cloud.status());
  auto results = ami::iam::Simulate(**cloud, *request);
  if (!results.ok()) return Fail(args, results.status());
  if (args.json) {
    PrintJson(*results);
  } else {
    PrintText(*results);
  }
  for (const ami::iam::SimulationResult& r : *results) {
    if (r.decision != ami::iam::EvalDecision::kAllowed) return kFailed;
  }
  return kOk;
}

}  // namespace amictl
