// The testing kit (ami::testing): GoogleTest/gMock matchers for libami's decisions, statuses and
// values, so that AMI policy checks read as unit tests:
//
//   EXPECT_THAT(policy::EvaluateLaunchPermission(view, image, b), IsDeniedBy("SHARE-1"));
//   EXPECT_THAT(cloud->CopyImage(ctx, request), HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
//   EXPECT_THAT(cloud->GetImage(id), Optional(AllOf(OwnedBy(owner), IsPublic())));
//
// Every failure message prints what decided: a decision's full explanation, a status, or the
// fields of the value the matcher reads. EXPECT_NO_CHANGE (ami/testing/no_change.h) checks that a
// statement leaves a cloud as it was.
// Thread-safety: matchers are values; match from any thread values that thread may read.
#ifndef AMI_TESTING_MATCHERS_H_
#define AMI_TESTING_MATCHERS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ami/attributes.h"
#include "ami/errors.h"
#include "ami/ids.h"
#include "ami/image.h"
#include "ami/instance.h"
#include "ami/kms_key.h"
#include "ami/policy.h"
#include "ami/snapshot.h"
#include "gmock/gmock.h"

namespace ami::testing {
namespace internal {

inline const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

// "image `ami-…`", "snapshot `snap-…`", "instance `i-…`": how explanations name a value.
inline std::string Name(const Image& v) { return absl::StrCat("image `", v.id().ToString(), "`"); }
inline std::string Name(const Snapshot& v) {
  return absl::StrCat("snapshot `", v.id().ToString(), "`");
}
inline std::string Name(const Instance& v) {
  return absl::StrCat("instance `", v.id().ToString(), "`");
}

// The tags of a value as "{k=v, …}", sorted by key.
inline std::string TagsText(const TagSet& tags) {
  std::string out = "{";
  for (const Tag& t : tags) {
    absl::StrAppend(&out, out.size() > 1 ? ", " : "", t.key(), "=", t.value());
  }
  return out + "}";
}

// True when some reason that decided `d` is of `rule`.
inline bool DecidedBy(const Decision& d, absl::string_view rule) {
  for (const Reason& r : d.reasons()) {
    if (r.rule() == rule) return true;
  }
  return false;
}

// Matches a value whose field, read by Get::Read(), equals `want`; Get::kField names the field
// and Get::Print() prints a value of it.
template <typename Get, typename Want>
class FieldIs {
 public:
  explicit FieldIs(Want want) : want_(std::move(want)) {}
  template <typename T>
  bool MatchAndExplain(const T& v, ::testing::MatchResultListener* l) const {
    const auto got = Get::Read(v);
    *l << "whose " << Get::kField << " is " << Get::Print(got);
    return got == want_;
  }
  void DescribeTo(std::ostream* os) const { *os << Get::kField << " is " << Get::Print(want_); }
  void DescribeNegationTo(std::ostream* os) const {
    *os << Get::kField << " is not " << Get::Print(want_);
  }

 private:
  Want want_;
};

struct GetOwner {
  static constexpr const char* kField = "owner";
  template <typename T>
  static AccountId Read(const T& v) { return v.owner(); }
  static std::string Print(AccountId a) { return absl::StrCat("`", a.ToString(), "`"); }
};
struct GetState {
  static constexpr const char* kField = "state";
  template <typename T>
  static auto Read(const T& v) { return v.state(); }
  template <typename E>
  static std::string Print(E e) { return std::string(ToString(e)); }
};
struct GetConsistency {
  static constexpr const char* kField = "consistency";
  static ImageConsistency Read(const Image& v) { return v.consistency(); }
  static std::string Print(ImageConsistency c) { return std::string(ToString(c)); }
};
struct GetKey {
  static constexpr const char* kField = "KMS key";
  static std::optional<KmsKeyArn> Read(const Snapshot& v) { return v.kms_key(); }
  static std::string Print(const std::optional<KmsKeyArn>& k) {
    return k ? absl::StrCat("`", k->ToString(), "`") : "none (unencrypted)";
  }
};

struct GetRebootCount {
  static constexpr const char* kField = "reboot count";
  static uint32_t Read(const Instance& v) { return v.reboot_count(); }
  static std::string Print(uint32_t n) { return absl::StrCat(n); }
};

template <typename Get, typename Want>
::testing::PolymorphicMatcher<FieldIs<Get, Want>> MakeFieldIs(Want want) {
  return ::testing::MakePolymorphicMatcher(FieldIs<Get, Want>(std::move(want)));
}

// IsOkAndHolds(m) for a StatusOr<T> of any T.
template <typename Inner>
class IsOkAndHoldsMatcher {
 public:
  explicit IsOkAndHoldsMatcher(Inner inner) : inner_(std::move(inner)) {}
  template <typename StatusOrT>
  operator ::testing::Matcher<StatusOrT>() const {  // NOLINT: converts like gMock's matchers
    using T = typename std::decay_t<StatusOrT>::value_type;
    return ::testing::Matcher<StatusOrT>(
        new Impl<StatusOrT>(::testing::SafeMatcherCast<const T&>(inner_)));
  }

