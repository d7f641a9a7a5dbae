// The testing kit (ami/testing/matchers.h, ami/testing/no_change.h): each matcher matching and
// not matching, its description and negation, and golden explanations of its failures;
// EXPECT_NO_CHANGE passing and failing with its golden message.
#include <fstream>
#include <memory>
#include <sstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ami/ami.h"
#include "ami/cloud.h"
#include "ami/testing/matchers.h"
#include "ami/testing/no_change.h"
#include "gmock/gmock.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "tests/cloud_fixture.h"

namespace ami {
namespace {

using ::ami::testing::EncryptedWith;
using ::ami::testing::HasErrorCode;
using ::ami::testing::HasLaunchPermissionFor;
using ::ami::testing::HasReason;
using ::ami::testing::HasState;
using ::ami::testing::HasTag;
using ::ami::testing::IsAllowed;
using ::ami::testing::IsCrashConsistent;
using ::ami::testing::IsDenied;
using ::ami::testing::IsDeniedBy;
using ::ami::testing::IsFileSystemConsistent;
using ::ami::testing::IsOk;
using ::ami::testing::IsOkAndHolds;
using ::ami::testing::IsPublic;
using ::ami::testing::Must;
using ::ami::testing::OwnedBy;
using ::ami::testing::User;
using ::ami::testing::WasRebooted;
using ::testing::Eq;
using ::testing::Gt;
using ::testing::HasSubstr;
using ::testing::Not;

// What `m` says it matches, and what its negation says.
template <typename T, typename M>
std::string Describe(const M& m) {
  return ::testing::DescribeMatcher<T>(m);
}
template <typename T, typename M>
std::string DescribeNot(const M& m) {
  return ::testing::DescribeMatcher<T>(m, /*negation=*/true);
}
// What `m` explains about `value`, matching or not.
template <typename T, typename M>
std::string Explain(const M& m, const T& value) {
  ::testing::StringMatchResultListener listener;
  ::testing::ExplainMatchResult(m, value, &listener);
  return listener.str();
}
// The messages of the failures that `f` reports, one per line.
template <typename F>
std::string FailuresOf(F&& f) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    f();
  }
  std::string out;
  for (int i = 0; i < results.size(); ++i) {
    out += std::string(results.GetTestPartResult(i).message()) + "\n";
  }
  return out;
}

class TestingKit : public testing::CloudFixture {
 protected:
  void SetUp() override { image = SeedImage(owner); }
  Image GetImage(ImageId id) const { return *cloud->GetImage(id); }

  // An unshared image of `owner`.
  ImageId image = ImageId::Long(0);
};

// ---- Decisions ----

TEST_F(TestingKit, IsAllowedAndIsDeniedMatchTheEffect) {
  const Decision allow = MayLaunch(image, owner);
  const Decision deny = MayLaunch(image, b);
  EXPECT_THAT(allow, IsAllowed());
  EXPECT_THAT(allow, Not(IsDenied()));
  EXPECT_THAT(deny, IsDenied());
  EXPECT_THAT(deny, Not(IsAllowed()));
  EXPECT_THAT(Decision(), IsDenied());  // No permit: denies.
}

TEST_F(TestingKit, DecisionMatchersDescribeThemselves) {
  EXPECT_EQ(Describe<Decision>(IsAllowed()), "is an allow");
  EXPECT_EQ(DescribeNot<Decision>(IsAllowed()), "is a deny");
  EXPECT_EQ(Describe<Decision>(IsDenied()), "is a deny");
  EXPECT_EQ(DescribeNot<Decision>(IsDenied()), "is an allow");
  EXPECT_EQ(Describe<Decision>(IsDeniedBy("LAUNCH-4")), "is a deny by LAUNCH-4");
  EXPECT_EQ(DescribeNot<Decision>(IsDeniedBy("LAUNCH-4")), "is not a deny by LAUNCH-4");
  EXPECT_EQ(Describe<Decision>(HasReason("LAUNCH-4", HasSubstr("not shared"))),
            "has a reason LAUNCH-4 whose message has substring \"not shared\"");
  EXPECT_EQ(DescribeNot<Decision>(HasReason("LAUNCH-4", "x")),
            "has no reason LAUNCH-4 whose message is equal to \"x\"");
}

