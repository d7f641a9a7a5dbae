#include "ami/arns.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;

constexpr char kUuid[] = "1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr char kMrk[] = "mrk-1234abcd12ab34cd56ef1234567890ab";
constexpr char kKeyArn[] =
    "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr char kAliasArn[] = "arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias";

TEST(KmsKeyId, ID_12_UuidRoundTrips) {
  absl::StatusOr<KmsKeyId> id = KmsKeyId::Parse(kUuid);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->ToString(), kUuid);
  EXPECT_FALSE(id->is_multi_region());
}

TEST(KmsKeyId, ID_12_MultiRegionIdRoundTrips) {
  absl::StatusOr<KmsKeyId> id = KmsKeyId::Parse(kMrk);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->ToString(), kMrk);
  EXPECT_TRUE(id->is_multi_region());
}

TEST(KmsKeyId, SameBitsInBothFormsAreDifferentKeys) {
  EXPECT_NE(*KmsKeyId::Parse(kUuid), *KmsKeyId::Parse(kMrk));
}

TEST(KmsKeyId, EqualTextGivesEqualIds) {
  EXPECT_EQ(*KmsKeyId::Parse(kUuid), *KmsKeyId::Parse(std::string(kUuid)));
}

TEST(KmsKeyId, ID_15_UppercaseIsRejected) {
  EXPECT_THAT(KmsKeyId::Parse("1234ABCD-12ab-34cd-56ef-1234567890ab"),
              HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyId, ID_15_WrongGroupingIsRejected) {
  EXPECT_THAT(KmsKeyId::Parse("1234abcd12ab-34cd-56ef-1234567890ab-"),
              HasErrorCode(ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(KmsKeyId::Parse("1234abcd-12ab-34cd-56ef-1234567890a"),
              HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyId, ID_12_ShortMrkIsRejected) {
  EXPECT_THAT(KmsKeyId::Parse("mrk-1234"), HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyId, ID_12_EmptyIsRejected) {
  EXPECT_THAT(KmsKeyId::Parse(""), HasErrorCode(ErrorCode::kKmsNotFoundException));
}

TEST(KmsKeyId, HashAndOrder) {
  const KmsKeyId a = *KmsKeyId::Parse(kUuid);
  const KmsKeyId b = *KmsKeyId::Parse(kMrk);
  const KmsKeyId c = *KmsKeyId::Parse("0000abcd-12ab-34cd-56ef-1234567890ab");
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({a, b, c}));
  EXPECT_LT(c, a);  // "0000…" < "1234…"
  EXPECT_LT(a, b);  // "1234…" < "mrk-…"
  EXPECT_FALSE(a < a);
}

// Random UUID and mrk- ids: each round-trips through its text, the order of ids is the order of
// their text, and a misplaced dash, a stray character or a wrong length is refused.
TEST(KmsKeyId, RandomIdsRoundTripAndOrderAsTheirText) {
  std::mt19937_64 random(7);
  const auto hex = [&random](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back("0123456789abcdef"[random() % 16]);
    return out;
  };
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) {
    const std::string h = hex(32);
    texts.push_back(i % 4 == 0 ? "mrk-" + h
                               : absl::StrCat(h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4),
                                              "-", h.substr(16, 4), "-", h.substr(20, 12)));
  }
  std::vector<KmsKeyId> ids;
  for (const std::string& t : texts) {
    absl::StatusOr<KmsKeyId> id = KmsKeyId::Parse(t);
    ASSERT_THAT(id, IsOk()) << t;
    EXPECT_EQ(id->ToString(), t);
    EXPECT_EQ(id->is_multi_region(), t.rfind("mrk-", 0) == 0);
    ids.push_back(*id);
    std::string moved = t;
    std::swap(moved[t.size() - 13], moved[t.size() - 14]);  // A dash or a digit out of place.
    if (moved != t && t[0] != 'm') EXPECT_FALSE(KmsKeyId::Parse(moved).ok()) << moved;
    EXPECT_FALSE(KmsKeyId::Parse(t + "0").ok());
    EXPECT_FALSE(KmsKeyId::Parse(t.substr(0, t.size() - 1)).ok());
    std::string stray = t;
    stray[t.size() - 1] = 'g';
    EXPECT_FALSE(KmsKeyId::Parse(stray).ok()) << stray;
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = 0; j < ids.size(); ++j) {
      EXPECT_EQ(ids[i] < ids[j], texts[i] < texts[j]) << texts[i] << " vs " << texts[j];
    }
  }
}

// The text of a random key id: `mrk-` + 32 hex digits, or an 8-4-4-4-12 UUID.
std::string RandomKeyIdText(std::mt19937_64& random, bool multi_region) {
  std::string hex;
  for (int i = 0; i < 32; ++i) hex.push_back("0123456789abcdef"[random() % 16]);
  if (multi_region) return "mrk-" + hex;
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

// ID-12, ID-15: over many random ids of both forms, and the extremes of each, an id prints as
// the text it was parsed from, equal text gives equal ids and distinct text distinct ones (and
// distinct hashes, but for collisions), and sorting the ids sorts their text.
TEST(KmsKeyId, ManyRandomIdsParsePrintOrderAndHashAsTheirText) {
  std::mt19937_64 random(12);
  std::vector<std::string> texts = {
      "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
      "mrk-00000000000000000000000000000000", "mrk-ffffffffffffffffffffffffffffffff",
      "00000000-0000-0000-0000-000000000001", "mrk-00000000000000010000000000000000"};
  for (int i = 0; i < 20000; ++i) texts.push_back(RandomKeyIdText(random, i % 3 == 0));
  std::vector<KmsKeyId> ids;
  absl::flat_hash_set<KmsKeyId> distinct;
  absl::flat_hash_set<size_t> hashes;
  for (const std::string& t : texts) {
    absl::StatusOr<KmsKeyId> id = KmsKeyId::Parse(t);
    ASSERT_THAT(id, IsOk()) << t;
    ASSERT_EQ(id->ToString(), t);
    ASSERT_EQ(id->is_multi_region(), t[0] == 'm');
    ASSERT_EQ(*KmsKeyId::Parse(std::string(t)), *id);
    ids.push_back(*id);
    distinct.insert(*id);
    hashes.insert(absl::Hash<KmsKeyId>()(*id));
  }
  EXPECT_EQ(distinct.size(), std::set<std::string>(texts.begin(), texts.end()).size());
  EXPECT_GE(hashes.size(), distinct.size() - 2);
  std::vector<KmsKeyId> sorted_ids = ids;
  std::sort(sorted_ids.begin(), sorted_ids.end());
  std::vector<std::string> sorted_texts = texts;
  std::sort(sorted_texts.begin(), sorted_texts.end());
  for (size_t i = 0; i < sorted_ids.size(); ++i) ASSERT_EQ(sorted_ids[i].ToString(), sorted_texts[i]);
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      std::vector<KmsKeyId>(ids.begin(), ids.begin() + 300)));
}

