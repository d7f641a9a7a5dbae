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

// The values the caller supplied (CallContext::context), grouped by key name, which is
// case-insensitive.
lang::SuppliedValues SuppliedValues(const CallContext& ctx) {
  lang::SuppliedValues out;
  for (const std::pair<std::string, std::string>& kv : ctx.context) {
    const std::string& key = kv.first;
    auto it = std::find_if(out.begin(), out.end(),
                           [&key](const auto& s) { return absl::EqualsIgnoreCase(s.first, key); });
    if (it == out.end()) {
      out.push_back({key, {kv.second}});
    } else {
      it->second.push_back(kv.second);
    }
  }
  return out;
}

}  // namespace

lang::PolicyInputs IamInputs(const PlanView& view, const CallContext& ctx,
                             const internal::IamPrincipal* principal) {
  return Inputs(principal, ScpInputs(view.ServiceControlPolicies(ctx.account)));
}

std::optional<KeyCaller> IamKeyCaller(const PlanView& view, const CallContext& ctx) {
  if (ctx.principal.empty() && !view.GovernedByServiceControlPolicies(ctx.account)) {
    return std::nullopt;
  }
  const internal::IamPrincipal* principal =
      ctx.principal.empty() ? nullptr : view.FindPrincipal(ctx.account, ctx.principal);
  KeyCaller who;
  who.caller = lang::Caller{ctx.account, ctx.principal, view.FindAccount(ctx.account),
                            principal != nullptr ? &principal->tags : nullptr};
  who.policies = IamInputs(view, ctx, principal);
  if (!ctx.principal.empty()) who.policies.principal_is_root = false;
  who.unknown_principal = !ctx.principal.empty() && principal == nullptr;
  // A role session's aws:PrincipalArn is its role's ARN.
  if (principal != nullptr && principal->arn != ctx.principal) who.principal_arn = principal->arn;
  who.supplied = SuppliedValues(ctx);
  return who;
}

lang::RequestContext IamBaseContext(const PlanView& view, const CallContext& ctx,
                                    const internal::IamPrincipal* principal,
                                    absl::string_view action, const TagSet* request_tags) {
  const lang::Caller caller{ctx.account, ctx.principal, view.FindAccount(ctx.account),
                            principal != nullptr ? &principal->tags : nullptr};
  lang::RequestContext c = lang::BaseContext(caller, action, "", ctx.region, view.Now());
  // A role session's aws:PrincipalArn is its role's ARN.
  if (principal != nullptr && principal->arn != ctx.principal) {
    c.Set("aws:PrincipalArn", principal->arn);
  }
  if (request_tags != nullptr) lang::AddRequestTags(*request_tags, &c);
  return c;
}

lang::RequestContext IamResourceContext(const lang::RequestContext& base, const IamResource& r,
                                        const CallContext& ctx, std::string* conflict) {
  lang::RequestContext c = base;
  c.resource = r.arn;
  if (r.image != nullptr) {
    lang::AddImageKeys(*r.image, r.tags ? *r.tags : TagSet(), &c);
  } else if (r.tags != nullptr) {
    lang::AddResourceTags(*r.tags, &c);
  }
  if (r.created) {
    c.SetComplete("ec2:ResourceTag/");
    c.SetComplete("aws:ResourceTag/");
  }
  for (const auto& [key, value] : r.keys) c.Set(key, value);
  if (std::optional<std::string> key = lang::AddSuppliedValues(SuppliedValues(ctx), &c)) {
    if (conflict->empty()) *conflict = *key;
  }
  return c;
}