TEST_F(TestingKit, DecisionFailuresPrintTheFullExplanation) {
  const Decision allow = MayLaunch(image, owner);
  const Decision deny = MayLaunch(image, b);
  EXPECT_EQ(Explain(IsAllowed(), deny), "which is " + deny.Explain());
  EXPECT_EQ(Explain(IsDenied(), allow), "which is " + allow.Explain());
  EXPECT_EQ(Explain(IsDeniedBy("SHARE-16"), deny), "which is " + deny.Explain());
  EXPECT_EQ(Explain(HasReason("LAUNCH-4", "x"), allow), "which is " + allow.Explain());
  EXPECT_EQ(Explain(IsAllowed(), deny),
            "which is DENY\n"
            "  denied by LAUNCH-4: account `444455556666` is not authorized for image "
            "`ami-00000000a11e00002`: it is not shared with the account, its organization or its "
            "OUs, and it is not public [AuthFailure]");
  EXPECT_EQ(Explain(IsDenied(), allow),
            "which is ALLOW\n"
            "  because SHARE-1: account `111122223333` owns image `ami-00000000a11e00002`");
}

TEST_F(TestingKit, IsDeniedByNeedsADenyByThatRule) {
  const Decision deny = MayLaunch(image, b);
  ASSERT_EQ(testing::Rules(deny), std::vector<std::string>{"LAUNCH-4"});
  EXPECT_THAT(deny, IsDeniedBy("LAUNCH-4"));
  EXPECT_THAT(deny, IsDeniedBy(std::string("LAUNCH-4")));
  EXPECT_THAT(deny, Not(IsDeniedBy("SHARE-16")));
  EXPECT_THAT(MayLaunch(image, owner), Not(IsDeniedBy("LAUNCH-4")));
}

TEST_F(TestingKit, HasReasonMatchesRuleAndMessageOfADecidingReason) {
  const Decision deny = MayLaunch(image, b);
  const std::string message = deny.reasons().front().Message();
  EXPECT_THAT(deny, HasReason("LAUNCH-4", message));
  EXPECT_THAT(deny, HasReason("LAUNCH-4", HasSubstr("444455556666")));
  EXPECT_THAT(deny, Not(HasReason("LAUNCH-4", HasSubstr("777788889999"))));
  EXPECT_THAT(deny, Not(HasReason("SHARE-16", message)));
  const Decision allow = MayLaunch(image, owner);
  ASSERT_FALSE(allow.reasons().empty());
  const Reason& permit = allow.reasons().front();
  EXPECT_THAT(allow, HasReason(std::string(permit.rule()), permit.Message()));
  EXPECT_THAT(allow, Not(HasReason(std::string(permit.rule()), "another message")));
}

// ---- Statuses ----

// How `bad` below prints: canonical code, message, and the AWS error code's payload.
const std::string kBadText =
    "INVALID_ARGUMENT: invalid id `ami-x` [type.libami.dev/ami.ErrorCode='InvalidAMIID.Malformed']";

TEST(TestingKitStatus, IsOkMatchesOkStatusAndStatusOr) {
  const absl::Status bad = MakeError(ErrorCode::kInvalidAMIIDMalformed, "invalid id `ami-x`");
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(absl::StatusOr<int>(3), IsOk());
  EXPECT_THAT(bad, Not(IsOk()));
  EXPECT_THAT(absl::StatusOr<int>(bad), Not(IsOk()));
  EXPECT_EQ(Describe<absl::Status>(IsOk()), "is OK");
  EXPECT_EQ(DescribeNot<absl::Status>(IsOk()), "is not OK");
  EXPECT_EQ(Explain(IsOk(), bad), "whose status is " + kBadText);
  EXPECT_EQ(Explain(IsOk(), absl::OkStatus()), "");
}

