// The testing kit (ami::testing): World, a test world declared in a few lines — organizations
// and OUs, accounts, customer managed keys with their policies, images (with their snapshots,
// tags and shares), instances, IAM roles and users, service control policies — through the Cloud's own operations, so that every rule
// applies while it is built:
//
//   ami::testing::World w;
//   w.Organization("o-a1b2c3d4e5", "111122223333")
//       .Ou("o-a1b2c3d4e5", "ou-ab12-11111111")
//       .Account("444455556666", "o-a1b2c3d4e5", "ou-ab12-11111111")
//       .Key("cmk", "111122223333", "us-east-1")
//       .Image("golden", "111122223333", "us-east-1",
//              {.key = "cmk", .tags = {{"approved", "true"}}, .shared_with = {"444455556666"}})
//       .Instance("web", "444455556666", "us-east-1", "golden");
//   ASSERT_THAT(w.status(), IsOk());
//   EXPECT_THAT(w.cloud().GetInstance(w.instance("web"))->image_id(), Eq(w.image("golden")));
//
// A declaration that fails records the first error (naming the label) and the later ones are
// skipped: check status(). A world for a scenario file's set-up is RunScenario's cloud
// (ami/tools/scenario.h). Thread-compatible: one thread declares; the cloud is as thread-safe as
// any Cloud.
#ifndef AMI_TESTING_WORLD_H_
#define AMI_TESTING_WORLD_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/iam/iam.h"

namespace ami::testing {

class World {
 public:
  // What Image() makes besides the image: its root snapshot's key, tags, shares.
  struct ImageSpec {
    // The label of a Key() of the owner in the image's Region; empty: unencrypted.
    std::string key;
    // The owner's tags on the image.
    std::vector<std::pair<std::string, std::string>> tags;
    // Launch permission entries added by the owner (ModifyImageAttribute): account ids,
    // organization ARNs (arn:aws:organizations::…:organization/o-…), OU ARNs, or "all".
    std::vector<std::string> shared_with;
  };

  explicit World(Cloud::Options options = {}) : cloud_(Cloud::Create(options)) {}

  // An organization with its management account (a member) and root id.
  World& Organization(absl::string_view org, absl::string_view management,
                      absl::string_view root = "r-a1b2") {
    if (!status_.ok()) return *this;
    auto id = OrganizationId::Parse(org);
    auto account = AccountId::Parse(management);
    if (!Check(id.status(), org) || !Check(account.status(), management)) return *this;
    Check(cloud_->CreateOrganization(*id, *account, std::string(root)), org);
    return *this;
  }

  // An OU of `org`, under its root.
  World& Ou(absl::string_view org, absl::string_view ou) {
    if (!status_.ok()) return *this;
    auto id = OrganizationId::Parse(org);
    auto unit = OrganizationalUnitId::Parse(ou);
    if (!Check(id.status(), org) || !Check(unit.status(), ou)) return *this;
    Check(cloud_->CreateOrganizationalUnit(*id, *unit), ou);
    return *this;
  }

  // An account; a member of `org` (in `ou`, else at the root) when `org` is given.
  World& Account(absl::string_view account, absl::string_view org = "", absl::string_view ou = "") {
    if (!status_.ok()) return *this;
    auto id = AccountId::Parse(account);
    if (!Check(id.status(), account)) return *this;
    std::optional<OrganizationId> in;
    std::optional<OrganizationalUnitId> unit;
    if (!org.empty()) {
      auto o = OrganizationId::Parse(org);
      if (!Check(o.status(), org)) return *this;
      in = *o;
    }
    if (!ou.empty()) {
      auto u = OrganizationalUnitId::Parse(ou);
      if (!Check(u.status(), ou)) return *this;
      unit = *u;
    }
    Check(cloud_->AddAccount(*id, in, unit), account);
    return *this;
  }

