// The request context's keys: present, absent or unknown (context.h).
#include "policy/lang/context.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace ami::lang {

void RequestContext::Set(absl::string_view key, std::string value) {
  std::vector<std::string> values;
  values.push_back(std::move(value));
  SetMany(key, std::move(values));
}

void RequestContext::SetMany(absl::string_view key, std::vector<std::string> values) {
  std::string lower = absl::AsciiStrToLower(key);
  absent_.erase(lower);
  forgotten_.erase(lower);
  values_[std::move(lower)] = std::move(values);
}

void RequestContext::SetAbsent(absl::string_view key) {
  std::string lower = absl::AsciiStrToLower(key);
  values_.erase(lower);
  forgotten_.erase(lower);
  absent_.insert(std::move(lower));
}

void RequestContext::Forget(absl::string_view key) {
  std::string lower = absl::AsciiStrToLower(key);
  values_.erase(lower);
  absent_.erase(lower);
  forgotten_.insert(std::move(lower));
}

void RequestContext::SetComplete(absl::string_view prefix) {
  std::string lower = absl::AsciiStrToLower(prefix);
  for (const std::string& p : complete_prefixes_) {
    if (p == lower) return;
  }
  complete_prefixes_.push_back(std::move(lower));
}

KeyLookup RequestContext::Lookup(absl::string_view key_lower) const {
  KeyLookup result;
  if (auto it = values_.find(key_lower); it != values_.end()) {
    result.state = KeyLookup::State::kPresent;
    result.values = &it->second;
    return result;
  }
  if (forgotten_.contains(key_lower)) return result;
  if (absent_.contains(key_lower)) {
    result.state = KeyLookup::State::kAbsent;
    return result;
  }
  for (const std::string& prefix : complete_prefixes_) {
    if (absl::StartsWith(key_lower, prefix)) {
      result.state = KeyLookup::State::kAbsent;
      return result;
    }
  }
  return result;
}

}  // namespace ami::lang
