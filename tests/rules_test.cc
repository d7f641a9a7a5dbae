// The rule catalogue (ami/rules.h): every rule id that libami's sources print resolves, unknown
// ids do not, and every entry is one short line with a documentation page.
#include "ami/rules.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "ami/tools/modelling_choices.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ami {
namespace {

namespace fs = std::filesystem;

// Tokens of rule-id shape in libami's strings that name no rule.
const std::set<std::string> kNotRuleIds = {"UTF-8"};

// Files that hold the catalogue itself rather than print ids.
const std::set<std::string> kCatalogueFiles = {"lib/tools/rule_table.cc"};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The contents of the string literals of C++ source `text`, comments, character literals and
// digit separators skipped; raw strings (R"d(…)d") included.
std::vector<std::string> StringLiterals(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
    } else if (text.compare(i, 2, "/*") == 0) {
      i = text.find("*/", i + 2);
      if (i != std::string::npos) i += 2;
    } else if (text[i] == 'R' && i + 1 < text.size() && text[i + 1] == '"') {
      const size_t open = text.find('(', i + 2);
      if (open == std::string::npos) break;
      const std::string close = ")" + text.substr(i + 2, open - i - 2) + "\"";
      const size_t end = text.find(close, open + 1);
      if (end == std::string::npos) break;
      out.push_back(text.substr(open + 1, end - open - 1));
      i = end + close.size();
    } else if (text[i] == '\'' && i > 0 && absl::ascii_isxdigit(static_cast<unsigned char>(text[i - 1]))) {
      ++i;  // a digit separator, as in 1'000
    } else if (text[i] == '"' || text[i] == '\'') {
      const char quote = text[i];
      std::string literal;
      for (++i; i < text.size() && text[i] != quote; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) literal += text[i++];
        literal += text[i];
      }
      if (quote == '"') out.push_back(literal);
      ++i;
    } else {
      ++i;
    }
    if (i == std::string::npos) break;
  }
  return out;
}

// Every token of rule-id shape in a string literal of the sources that print rule ids: the
// library (lib/, include/) and amictl (examples/amictl/), mapped to a file that prints it.
std::map<std::string, std::string> PrintedRuleIds() {
  static const std::regex kIdPattern(R"(\b[A-Z]{2,8}-\d+\b)");
  const fs::path root(AMI_SOURCE_DIR);
  std::map<std::string, std::string> ids;
  for (const char* dir : {"lib", "include", "examples/amictl"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const fs::path& path = entry.path();
      if (!entry.is_regular_file() || (path.extension() != ".cc" && path.extension() != ".h")) continue;
      const std::string relative = fs::relative(path, root).generic_string();
      if (kCatalogueFiles.count(relative) > 0) continue;
      for (const std::string& literal : StringLiterals(ReadFile(path))) {
        for (std::sregex_iterator m(literal.begin(), literal.end(), kIdPattern), end; m != end; ++m) {
          ids.emplace(m->str(), relative);
        }
      }
    }
  }
  return ids;
}

std::string AreaOf(std::string_view id) { return std::string(id.substr(0, id.rfind('-'))); }

std::set<std::string> CatalogueAreas() {
  std::set<std::string> areas;
  for (const RuleInfo& r : AllRules()) areas.insert(AreaOf(r.id));
  return areas;
}

TEST(RuleCatalogue, ScannerReadsStringLiteralsOnly) {
  const std::string source =
      "// SHARE-1 in a comment\n"
      "/* KMS-2 in a block */ auto a = \"REG-1 and \\\"ID-4\\\"\"; char c = '\"';\n"
      "auto b = R\"x(GOV-3 \"raw\")x\"; int n = 1'000; auto d = \"LAUNCH-9\";";
  const std::vector<std::string> literals = StringLiterals(source);
  EXPECT_THAT(literals, testing::ElementsAre("REG-1 and \\\"ID-4\\\"", "GOV-3 \"raw\"", "LAUNCH-9"));
}