  // A customer managed key of `account` in `region` (CreateKey), with the default key policy,
  // or the JSON document `policy` when given (PutKeyPolicy).
  World& Key(absl::string_view label, absl::string_view account, absl::string_view region,
             absl::string_view policy = "") {
    if (!status_.ok() || !NewLabel(label)) return *this;
    auto ctx = Context(account, region, label);
    if (!ctx.ok()) return *this;
    CreateKeyRequest request;
    request.description = std::string(label);
    auto arn = cloud_->CreateKey(*ctx, request);
    if (!Check(arn.status(), label)) return *this;
    if (!policy.empty()) {
      auto parsed = KeyPolicy::Parse(policy);
      if (!Check(parsed.status(), label) ||
          !Check(cloud_->PutKeyPolicy(*ctx, arn->ToString(), *parsed), label)) {
        return *this;
      }
    }
    keys_.emplace(std::string(label), *arn);
    return *this;
  }

  // An available EBS-backed image of `owner` in `region`, with one 8-GiB root snapshot
  // (/dev/xvda), seeded as an inventory import does; then the owner's tags and shares through
  // CreateTags and ModifyImageAttribute.
  World& Image(absl::string_view label, absl::string_view owner, absl::string_view region,
               const ImageSpec& spec = {}) {
    if (!status_.ok() || !NewLabel(label)) return *this;
    auto ctx = Context(owner, region, label);
    if (!ctx.ok()) return *this;
    const uint64_t n = ++seeded_;
    Snapshot::Builder snapshot;
    snapshot.set_id(SnapshotId::Long(0x5eed00000ULL + n)).set_owner(ctx->account)
        .set_region(ctx->region).set_volume_size_gib(8).set_start_time(cloud_->Now());
    if (!spec.key.empty()) {
      auto key = keys_.find(spec.key);
      if (key == keys_.end()) {
        return Fail(absl::InvalidArgumentError(absl::StrCat("no key labelled `", spec.key, "`")), label);
      }
      snapshot.set_kms_key(key->second);
    }
    auto snap = snapshot.Build();
    if (!Check(snap.status(), label) || !Check(cloud_->ImportSnapshot(*snap), label)) return *this;
    auto image = ::ami::Image::Builder()
                     .set_id(ImageId::Long(0x5eed00000ULL + n))
                     .set_name(std::string(label))
                     .set_owner(ctx->account)
                     .set_region(ctx->region)
                     .set_creation_time(cloud_->Now())
                     .add_snapshot_mapping("/dev/xvda", *snap)
                     .Build();
    if (!Check(image.status(), label) || !Check(cloud_->ImportImage(*image), label)) return *this;
    images_.emplace(std::string(label), image->id());
    if (!spec.tags.empty() && !Check(cloud_->CreateTags(*ctx, {image->id().ToString()}, spec.tags), label)) {
      return *this;
    }
    if (spec.shared_with.empty()) return *this;
    ModifyImageAttributeRequest share;
    share.image_id = image->id().ToString();
    for (const std::string& with : spec.shared_with) share.add.push_back(Entry(with));
    Check(cloud_->ModifyImageAttribute(*ctx, share), label);
    return *this;
  }

  // An instance of `account` in `region` launched from the image labelled `image` (RunInstances:
  // the launch must be allowed). It is pending until the clock moves past the pending time.
  World& Instance(absl::string_view label, absl::string_view account, absl::string_view region,
                  absl::string_view image) {
    if (!status_.ok() || !NewLabel(label)) return *this;
    auto ctx = Context(account, region, label);
    if (!ctx.ok()) return *this;
    auto it = images_.find(std::string(image));
    if (it == images_.end()) {
      return Fail(absl::InvalidArgumentError(absl::StrCat("no image labelled `", image, "`")), label);
    }
    RunInstancesRequest request;
    request.image_id = it->second.ToString();
    auto ids = cloud_->RunInstances(*ctx, request);
    if (Check(ids.status(), label)) instances_.emplace(std::string(label), ids->front());
    return *this;
  }

  // A role (or, with `user`, a user) of `account` named `label` whose one inline identity policy
  // is the JSON document `policy` (iam::PutPrincipal); principal(label) gives its ARN.
  World& Role(absl::string_view label, absl::string_view account, absl::string_view policy,
              bool user = false) {
    if (!status_.ok() || !NewLabel(label)) return *this;
    auto a = AccountId::Parse(account);
    if (!Check(a.status(), label)) return *this;
    iam::PrincipalSpec spec;
    spec.type = user ? iam::PrincipalSpec::Type::kUser : iam::PrincipalSpec::Type::kRole;
    spec.name = std::string(label);
    spec.policies = {{absl::StrCat(label, "-policy"), std::string(policy)}};
    auto arn = iam::PutPrincipal(*cloud_, *a, spec);
    if (Check(arn.status(), label)) principals_.emplace(std::string(label), *arn);
    return *this;
  }

