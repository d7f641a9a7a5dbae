// Importing AWS CLI JSON output into a new Cloud (ami/io/aws_import.h).
//
// Each file is recognised by its top-level keys and decoded into its aws_cli.proto message; the
// values inside go through FromProto() (ami/io/proto.h) and into the Cloud's Import* and settings
// methods, in the order the header documents. Errors are prefixed with the file name and the
// JSON path of the value that failed.
#include "ami/io/aws_import.h"

#include <algorithm>
#include <deque>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ami/errors.h"
#include "ami/io/proto.h"
#include "ami/v1/aws_cli.pb.h"
#include "absl/container/flat_hash_set.h"
#include "ami/iam/iam.h"
#include "io/aws_import_automation.h"
#include "io/aws_import_iam.h"
#include "io/aws_import_json.h"
#include "io/aws_import_org.h"
#include "io/aws_import_records.h"
#include "values/choices.h"
#include "cloud/state.h"
#include "io/file_util.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

using aws_import_internal::At;
using aws_import_internal::Locate;
using aws_import_internal::Located;
using aws_import_internal::InFile;
using aws_import_internal::Invalid;
using aws_import_internal::DecodeJson;
using aws_import_internal::Kind;
using aws_import_internal::InfoOf;
using aws_import_internal::Detect;
using aws_import_internal::AuthorizationDetails;
using aws_import_internal::ImportedPrincipal;
using aws_import_internal::OrganizationFiles;
using aws_import_internal::CheckRepeat;
using aws_import_internal::SameValue;
using aws_import_internal::ChooseViews;
using aws_import_internal::AsAnyAccountSeesIt;
using aws_import_internal::IsEbsDefaultDescription;
using aws_import_internal::GranteeAccount;

// ---- The import -------------------------------------------------------------------------------

// An attribute output's image or snapshot that no describe-* output holds.
absl::Status NotDescribed(ErrorCode code, absl::string_view what, const std::string& id,
                          Kind output) {
  return MakeError(code, absl::StrCat(what, " `", id, "` is in no ", InfoOf(output).name,
                                      " output"));
}

// A call made as `account` in `region`.
CallContext ContextOf(AccountId account, Region region) {
  CallContext ctx;
  ctx.account = account;
  ctx.region = region;
  return ctx;
}

template <typename M>
using FromFile = std::pair<const AwsCliFile*, M>;

// Reads the files, then imports what they hold into a new cloud in the documented order.
class Importer {
 public:
  Importer(const Cloud::Options& options, std::vector<ImportedAutomationId>* renamed)
      : options_(options), renamed_(renamed) {}

  absl::Status Read(const AwsCliFile& file);
  absl::Status ImportAll(std::optional<absl::Time> now) {
    AMI_ASSIGN_OR_RETURN(options_.start_time, Clock(now));
    cloud_ = Cloud::Create(options_);
    AMI_RETURN_IF_ERROR(DropRepeatedKeys());
    AMI_RETURN_IF_ERROR(orgs_.ImportTree(*cloud_));
    AMI_RETURN_IF_ERROR(MergeGrants());
    AMI_RETURN_IF_ERROR(ImportKeys());
    AMI_RETURN_IF_ERROR(ImportAliases());
    AMI_RETURN_IF_ERROR(ImportKeyPolicies());
    AMI_RETURN_IF_ERROR(ImportSnapshots());
    AMI_RETURN_IF_ERROR(ImportImages());
    AMI_RETURN_IF_ERROR(ImportInstances());
    AMI_RETURN_IF_ERROR(ImportSettings());
    AMI_RETURN_IF_ERROR(ImportDefaultKeys());
    AMI_RETURN_IF_ERROR(ImportPrincipals());
    // Automation definitions name roles: after the principals.
    AMI_ASSIGN_OR_RETURN(const aws_import_internal::ImportedAutomation automation,
                         automation_.Join());
    AMI_RETURN_IF_ERROR(aws_import_internal::ImportAutomation(*cloud_, automation, renamed_));
    // Last: service control policies bind the root-user calls made above.
    return orgs_.ImportPolicies(*cloud_);
  }
  std::unique_ptr<Cloud> TakeCloud() { return std::move(cloud_); }

 private:
  template <typename M>
  absl::StatusOr<M> Decode(const AwsCliFile& file, Kind kind) const {
    M message;
    AMI_RETURN_IF_ERROR(InFile(file, DecodeJson(file.json,
                                                absl::StrCat(InfoOf(kind).name, " output"),
                                                &message)));
    return message;
  }
  template <typename M>
  absl::Status Keep(const AwsCliFile& file, Kind kind, std::vector<FromFile<M>>* out) const {
    AMI_ASSIGN_OR_RETURN(M message, Decode<M>(file, kind));
    out->emplace_back(&file, std::move(message));
    return absl::OkStatus();
  }
  // The file, or a copy without its byte-order mark.
  const AwsCliFile& WithoutBom(const AwsCliFile& file);
  absl::Status ReadImages(const AwsCliFile& file);
  absl::Status ReadSnapshots(const AwsCliFile& file);
  absl::Status ReadInstances(const AwsCliFile& file);
  // A bare list's elements (DetectShape()).
  absl::Status ReadList(const AwsCliFile& file, const aws_import_internal::Detected& list);
  void AddImage(const AwsCliFile& file, std::string path, v1::Image p);
  void AddSnapshot(const AwsCliFile& file, std::string path, v1::Snapshot p);
  absl::Status AddReservation(const AwsCliFile& file, const std::string& path,
                              v1::DescribeInstancesOutput::Reservation& res);
  // MC-74: `now`, or the newest time the inputs observed, or the options' start time.
  absl::StatusOr<absl::Time> Clock(std::optional<absl::Time> now) const;
  // MC-73: a describe-key output repeated in another file is read once.
  absl::Status DropRepeatedKeys();