// (a) Every id libami prints resolves: the reasons of lib/policy/reasons.h, the tools' findings
// and evaluations, the modelling choices, amictl's output.
TEST(RuleCatalogue, EveryPrintedRuleIdResolves) {
  const std::map<std::string, std::string> printed = PrintedRuleIds();
  const std::set<std::string> areas = CatalogueAreas();
  ASSERT_GE(printed.size(), 150u) << "the scan of " << AMI_SOURCE_DIR << " found too few ids";
  for (const auto& [id, file] : printed) {
    if (kNotRuleIds.count(id) > 0) continue;
    EXPECT_EQ(areas.count(AreaOf(id)), 1u)
        << id << " (printed by " << file << ") is of no rule area: add its rules to "
        << "lib/tools/rule_table.cc, or add it to kNotRuleIds if it names no rule";
    EXPECT_TRUE(DescribeRule(id).has_value()) << id << " (printed by " << file << ") does not resolve";
  }
}

TEST(RuleCatalogue, ReasonsHeaderIdsResolve) {
  const std::string reasons = ReadFile(fs::path(AMI_SOURCE_DIR) / "lib/policy/reasons.h");
  const std::regex pattern(R"(\b[A-Z]{2,8}-\d+\b)");
  size_t count = 0;
  for (const std::string& literal : StringLiterals(reasons)) {
    for (std::sregex_iterator m(literal.begin(), literal.end(), pattern), end; m != end; ++m) {
      ++count;
      EXPECT_TRUE(DescribeRule(m->str()).has_value()) << m->str();
    }
  }
  EXPECT_GE(count, 50u);
}

// `part`'s characters appear in `whole` in the same order.
bool IsSubsequence(std::string_view part, std::string_view whole) {
  size_t at = 0;
  for (const char c : part) {
    at = whole.find(c, at);
    if (at == std::string_view::npos) return false;
    ++at;
  }
  return true;
}

TEST(RuleCatalogue, EveryModellingChoiceResolvesToItsFirstSentence) {
  const std::string ellipsis = "\xE2\x80\xA6";
  for (const ModellingChoice& choice : ModellingChoices()) {
    const std::string id(choice.id);
    const std::optional<RuleInfo> rule = DescribeRule(id);
    ASSERT_TRUE(rule.has_value()) << id;
    EXPECT_EQ(rule->doc_url, "README.md#modelling-choices") << id;
    std::string summary(rule->summary);
    if (summary.size() >= ellipsis.size() &&
        summary.compare(summary.size() - ellipsis.size(), ellipsis.size(), ellipsis) == 0) {
      summary.resize(summary.size() - ellipsis.size());
    }
    ASSERT_GE(summary.size(), 10u) << id;
    const std::string text(choice.choice);
    EXPECT_EQ(text.compare(0, 10, summary, 0, 10), 0) << id << ": `" << rule->summary << "`";
    EXPECT_TRUE(IsSubsequence(summary, text)) << id << ": `" << rule->summary << "` is not from its text";
  }
  // A first sentence that fits is the summary; one too long loses its parenthetical remarks,
  // then all but its first clause, then its end.
  EXPECT_EQ(DescribeRule("MC-1")->summary,
            "Resource ids are a prefix (ami-, snap-, i-, vol-) and exactly 8 or 17 lowercase hex "
            "digits; uppercase or any other length is the kind's *.Malformed code");
  EXPECT_EQ(DescribeRule("MC-53")->summary,
            "Input larger than a documented limit is ResourceLimitExceeded, before it is read or decoded");
  EXPECT_EQ(DescribeRule("MC-4")->summary, "KMS identifiers fail with KMS's own codes");
  const std::string_view cut = DescribeRule("MC-48")->summary;
  EXPECT_EQ(cut.substr(cut.size() - ellipsis.size()), ellipsis);
  EXPECT_EQ(cut.find("(open question"), std::string_view::npos);
}

// The README section the modelling choices' doc_url names exists.
TEST(RuleCatalogue, ReadmeHasTheModellingChoicesSection) {
  const std::string readme = ReadFile(fs::path(AMI_SOURCE_DIR) / "README.md");
  EXPECT_NE(readme.find("\n## Modelling choices\n"), std::string::npos);
}

