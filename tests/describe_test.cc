// DescribeImages and DescribeSnapshots, rule by rule (DESC-1 … 10, 12, SHARE-13, SNAP-3), the
// filter pattern language (DESC-5), and pagination over 100,000 images: the pages of a request
// together return each match exactly once.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ami/cloud.h"
#include "ami/requests.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// ---- FilterPattern (DESC-5) ---------------------------------------------------------------------

TEST(FilterPattern, DESC_5_StarMatchesAnyRun) {
  const FilterPattern p = FilterPattern::Compile("web-*-prod");
  EXPECT_TRUE(p.Matches("web--prod"));
  EXPECT_TRUE(p.Matches("web-eu-west-prod"));
  EXPECT_FALSE(p.Matches("web-eu-west-pro"));
  EXPECT_FALSE(p.Matches("Web-eu-prod"));  // Case-sensitive.
  EXPECT_EQ(p.literal_prefix(), "web-");
  EXPECT_FALSE(p.exact());
}

TEST(FilterPattern, DESC_5_QuestionMarkMatchesZeroOrOneCharacter) {
  const FilterPattern p = FilterPattern::Compile("v?1");
  EXPECT_TRUE(p.Matches("v1"));
  EXPECT_TRUE(p.Matches("vx1"));
  EXPECT_FALSE(p.Matches("vxy1"));
}

TEST(FilterPattern, DESC_5_BackslashEscapesWildcards) {
  const FilterPattern p = FilterPattern::Compile("a\\*b\\?");
  EXPECT_TRUE(p.exact());
  EXPECT_TRUE(p.Matches("a*b?"));
  EXPECT_FALSE(p.Matches("axb"));
  EXPECT_TRUE(FilterPattern::Compile("end\\").Matches("end\\"));
}

TEST(FilterPattern, DESC_5_ExactValueMatchesOnlyItself) {
  const FilterPattern p = FilterPattern::Compile("x86_64");
  EXPECT_TRUE(p.exact());
  EXPECT_TRUE(p.Matches("x86_64"));
  EXPECT_FALSE(p.Matches("x86_64 "));
  EXPECT_FALSE(p.Matches("X86_64"));
}

TEST(FilterPattern, PathologicalPatternsStayLinear) {
  const std::string text(5000, 'a');
  const FilterPattern p = FilterPattern::Compile(std::string(200, '*') + "b");
  EXPECT_FALSE(p.Matches(text));
  EXPECT_TRUE(FilterPattern::Compile(std::string(200, '*')).Matches(text));
}

// ---- Fixture ------------------------------------------------------------------------------------

// The shared cloud: accounts owner, b, c (standalone), amazon (alias amazon); organization
// o-a1b2c3d4e5 with management mgmt, OU ou-ab12-11111111 (parent_ou) holding in_ou, and at_root
// at the root.
class DescribeFixture : public testing::CloudFixture {
 protected:
  void SetUp() override {
    ASSERT_THAT(cloud->CreateOrganization(org, mgmt, "r-ab12"), IsOk());
    ASSERT_THAT(cloud->CreateOrganizationalUnit(org, parent_ou), IsOk());
    ASSERT_THAT(cloud->AddAccount(in_ou, org, parent_ou), IsOk());
    ASSERT_THAT(cloud->AddAccount(at_root, org), IsOk());
  }

  struct Spec {
    std::string name;
    std::vector<AccountId> accounts;
    bool is_public = false;
    bool org_share = false;
    bool ou_share = false;
    OwnerAlias alias = OwnerAlias::kNone;
    std::vector<std::pair<std::string, std::string>> tags;
    ImageState state = ImageState::kAvailable;
    std::optional<absl::Time> deprecation;
    std::string description = "seeded";
    Architecture architecture = Architecture::kX86_64;
    bool encrypted_key = false;
    std::string platform;
    std::optional<Region> region;
  };

