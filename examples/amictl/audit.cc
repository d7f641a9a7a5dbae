// amictl audit: the security reviewer's list, scoped to the accounts the state is about.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "ami/io/state_file.h"
#include "ami/tools/audit.h"
#include "ami/tools/config_rules.h"
#include "audit_json.h"
#include "cli.h"
#include "progress.h"

namespace amictl {
namespace {

constexpr char kHelp[] =
    "usage: amictl audit --state STATE [--owner self|ACCOUNT]... [--region REGION]...\n"
    "                    [--rule KIND|RULE-ID|CONFIG-RULE]... [--rules CONFIG_RULES.json]\n"
    "                    [--now TIME] [--fail-on SEVERITY] [--fail-on-findings]\n"
    "                    [--json] [--html FILE]\n"
    "\n"
    "Lists, for the audited accounts (default: the accounts the state holds; `self` names them),\n"
    "their public images and snapshots, images and snapshots shared outside their owner's\n"
    "organization, encrypted images that cannot be shared (AWS managed key) or whose recipients\n"
    "cannot use the key, crash-consistent images, instances running a deprecated image or one\n"
    "the state does not hold, and the NON_COMPLIANT results of the AWS Config rules in --rules\n"
    "(describe-config-rules output).\n"
    "Another account's image is not a finding by itself.\n"
    "--region and --rule (a finding kind, a rulebook id such as SHARE-7, or a Config rule name)\n"
    "narrow the audit; --now TIME (RFC 3339, not before the state's clock) moves the clock.\n"
    "Severities: critical, high, medium, low, info. --json prints the report (findings, totals,\n"
    "and Config EvaluationResults); --html FILE writes a self-contained HTML page.\n"
    "Exit 0; 1 with --fail-on SEVERITY when a finding is at or above it, or with\n"
    "--fail-on-findings when there is any finding; 2 for bad usage or input.\n";

// The text of a describe-config-rules output file, refused above the parser's limit before it
// is read.
absl::StatusOr<std::string> ReadBounded(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return ami::MakeError(ami::ErrorCode::kInvalidParameterValue,
                          absl::StrCat("cannot read `", path, "`: ", ec.message()));
  }
  if (size > ami::kMaxDescribeConfigRulesBytes) {
    return ami::MakeError(ami::ErrorCode::kResourceLimitExceeded,
                          absl::StrCat("`", path, "` is ", size, " bytes, more than the limit of ",
                                       ami::kMaxDescribeConfigRulesBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// --owner, --region, --rule and --rules as AuditOptions.
absl::StatusOr<ami::AuditOptions> OptionsOf(const Args& args, const ami::Cloud& cloud) {
  ami::AuditOptions options;
  for (const Args::Item& item : args.items) {
    if (item.option == "--owner") {
      if (item.value == "self") {
        for (const ami::AccountId a : ami::AuditedAccounts(cloud)) options.owners.push_back(a);
        continue;
      }
      absl::StatusOr<ami::AccountId> a = ami::AccountId::Parse(item.value);
      if (!a.ok()) return a.status();
      options.owners.push_back(*a);
    } else if (item.option == "--region") {
      absl::StatusOr<ami::Region> r = ami::Region::Parse(item.value);
      if (!r.ok()) return r.status();
      options.regions.push_back(*r);
    } else if (item.option == "--rule") {
      options.rules.push_back(item.value);
    } else if (item.option == "--rules") {
      absl::StatusOr<std::string> text = ReadBounded(item.value);
      if (!text.ok()) return text.status();
      absl::StatusOr<std::vector<ami::ConfigRule>> rules = ami::ParseDescribeConfigRules(*text);
      if (!rules.ok()) {
        const std::optional<ami::ErrorCode> code = ami::GetErrorCode(rules.status());
        return ami::MakeError(code.value_or(ami::ErrorCode::kInvalidParameterValue),
                              absl::StrCat(item.value, ": ", rules.status().message()));
      }
      options.config_rules.insert(options.config_rules.end(), rules->begin(), rules->end());
    }
  }
  return options;
}

// --now: moves the loaded cloud's clock forward to `text` (MC-76: never back).
absl::Status SetClock(ami::Cloud& cloud, const std::string& text) {
  absl::StatusOr<absl::Time> now = ami::ParseAwsTime(text);
  if (!now.ok()) return now.status();
  if (*now < cloud.Now()) {
    return ami::MakeError(ami::ErrorCode::kInvalidParameterValue,
                          absl::StrCat("--now `", text, "` is before the state's clock `",
                                       ami::FormatAwsTime(cloud.Now()),
                                       "`: the clock only moves forward"));
  }
  cloud.AdvanceClock(*now - cloud.Now());
  return absl::OkStatus();
}

void PrintText(const ami::AuditReport& report, const std::string& state) {
  const std::string owners = absl::StrJoin(report.owners, ", ", [](std::string* o, ami::AccountId a) {
    absl::StrAppend(o, a.ToString());
  });
  const std::string regions = report.regions.empty()
      ? std::string("all")
      : absl::StrJoin(report.regions, ", ", [](std::string* o, ami::Region r) { absl::StrAppend(o, r.code()); });
  std::printf("audit of %s at %s: accounts %s; Regions %s\n", state.c_str(),
              ami::FormatAwsTime(report.now).c_str(), owners.empty() ? "none" : owners.c_str(),
              regions.c_str());
  for (const ami::Finding& f : report.findings) {
    std::string rule = f.rule;
    if (!f.config_rule.empty()) absl::StrAppend(&rule, " ", f.config_rule);
    std::printf("%-8s %-36s %-24s %-14s %s  %s: %s\n", std::string(ami::ToString(f.severity)).c_str(),
                std::string(ami::ToString(f.kind)).c_str(), f.resource.c_str(),
                f.region.ToString().c_str(), f.owner.ToString().c_str(), rule.c_str(), f.detail.c_str());
  }
  std::vector<std::string> by_severity;
  for (size_t i = 0; i < ami::kSeverityCount; ++i) {
    if (report.by_severity[i] == 0) continue;
    by_severity.push_back(absl::StrCat(report.by_severity[i], " ",
                                       ami::ToString(static_cast<ami::Severity>(i))));
  }
  std::printf("%zu finding(s)%s%s\n", report.findings.size(), by_severity.empty() ? "" : ": ",
              absl::StrJoin(by_severity, ", ").c_str());
  auto totals = [](const char* what, const auto& map, auto name) {
    if (map.empty()) return;
    std::vector<std::string> parts;
    for (const auto& [key, count] : map) parts.push_back(absl::StrCat(name(key), " ", count));
    std::printf("  per %s: %s\n", what, absl::StrJoin(parts, ", ").c_str());
  };
  totals("rule", report.by_rule, [](const std::string& r) { return r; });
  totals("account", report.by_account, [](ami::AccountId a) { return a.ToString(); });
  totals("Region", report.by_region, [](ami::Region r) { return r.ToString(); });
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    return ami::MakeError(ami::ErrorCode::kInvalidParameterValue,
                          absl::StrCat("cannot write `", path, "`"));
  }
  return absl::OkStatus();
}

}  // namespace

int AuditCommand(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const auto state = args.Get("--state");
  if (!state) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  std::optional<ami::Severity> fail_on;
  if (const auto word = args.Get("--fail-on")) {
    absl::StatusOr<ami::Severity> s = ami::ParseSeverity(*word);
    if (!s.ok()) return Fail(args, s.status());
    fail_on = *s;
  }
  auto cloud = LoadStateShowingProgress(*state);
  if (!cloud.ok()) return Fail(args, cloud.status());
  if (const auto now = args.Get("--now")) {
    if (absl::Status s = SetClock(**cloud, *now); !s.ok()) return Fail(args, s);
  }
  absl::StatusOr<ami::AuditOptions> options = OptionsOf(args, **cloud);
  if (!options.ok()) return Fail(args, options.status());
  absl::StatusOr<ami::AuditReport> report = ami::Audit(**cloud, *options);
  if (!report.ok()) return Fail(args, report.status());
  if (const auto html = args.Get("--html")) {
    if (absl::Status s = WriteFile(*html, ami::FormatAuditHtml(*report, *state)); !s.ok()) {
      return Fail(args, s);
    }
  }
  if (args.json) {
    std::fputs(AuditReportJson(*report, *state, options->rules).c_str(), stdout);
    std::fputs("\n", stdout);
  } else {
    PrintText(*report, *state);
  }
  if (fail_on.has_value() && report->CountAtLeast(*fail_on) > 0) return kFailed;
  return args.Has("--fail-on-findings") && !report->findings.empty() ? kFailed : kOk;
}

}  // namespace amictl
