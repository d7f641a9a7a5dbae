// amictl rules: what a rule id that libami printed means.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/errors.h"
#include "ami/rules.h"
#include "cli.h"

namespace amictl {
namespace {

constexpr char kHelp[] =
    "usage: amictl rules [ID] [--json]\n"
    "\n"
    "Without ID, lists every rule id libami prints (rulebook rules and modelling choices MC-n),\n"
    "one per line with its summary. With ID, prints that rule's summary and the page it comes\n"
    "from. Ids are case-sensitive. Exit 0; 2 for an unknown id, with the closest ids.\n";

std::string Str(std::string_view s) { return std::string(s); }

std::string RuleJson(const ami::RuleInfo& r) {
  return absl::StrCat("{\"Id\": ", Quote(Str(r.id)), ", \"Summary\": ", Quote(Str(r.summary)),
                      ", \"DocUrl\": ", Quote(Str(r.doc_url)), "}");
}

int ListRules(const Args& args) {
  const std::vector<ami::RuleInfo>& rules = ami::AllRules();
  if (args.json) {
    std::printf("{\"Rules\": [");
    for (size_t i = 0; i < rules.size(); ++i) {
      std::printf("%s\n  %s", i ? "," : "", RuleJson(rules[i]).c_str());
    }
    std::printf("\n]}\n");
    return kOk;
  }
  for (const ami::RuleInfo& r : rules) {
    std::printf("%-10s  %s\n", Str(r.id).c_str(), Str(r.summary).c_str());
  }
  return kOk;
}

int UnknownRule(const Args& args, const std::string& id) {
  std::vector<std::string> closest;
  for (const ami::RuleInfo& r : ami::ClosestRules(id)) closest.push_back(Str(r.id));
  const std::string message = absl::StrCat("unknown rule id `", id, "`; closest: ",
                                           absl::StrJoin(closest, ", "));
  if (args.json) {
    std::vector<std::string> quoted;
    for (const std::string& c : closest) quoted.push_back(Quote(c));
    std::fprintf(stderr, "{\"Error\": {\"Code\": \"InvalidParameterValue\", \"Message\": %s, \"Closest\": [%s]}}\n",
                 Quote(message).c_str(), absl::StrJoin(quoted, ", ").c_str());
    return kUsage;
  }
  return Fail(args, ami::MakeError(ami::ErrorCode::kInvalidParameterValue, message));
}

}  // namespace

int RulesCommand(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const std::vector<std::string> ids = args.Positionals();
  if (ids.size() > 1 || ids.size() != args.items.size()) {  // one id at most, no options
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  if (ids.empty()) return ListRules(args);
  const std::optional<ami::RuleInfo> rule = ami::DescribeRule(ids.front());
  if (!rule) return UnknownRule(args, ids.front());
  if (args.json) {
    std::printf("%s\n", RuleJson(*rule).c_str());
  } else {
    std::printf("%s  %s\n%s\n", Str(rule->id).c_str(), Str(rule->summary).c_str(),
                Str(rule->doc_url).c_str());
  }
  return kOk;
}

}  // namespace amictl
