// Request contexts of EC2 and KMS actions; see request.h.
#include "policy/lang/request.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "policy/common.h"

namespace ami::lang {
namespace {

void AddTags(absl::string_view prefix, const TagSet& tags, RequestContext* ctx) {
  for (const Tag& t : tags) ctx->Set(absl::StrCat(prefix, t.key()), t.value());
  ctx->SetComplete(prefix);
}

}  // namespace

std::string Caller::Arn() const {
  return arn.empty() ? absl::StrCat("arn:aws:iam::", account.ToString(), ":root") : arn;
}

std::string ImageArn(Region region, ImageId id) {
  return absl::StrCat("arn:aws:ec2:", region.code(), "::image/", id.ToString());
}

std::string SnapshotArn(Region region, SnapshotId id) {
  return absl::StrCat("arn:aws:ec2:", region.code(), "::snapshot/", id.ToString());
}

std::string InstanceArn(Region region, AccountId account, absl::string_view instance) {
  return absl::StrCat("arn:aws:ec2:", region.code(), ":", account.ToString(), ":instance/",
                      instance);
}

RequestContext BaseContext(const Caller& caller, absl::string_view action, std::string resource,
                           Region region, absl::Time now) {
  RequestContext ctx;
  ctx.principal_account = caller.account.ToString();
  ctx.principal_arn = caller.Arn();
  ctx.action = std::string(action);
  ctx.resource = std::move(resource);
  ctx.Set("aws:PrincipalAccount", ctx.principal_account);
  ctx.Set("aws:PrincipalArn", ctx.principal_arn);
  ctx.Set("aws:PrincipalIsAWSService", "false");
  ctx.Set("aws:PrincipalType", caller.is_root()                               ? "Account"
                               : absl::StrContains(caller.arn, ":user/")       ? "User"
                               : absl::StrContains(caller.arn, ":assumed-role/") ? "AssumedRole"
                                                                               : "Role");
  if (absl::StrContains(caller.arn, ":user/")) {
    ctx.Set("aws:username", caller.arn.substr(caller.arn.rfind('/') + 1));
  } else {
    ctx.SetAbsent("aws:username");
  }
  if (caller.info != nullptr && caller.info->organization) {
    ctx.Set("aws:PrincipalOrgID", caller.info->organization->ToString());
    ctx.SetMany("aws:PrincipalOrgPaths", {policy::OrgPath(*caller.info)});
  } else if (caller.info != nullptr) {
    // An account the state holds, outside any organization. Without its facts (nullptr) the
    // organization keys stay unknown.
    ctx.SetAbsent("aws:PrincipalOrgID");
    ctx.SetAbsent("aws:PrincipalOrgPaths");
  }
  if (caller.tags != nullptr) AddTags("aws:PrincipalTag/", *caller.tags, &ctx);
  if (caller.is_root()) ctx.SetComplete("aws:PrincipalTag/");
  ctx.Set("aws:CurrentTime", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone()));
  ctx.Set("aws:EpochTime", absl::StrCat(absl::ToUnixSeconds(now)));
  ctx.Set("aws:RequestedRegion", std::string(region.code()));
  ctx.Set("ec2:Region", std::string(region.code()));
  return ctx;
}

void AddImageKeys(const Image& image, const TagSet& tags, RequestContext* ctx) {
  ctx->Set("ec2:ImageID", image.id().ToString());
  ctx->Set("ec2:ImageType", "machine");
  switch (image.owner_alias()) {
    case OwnerAlias::kAmazon:
      ctx->Set("ec2:Owner", "amazon");
      break;
    case OwnerAlias::kAwsMarketplace:
      ctx->Set("ec2:Owner", "aws-marketplace");
      break;
    default:
      ctx->Set("ec2:Owner", image.owner().ToString());
  }
  ctx->Set("ec2:Public", image.is_public() ? "true" : "false");
  ctx->Set("ec2:RootDeviceType",
           image.root_device_type() == RootDeviceType::kEbs ? "ebs" : "instance-store");
  AddTags("ec2:ResourceTag/", tags, ctx);
  AddTags("aws:ResourceTag/", tags, ctx);
}

void AddResourceTags(const TagSet& tags, RequestContext* ctx) {
  AddTags("ec2:ResourceTag/", tags, ctx);
  AddTags("aws:ResourceTag/", tags, ctx);
}

void AddRequestTags(const TagSet& tags, RequestContext* ctx) {
  AddTags("aws:RequestTag/", tags, ctx);
  if (tags.empty()) {
    ctx->SetAbsent("aws:TagKeys");
    return;
  }
  std::vector<std::string> keys;
  for (const Tag& t : tags) keys.push_back(t.key());
  ctx->SetMany("aws:TagKeys", std::move(keys));
}

void AddKmsViaEc2Keys(const Caller& caller, Region region, bool grant_for_resource,
                      RequestContext* ctx) {
  ctx->Set("kms:CallerAccount", caller.account.ToString());
  ctx->Set("kms:ViaService", absl::StrCat("ec2.", region.code(), ".amazonaws.com"));
  ctx->Set("kms:GrantIsForAWSResource", grant_for_resource ? "true" : "false");
  ctx->Set("aws:ViaAWSService", "true");
}

std::optional<std::string> AddSuppliedValues(const SuppliedValues& supplied, RequestContext* ctx) {
  for (const auto& [key, values] : supplied) {
    const KeyLookup known = ctx->Lookup(absl::AsciiStrToLower(key));
    if (known.state == KeyLookup::State::kUnknown) {
      ctx->SetMany(key, values);
    } else if (known.state == KeyLookup::State::kAbsent || *known.values != values) {
      return key;
    }
  }
  return std::nullopt;
}

}  // namespace ami::lang