  // A snapshot tagged n=<its seed number>, of 8 to 10 GiB.
  SnapshotId SeedSnapshot(AccountId who, Region region, bool is_public = false,
                          std::vector<AccountId> users = {}) {
    Snapshot::Builder snap = NewSnapshot(who, region);
    const int n = seeded();
    snap.set_volume_size_gib(8 + n % 3)
        .set_create_volume_permissions({std::move(users), is_public})
        .set_tags(TagSet::Create({Tag::Create("n", absl::StrCat(n)).value()}).value());
    return Import(snap).id();
  }

  ImageId Seed(AccountId who, const Spec& spec) {
    const SnapshotId snap = SeedSnapshot(who, spec.region.value_or(east));
    std::vector<OrganizationArn> orgs;
    std::vector<OrganizationalUnitArn> ous;
    if (spec.org_share) orgs.push_back(OrganizationArn::Of(mgmt, org));
    if (spec.ou_share) ous.push_back(OrganizationalUnitArn::Of(mgmt, org, parent_ou));
    std::vector<Tag> tags;
    for (const auto& [k, v] : spec.tags) tags.push_back(Tag::Create(k, v).value());
    Image::Builder b = NewImage(who, cloud->GetSnapshot(snap).value());
    if (!spec.name.empty()) b.set_name(spec.name);
    b.set_description(spec.description)
        .set_owner_alias(spec.alias)
        .set_state(spec.state)
        .set_architecture(spec.architecture)
        .set_platform(spec.platform)
        .set_creation_time(absl::FromUnixSeconds(1767225600))
        .set_deprecation_time(spec.deprecation)
        .set_tags(TagSet::Create(tags).value());
    if (spec.state != ImageState::kDisabled) {
      b.set_launch_permissions(
          LaunchPermissions::Create(spec.accounts, spec.is_public, orgs, ous).value());
    }
    return Import(b);
  }

  absl::StatusOr<std::vector<std::string>> Ids(AccountId caller, DescribeImagesRequest r,
                                               std::optional<Region> region = std::nullopt) {
    absl::StatusOr<DescribeImagesResult> result =
        cloud->DescribeImages({caller, region.value_or(east)}, r);
    if (!result.ok()) return result.status();
    EXPECT_THAT(result->next_token, IsEmpty());
    std::vector<std::string> out;
    for (const DescribedImage& d : result->images) out.push_back(d.image.id().ToString());
    return out;
  }
  static std::string S(ImageId id) { return id.ToString(); }
  static Filter F(std::string name, std::vector<std::string> values) {
    return {std::move(name), std::move(values)};
  }

  const AccountId in_ou = AccountId::Parse("222222222222").value();
  const AccountId at_root = AccountId::Parse("333333333333").value();
};

using DescribeImages = DescribeFixture;
using DescribeSnapshots = DescribeFixture;

// ---- DESC-1: what a caller can see --------------------------------------------------------------

TEST_F(DescribeImages, DESC_1_ReturnsOwnedSharedAndPublicImagesOnly) {
  const ImageId mine = Seed(b, {});
  const ImageId shared = Seed(owner, {.accounts = {b}});
  const ImageId pub = Seed(owner, {.is_public = true});
  const ImageId private_image = Seed(owner, {});
  const ImageId other_region = Seed(owner, {.is_public = true, .region = west});
  EXPECT_THAT(Ids(b, {}).value(), UnorderedElementsAre(S(mine), S(shared), S(pub)));
  EXPECT_THAT(Ids(c, {}).value(), ElementsAre(S(pub)));
  EXPECT_THAT(Ids(owner, {}).value(),
              UnorderedElementsAre(S(shared), S(pub), S(private_image)));
  EXPECT_THAT(Ids(c, {}, west).value(), ElementsAre(S(other_region)));
}

TEST_F(DescribeImages, DESC_1_OrganizationAndOuSharesAreVisibleToMembersOnly) {
  const ImageId to_org = Seed(owner, {.org_share = true});
  const ImageId to_ou = Seed(owner, {.ou_share = true});
  EXPECT_THAT(Ids(in_ou, {}).value(), UnorderedElementsAre(S(to_org), S(to_ou)));
  EXPECT_THAT(Ids(at_root, {}).value(), ElementsAre(S(to_org)));
  EXPECT_THAT(Ids(c, {}).value(), IsEmpty());
}

