// amictl's shared pieces: the subcommands' option tables, argument parsing, output, and the
// subcommands' entry points.
#ifndef AMI_EXAMPLES_AMICTL_CLI_H_
#define AMI_EXAMPLES_AMICTL_CLI_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

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
  bool json = false;  // --output json (or --json)
  bool output_chosen = false;  // --output (or --json) was given
  bool help = false;  // --help (or -h)

  // The last value of `--name`, if given.
  std::optional<std::string> Get(const std::string& name) const;
  bool Has(const std::string& name) const;
  std::vector<std::string> Positionals() const;
};

// One option a subcommand accepts: `--name VALUE` when `value` names its value, a flag when
// `value` is null.
struct Option {
  const char* name;   // with its dashes: "--state"
  const char* value;  // the value's placeholder in help ("STATE"), or nullptr for a flag
  const char* help;   // one line for the help's option list
};

// A subcommand: the one table its options are parsed by, suggested from and listed in help.
struct Command {
  const char* name;
  const char* summary;  // one line for `amictl --help`
  std::vector<Option> options;  // besides the common --output, --json and --help
  int (*run)(const Args&);
};

// The options every subcommand takes: --output text|json, --json, --help.
const std::vector<Option>& CommonOptions();

// Parses argv[first..] by `command`'s table. An option it does not list, a flag given a value,
// an option without its value or an --output other than text or json is `InvalidParameter`,
// naming the closest option when one is near.
absl::StatusOr<Args> Parse(const Command& command, int argc, char** argv, int first);

// The "options:" part of `command`'s help: every option of its table and the common ones.
std::string OptionsHelp(const Command& command);

// The Levenshtein distance between `a` and `b` (insertions, deletions, substitutions).
size_t EditDistance(std::string_view a, std::string_view b);
// The candidate nearest `word` when near enough to be a likely misspelling (edit distance at most
// a third of the longer word, at least 2, or `word` a prefix of it); ties go to the first.
std::optional<std::string> Closest(std::string_view word, const std::vector<std::string>& candidates);

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
int Inspect(const Args& args);
int Test(const Args& args);
int InstanceImages(const Args& args);

}  // namespace amictl

#endif  // AMI_EXAMPLES_AMICTL_CLI_H_