  absl::Status MergeGrants();
  absl::Status MergeGrant(const AwsCliFile& file, const v1::ListGrantsOutput::Grant& grant,
                          const std::string& path);
  absl::Status ImportKeys();
  absl::Status ImportAliases();
  absl::Status ImportAlias(const AwsCliFile& file, const v1::ListAliasesOutput::Alias& alias,
                           const std::string& path);
  absl::Status ImportKeyPolicies();
  absl::StatusOr<std::optional<std::string>> PolicyKey(const AwsCliFile& file) const;
  absl::Status ImportSnapshots();
  absl::Status MergeSnapshotAttribute(const FromFile<v1::DescribeSnapshotAttributeOutput>& in,
                                      const absl::flat_hash_map<SnapshotId, size_t>& index);
  absl::Status ImportImages();
  absl::Status MergeImageAttribute(const FromFile<v1::DescribeImageAttributeOutput>& in,
                                   const absl::flat_hash_map<ImageId, size_t>& index);
  absl::Status ImportPlaceholders(const Image& image);
  absl::StatusOr<Snapshot> Placeholder(const Image& image, const EbsBlockDevice& ebs) const;
  absl::Status ImportInstances();
  absl::Status ImportSettings();
  // MC-73: the setting `what` of the file's account in its Region, read as `value`.
  absl::Status CheckSetting(const AwsCliFile& file, absl::string_view what,
                            const std::string& value) {
    const std::string where =
        absl::StrCat(" of account `", file.account.ToString(), "` in ", file.region.code());
    return settings_.Check(file, absl::StrCat(what, where), value, absl::StrCat(what, where));
  }
  absl::Status ImportDefaultKeys();
  absl::Status ImportPrincipals();

  Cloud::Options options_;
  std::unique_ptr<Cloud> cloud_;
  // Key policies and account settings read so far (MC-73).
  aws_import_internal::SettingValues settings_;
  // The file that listed each grant id first (MC-73).
  absl::flat_hash_map<std::string, const AwsCliFile*> grant_files_;
  // Copies of the files that began with a byte-order mark, without it.
  std::deque<AwsCliFile> owned_;
  std::vector<Located<v1::Image>> images_;
  std::vector<Located<v1::Snapshot>> snapshots_;
  std::vector<Located<v1::Instance>> instances_;
  std::vector<FromFile<v1::DescribeImageAttributeOutput>> image_attributes_;
  std::vector<FromFile<v1::DescribeSnapshotAttributeOutput>> snapshot_attributes_;
  std::vector<FromFile<v1::DescribeKeyOutput>> keys_;
  std::vector<FromFile<v1::GetKeyPolicyOutput>> policies_;
  std::vector<FromFile<v1::GetEbsEncryptionByDefaultOutput>> ebs_encryption_;
  std::vector<FromFile<v1::GetImageBlockPublicAccessStateOutput>> block_public_access_;
  std::vector<FromFile<v1::ListAliasesOutput>> aliases_;
  std::vector<FromFile<v1::ListGrantsOutput>> grants_;
  std::vector<FromFile<v1::GetEbsDefaultKmsKeyIdOutput>> default_keys_;
  AuthorizationDetails iam_;
  OrganizationFiles orgs_;
  aws_import_internal::AutomationFiles automation_;
  std::vector<ImportedAutomationId>* renamed_;
  // Customer managed keys imported, and AWS managed keys imported (whose policies are fixed by
  // AWS, KMS-1: their get-key-policy output is not read).
  std::vector<KmsKey> imported_keys_;
  std::vector<KmsKey> skipped_keys_;
};

const AwsCliFile& Importer::WithoutBom(const AwsCliFile& file) {
  if (!absl::StartsWith(file.json, aws_import_internal::kUtf8Bom)) return file;
  AwsCliFile& copy = owned_.emplace_back(file);
  copy.json.erase(0, aws_import_internal::kUtf8Bom.size());
  return copy;
}

