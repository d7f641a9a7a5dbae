// amictl: libami from the command line. Subcommands: import, explain, simulate, run, audit;
// each takes --help and --json. See README.md ("amictl").
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.h"

namespace {

constexpr char kUsageText[] =
    "usage: amictl <command> [options]\n"
    "\n"
    "commands:\n"
    "  import   build a state file from AWS CLI JSON output\n"
    "  explain  explain whether an account may launch, copy, share or make public an image\n"
    "  simulate may an IAM user or role perform actions on resources? (policy simulator)\n"
    "  run      run scenario files and check their expectations\n"
    "  audit    list public, over-shared, unshareable and crash-consistent resources\n"
    "\n"
    "Every command takes --help and --json. Exit status: 0 ok/ALLOW, 1 DENY or failed\n"
    "expectation, 2 bad usage or input.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::fputs(kUsageText, argc < 2 ? stderr : stdout);
    return argc < 2 ? amictl::kUsage : amictl::kOk;
  }
  const std::string command = argv[1];
  if (command == "import") {
    return amictl::Import(amictl::Parse(argc, argv, 2, {}));
  }
  if (command == "explain") {
    return amictl::Explain(amictl::Parse(argc, argv, 2, {"--encrypted"}));
  }
  if (command == "simulate") return amictl::Simulate(amictl::Parse(argc, argv, 2, {}));
  if (command == "run") return amictl::Run(amictl::Parse(argc, argv, 2, {"--verbose"}));
  if (command == "audit") return amictl::AuditCommand(amictl::Parse(argc, argv, 2, {"--fail-on-findings"}));
  if (command == "rules") return amictl::RulesCommand(amictl::Parse(argc, argv, 2, {}));
  std::fprintf(stderr, "amictl: unknown command `%s`\n\n%s", command.c_str(), kUsageText);
  return amictl::kUsage;
}