TEST_F(DescribeImages, DESC_1_DeregisteredImagesAreNotListed) {
  const ImageId id = Seed(owner, {});
  ASSERT_THAT(cloud->DeregisterImage({owner, east}, S(id)), IsOk());
  EXPECT_THAT(Ids(owner, {}).value(), IsEmpty());
}

// ---- DESC-2: Owners -----------------------------------------------------------------------------

TEST_F(DescribeImages, DESC_2_OwnersSelfAccountAndAlias) {
  const ImageId mine = Seed(b, {});
  const ImageId pub = Seed(owner, {.is_public = true});
  const ImageId aws = Seed(amazon, {.is_public = true, .alias = OwnerAlias::kAmazon});
  EXPECT_THAT(Ids(b, {.owners = {"self"}}).value(), ElementsAre(S(mine)));
  EXPECT_THAT(Ids(b, {.owners = {owner.ToString()}}).value(), ElementsAre(S(pub)));
  EXPECT_THAT(Ids(b, {.owners = {"amazon"}}).value(), ElementsAre(S(aws)));
  EXPECT_THAT(Ids(b, {.owners = {"amazon", "self"}}).value(), UnorderedElementsAre(S(aws), S(mine)));
  EXPECT_THAT(Ids(b, {.owners = {"aws-marketplace"}}).value(), IsEmpty());
}

TEST_F(DescribeImages, DESC_2_OwnersNeverRevealPrivateImages) {
  Seed(owner, {});
  EXPECT_THAT(Ids(b, {.owners = {owner.ToString()}}).value(), IsEmpty());
}

