// State files: round trips, byte-identical re-saves, and refusal of damaged or inconsistent files.
#include "ami/io/state_file.h"

#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/v1/state.pb.h"
#include "cloud/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/state_checksum.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::ami::testing::MessageHas;

template <typename T>
T Must(absl::StatusOr<T> v) {
  EXPECT_THAT(v, IsOk());
  return *std::move(v);
}

// Imports into `cloud` a 10 GiB snapshot of `owner` in `region` and image `base` of it.
Image ImportBaseImage(Cloud& cloud, AccountId owner, Region region, TagSet tags) {
  const Snapshot snap = *Snapshot::Builder()
                             .set_id(*SnapshotId::Parse("snap-0123456789abcdef0"))
                             .set_owner(owner)
                             .set_region(region)
                             .set_volume_size_gib(10)
                             .Build();
  EXPECT_THAT(cloud.ImportSnapshot(snap), IsOk());
  const Image image = *Image::Builder()
                           .set_id(*ImageId::Parse("ami-0123456789abcdef0"))
                           .set_name("base")
                           .set_owner(owner)
                           .set_region(region)
                           .add_snapshot_mapping("/dev/xvda", snap)
                           .set_tags(std::move(tags))
                           .Build();
  EXPECT_THAT(cloud.ImportImage(image), IsOk());
  return image;
}

// A cloud with something in every table: organizations and OUs, settings, keys (with an alias, a
// grant, a replica and one pending deletion), snapshots, images (shared, public, pending, copied
// with a client token, deregistered), instances, tags seen by another account, pending work.
std::unique_ptr<Cloud> PopulatedCloud() {
  auto cloud = Cloud::Create();
  const Region east = *Region::Parse("us-east-1"), west = *Region::Parse("eu-west-1");
  const AccountId a = *AccountId::Parse("111122223333"), b = *AccountId::Parse("444455556666");
  const OrganizationId org = *OrganizationId::Parse("o-abcdefghij");
  const OrganizationalUnitId ou = *OrganizationalUnitId::Parse("ou-abcd-11111111");
  EXPECT_THAT(cloud->CreateOrganization(org, a, "r-abcd"), IsOk());
  EXPECT_THAT(cloud->CreateOrganizationalUnit(org, ou), IsOk());
  EXPECT_THAT(cloud->AddAccount(b, org, ou), IsOk());
  const CallContext as_a{a, east}, as_b{b, east};
  EXPECT_THAT(cloud->EnableEbsEncryptionByDefault({a, west}), IsOk());
  EXPECT_THAT(cloud->DisableImageBlockPublicAccess(as_a), IsOk());
  EXPECT_THAT(cloud->EnableSnapshotBlockPublicAccess(as_b, "block-new-sharing"), IsOk());
  KeyPolicyStatement allow_b;
  allow_b.accounts = {b};
  allow_b.actions = KmsActions::All();
  const KmsKeyArn key = Must(cloud->CreateKey(as_a, {"key", false, "SYMMETRIC_DEFAULT", {allow_b}}));
  const KmsKeyArn mrk = Must(cloud->CreateKey(as_a, {"mrk", true, "SYMMETRIC_DEFAULT", {}}));
  EXPECT_THAT(cloud->ReplicateKey(as_a, mrk.ToString(), "eu-west-1").status(), IsOk());
  EXPECT_THAT(cloud->CreateAlias(as_a, "alias/golden", key.ToString()), IsOk());
  EXPECT_THAT(cloud->CreateGrant(as_a, key.ToString(), b, KmsActions::All()).status(), IsOk());
  const KmsKeyArn doomed = Must(cloud->CreateKey(as_a, {"doomed", false, "SYMMETRIC_DEFAULT", {}}));
  EXPECT_THAT(cloud->ScheduleKeyDeletion(as_a, doomed.ToString(), 7), IsOk());

  const Image base = ImportBaseImage(*cloud, a, east, *TagSet::Create({*Tag::Create("team", "platform")}));
  ModifyImageAttributeRequest share{base.id().ToString()};
  share.add.push_back({b.ToString()});
  share.add.push_back({"", "all"});
  EXPECT_THAT(cloud->ModifyImageAttribute(as_a, share), IsOk());
  EXPECT_THAT(cloud->CreateTags(as_b, {base.id().ToString()}, {{"seen-by", "b"}}), IsOk());

  const InstanceId web = Must(cloud->RunInstances(as_a, {base.id().ToString()})).front();
  cloud->AdvanceClock(absl::Minutes(2));
  CreateImageRequest hasty{web.ToString(), "hasty"};
  hasty.no_reboot = true;
  const ImageId pending = Must(cloud->CreateImage(as_a, hasty));
  CopyImageRequest copy{base.id().ToString(), "us-east-1", "copied"};
  copy.encrypted = true;
  copy.kms_key_id = "alias/golden";
  copy.client_token = "token-1";
  EXPECT_THAT(cloud->CopyImage(as_a, copy).status(), IsOk());
  EXPECT_THAT(cloud->RunInstances(as_b, {base.id().ToString()}).status(), IsOk());
  const ImageId gone = Must(cloud->CreateImage(as_a, {web.ToString(), "gone"}));
  EXPECT_THAT(cloud->DeregisterImage(as_a, gone.ToString()).status(), IsOk());
  (void)pending;
  return cloud;
}

