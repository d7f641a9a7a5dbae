#include "cli.h"

#include <algorithm>
#include <cstdio>

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

Args Parse(int argc, char** argv, int first, const std::vector<std::string>& flags) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--json") {
      args.json = true;
    } else if (word == "--help" || word == "-h") {
      args.help = true;
    } else if (word.size() > 2 && word.compare(0, 2, "--") == 0) {
      const size_t eq = word.find('=');
      if (eq != std::string::npos) {
        args.items.push_back({word.substr(0, eq), word.substr(eq + 1)});
      } else if (std::find(flags.begin(), flags.end(), word) != flags.end() || i + 1 >= argc) {
        args.items.push_back({word, ""});
      } else {
        args.items.push_back({word, argv[++i]});
      }
    } else {
      args.items.push_back({"", word});
    }
  }
  return args;
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
