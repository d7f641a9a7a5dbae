#include "ami/arns.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

absl::Status Invalid(absl::string_view what, absl::string_view text, absl::string_view form) {
  return MakeError(choices::kMalformedOrganization,
                   absl::StrCat("invalid ", what, " `", text_util::Clip(text), "`: expected ", form));
}

bool LowerAlnumOfLength(absl::string_view text, size_t min, size_t max) {
  return text.size() >= min && text.size() <= max && text_util::AllLowerAlnum(text);
}

constexpr absl::string_view kOrgForm = "o- and 10 to 32 of [a-z0-9]";
constexpr absl::string_view kOuForm = "ou-, 4 to 32 of [a-z0-9], a hyphen and 8 to 32 of [a-z0-9]";
constexpr absl::string_view kArnPrefix = "arn:aws:organizations::";

// Splits arn:aws:organizations::<account>:<resource> into the account and the resource.
bool SplitOrgArn(absl::string_view text, AccountId* account, absl::string_view* resource) {
  if (!absl::StartsWith(text, kArnPrefix)) return false;
  const absl::string_view rest = text.substr(kArnPrefix.size());
  const size_t colon = rest.find(':');
  if (colon == absl::string_view::npos) return false;
  absl::StatusOr<AccountId> parsed = AccountId::Parse(rest.substr(0, colon));
  if (!parsed.ok()) return false;
  *account = *parsed;
  *resource = rest.substr(colon + 1);
  return true;
}

}  // namespace

absl::StatusOr<OrganizationId> OrganizationId::Parse(absl::string_view text) {
  if (!absl::StartsWith(text, "o-") || !LowerAlnumOfLength(text.substr(2), 10, 32)) {
    return Invalid("organization id", text, kOrgForm);
  }
  return OrganizationId(std::string(text));
}

absl::StatusOr<OrganizationRootId> OrganizationRootId::Parse(absl::string_view text) {
  if (text.size() < 6 || !absl::StartsWith(text, "r-")) {
    return MakeError(choices::kMalformedOrganization,
                     absl::StrCat("invalid root id `", text, "`: expected r- and 4 to 32 of [a-z0-9]"));
  }
  return OrganizationRootId(std::string(text));
}

absl::StatusOr<OrganizationalUnitId> OrganizationalUnitId::Parse(absl::string_view text) {
  if (!absl::StartsWith(text, "ou-")) return Invalid("organizational unit id", text, kOuForm);
  const std::vector<absl::string_view> parts = absl::StrSplit(text.substr(3), '-');
  if (parts.size() != 2 || !LowerAlnumOfLength(parts[0], 4, 32) ||
      !LowerAlnumOfLength(parts[1], 8, 32)) {
    return Invalid("organizational unit id", text, kOuForm);
  }
  return OrganizationalUnitId(std::string(text));
}

absl::StatusOr<OrganizationArn> OrganizationArn::Parse(absl::string_view text) {
  constexpr absl::string_view kForm =
      "arn:aws:organizations::<management-account>:organization/o-…";
  AccountId account = AccountId::FromNumber(0);
  absl::string_view resource;
  if (!SplitOrgArn(text, &account, &resource) || !absl::StartsWith(resource, "organization/")) {
    return Invalid("organization arn", text, kForm);
  }
  absl::StatusOr<OrganizationId> org = OrganizationId::Parse(resource.substr(13));
  if (!org.ok()) return Invalid("organization arn", text, kForm);
  return OrganizationArn(account, *std::move(org));
}

std::string OrganizationArn::ToString() const {
  return absl::StrCat(kArnPrefix, management_.ToString(), ":organization/", org_.ToString());
}

absl::StatusOr<OrganizationalUnitArn> OrganizationalUnitArn::Parse(absl::string_view text) {
  constexpr absl::string_view kForm = "arn:aws:organizations::<management-account>:ou/o-…/ou-…";
  AccountId account = AccountId::FromNumber(0);
  absl::string_view resource;
  if (!SplitOrgArn(text, &account, &resource) || !absl::StartsWith(resource, "ou/")) {
    return Invalid("organizational unit arn", text, kForm);
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(resource.substr(3), '/');
  if (parts.size() != 2) return Invalid("organizational unit arn", text, kForm);
  absl::StatusOr<OrganizationId> org = OrganizationId::Parse(parts[0]);
  absl::StatusOr<OrganizationalUnitId> ou = OrganizationalUnitId::Parse(parts[1]);
  if (!org.ok() || !ou.ok()) return Invalid("organizational unit arn", text, kForm);
  return OrganizationalUnitArn(account, *std::move(org), *std::move(ou));
}

std::string OrganizationalUnitArn::ToString() const {
  return absl::StrCat(kArnPrefix, management_.ToString(), ":ou/", org_.ToString(), "/",
                      ou_.ToString());
}

}  // namespace ami
