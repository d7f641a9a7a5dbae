// IAM authorization of a call (IAM-1, IAM-2, IAM-7): the caller's identity policies, permissions
// boundary and the service control policies of its account, evaluated by the policy language.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "policy/common.h"
#include "policy/iam.h"
#include "policy/lang/request.h"
#include "policy/planning.h"
#include "policy/reasons.h"

namespace ami::policy {
namespace {

std::vector<std::vector<lang::NamedPolicy>> ScpInputs(const std::vector<ScpLevel>& levels) {
  std::vector<std::vector<lang::NamedPolicy>> out;
  for (const ScpLevel& level : levels) {
    out.emplace_back();
    for (const internal::ServiceControlPolicy* p : level.policies) {
      out.back().push_back(lang::NamedPolicy{
          absl::StrCat("service control policy ", p->id, " (", p->document.name,
                       ") attached to ", level.target),
          p->document.document.get()});
    }
  }
  return out;
}

lang::PolicyInputs Inputs(const internal::IamPrincipal* principal,
                          std::vector<std::vector<lang::NamedPolicy>> scps) {
  lang::PolicyInputs in;
  in.principal_is_root = principal == nullptr;
  in.scp_levels = std::move(scps);
  if (principal != nullptr) {
    for (const internal::IamDocument& d : principal->policies) {
      in.identity.push_back(lang::NamedPolicy{d.name, d.document.get()});
    }
    if (principal->boundary) {
      in.boundary = lang::NamedPolicy{principal->boundary->name, principal->boundary->document.get()};
    }
  }
  return in;
}

// The context of one resource, with the values the caller supplied for keys the model does not
// know; a supplied value for a key it knows must agree with it, else `*conflict` names the key.
lang::RequestContext ContextFor(const PlanView& view, const CallContext& ctx,
                                const internal::IamPrincipal* principal, absl::string_view action,
                                const IamResource& r, const TagSet* request_tags,
                                std::string* conflict) {
  const lang::Caller caller{ctx.account, ctx.principal, view.FindAccount(ctx.account),
                            principal != nullptr ? &principal->tags : nullptr};
  lang::RequestContext c = lang::BaseContext(caller, action, r.arn, ctx.region, view.Now());
  // A role session's aws:PrincipalArn is its role's ARN.
  if (principal != nullptr && principal->arn != ctx.principal) {
    c.Set("aws:PrincipalArn", principal->arn);
  }
  if (r.image != nullptr) lang::AddImageKeys(*r.image, r.tags ? *r.tags : TagSet(), &c);
  for (const auto& [key, value] : r.keys) c.Set(key, value);
  if (request_tags != nullptr) lang::AddRequestTags(*request_tags, &c);
  std::vector<std::pair<std::string, std::vector<std::string>>> supplied;
  for (const std::pair<std::string, std::string>& kv : ctx.context) {
    const std::string& key = kv.first;
    auto it = std::find_if(supplied.begin(), supplied.end(),
                           [&key](const auto& s) { return absl::EqualsIgnoreCase(s.first, key); });
    if (it == supplied.end()) {
      supplied.push_back({key, {kv.second}});
    } else {
      it->second.push_back(kv.second);
    }
  }
  for (auto& [key, values] : supplied) {
    const lang::KeyLookup known = c.Lookup(absl::AsciiStrToLower(key));
    if (known.state == lang::KeyLookup::State::kUnknown) {
      c.SetMany(key, std::move(values));
    } else if (known.state == lang::KeyLookup::State::kAbsent || *known.values != values) {
      if (conflict->empty()) *conflict = key;
    }
  }
  return c;
}

Reason Denial(const lang::PolicyResult& r, const lang::RequestContext& c, AccountId account) {
  ReasonArgs args{.account = account};
  args.text = lang::DenialMessage(r, c);
  if (r.outcome == lang::Outcome::kImplicitDeny && !r.residual.empty()) {
    absl::StrAppend(&args.text, " (", absl::StrJoin(r.residual, "; "), ")");
    return R(reasons::kIamAllowsOnlyIf, std::move(args));
  }
  const bool scp = (r.decided_by && r.decided_by->kind == lang::PolicyKind::kServiceControl) ||
                   r.missing_allow == lang::PolicyKind::kServiceControl;
  return R(scp ? reasons::kScpDenies : reasons::kIamDenies, std::move(args));
}

}  // namespace

void AuthorizeIam(const PlanView& view, const CallContext& ctx, absl::string_view action,
                  const std::vector<IamResource>& resources, const TagSet* request_tags,
                  Decision* d) {
  std::vector<ScpLevel> levels = view.ServiceControlPolicies(ctx.account);
  if (ctx.principal.empty() && levels.empty()) return;  // the root user, no SCP: nothing to ask
  const internal::IamPrincipal* principal = nullptr;
  if (!ctx.principal.empty()) {
    principal = view.FindPrincipal(ctx.account, ctx.principal);
    if (principal == nullptr) {
      d->AddForbid(R(reasons::kUnknownPrincipal, {.account = ctx.account, .text = ctx.principal}));
      return;
    }
  }
  const lang::PolicyInputs in = Inputs(principal, ScpInputs(levels));
  for (const IamResource& r : resources) {
    std::string conflict;
    const lang::RequestContext c =
        ContextFor(view, ctx, principal, action, r, request_tags, &conflict);
    if (!conflict.empty()) {
      d->AddForbid(R(reasons::kIamContextConflict, {.account = ctx.account, .text = conflict}));
      return;
    }
    const lang::PolicyResult result = lang::Evaluate(in, c);
    if (!result.allowed()) {
      d->AddForbid(Denial(result, c, ctx.account));
      return;
    }
    if (principal != nullptr && result.decided_by) {
      d->AddPermit(R(reasons::kIamAllows,
                     {.account = ctx.account,
                      .text = absl::StrCat(result.decided_by->policy, " ",
                                           result.decided_by->statement, " allows ", action,
                                           " on ", r.arn)}));
    }
  }
}

absl::Status RefuseUnauthorizedPrincipal(const CallContext& ctx, absl::string_view action) {
  if (ctx.principal.empty()) return absl::OkStatus();
  return Decision::Deny(R(reasons::kIamNotEvaluated,
                          {.account = ctx.account,
                           .text = absl::StrCat(action, " by ", ctx.principal)}))
      .ToStatus();
}

bool IamApplies(const PlanView& view, const CallContext& ctx) {
  return !ctx.principal.empty() || !view.ServiceControlPolicies(ctx.account).empty();
}

std::optional<Decision> IamDenial(const PlanView& view, const CallContext& ctx,
                                  absl::string_view action,
                                  const std::vector<IamResource>& resources,
                                  const TagSet* request_tags) {
  Decision d;
  AuthorizeIam(view, ctx, action, resources, request_tags, &d);
  // Only a forbid leaves reasons on a decision without a permit.
  if (!d.allowed() && !d.reasons().empty()) return d;
  return std::nullopt;
}

IamResource ImageResource(const PlanView& view, const CallContext& ctx, const Image& image) {
  IamResource r;
  r.arn = lang::ImageArn(image.region(), image.id());
  r.image = &image;
  if (image.owner() == ctx.account) {
    r.tags = &image.tags();
  } else {
    r.tags = view.ForeignTags(image.id().ToString(), ctx.account);
  }
  return r;
}

IamResource ImageIamResource(const PlanView& view, const CallContext& ctx, ImageId id) {
  const Image* image = view.FindImage(id);
  if (image != nullptr && image->region() == ctx.region) return ImageResource(view, ctx, *image);
  return IamResource{lang::ImageArn(ctx.region, id)};
}

IamResource NewResource(const CallContext& ctx, absl::string_view type) {
  const bool no_account = type == "image" || type == "snapshot";
  return IamResource{absl::StrCat("arn:aws:ec2:", ctx.region.code(), ":",
                                  no_account ? "" : ctx.account.ToString(), ":", type, "/*")};
}

}  // namespace ami::policy