// The same 32 hex digits as a UUID and as an mrk- id are two keys, each ordered with its form.
TEST(KmsKeyId, ID_12_FormIsPartOfTheId) {
  const KmsKeyId uuid = *KmsKeyId::Parse("ffffffff-ffff-ffff-ffff-ffffffffffff");
  const KmsKeyId mrk = *KmsKeyId::Parse("mrk-00000000000000000000000000000000");
  EXPECT_NE(uuid, mrk);
  EXPECT_LT(uuid, mrk);
  EXPECT_FALSE(mrk < uuid);
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {uuid, mrk, *KmsKeyId::Parse("00000000-0000-0000-0000-000000000000"),
       *KmsKeyId::Parse("mrk-ffffffffffffffffffffffffffffffff")}));
}

// ID-12: random key ARNs, over every Region, accounts from 0 to 999999999999 (including pairs
// that differ only above bit 32) and ids of both forms, print as parsed, give back their parts,
// are equal only when every part is, and order by Region code, account, then key id text.
TEST(KmsKeyArn, ID_12_RandomArnsRoundTripAndOrderByTheirParts) {
  std::mt19937_64 random(13);
  const std::vector<Region> regions = Region::All();
  const std::vector<uint64_t> edge_accounts = {0, 1, (uint64_t{1} << 32) + 1, (uint64_t{1} << 32) - 1,
                                               999999999999};
  std::vector<KmsKeyArn> arns;
  std::vector<std::tuple<std::string, uint64_t, std::string>> parts;
  for (int i = 0; i < 5000; ++i) {
    const Region region = regions[random() % regions.size()];
    const uint64_t number = i < 50 ? edge_accounts[i % edge_accounts.size()] : random() % 1000000000000;
    const AccountId account = AccountId::FromNumber(number);
    const std::string key = RandomKeyIdText(random, i % 2 == 0);
    const std::string text =
        absl::StrCat("arn:aws:kms:", region.code(), ":", account.ToString(), ":key/", key);
    absl::StatusOr<KmsKeyArn> arn = KmsKeyArn::Parse(text);
    ASSERT_THAT(arn, IsOk()) << text;
    ASSERT_EQ(arn->ToString(), text);
    ASSERT_EQ(arn->region(), region);
    ASSERT_EQ(arn->account(), account);
    ASSERT_EQ(arn->key_id().ToString(), key);
    ASSERT_EQ(*arn, KmsKeyArn::Of(account, region, *KmsKeyId::Parse(key)));
    ASSERT_EQ(KmsKeyRef::Parse(text)->key_arn(), *arn);
    arns.push_back(*arn);
    parts.emplace_back(std::string(region.code()), number, key);
  }
  for (size_t i = 0; i + 1 < arns.size(); ++i) {
    const size_t j = i + 1;
    EXPECT_EQ(arns[i] == arns[j], parts[i] == parts[j]);
    EXPECT_EQ(arns[i] < arns[j], parts[i] < parts[j]) << arns[i].ToString() << " vs " << arns[j].ToString();
    EXPECT_EQ(arns[j] < arns[i], parts[j] < parts[i]);
  }
  std::vector<KmsKeyArn> sample(arns.begin(), arns.begin() + 200);
  const KmsKeyArn first = arns.front();
  sample.push_back(KmsKeyArn::Of(AccountId::FromNumber(first.account().number() ^ (uint64_t{1} << 33)),
                                 first.region(), first.key_id()));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(sample));
}