std::string Save(const Cloud& cloud) {
  std::ostringstream out;
  EXPECT_THAT(SaveState(cloud, out), IsOk());
  return out.str();
}

absl::StatusOr<std::unique_ptr<Cloud>> Load(const std::string& bytes) {
  std::istringstream in(bytes);
  return LoadState(in);
}

// The records of a state file, and a writer of new ones with a correct trailer.
std::vector<v1::StateRecord> Records(const std::string& bytes) {
  std::vector<v1::StateRecord> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    uint64_t size = 0;
    int shift = 0;
    while (true) {
      const unsigned char c = static_cast<unsigned char>(bytes[pos++]);
      size |= static_cast<uint64_t>(c & 0x7F) << shift;
      if ((c & 0x80) == 0) break;
      shift += 7;
    }
    out.emplace_back();
    EXPECT_TRUE(out.back().ParseFromString(bytes.substr(pos, size)));
    pos += size;
  }
  return out;
}

// The checksum is of `checksum_version`, else of the version the first record's header names (the
// current one without it).
std::string Write(const std::vector<v1::StateRecord>& records, bool with_trailer = true,
                  std::optional<uint32_t> checksum_version = std::nullopt) {
  std::string out;
  const uint32_t version = checksum_version.has_value() ? *checksum_version
                           : !records.empty() && records[0].has_header()
                               ? records[0].header().version()
                               : kStateFileVersion;
  internal::StateChecksum checksum(version);
  uint64_t count = 0;
  auto append = [&](const v1::StateRecord& r, bool count_it) {
    const std::string body = r.SerializeAsString();
    std::string size;
    for (uint64_t v = body.size();; v >>= 7) {
      size.push_back(static_cast<char>((v & 0x7F) | (v >= 0x80 ? 0x80 : 0)));
      if (v < 0x80) break;
    }
    if (count_it) {
      checksum.Add(size.data(), size.size(), body.data(), body.size());
      ++count;
    }
    out += size + body;
  };
  for (const v1::StateRecord& r : records) {
    if (r.has_trailer()) continue;
    append(r, true);
  }
  if (!with_trailer) return out;
  v1::StateRecord trailer;
  trailer.mutable_trailer()->set_records(count);
  trailer.mutable_trailer()->set_checksum(checksum.value());
  append(trailer, false);
  return out;
}

TEST(StateFile, RoundTripGivesAnEqualCloud) {
  const std::unique_ptr<Cloud> cloud = PopulatedCloud();
  const std::string bytes = Save(*cloud);
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(bytes);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_TRUE((*loaded)->StateEquals(*cloud));
  EXPECT_EQ(Save(**loaded), bytes) << "a loaded state saves back to the same bytes";
}

TEST(StateFile, LoadedCloudBehavesTheSame) {
  const std::unique_ptr<Cloud> cloud = PopulatedCloud();
  std::unique_ptr<Cloud> loaded = Must(Load(Save(*cloud)));
  // Pending work, ids to come and the clock carry over: both clouds evolve identically.
  cloud->AdvanceClock(absl::Hours(24 * 8));
  loaded->AdvanceClock(absl::Hours(24 * 8));
  EXPECT_TRUE(loaded->StateEquals(*cloud));
  const CallContext as_a{*AccountId::Parse("111122223333"), *Region::Parse("us-east-1")};
  const ImageId one = Must(cloud->RegisterImage(as_a, {"again", "", "/dev/xvda", std::nullopt, std::nullopt,
                                                       BootMode::kUnspecified, false, "",
                                                       {{"/dev/xvda", "snap-0123456789abcdef0"}}}));
  const ImageId two = Must(loaded->RegisterImage(as_a, {"again", "", "/dev/xvda", std::nullopt, std::nullopt,
                                                        BootMode::kUnspecified, false, "",
                                                        {{"/dev/xvda", "snap-0123456789abcdef0"}}}));
  EXPECT_EQ(one, two);
}