 private:
  template <typename StatusOrT>
  class Impl : public ::testing::MatcherInterface<StatusOrT> {
   public:
    using T = typename std::decay_t<StatusOrT>::value_type;
    explicit Impl(::testing::Matcher<const T&> inner) : inner_(std::move(inner)) {}
    bool MatchAndExplain(StatusOrT v, ::testing::MatchResultListener* l) const override {
      if (!v.ok()) {
        *l << "whose status is " << v.status();
        return false;
      }
      ::testing::StringMatchResultListener inner;
      const bool ok = inner_.MatchAndExplain(*v, &inner);
      *l << "whose value " << ::testing::PrintToString(*v);
      if (!inner.str().empty()) *l << ", " << inner.str();
      *l << (ok ? " matches" : " does not match");
      return ok;
    }
    void DescribeTo(std::ostream* os) const override {
      *os << "is OK and has a value that ";
      inner_.DescribeTo(os);
    }
    void DescribeNegationTo(std::ostream* os) const override {
      *os << "is not OK or has a value that ";
      inner_.DescribeNegationTo(os);
    }

   private:
    ::testing::Matcher<const T&> inner_;
  };
  Inner inner_;
};

}  // namespace internal

// ---- Decisions (ami/policy.h). Explanations print Decision::Explain(). ----

// Matches a Decision that allows.
MATCHER(IsAllowed, negation ? "is a deny" : "is an allow") {
  *result_listener << "which is " << arg.Explain();
  return arg.allowed();
}

// Matches a Decision that denies, for any reason or error.
MATCHER(IsDenied, negation ? "is an allow" : "is a deny") {
  *result_listener << "which is " << arg.Explain();
  return !arg.allowed();
}

// Matches a Decision that denies with a forbid of `rule` (a rule id such as "SHARE-16") among the
// reasons that decided it.
MATCHER_P(IsDeniedBy, rule,
          absl::StrCat(negation ? "is not a deny by " : "is a deny by ", std::string(rule))) {
  *result_listener << "which is " << arg.Explain();
  return !arg.allowed() && internal::DecidedBy(arg, rule);
}

// Matches a Decision with a deciding reason (a permit of an allow, a forbid of a deny) of `rule`
// whose Message() matches `message` (a string matcher such as HasSubstr("…"), or a string).
MATCHER_P2(HasReason, rule, message,
           absl::StrCat(negation ? "has no reason " : "has a reason ", std::string(rule),
                        " whose message ",
                        ::testing::DescribeMatcher<const std::string&>(message))) {
  *result_listener << "which is " << arg.Explain();
  const auto m = ::testing::SafeMatcherCast<const std::string&>(message);
  for (const Reason& r : arg.reasons()) {
    if (r.rule() == rule && m.Matches(r.Message())) return true;
  }
  return false;
}

// ---- absl::Status and absl::StatusOr<T> (ami/errors.h). Explanations print the status. ----

// Matches an OK Status or StatusOr.
MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& s = internal::StatusOf(arg);
  if (!s.ok()) *result_listener << "whose status is " << s;
  return s.ok();
}