TEST(TestingKitStatus, HasErrorCodeNeedsTheAwsCodeAndItsCanonicalCode) {
  const absl::Status bad = MakeError(ErrorCode::kInvalidAMIIDMalformed, "invalid id `ami-x`");
  EXPECT_THAT(bad, HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(absl::StatusOr<int>(bad), HasErrorCode(ErrorCode::kInvalidAMIIDMalformed));
  EXPECT_THAT(bad, Not(HasErrorCode(ErrorCode::kAuthFailure)));
  EXPECT_THAT(absl::OkStatus(), Not(HasErrorCode(ErrorCode::kInvalidAMIIDMalformed)));
  // The AWS code's name without its payload is not enough.
  EXPECT_THAT(absl::InvalidArgumentError("invalid id `ami-x`"),
              Not(HasErrorCode(ErrorCode::kInvalidAMIIDMalformed)));
  EXPECT_EQ(Describe<absl::Status>(HasErrorCode(ErrorCode::kAuthFailure)),
            "has AWS error code AuthFailure");
  EXPECT_EQ(DescribeNot<absl::Status>(HasErrorCode(ErrorCode::kAuthFailure)),
            "has no AWS error code AuthFailure");
  EXPECT_EQ(Explain(HasErrorCode(ErrorCode::kAuthFailure), bad), "whose status is " + kBadText);
}

TEST(TestingKitStatus, IsOkAndHoldsMatchesTheValueOfAnOkStatusOr) {
  const absl::StatusOr<int> three = 3;
  const absl::StatusOr<int> bad =
      MakeError(ErrorCode::kInvalidAMIIDMalformed, "invalid id `ami-x`");
  EXPECT_THAT(three, IsOkAndHolds(3));
  EXPECT_THAT(three, IsOkAndHolds(Gt(2)));
  EXPECT_THAT(three, Not(IsOkAndHolds(4)));
  EXPECT_THAT(bad, Not(IsOkAndHolds(Gt(2))));
  EXPECT_THAT(absl::StatusOr<std::string>("abc"), IsOkAndHolds(HasSubstr("b")));
  EXPECT_EQ(Describe<const absl::StatusOr<int>&>(IsOkAndHolds(Gt(2))),
            "is OK and has a value that is > 2");
  EXPECT_EQ(DescribeNot<const absl::StatusOr<int>&>(IsOkAndHolds(Gt(2))),
            "is not OK or has a value that isn't > 2");
  EXPECT_EQ(Explain(IsOkAndHolds(4), three), "whose value 3 does not match");
  EXPECT_EQ(Explain(IsOkAndHolds(Gt(2)), bad), "whose status is " + kBadText);
}

// ---- Values ----

TEST_F(TestingKit, OwnedByAndHasStateReadTheValue) {
  const Image img = GetImage(image);
  const Snapshot snap = *cloud->GetSnapshot(RootSnapshot(image));
  EXPECT_THAT(img, OwnedBy(owner));
  EXPECT_THAT(snap, OwnedBy(owner));
  EXPECT_THAT(img, Not(OwnedBy(b)));
  EXPECT_THAT(cloud->GetImage(image), ::testing::Optional(OwnedBy(owner)));
  EXPECT_THAT(img, HasState(ImageState::kAvailable));
  EXPECT_THAT(img, Not(HasState(ImageState::kPending)));
  EXPECT_THAT(snap, HasState(SnapshotState::kCompleted));
  EXPECT_EQ(Describe<Image>(OwnedBy(b)), "owner is `444455556666`");
  EXPECT_EQ(DescribeNot<Image>(OwnedBy(b)), "owner is not `444455556666`");
  EXPECT_EQ(Explain(OwnedBy(b), img), "whose owner is `111122223333`");
  EXPECT_EQ(Describe<Image>(HasState(ImageState::kPending)), "state is pending");
  EXPECT_EQ(Explain(HasState(ImageState::kPending), img), "whose state is available");
}

TEST_F(TestingKit, InstanceStateIsMatched) {
  const std::vector<InstanceId> launched = Must(Launch(as_owner, image));
  ASSERT_EQ(launched.size(), 1u);
  const Instance instance = *cloud->GetInstance(launched[0]);
  EXPECT_THAT(instance, OwnedBy(owner));
  EXPECT_THAT(instance, HasState(InstanceState::kPending));
  EXPECT_THAT(instance, Not(HasState(InstanceState::kRunning)));
  EXPECT_EQ(Explain(HasState(InstanceState::kRunning), instance), "whose state is pending");
}

TEST_F(TestingKit, WasRebootedReadsTheRebootCount) {
  const std::vector<InstanceId> launched = Must(Launch(as_owner, image));
  ASSERT_EQ(launched.size(), 1u);
  cloud->AdvanceClock(absl::Minutes(5));
  EXPECT_THAT(*cloud->GetInstance(launched[0]), WasRebooted(0));
  ASSERT_THAT(cloud->CreateImage(as_owner, {launched[0].ToString(), "rebooted"}), IsOk());
  const Instance instance = *cloud->GetInstance(launched[0]);
  EXPECT_THAT(instance, WasRebooted(1));
  EXPECT_THAT(instance, Not(WasRebooted(0)));
  EXPECT_EQ(Describe<Instance>(WasRebooted(2)), "reboot count is 2");
  EXPECT_EQ(DescribeNot<Instance>(WasRebooted(2)), "reboot count is not 2");
  EXPECT_EQ(Explain(WasRebooted(2), instance), "whose reboot count is 1");
}

TEST_F(TestingKit, ConsistencyMatchers) {
  const Snapshot root = Import(NewSnapshot(owner, east));
  const Image crash = GetImage(Import(NewImage(owner, root).set_consistency(
      ImageConsistency::kCrashConsistent)));
  const Image unknown = GetImage(image);
  EXPECT_THAT(crash, IsCrashConsistent());
  EXPECT_THAT(crash, Not(IsFileSystemConsistent()));
  EXPECT_THAT(unknown, Not(IsCrashConsistent()));
  EXPECT_THAT(unknown, Not(IsFileSystemConsistent()));
  EXPECT_EQ(Describe<Image>(IsCrashConsistent()), "consistency is crash-consistent");
  EXPECT_EQ(Describe<Image>(IsFileSystemConsistent()), "consistency is file-system-consistent");
  EXPECT_EQ(DescribeNot<Image>(IsFileSystemConsistent()),
            "consistency is not file-system-consistent");
  EXPECT_EQ(Explain(IsFileSystemConsistent(), crash), "whose consistency is crash-consistent");
}

TEST_F(TestingKit, EncryptedWithNamesTheSnapshotKey) {
  const KmsKeyArn key = NewKey(owner, east);
  const KmsKeyArn other = NewKey(owner, east);
  const Snapshot encrypted = *cloud->GetSnapshot(SeedSnapshot(owner, key));
  const Snapshot plain = *cloud->GetSnapshot(SeedSnapshot(owner));
  EXPECT_THAT(encrypted, EncryptedWith(key));
  EXPECT_THAT(encrypted, Not(EncryptedWith(other)));
  EXPECT_THAT(plain, Not(EncryptedWith(key)));
  EXPECT_EQ(Describe<Snapshot>(EncryptedWith(key)), "KMS key is `" + key.ToString() + "`");
  EXPECT_EQ(Explain(EncryptedWith(key), plain), "whose KMS key is none (unencrypted)");
  EXPECT_EQ(Explain(EncryptedWith(other), encrypted), "whose KMS key is `" + key.ToString() + "`");
}

TEST_F(TestingKit, IsPublicAndHasLaunchPermissionFor) {
  ASSERT_THAT(Share(as_owner, image, {User(b)}), IsOk());
  const Image shared = GetImage(image);
  const Image pub = GetImage(SeedImage(owner, {.is_public = true}));
  EXPECT_THAT(pub, IsPublic());
  EXPECT_THAT(shared, Not(IsPublic()));
  EXPECT_THAT(shared, HasLaunchPermissionFor(b));
  EXPECT_THAT(shared, Not(HasLaunchPermissionFor(c)));
  EXPECT_THAT(pub, HasLaunchPermissionFor(c));
  const Snapshot public_snapshot = *cloud->GetSnapshot(SeedSnapshot(owner, std::nullopt, true));
  EXPECT_THAT(public_snapshot, IsPublic());
  EXPECT_THAT(*cloud->GetSnapshot(RootSnapshot(image)), Not(IsPublic()));
  EXPECT_EQ(Describe<Image>(IsPublic()), "is public");
  EXPECT_EQ(DescribeNot<Image>(IsPublic()), "is not public");
  EXPECT_EQ(Explain(IsPublic(), shared), "image `" + image.ToString() + "` is not public");
  EXPECT_EQ(Describe<Image>(HasLaunchPermissionFor(c)),
            "has launch permission for `777788889999`");
  EXPECT_EQ(DescribeNot<Image>(HasLaunchPermissionFor(c)),
            "has no launch permission for `777788889999`");
  EXPECT_EQ(Explain(HasLaunchPermissionFor(c), shared),
            "whose launch permissions are accounts [444455556666]");
  EXPECT_EQ(Explain(HasLaunchPermissionFor(c), pub),
            "whose launch permissions are accounts [], public");
}

TEST_F(TestingKit, HasTagNeedsKeyAndValue) {
  const TagSet tags = Must(TagSet::Create({Must(Tag::Create("team", "web")),
                                           Must(Tag::Create("env", "prod"))}));
  const Snapshot root = Import(NewSnapshot(owner, east));
  const Image tagged = GetImage(Import(NewImage(owner, root).set_tags(tags)));
  EXPECT_THAT(tagged, HasTag("team", "web"));
  EXPECT_THAT(tagged, Not(HasTag("team", "db")));
  EXPECT_THAT(tagged, Not(HasTag("owner", "web")));
  EXPECT_EQ(Describe<Image>(HasTag("team", "db")), "has tag team=db");
  EXPECT_EQ(DescribeNot<Image>(HasTag("team", "db")), "has no tag team=db");
  EXPECT_EQ(Explain(HasTag("team", "db"), tagged), "whose tags are {env=prod, team=web}");
  EXPECT_EQ(Explain(HasTag("team", "db"), GetImage(image)), "whose tags are {}");
  const Snapshot snapshot = Import(NewSnapshot(owner, east).set_tags(tags));
  EXPECT_THAT(snapshot, HasTag("env", "prod"));
  EXPECT_THAT(snapshot, Not(HasTag("env", "dev")));
}

// ---- EXPECT_NO_CHANGE ----

TEST_F(TestingKit, NoChangePassesWhenADeniedCallChangedNothing) {
  EXPECT_EQ(FailuresOf([&] {
              EXPECT_NO_CHANGE(cloud, EXPECT_THAT(Share(as_b, image, {User(c)}), Not(IsOk())));
            }),
            "");
  EXPECT_EQ(FailuresOf([&] { EXPECT_NO_CHANGE(*cloud, (void)MayLaunch(image, b)); }), "");
}

TEST_F(TestingKit, NoChangeFailsWhenTheCloudChanged) {
  EXPECT_EQ(FailuresOf([&] {
              EXPECT_NO_CHANGE(cloud, testing::Check(Share(as_owner, image, {User(c)})));
            }),
            "Failed\nthe state of `cloud` changed while running "
            "`testing::Check(Share(as_owner, image, {User(c)}))`\n");
  EXPECT_THAT(GetImage(image), HasLaunchPermissionFor(c));
  EXPECT_EQ(FailuresOf([&] { EXPECT_NO_CHANGE(*cloud, cloud->AdvanceClock(absl::Seconds(1))); }),
            "Failed\nthe state of `*cloud` changed while running "
            "`cloud->AdvanceClock(absl::Seconds(1))`\n");
}

TEST_F(TestingKit, NoChangeReportsTheStatementsOwnFailuresToo) {
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_CHANGE(cloud, EXPECT_THAT(MayLaunch(image, b), IsAllowed())),
                          "which is DENY\n  denied by LAUNCH-4: account `444455556666`");
}

// ---- README ----

std::string ReadSource(const std::string& path) {
  std::ifstream in(std::string(AMI_SOURCE_DIR) + "/" + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The README's example is the installed consumer's unit test (after its two comment lines),
// which the install test builds and runs.
TEST(TestingKitReadme, ExampleIsTheInstalledConsumersTest) {
  const std::string test = ReadSource("tests/install/consumer/policy_test.cc");
  const size_t code = test.find("#include");
  ASSERT_NE(code, std::string::npos);
  EXPECT_THAT(ReadSource("README.md"), HasSubstr("```cpp\n" + test.substr(code) + "```\n"));
}

}  // namespace
}  // namespace ami