  // A service control policy `policy_id` of `org` (the JSON document `policy`) attached to
  // `target`: the root (r-…), an OU or an account.
  World& Scp(absl::string_view org, absl::string_view policy_id, absl::string_view policy,
             absl::string_view target) {
    if (!status_.ok()) return *this;
    auto o = OrganizationId::Parse(org);
    if (!Check(o.status(), policy_id)) return *this;
    if (!Check(iam::PutServiceControlPolicy(*cloud_, *o, policy_id,
                                            {std::string(policy_id), std::string(policy)}),
               policy_id)) {
      return *this;
    }
    Check(iam::AttachServiceControlPolicy(*cloud_, policy_id, target), policy_id);
    return *this;
  }

  // The first error met while declaring, prefixed with the label or id it concerns; OK when none.
  const absl::Status& status() const { return status_; }
  // The world's cloud, to ask and to change further.
  Cloud& cloud() { return *cloud_; }
  const Cloud& cloud() const { return *cloud_; }
  // The ids behind labels; an unknown label is the zero id (and a test that uses it fails).
  ImageId image(absl::string_view label) const { return Find(images_, label, ImageId::Short(0)); }
  InstanceId instance(absl::string_view label) const {
    return Find(instances_, label, InstanceId::Short(0));
  }
  // The ARN of a Role(); empty for an unknown label.
  std::string principal(absl::string_view label) const {
    auto it = principals_.find(std::string(label));
    return it == principals_.end() ? std::string() : it->second;
  }
  KmsKeyArn key(absl::string_view label) const {
    auto it = keys_.find(std::string(label));
    return it == keys_.end() ? KmsKeyArn::Parse("arn:aws:kms:us-east-1:000000000000:key/"
                                                "00000000-0000-0000-0000-000000000000")
                                   .value()
                             : it->second;
  }

 private:
  template <typename Map, typename Id>
  static Id Find(const Map& map, absl::string_view label, Id none) {
    auto it = map.find(std::string(label));
    return it == map.end() ? none : it->second;
  }
  static LaunchPermissionEntry Entry(const std::string& with) {
    LaunchPermissionEntry e;
    if (with == "all") {
      e.group = "all";
    } else if (with.find(":organization/") != std::string::npos) {
      e.organization_arn = with;
    } else if (with.find(":ou/") != std::string::npos) {
      e.organizational_unit_arn = with;
    } else {
      e.user_id = with;
    }
    return e;
  }
  absl::StatusOr<CallContext> Context(absl::string_view account, absl::string_view region,
                                      absl::string_view label) {
    auto a = AccountId::Parse(account);
    auto r = Region::Parse(region);
    if (!Check(a.status(), label) || !Check(r.status(), label)) return status_;
    CallContext ctx;
    ctx.account = *a;
    ctx.region = *r;
    return ctx;
  }
  bool NewLabel(absl::string_view label) {
    const std::string l(label);
    if (images_.count(l) + instances_.count(l) + keys_.count(l) + principals_.count(l) == 0) {
      return true;
    }
    Fail(absl::AlreadyExistsError(absl::StrCat("the label `", label, "` is taken")), label);
    return false;
  }
  World& Fail(const absl::Status& s, absl::string_view what) {
    Check(s, what);
    return *this;
  }
  // Records the first error, prefixed with `what`; true when `s` is OK.
  bool Check(const absl::Status& s, absl::string_view what) {
    if (s.ok()) return true;
    if (status_.ok()) {
      status_ = absl::Status(s.code(), absl::StrCat("`", what, "`: ", s.message()));
      s.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
        status_.SetPayload(url, payload);
      });
    }
    return false;
  }

  std::unique_ptr<Cloud> cloud_;
  absl::Status status_;
  uint64_t seeded_ = 0;
  std::map<std::string, ImageId> images_;
  std::map<std::string, InstanceId> instances_;
  std::map<std::string, KmsKeyArn> keys_;
  std::map<std::string, std::string> principals_;
};

}  // namespace ami::testing

#endif  // AMI_TESTING_WORLD_H_