TEST_F(DescribeImages, DESC_2_MalformedOwnerIsInvalidUserIdMalformed) {
  EXPECT_THAT(Ids(b, {.owners = {"12345"}}), HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
  EXPECT_THAT(Ids(b, {.owners = {"Amazon"}}), HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}

// ---- DESC-3: ExecutableUsers --------------------------------------------------------------------

TEST_F(DescribeImages, DESC_3_SelfMeansSharedWithMeOrMyOrganizationNotOwnedOrPublic) {
  const ImageId direct = Seed(owner, {.accounts = {in_ou}});
  const ImageId to_org = Seed(owner, {.org_share = true});
  const ImageId to_ou = Seed(owner, {.ou_share = true});
  Seed(owner, {.is_public = true});
  Seed(in_ou, {});
  EXPECT_THAT(Ids(in_ou, {.executable_users = {"self"}}).value(),
              UnorderedElementsAre(S(direct), S(to_org), S(to_ou)));
  EXPECT_THAT(Ids(in_ou, {.executable_users = {in_ou.ToString()}}).value(),
              UnorderedElementsAre(S(direct), S(to_org), S(to_ou)));
}

TEST_F(DescribeImages, DESC_3_OtherAccountMeansSharedWithThatAccountDirectly) {
  const ImageId to_c = Seed(owner, {.accounts = {c}});
  Seed(owner, {.org_share = true});
  Seed(owner, {.accounts = {b}});
  EXPECT_THAT(Ids(owner, {.executable_users = {c.ToString()}}).value(), ElementsAre(S(to_c)));
  EXPECT_THAT(Ids(owner, {.executable_users = {in_ou.ToString()}}).value(), IsEmpty());
}

TEST_F(DescribeImages, DESC_3_AllMeansPublic) {
  const ImageId pub = Seed(owner, {.is_public = true});
  Seed(owner, {.accounts = {c}});
  EXPECT_THAT(Ids(c, {.executable_users = {"all"}}).value(), ElementsAre(S(pub)));
  EXPECT_THAT(Ids(c, {.executable_users = {"everyone"}}),
              HasErrorCode(ErrorCode::kInvalidUserIDMalformed));
}

// ---- DESC-4: ImageIds ---------------------------------------------------------------------------

TEST_F(DescribeImages, DESC_4_NamedImagesAreReturned) {
  const ImageId a = Seed(owner, {.is_public = true});
  const ImageId s = Seed(owner, {.accounts = {b}});
  EXPECT_THAT(Ids(b, {.image_ids = {S(s), S(a), S(a)}}).value(), ElementsAre(S(a), S(s)));
}

TEST_F(DescribeImages, DESC_4_MissingOrInvisibleImageFailsTheWholeCall) {
  const ImageId pub = Seed(owner, {.is_public = true});
  const ImageId hidden = Seed(owner, {});
  EXPECT_THAT(Ids(b, {.image_ids = {S(pub), S(hidden)}}),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT(Ids(b, {.image_ids = {S(pub), "ami-0123456789abcdef0"}}),
              HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
  EXPECT_THAT(Ids(b, {.image_ids = {"ami-xyz"}}), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(Ids(b, {.image_ids = {S(pub)}}, west), HasErrorCode(ErrorCode::kInvalidAMIIDNotFound));
}

TEST_F(DescribeImages, DESC_4_DeregisteredImageByIdGivesAnEmptyAnswer) {
  const ImageId id = Seed(owner, {});
  ASSERT_THAT(cloud->DeregisterImage({owner, east}, S(id)), IsOk());
  EXPECT_THAT(Ids(owner, {.image_ids = {S(id)}}).value(), IsEmpty());
}

// ---- DESC-5 and DESC-6: filters -----------------------------------------------------------------

TEST_F(DescribeImages, DESC_5_ValuesAreOredAndFiltersAnded) {
  const ImageId web = Seed(owner, {.name = "web-1", .architecture = Architecture::kArm64});
  const ImageId db = Seed(owner, {.name = "db-1"});
  Seed(owner, {.name = "cache-1"});
  EXPECT_THAT(Ids(owner, {.filters = {F("name", {"web-*", "db-*"})}}).value(),
              UnorderedElementsAre(S(web), S(db)));
  EXPECT_THAT(Ids(owner, {.filters = {F("name", {"web-*", "db-*"}),
                                      F("architecture", {"arm64"})}})
                  .value(),
              ElementsAre(S(web)));
  EXPECT_THAT(Ids(owner, {.filters = {F("name", {"WEB-*"})}}).value(), IsEmpty());
}

TEST_F(DescribeImages, DESC_5_NamePatternsWithoutPrefixAndWithQuestionMarks) {
  const ImageId a = Seed(owner, {.name = "app-v1"});
  const ImageId bb = Seed(owner, {.name = "app-v12"});
  EXPECT_THAT(Ids(owner, {.filters = {F("name", {"*-v1?"})}}).value(),
              UnorderedElementsAre(S(a), S(bb)));
  EXPECT_THAT(Ids(owner, {.filters = {F("name", {"*v12"})}}).value(), ElementsAre(S(bb)));
}

TEST_F(DescribeImages, DESC_6_EveryFilterSelects) {
  const absl::Time t = absl::FromUnixSeconds(1767225600);
  const ImageId win = Seed(owner, {.name = "win-2025", .alias = OwnerAlias::kAmazon,
                                   .tags = {{"team", "blue"}}, .description = "windows base",
                                   .architecture = Architecture::kArm64, .platform = "windows"});
  const ImageId lin = Seed(owner, {.name = "linux", .is_public = true});
  struct Case {
    Filter filter;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {F("architecture", {"arm64"}), {S(win)}},
      {F("description", {"windows*"}), {S(win)}},
      {F("image-id", {S(lin)}), {S(lin)}},
      {F("image-type", {"machine"}), {S(win), S(lin)}},
      {F("is-public", {"true"}), {S(lin)}},
      {F("is-public", {"false"}), {S(win)}},
      {F("name", {"win-*"}), {S(win)}},
      {F("owner-alias", {"amazon"}), {S(win)}},
      {F("owner-id", {owner.ToString()}), {S(win), S(lin)}},
      {F("platform", {"windows"}), {S(win)}},
      {F("root-device-type", {"ebs"}), {S(win), S(lin)}},
      {F("root-device-name", {"/dev/xvda"}), {S(win), S(lin)}},
      {F("state", {"available"}), {S(win), S(lin)}},
      {F("state", {"pending"}), {}},
      {F("tag:team", {"blue"}), {S(win)}},
      {F("tag:team", {"red"}), {}},
      {F("tag-key", {"team"}), {S(win)}},
      {F("virtualization-type", {"hvm"}), {S(win), S(lin)}},
      {F("hypervisor", {"xen"}), {S(win), S(lin)}},
      {F("creation-date", {absl::StrCat(absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()),
                                        "T*")}),
       {S(win), S(lin)}},
      {F("block-device-mapping.device-name", {"/dev/xvda"}), {S(win), S(lin)}},
      {F("block-device-mapping.volume-type", {"gp3"}), {S(win), S(lin)}},
      {F("block-device-mapping.encrypted", {"false"}), {S(win), S(lin)}},
      {F("block-device-mapping.encrypted", {"true"}), {}},
      {F("block-device-mapping.delete-on-termination", {"true"}), {S(win), S(lin)}},
      {F("block-device-mapping.snapshot-id",
         {cloud->GetImage(win)->snapshot_ids().front().ToString()}),
       {S(win)}},
      {F("ena-support", {"true"}), {S(win), S(lin)}},
      {F("product-code", {"*"}), {}},
      {F("manifest-location", {"amazon/win-2025"}), {S(win)}},
      {F("kernel-id", {"*"}), {}},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(absl::StrCat(k.filter.name, "=", k.filter.values.front()));
    std::vector<std::string> got = Ids(owner, {.filters = {k.filter}}).value();
    std::vector<std::string> want = k.want;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
  }
}

TEST_F(DescribeImages, DESC_6_UnknownFilterIsInvalidParameterValue) {
  EXPECT_THAT(Ids(owner, {.filters = {F("color", {"blue"})}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Ids(owner, {.filters = {F("name", {})}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// ---- DESC-7, DESC-8: deprecated and disabled images ---------------------------------------------

TEST_F(DescribeImages, DESC_7_DeprecatedImagesAreHiddenFromOthersUnlessAsked) {
  const ImageId old = Seed(owner, {.is_public = true, .deprecation = cloud->Now() - absl::Hours(1)});
  const ImageId later = Seed(owner, {.is_public = true, .deprecation = cloud->Now() + absl::Hours(1)});
  EXPECT_THAT(Ids(b, {}).value(), ElementsAre(S(later)));
  EXPECT_THAT(Ids(b, {.include_deprecated = true}).value(), UnorderedElementsAre(S(old), S(later)));
  EXPECT_THAT(Ids(b, {.image_ids = {S(old)}}).value(), ElementsAre(S(old)));
  EXPECT_THAT(Ids(owner, {}).value(), UnorderedElementsAre(S(old), S(later)));
  cloud->AdvanceClock(absl::Hours(2));
  EXPECT_THAT(Ids(b, {}).value(), IsEmpty());
}

TEST_F(DescribeImages, DESC_8_DisabledImagesOnlyForTheOwnerWhoAsks) {
  const ImageId off = Seed(owner, {.state = ImageState::kDisabled});
  const ImageId on = Seed(owner, {});
  EXPECT_THAT(Ids(owner, {}).value(), ElementsAre(S(on)));
  EXPECT_THAT(Ids(owner, {.include_disabled = true}).value(), UnorderedElementsAre(S(off), S(on)));
  EXPECT_THAT(Ids(b, {.include_disabled = true}).value(), IsEmpty());
}

// ---- DESC-10, SHARE-13: what a non-owner sees ---------------------------------------------------

TEST_F(DescribeImages, DESC_10_NonOwnerSeesOnlyItsOwnTagsAndNoSharingDetails) {
  const ImageId id = Seed(owner, {.accounts = {b, c}, .is_public = true,
                                  .tags = {{"secret", "owner-only"}}});
  ASSERT_THAT(cloud->CreateTags({b, east}, {S(id)}, {{"mine", "b"}}), IsOk());
  const DescribeImagesResult as_b = cloud->DescribeImages({b, east}, {.image_ids = {S(id)}}).value();
  ASSERT_EQ(as_b.images.size(), 1u);
  const Image& seen = as_b.images[0].image;
  EXPECT_EQ(seen.owner(), owner);
  EXPECT_TRUE(seen.is_public());
  EXPECT_THAT(seen.launch_permissions().accounts(), IsEmpty());
  ASSERT_EQ(seen.tags().size(), 1u);
  EXPECT_EQ(seen.tags().tags()[0].key(), "mine");
  // The owner sees its own tags and its sharing.
  const DescribeImagesResult as_owner =
      cloud->DescribeImages({owner, east}, {.image_ids = {S(id)}}).value();
  EXPECT_EQ(as_owner.images[0].image.tags().Find("secret"), "owner-only");
  EXPECT_EQ(as_owner.images[0].image.launch_permissions().accounts().size(), 2u);
}

TEST_F(DescribeImages, SHARE_13_TagFiltersReadTheCallersOwnTags) {
  const ImageId id = Seed(owner, {.is_public = true, .tags = {{"env", "prod"}}});
  EXPECT_THAT(Ids(b, {.filters = {F("tag:env", {"prod"})}}).value(), IsEmpty());
  ASSERT_THAT(cloud->CreateTags({b, east}, {S(id)}, {{"env", "prod"}}), IsOk());
  EXPECT_THAT(Ids(b, {.filters = {F("tag:env", {"prod"})}}).value(), ElementsAre(S(id)));
  EXPECT_THAT(Ids(c, {.filters = {F("tag:env", {"prod"})}}).value(), IsEmpty());
  EXPECT_THAT(Ids(owner, {.filters = {F("tag:env", {"prod"})}}).value(), ElementsAre(S(id)));
  ASSERT_THAT(cloud->DeleteTags({b, east}, {S(id)}, {"env"}), IsOk());
  EXPECT_THAT(Ids(b, {.filters = {F("tag-key", {"env"})}}).value(), IsEmpty());
}

// ---- DESC-12: pagination ------------------------------------------------------------------------

TEST_F(DescribeImages, DESC_12_MaxResultsBoundsAndTokens) {
  EXPECT_THAT(Ids(owner, {.max_results = 4}), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Ids(owner, {.max_results = 1001}), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Ids(owner, {.image_ids = {"ami-12345678"}, .max_results = 5}),
              HasErrorCode(ErrorCode::kInvalidParameterCombination));
  EXPECT_THAT(Ids(owner, {.max_results = 5, .next_token = "garbage!"}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  for (int i = 0; i < 7; ++i) Seed(owner, {});
  const DescribeImagesResult first =
      cloud->DescribeImages({owner, east}, {.max_results = 5}).value();
  ASSERT_EQ(first.images.size(), 5u);
  ASSERT_FALSE(first.next_token.empty());
  // A token of another request is refused.
  EXPECT_THAT(cloud->DescribeImages({owner, east}, {.owners = {"self"}, .max_results = 5,
                                                    .next_token = first.next_token}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  const DescribeImagesResult second = cloud->DescribeImages(
      {owner, east}, {.max_results = 5, .next_token = first.next_token}).value();
  EXPECT_EQ(second.images.size(), 2u);
  EXPECT_TRUE(second.next_token.empty());
}

// Walks every page of `r` for `caller` and returns the ids in page order.
std::vector<std::string> AllPages(const Cloud& cloud, const CallContext& ctx,
                                  DescribeImagesRequest r) {
  std::vector<std::string> out;
  for (int pages = 0; pages < 100000; ++pages) {
    absl::StatusOr<DescribeImagesResult> page = cloud.DescribeImages(ctx, r);
    EXPECT_THAT(page.status(), IsOk());
    if (!page.ok()) break;
    EXPECT_LE(page->images.size(), static_cast<size_t>(r.max_results));
    for (const DescribedImage& d : page->images) out.push_back(d.image.id().ToString());
    if (page->next_token.empty()) break;
    r.next_token = page->next_token;
  }
  return out;
}

TEST(DescribeImagesPagination, DESC_12_PagesOver100kImagesReturnEachMatchOnce) {
  std::unique_ptr<Cloud> cloud = Cloud::Create();
  const Region east = Region::Parse("us-east-1").value();
  const AccountId caller = AccountId::FromNumber(100000000001);
  constexpr int kOwners = 20;
  constexpr int kImages = 100000;
  // Image i: owner i % 20; public when i % 3 == 0; shared with the caller when i % 7 == 0;
  // tag tier=gold when i % 5 == 0; named "svc-<i % 10>-<i>".
  std::set<std::string> visible, gold, svc3, owner4;
  for (int i = 0; i < kImages; ++i) {
    const AccountId who = AccountId::FromNumber(200000000000 + i % kOwners);
    const SnapshotId sid = SnapshotId::Long(0x100000000ULL + i);
    ASSERT_THAT(cloud->ImportSnapshot(Snapshot::Builder()
                                          .set_id(sid).set_owner(who).set_region(east)
                                          .Build().value()),
                IsOk());
    std::vector<Tag> tags;
    if (i % 5 == 0) tags.push_back(Tag::Create("tier", "gold").value());
    const ImageId id = ImageId::Long(0x200000000ULL + i);
    std::vector<AccountId> users;
    if (i % 7 == 0) users.push_back(caller);
    ASSERT_THAT(cloud->ImportImage(
                    Image::Builder()
                        .set_id(id).set_name(absl::StrCat("svc-", i % 10, "-", i))
                        .set_owner(who).set_region(east)
                        .add_snapshot_mapping("/dev/xvda", cloud->GetSnapshot(sid).value())
                        .set_launch_permissions(
                            LaunchPermissions::Create(users, i % 3 == 0, {}, {}).value())
                        .set_tags(TagSet::Create(tags).value())
                        .Build().value()),
                IsOk());
    const bool sees = i % 3 == 0 || i % 7 == 0;
    if (!sees) continue;
    visible.insert(id.ToString());
    if (i % 5 == 0) gold.insert(id.ToString());
    if (i % 10 == 3) svc3.insert(id.ToString());
    if (i % kOwners == 4) owner4.insert(id.ToString());
  }
  // The owner of `gold` images sees its own tags: count them from the owners' side too.
  std::set<std::string> owner0_gold;
  for (int i = 0; i < kImages; i += kOwners) {
    if (i % 5 == 0) owner0_gold.insert(ImageId::Long(0x200000000ULL + i).ToString());
  }
  struct Query {
    DescribeImagesRequest request;
    AccountId who;
    std::set<std::string> want;
  };
  const AccountId owner0 = AccountId::FromNumber(200000000000);
  const std::vector<Query> queries = {
      {{}, caller, visible},
      {{.owners = {AccountId::FromNumber(200000000004).ToString()}}, caller, owner4},
      {{.filters = {{"name", {"svc-3-*"}}}}, caller, svc3},
      {{.filters = {{"tag:tier", {"gold"}}}}, owner0, owner0_gold},
      {{.executable_users = {"all"}, .filters = {{"name", {"svc-3-*", "svc-3*"}}}}, caller, {}},
  };
  // The public svc-3 images: i % 10 == 3 and i % 3 == 0.
  std::set<std::string> public_svc3;
  for (int i = 3; i < kImages; i += 10) {
    if (i % 3 == 0) public_svc3.insert(ImageId::Long(0x200000000ULL + i).ToString());
  }
  for (size_t q = 0; q < queries.size(); ++q) {
    const std::set<std::string>& want = q == 4 ? public_svc3 : queries[q].want;
    ASSERT_FALSE(want.empty());
    for (const int page_size : {1000, 337, 5}) {
      if (page_size == 5 && want.size() > 20000) continue;
      SCOPED_TRACE(absl::StrCat("query ", q, ", pages of ", page_size));
      DescribeImagesRequest r = queries[q].request;
      r.max_results = page_size;
      const std::vector<std::string> got = AllPages(*cloud, {queries[q].who, east}, r);
      const std::set<std::string> unique(got.begin(), got.end());
      EXPECT_EQ(unique.size(), got.size()) << "an image came back twice";
      EXPECT_EQ(unique, want);
    }
  }
}

// ---- DescribeSnapshots (SNAP-1, SNAP-3) ---------------------------------------------------------

TEST_F(DescribeSnapshots, SNAP_1_OwnedSharedAndPublicSnapshots) {
  const SnapshotId mine = SeedSnapshot(b, east);
  const SnapshotId shared = SeedSnapshot(owner, east, false, {b});
  const SnapshotId pub = SeedSnapshot(owner, east, true);
  SeedSnapshot(owner, east);
  auto ids = [&](AccountId who, DescribeSnapshotsRequest r) {
    const DescribeSnapshotsResult result = cloud->DescribeSnapshots({who, east}, r).value();
    std::vector<std::string> out;
    for (const Snapshot& s : result.snapshots) out.push_back(s.id().ToString());
    return out;
  };
  EXPECT_THAT(ids(b, {}), UnorderedElementsAre(mine.ToString(), shared.ToString(), pub.ToString()));
  EXPECT_THAT(ids(b, {.owner_ids = {"self"}}), ElementsAre(mine.ToString()));
  EXPECT_THAT(ids(b, {.restorable_by_user_ids = {"self"}}), ElementsAre(shared.ToString()));
  EXPECT_THAT(ids(b, {.restorable_by_user_ids = {"all"}}), ElementsAre(pub.ToString()));
  EXPECT_THAT(ids(c, {}), ElementsAre(pub.ToString()));
  EXPECT_THAT(ids(b, {.filters = {{"volume-size", {"8", "9", "10"}}, {"owner-id", {owner.ToString()}}}}),
              UnorderedElementsAre(shared.ToString(), pub.ToString()));
  EXPECT_THAT(cloud->DescribeSnapshots({c, east}, {.snapshot_ids = {shared.ToString()}}),
              HasErrorCode(ErrorCode::kInvalidSnapshotNotFound));
  EXPECT_THAT(cloud->DescribeSnapshots({c, east}, {.filters = {{"colour", {"x"}}}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  // Another account's snapshot comes without its owner's tags and permissions.
  const Snapshot seen =
      cloud->DescribeSnapshots({b, east}, {.snapshot_ids = {shared.ToString()}}).value().snapshots[0];
  EXPECT_TRUE(seen.tags().empty());
  EXPECT_THAT(seen.create_volume_permissions().accounts, IsEmpty());
}

TEST_F(DescribeSnapshots, SNAP_3_BlockAllSharingHidesPublicSnapshotsFromOthers) {
  const SnapshotId pub = SeedSnapshot(owner, east, true);
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess({owner, east}, "block-all-sharing"), IsOk());
  EXPECT_THAT(cloud->DescribeSnapshots({c, east}, {}).value().snapshots, IsEmpty());
  EXPECT_EQ(cloud->DescribeSnapshots({owner, east}, {}).value().snapshots.size(), 1u);
  ASSERT_THAT(cloud->EnableSnapshotBlockPublicAccess({owner, east}, "block-new-sharing"), IsOk());
  ASSERT_EQ(cloud->DescribeSnapshots({c, east}, {}).value().snapshots.size(), 1u);
  EXPECT_EQ(cloud->DescribeSnapshots({c, east}, {}).value().snapshots[0].id(), pub);
}

TEST_F(DescribeSnapshots, DESC_12_SnapshotPagesReturnEachOnce) {
  std::set<std::string> want;
  for (int i = 0; i < 53; ++i) want.insert(SeedSnapshot(owner, east, i % 2 == 0).ToString());
  for (const AccountId who : {owner, c}) {
    std::set<std::string> got;
    size_t count = 0;
    DescribeSnapshotsRequest r{.max_results = 5};
    for (int pages = 0; pages < 100; ++pages) {
      const DescribeSnapshotsResult page = cloud->DescribeSnapshots({who, east}, r).value();
      for (const Snapshot& s : page.snapshots) got.insert(s.id().ToString()), ++count;
      if (page.next_token.empty()) break;
      r.next_token = page.next_token;
    }
    EXPECT_EQ(count, got.size());
    EXPECT_EQ(got.size(), who == owner ? 53u : 27u);
  }
}

}  // namespace
}  // namespace ami
