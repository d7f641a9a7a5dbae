// Conversions between the libami values and their ami.v1 messages, binary and JSON: KMS keys
// and snapshots here, images and instances in lib/proto_convert_image.cc.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "ami/io/proto.h"
#include "values/choices.h"
#include "google/protobuf/util/json_util.h"
#include "io/json_check.h"
#include "io/proto_convert_util.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {

using proto_internal::SetId;
using proto_internal::At;
using proto_internal::Optional;
using proto_internal::EnumOr;
using proto_internal::TimeOr;
using proto_internal::OptionalTime;
using proto_internal::OptionalTimeText;
using proto_internal::TimeText;
using proto_internal::SizeField;
using proto_internal::Mismatch;
using proto_internal::TagsToProto;
using proto_internal::TagsFromProto;
using proto_internal::CodesToProto;
using proto_internal::CodesFromProto;
using proto_internal::PrincipalAccount;
using proto_internal::EncryptionFromProto;

// ---- KmsKey -----------------------------------------------------------------------------------

void ToProto(const KmsKey& key, v1::KmsKey* out) {
  out->Clear();
  v1::KmsKey& p = *out;
  p.set_key_id(key.id().ToString());
  p.set_arn(key.arn().ToString());
  p.set_aws_account_id(key.account().ToString());
  p.set_key_manager(std::string(ToString(key.manager())));
  p.set_key_state(std::string(ToString(key.state())));
  p.set_multi_region(key.multi_region_role() != MultiRegionRole::kNone);
  if (key.multi_region_role() != MultiRegionRole::kNone) {
    p.mutable_multi_region_configuration()->set_multi_region_key_type(
        std::string(ToString(key.multi_region_role())));
  }
  p.set_key_spec(key.key_spec());
  p.set_description(key.description());
  p.set_creation_date(TimeText(key.creation_time()));
  p.set_deletion_date(OptionalTimeText(key.deletion_time()));
  p.set_policy_document(key.policy().document());
  for (const KmsGrant& g : key.grants()) {
    v1::KmsGrant* pg = p.add_grants();
    pg->set_grant_id(g.grant_id);
    pg->set_grantee_principal(g.grantee.ToString());
    for (const std::string& op : g.operations.ToStrings()) pg->add_operations(op.substr(4));
  }
  TagsToProto(key.tags(), p.mutable_tags());
}

v1::KmsKey ToProto(const KmsKey& key) {
  v1::KmsKey p;
  ToProto(key, &p);
  return p;
}

namespace {

absl::StatusOr<KeyPolicyStatement> StatementFromProto(const std::string& path,
                                                      const v1::KeyPolicyStatement& p) {
  KeyPolicyStatement s;
  s.sid = p.sid();
  if (p.effect() == "Allow" || p.effect().empty()) {
    s.effect = KeyPolicyStatement::Effect::kAllow;
  } else if (p.effect() == "Deny") {
    s.effect = KeyPolicyStatement::Effect::kDeny;
  } else {
    return At(absl::StrCat(path, ".Effect"),
              MakeError(choices::kInvalidValue,
                        absl::StrCat("invalid effect `", text_util::Clip(p.effect()),
                                     "`: expected Allow or Deny")));
  }
  s.any_principal = p.any_principal();
  for (int i = 0; i < p.principal_accounts_size(); ++i) {
    bool whole_account = true;
    AMI_RETURN_IF_ERROR(At(absl::StrCat(path, ".PrincipalAccounts[", i, "]"),
                           PrincipalAccountOf(p.principal_accounts(i), &whole_account).status()));
    if (whole_account) {
      s.accounts.push_back(*PrincipalAccountOf(p.principal_accounts(i)));
    } else {
      s.iam_principals.push_back(p.principal_accounts(i));
    }
  }
  for (const v1::PolicyCondition& c : p.conditions()) {
    s.conditions.push_back({c.operator_(), c.key(), {c.values().begin(), c.values().end()}});
  }
  for (int i = 0; i < p.principal_org_ids_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(OrganizationId o, At(absl::StrCat(path, ".PrincipalOrgIds[", i, "]"),
                                              OrganizationId::Parse(p.principal_org_ids(i))));
    s.principal_org_ids.push_back(std::move(o));
  }
  s.principal_org_paths.assign(p.principal_org_paths().begin(), p.principal_org_paths().end());
  AMI_ASSIGN_OR_RETURN(s.actions, At(absl::StrCat(path, ".Action"),
                                     KmsActions::Parse({p.actions().begin(), p.actions().end()})));
  return s;
}

absl::StatusOr<KmsGrant> GrantFromProto(const std::string& path, const v1::KmsGrant& p) {
  KmsGrant g{p.grant_id(), AccountId::FromNumber(0), KmsActions()};
  AMI_ASSIGN_OR_RETURN(g.grantee, PrincipalAccount(absl::StrCat(path, ".GranteePrincipal"),
                                                   p.grantee_principal()));
  std::vector<std::string> ops;
  for (const std::string& op : p.operations()) {
    ops.push_back(absl::StartsWith(op, "kms:") ? op : absl::StrCat("kms:", op));
  }
  AMI_ASSIGN_OR_RETURN(g.operations, At(absl::StrCat(path, ".Operations"), KmsActions::Parse(ops)));
  return g;
}

}  // namespace

