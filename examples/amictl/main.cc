// amictl: libami from the command line. Subcommands: import, explain, simulate, run, audit,
// test, inspect, instance-images, rules, version; each takes --help and --output text|json. See README.md ("amictl").
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "cli.h"

#ifndef AMICTL_VERSION
#error "AMICTL_VERSION (the project version) must be defined by the build"
#endif

namespace amictl {
namespace {

int Version(const Args& args) {
  if (args.help) {
    std::fputs("usage: amictl version (or amictl --version)\n\nPrints amictl's version, the "
               "project version libami was built as.\n", stdout);
  } else if (args.json) {
    std::printf("{\"Version\": %s}\n", Quote(AMICTL_VERSION).c_str());
  } else {
    std::printf("amictl %s\n", AMICTL_VERSION);
  }
  return kOk;
}

// Every subcommand and the options it accepts: the one table parsing, suggestions and help use.
const std::vector<Command>& Commands() {
  static const std::vector<Command>* commands = new std::vector<Command>{
      {"import", "build a state file from AWS CLI JSON output",
       {{"--out", "STATE", "the state file to write"},
        {"--account", "ID", "the account the next files were read in"},
        {"--region", "REGION", "the Region the next files were read in"},
        {"--key", "KEY", "the key of the next get-key-policy file"},
        {"--parent", "ID", "the --parent-id of the next list-*-for-parent file"},
        {"--child", "ID", "the --child-id of the next list-parents file"},
        {"--policy-id", "ID", "the --policy-id of the next list-targets-for-policy file"},
        {"--rule", "NAME", "the --rule of the next events list-targets-by-rule file"},
        {"--now", "TIME", "the state's clock (RFC 3339)"}},
       &Import},
      {"explain", "explain whether an account may launch, copy, share or make public an image",
       {{"--state", "STATE", "the state file to ask"},
        {"--as", "ACCOUNT", "the calling account"},
        {"--region", "REGION", "the Region of the call"},
        {"--principal", "ARN", "ask as this IAM user or role of ACCOUNT"},
        {"--context", "KEY=VALUE", "a condition key's value (repeatable)"},
        {"--encrypted", nullptr, "launch or copy encrypted"},
        {"--kms-key", "KEY", "the KMS key to encrypt with"},
        {"--source-region", "REGION", "copy: the Region the image is in"},
        {"--name", "NAME", "copy: the new image's name"},
        {"--with", "TARGET", "share: ACCOUNT, ORG_ARN, OU_ARN or all"},
        {"--batch", "FILE|-", "answer JSON lines of questions from FILE (- for stdin)"}},
       &Explain},
      {"simulate", "may an IAM user or role perform actions on resources? (policy simulator)",
       {{"--state", "STATE", "the state file to ask"},
        {"--principal", "ARN", "the IAM user or role"},
        {"--action", "ACTION", "an action such as ec2:RunInstances (repeatable)"},
        {"--resource", "ARN", "a resource ARN (repeatable; default *)"},
        {"--context", "KEY=VALUE", "a condition key's value (repeatable)"},
        {"--region", "REGION", "the Region of the calls (default us-east-1)"}},
       &Simulate},
      {"run", "run scenario files and check their expectations",
       {{"--save-state", "STATE", "write the cloud the last scenario left"}},
       &Run},
      {"audit", "list public, over-shared, unshareable and crash-consistent resources",
       {{"--state", "STATE", "the state file to audit"},
        {"--fail-on-findings", nullptr, "exit 1 when there is any finding"},
        {"--fail-on", "SEVERITY", "exit 1 when a finding is at or above SEVERITY"},
        {"--owner", "self|ACCOUNT", "audit this account (repeatable)"},
        {"--region", "REGION", "audit this Region (repeatable)"},
        {"--rule", "RULE", "only this finding kind, rule id or Config rule (repeatable)"},
        {"--rules", "FILE", "AWS Config rules (describe-config-rules output; repeatable, one per Region)"},
        {"--now", "TIME", "move the clock to TIME (RFC 3339)"},
        {"--html", "FILE", "also write an HTML report to FILE"}},
       &AuditCommand},
      {"test", "run every scenario under folders to the end; JUnit XML for CI",
       {{"--junit", "FILE", "also write JUnit XML to FILE"}},
       &Test},
      {"inspect", "what a state file holds: version, clock, accounts, Regions, counts", {}, &Inspect},
      {"instance-images", "the image each instance was launched from, and if it is allowed",
       {{"--state", "STATE", "the state file to ask"},
        {"--as", "ACCOUNT", "the account whose instances"},
        {"--region", "REGION", "the Region of the call"},
        {"--instance-id", "ID", "only this instance (repeatable)"},
        {"--filter", "NAME=VALUE[,VALUE]", "a DescribeInstanceImageMetadata filter (repeatable)"}},
       &InstanceImages},
      {"rules", "describe a rule id libami prints (all of them without ID)", {}, &RulesCommand},
      {"version", "print amictl's version (also --version)", {}, &Version},
  };
  return *commands;
}

std::string UsageText() {
  std::string out = "usage: amictl <command> [options]\n\ncommands:\n";
  for (const Command& c : Commands()) absl::StrAppendFormat(&out, "  %-16s%s\n", c.name, c.summary);
  out +=
      "\n"
      "Every command takes --help and --output text|json (--json for short); `amictl help\n"
      "COMMAND` is `amictl COMMAND --help`. Exit status: 0 ok/ALLOW, 1 DENY or failed\n"
      "expectation, 2 bad usage or input.\n";
  return out;
}

const Command* FindCommand(const std::string& name) {
  for (const Command& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

int UnknownCommand(const std::string& name) {
  std::vector<std::string> names;
  for (const Command& c : Commands()) names.push_back(c.name);
  if (auto near = Closest(name, names)) {
    std::fprintf(stderr, "amictl: unknown command `%s`; did you mean `%s`?\n", name.c_str(), near->c_str());
  } else {
    std::fprintf(stderr, "amictl: unknown command `%s`\n\n%s", name.c_str(), UsageText().c_str());
  }
  return kUsage;
}

// Whether the words ask for JSON output, for reporting a parse error in the form asked for.
bool WantsJson(int argc, char** argv, int first) {
  bool json = false;
  for (int i = first; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--json" || word == "--output=json") json = true;
    if (word == "--output=text") json = false;
    if (word == "--output" && i + 1 < argc) json = std::string(argv[i + 1]) == "json";
  }
  return json;
}

int Dispatch(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(UsageText().c_str(), stderr);
    return kUsage;
  }
  std::string name = argv[1];
  int first = 2;
  if (name == "--version") name = "version";
  if (name == "help" && argc > 2) {  // amictl help COMMAND
    name = argv[2];
    first = argc;
  } else if (name == "--help" || name == "-h" || name == "help") {
    std::fputs(UsageText().c_str(), stdout);
    return kOk;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) return UnknownCommand(name);
  absl::StatusOr<Args> args = Parse(*command, argc, argv, first);
  if (!args.ok()) {
    Args asked;
    asked.json = WantsJson(argc, argv, first);
    return Fail(asked, args.status());
  }
  if (first == argc && std::string(argv[1]) == "help") args->help = true;
  if (!args->help) return command->run(*args);
  const int status = command->run(*args);  // prints the command's own help
  std::fputs(OptionsHelp(*command).c_str(), stdout);
  return status;
}

}  // namespace
}  // namespace amictl

int main(int argc, char** argv) { return amictl::Dispatch(argc, argv); }