namespace {

// EC2 answers a call IAM refuses with UnauthorizedOperation; KMS and the Recycle Bin with
// AccessDeniedException.
bool Ec2Action(absl::string_view action) { return absl::StartsWithIgnoreCase(action, "ec2:"); }

// True when IAM can deny a call of `ctx`: it names a principal, or service control policies
// govern its account.
bool IamApplies(const PlanView& view, const CallContext& ctx) {
  return !ctx.principal.empty() || view.GovernedByServiceControlPolicies(ctx.account);
}

// The forbid when IAM denies `action` on one of `resources`.
// True when the document's answer depends on the action alone: no statement has a condition, a
// principal, or a resource other than "*".
bool ActionOnly(const lang::PolicyDocument& doc) {
  for (const lang::Statement& s : doc.statements) {
    if (!s.conditions.empty() || s.principals.has_value() || s.not_resource || !s.has_resource ||
        s.resources.size() != 1 || s.resources.front().text != "*") {
      return false;
    }
  }
  return true;
}

bool ActionOnly(const lang::PolicyInputs& in) {
  if (in.resource_policy.has_value() || !in.grants.empty()) return false;
  auto only = [](const lang::NamedPolicy& p) { return p.document != nullptr && ActionOnly(*p.document); };
  if (!std::all_of(in.identity.begin(), in.identity.end(), only)) return false;
  if (in.boundary.has_value() && !only(*in.boundary)) return false;
  for (const auto& level : in.scp_levels) {
    if (!std::all_of(level.begin(), level.end(), only)) return false;
  }
  return true;
}

std::optional<Reason> Authorize(const PlanView& view, const CallContext& ctx,
                                absl::string_view action,
                                const std::vector<IamResource>& resources,
                                const TagSet* request_tags,
                                const std::vector<std::string>* tag_keys) {
  const internal::IamPrincipal* principal = nullptr;
  if (!ctx.principal.empty()) {
    principal = view.FindPrincipal(ctx.account, ctx.principal);
    if (principal == nullptr) {
      return R(Ec2Action(action) ? reasons::kUnknownPrincipal : reasons::kUnknownPrincipalAccess,
               {.account = ctx.account, .text = ctx.principal});
    }
  }
  const lang::PolicyInputs in = IamInputs(view, ctx, principal);
  // Values the caller supplied are checked against the full context (a disagreement denies), so
  // a request that carries any takes the full path.
  if (ctx.context.empty() && ActionOnly(in)) {
    // Every policy answers by the action alone: no request key can change the answer, so the
    // context holds only the caller, the action and each resource.
    lang::RequestContext c;
    c.principal_arn = ctx.principal.empty()
                          ? absl::StrCat("arn:aws:iam::", ctx.account.ToString(), ":root")
                          : ctx.principal;
    c.principal_account = ctx.account.ToString();
    c.action = std::string(action);
    for (const IamResource& r : resources) {
      c.resource = r.arn;
      const lang::PolicyResult result = lang::Evaluate(in, c);
      if (!result.allowed()) return CallDenial(result, c, ctx.account);
    }
    return std::nullopt;
  }
  lang::RequestContext base = IamBaseContext(view, ctx, principal, action, request_tags);
  if (tag_keys != nullptr) base.SetMany("aws:TagKeys", *tag_keys);
  std::string conflict;
  for (const IamResource& r : resources) {
    const lang::RequestContext c = IamResourceContext(base, r, ctx, &conflict);
    if (!conflict.empty()) {
      return R(reasons::kIamContextConflict, {.account = ctx.account, .text = conflict});
    }
    const lang::PolicyResult result = lang::Evaluate(in, c);
    if (!result.allowed()) return CallDenial(result, c, ctx.account);
  }
  return std::nullopt;
}

// The image `image` as a resource, with the tags `ctx`'s account sees on it.
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

}  // namespace

Reason CallDenial(const lang::PolicyResult& r, const lang::RequestContext& c, AccountId account) {
  const bool ec2 = Ec2Action(c.action);
  ReasonArgs args{.account = account};
  args.text = lang::DenialMessage(r, c);
  if (r.outcome == lang::Outcome::kImplicitDeny && !r.residual.empty()) {
    absl::StrAppend(&args.text, " (", absl::StrJoin(r.residual, "; "), ")");
    return R(ec2 ? reasons::kIamAllowsOnlyIf : reasons::kIamAllowsOnlyIfAccess, std::move(args));
  }
  const std::optional<lang::PolicyKind> kind =
      r.decided_by ? std::optional<lang::PolicyKind>(r.decided_by->kind) : r.missing_allow;
  if (kind == lang::PolicyKind::kKeyPolicy) return R(reasons::kKeyPolicyDeniesCall, std::move(args));
  if (kind == lang::PolicyKind::kServiceControl) {
    return R(ec2 ? reasons::kScpDenies : reasons::kScpDeniesAccess, std::move(args));
  }
  return R(ec2 ? reasons::kIamDenies : reasons::kIamDeniesAccess, std::move(args));
}

std::optional<Decision> IamDenial(const PlanView& view, const CallContext& ctx,
                                  absl::string_view action,
                                  absl::FunctionRef<std::vector<IamResource>()> resources,
                                  const TagSet* request_tags,
                                  const std::vector<std::string>* tag_keys) {
  if (!IamApplies(view, ctx)) return std::nullopt;
  std::optional<Reason> forbid =
      Authorize(view, ctx, action, resources(), request_tags, tag_keys);
  if (!forbid) return std::nullopt;
  return Decision::Deny(*std::move(forbid));
}

absl::Status IamAuthorizeWithoutResource(const PlanView& view, const CallContext& ctx,
                                         absl::string_view action) {
  std::optional<Decision> denied =
      IamDenial(view, ctx, action, [] { return std::vector<IamResource>{IamResource{"*"}}; });
  return denied ? denied->ToStatus() : absl::OkStatus();
}