absl::StatusOr<KmsKey> FromProto(const v1::KmsKey& p) {
  KmsKey::Builder b;
  AMI_ASSIGN_OR_RETURN(const KmsKeyArn arn, At("Arn", KmsKeyArn::Parse(p.arn())));
  b.set_arn(arn);
  if (!p.key_id().empty() && p.key_id() != arn.key_id().ToString()) {
    return Mismatch("KeyId", "the key id does not match the key arn");
  }
  if (!p.aws_account_id().empty() && p.aws_account_id() != arn.account().ToString()) {
    return Mismatch("AWSAccountId", "the account does not match the key arn");
  }
  AMI_ASSIGN_OR_RETURN(const KeyManager manager,
                       EnumOr("KeyManager", p.key_manager(), KeyManager::kCustomer));
  AMI_ASSIGN_OR_RETURN(const KeyState state, EnumOr("KeyState", p.key_state(), KeyState::kEnabled));
  AMI_ASSIGN_OR_RETURN(const MultiRegionRole role,
                       EnumOr("MultiRegionConfiguration.MultiRegionKeyType",
                              p.multi_region_configuration().multi_region_key_type(),
                              MultiRegionRole::kNone));
  if (p.has_multi_region() && p.multi_region() != (role != MultiRegionRole::kNone)) {
    return Mismatch("MultiRegion", "MultiRegion must agree with MultiRegionConfiguration");
  }
  b.set_manager(manager).set_state(state).set_multi_region_role(role);
  if (!p.key_spec().empty()) b.set_key_spec(p.key_spec());
  b.set_description(p.description());
  AMI_ASSIGN_OR_RETURN(const absl::Time created,
                       TimeOr("CreationDate", p.creation_date(), absl::UnixEpoch()));
  AMI_ASSIGN_OR_RETURN(const std::optional<absl::Time> deletion,
                       OptionalTime("DeletionDate", p.deletion_date()));
  b.set_creation_time(created).set_deletion_time(deletion);
  if (!p.policy_document().empty()) {
    absl::StatusOr<KeyPolicy> policy = KeyPolicy::Parse(p.policy_document());
    if (!policy.ok()) return internal::PrefixStatus("PolicyDocument: ", policy.status());
    b.set_policy(*std::move(policy));
  }
  for (int i = 0; i < p.policy_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(KeyPolicyStatement s,
                         StatementFromProto(absl::StrCat("Policy[", i, "]"), p.policy(i)));
    b.add_policy_statement(std::move(s));
  }
  for (int i = 0; i < p.grants_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(KmsGrant g, GrantFromProto(absl::StrCat("Grants[", i, "]"), p.grants(i)));
    b.add_grant(std::move(g));
  }
  AMI_ASSIGN_OR_RETURN(TagSet tags, TagsFromProto(p.tags()));
  b.set_tags(std::move(tags));
  return std::move(b).Build();
}

// ---- Snapshot ---------------------------------------------------------------------------------

void ToProto(const Snapshot& s, v1::Snapshot* out) {
  out->Clear();
  v1::Snapshot& p = *out;
  SetId(p.mutable_snapshot_id(), s.id());
  p.set_owner_id(s.owner().ToString());
  p.set_region(s.region().ToString());
  p.set_volume_size(s.volume_size_gib());
  p.set_encrypted(s.encrypted());
  if (s.kms_key().has_value()) p.set_kms_key_id(s.kms_key()->ToString());
  p.set_state(std::string(ToString(s.state())));
  p.set_state_message(s.state_message());
  p.set_description(s.description());
  p.set_start_time(TimeText(s.start_time()));
  if (s.volume_id().has_value()) SetId(p.mutable_volume_id(), *s.volume_id());
  if (s.source_snapshot().has_value()) SetId(p.mutable_source_snapshot_id(), *s.source_snapshot());
  for (const AccountId a : s.create_volume_permissions().accounts) {
    p.add_create_volume_permissions()->set_user_id(a.ToString());
  }
  if (s.is_public()) p.add_create_volume_permissions()->set_group("all");
  CodesToProto(s.product_codes(), p.mutable_product_codes());
  TagsToProto(s.tags(), p.mutable_tags());
}

v1::Snapshot ToProto(const Snapshot& s) {
  v1::Snapshot p;
  ToProto(s, &p);
  return p;
}

namespace {

absl::StatusOr<CreateVolumePermissions> VolumePermissionsFromProto(
    const google::protobuf::RepeatedPtrField<v1::CreateVolumePermission>& in) {
  CreateVolumePermissions out;
  for (int i = 0; i < in.size(); ++i) {
    // Made only for a failure: reading an entry allocates nothing.
    auto path = [i](absl::string_view field) { return absl::StrCat("CreateVolumePermissions[", i, "]", field); };
    const v1::CreateVolumePermission& e = in.Get(i);
    if (e.user_id().empty() == e.group().empty()) {
      return Mismatch(path(""), "each entry has exactly one of UserId and Group");
    }
    if (!e.group().empty()) {
      if (e.group() != "all") {
        return At(path(".Group"),
                  MakeError(choices::kInvalidValue,
                            absl::StrCat("invalid group `", text_util::Clip(e.group()),
                                         "`: the only group is all")));
      }
      out.is_public = true;
      continue;
    }
    absl::StatusOr<AccountId> a = AccountId::Parse(e.user_id());
    if (!a.ok()) return At(path(".UserId"), a.status());
    out.accounts.push_back(*a);
  }
  return out;
}

}  // namespace

