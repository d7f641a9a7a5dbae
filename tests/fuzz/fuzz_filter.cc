// EC2 filter patterns (DESC-5) against a simple backtracking reference, on short inputs: the
// first byte splits the rest into pattern and text. Properties: the matcher agrees with the
// reference; an exact pattern matches its literal; a pattern matches no text that does not
// start with its literal prefix.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "ami/requests.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// Tokens: byte values, -1 for `*`, -2 for `?`.
std::vector<int> Tokens(absl::string_view p) {
  std::vector<int> out;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      out.push_back(static_cast<unsigned char>(p[++i]));
    } else if (p[i] == '*') {
      out.push_back(-1);
    } else if (p[i] == '?') {
      out.push_back(-2);
    } else {
      out.push_back(static_cast<unsigned char>(p[i]));
    }
  }
  return out;
}

// Memoized on (pattern position, text position); memo: 0 unknown, 1 false, 2 true.
bool Reference(const std::vector<int>& t, size_t i, absl::string_view s, size_t j,
               std::vector<char>& memo) {
  char& m = memo[i * (s.size() + 1) + j];
  if (m != 0) return m == 2;
  bool r;
  if (i == t.size()) {
    r = j == s.size();
  } else if (t[i] == -1) {
    r = Reference(t, i + 1, s, j, memo) || (j < s.size() && Reference(t, i, s, j + 1, memo));
  } else if (t[i] == -2) {
    r = Reference(t, i + 1, s, j, memo) || (j < s.size() && Reference(t, i + 1, s, j + 1, memo));
  } else {
    r = j < s.size() && static_cast<unsigned char>(s[j]) == t[i] &&
        Reference(t, i + 1, s, j + 1, memo);
  }
  m = r ? 2 : 1;
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 48) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t cut = data[0] % (rest.size() + 1);
  const absl::string_view pattern = rest.substr(0, cut), text = rest.substr(cut);
  const ami::FilterPattern p = ami::FilterPattern::Compile(pattern);
  const bool got = p.Matches(text);
  const std::vector<int> tokens = Tokens(pattern);
  std::vector<char> memo((tokens.size() + 1) * (text.size() + 1), 0);
  AMI_FUZZ_CHECK(got == Reference(tokens, 0, text, 0, memo));
  if (p.exact()) AMI_FUZZ_CHECK(p.Matches(p.literal_prefix()));
  if (got) AMI_FUZZ_CHECK(absl::StartsWith(text, p.literal_prefix()));
  return 0;
}
