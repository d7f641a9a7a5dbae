#include "cloud/describe_query.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "values/choices.h"

namespace ami::internal {

std::string EncodeToken(const PageToken& token) {
  return absl::WebSafeBase64Escape(absl::StrCat("1.", token.plan, ".", absl::Hex(token.fingerprint),
                                                ".", token.id, ".", token.name));
}

absl::StatusOr<PageToken> DecodeToken(const std::string& text, uint64_t fingerprint) {
  auto bad = [&](absl::string_view why) {
    return MakeError(choices::kBadNextToken,
                     absl::StrCat("invalid NextToken: ", why,
                                  "; pass the token of the previous page of the same request"));
  };
  if (text.size() > 4096) return bad("too long");
  std::string plain;
  if (!absl::WebSafeBase64Unescape(text, &plain)) return bad("not a token");
  std::vector<std::string> parts = absl::StrSplit(plain, absl::MaxSplits('.', 4));
  PageToken token;
  if (parts.size() != 5 || parts[0] != "1" || !absl::SimpleAtoi(parts[1], &token.plan) ||
      !absl::SimpleHexAtoi(parts[2], &token.fingerprint)) {
    return bad("not a token");
  }
  if (token.fingerprint != fingerprint) return bad("it belongs to another request");
  token.id = std::move(parts[3]);
  token.name = std::move(parts[4]);
  return token;
}

uint64_t Fingerprint(const std::vector<std::string>& parts) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const std::string& part : parts) {
    for (const char c : part) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL;
  }
  return h;
}

uint64_t RequestFingerprint(std::vector<std::string> head,
                            const std::vector<const std::vector<std::string>*>& lists,
                            const std::vector<Filter>& filters) {
  for (const std::vector<std::string>* list : lists) {
    head.push_back("|");
    head.insert(head.end(), list->begin(), list->end());
  }
  for (const Filter& f : filters) {
    head.push_back("|" + f.name);
    head.insert(head.end(), f.values.begin(), f.values.end());
  }
  return Fingerprint(head);
}

void CompilePatterns(const std::vector<std::string>& values, std::vector<FilterPattern>* patterns,
                     bool* all_exact) {
  *all_exact = true;
  for (const std::string& v : values) {
    patterns->push_back(FilterPattern::Compile(v));
    *all_exact = *all_exact && patterns->back().exact();
  }
}

absl::Status CheckDescribeBounds(int max_results, size_t ids, const std::vector<Filter>& filters) {
  if (max_results != 0 && (max_results < kMinDescribeResults || max_results > kMaxDescribeResults)) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("MaxResults ", max_results, ": expected ", kMinDescribeResults,
                                  " to ", kMaxDescribeResults, " (DESC-12)"));
  }
  if (max_results != 0 && ids > 0) {
    return MakeError(choices::kInconsistentValues,
                     "MaxResults cannot be combined with ids: a request for named resources is "
                     "answered in one page");
  }
  if (ids > kMaxDescribeIds) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(ids, " ids in one request, more than ", kMaxDescribeIds));
  }
  if (filters.size() > kMaxFilters) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat(filters.size(), " filters, more than ", kMaxFilters));
  }
  for (const Filter& f : filters) {
    if (f.values.empty() || f.values.size() > kMaxFilterValues) {
      return MakeError(choices::kInvalidValue,
                       absl::StrCat("filter `", f.name.substr(0, 128), "` has ", f.values.size(),
                                    " values: expected 1 to ", kMaxFilterValues));
    }
  }
  return absl::OkStatus();
}

}  // namespace ami::internal
