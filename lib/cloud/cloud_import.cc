// Seeding a cloud with existing resources.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "cloud/state.h"
#include "policy/planning.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {

using internal::CloudState;
using internal::PendingWork;

namespace {

absl::Status Exists(absl::string_view what, const std::string& id) {
  return MakeError(choices::kInvalidValue, absl::StrCat(what, " `", id, "` already exists"));
}

}  // namespace

absl::Status Cloud::ImportKey(const KmsKey& key) {
  CloudState& s = *state_;
  internal::WriterLock lock(s.mu);
  internal::StateLoader load(s);
  if (!load.AddKey(key)) return Exists("kms key", key.arn().ToString());
  if (key.state() == KeyState::kPendingDeletion && key.deletion_time().has_value()) {
    load.AddPending(std::max(s.Now(), *key.deletion_time()),
                    {PendingWork::Kind::kKeyDeletion, key.arn().ToString(), std::nullopt});
  }
  return absl::OkStatus();
}

absl::Status Cloud::ImportAlias(AccountId account, Region region, const std::string& alias,
                                const KmsKeyArn& key) {
  const bool aws_ebs = alias == internal::kAwsEbsAlias;
  if (!aws_ebs) AMI_RETURN_IF_ERROR(ValidateNewAliasName(alias));
  CloudState& s = *state_;
  internal::WriterLock lock(s.mu);
  const KeyFacts facts = s.FindKey(key);
  if (facts.key == nullptr || key.account() != account || key.region() != region ||
      facts.key->is_aws_managed() != aws_ebs) {
    return MakeError(choices::kInconsistentValues,
                     absl::StrCat("alias `", text_util::Clip(alias), "` of account `",
                                  account.ToString(), "` in ", region.code(), " names `",
                                  key.ToString(), "`, which is not ",
                                  aws_ebs ? "an aws managed" : "a customer managed",
                                  " key of the account held in that region"));
  }
  if (const std::optional<KmsKeyArn> held = s.FindAlias(account, region, alias);
      !aws_ebs && held.has_value()) {
    if (*held == key) return absl::OkStatus();  // The same alias read twice.
    return Exists("alias", alias);
  }
  const KmsKeyArn before = s.AwsManagedEbsKey(account, region);
  internal::StateLoader load(s);
  load.PutAlias(account, region, alias, key);
  // KMS-2: a default EBS key that was the account's aws/ebs key stays its aws/ebs key.
  if (aws_ebs && s.settings().contains(internal::AccountRegion{account, region})) {
    RegionSettings settings = s.StoredSettings(account, region);
    if (settings.default_kms_key == before) {
      settings.default_kms_key = key;
      load.PutSettings(account, region, settings);
    }
  }
  return absl::OkStatus();
}

absl::Status Cloud::ImportSnapshot(const Snapshot& snapshot) {
  internal::WriterLock lock(state_->mu);
  internal::StateLoader load(*state_);
  if (!load.AddSnapshot(snapshot)) return Exists("snapshot", snapshot.id().ToString());
  return absl::OkStatus();
}

absl::Status Cloud::ImportImage(const Image& image) {
  CloudState& s = *state_;
  internal::WriterLock lock(s.mu);
  if (s.FindImage(image.id()) != nullptr) return Exists("image", image.id().ToString());
  AMI_RETURN_IF_ERROR(policy::CheckSeededImage(s, image));
  internal::StateLoader load(s);
  // SHARE-19: an existing account that already has a public AMI has block public access off.
  if (image.is_public()) {
    RegionSettings settings = s.StoredSettings(image.owner(), image.region());
    if (!settings.image_block_public_access_chosen) {
      settings.image_block_public_access = false;
      settings.image_block_public_access_from.reset();
      load.PutSettings(image.owner(), image.region(), settings);
    }
  }
  load.AddImage(image);
  if (image.state() == ImageState::kPending) {
    load.AddPending(s.Now() + s.options.image_pending,
                    {PendingWork::Kind::kImage, image.id().ToString(), std::nullopt});
  }
  return absl::OkStatus();
}

absl::Status Cloud::ImportInstance(const Instance& instance) {
  CloudState& s = *state_;
  internal::WriterLock lock(s.mu);
  internal::StateLoader load(s);
  if (!load.AddInstance(instance)) return Exists("instance", instance.id().ToString());
  if (instance.state() == InstanceState::kPending) {
    load.AddPending(s.Now() + s.options.instance_pending,
                    {PendingWork::Kind::kInstance, instance.id().ToString(), std::nullopt});
  }
  return absl::OkStatus();
}

absl::Status Cloud::ImportForeignTags(AccountId account, const ResourceId& resource,
                                      const TagSet& tags) {
  CloudState& s = *state_;
  internal::WriterLock lock(s.mu);
  std::optional<std::pair<AccountId, Region>> owner;
  ErrorCode missing = ErrorCode::kInvalidAMIIDNotFound;
  if (const ImageId* image = std::get_if<ImageId>(&resource.value())) {
    if (const Image* held = s.FindImage(*image)) owner.emplace(held->owner(), held->region());
  } else if (const SnapshotId* snap = std::get_if<SnapshotId>(&resource.value())) {
    missing = ErrorCode::kInvalidSnapshotNotFound;
    if (const Snapshot* held = s.FindSnapshot(*snap)) owner.emplace(held->owner(), held->region());
  } else {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("only images and snapshots carry another account's tags, not `",
                                  resource.ToString(), "`"));
  }
  if (!owner.has_value()) {
    return MakeError(missing, absl::StrCat("`", resource.ToString(), "` does not exist"));
  }
  if (owner->first == account) {
    return MakeError(choices::kInvalidValue,
                     absl::StrCat("account `", account.ToString(), "` owns `", resource.ToString(),
                                  "`: its tags are the resource's own"));
  }
  internal::StateLoader load(s);
  load.SetForeignTags(resource.ToString(), owner->second, account, tags);
  return absl::OkStatus();
}

}  // namespace ami