std::optional<Decision> TagOnCreateDenial(const PlanView& view, const CallContext& ctx,
                                          absl::string_view create_action,
                                          absl::string_view type, const TagSet& tags) {
  if (tags.empty()) return std::nullopt;
  return IamDenial(
      view, ctx, "ec2:CreateTags",
      [&] {
        IamResource created = NewResource(ctx, type);
        created.keys.push_back({"ec2:CreateAction", std::string(create_action)});
        return std::vector<IamResource>{std::move(created)};
      },
      &tags);
}

bool IamAllowsListing(const PlanView& view, const CallContext& ctx, absl::string_view action) {
  return !IamDenial(view, ctx, action, [] { return std::vector<IamResource>{IamResource{"*"}}; })
              .has_value();
}

std::vector<IamResource> AnyIamResource() { return std::vector<IamResource>{IamResource{"*"}}; }

std::optional<Decision> KeyCallDenialOf(const PlanView& view, const CallContext& ctx,
                                        const KmsKeyArn& arn, const KmsKey* key,
                                        absl::string_view action) {
  if (ctx.principal.empty() || key == nullptr) {
    return IamDenial(view, ctx, action,
                     [&] { return std::vector<IamResource>{IamResource{arn.ToString()}}; });
  }
  const std::optional<KeyCaller> who = IamKeyCaller(view, ctx);
  std::optional<Reason> forbid = KeyCallDenial(view, *who, *key, action);
  if (!forbid) return std::nullopt;
  return Decision::Deny(*std::move(forbid));
}

IamResource ImageIamResource(const PlanView& view, const CallContext& ctx, ImageId id,
                             Region region) {
  const Image* image = view.FindImage(id);
  if (image != nullptr && image->region() == region) return ImageResource(view, ctx, *image);
  return IamResource{lang::ImageArn(region, id)};
}

namespace {

// The tags of a resource that has none, or that the caller put none on.
const TagSet& NoTags() {
  static const TagSet* const kNone = new TagSet();
  return *kNone;
}

}  // namespace

IamResource SnapshotIamResource(const PlanView& view, const CallContext& ctx, SnapshotId id) {
  IamResource r{lang::SnapshotArn(ctx.region, id)};
  const Snapshot* snap = view.FindSnapshot(id);
  if (snap == nullptr || snap->region() != ctx.region) return r;
  if (snap->owner() == ctx.account) {
    r.tags = &snap->tags();
  } else {
    r.tags = view.ForeignTags(id.ToString(), ctx.account);
    if (r.tags == nullptr) r.tags = &NoTags();
  }
  return r;
}

IamResource InstanceIamResource(const PlanView& view, const CallContext& ctx, InstanceId id) {
  IamResource r{lang::InstanceArn(ctx.region, ctx.account, id.ToString())};
  const Instance* instance = view.FindInstance(id);
  if (instance == nullptr || instance->owner() != ctx.account ||
      instance->region() != ctx.region) {
    return r;
  }
  r.tags = &instance->tags();
  r.keys.push_back({"ec2:InstanceType", instance->instance_type()});
  return r;
}

IamResource NewResource(const CallContext& ctx, absl::string_view type) {
  const bool no_account = type == "image" || type == "snapshot";
  IamResource r{absl::StrCat("arn:aws:ec2:", ctx.region.code(), ":",
                             no_account ? "" : ctx.account.ToString(), ":", type, "/*")};
  r.created = true;
  return r;
}

std::vector<IamResource> LaunchIamResources(const PlanView& view, const CallContext& ctx,
                                            ImageId image, const std::string* instance_type) {
  std::vector<IamResource> out;
  out.push_back(ImageIamResource(view, ctx, image, ctx.region));
  IamResource instance = NewResource(ctx, "instance");
  if (instance_type != nullptr) instance.keys.push_back({"ec2:InstanceType", *instance_type});
  out.push_back(std::move(instance));
  for (const char* type : {"volume", "network-interface", "security-group", "subnet"}) {
    out.push_back(NewResource(ctx, type));
  }
  return out;
}

std::vector<IamResource> CopyIamResources(const PlanView& view, const CallContext& ctx,
                                          ImageId source_image, Region source_region) {
  return std::vector<IamResource>{NewResource(ctx, "image"), NewResource(ctx, "snapshot"),
                                  ImageIamResource(view, ctx, source_image, source_region)};
}

std::vector<IamResource> LaunchPermissionIamResources(const PlanView& view,
                                                      const CallContext& ctx, ImageId image) {
  IamResource r = ImageIamResource(view, ctx, image, ctx.region);
  r.keys.push_back({"ec2:Attribute", "launchPermission"});
  return std::vector<IamResource>{std::move(r)};
}

}  // namespace ami::policy
