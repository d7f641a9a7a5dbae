#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "choices.h"

namespace ami {
namespace {

// Appends `prefix` and the hex digits of a resource id, as HexId::ToString() prints it.
template <typename Id>
void AppendId(std::string* out, absl::string_view prefix, const Id& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const int n = id.is_long() ? 17 : 8;
  out->append(prefix.data(), prefix.size());
  const size_t end = out->size() + static_cast<size_t>(n);
  out->resize(end);
  char* p = out->data() + end;
  uint64_t low = id.low64();
  for (int i = 0; i < n; ++i, low >>= 4) *--p = kDigits[i < 16 ? (low & 0xF) : id.high4()];
}

void AppendAccount(std::string* out, AccountId account) {
  char digits[12];
  uint64_t v = account.number();
  for (int i = 11; i >= 0; --i, v /= 10) digits[i] = static_cast<char>('0' + v % 10);
  out->append(digits, 12);
}

// Appends the text of one placeholder, ids in backticks; nothing when the argument is absent.
void AppendFill(std::string* out, absl::string_view name, const ReasonArgs& a) {
  auto ticked = [out](auto append) {
    out->push_back('`');
    append();
    out->push_back('`');
  };
  if (name == "image") {
    if (a.image) ticked([&] { AppendId(out, "ami-", *a.image); });
  } else if (name == "snapshot") {
    if (a.snapshot) ticked([&] { AppendId(out, "snap-", *a.snapshot); });
  } else if (name == "instance") {
    if (a.instance) ticked([&] { AppendId(out, "i-", *a.instance); });
  } else if (name == "account") {
    if (a.account) ticked([&] { AppendAccount(out, *a.account); });
  } else if (name == "owner") {
    if (a.owner) ticked([&] { AppendAccount(out, *a.owner); });
  } else if (name == "key") {
    if (a.key) ticked([&] { out->append(a.key->ToString()); });
  } else if (name == "region") {
    if (a.region) out->append(a.region->code().data(), a.region->code().size());
  } else if (name == "source_region") {
    if (a.source_region) out->append(a.source_region->code().data(), a.source_region->code().size());
  } else if (name == "number") {
    absl::StrAppend(out, a.number);
  } else if (name == "text") {
    out->append(a.text);
  } else if (name == "actions") {
    // `number` holds KmsActions bits: rendered only when the message is asked for.
    KmsActions actions;
    for (int bit = 0; bit < 16; ++bit) {
      if ((a.number >> bit) & 1) {
        actions = actions.Union(KmsActions::Of({static_cast<KmsAction>(1 << bit)}));
      }
    }
    out->append(absl::StrJoin(actions.ToStrings(), ", "));
  } else {
    absl::StrAppend(out, "{", name, "}");
  }
}

// Appends the reason's message.
void AppendMessage(std::string* out, const Reason& r) {
  const absl::string_view t = r.what->text;
  size_t i = 0;
  while (i < t.size()) {
    const size_t open = t.find('{', i);
    if (open == absl::string_view::npos) break;
    const size_t close = t.find('}', open);
    if (close == absl::string_view::npos) break;
    out->append(t.data() + i, open - i);
    AppendFill(out, t.substr(open + 1, close - open - 1), r.args);
    i = close + 1;
  }
  out->append(t.data() + i, t.size() - i);
}

}  // namespace

std::string Reason::Message() const {
  std::string out;
  AppendMessage(&out, *this);
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
  std::string out;
  out.reserve(160);
  out = allowed() ? "ALLOW" : (denied_later() ? "DENY (reported later)" : "DENY");
  for (const Reason& r : reasons_) {
    absl::StrAppend(&out, "\n  ", allowed() ? "because " : "denied by ", r.rule(), ": ");
    AppendMessage(&out, r);
    if (!allowed()) absl::StrAppend(&out, " [", ErrorCodeName(r.code()), r.async ? ", later" : "", "]");
  }
  for (const Reason& r : overridden_) {
    absl::StrAppend(&out, "\n  overridden ", r.rule(), ": ");
    AppendMessage(&out, r);
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
