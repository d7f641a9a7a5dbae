// Seeding a cloud with existing resources.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/cloud.h"
#include "ami/errors.h"
#include "cloud/state.h"
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
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  if (s.keys.contains(key.arn())) return Exists("kms key", key.arn().ToString());
  s.keys[key.arn()] = std::make_shared<const KmsKey>(key);
  if (key.state() == KeyState::kPendingDeletion && key.deletion_time().has_value()) {
    s.Schedule(std::max(absl::ZeroDuration(), *key.deletion_time() - s.now),
               {PendingWork::Kind::kKeyDeletion, key.arn().ToString(), std::nullopt});
  }
  return absl::OkStatus();
}

absl::Status Cloud::ImportAlias(AccountId account, Region region, const std::string& alias,
                                const KmsKeyArn& key) {
  const bool aws_ebs = alias == internal::kAwsEbsAlias;
  if (!aws_ebs) AMI_RETURN_IF_ERROR(ValidateNewAliasName(alias));
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
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
  const auto slot = std::make_tuple(account, region, alias);
  if (auto it = s.aliases.find(slot); !aws_ebs && it != s.aliases.end()) {
    if (it->second == key) return absl::OkStatus();  // The same alias read twice.
    return Exists("alias", alias);
  }
  const KmsKeyArn before = s.AwsManagedEbsKey(account, region);
  s.aliases.insert_or_assign(slot, key);
  // KMS-2: a default EBS key that was the account's aws/ebs key stays its aws/ebs key.
  auto settings = s.settings.find(internal::AccountRegion{account, region});
  if (aws_ebs && settings != s.settings.end() && settings->second.default_kms_key == before) {
    settings->second.default_kms_key = key;
  }
  return absl::OkStatus();
}

absl::Status Cloud::ImportSnapshot(const Snapshot& snapshot) {
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  if (s.snapshots.contains(snapshot.id())) return Exists("snapshot", snapshot.id().ToString());
  Snapshot shared = snapshot;
  s.sharing.Share(shared);
  s.PutSnapshot(std::make_shared<const Snapshot>(std::move(shared)));
  return absl::OkStatus();
}

absl::Status Cloud::ImportImage(const Image& image) {
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  if (s.images.contains(image.id())) return Exists("image", image.id().ToString());
  if (internal::IsRegistered(image.state())) {
    if (const auto used = s.FindImageByName(image.owner(), image.region(), image.name())) {
      return MakeError(ErrorCode::kInvalidAMINameDuplicate,
                       absl::StrCat("AMI name `", image.name(), "` is already in use by AMI `",
                                    used->ToString(), "` (REG-6)"));
    }
    AMI_RETURN_IF_ERROR(s.CheckImageSnapshots(image));
  }
  // SHARE-19: an existing account that already has a public AMI has block public access off.
  if (image.is_public()) {
    RegionSettings& settings = s.MutableSettings(image.owner(), image.region());
    if (!settings.image_block_public_access_chosen) {
      settings.image_block_public_access = false;
      settings.image_block_public_access_from.reset();
    }
  }
  Image shared = image;
  s.sharing.Share(shared);
  s.PutImage(std::make_shared<const Image>(std::move(shared)));
  if (image.state() == ImageState::kPending) {
    s.Schedule(s.options.image_pending, {PendingWork::Kind::kImage, image.id().ToString(), std::nullopt});
  }
  return absl::OkStatus();
}

absl::Status Cloud::ImportInstance(const Instance& instance) {
  internal::WriterLock lock(state_->mu);
  CloudState& s = *state_;
  if (s.instances.contains(instance.id())) return Exists("instance", instance.id().ToString());
  s.PutInstance(instance);
  if (instance.state() == InstanceState::kPending) {
    s.Schedule(s.options.instance_pending,
               {PendingWork::Kind::kInstance, instance.id().ToString(), std::nullopt});
  }
  return absl::OkStatus();
}

}  // namespace ami