// (b) Unknown ids, and known ids spelt differently, do not resolve.
TEST(RuleCatalogue, UnknownIdsDoNotResolve) {
  for (const char* id : {"", "-", "SHARE", "SHARE-", "-16", "SHARE-0", "SHARE-999", "share-16", "Share-16",
                         "SHARE-016", "SHARE16", " SHARE-16", "SHARE-16 ", "SHARE_16", "MC-12", "MC-0",
                         "XX-1", "COPY-99", "SHARE-99999999999999999999"}) {
    EXPECT_FALSE(DescribeRule(id).has_value()) << "`" << id << "`";
  }
  EXPECT_FALSE(DescribeRule(std::string(100000, 'A')).has_value());
}

TEST(RuleCatalogue, KnownIdsResolve) {
  EXPECT_EQ(DescribeRule("SHARE-16")->doc_url,
            "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html");
  EXPECT_EQ(DescribeRule("GOV-1")->doc_url,
            "https://docs.aws.amazon.com/config/latest/developerguide/approved-amis-by-id.html");
  EXPECT_EQ(DescribeRule("GOV-5")->doc_url,
            "https://docs.aws.amazon.com/config/latest/developerguide/"
            "ec2-instance-launched-with-allowed-ami.html");
  EXPECT_EQ(DescribeRule("COPY-7")->doc_url,
            "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopyImage.html");
  EXPECT_EQ(DescribeRule("ID-3")->doc_url,
            "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html");
  EXPECT_EQ(DescribeRule("ASYNC-6")->id, "ASYNC-6");
  EXPECT_EQ(DescribeRule("STOR-5")->id, "STOR-5");
}

// (c) One line of at most kMaxRuleSummaryBytes bytes each; rulebook rules link to AWS docs.
TEST(RuleCatalogue, SummariesAreOneShortLineAndUrlsAreAwsDocumentation) {
  ASSERT_GE(AllRules().size(), 200u + ModellingChoices().size());
  for (const RuleInfo& r : AllRules()) {
    EXPECT_FALSE(r.summary.empty()) << r.id;
    EXPECT_LE(r.summary.size(), kMaxRuleSummaryBytes) << r.id;
    EXPECT_EQ(r.summary.find_first_of("\r\n"), std::string_view::npos) << r.id;
    EXPECT_NE(r.summary.back(), '.') << r.id;
    EXPECT_EQ(r.doc_url.find_first_of(" \t\r\n\""), std::string_view::npos) << r.id;
    if (AreaOf(r.id) == "MC") continue;
    EXPECT_EQ(r.doc_url.rfind("https://docs.aws.amazon.com/", 0), 0u) << r.id << ": " << r.doc_url;
  }
}

TEST(RuleCatalogue, AllRulesIsOrderedByAreaThenNumberWithoutDuplicates) {
  const std::vector<RuleInfo>& rules = AllRules();
  for (size_t i = 1; i < rules.size(); ++i) {
    const auto key = [](std::string_view id) {
      return std::make_tuple(AreaOf(id), std::stol(std::string(id.substr(id.rfind('-') + 1))));
    };
    EXPECT_LT(key(rules[i - 1].id), key(rules[i].id)) << rules[i - 1].id << " / " << rules[i].id;
  }
  for (const RuleInfo& r : rules) {
    const std::optional<RuleInfo> found = DescribeRule(r.id);
    ASSERT_TRUE(found.has_value()) << r.id;
    EXPECT_EQ(found->summary.data(), r.summary.data()) << r.id;
  }
}

TEST(RuleCatalogue, ClosestRulesSuggestsNearIds) {
  std::vector<RuleInfo> near = ClosestRules("share-16");
  ASSERT_EQ(near.size(), 3u);
  EXPECT_EQ(near[0].id, "SHARE-16");
  near = ClosestRules("SHRE-16", 1);
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near[0].id, "SHARE-16");
  EXPECT_TRUE(ClosestRules("SHARE-16", 0).empty());
  EXPECT_EQ(ClosestRules(std::string(1 << 20, 'Z'), 5).size(), 5u);
  EXPECT_EQ(ClosestRules("", 1000).size(), AllRules().size());
}

// The catalogue is built once, on first use, from any thread.
TEST(RuleCatalogue, ConcurrentFirstUse) {
  std::vector<std::thread> threads;
  std::vector<int> found(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &found] {
      for (const RuleInfo& r : AllRules()) found[t] += DescribeRule(r.id).has_value() ? 1 : 0;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int n : found) EXPECT_EQ(static_cast<size_t>(n), AllRules().size());
}

}  // namespace
}  // namespace ami
