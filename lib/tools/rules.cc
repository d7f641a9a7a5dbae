#include "ami/rules.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "ami/tools/modelling_choices.h"
#include "tools/rule_table.h"

namespace ami {
namespace {

// Where every modelling choice is listed.
constexpr std::string_view kChoicesUrl = "README.md#modelling-choices";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026, three bytes

std::string_view View(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// The catalogue's order: area name, then number, so ID-2 comes before ID-10. An id whose suffix
// is not a plain number sorts with number -1; the whole id breaks the remaining ties, so two
// different ids never compare equal.
struct OrderKey {
  std::string_view area;
  long number;
};

OrderKey KeyOf(std::string_view id) {
  const size_t dash = id.rfind('-');
  if (dash == std::string_view::npos) return {id, -1};
  const std::string_view digits = id.substr(dash + 1);
  if (digits.empty() || digits.size() > 9) return {id.substr(0, dash), -1};
  long number = 0;
  for (const char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return {id.substr(0, dash), -1};
    number = number * 10 + (c - '0');
  }
  return {id.substr(0, dash), number};
}

bool IdBefore(std::string_view a, std::string_view b) {
  const OrderKey ka = KeyOf(a);
  const OrderKey kb = KeyOf(b);
  return std::tie(ka.area, ka.number, a) < std::tie(kb.area, kb.number, b);
}

// The first sentence of `text` without its final period: up to the first ". " that is followed
// by a capital letter, so "e.g. x" and "*.Malformed" do not end it.
std::string_view FirstSentence(std::string_view text) {
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == '.' && text[i + 1] == ' ' &&
        absl::ascii_isupper(static_cast<unsigned char>(text[i + 2]))) {
      return text.substr(0, i);
    }
  }
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  return text;
}

// The first clause of `sentence`: up to the first ": " or "; " outside parentheses.
std::string_view FirstClause(std::string_view sentence) {
  int depth = 0;
  for (size_t i = 0; i + 1 < sentence.size(); ++i) {
    const char c = sentence[i];
    if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0 && (c == ':' || c == ';') && sentence[i + 1] == ' ') {
      return sentence.substr(0, i);
    }
  }
  return sentence;
}

// `text` without its parenthetical remarks (outermost parentheses, with the space before them).
std::string WithoutParentheses(std::string_view text) {
  std::string out;
  int depth = 0;
  for (const char c : text) {
    if (c == '(') {
      if (depth++ == 0) {
        while (!out.empty() && out.back() == ' ') out.pop_back();
      }
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

// `text` cut at a word so that it and a final "…" fit in kMaxRuleSummaryBytes bytes.
std::string CutAtWord(std::string_view text) {
  size_t cut = text.rfind(' ', kMaxRuleSummaryBytes - kEllipsis.size());
  if (cut == std::string_view::npos || cut == 0) cut = kMaxRuleSummaryBytes - kEllipsis.size();
  while (cut > 0 && std::string_view(",;:( ").find(text[cut - 1]) != std::string_view::npos) --cut;
  // Never end inside a multi-byte UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)).append(kEllipsis);
}

// A modelling choice in one line of at most kMaxRuleSummaryBytes bytes: its first sentence; if
// that is too long, the sentence without its parenthetical remarks, else its first clause, else
// that clause without its remarks; if even that is too long, cut at a word and ended with "…".
std::string SummarizeChoice(std::string_view choice) {
  const std::string_view sentence = FirstSentence(choice);
  const std::string_view clause = FirstClause(sentence);
  std::string candidates[] = {std::string(sentence), WithoutParentheses(sentence), std::string(clause),
                              WithoutParentheses(clause)};
  std::string out;
  for (std::string& candidate : candidates) {
    if (candidate.size() <= kMaxRuleSummaryBytes) {
      out = std::move(candidate);
      break;
    }
  }
  if (out.empty()) out = CutAtWord(candidates[3]);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

// The catalogue, built once: the rulebook's table and the modelling choices, in IdBefore order.
struct Catalogue {
  std::vector<std::string> choice_summaries;  // reserved up front: `rules` holds views into it
  std::vector<RuleInfo> rules;
};

const Catalogue& TheCatalogue() {
  static const Catalogue* const catalogue = [] {
    auto* c = new Catalogue;
    const std::vector<ModellingChoice>& choices = ModellingChoices();
    const absl::Span<const RuleInfo> rulebook = internal::RulebookRules();
    c->choice_summaries.reserve(choices.size());
    c->rules.reserve(rulebook.size() + choices.size());
    c->rules.assign(rulebook.begin(), rulebook.end());
    for (const ModellingChoice& choice : choices) {
      c->choice_summaries.push_back(SummarizeChoice(View(choice.choice)));
      c->rules.push_back({View(choice.id), c->choice_summaries.back(), kChoicesUrl});
    }
    std::stable_sort(c->rules.begin(), c->rules.end(),
                     [](const RuleInfo& a, const RuleInfo& b) { return IdBefore(a.id, b.id); });
    return c;
  }();
  return *catalogue;
}

// Levenshtein distance between two short strings.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
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

}  // namespace

const std::vector<RuleInfo>& AllRules() { return TheCatalogue().rules; }

std::optional<RuleInfo> DescribeRule(std::string_view id) {
  const std::vector<RuleInfo>& rules = AllRules();
  const auto it = std::lower_bound(rules.begin(), rules.end(), id,
                                   [](const RuleInfo& r, std::string_view v) { return IdBefore(r.id, v); });
  if (it == rules.end() || it->id != id) return std::nullopt;
  return *it;
}

std::vector<RuleInfo> ClosestRules(std::string_view id, size_t max) {
  const std::string query =
      absl::AsciiStrToUpper(absl::string_view(id.data(), std::min(id.size(), kMaxRuleIdQueryBytes)));
  const std::vector<RuleInfo>& rules = AllRules();
  std::vector<std::pair<size_t, size_t>> ranked;  // (distance, catalogue index)
  ranked.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) ranked.emplace_back(EditDistance(query, rules[i].id), i);
  const size_t n = std::min(max, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end());
  std::vector<RuleInfo> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(rules[ranked[i].second]);
  return out;
}

}  // namespace ami