absl::Status Importer::Read(const AwsCliFile& original) {
  const AwsCliFile& file = WithoutBom(original);
  AMI_ASSIGN_OR_RETURN(const aws_import_internal::Detected detected,
                       InFile(file, aws_import_internal::DetectShape(file.json)));
  if (detected.bare) return ReadList(file, detected);
  const Kind kind = detected.kind;
  // An empty Targets list is a rule's when the file names one (AwsCliFile::rule).
  if (kind == Kind::kScpTargets && !file.rule.empty()) return automation_.Add(file, Kind::kRuleTargets);
  if (aws_import_internal::IsAutomationKind(kind)) return automation_.Add(file, kind);
  switch (kind) {
    case Kind::kImages: return ReadImages(file);
    case Kind::kSnapshots: return ReadSnapshots(file);
    case Kind::kInstances: return ReadInstances(file);
    case Kind::kImageAttribute: return Keep(file, kind, &image_attributes_);
    case Kind::kSnapshotAttribute: return Keep(file, kind, &snapshot_attributes_);
    case Kind::kKey: return Keep(file, kind, &keys_);
    case Kind::kKeyPolicy: return Keep(file, kind, &policies_);
    case Kind::kEbsEncryption: return Keep(file, kind, &ebs_encryption_);
    case Kind::kImageBlockPublicAccess: return Keep(file, kind, &block_public_access_);
    case Kind::kAliases: return Keep(file, kind, &aliases_);
    case Kind::kGrants: return Keep(file, kind, &grants_);
    case Kind::kEbsDefaultKey: return Keep(file, kind, &default_keys_);
    case Kind::kAuthorizationDetails: return iam_.Add(file);
    default: return orgs_.Add(file, kind);
  }
  return absl::OkStatus();
}

// Drops the mappings with neither Ebs nor VirtualName: describe-images prints NoDevice
// mappings so, and they only suppress a device. Returns the file's index of each mapping kept,
// or nothing when none was dropped.
std::vector<int> DropNoDeviceMappings(v1::Image* image) {
  google::protobuf::RepeatedPtrField<v1::BlockDeviceMapping> kept_mappings;
  std::vector<int> kept;
  for (int i = 0; i < image->block_device_mappings_size(); ++i) {
    const v1::BlockDeviceMapping& m = image->block_device_mappings(i);
    if (!m.has_ebs() && m.virtual_name().empty()) continue;
    kept.push_back(i);
    *kept_mappings.Add() = m;
  }
  if (static_cast<int>(kept.size()) == image->block_device_mappings_size()) return {};
  image->mutable_block_device_mappings()->Swap(&kept_mappings);
  return kept;
}

void Importer::AddImage(const AwsCliFile& file, std::string path, v1::Image p) {
  if (p.region().empty()) p.set_region(file.region.ToString());
  if (p.owner_id().empty()) p.set_owner_id(file.account.ToString());
  std::vector<int> kept = DropNoDeviceMappings(&p);
  images_.push_back({&file, std::move(path), std::move(p), std::move(kept)});
}

void Importer::AddSnapshot(const AwsCliFile& file, std::string path, v1::Snapshot p) {
  if (p.region().empty()) p.set_region(file.region.ToString());
  if (p.owner_id().empty()) p.set_owner_id(file.account.ToString());
  snapshots_.push_back({&file, std::move(path), std::move(p)});
}

// Instances are owned by their reservation's OwnerId, else by the file's account.
absl::Status Importer::AddReservation(const AwsCliFile& file, const std::string& path,
                                      v1::DescribeInstancesOutput::Reservation& res) {
  std::string owner = file.account.ToString();
  if (!res.owner_id().empty()) {
    AMI_RETURN_IF_ERROR(
        InFile(file, At(path + ".OwnerId", AccountId::Parse(res.owner_id()).status())));
    owner = res.owner_id();
  }
  for (int i = 0; i < res.instances_size(); ++i) {
    v1::Instance& p = *res.mutable_instances(i);
    if (p.owner_id().empty()) p.set_owner_id(owner);
    instances_.push_back({&file, absl::StrCat(path, ".Instances[", i, "]"), std::move(p)});
  }
  return absl::OkStatus();
}

absl::Status Importer::ReadImages(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(v1::DescribeImagesOutput out,
                       Decode<v1::DescribeImagesOutput>(file, Kind::kImages));
  for (int i = 0; i < out.images_size(); ++i) {
    AddImage(file, absl::StrCat("Images[", i, "]"), std::move(*out.mutable_images(i)));
  }
  return absl::OkStatus();
}

absl::Status Importer::ReadSnapshots(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(v1::DescribeSnapshotsOutput out,
                       Decode<v1::DescribeSnapshotsOutput>(file, Kind::kSnapshots));
  for (int i = 0; i < out.snapshots_size(); ++i) {
    AddSnapshot(file, absl::StrCat("Snapshots[", i, "]"), std::move(*out.mutable_snapshots(i)));
  }
  return absl::OkStatus();
}

absl::Status Importer::ReadInstances(const AwsCliFile& file) {
  AMI_ASSIGN_OR_RETURN(v1::DescribeInstancesOutput out,
                       Decode<v1::DescribeInstancesOutput>(file, Kind::kInstances));
  for (int r = 0; r < out.reservations_size(); ++r) {
    AMI_RETURN_IF_ERROR(
        AddReservation(file, absl::StrCat("Reservations[", r, "]"), *out.mutable_reservations(r)));
  }
  return absl::OkStatus();
}

