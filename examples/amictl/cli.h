// amictl's shared pieces: argument parsing, output, and the subcommands' entry points.
#ifndef AMI_EXAMPLES_AMICTL_CLI_H_
#define AMI_EXAMPLES_AMICTL_CLI_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace amictl {

// Exit codes: 0 success (or ALLOW, or every expectation met); 1 a failure (DENY, an unmet
// expectation, findings with --fail-on-findings); 2 bad usage or input.
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;
inline constexpr int kUsage = 2;

// The arguments of one subcommand: `--name value` / `--name=value` options (repeatable, kept in
// order with the positionals they precede), bare flags, and positional words.
struct Args {
  struct Item {
    std::string option;  // empty for a positional word
    std::string value;
  };
  std::vector<Item> items;
  bool json = false;
  bool help = false;

  // The last value of `--name`, if given.
  std::optional<std::string> Get(const std::string& name) const;
  bool Has(const std::string& name) const;
  std::vector<std::string> Positionals() const;
};

// Parses argv after the subcommand. `flags` lists the options that take no value.
Args Parse(int argc, char** argv, int first, const std::vector<std::string>& flags);

// Prints `status` as "amictl: <code>: <message>" (or JSON with --json) on stderr; returns kUsage.
int Fail(const Args& args, const absl::Status& status);

// A JSON string literal.
std::string Quote(const std::string& text);

int Import(const Args& args);
int Explain(const Args& args);
int Simulate(const Args& args);
int Run(const Args& args);
int AuditCommand(const Args& args);
int RulesCommand(const Args& args);

}  // namespace amictl

#endif  // AMI_EXAMPLES_AMICTL_CLI_H_