TEST(StateFile, EmptyCloudRoundTrips) {
  auto cloud = Cloud::Create();
  ASSERT_THAT(Load(Save(*cloud)), IsOk());
}

// A random key id, `mrk-` + 32 hex digits or a UUID.
std::string RandomKeyId(std::mt19937_64& random, bool multi_region) {
  std::string hex;
  for (int i = 0; i < 32; ++i) hex.push_back("0123456789abcdef"[random() % 16]);
  if (multi_region) return "mrk-" + hex;
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

// ID-12: keys of both forms, one of them an account's default key, come back from a state file
// under the same ARNs, and the file saves back to the same bytes.
TEST(StateFile, KeysOfBothFormsRoundTripUnderTheirArns) {
  auto cloud = Cloud::Create();
  const CallContext as_a{*AccountId::Parse("111122223333"), *Region::Parse("us-east-1")};
  std::vector<KmsKeyArn> keys;
  for (int i = 0; i < 300; ++i) {
    keys.push_back(Must(cloud->CreateKey(as_a, {"k", i % 2 == 0, "SYMMETRIC_DEFAULT", {}})));
  }
  ASSERT_THAT(cloud->ModifyEbsDefaultKmsKeyId(as_a, keys[0].ToString()), IsOk());
  const std::string bytes = Save(*cloud);
  std::unique_ptr<Cloud> loaded = Must(Load(bytes));
  for (const KmsKeyArn& key : keys) {
    const std::optional<KmsKey> got = loaded->GetKey(key);
    ASSERT_TRUE(got.has_value()) << key.ToString();
    EXPECT_EQ(got->arn().ToString(), key.ToString());
    EXPECT_EQ(Must(loaded->DescribeKey(as_a, key.key_id().ToString())).arn(), key);
  }
  EXPECT_EQ(loaded->GetSettings(as_a.account, as_a.region).default_kms_key, keys[0]);
  EXPECT_EQ(Save(*loaded), bytes);
}

// KMS-1, ID-12: calls that name keys and are refused — keys that do not exist or are not the
// caller's, dry runs — leave no trace, however many distinct key ids they name: the state saves
// to the same bytes, and the next key gets the id it would have had.
TEST(StateFile, RejectedCallsNamingKeysLeaveNoTrace) {
  const std::unique_ptr<Cloud> cloud = PopulatedCloud();
  const std::string before = Save(*cloud);
  const AccountId a = *AccountId::Parse("111122223333"), b = *AccountId::Parse("444455556666");
  const CallContext as_a{a, *Region::Parse("us-east-1")};
  const CallContext dry_a{a, as_a.region, true};
  std::mt19937_64 random(31);
  for (int i = 0; i < 500; ++i) {
    const std::string id = RandomKeyId(random, i % 2 == 0);
    const std::string arn = "arn:aws:kms:us-east-1:444455556666:key/" + id;
    EXPECT_FALSE(cloud->PutKeyPolicy(as_a, id, std::vector<KeyPolicyStatement>{}).ok());
    EXPECT_FALSE(cloud->CreateGrant(as_a, arn, b, KmsActions::All()).ok());
    EXPECT_FALSE(cloud->EnableKey(as_a, arn).ok());
    EXPECT_FALSE(cloud->ScheduleKeyDeletion(as_a, id, 7).ok());
    EXPECT_FALSE(cloud->CreateAlias(as_a, "alias/never", id).ok());
    EXPECT_FALSE(cloud->ReplicateKey(as_a, id, "eu-west-1").ok());
    EXPECT_FALSE(cloud->DescribeKey(as_a, arn).ok());
    EXPECT_FALSE(cloud->CreateKey(dry_a, {"dry", i % 2 == 0, "SYMMETRIC_DEFAULT", {}}).ok());
    EXPECT_FALSE(cloud->ModifyEbsDefaultKmsKeyId(dry_a, arn).ok());
    CopyImageRequest copy{"ami-0123456789abcdef0", "us-east-1", "copied"};
    copy.encrypted = true;
    copy.kms_key_id = arn;
    EXPECT_FALSE(cloud->CopyImage(dry_a, copy).ok());
    RunInstancesRequest run{"ami-0123456789abcdef0"};
    run.encrypted = true;
    run.kms_key_id = id;
    EXPECT_FALSE(cloud->RunInstances(dry_a, run).ok());
  }
  EXPECT_EQ(Save(*cloud), before);
  const KmsKeyArn next = Must(cloud->CreateKey(as_a, {"next", false, "SYMMETRIC_DEFAULT", {}}));
  const KmsKeyArn unbothered = Must(PopulatedCloud()->CreateKey(as_a, {"next", false, "SYMMETRIC_DEFAULT", {}}));
  EXPECT_EQ(next, unbothered);
}

TEST(StateFile, FileRoundTrip) {
  const std::unique_ptr<Cloud> cloud = PopulatedCloud();
  const std::string path = ::testing::TempDir() + "/state_file_test.amistate";
  ASSERT_THAT(SaveStateToFile(*cloud, path), IsOk());
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = LoadStateFromFile(path);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_TRUE((*loaded)->StateEquals(*cloud));
  EXPECT_THAT(LoadStateFromFile(path + ".missing"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(StateFile, ProgressIsReportedAtMostOncePerIntervalAndOnceAtTheEnd) {
  const std::string bytes = Save(*PopulatedCloud());
  const size_t records = Records(bytes).size();
  ASSERT_GT(records, 6u);
  for (const uint64_t every : {uint64_t{0}, uint64_t{1}, uint64_t{3}, uint64_t{1} << 16}) {
    std::vector<LoadProgress> calls;
    LoadStateOptions options;
    options.progress = [&calls](const LoadProgress& p) { calls.push_back(p); };
    options.progress_every = every;
    std::istringstream in(bytes);
    ASSERT_THAT(LoadState(in, options), IsOk());
    ASSERT_FALSE(calls.empty());
    EXPECT_LE(calls.size(), records / std::max<uint64_t>(every, 1) + 1) << "every " << every;
    EXPECT_EQ(calls.size(), records / std::max<uint64_t>(every, 1) + 1) << "every " << every;
    for (size_t i = 0; i + 1 < calls.size(); ++i) {
      EXPECT_FALSE(calls[i].done);
      EXPECT_LE(calls[i].records, calls[i + 1].records);
      EXPECT_LE(calls[i].bytes, calls[i + 1].bytes);
    }
    EXPECT_TRUE(calls.back().done);
    EXPECT_EQ(calls.back().records, records);
    EXPECT_EQ(calls.back().bytes, bytes.size());
  }
}

TEST(StateFile, NoProgressCallbackLoadsAsBefore) {
  const std::unique_ptr<Cloud> cloud = PopulatedCloud();
  std::istringstream in(Save(*cloud));
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = LoadState(in, LoadStateOptions{});
  ASSERT_THAT(loaded, IsOk());
  EXPECT_TRUE((*loaded)->StateEquals(*cloud));
}

TEST(StateFile, RefusedLoadMakesNoFinalProgressCall) {
  const std::string bytes = Save(*PopulatedCloud());
  std::vector<LoadProgress> calls;
  LoadStateOptions options;
  options.progress = [&calls](const LoadProgress& p) { calls.push_back(p); };
  options.progress_every = 1;
  std::istringstream in(bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(LoadState(in, options).ok());
  for (const LoadProgress& p : calls) EXPECT_FALSE(p.done);
}

TEST(StateFile, TruncationAtAnyOffsetIsRefused) {
  const std::string bytes = Save(*PopulatedCloud());
  for (size_t cut = 0; cut < bytes.size(); cut += std::max<size_t>(1, bytes.size() / 997)) {
    absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(bytes.substr(0, cut));
    ASSERT_FALSE(loaded.ok()) << "a file cut at " << cut << " of " << bytes.size() << " loaded";
    EXPECT_EQ(GetErrorCode(loaded.status()), ErrorCode::kSerializationException) << loaded.status();
  }
}

TEST(StateFile, EveryFlippedByteIsRefused) {
  const std::string bytes = Save(*PopulatedCloud());
  for (size_t at = 0; at < bytes.size(); at += std::max<size_t>(1, bytes.size() / 1500)) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    EXPECT_FALSE(Load(damaged).ok()) << "a file with byte " << at << " flipped loaded";
  }
}

TEST(StateFile, DataAfterTheTrailerIsRefused) {
  const std::string bytes = Save(*PopulatedCloud());
  EXPECT_THAT(Load(bytes + Save(*Cloud::Create())), MessageHas("after the trailer"));
  EXPECT_FALSE(Load(bytes + bytes.substr(0, 20)).ok());
}

TEST(StateFile, WrongVersionIsRefused) {
  std::vector<v1::StateRecord> records = Records(Save(*PopulatedCloud()));
  records[0].mutable_header()->set_version(kStateFileVersion + 1);
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(Write(records));
  EXPECT_THAT(loaded, HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(loaded, MessageHas(absl::StrCat("unsupported version ", kStateFileVersion + 1)));
}

TEST(StateFile, NotAStateFileIsRefused) {
  EXPECT_THAT(Load(""), HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(Load("hello, world"), HasErrorCode(ErrorCode::kSerializationException));
  std::vector<v1::StateRecord> records = Records(Save(*Cloud::Create()));
  records[0].mutable_header()->set_format("other");
  EXPECT_THAT(Load(Write(records)), MessageHas("not a libami state file"));
}

TEST(StateFile, HugeRecordSizeIsRefusedWithoutAllocating) {
  std::string bytes = Save(*Cloud::Create());
  const std::string huge_size = "\xff\xff\xff\xff\xff\xff\xff\x7f";
  EXPECT_THAT(Load(huge_size + bytes), MessageHas("more than the limit"));
}

TEST(StateFile, DanglingSnapshotReferenceIsRefusedNamingTheImage) {
  std::vector<v1::StateRecord> records = Records(Save(*PopulatedCloud()));
  std::vector<v1::StateRecord> without_snapshots;
  for (const v1::StateRecord& r : records) {
    if (!r.has_snapshot() || r.snapshot().snapshot_id() != "snap-0123456789abcdef0") {
      without_snapshots.push_back(r);
    }
  }
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(Write(without_snapshots));
  EXPECT_THAT(loaded, HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(loaded, MessageHas("ami-0123456789abcdef0"));
}

TEST(StateFile, InvalidRecordIsRefusedNamingTheRecord) {
  std::vector<v1::StateRecord> records = Records(Save(*PopulatedCloud()));
  for (v1::StateRecord& r : records) {
    if (r.has_image()) {
      r.mutable_image()->set_image_id("ami-NOPE");
      break;
    }
  }
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(Write(records));
  EXPECT_THAT(loaded, HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(loaded, MessageHas("(image): ImageId: invalid AMI id"));
}

TEST(StateFile, DuplicateRecordIsRefused) {
  std::vector<v1::StateRecord> records = Records(Save(*PopulatedCloud()));
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].has_instance()) {
      records.insert(records.begin() + static_cast<long>(i), records[i]);
      break;
    }
  }
  EXPECT_THAT(Load(Write(records)), MessageHas("duplicate instance"));
}

TEST(StateFile, RecordOutOfOrderIsRefusedNamingTheRecord) {
  std::vector<v1::StateRecord> records = Records(Save(*PopulatedCloud()));
  // Move the first account record to just after the last instance record.
  size_t account = 0, last_instance = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].has_account() && account == 0) account = i;
    if (records[i].has_instance()) last_instance = i;
  }
  ASSERT_GT(account, 0u);
  ASSERT_GT(last_instance, account);
  const v1::StateRecord moved = records[account];
  records.insert(records.begin() + static_cast<long>(last_instance) + 1, moved);
  records.erase(records.begin() + static_cast<long>(account));
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(Write(records));
  EXPECT_THAT(loaded, HasErrorCode(ErrorCode::kSerializationException));
  EXPECT_THAT(loaded, MessageHas(absl::StrCat("record ", last_instance + 1,
                                              " (account) is out of order: it comes after the "
                                              "instance records")));
}

TEST(StateFile, KeyAfterTheSnapshotsIsRefused) {
  std::vector<v1::StateRecord> records = Records(Save(*PopulatedCloud()));
  size_t key = 0, first_snapshot = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].has_key() && key == 0) key = i;
    if (records[i].has_snapshot() && first_snapshot == 0) first_snapshot = i;
  }
  ASSERT_GT(first_snapshot, key);
  std::swap(records[key], records[first_snapshot]);
  EXPECT_THAT(Load(Write(records)), MessageHas("out of order"));
}