// Each part alone tells two ARNs apart: the Region, the account (in its low or its high bits),
// the key id's form, and each half of its digits.
TEST(KmsKeyArn, ID_12_EveryPartTellsArnsApart) {
  const KmsKeyArn base = *KmsKeyArn::Parse(kKeyArn);
  const KmsKeyId uuid = *KmsKeyId::Parse("00000000-0000-0001-0000-000000000000");
  const KmsKeyId mrk = *KmsKeyId::Parse("mrk-00000000000000010000000000000000");
  const KmsKeyId low = *KmsKeyId::Parse("00000000-0000-0001-0000-000000000001");
  const AccountId a = *AccountId::Parse("000000000001");
  const AccountId a_high = AccountId::FromNumber((uint64_t{1} << 32) + 1);
  const Region east = *Region::Parse("us-east-1"), west = *Region::Parse("us-west-2");
  const std::vector<KmsKeyArn> arns = {
      base,
      KmsKeyArn::Of(a, east, uuid),
      KmsKeyArn::Of(a, west, uuid),
      KmsKeyArn::Of(a_high, east, uuid),
      KmsKeyArn::Of(a, east, mrk),
      KmsKeyArn::Of(a, east, low)};
  for (const KmsKeyArn& x : arns) {
    for (const KmsKeyArn& y : arns) {
      EXPECT_EQ(x == y, x.ToString() == y.ToString());
      EXPECT_EQ(x.account() == y.account() && x.region() == y.region() && x.key_id() == y.key_id(),
                x == y);
    }
  }
  EXPECT_LT(KmsKeyArn::Of(a, east, uuid), KmsKeyArn::Of(a_high, east, uuid));
  EXPECT_LT(KmsKeyArn::Of(a, east, uuid), KmsKeyArn::Of(a, east, low));
  EXPECT_LT(KmsKeyArn::Of(a, east, low), KmsKeyArn::Of(a, east, mrk));
  EXPECT_LT(KmsKeyArn::Of(a_high, east, mrk), KmsKeyArn::Of(a, west, uuid));
  EXPECT_EQ(KmsKeyArn::Of(a_high, east, mrk).account(), a_high);
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(arns));
}

TEST(KmsKeyArn, ID_12_ParsesItsParts) {
  absl::StatusOr<KmsKeyArn> arn = KmsKeyArn::Parse(kKeyArn);
  ASSERT_THAT(arn, IsOk());
  EXPECT_EQ(arn->region().code(), "us-east-2");
  EXPECT_EQ(arn->account().ToString(), "111122223333");
  EXPECT_EQ(arn->key_id().ToString(), kUuid);
  EXPECT_EQ(arn->ToString(), kKeyArn);
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {*arn, KmsKeyArn::Of(arn->account(), *Region::Parse("eu-west-1"), arn->key_id())}));
}

TEST(KmsKeyArn, ID_12_MalformedArnsAreInvalidArn) {
  for (const char* bad :
       {"arn:aws:kms:us-east-2:111122223333:alias/x", "arn:aws:kms:us-east-2:1111:key/x",
        "arn:aws:s3:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-cn:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:nowhere:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-2:111122223333:key/nope", "arn:aws:kms", kUuid}) {
    EXPECT_THAT(KmsKeyArn::Parse(bad), HasErrorCode(ErrorCode::kKmsInvalidArnException)) << bad;
  }
}