absl::StatusOr<Snapshot> FromProto(const v1::Snapshot& p) {
  Snapshot::Builder b;
  AMI_ASSIGN_OR_RETURN(const SnapshotId id, At("SnapshotId", SnapshotId::Parse(p.snapshot_id())));
  AMI_ASSIGN_OR_RETURN(const AccountId owner, At("OwnerId", AccountId::Parse(p.owner_id())));
  AMI_ASSIGN_OR_RETURN(const Region region, At("Region", Region::Parse(p.region())));
  AMI_ASSIGN_OR_RETURN(const uint32_t size, SizeField("VolumeSize", p.volume_size()));
  AMI_ASSIGN_OR_RETURN(const std::optional<KmsKeyArn> key,
                       EncryptionFromProto("", p.has_encrypted(), p.encrypted(), p.kms_key_id()));
  AMI_ASSIGN_OR_RETURN(const SnapshotState state,
                       EnumOr("State", p.state(), SnapshotState::kCompleted));
  AMI_ASSIGN_OR_RETURN(const absl::Time start, TimeOr("StartTime", p.start_time(), absl::UnixEpoch()));
  AMI_ASSIGN_OR_RETURN(const std::optional<VolumeId> volume,
                       Optional<VolumeId>("VolumeId", p.volume_id()));
  AMI_ASSIGN_OR_RETURN(const std::optional<SnapshotId> source,
                       Optional<SnapshotId>("SourceSnapshotId", p.source_snapshot_id()));
  AMI_ASSIGN_OR_RETURN(CreateVolumePermissions perms,
                       VolumePermissionsFromProto(p.create_volume_permissions()));
  AMI_ASSIGN_OR_RETURN(std::vector<ProductCode> codes, CodesFromProto(p.product_codes()));
  AMI_ASSIGN_OR_RETURN(TagSet tags, TagsFromProto(p.tags()));
  b.set_id(id).set_owner(owner).set_region(region).set_volume_size_gib(size).set_kms_key(key);
  b.set_state(state).set_state_message(p.state_message()).set_description(p.description());
  b.set_start_time(start).set_volume_id(volume).set_source_snapshot(source);
  b.set_create_volume_permissions(std::move(perms)).set_product_codes(std::move(codes));
  b.set_tags(std::move(tags));
  return std::move(b).Build();
}

// ---- Bytes and JSON ---------------------------------------------------------------------------

namespace {

template <typename T>
struct ProtoOf;
template <> struct ProtoOf<KmsKey> { using Type = v1::KmsKey; };
template <> struct ProtoOf<Snapshot> { using Type = v1::Snapshot; };
template <> struct ProtoOf<Image> { using Type = v1::Image; };
template <> struct ProtoOf<Instance> { using Type = v1::Instance; };

}  // namespace

template <typename T>
absl::StatusOr<T> FromBinary(absl::string_view bytes) {
  typename ProtoOf<T>::Type proto;
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return MakeError(choices::kUndecodableInput,
                     absl::StrCat("cannot decode ", proto.GetTypeName(), ": ", bytes.size(),
                                  " bytes are not valid protobuf wire format"));
  }
  return FromProto(proto);
}

template <typename T>
std::string ToJson(const T& value) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string out;
  // Printing a message libami itself filled cannot fail.
  (void)google::protobuf::util::MessageToJsonString(ToProto(value), &out, options);
  return out;
}

template <typename T>
absl::StatusOr<T> FromJson(absl::string_view json) {
  typename ProtoOf<T>::Type proto;
  if (json.size() > kMaxJsonValueBytes) {
    return MakeError(choices::kInputTooLarge,
                     absl::StrCat("cannot decode ", proto.GetTypeName(), " from json: ",
                                  json.size(), " bytes, more than the limit of ",
                                  kMaxJsonValueBytes));
  }
  json_check::JsonCheckOptions check;
  check.what = absl::StrCat(proto.GetTypeName(), " from json");
  check.message = proto.GetDescriptor();
  AMI_RETURN_IF_ERROR(json_check::DecodeChecked(json, check, &proto));
  return FromProto(proto);
}

#define AMI_INSTANTIATE(T)                                           \
  template absl::StatusOr<T> FromBinary<T>(absl::string_view bytes); \
  template std::string ToJson<T>(const T& value);                    \
  template absl::StatusOr<T> FromJson<T>(absl::string_view json)
AMI_INSTANTIATE(KmsKey);
AMI_INSTANTIATE(Snapshot);
AMI_INSTANTIATE(Image);
AMI_INSTANTIATE(Instance);
#undef AMI_INSTANTIATE

}  // namespace ami
