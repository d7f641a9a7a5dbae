// Conversions between the libami values and their ami.v1 messages, binary and JSON.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/errors.h"
#include "ami/proto.h"
#include "google/protobuf/util/json_util.h"
#include "io/json_check.h"
#include "values/choices.h"
#include "values/status_macros.h"
#include "values/text_util.h"

namespace ami {
namespace {

// Writes a resource id's text into a message's string field, reusing the field's storage (a
// message reused record after record allocates nothing here).
template <typename Id>
void SetId(std::string* field, const Id& id) {
  field->clear();
  id.AppendTo(field);
}

// `status` with its message prefixed by the field path; code and payloads are kept.
absl::Status At(absl::string_view path, const absl::Status& status) {
  absl::Status out(status.code(), absl::StrCat(path, ": ", status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

template <typename T>
absl::StatusOr<T> At(absl::string_view path, absl::StatusOr<T> result) {
  if (!result.ok()) return At(path, result.status());
  return result;
}

// A failure at a path within element `index` of list `list` ("Ebs.VolumeId: …") as a failure
// at "list[index].Ebs.VolumeId: …". Paths within an element stay short, so that reading one
// allocates nothing.
template <typename T>
absl::StatusOr<T> InElement(absl::string_view list, int index, absl::StatusOr<T> result) {
  if (result.ok()) return result;
  const absl::Status& status = result.status();
  absl::Status out(status.code(), absl::StrCat(list, "[", index, "].", status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

// Parses an id-like field; empty text gives nullopt.
template <typename T>
absl::StatusOr<std::optional<T>> Optional(absl::string_view path, const std::string& text) {
  if (text.empty()) return std::optional<T>();
  AMI_ASSIGN_OR_RETURN(T value, At(path, T::Parse(text)));
  return std::optional<T>(std::move(value));
}

// Parses an enum field; empty text keeps `fallback`.
template <typename E>
absl::StatusOr<E> EnumOr(absl::string_view path, const std::string& text, E fallback) {
  if (text.empty()) return fallback;
  return At(path, ParseEnum<E>(text));
}

absl::StatusOr<absl::Time> TimeOr(absl::string_view path, const std::string& text,
                                  absl::Time fallback) {
  if (text.empty()) return fallback;
  return At(path, ParseAwsTime(text));
}

absl::StatusOr<std::optional<absl::Time>> OptionalTime(absl::string_view path,
                                                       const std::string& text) {
  if (text.empty()) return std::optional<absl::Time>();
  AMI_ASSIGN_OR_RETURN(absl::Time t, At(path, ParseAwsTime(text)));
  return std::optional<absl::Time>(t);
}

std::string OptionalTimeText(const std::optional<absl::Time>& t) {
  return t.has_value() ? FormatAwsTime(*t) : std::string();
}

absl::StatusOr<uint32_t> SizeField(absl::string_view path, int64_t value) {
  if (value < 0 || value > kMaxVolumeSizeGiB) {
    return At(path, MakeError(choices::kInvalidValue,
                              absl::StrCat("volume size ", value, " GiB is outside 0 to ",
                                           kMaxVolumeSizeGiB)));
  }
  return static_cast<uint32_t>(value);
}

absl::Status Mismatch(absl::string_view path, absl::string_view why) {
  return At(path, MakeError(choices::kInconsistentValues, why));
}

// Tags.
template <typename Repeated>
void TagsToProto(const TagSet& tags, Repeated* out) {
  for (const Tag& tag : tags) {
    v1::Tag* t = out->Add();
    t->set_key(tag.key());
    t->set_value(tag.value());
  }
}

template <typename Repeated>
absl::StatusOr<TagSet> TagsFromProto(const Repeated& in) {
  std::vector<Tag> tags;
  tags.reserve(static_cast<size_t>(in.size()));
  for (int i = 0; i < in.size(); ++i) {
    absl::StatusOr<Tag> tag = Tag::Create(in.Get(i).key(), in.Get(i).value());
    // The field path is made only for a failure: reading a tag allocates no path.
    if (!tag.ok()) return At(absl::StrCat("Tags[", i, "]"), tag.status());
    tags.push_back(*std::move(tag));
  }
  return At("Tags", TagSet::Create(std::move(tags)));
}

// Product codes.
template <typename Repeated>
void CodesToProto(const std::vector<ProductCode>& codes, Repeated* out) {
  for (const ProductCode& code : codes) {
    v1::ProductCode* p = out->Add();
    p->set_product_code_id(code.code);
    p->set_product_code_type(std::string(ToString(code.type)));
  }
}

template <typename Repeated>
absl::StatusOr<std::vector<ProductCode>> CodesFromProto(const Repeated& in) {
  std::vector<ProductCode> codes;
  codes.reserve(static_cast<size_t>(in.size()));
  for (int i = 0; i < in.size(); ++i) {
    // Made only for a failure: reading a code allocates no path.
    auto path = [i](absl::string_view field) { return absl::StrCat("ProductCodes[", i, "]", field); };
    ProductCode code;
    code.code = in.Get(i).product_code_id();
    code.type = ProductCodeType::kMarketplace;
    if (const std::string& text = in.Get(i).product_code_type(); !text.empty()) {
      absl::StatusOr<ProductCodeType> type = ParseEnum<ProductCodeType>(text);
      if (!type.ok()) return At(path(".ProductCodeType"), type.status());
      code.type = *type;
    }
    const absl::Status valid = ValidateProductCode(code);
    if (!valid.ok()) return At(path(""), valid);
    codes.push_back(std::move(code));
  }
  return codes;
}

StateReason ReasonFromProto(const v1::StateReason& r) { return StateReason{r.code(), r.message()}; }

void ReasonToProto(const StateReason& r, v1::StateReason* out) {
  out->set_code(r.code);
  out->set_message(r.message);
}

// An account named as 12 digits or by an IAM ARN (arn:aws:iam::<account>:…).
absl::StatusOr<AccountId> PrincipalAccount(absl::string_view path, absl::string_view text) {
  constexpr absl::string_view kIamPrefix = "arn:aws:iam::";
  if (absl::StartsWith(text, kIamPrefix)) {
    const absl::string_view rest = text.substr(kIamPrefix.size());
    const size_t colon = rest.find(':');
    if (colon != absl::string_view::npos) return At(path, AccountId::Parse(rest.substr(0, colon)));
  }
  return At(path, AccountId::Parse(text));
}

}  // namespace

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
  p.set_creation_date(FormatAwsTime(key.creation_time()));
  p.set_deletion_date(OptionalTimeText(key.deletion_time()));
  for (const KeyPolicyStatement& s : key.policy()) {
    v1::KeyPolicyStatement* ps = p.add_policy();
    ps->set_sid(s.sid);
    ps->set_effect(s.effect == KeyPolicyStatement::Effect::kAllow ? "Allow" : "Deny");
    ps->set_any_principal(s.any_principal);
    for (const AccountId a : s.accounts) ps->add_principal_accounts(a.ToString());
    for (const std::string& arn : s.iam_principals) ps->add_principal_accounts(arn);
    for (const OrganizationId& o : s.principal_org_ids) ps->add_principal_org_ids(o.ToString());
    for (const std::string& path : s.principal_org_paths) ps->add_principal_org_paths(path);
    for (const std::string& a : s.actions.ToStrings()) ps->add_actions(a);
    for (const PolicyCondition& c : s.conditions) {
      v1::PolicyCondition* pc = ps->add_conditions();
      pc->set_operator_(c.op);
      pc->set_key(c.key);
      for (const std::string& v : c.values) pc->add_values(v);
    }
  }
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
  p.set_start_time(FormatAwsTime(s.start_time()));
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

absl::StatusOr<std::optional<KmsKeyArn>> EncryptionFromProto(absl::string_view path, bool has_flag,
                                                              bool encrypted,
                                                              const std::string& key) {
  if (key.empty()) {
    if (has_flag && encrypted) {
      return At(absl::StrCat(path, "KmsKeyId"),
                MakeError(choices::kMissingValue, "an encrypted volume names its kms key arn"));
    }
    return std::optional<KmsKeyArn>();
  }
  if (has_flag && !encrypted) {
    return Mismatch(absl::StrCat(path, "KmsKeyId"), "a kms key goes only with Encrypted=true");
  }
  absl::StatusOr<KmsKeyArn> arn = KmsKeyArn::Parse(key);
  if (!arn.ok()) return At(absl::StrCat(path, "KmsKeyId"), arn.status());
  return std::optional<KmsKeyArn>(*arn);
}

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

// ---- Image ------------------------------------------------------------------------------------

namespace {

std::string ProtectionText(const Image& image) {
  if (image.protection_cooldown_until().has_value()) {
    return absl::StrCat("disabled-until-", FormatAwsTime(*image.protection_cooldown_until()));
  }
  return std::string(ToString(image.deregistration_protection()));
}

absl::Status ProtectionFromProto(const std::string& text, Image::Builder* b) {
  constexpr absl::string_view kUntil = "disabled-until-";
  if (absl::StartsWith(text, kUntil)) {
    AMI_ASSIGN_OR_RETURN(const absl::Time until,
                         At("DeregistrationProtection", ParseAwsTime(text.substr(kUntil.size()))));
    b->set_deregistration_protection(DeregistrationProtection::kDisabled);
    b->set_protection_cooldown_until(until);
    return absl::OkStatus();
  }
  AMI_ASSIGN_OR_RETURN(const DeregistrationProtection p,
                       EnumOr("DeregistrationProtection", text, DeregistrationProtection::kDisabled));
  b->set_deregistration_protection(p);
  return absl::OkStatus();
}

// Paths in failures are within the mapping ("Ebs.SnapshotId"); see InElement.
absl::StatusOr<BlockDeviceMapping> MappingFromProto(const v1::BlockDeviceMapping& p) {
  BlockDeviceMapping m;
  m.device_name = p.device_name();
  m.virtual_name = p.virtual_name();
  if (!p.has_ebs()) return m;
  const v1::EbsBlockDevice& e = p.ebs();
  constexpr absl::string_view ebs_path = "Ebs.";
  EbsBlockDevice ebs;
  AMI_ASSIGN_OR_RETURN(ebs.snapshot_id, Optional<SnapshotId>("Ebs.SnapshotId", e.snapshot_id()));
  AMI_ASSIGN_OR_RETURN(ebs.volume_size_gib, SizeField("Ebs.VolumeSize", e.volume_size()));
  AMI_ASSIGN_OR_RETURN(ebs.volume_type, EnumOr("Ebs.VolumeType", e.volume_type(), VolumeType::kGp3));
  ebs.delete_on_termination = !e.has_delete_on_termination() || e.delete_on_termination();
  // Image mappings may say Encrypted=true without naming the key (describe-images does).
  if (e.kms_key_id().empty()) {
    ebs.encrypted = e.encrypted();
  } else {
    AMI_ASSIGN_OR_RETURN(ebs.kms_key, EncryptionFromProto(ebs_path, e.has_encrypted(),
                                                          e.encrypted(), e.kms_key_id()));
    ebs.encrypted = true;
  }
  m.ebs = ebs;
  return m;
}

void MappingToProto(const BlockDeviceMapping& m, v1::BlockDeviceMapping* p) {
  p->set_device_name(m.device_name);
  p->set_virtual_name(m.virtual_name);
  if (!m.ebs.has_value()) return;
  v1::EbsBlockDevice* e = p->mutable_ebs();
  if (m.ebs->snapshot_id.has_value()) SetId(e->mutable_snapshot_id(), *m.ebs->snapshot_id);
  e->set_volume_size(m.ebs->volume_size_gib);
  e->set_volume_type(std::string(ToString(m.ebs->volume_type)));
  e->set_delete_on_termination(m.ebs->delete_on_termination);
  e->set_encrypted(m.ebs->encrypted);
  if (m.ebs->kms_key.has_value()) e->set_kms_key_id(m.ebs->kms_key->ToString());
}

absl::StatusOr<LaunchPermissions> PermissionsFromProto(const v1::Image& p) {
  std::vector<AccountId> accounts;
  std::vector<OrganizationArn> orgs;
  std::vector<OrganizationalUnitArn> ous;
  bool is_public = p.public_();
  for (int i = 0; i < p.launch_permissions_size(); ++i) {
    // Made only for a failure: reading an entry allocates nothing.
    auto path = [i](absl::string_view field) { return absl::StrCat("LaunchPermissions[", i, "]", field); };
    const v1::LaunchPermission& e = p.launch_permissions(i);
    const int set = !e.user_id().empty() + !e.group().empty() + !e.organization_arn().empty() +
                    !e.organizational_unit_arn().empty();
    if (set != 1) return Mismatch(path(""), "each entry has exactly one of UserId, Group, OrganizationArn and OrganizationalUnitArn");
    if (!e.user_id().empty()) {
      absl::StatusOr<AccountId> a = AccountId::Parse(e.user_id());
      if (!a.ok()) {
        return At(path(".UserId"),
                  MakeError(choices::kBadLaunchPermissionItem, a.status().message()));
      }
      accounts.push_back(*a);
    } else if (!e.group().empty()) {
      if (e.group() != "all") {
        return At(path(".Group"),
                  MakeError(choices::kBadLaunchPermissionItem,
                            absl::StrCat("invalid group `", text_util::Clip(e.group()),
                                         "`: the only group is all")));
      }
      is_public = true;
    } else if (!e.organization_arn().empty()) {
      absl::StatusOr<OrganizationArn> o = OrganizationArn::Parse(e.organization_arn());
      if (!o.ok()) return At(path(".OrganizationArn"), o.status());
      orgs.push_back(*std::move(o));
    } else {
      absl::StatusOr<OrganizationalUnitArn> o =
          OrganizationalUnitArn::Parse(e.organizational_unit_arn());
      if (!o.ok()) return At(path(".OrganizationalUnitArn"), o.status());
      ous.push_back(*std::move(o));
    }
  }
  if (p.has_public_() && !p.public_() && is_public) {
    return Mismatch("Public", "Public is false but the launch permissions include group all");
  }
  return At("LaunchPermissions", LaunchPermissions::Create(std::move(accounts), is_public,
                                                           std::move(orgs), std::move(ous)));
}

}  // namespace

void ToProto(const Image& im, v1::Image* out) {
  out->Clear();
  v1::Image& p = *out;
  SetId(p.mutable_image_id(), im.id());
  p.set_name(im.name());
  p.set_description(im.description());
  p.set_owner_id(im.owner().ToString());
  p.set_image_owner_alias(std::string(ToString(im.owner_alias())));
  p.set_region(im.region().ToString());
  p.set_state(std::string(ToString(im.state())));
  if (!im.state_reason().empty()) ReasonToProto(im.state_reason(), p.mutable_state_reason());
  p.set_creation_date(FormatAwsTime(im.creation_time()));
  p.set_image_type("machine");
  p.set_root_device_type(std::string(ToString(im.root_device_type())));
  p.set_root_device_name(im.root_device_name());
  p.set_architecture(std::string(ToString(im.architecture())));
  p.set_virtualization_type(std::string(ToString(im.virtualization_type())));
  p.set_hypervisor("xen");
  p.set_boot_mode(std::string(ToString(im.boot_mode())));
  p.set_ena_support(im.ena_support());
  if (im.imds_v2_required()) p.set_imds_support("v2.0");
  for (const BlockDeviceMapping& m : im.block_device_mappings()) {
    MappingToProto(m, p.add_block_device_mappings());
  }
  CodesToProto(im.product_codes(), p.mutable_product_codes());
  p.set_platform(im.platform());
  p.set_platform_details(im.platform_details());
  p.set_usage_operation(im.usage_operation());
  p.set_public_(im.is_public());
  const LaunchPermissions& lp = im.launch_permissions();
  for (const AccountId a : lp.accounts()) p.add_launch_permissions()->set_user_id(a.ToString());
  if (lp.is_public()) p.add_launch_permissions()->set_group("all");
  for (const auto& o : lp.organizations()) p.add_launch_permissions()->set_organization_arn(o.ToString());
  for (const auto& o : lp.organizational_units()) {
    p.add_launch_permissions()->set_organizational_unit_arn(o.ToString());
  }
  p.set_deprecation_time(OptionalTimeText(im.deprecation_time()));
  p.set_deregistration_protection(ProtectionText(im));
  if (im.source_instance().has_value()) SetId(p.mutable_source_instance_id(), *im.source_instance());
  if (im.source_image().has_value()) SetId(p.mutable_source_image_id(), *im.source_image());
  if (im.source_image_region().has_value()) p.set_source_image_region(im.source_image_region()->ToString());
  p.set_last_launched_time(OptionalTimeText(im.last_launched_time()));
  TagsToProto(im.tags(), p.mutable_tags());
  p.set_consistency(std::string(ToString(im.consistency())));
}

v1::Image ToProto(const Image& im) {
  v1::Image p;
  ToProto(im, &p);
  return p;
}

absl::StatusOr<Image> FromProto(const v1::Image& p) {
  Image::Builder b;
  AMI_ASSIGN_OR_RETURN(const ImageId id, At("ImageId", ImageId::Parse(p.image_id())));
  AMI_ASSIGN_OR_RETURN(const AccountId owner, At("OwnerId", AccountId::Parse(p.owner_id())));
  AMI_ASSIGN_OR_RETURN(const Region region, At("Region", Region::Parse(p.region())));
  b.set_id(id).set_owner(owner).set_region(region).set_name(p.name()).set_description(p.description());
  AMI_ASSIGN_OR_RETURN(const OwnerAlias alias, EnumOr("ImageOwnerAlias", p.image_owner_alias(), OwnerAlias::kNone));
  AMI_ASSIGN_OR_RETURN(const ImageState state, EnumOr("State", p.state(), ImageState::kAvailable));
  AMI_ASSIGN_OR_RETURN(const absl::Time created, TimeOr("CreationDate", p.creation_date(), absl::UnixEpoch()));
  b.set_owner_alias(alias).set_state(state).set_creation_time(created);
  if (p.has_state_reason()) b.set_state_reason(ReasonFromProto(p.state_reason()));
  if (!p.image_type().empty() && p.image_type() != "machine") {
    return At("ImageType", MakeError(choices::kInvalidValue,
                                     "only machine images are modelled"));
  }
  AMI_ASSIGN_OR_RETURN(const RootDeviceType root_type,
                       EnumOr("RootDeviceType", p.root_device_type(), RootDeviceType::kEbs));
  AMI_ASSIGN_OR_RETURN(const Architecture arch, EnumOr("Architecture", p.architecture(), Architecture::kX86_64));
  AMI_ASSIGN_OR_RETURN(const VirtualizationType virt,
                       EnumOr("VirtualizationType", p.virtualization_type(), VirtualizationType::kHvm));
  AMI_ASSIGN_OR_RETURN(const BootMode boot, EnumOr("BootMode", p.boot_mode(), BootMode::kUnspecified));
  b.set_root_device_type(root_type).set_architecture(arch).set_virtualization_type(virt).set_boot_mode(boot);
  if (!p.root_device_name().empty()) b.set_root_device_name(p.root_device_name());
  b.set_ena_support(p.ena_support());
  if (!p.imds_support().empty() && p.imds_support() != "v2.0") {
    return At("ImdsSupport", MakeError(choices::kInvalidValue,
                                       absl::StrCat("invalid imds support `",
                                                    text_util::Clip(p.imds_support()),
                                                    "`: the only value is v2.0")));
  }
  b.set_imds_v2_required(p.imds_support() == "v2.0");
  for (int i = 0; i < p.block_device_mappings_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(BlockDeviceMapping m, InElement("BlockDeviceMappings", i,
                                                         MappingFromProto(p.block_device_mappings(i))));
    b.add_block_device_mapping(std::move(m));
  }
  AMI_ASSIGN_OR_RETURN(std::vector<ProductCode> codes, CodesFromProto(p.product_codes()));
  b.set_product_codes(std::move(codes)).set_platform(p.platform());
  if (!p.platform_details().empty()) b.set_platform_details(p.platform_details());
  if (!p.usage_operation().empty()) b.set_usage_operation(p.usage_operation());
  AMI_ASSIGN_OR_RETURN(LaunchPermissions perms, PermissionsFromProto(p));
  b.set_launch_permissions(std::move(perms));
  AMI_ASSIGN_OR_RETURN(const std::optional<absl::Time> deprecation,
                       OptionalTime("DeprecationTime", p.deprecation_time()));
  b.set_deprecation_time(deprecation);
  AMI_RETURN_IF_ERROR(ProtectionFromProto(p.deregistration_protection(), &b));
  AMI_ASSIGN_OR_RETURN(const std::optional<InstanceId> source_instance,
                       Optional<InstanceId>("SourceInstanceId", p.source_instance_id()));
  AMI_ASSIGN_OR_RETURN(const std::optional<ImageId> source_image,
                       Optional<ImageId>("SourceImageId", p.source_image_id()));
  AMI_ASSIGN_OR_RETURN(const std::optional<Region> source_region,
                       Optional<Region>("SourceImageRegion", p.source_image_region()));
  b.set_source_instance(source_instance).set_source_image(source_image, source_region);
  AMI_ASSIGN_OR_RETURN(const std::optional<absl::Time> last_launched,
                       OptionalTime("LastLaunchedTime", p.last_launched_time()));
  b.set_last_launched_time(last_launched);
  AMI_ASSIGN_OR_RETURN(const ImageConsistency consistency,
                       EnumOr("Consistency", p.consistency(), ImageConsistency::kUnknown));
  b.set_consistency(consistency);
  AMI_ASSIGN_OR_RETURN(TagSet tags, TagsFromProto(p.tags()));
  b.set_tags(std::move(tags));
  return std::move(b).Build();
}

// ---- Instance ---------------------------------------------------------------------------------

namespace {

constexpr int kInstanceStateCodes[] = {0, 16, 32, 48, 64, 80};

// Paths in failures are within the mapping ("Ebs.VolumeId"); see InElement.
absl::StatusOr<AttachedVolume> VolumeFromProto(const v1::InstanceBlockDeviceMapping& p) {
  AttachedVolume v;
  v.device_name = p.device_name();
  const v1::InstanceEbs& e = p.ebs();
  AMI_ASSIGN_OR_RETURN(v.volume_id, At("Ebs.VolumeId", VolumeId::Parse(e.volume_id())));
  v.delete_on_termination = !e.has_delete_on_termination() || e.delete_on_termination();
  AMI_ASSIGN_OR_RETURN(v.volume_size_gib, SizeField("Ebs.VolumeSize", e.volume_size()));
  AMI_ASSIGN_OR_RETURN(v.kms_key, EncryptionFromProto("Ebs.", e.has_encrypted(), e.encrypted(),
                                                      e.kms_key_id()));
  AMI_ASSIGN_OR_RETURN(v.snapshot_id, Optional<SnapshotId>("Ebs.SnapshotId", e.snapshot_id()));
  return v;
}

}  // namespace

void ToProto(const Instance& in, v1::Instance* out) {
  out->Clear();
  v1::Instance& p = *out;
  SetId(p.mutable_instance_id(), in.id());
  p.set_owner_id(in.owner().ToString());
  SetId(p.mutable_image_id(), in.image_id());
  p.mutable_state()->set_code(kInstanceStateCodes[static_cast<int>(in.state())]);
  p.mutable_state()->set_name(std::string(ToString(in.state())));
  if (!in.state_reason().empty()) ReasonToProto(in.state_reason(), p.mutable_state_reason());
  p.set_instance_type(in.instance_type());
  p.mutable_placement()->set_availability_zone(in.availability_zone().ToString());
  p.set_root_device_type(std::string(ToString(in.root_device_type())));
  p.set_root_device_name(in.root_device_name());
  p.set_architecture(std::string(ToString(in.architecture())));
  for (const AttachedVolume& v : in.volumes()) {
    v1::InstanceBlockDeviceMapping* m = p.add_block_device_mappings();
    m->set_device_name(v.device_name);
    v1::InstanceEbs* e = m->mutable_ebs();
    SetId(e->mutable_volume_id(), v.volume_id);
    e->set_delete_on_termination(v.delete_on_termination);
    e->set_volume_size(v.volume_size_gib);
    e->set_encrypted(v.encrypted());
    if (v.kms_key.has_value()) e->set_kms_key_id(v.kms_key->ToString());
    if (v.snapshot_id.has_value()) SetId(e->mutable_snapshot_id(), *v.snapshot_id);
  }
  CodesToProto(in.product_codes(), p.mutable_product_codes());
  p.set_platform_details(in.platform_details());
  p.mutable_metadata_options()->set_http_tokens(in.imds_v2_required() ? "required" : "optional");
  p.set_launch_time(FormatAwsTime(in.launch_time()));
  TagsToProto(in.tags(), p.mutable_tags());
}

v1::Instance ToProto(const Instance& in) {
  v1::Instance p;
  ToProto(in, &p);
  return p;
}

absl::StatusOr<Instance> FromProto(const v1::Instance& p) {
  Instance::Builder b;
  AMI_ASSIGN_OR_RETURN(const InstanceId id, At("InstanceId", InstanceId::Parse(p.instance_id())));
  AMI_ASSIGN_OR_RETURN(const AccountId owner, At("OwnerId", AccountId::Parse(p.owner_id())));
  AMI_ASSIGN_OR_RETURN(const ImageId image, At("ImageId", ImageId::Parse(p.image_id())));
  AMI_ASSIGN_OR_RETURN(const AvailabilityZone zone,
                       At("Placement.AvailabilityZone", AvailabilityZone::Parse(p.placement().availability_zone())));
  b.set_id(id).set_owner(owner).set_image_id(image).set_availability_zone(zone);
  AMI_ASSIGN_OR_RETURN(const InstanceState state,
                       EnumOr("State.Name", p.state().name(), InstanceState::kRunning));
  if (p.state().code() != 0 &&
      (p.state().code() & 0xFF) != kInstanceStateCodes[static_cast<int>(state)]) {
    return Mismatch("State.Code", "the state code does not match the state name");
  }
  b.set_state(state);
  if (p.has_state_reason()) b.set_state_reason(ReasonFromProto(p.state_reason()));
  if (!p.instance_type().empty()) b.set_instance_type(p.instance_type());
  AMI_ASSIGN_OR_RETURN(const RootDeviceType root_type,
                       EnumOr("RootDeviceType", p.root_device_type(), RootDeviceType::kEbs));
  AMI_ASSIGN_OR_RETURN(const Architecture arch, EnumOr("Architecture", p.architecture(), Architecture::kX86_64));
  b.set_root_device_type(root_type).set_architecture(arch);
  if (!p.root_device_name().empty()) b.set_root_device_name(p.root_device_name());
  for (int i = 0; i < p.block_device_mappings_size(); ++i) {
    AMI_ASSIGN_OR_RETURN(AttachedVolume v, InElement("BlockDeviceMappings", i,
                                                     VolumeFromProto(p.block_device_mappings(i))));
    b.add_volume(std::move(v));
  }
  AMI_ASSIGN_OR_RETURN(std::vector<ProductCode> codes, CodesFromProto(p.product_codes()));
  b.set_product_codes(std::move(codes));
  if (!p.platform_details().empty()) b.set_platform_details(p.platform_details());
  const std::string& tokens = p.metadata_options().http_tokens();
  if (!tokens.empty() && tokens != "required" && tokens != "optional") {
    return At("MetadataOptions.HttpTokens",
              MakeError(choices::kInvalidValue,
                        absl::StrCat("invalid http tokens `", text_util::Clip(tokens),
                                     "`: expected required or optional")));
  }
  b.set_imds_v2_required(tokens == "required");
  AMI_ASSIGN_OR_RETURN(const absl::Time launched, TimeOr("LaunchTime", p.launch_time(), absl::UnixEpoch()));
  b.set_launch_time(launched);
  AMI_ASSIGN_OR_RETURN(TagSet tags, TagsFromProto(p.tags()));
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
  AMI_RETURN_IF_ERROR(json_check::CheckJson(json, check).status());
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &proto, options);
  if (!status.ok()) {
    return MakeError(choices::kUndecodableInput,
                     absl::StrCat("cannot decode ", proto.GetTypeName(), " from json: ",
                                  text_util::Clip(std::string(status.message()))));
  }
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