TEST(KmsKeyRef, ID_12_AllFourFormsParse) {
  absl::StatusOr<KmsKeyRef> id = KmsKeyRef::Parse(kUuid);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->form(), KmsKeyRef::Form::kKeyId);
  EXPECT_FALSE(id->account().has_value());

  absl::StatusOr<KmsKeyRef> arn = KmsKeyRef::Parse(kKeyArn);
  ASSERT_THAT(arn, IsOk());
  EXPECT_EQ(arn->form(), KmsKeyRef::Form::kKeyArn);
  EXPECT_EQ(arn->key_arn()->ToString(), kKeyArn);

  absl::StatusOr<KmsKeyRef> alias = KmsKeyRef::Parse("alias/ExampleAlias");
  ASSERT_THAT(alias, IsOk());
  EXPECT_EQ(alias->form(), KmsKeyRef::Form::kAliasName);
  EXPECT_EQ(alias->alias_name(), "alias/ExampleAlias");
  EXPECT_FALSE(alias->key_id().has_value());

  absl::StatusOr<KmsKeyRef> alias_arn = KmsKeyRef::Parse(kAliasArn);
  ASSERT_THAT(alias_arn, IsOk());
  EXPECT_EQ(alias_arn->form(), KmsKeyRef::Form::kAliasArn);
  EXPECT_EQ(alias_arn->alias_name(), "alias/ExampleAlias");
  EXPECT_EQ(alias_arn->account()->ToString(), "111122223333");
  EXPECT_EQ(alias_arn->region()->code(), "us-east-2");

  for (const char* text : {kUuid, kMrk, kKeyArn, kAliasArn, "alias/aws/ebs"}) {
    EXPECT_EQ(KmsKeyRef::Parse(text)->ToString(), text);
    EXPECT_EQ(*KmsKeyRef::Parse(KmsKeyRef::Parse(text)->ToString()), *KmsKeyRef::Parse(text));
  }
}

TEST(KmsKeyRef, ID_14_OnlyArnFormsNameAnAccount) {
  EXPECT_TRUE(KmsKeyRef::Parse(kKeyArn)->account().has_value());
  EXPECT_TRUE(KmsKeyRef::Parse(kAliasArn)->account().has_value());
  EXPECT_FALSE(KmsKeyRef::Parse("alias/x")->account().has_value());
  EXPECT_FALSE(KmsKeyRef::Parse(kMrk)->account().has_value());
}

TEST(KmsKeyRef, ID_13_AwsManagedAliasIsRecognised) {
  EXPECT_TRUE(KmsKeyRef::Parse("alias/aws/ebs")->names_aws_managed_alias());
  EXPECT_FALSE(KmsKeyRef::Parse("alias/awsome")->names_aws_managed_alias());
  EXPECT_FALSE(KmsKeyRef::Parse(kUuid)->names_aws_managed_alias());
}

TEST(KmsKeyRef, ID_13_BadAliasNameIsNotFound) {
  EXPECT_THAT(KmsKeyRef::Parse("alias/"), HasErrorCode(ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(KmsKeyRef::Parse("alias/has space"), HasErrorCode(ErrorCode::kKmsNotFoundException));
  EXPECT_THAT(KmsKeyRef::Parse("alias/" + std::string(251, 'a')),
              HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyRef, ID_12_GarbageIsNotFound) {
  EXPECT_THAT(KmsKeyRef::Parse("my-key"), HasErrorCode(ErrorCode::kKmsNotFoundException));
}
TEST(KmsKeyRef, ID_12_BadAliasArnIsInvalidArn) {
  EXPECT_THAT(KmsKeyRef::Parse("arn:aws:kms:us-east-2:111122223333:alias/"),
              HasErrorCode(ErrorCode::kKmsInvalidArnException));
  EXPECT_THAT(KmsKeyRef::Parse("arn:aws:kms:us-east-2:111122223333:grant/x"),
              HasErrorCode(ErrorCode::kKmsInvalidArnException));
}

TEST(ValidateNewAliasName, ID_13_CustomerAliasIsAccepted) {
  EXPECT_THAT(ValidateNewAliasName("alias/golden-ami/prod_1"), IsOk());
  EXPECT_THAT(ValidateNewAliasName("alias/" + std::string(250, 'a')), IsOk());
}
TEST(ValidateNewAliasName, ID_13_AwsPrefixIsReserved) {
  EXPECT_THAT(ValidateNewAliasName("alias/aws/ebs"), HasErrorCode(ErrorCode::kKmsInvalidAliasNameException));
  EXPECT_THAT(ValidateNewAliasName("alias/aws/mine"), HasErrorCode(ErrorCode::kKmsInvalidAliasNameException));
}
TEST(ValidateNewAliasName, ID_13_MissingPrefixIsInvalid) {
  EXPECT_THAT(ValidateNewAliasName("golden"), HasErrorCode(ErrorCode::kKmsInvalidAliasNameException));
  EXPECT_THAT(ValidateNewAliasName("alias/" + std::string(251, 'a')),
              HasErrorCode(ErrorCode::kKmsInvalidAliasNameException));
}

}  // namespace
}  // namespace ami