TEST(StateFile, MissingTrailerIsTruncation) {
  const std::vector<v1::StateRecord> records = Records(Save(*PopulatedCloud()));
  EXPECT_THAT(Load(Write(records, /*with_trailer=*/false)), MessageHas("no trailer"));
}

}  // namespace
}  // namespace ami

namespace ami {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(AMI_SOURCE_DIR) + "/tests/fixtures/state/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// XXH64 as its reference implementation computes it: the empty input, a short one, and prefixes
// of 0, 1, …, 255 repeated, across the tail, one-stripe and many-stripe paths.
TEST(StateChecksum, Xxh64MatchesTheReference) {
  EXPECT_EQ(internal::Xxh64("", 0, 0), 0xef46db3751d8e999ull);
  EXPECT_EQ(internal::Xxh64("abc", 3, 0), 0x44bc2cf5ad770999ull);
  std::string data;
  for (int i = 0; i < 3 * 256; ++i) data.push_back(static_cast<char>(i & 0xFF));
  const std::vector<std::pair<size_t, uint64_t>> expected = {
      {1, 0x60508b0ced72c717ull},  {3, 0xa1552d556a299b24ull},   {4, 0xd485946465317d49ull},
      {7, 0x0ff0ba621eec7a4eull},  {8, 0x5eb050a7cb134caeull},   {12, 0x3ee98c75ac20b9d6ull},
      {31, 0xa3c5ec38a60b7ea1ull}, {32, 0xbfb3e4ef6096c49cull},  {33, 0x702e2aa8b96740bdull},
      {63, 0xb83be1f91b39104dull}, {64, 0x2006c268b7d34f54ull},  {100, 0x00278bda0ee3f586ull},
      {255, 0x26d3f88ab2d2ce34ull}, {767, 0x6bed5620b0d674b3ull}};
  for (const auto& [n, hash] : expected) {
    EXPECT_EQ(internal::Xxh64(data.data(), n, 0x9E3779B185EBCA87ull), hash) << n << " bytes";
  }
}

// The version 2 checksum is the one state.proto documents: each record's XXH64 seeded with its
// size, chained in order; the order of records counts.
TEST(StateChecksum, Version2ChainsEachRecordsHashInOrder) {
  const auto rotl = [](uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  const std::string a = "first record", b(100, 'b');
  uint64_t expected = 14695981039346656037ull;
  for (const std::string* r : {&a, &b}) {
    const uint64_t h = internal::Xxh64(r->data(), r->size(), r->size());
    expected = rotl(expected ^ h, 27) * 0x9E3779B185EBCA87ull + 0x85EBCA77C2B2AE63ull;
  }
  internal::StateChecksum forward(2), backward(2);
  forward.Add("\x0c", 1, a.data(), a.size());
  forward.Add("\x64", 1, b.data(), b.size());
  backward.Add("\x64", 1, b.data(), b.size());
  backward.Add("\x0c", 1, a.data(), a.size());
  EXPECT_EQ(forward.value(), expected);
  EXPECT_NE(backward.value(), expected);
}

// A file written in version 1 (FNV-1a checksum) by an earlier build still loads, and saves as the
// current version to a file that loads to an equal cloud.
TEST(StateFile, Version1FileStillLoads) {
  const std::string v1 = ReadFixture("v1-shared.amistate");
  ASSERT_EQ(Records(v1).front().header().version(), 1u);
  const absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(v1);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_FALSE((*loaded)->ListImages().empty());
  const std::string now = Save(**loaded);
  EXPECT_EQ(Records(now).front().header().version(), kStateFileVersion);
  const absl::StatusOr<std::unique_ptr<Cloud>> again = Load(now);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE((*again)->StateEquals(**loaded));
}

// The version 1 checksum is still checked: any flipped byte of that file is refused.
TEST(StateFile, Version1FileWithAFlippedByteIsRefused) {
  const std::string v1 = ReadFixture("v1-shared.amistate");
  for (size_t at = 0; at < v1.size(); ++at) {
    std::string damaged = v1;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    EXPECT_FALSE(Load(damaged).ok()) << "a version 1 file with byte " << at << " flipped loaded";
  }
}

// Each version's checksum is its own: a file claiming the other version is refused.
TEST(StateFile, AFileCheckedWithTheOtherVersionsChecksumIsRefused) {
  std::vector<v1::StateRecord> records = Records(Save(*PopulatedCloud()));
  ASSERT_THAT(Load(Write(records)), IsOk());
  EXPECT_THAT(Load(Write(records, true, 1)), MessageHas("checksum"));
  records[0].mutable_header()->set_version(1);
  ASSERT_THAT(Load(Write(records)), IsOk());
  EXPECT_THAT(Load(Write(records, true, 2)), MessageHas("checksum"));
}

// The header says how many snapshots, images and instances follow; those are hints only.
TEST(StateFile, HeaderCountsAreHintsOnly) {
  const std::unique_ptr<Cloud> cloud = PopulatedCloud();
  std::vector<v1::StateRecord> records = Records(Save(*cloud));
  const v1::StateHeader& header = records[0].header();
  EXPECT_EQ(header.images(), cloud->ListImages().size());
  EXPECT_EQ(header.snapshots(), cloud->ListSnapshots().size());
  EXPECT_EQ(header.instances(), cloud->ListInstances().size());
  EXPECT_GT(header.snapshots(), 0u);
  EXPECT_GT(header.instances(), 0u);
  for (const uint64_t claim : {uint64_t{0}, uint64_t{1}, uint64_t{64}, kMaxSizingHint + 1,
                               uint64_t{1} << 62}) {
    records[0].mutable_header()->set_snapshots(claim);
    records[0].mutable_header()->set_images(claim);
    records[0].mutable_header()->set_instances(claim);
    const absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(Write(records));
    ASSERT_THAT(loaded, IsOk()) << claim;
    EXPECT_TRUE((*loaded)->StateEquals(*cloud)) << claim;
    // A claim is acted on only once an eighth of it has arrived: a handful of records never
    // makes room for millions.
    const internal::CloudState& s = internal::CloudAccess::State(**loaded);
    EXPECT_LT(s.instances().capacity(), 128u) << claim;
    EXPECT_LT(s.images().capacity(), 128u) << claim;
    EXPECT_LT(s.snapshots().capacity(), 128u) << claim;
  }
}

// An honest count sizes a table once, when an eighth of its records have arrived.
TEST(StateFile, HeaderCountsSizeTheTablesOnce) {
  auto cloud = Cloud::Create();
  const AccountId a = *AccountId::Parse("111122223333");
  const Region east = *Region::Parse("us-east-1");
  const Image image = ImportBaseImage(*cloud, a, east, TagSet());
  RunInstancesRequest run{image.id().ToString()};
  run.count = 400;
  ASSERT_THAT(cloud->RunInstances({a, east}, run).status(), IsOk());
  std::vector<v1::StateRecord> records = Records(Save(*cloud));
  ASSERT_EQ(records[0].header().instances(), 400u);
  const absl::StatusOr<std::unique_ptr<Cloud>> honest = Load(Write(records));
  ASSERT_THAT(honest, IsOk());
  EXPECT_TRUE((*honest)->StateEquals(*cloud));
  // A claim of 4,000 would be acted on at the 500th instance, which never comes; a claim of
  // 3,200 is acted on at the 400th.
  records[0].mutable_header()->set_instances(4000);
  const absl::StatusOr<std::unique_ptr<Cloud>> overstated = Load(Write(records));
  ASSERT_THAT(overstated, IsOk());
  EXPECT_LT(internal::CloudAccess::State(**overstated).instances().capacity(), 4000u);
  records[0].mutable_header()->set_instances(3200);
  const absl::StatusOr<std::unique_ptr<Cloud>> eighth = Load(Write(records));
  ASSERT_THAT(eighth, IsOk());
  EXPECT_GE(internal::CloudAccess::State(**eighth).instances().capacity(), 3200u);
  EXPECT_TRUE((*eighth)->StateEquals(*cloud));
}

// ---- Reboots (CREATE-4) and the Recycle Bin's backup images (BACKUP-2) --------------------------

TEST(StateFile, CREATE_4_AFileWrittenBeforeRebootCountsLoadsItsInstancesAsNeverRebooted) {
  const std::unique_ptr<Cloud> cloud = PopulatedCloud();
  std::vector<v1::StateRecord> records = Records(Save(*cloud));
  int rebooted = 0;
  for (v1::StateRecord& r : records) {
    if (!r.has_instance()) continue;
    rebooted += r.instance().reboot_count() > 0 && !r.instance().last_reboot_time().empty();
    r.mutable_instance()->clear_reboot_count();
    r.mutable_instance()->clear_last_reboot_time();
  }
  ASSERT_GT(rebooted, 0);  // The populated cloud's CreateImage rebooted an instance.
  const std::unique_ptr<Cloud> loaded = Must(Load(Write(records)));
  for (const Instance& i : loaded->ListInstances()) {
    EXPECT_EQ(i.reboot_count(), 0u);
    EXPECT_EQ(i.last_reboot_time(), std::nullopt);
  }
}

TEST(StateFile, CREATE_4_ACountWithoutItsTimeIsRefusedNamingTheRecord) {
  std::vector<v1::StateRecord> records = Records(Save(*PopulatedCloud()));
  for (v1::StateRecord& r : records) {
    if (r.has_instance() && r.instance().reboot_count() > 0) {
      r.mutable_instance()->clear_last_reboot_time();
      break;
    }
  }
  const absl::StatusOr<std::unique_ptr<Cloud>> loaded = Load(Write(records));
  EXPECT_THAT(loaded, HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(loaded, MessageHas("a reboot count and a last reboot time come together"));
}

// A cloud whose Recycle Bin holds image `base` (and a lone snapshot) as AWS Backup's: what AWS
// Backup leaves there when it deletes a recovery point, made by editing a saved file.
std::unique_ptr<Cloud> BinOfBackups(ImageId* image, SnapshotId* lone) {
  auto cloud = Cloud::Create();
  const Region east = *Region::Parse("us-east-1");
  const AccountId a = *AccountId::Parse("111122223333");
  const CallContext as_a{a, east};
  const Image base = ImportBaseImage(*cloud, a, east, *TagSet::Create({*Tag::Create("team", "web")}));
  *image = base.id();
  *lone = *SnapshotId::Parse("snap-0fedcba9876543210");
  EXPECT_THAT(cloud->ImportSnapshot(*Snapshot::Builder().set_id(*lone).set_owner(a)
                                         .set_region(east).set_volume_size_gib(8).Build()),
              IsOk());
  for (const char* type : {"EC2_IMAGE", "EBS_SNAPSHOT"}) {
    CreateRuleRequest rule;
    rule.resource_type = type;
    rule.retention_days = 7;
    EXPECT_THAT(cloud->CreateRecycleBinRule(as_a, rule).status(), IsOk());
  }
  EXPECT_THAT(cloud->DeregisterImage(as_a, base.id().ToString()).status(), IsOk());
  EXPECT_THAT(cloud->DeleteSnapshot(as_a, lone->ToString()), IsOk());
  std::vector<v1::StateRecord> records = Records(Save(*cloud));
  int edited = 0;
  for (v1::StateRecord& r : records) {
    if (!r.has_bin()) continue;
    v1::Tag* tag = r.mutable_bin()->has_image() ? r.mutable_bin()->mutable_image()->add_tags()
                                                : r.mutable_bin()->mutable_snapshot()->add_tags();
    tag->set_key(std::string(policy::kBackupSourceResourceTag));
    tag->set_value("arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718");
    ++edited;
  }
  EXPECT_EQ(edited, 2);
  return Must(Load(Write(records)));
}

TEST(StateFile, BACKUP_2_ABackupImageRestoredFromTheRecycleBinIsNoLongerManaged) {
  ImageId id = ImageId::Short(0);
  SnapshotId lone = SnapshotId::Short(0);
  const std::unique_ptr<Cloud> cloud = BinOfBackups(&id, &lone);
  const CallContext as_a{*AccountId::Parse("111122223333"), *Region::Parse("us-east-1")};
  const std::vector<RecycleBinImage> bin = cloud->ListImagesInRecycleBin(as_a);
  ASSERT_EQ(bin.size(), 1u);
  EXPECT_TRUE(policy::IsBackupManaged(bin[0].image));
  ASSERT_THAT(cloud->RestoreImageFromRecycleBin(as_a, id.ToString()), IsOk());
  const Image restored = *cloud->GetImage(id);
  EXPECT_FALSE(policy::IsBackupManaged(restored));
  EXPECT_EQ(restored.tags().Find("team"), "web");  // The user's tags stay.
  EXPECT_THAT(cloud->DeregisterImage(as_a, id.ToString()).status(), IsOk());
}

TEST(StateFile, BACKUP_2_ABackupSnapshotRestoredFromTheRecycleBinLosesTheTag) {
  ImageId id = ImageId::Short(0);
  SnapshotId lone = SnapshotId::Short(0);
  const std::unique_ptr<Cloud> cloud = BinOfBackups(&id, &lone);
  const CallContext as_a{*AccountId::Parse("111122223333"), *Region::Parse("us-east-1")};
  ASSERT_THAT(cloud->RestoreSnapshotFromRecycleBin(as_a, lone.ToString()), IsOk());
  EXPECT_TRUE(cloud->GetSnapshot(lone)->tags().empty());
}

}  // namespace
}  // namespace ami