// One element of a bare list, decoded as `M`; failures are located at `path` ("[3]").
template <typename M>
absl::StatusOr<M> DecodeElement(const AwsCliFile& file, absl::string_view text,
                                const std::string& path, Kind kind) {
  M message;
  AMI_RETURN_IF_ERROR(InFile(
      file, At(path, DecodeJson(text, absl::StrCat(InfoOf(kind).name, " output"), &message))));
  return message;
}

absl::Status Importer::ReadList(const AwsCliFile& file,
                                const aws_import_internal::Detected& list) {
  const absl::string_view json = file.json;
  for (size_t i = 0; i < list.elements.size(); ++i) {
    const absl::string_view text =
        json.substr(list.elements[i].first, list.elements[i].second - list.elements[i].first);
    std::string path = absl::StrCat("[", i, "]");
    if (list.kind == Kind::kImages) {
      AMI_ASSIGN_OR_RETURN(v1::Image p, DecodeElement<v1::Image>(file, text, path, list.kind));
      AddImage(file, std::move(path), std::move(p));
    } else if (list.kind == Kind::kSnapshots) {
      AMI_ASSIGN_OR_RETURN(v1::Snapshot p,
                           DecodeElement<v1::Snapshot>(file, text, path, list.kind));
      AddSnapshot(file, std::move(path), std::move(p));
    } else if (list.reservations) {
      using Reservation = v1::DescribeInstancesOutput::Reservation;
      AMI_ASSIGN_OR_RETURN(Reservation res,
                           DecodeElement<Reservation>(file, text, path, list.kind));
      AMI_RETURN_IF_ERROR(AddReservation(file, path, res));
    } else if (list.kind == Kind::kInstances) {
      AMI_ASSIGN_OR_RETURN(v1::Instance p,
                           DecodeElement<v1::Instance>(file, text, path, list.kind));
      if (p.owner_id().empty()) p.set_owner_id(file.account.ToString());
      instances_.push_back({&file, std::move(path), std::move(p)});
    }
  }
  return absl::OkStatus();
}

// ---- Keys ----


