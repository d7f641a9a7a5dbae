#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "values/choices.h"

namespace ami {
namespace {

// What a decision that holds neither a permit nor a forbid says: unknown never allows.
constexpr absl::string_view kNoPermit = "nothing allows the request: a decision without a permit denies";

void AppendAccount(std::string* out, AccountId account) {
  char digits[12];
  uint64_t v = account.number();
  for (int i = 11; i >= 0; --i, v /= 10) digits[i] = static_cast<char>('0' + v % 10);
  out->append(digits, 12);
}

// The placeholders of reason templates.
enum class Fill {
  kImage, kSnapshot, kInstance, kAccount, kOwner, kKey, kRegion, kSourceRegion, kNumber, kText,
  kActions, kUnknown
};

// The placeholder `name` names, told apart by its length and first letter.
Fill FillOf(absl::string_view name) {
  const auto is = [name](absl::string_view n, Fill f) { return name == n ? f : Fill::kUnknown; };
  switch (name.size()) {
    case 3: return is("key", Fill::kKey);
    case 4: return is("text", Fill::kText);
    case 5: return name[0] == 'i' ? is("image", Fill::kImage) : is("owner", Fill::kOwner);
    case 6: return name[0] == 'r' ? is("region", Fill::kRegion) : is("number", Fill::kNumber);
    case 7: return name[1] == 'c' && name[2] == 'c' ? is("account", Fill::kAccount)
                                                    : is("actions", Fill::kActions);
    case 8: return name[0] == 's' ? is("snapshot", Fill::kSnapshot) : is("instance", Fill::kInstance);
    case 13: return is("source_region", Fill::kSourceRegion);
    default: return Fill::kUnknown;
  }
}

// Appends the text of one placeholder, ids in backticks; nothing when the argument is absent.
void AppendFill(std::string* out, absl::string_view name, const ReasonArgs& a) {
  auto ticked = [out](auto append) {
    out->push_back('`');
    append();
    out->push_back('`');
  };
  switch (FillOf(name)) {
    case Fill::kImage:
      if (a.image) ticked([&] { a.image->AppendTo(out); });
      break;
    case Fill::kSnapshot:
      if (a.snapshot) ticked([&] { a.snapshot->AppendTo(out); });
      break;
    case Fill::kInstance:
      if (a.instance) ticked([&] { a.instance->AppendTo(out); });
      break;
    case Fill::kAccount:
      if (a.account) ticked([&] { AppendAccount(out, *a.account); });
      break;
    case Fill::kOwner:
      if (a.owner) ticked([&] { AppendAccount(out, *a.owner); });
      break;
    case Fill::kKey:
      if (a.key) ticked([&] { out->append(a.key->ToString()); });
      break;
    case Fill::kRegion:
      if (a.region) out->append(a.region->code().data(), a.region->code().size());
      break;
    case Fill::kSourceRegion:
      if (a.source_region) out->append(a.source_region->code().data(), a.source_region->code().size());
      break;
    case Fill::kNumber:
      absl::StrAppend(out, a.number);
      break;
    case Fill::kText:
      out->append(a.text);
      break;
    case Fill::kActions: {
      // `number` holds KmsActions bits: rendered only when the message is asked for.
      KmsActions actions;
      for (int bit = 0; bit < 16; ++bit) {
        if ((a.number >> bit) & 1) {
          actions = actions.Union(KmsActions::Of({static_cast<KmsAction>(1 << bit)}));
        }
      }
      out->append(absl::StrJoin(actions.ToStrings(), ", "));
      break;
    }
    case Fill::kUnknown:
      absl::StrAppend(out, "{", name, "}");
      break;
  }
}

// Appends the reason's message: the template's text, each {placeholder} filled.
void AppendMessage(std::string* out, const Reason& r) {
  const char* p = r.what->text.data();
  const char* const end = p + r.what->text.size();
  while (p < end) {
    const char* open = static_cast<const char*>(std::memchr(p, '{', static_cast<size_t>(end - p)));
    if (open == nullptr) break;
    const char* close =
        static_cast<const char*>(std::memchr(open, '}', static_cast<size_t>(end - open)));
    if (close == nullptr) break;
    out->append(p, static_cast<size_t>(open - p));
    AppendFill(out, absl::string_view(open + 1, static_cast<size_t>(close - open - 1)), r.args);
    p = close + 1;
  }
  out->append(p, static_cast<size_t>(end - p));
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
  if (blocked_) {
    overridden_.push_back(std::move(why));
    return;
  }
  effect_ = Effect::kAllow;
  reasons_.push_back(std::move(why));
}

void Decision::AddForbid(Reason why) {
  if (!blocked_) {
    for (Reason& r : reasons_) overridden_.push_back(std::move(r));
    reasons_.clear();
    effect_ = Effect::kDeny;
    blocked_ = true;
  }
  reasons_.push_back(std::move(why));
}

void Decision::AddError(std::string error) {
  if (!blocked_) {
    for (Reason& r : reasons_) overridden_.push_back(std::move(r));
    reasons_.clear();
    effect_ = Effect::kDeny;
    blocked_ = true;
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
  if (!allowed() && reasons_.empty() && errors_.empty()) absl::StrAppend(&out, "\n  ", kNoPermit);
  return out;
}

absl::Status Decision::ToStatus() const {
  if (allowed()) return absl::OkStatus();
  for (const Reason& r : reasons_) {
    if (!r.async) return MakeError(r.code(), r.Message());
  }
  if (!reasons_.empty()) return MakeError(reasons_.front().code(), reasons_.front().Message());
  return MakeError(choices::kEvaluationError, errors_.empty() ? kNoPermit : errors_.front());
}

}  // namespace ami
