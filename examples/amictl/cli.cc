#include "cli.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ami/errors.h"

namespace amictl {

std::optional<std::string> Args::Get(const std::string& name) const {
  std::optional<std::string> out;
  for (const Item& item : items) {
    if (item.option == name) out = item.value;
  }
  return out;
}

bool Args::Has(const std::string& name) const {
  return std::any_of(items.begin(), items.end(), [&](const Item& i) { return i.option == name; });
}

std::vector<std::string> Args::Positionals() const {
  std::vector<std::string> out;
  for (const Item& item : items) {
    if (item.option.empty()) out.push_back(item.value);
  }
  return out;
}

const std::vector<Option>& CommonOptions() {
  static const std::vector<Option>* options = new std::vector<Option>{
      {"--output", "text|json", "the output format (default text)"},
      {"--json", nullptr, "short for --output json"},
      {"--help", nullptr, "print this help and exit 0 (also -h)"},
  };
  return *options;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> Closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(word, c);
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (!best) return std::nullopt;
  const size_t longer = std::max(word.size(), best->size());
  if (best_distance <= std::max<size_t>(2, longer / 3)) return best;
  for (const std::string& c : candidates) {
    if (word.size() >= 3 && absl::StartsWith(c, absl::string_view(word.data(), word.size()))) return c;
  }
  return std::nullopt;
}

namespace {

absl::Status BadOption(const Command& command, const std::string& message) {
  return ami::MakeError(ami::ErrorCode::kInvalidParameter,
                        absl::StrCat(message, " (see `amictl ", command.name, " --help`)"));
}

// The entry of `name` in the command's table or the common options; null when neither has it.
const Option* Find(const Command& command, std::string_view name) {
  for (const std::vector<Option>* table : {&command.options, &CommonOptions()}) {
    for (const Option& o : *table) {
      if (name == o.name) return &o;
    }
  }
  return nullptr;
}

absl::Status UnknownOption(const Command& command, const std::string& word) {
  std::vector<std::string> names;
  for (const Option& o : command.options) names.push_back(o.name);
  for (const Option& o : CommonOptions()) names.push_back(o.name);
  if (auto near = Closest(word, names)) {
    return ami::MakeError(ami::ErrorCode::kInvalidParameter,
                          absl::StrFormat("unknown option `%s`; did you mean `%s`?", word, *near));
  }
  return BadOption(command, absl::StrFormat("unknown option `%s`", word));
}

// Applies one option to `args`: the common ones set their fields, the others become items.
absl::Status Apply(const Command& command, const std::string& name, const std::string& value,
                   Args* args) {
  if (name == "--help") {
    args->help = true;
  } else if (name == "--json") {
    args->json = true;
    args->output_chosen = true;
  } else if (name == "--output") {
    if (value != "text" && value != "json") {
      return BadOption(command, absl::StrFormat("--output `%s`: use text or json", value));
    }
    args->json = value == "json";
    args->output_chosen = true;
  } else {
    args->items.push_back({name, value});
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Args> Parse(const Command& command, int argc, char** argv, int first) {
  Args args;
  for (int i = first; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "-h") {
      args.help = true;
      continue;
    }
    if (word == "-" || word.empty() || word[0] != '-') {  // "-" names standard input
      args.items.push_back({"", word});
      continue;
    }
    const size_t eq = word.find('=');
    const std::string name = word.substr(0, eq);
    const Option* option = Find(command, name);
    if (option == nullptr) return UnknownOption(command, name);
    std::string value;
    if (option->value == nullptr) {
      if (eq != std::string::npos) {
        return BadOption(command, absl::StrFormat("option `%s` takes no value", name));
      }
    } else if (eq != std::string::npos) {
      value = word.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return BadOption(command, absl::StrFormat("option `%s` needs a value (%s)", name, option->value));
    }
    if (absl::Status s = Apply(command, name, value, &args); !s.ok()) return s;
  }
  return args;
}

std::string OptionsHelp(const Command& command) {
  std::string out = "\noptions:\n";
  for (const std::vector<Option>* table : {&command.options, &CommonOptions()}) {
    for (const Option& o : *table) {
      const std::string left = o.value ? absl::StrCat(o.name, " ", o.value) : o.name;
      absl::StrAppendFormat(&out, "  %-26s %s\n", left, o.help);
    }
  }
  return out;
}

std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

int Fail(const Args& args, const absl::Status& status) {
  const auto code = ami::GetErrorCode(status);
  const std::string name = code ? std::string(ami::ErrorCodeName(*code)) : "Error";
  if (args.json) {
    std::fprintf(stderr, "{\"Error\": {\"Code\": %s, \"Message\": %s}}\n", Quote(name).c_str(),
                 Quote(std::string(status.message())).c_str());
  } else {
    std::fprintf(stderr, "amictl: %s: %s\n", name.c_str(), std::string(status.message()).c_str());
  }
  return kUsage;
}

}  // namespace amictl
