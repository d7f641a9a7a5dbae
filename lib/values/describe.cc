#include "ami/requests.h"

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ami/errors.h"

namespace ami {

absl::StatusOr<ResourceId> ResourceId::Parse(absl::string_view text) {
  if (absl::StartsWith(text, "ami-")) {
    if (auto id = ImageId::Parse(text); id.ok()) return ResourceId(*id);
  } else if (absl::StartsWith(text, "snap-")) {
    if (auto id = SnapshotId::Parse(text); id.ok()) return ResourceId(*id);
  } else if (absl::StartsWith(text, "i-")) {
    if (auto id = InstanceId::Parse(text); id.ok()) return ResourceId(*id);
  }
  return MakeError(ErrorCode::kInvalidID,
                   absl::StrCat("invalid resource id `", text,
                                "` (ID-3): expected an ami-, snap- or i- id"));
}

std::string ResourceId::ToString() const {
  return std::visit([](const auto& id) { return id.ToString(); }, id_);
}

FilterPattern FilterPattern::Compile(absl::string_view value) {
  FilterPattern p;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    int token = static_cast<unsigned char>(c);
    if (c == '\\' && i + 1 < value.size()) {
      token = static_cast<unsigned char>(value[++i]);
    } else if (c == '*') {
      token = kAny;
    } else if (c == '?') {
      token = kOne;
    }
    if (token < 0) p.exact_ = false;
    if (p.exact_) p.prefix_.push_back(static_cast<char>(token));
    p.tokens_.push_back(token);
  }
  return p;
}

bool FilterPattern::Matches(absl::string_view text) const {
  if (exact_) return text == prefix_;
  // A set of positions in the pattern, advanced one character at a time: linear in the
  // pattern for each character, whatever the pattern (no backtracking).
  const size_t n = tokens_.size();
  std::vector<char> now(n + 1, 0), next(n + 1, 0);
  auto close = [&](std::vector<char>& set) {
    for (size_t i = 0; i < n; ++i) {
      if (set[i] && tokens_[i] < 0) set[i + 1] = 1;  // `*` and `?` may match nothing.
    }
  };
  now[0] = 1;
  close(now);
  for (const char ch : text) {
    const int c = static_cast<unsigned char>(ch);
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      if (!now[i]) continue;
      if (tokens_[i] == kAny) {
        next[i] = 1;
        any = true;
      } else if (tokens_[i] == kOne || tokens_[i] == c) {
        next[i + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    close(next);
    now.swap(next);
  }
  return now[n] != 0;
}

}  // namespace ami