// Matches a Status or StatusOr that carries AWS error code `code` and its canonical code.
MATCHER_P(HasErrorCode, code,
          absl::StrCat(negation ? "has no AWS error code " : "has AWS error code ",
                       ErrorCodeName(code))) {
  const absl::Status& s = internal::StatusOf(arg);
  *result_listener << "whose status is " << s;
  return !s.ok() && GetErrorCode(s) == code && s.code() == CanonicalCode(code);
}

// Matches an OK StatusOr<T> whose value matches `inner` (a matcher of T, or a T).
template <typename Inner>
internal::IsOkAndHoldsMatcher<Inner> IsOkAndHolds(Inner inner) {
  return internal::IsOkAndHoldsMatcher<Inner>(std::move(inner));
}

// ---- Values (ami/image.h, ami/snapshot.h, ami/instance.h). Explanations print the field. ----

// Matches an Image, Snapshot or Instance owned by `account`.
inline auto OwnedBy(AccountId account) {
  return internal::MakeFieldIs<internal::GetOwner>(account);
}
// Matches an Image, Snapshot or Instance in `state` (the enum of its kind).
inline auto HasState(ImageState state) { return internal::MakeFieldIs<internal::GetState>(state); }
inline auto HasState(SnapshotState state) {
  return internal::MakeFieldIs<internal::GetState>(state);
}
inline auto HasState(InstanceState state) {
  return internal::MakeFieldIs<internal::GetState>(state);
}
// Matches an Image whose snapshots are crash-consistent (CREATE-4: NoReboot=true).
inline auto IsCrashConsistent() {
  return internal::MakeFieldIs<internal::GetConsistency>(ImageConsistency::kCrashConsistent);
}
// Matches an Image whose snapshots are file-system-consistent (CREATE-4).
inline auto IsFileSystemConsistent() {
  return internal::MakeFieldIs<internal::GetConsistency>(ImageConsistency::kFileSystemConsistent);
}
// Matches an Instance that CreateImage without NoReboot rebooted exactly `times` times
// (CREATE-4); WasRebooted(0) matches one never rebooted.
inline auto WasRebooted(uint32_t times) {
  return internal::MakeFieldIs<internal::GetRebootCount>(times);
}
// Matches a Snapshot encrypted with the key `key`.
inline auto EncryptedWith(KmsKeyArn key) {
  return internal::MakeFieldIs<internal::GetKey>(std::optional<KmsKeyArn>(std::move(key)));
}

// Matches a public Image or Snapshot (launch or create-volume permission group `all`).
MATCHER(IsPublic, negation ? "is not public" : "is public") {
  *result_listener << internal::Name(arg) << (arg.is_public() ? " is public" : " is not public");
  return arg.is_public();
}

// Matches an Image whose launch permissions name `account` directly or are public. Sharing with
// an organization or OU is not resolved here: ask policy::EvaluateLaunchPermission for that.
MATCHER_P(HasLaunchPermissionFor, account,
          absl::StrCat(negation ? "has no launch permission for `" : "has launch permission for `",
                       account.ToString(), "`")) {
  const LaunchPermissions& p = arg.launch_permissions();
  *result_listener << "whose launch permissions are ";
  std::string accounts;
  for (const AccountId& a : p.accounts()) {
    absl::StrAppend(&accounts, accounts.empty() ? "" : ", ", a.ToString());
  }
  *result_listener << "accounts [" << accounts << "]" << (p.is_public() ? ", public" : "");
  return p.is_public() || p.HasAccount(account);
}

// Matches an Image, Snapshot or Instance whose owner's tags hold `key` with `value`.
MATCHER_P2(HasTag, key, value,
           absl::StrCat(negation ? "has no tag " : "has tag ", std::string(key), "=",
                        std::string(value))) {
  *result_listener << "whose tags are " << internal::TagsText(arg.tags());
  const auto found = arg.tags().Find(key);
  return found.has_value() && *found == value;
}

}  // namespace ami::testing

#endif  // AMI_TESTING_MATCHERS_H_
