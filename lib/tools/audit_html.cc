// The audit report as one HTML page (ami/tools/audit.h): inline CSS, bars as CSS widths, no
// script. Every text goes through HtmlEscape().
#include <algorithm>
#include <cstddef>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/errors.h"
#include "ami/tools/audit.h"

namespace ami {
namespace {

constexpr char kStyle[] =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#1b1b1b}"
    "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.5em}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
    "th{background:#f0f0f0}td.n{text-align:right}"
    ".track{width:20em;background:#eee}.bar{height:1em;background:#3b6ea5}"
    ".sev{font-weight:bold}.critical{color:#a00}.high{color:#c50}.medium{color:#a80}"
    ".low{color:#357}.info{color:#555}.meta{color:#444}"
    "#findings td:nth-child(-n+4){white-space:nowrap}";

// One table row of a total: name, count and a bar whose width is the count's share of `max`.
void TotalRow(std::string* out, absl::string_view name, size_t count, size_t max,
              absl::string_view css_class = "") {
  const size_t percent = max == 0 ? 0 : (count * 100 + max - 1) / max;
  absl::StrAppend(out, "<tr><td", css_class.empty() ? "" : " class=\"", HtmlEscape(css_class),
                  css_class.empty() ? "" : "\"", ">", HtmlEscape(name), "</td><td class=\"n\">",
                  count, "</td><td class=\"track\"><div class=\"bar\" style=\"width:", percent,
                  "%\"></div></td></tr>\n");
}

template <typename Map, typename Name>
void TotalsTable(std::string* out, absl::string_view id, absl::string_view title,
                 absl::string_view column, const Map& totals, Name name) {
  size_t max = 0;
  for (const auto& [key, count] : totals) max = std::max(max, count);
  absl::StrAppend(out, "<h2>", HtmlEscape(title), "</h2>\n<table id=\"", id, "\"><tr><th>",
                  HtmlEscape(column), "</th><th>Findings</th><th></th></tr>\n");
  for (const auto& [key, count] : totals) TotalRow(out, name(key), count, max);
  if (totals.empty()) absl::StrAppend(out, "<tr><td colspan=\"3\">none</td></tr>\n");
  absl::StrAppend(out, "</table>\n");
}

void SeverityTable(std::string* out, const AuditReport& report) {
  size_t max = 0;
  for (const size_t n : report.by_severity) max = std::max(max, n);
  absl::StrAppend(out, "<h2>Findings per severity</h2>\n<table id=\"by-severity\"><tr>"
                       "<th>Severity</th><th>Findings</th><th></th></tr>\n");
  for (size_t i = 0; i < kSeverityCount; ++i) {
    const absl::string_view word = ToString(static_cast<Severity>(i));
    TotalRow(out, word, report.by_severity[i], max, absl::StrCat("sev ", word));
  }
  absl::StrAppend(out, "</table>\n");
}

void FindingsTable(std::string* out, const AuditReport& report) {
  absl::StrAppend(out, "<h2>Findings</h2>\n");
  if (report.findings.empty()) {
    absl::StrAppend(out, "<p id=\"no-findings\">No findings.</p>\n");
    return;
  }
  absl::StrAppend(out, "<table id=\"findings\"><tr><th>Severity</th><th>Resource</th>"
                       "<th>Account</th><th>Region</th><th>Rule</th><th>Explanation</th></tr>\n");
  for (const Finding& f : report.findings) {
    const absl::string_view sev = ToString(f.severity);
    std::string resource = HtmlEscape(f.resource);
    if (!f.name.empty()) absl::StrAppend(&resource, "<br>", HtmlEscape(f.name));
    absl::StrAppend(&resource, "<br><small>", HtmlEscape(f.resource_type), "</small>");
    std::string rule = absl::StrCat(HtmlEscape(f.rule), "<br><small>",
                                    HtmlEscape(ToString(f.kind)), "</small>");
    if (!f.config_rule.empty()) absl::StrAppend(&rule, "<br><small>", HtmlEscape(f.config_rule), "</small>");
    absl::StrAppend(out, "<tr><td class=\"sev ", sev, "\">", sev, "</td><td>", resource,
                    "</td><td>", HtmlEscape(f.owner.ToString()), "</td><td>",
                    HtmlEscape(f.region.code()), "</td><td>", rule, "</td><td>",
                    HtmlEscape(f.detail), "</td></tr>\n");
  }
  absl::StrAppend(out, "</table>\n");
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatAuditHtml(const AuditReport& report, absl::string_view state) {
  const std::string clock = FormatAwsTime(report.now);
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Audit of ",
      HtmlEscape(state), " at ", clock, "</title>\n<style>", kStyle, "</style>\n</head>\n<body>\n",
      "<h1 id=\"title\">Audit of ", HtmlEscape(state), " at ", clock, "</h1>\n");
  const std::string owners = absl::StrJoin(report.owners, ", ", [](std::string* o, AccountId a) {
    absl::StrAppend(o, a.ToString());
  });
  const std::string regions = report.regions.empty()
      ? std::string("all")
      : absl::StrJoin(report.regions, ", ",
                      [](std::string* o, Region r) { absl::StrAppend(o, r.code()); });
  absl::StrAppend(&out, "<p class=\"meta\" id=\"scope\">Accounts audited: ",
                  HtmlEscape(owners.empty() ? "none" : owners), ". Regions: ", HtmlEscape(regions),
                  ". Findings: <span id=\"total\">", report.findings.size(), "</span>.</p>\n");
  SeverityTable(&out, report);
  TotalsTable(&out, "by-rule", "Findings per rule", "Rule", report.by_rule,
              [](const std::string& rule) { return rule; });
  TotalsTable(&out, "by-account", "Findings per account", "Account", report.by_account,
              [](AccountId a) { return a.ToString(); });
  TotalsTable(&out, "by-region", "Findings per Region", "Region", report.by_region,
              [](Region r) { return r.ToString(); });
  FindingsTable(&out, report);
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

}  // namespace ami
