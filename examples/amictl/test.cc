// amictl test: every scenario under the given folders, each run to its end, with a report for
// people (file:line of each mismatch), for CI systems (JUnit XML) and for programs (JSON).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/errors.h"
#include "ami/io/state_file.h"
#include "ami/tools/scenario.h"
#include "cli.h"
#include "nlohmann/json.hpp"

namespace amictl {
namespace {

using nlohmann::ordered_json;

// The most scenario files one run takes.
constexpr size_t kMaxTestFiles = 10000;

constexpr char kHelp[] =
    "usage: amictl test [--junit FILE] [--json] PATH...\n"
    "\n"
    "Runs every scenario file (*.textproto) in each PATH — a file, or a folder searched\n"
    "recursively, in name order — each to its last step, so that one report shows every\n"
    "mismatch: `FILE:LINE: step N \"name\": what differed`. --junit FILE also writes JUnit XML\n"
    "(one testcase per file, a failure per mismatch, an error for a file that cannot be read or\n"
    "run). At most 10,000 files. Exit 0 when every expectation holds; 1 when one does not; 2\n"
    "when a file cannot be read, parsed or run (the others still run).\n";

// One file's outcome.
struct FileReport {
  std::string path;
  std::string scenario;
  int steps = 0;
  // "FILE:LINE: step N ...: mismatch", one per failing step.
  std::vector<std::string> failures;
  // Set when the file could not be read, parsed or run.
  std::string error;
};

// The scenario files under `paths`, sorted within each path; a bad path is an error.
absl::StatusOr<std::vector<std::string>> Collect(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) {
      files.push_back(p);
      continue;
    }
    if (!std::filesystem::is_directory(p, ec)) {
      return ami::MakeError(ami::ErrorCode::kInvalidParameterValue,
                            absl::StrCat("`", p, "` is neither a scenario file nor a folder"));
    }
    std::vector<std::string> found;
    for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".textproto") {
        found.push_back(it->path().string());
      }
      if (files.size() + found.size() > kMaxTestFiles) break;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
    if (files.size() > kMaxTestFiles) {
      return ami::MakeError(ami::ErrorCode::kResourceLimitExceeded,
                            absl::StrCat("more than ", kMaxTestFiles, " scenario files"));
    }
  }
  return files;
}

FileReport RunFile(const std::string& path) {
  FileReport report{path, "", 0, {}, ""};
  absl::StatusOr<ami::v1::Scenario> scenario = ami::ParseScenarioFile(path);
  if (!scenario.ok()) {
    report.error = std::string(scenario.status().message());
    return report;
  }
  // The text again, for the steps' lines: no more than a scenario may hold.
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  std::string text(ec ? 0 : std::min<uintmax_t>(size, ami::kMaxScenarioBytes), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  report.scenario = scenario->name();
  ami::ScenarioRunOptions options;
  options.stop_at_first_mismatch = false;
  absl::StatusOr<ami::ScenarioResult> result = ami::RunScenario(*scenario, options, nullptr);
  if (!result.ok()) {
    report.error = absl::StrCat(path, ": ", result.status().message());
    return report;
  }
  report.steps = static_cast<int>(result->steps.size());
  const std::vector<int> lines = ami::ScenarioStepLines(text);
  for (const ami::ScenarioStepResult& s : result->steps) {
    if (s.expectation_met) continue;
    const size_t at = static_cast<size_t>(s.index - 1);
    const std::string line = at < lines.size() ? absl::StrCat(":", lines[at]) : "";
    report.failures.push_back(absl::StrCat(path, line, ": step ", s.index,
                                           s.name.empty() ? "" : absl::StrCat(" \"", s.name, "\""),
                                           ": ", s.mismatch));
  }
  return report;
}

std::string Xml(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab and newline cannot appear in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string JUnit(const std::vector<FileReport>& reports) {
  size_t failures = 0, errors = 0;
  for (const FileReport& r : reports) {
    failures += r.failures.empty() ? 0 : 1;
    errors += r.error.empty() ? 0 : 1;
  }
  std::string head = absl::StrCat(" tests=\"", reports.size(), "\" failures=\"", failures,
                                  "\" errors=\"", errors, "\"");
  std::string out = absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", head,
                                 ">\n  <testsuite name=\"amictl test\"", head, ">\n");
  for (const FileReport& r : reports) {
    absl::StrAppend(&out, "    <testcase classname=\"scenarios\" name=\"", Xml(r.path), "\" file=\"",
                    Xml(r.path), "\">\n");
    if (!r.error.empty()) {
      absl::StrAppend(&out, "      <error message=\"", Xml(r.error), "\"/>\n");
    }
    for (const std::string& f : r.failures) {
      absl::StrAppend(&out, "      <failure message=\"", Xml(f), "\">", Xml(f), "</failure>\n");
    }
    absl::StrAppend(&out, "    </testcase>\n");
  }
  return out + "  </testsuite>\n</testsuites>\n";
}

ordered_json Json(const std::vector<FileReport>& reports) {
  ordered_json files = ordered_json::array();
  for (const FileReport& r : reports) {
    ordered_json f;
    f["File"] = r.path;
    f["Scenario"] = r.scenario;
    f["Passed"] = r.error.empty() && r.failures.empty();
    f["Steps"] = r.steps;
    f["Failures"] = r.failures;
    if (!r.error.empty()) f["Error"] = r.error;
    files.push_back(std::move(f));
  }
  return ordered_json{{"Files", std::move(files)}};
}

}  // namespace

int Test(const Args& args) {
  if (args.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  const std::vector<std::string> paths = args.Positionals();
  if (paths.empty()) {
    std::fputs(kHelp, stderr);
    return kUsage;
  }
  absl::StatusOr<std::vector<std::string>> files = Collect(paths);
  if (!files.ok()) return Fail(args, files.status());
  std::vector<FileReport> reports;
  for (const std::string& f : *files) reports.push_back(RunFile(f));
  bool failed = false, broken = false;
  for (const FileReport& r : reports) {
    failed = failed || !r.failures.empty();
    broken = broken || !r.error.empty();
  }
  if (const auto junit = args.Get("--junit")) {
    std::ofstream out(*junit, std::ios::binary | std::ios::trunc);
    out << JUnit(reports);
    if (!out) {
      return Fail(args, ami::MakeError(ami::ErrorCode::kInvalidParameterValue,
                                       absl::StrCat("cannot write `", *junit, "`")));
    }
  }
  if (args.json) {
    std::printf("%s\n", Json(reports).dump(2).c_str());
  } else {
    size_t passed = 0;
    for (const FileReport& r : reports) {
      if (!r.error.empty()) {
        std::printf("ERROR %s\n", r.error.c_str());
        continue;
      }
      if (r.failures.empty()) ++passed;
      std::printf("%s %s (%d steps)\n", r.failures.empty() ? "PASS" : "FAIL", r.path.c_str(), r.steps);
      for (const std::string& f : r.failures) std::printf("  %s\n", f.c_str());
    }
    std::printf("%zu of %zu scenario files passed\n", passed, reports.size());
  }
  return broken ? kUsage : failed ? kFailed : kOk;
}

}  // namespace amictl
