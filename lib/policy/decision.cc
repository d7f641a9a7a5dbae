#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "choices.h"

namespace ami {
namespace {

// The text of one placeholder, ids in backticks; empty when the argument is absent.
std::string Fill(absl::string_view name, const ReasonArgs& a) {
  auto ticks = [](const std::string& s) { return absl::StrCat("`", s, "`"); };
  if (name == "image" && a.image) return ticks(a.image->ToString());
  if (name == "snapshot" && a.snapshot) return ticks(a.snapshot->ToString());
  if (name == "instance" && a.instance) return ticks(a.instance->ToString());
  if (name == "account" && a.account) return ticks(a.account->ToString());
  if (name == "owner" && a.owner) return ticks(a.owner->ToString());
  if (name == "key" && a.key) return ticks(a.key->ToString());
  if (name == "region" && a.region) return std::string(a.region->code());
  if (name == "source_region" && a.source_region) return std::string(a.source_region->code());
  if (name == "number") return absl::StrCat(a.number);
  if (name == "text") return a.text;
  if (name == "actions") {
    // `number` holds KmsActions bits: rendered only when the message is asked for.
    KmsActions actions;
    for (int bit = 0; bit < 16; ++bit) {
      if ((a.number >> bit) & 1) {
        actions = actions.Union(KmsActions::Of({static_cast<KmsAction>(1 << bit)}));
      }
    }
    return absl::StrJoin(actions.ToStrings(), ", ");
  }
  return absl::StrCat("{", name, "}");
}

}  // namespace

std::string Reason::Message() const {
  std::string out;
  const absl::string_view t = what->text;
  size_t i = 0;
  while (i < t.size()) {
    const size_t open = t.find('{', i);
    if (open == absl::string_view::npos) break;
    const size_t close = t.find('}', open);
    if (close == absl::string_view::npos) break;
    absl::StrAppend(&out, t.substr(i, open - i), Fill(t.substr(open + 1, close - open - 1), args));
    i = close + 1;
  }
  absl::StrAppend(&out, t.substr(i));
  return out;
}

Decision Decision::Allow(Reason why) {
  Decision d;
  d.AddPermit(std::move(why));
  return d;
}

Decision Decision::Deny(Reason why) {
  Decision d;
  d.AddForbid(std::move(why));
  return d;
}

bool Decision::denied_later() const {
  if (allowed() || !errors_.empty() || reasons_.empty()) return false;
  for (const Reason& r : reasons_) {
    if (!r.async) return false;
  }
  return true;
}

void Decision::AddPermit(Reason why) {
  if (effect_ == Effect::kAllow) {
    reasons_.push_back(std::move(why));
  } else {
    overridden_.push_back(std::move(why));
  }
}

void Decision::AddForbid(Reason why) {
  if (effect_ == Effect::kAllow) {
    for (Reason& r : reasons_) overridden_.push_back(std::move(r));
    reasons_.clear();
    effect_ = Effect::kDeny;
  }
  reasons_.push_back(std::move(why));
}

void Decision::AddError(std::string error) {
  if (effect_ == Effect::kAllow) {
    for (Reason& r : reasons_) overridden_.push_back(std::move(r));
    reasons_.clear();
    effect_ = Effect::kDeny;
  }
  errors_.push_back(std::move(error));
}

void Decision::Merge(Decision other) {
  for (Reason& r : other.overridden_) overridden_.push_back(std::move(r));
  for (std::string& e : other.errors_) AddError(std::move(e));
  for (Reason& r : other.reasons_) {
    if (other.allowed()) {
      AddPermit(std::move(r));
    } else {
      AddForbid(std::move(r));
    }
  }
}

std::string Decision::Explain() const {
  std::string out = allowed() ? "ALLOW" : (denied_later() ? "DENY (reported later)" : "DENY");
  for (const Reason& r : reasons_) {
    absl::StrAppend(&out, "\n  ", allowed() ? "because " : "denied by ", r.rule(), ": ",
                    r.Message());
    if (!allowed()) absl::StrAppend(&out, " [", ErrorCodeName(r.code()), r.async ? ", later" : "", "]");
  }
  for (const Reason& r : overridden_) {
    absl::StrAppend(&out, "\n  overridden ", r.rule(), ": ", r.Message());
  }
  for (const std::string& e : errors_) absl::StrAppend(&out, "\n  error: ", e);
  return out;
}

absl::Status Decision::ToStatus() const {
  if (allowed()) return absl::OkStatus();
  for (const Reason& r : reasons_) {
    if (!r.async) return MakeError(r.code(), r.Message());
  }
  if (!reasons_.empty()) return MakeError(reasons_.front().code(), reasons_.front().Message());
  return MakeError(choices::kEvaluationError,
                   errors_.empty() ? "the request could not be evaluated" : errors_.front());
}

}  // namespace ami