absl::Status Importer::DropRepeatedKeys() {
  absl::flat_hash_map<std::string, size_t> index;  // By key ARN.
  std::vector<FromFile<v1::DescribeKeyOutput>> kept;
  for (auto& entry : keys_) {
    const AwsCliFile& file = *entry.first;
    AMI_ASSIGN_OR_RETURN(const KmsKey key,
                         InFile(file, At("KeyMetadata", FromProto(entry.second.key_metadata()))));
    const auto [it, added] = index.emplace(key.arn().ToString(), kept.size());
    if (added) {
      kept.push_back(std::move(entry));
      continue;
    }
    const FromFile<v1::DescribeKeyOutput>& first = kept[it->second];
    AMI_ASSIGN_OR_RETURN(const KmsKey first_key, FromProto(first.second.key_metadata()));
    if (SameValue(first_key, key)) continue;
    return InFile(file, At("KeyMetadata",
                           MakeError(choices::kConflictingRecords,
                                     absl::StrCat("kms key `", key.arn().ToString(),
                                                  "` differs from the one in `",
                                                  first.first->name, "`"))));
  }
  keys_ = std::move(kept);
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> Importer::Clock(std::optional<absl::Time> now) const {
  aws_import_internal::NewestTime newest;
  for (const auto& at : images_) {
    newest.Observe(*at.file, at.path + ".CreationDate", at.proto.creation_date());
    newest.Observe(*at.file, at.path + ".LastLaunchedTime", at.proto.last_launched_time());
  }
  for (const auto& at : snapshots_) {
    newest.Observe(*at.file, at.path + ".StartTime", at.proto.start_time());
  }
  for (const auto& at : instances_) {
    newest.Observe(*at.file, at.path + ".LaunchTime", at.proto.launch_time());
    newest.Observe(*at.file, at.path + ".LastRebootTime", at.proto.last_reboot_time());
  }
  for (const auto& [file, out] : keys_) {
    newest.Observe(*file, "KeyMetadata.CreationDate", out.key_metadata().creation_date());
  }
  return newest.Clock(now, options_.start_time);
}

absl::Status Importer::ImportKeys() {
  for (const auto& [file, out] : keys_) {
    AMI_ASSIGN_OR_RETURN(KmsKey key,
                         InFile(*file, At("KeyMetadata", FromProto(out.key_metadata()))));
    AMI_RETURN_IF_ERROR(InFile(*file, cloud_->ImportKey(key)));
    if (key.is_aws_managed() && IsEbsDefaultDescription(key.description())) {
      AMI_RETURN_IF_ERROR(InFile(*file, cloud_->ImportAlias(key.account(), key.region(),
                                                            "alias/aws/ebs", key.arn())));
    }
    (key.is_aws_managed() ? skipped_keys_ : imported_keys_).push_back(std::move(key));
  }
  return absl::OkStatus();
}


absl::Status Importer::MergeGrant(const AwsCliFile& file, const v1::ListGrantsOutput::Grant& grant,
                                  const std::string& path) {
  // A grant to an AWS service (dynamodb.us-west-2.amazonaws.com) is no account's: grants only
  // allow, so leaving it out allows less.
  if (absl::EndsWith(grant.grantee_principal(), ".amazonaws.com")) return absl::OkStatus();
  std::optional<KmsKeyArn> arn;
  if (absl::StartsWith(grant.key_id(), "arn:")) {
    AMI_ASSIGN_OR_RETURN(arn, At(path + ".KeyId", KmsKeyArn::Parse(grant.key_id())));
  } else {
    AMI_ASSIGN_OR_RETURN(const KmsKeyId id, At(path + ".KeyId", KmsKeyId::Parse(grant.key_id())));
    arn = KmsKeyArn::Of(file.account, file.region, id);
  }
  AMI_ASSIGN_OR_RETURN(const AccountId grantee, At(path + ".GranteePrincipal",
                                                   GranteeAccount(grant.grantee_principal())));
  std::vector<std::string> ops;
  for (const std::string& op : grant.operations()) {
    ops.push_back(absl::StartsWith(op, "kms:") ? op : absl::StrCat("kms:", op));
  }
  AMI_RETURN_IF_ERROR(At(path + ".Operations", KmsActions::Parse(ops).status()));
  for (auto& [key_file, out] : keys_) {
    if (out.key_metadata().arn() != arn->ToString()) continue;
    const auto [seen, added] = grant_files_.emplace(grant.grant_id(), &file);
    for (const v1::KmsGrant& held : out.key_metadata().grants()) {
      if (added || held.grant_id() != grant.grant_id()) continue;
      if (held.grantee_principal() == grantee.ToString() &&
          std::equal(held.operations().begin(), held.operations().end(), ops.begin(), ops.end())) {
        return absl::OkStatus();  // MC-73: the same grant listed again.
      }
      return At(path, MakeError(choices::kConflictingRecords,
                                absl::StrCat("grant `", text_util::Clip(grant.grant_id()),
                                             "` differs from the one in `", seen->second->name,
                                             "`")));
    }
    v1::KmsGrant* g = out.mutable_key_metadata()->add_grants();
    g->set_grant_id(grant.grant_id());
    g->set_grantee_principal(grantee.ToString());
    for (const std::string& op : ops) g->add_operations(op);
    return absl::OkStatus();
  }
  return At(path + ".KeyId",
            MakeError(ErrorCode::kKmsNotFoundException,
                      absl::StrCat("kms key `", arn->ToString(),
                                   "` is in no describe-key output")));
}

absl::Status Importer::MergeGrants() {
  for (const auto& [file, out] : grants_) {
    for (int i = 0; i < out.grants_size(); ++i) {
      AMI_RETURN_IF_ERROR(
          InFile(*file, MergeGrant(*file, out.grants(i), absl::StrCat("Grants[", i, "]"))));
    }
  }
  return absl::OkStatus();
}

absl::Status Importer::ImportAlias(const AwsCliFile& file,
                                   const v1::ListAliasesOutput::Alias& alias,
                                   const std::string& path) {
  if (alias.target_key_id().empty()) return absl::OkStatus();  // Names no key yet.
  AMI_ASSIGN_OR_RETURN(const KmsKeyId id,
                       At(path + ".TargetKeyId", KmsKeyId::Parse(alias.target_key_id())));
  const KmsKeyArn arn = KmsKeyArn::Of(file.account, file.region, id);
  const std::string& name = alias.alias_name();
  const bool aws = absl::StartsWith(name, "alias/aws/");
  if (aws && name != "alias/aws/ebs") return absl::OkStatus();  // Other services' keys.
  if (!cloud_->GetKey(arn).has_value()) {
    return At(path + ".TargetKeyId",
              MakeError(ErrorCode::kKmsNotFoundException,
                        absl::StrCat("alias `", text_util::Clip(name), "` names kms key `",
                                     arn.ToString(), "`, which no describe-key output holds")));
  }
  return At(path, cloud_->ImportAlias(file.account, file.region, name, arn));
}

absl::Status Importer::ImportAliases() {
  for (const auto& [file, out] : aliases_) {
    for (int i = 0; i < out.aliases_size(); ++i) {
      AMI_RETURN_IF_ERROR(
          InFile(*file, ImportAlias(*file, out.aliases(i), absl::StrCat("Aliases[", i, "]"))));
    }
  }
  return absl::OkStatus();
}

// The key a get-key-policy output belongs to; nullopt for a skipped AWS managed key.
absl::StatusOr<std::optional<std::string>> Importer::PolicyKey(const AwsCliFile& file) const {
  auto names = [&file](const KmsKey& k) {
    return file.key_id == k.arn().ToString() || file.key_id == k.id().ToString();
  };
  auto here = [&file](const KmsKey& k) {
    return k.account() == file.account && k.region() == file.region;
  };
  if (!file.key_id.empty()) {
    if (std::any_of(skipped_keys_.begin(), skipped_keys_.end(), names)) return std::nullopt;
    return std::optional<std::string>(file.key_id);
  }
  std::vector<const KmsKey*> candidates;
  for (const KmsKey& k : imported_keys_) {
    if (here(k)) candidates.push_back(&k);
  }
  if (candidates.size() == 1) return std::optional<std::string>(candidates[0]->arn().ToString());
  if (candidates.empty() && std::count_if(skipped_keys_.begin(), skipped_keys_.end(), here) == 1) {
    return std::nullopt;
  }
  return MakeError(choices::kMissingValue,
                   absl::StrCat("the policy names no key and ", candidates.size(),
                                " kms keys of account `", file.account.ToString(), "` in ",
                                file.region.code(), " are imported: name the key"));
}

absl::Status Importer::ImportKeyPolicies() {
  for (const auto& [file, out] : policies_) {
    AMI_ASSIGN_OR_RETURN(const KeyPolicy policy,
                         InFile(*file, At("Policy", KeyPolicy::Parse(out.policy()))));
    AMI_ASSIGN_OR_RETURN(const std::optional<std::string> key, InFile(*file, PolicyKey(*file)));
    if (!key.has_value()) continue;
    const CallContext ctx = ContextOf(file->account, file->region);
    AMI_ASSIGN_OR_RETURN(const KmsKey target, InFile(*file, cloud_->DescribeKey(ctx, *key)));
    const std::string arn = target.arn().ToString();
    AMI_RETURN_IF_ERROR(InFile(*file, At("Policy", settings_.Check(*file, "policy " + arn,
                                                                   out.policy(),
                                                                   "the policy of kms key `" +
                                                                       arn + "`"))));
    AMI_RETURN_IF_ERROR(InFile(*file, cloud_->PutKeyPolicy(ctx, *key, policy)));
  }
  return absl::OkStatus();
}

// ---- Snapshots ----

absl::Status Importer::MergeSnapshotAttribute(
    const FromFile<v1::DescribeSnapshotAttributeOutput>& in,
    const absl::flat_hash_map<SnapshotId, size_t>& index) {
  const AwsCliFile& file = *in.first;
  AMI_ASSIGN_OR_RETURN(const SnapshotId id,
                       InFile(file, At("SnapshotId", SnapshotId::Parse(in.second.snapshot_id()))));
  const auto it = index.find(id);
  if (it == index.end()) {
    return InFile(file, At("SnapshotId",
                           NotDescribed(ErrorCode::kInvalidSnapshotNotFound, "snapshot",
                                        id.ToString(), Kind::kSnapshots)));
  }
  v1::Snapshot& target = snapshots_[it->second].proto;
  v1::Snapshot alone = target;  // The attribute checked on its own, so its paths are exact.
  *alone.mutable_create_volume_permissions() = in.second.create_volume_permissions();
  AMI_RETURN_IF_ERROR(InFile(file, FromProto(alone).status()));
  target.mutable_create_volume_permissions()->MergeFrom(in.second.create_volume_permissions());
  return absl::OkStatus();
}

absl::Status Importer::ImportSnapshots() {
  std::vector<Snapshot> parsed;
  absl::flat_hash_map<SnapshotId, size_t> index;
  AMI_RETURN_IF_ERROR(ChooseViews(snapshots_, "snapshot", &AsAnyAccountSeesIt, &parsed, &index));
  auto owners_view = [&](size_t i) { return parsed[i].owner() == snapshots_[i].file->account; };
  for (const auto& attribute : snapshot_attributes_) {
    AMI_RETURN_IF_ERROR(MergeSnapshotAttribute(attribute, index));
  }
  for (size_t i = 0; i < snapshots_.size(); ++i) {
    if (index.at(parsed[i].id()) != i) continue;
    const Located<v1::Snapshot>& at = snapshots_[i];
    AMI_ASSIGN_OR_RETURN(Snapshot snap, Locate(at, FromProto(at.proto)));
    if (!owners_view(i)) {
      AMI_ASSIGN_OR_RETURN(snap, Locate(at, AsAnyAccountSeesIt(snap)));
    }
    AMI_RETURN_IF_ERROR(Locate(at, cloud_->ImportSnapshot(snap)));
  }
  for (size_t i = 0; i < snapshots_.size(); ++i) {
    if (owners_view(i) || parsed[i].tags().empty()) continue;
    AMI_RETURN_IF_ERROR(Locate(snapshots_[i], cloud_->ImportForeignTags(
                                                  snapshots_[i].file->account, parsed[i].id(),
                                                  parsed[i].tags())));
  }
  return absl::OkStatus();
}

// ---- Images ----

absl::Status Importer::MergeImageAttribute(const FromFile<v1::DescribeImageAttributeOutput>& in,
                                           const absl::flat_hash_map<ImageId, size_t>& index) {
  const AwsCliFile& file = *in.first;
  AMI_ASSIGN_OR_RETURN(const ImageId id,
                       InFile(file, At("ImageId", ImageId::Parse(in.second.image_id()))));
  const auto it = index.find(id);
  if (it == index.end()) {
    return InFile(file, At("ImageId", NotDescribed(ErrorCode::kInvalidAMIIDNotFound, "image",
                                                   id.ToString(), Kind::kImages)));
  }
  v1::Image& target = images_[it->second].proto;
  v1::Image alone = target;  // The attribute checked on its own, so its paths are exact.
  *alone.mutable_launch_permissions() = in.second.launch_permissions();
  AMI_RETURN_IF_ERROR(InFile(file, FromProto(alone).status()));
  target.mutable_launch_permissions()->MergeFrom(in.second.launch_permissions());
  return absl::OkStatus();
}

absl::StatusOr<Snapshot> Importer::Placeholder(const Image& image,
                                               const EbsBlockDevice& ebs) const {
  std::optional<KmsKeyArn> key = ebs.kms_key;
  if (ebs.encrypted && !key.has_value()) {
    AMI_ASSIGN_OR_RETURN(const KmsKey aws_ebs,
                         cloud_->DescribeKey(ContextOf(image.owner(), image.region()),
                                             "alias/aws/ebs"));
    key = aws_ebs.arn();
  }
  CreateVolumePermissions permissions;
  permissions.is_public = image.is_public();
  return Snapshot::Builder()
      .set_id(*ebs.snapshot_id)
      .set_owner(image.owner())
      .set_region(image.region())
      .set_volume_size_gib(ebs.volume_size_gib == 0 ? 8 : ebs.volume_size_gib)
      .set_kms_key(key)
      .set_start_time(image.creation_time())
      .set_description(absl::StrCat("placeholder for a snapshot of ", image.id().ToString(),
                                    " that was not described"))
      .set_create_volume_permissions(std::move(permissions))
      .Build();
}

// MC-36: placeholders for the snapshots of another account's image that no file describes.
absl::Status Importer::ImportPlaceholders(const Image& image) {
  if (image.state() == ImageState::kDeregistered) return absl::OkStatus();
  for (const BlockDeviceMapping& m : image.block_device_mappings()) {
    if (!m.ebs.has_value() || !m.ebs->snapshot_id.has_value()) continue;
    if (cloud_->GetSnapshot(*m.ebs->snapshot_id).has_value()) continue;
    AMI_ASSIGN_OR_RETURN(const Snapshot placeholder, Placeholder(image, *m.ebs));
    AMI_RETURN_IF_ERROR(cloud_->ImportSnapshot(placeholder));
  }
  return absl::OkStatus();
}

absl::Status Importer::ImportImages() {
  // Each image comes from its owner's view when a file of the owner holds it, else from the
  // first view; another account's view gives that account's own tags on it (SHARE-13).
  std::vector<Image> parsed;
  absl::flat_hash_map<ImageId, size_t> index;
  AMI_RETURN_IF_ERROR(ChooseViews(images_, "image", &AsAnyAccountSeesIt, &parsed, &index));
  auto owners_view = [&](size_t i) { return parsed[i].owner() == images_[i].file->account; };
  for (const auto& attribute : image_attributes_) {
    AMI_RETURN_IF_ERROR(MergeImageAttribute(attribute, index));
  }
  for (size_t i = 0; i < images_.size(); ++i) {
    if (index.at(parsed[i].id()) != i) continue;
    const Located<v1::Image>& at = images_[i];
    AMI_ASSIGN_OR_RETURN(Image image, Locate(at, FromProto(at.proto)));
    if (!owners_view(i)) {
      AMI_ASSIGN_OR_RETURN(image, Locate(at, AsAnyAccountSeesIt(image)));
      AMI_RETURN_IF_ERROR(Locate(at, ImportPlaceholders(image)));
    }
    AMI_RETURN_IF_ERROR(Locate(at, cloud_->ImportImage(image)));
  }
  for (size_t i = 0; i < images_.size(); ++i) {
    if (owners_view(i) || parsed[i].tags().empty()) continue;
    AMI_RETURN_IF_ERROR(Locate(images_[i], cloud_->ImportForeignTags(images_[i].file->account,
                                                                     parsed[i].id(), parsed[i].tags())));
  }
  return absl::OkStatus();
}

// ---- Instances and settings ----

absl::Status Importer::ImportInstances() {
  absl::flat_hash_map<InstanceId, size_t> index;
  for (size_t i = 0; i < instances_.size(); ++i) {
    const Located<v1::Instance>& at = instances_[i];
    AMI_ASSIGN_OR_RETURN(const Instance instance, Locate(at, FromProto(at.proto)));
    const auto [it, added] = index.emplace(instance.id(), i);
    if (!added) {
      AMI_RETURN_IF_ERROR(CheckRepeat(instances_[it->second], at, instance, "instance",
                                      instance.id().ToString()));
      continue;
    }
    AMI_RETURN_IF_ERROR(Locate(at, cloud_->ImportInstance(instance)));
  }
  return absl::OkStatus();
}

absl::Status Importer::ImportSettings() {
  for (const auto& [file, out] : ebs_encryption_) {
    if (!out.has_ebs_encryption_by_default()) {
      return InFile(*file, At("EbsEncryptionByDefault",
                              MakeError(choices::kMissingValue, "expected true or false")));
    }
    const CallContext ctx = ContextOf(file->account, file->region);
    AMI_RETURN_IF_ERROR(InFile(*file, At("EbsEncryptionByDefault",
                                         CheckSetting(*file, "ebs encryption by default",
                                                      out.ebs_encryption_by_default() ? "true"
                                                                                      : "false"))));
    AMI_RETURN_IF_ERROR(InFile(*file, out.ebs_encryption_by_default()
                                          ? cloud_->EnableEbsEncryptionByDefault(ctx)
                                          : cloud_->DisableEbsEncryptionByDefault(ctx)));
  }
  for (const auto& [file, out] : block_public_access_) {
    const std::string& state = out.image_block_public_access_state();
    const CallContext ctx = ContextOf(file->account, file->region);
    AMI_RETURN_IF_ERROR(InFile(*file, At("ImageBlockPublicAccessState",
                                         CheckSetting(*file, "image block public access", state))));
    if (state == "block-new-sharing") {
      // An observed state is in force already: no 10-minute wait (SHARE-18).
      internal::CloudState& s = internal::CloudAccess::State(*cloud_);
      internal::WriterLock lock(s.mu);
      RegionSettings settings = s.StoredSettings(ctx.account, ctx.region);
      settings.image_block_public_access = true;
      settings.image_block_public_access_chosen = true;
      settings.image_block_public_access_from.reset();
      internal::StateLoader(s).PutSettings(ctx.account, ctx.region, settings);
    } else if (state == "unblocked") {
      AMI_RETURN_IF_ERROR(InFile(*file, cloud_->DisableImageBlockPublicAccess(ctx)));
    } else {
      return InFile(*file, At("ImageBlockPublicAccessState",
                              Invalid(absl::StrCat("invalid state `", text_util::Clip(state),
                                                   "`: expected block-new-sharing or unblocked"))));
    }
  }
  return absl::OkStatus();
}

// get-ebs-default-kms-key-id: alias/aws/ebs, or the AWS managed key, is the default already.
absl::Status Importer::ImportDefaultKeys() {
  for (const auto& [file, out] : default_keys_) {
    const std::string& key = out.kms_key_id();
    if (key.empty()) {
      return InFile(*file, At("KmsKeyId", MakeError(choices::kMissingValue, "no key")));
    }
    const CallContext ctx = ContextOf(file->account, file->region);
    AMI_RETURN_IF_ERROR(InFile(*file, At("KmsKeyId", CheckSetting(*file, "the default ebs kms key",
                                                                  key))));
    if (key == "alias/aws/ebs") continue;
    const absl::StatusOr<KmsKey> described = cloud_->DescribeKey(ctx, key);
    if (described.ok() && described->is_aws_managed()) continue;
    AMI_RETURN_IF_ERROR(InFile(*file, At("KmsKeyId", cloud_->ModifyEbsDefaultKmsKeyId(ctx, key))));
  }
  return absl::OkStatus();
}

// Each user and role, in an account the cloud holds (added standalone when no Organizations
// output made it a member).
absl::Status Importer::ImportPrincipals() {
  if (iam_.empty()) return absl::OkStatus();
  AMI_ASSIGN_OR_RETURN(const std::vector<ImportedPrincipal> principals, iam_.Principals());
  const std::vector<AccountId> listed = cloud_->ListAccounts();
  absl::flat_hash_set<AccountId> held(listed.begin(), listed.end());
  for (const ImportedPrincipal& p : principals) {
    if (held.insert(p.file->account).second) {
      AMI_RETURN_IF_ERROR(InFile(*p.file, cloud_->AddAccount(p.file->account)));
    }
    AMI_RETURN_IF_ERROR(
        InFile(*p.file, At(p.path, iam::PutPrincipal(*cloud_, p.file->account, p.spec).status())));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Cloud>> ImportAwsCli(const std::vector<AwsCliFile>& files,
                                                    Cloud::Options options,
                                                    std::optional<absl::Time> now,
                                                    std::vector<ImportedAutomationId>* renamed) {
  Importer importer(options, renamed);
  for (const AwsCliFile& file : files) {
    if (file.json.size() > kMaxAwsCliFileBytes) {
      return MakeError(choices::kInputTooLarge,
                       absl::StrCat(file.name, ": ", file.json.size(),
                                    " bytes, more than the limit of ", kMaxAwsCliFileBytes));
    }
    AMI_RETURN_IF_ERROR(importer.Read(file));
  }
  AMI_RETURN_IF_ERROR(importer.ImportAll(now));
  return importer.TakeCloud();
}

absl::StatusOr<std::string> ReadAwsCliJson(const std::string& path) {
  return file_util::ReadBounded(path, kMaxAwsCliFileBytes);
}

absl::StatusOr<std::string> DetectAwsCliKind(absl::string_view json) {
  if (absl::StartsWith(json, aws_import_internal::kUtf8Bom)) {
    json.remove_prefix(aws_import_internal::kUtf8Bom.size());
  }
  AMI_ASSIGN_OR_RETURN(const Kind kind, Detect(json));
  return std::string(InfoOf(kind).name);
}

}  // namespace ami
