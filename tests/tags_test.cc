#include "ami/attributes.h"

#include <string>
#include <vector>

#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::HasErrorCode;
using ::ami::testing::IsOk;

Tag T(const std::string& k, const std::string& v) { return *Tag::Create(k, v); }

std::vector<Tag> ManyTags(int n, const std::string& prefix = "k") {
  std::vector<Tag> tags;
  for (int i = 0; i < n; ++i) tags.push_back(T(prefix + std::to_string(i), "v"));
  return tags;
}

TEST(Tag, ValidKeysAndValues) {
  EXPECT_THAT(Tag::Create("Name", ""), IsOk());
  EXPECT_THAT(Tag::Create(std::string(128, 'k'), std::string(256, 'v')), IsOk());
  // Lengths count Unicode characters, not bytes: 128 two-byte characters are fine.
  std::string wide;
  for (int i = 0; i < 128; ++i) wide += "\xc3\xa9";
  EXPECT_THAT(Tag::Create(wide, "caf\xc3\xa9"), IsOk());
}
TEST(Tag, EmptyKeyIsInvalid) {
  EXPECT_THAT(Tag::Create("", "v"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(Tag, KeyOver128IsInvalid) {
  EXPECT_THAT(Tag::Create(std::string(129, 'k'), "v"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(Tag, ValueOver256IsInvalid) {
  EXPECT_THAT(Tag::Create("k", std::string(257, 'v')), HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(Tag, InvalidUtf8IsInvalid) {
  EXPECT_THAT(Tag::Create("k\xff", "v"), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Tag::Create("k", "\xc3"), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(Tag::Create("k", "\xed\xa0\x80"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(TagSet, SortedAndSearchable) {
  absl::StatusOr<TagSet> s = TagSet::Create({T("b", "2"), T("a", "1"), T("c", "")});
  ASSERT_THAT(s, IsOk());
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ(s->tags()[0].key(), "a");
  EXPECT_EQ(s->tags()[2].key(), "c");
  EXPECT_EQ(s->Find("b"), absl::string_view("2"));
  EXPECT_EQ(s->Find("c"), absl::string_view(""));
  EXPECT_FALSE(s->Find("d").has_value());
}
TEST(TagSet, FiftyUserTagsAreAllowed) {
  EXPECT_THAT(TagSet::Create(ManyTags(50)), IsOk());
}
TEST(TagSet, FiftyOneUserTagsExceedTheLimit) {
  EXPECT_THAT(TagSet::Create(ManyTags(51)), HasErrorCode(ErrorCode::kTagLimitExceeded));
}
TEST(TagSet, SystemTagsDoNotCountTowardTheLimit) {
  std::vector<Tag> tags = ManyTags(50);
  tags.push_back(T("aws:backup:source-resource", "i-1234567890abcdef0"));
  EXPECT_THAT(TagSet::Create(tags), IsOk());
}
TEST(TagSet, DuplicateKeysAreInvalid) {
  EXPECT_THAT(TagSet::Create({T("a", "1"), T("a", "2")}), HasErrorCode(ErrorCode::kInvalidParameterValue));
}
TEST(TagSet, UsersCannotCreateAwsTags) {
  EXPECT_THAT(TagSet::CreateUserTags({T("aws:owner", "me")}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(TagSet::CreateUserTags({T("awsome", "yes")}), IsOk());
}
TEST(TagSet, WithReplacesAndAdds) {
  const TagSet base = *TagSet::Create({T("a", "1"), T("b", "2")});
  const TagSet added = *TagSet::Create({T("b", "20"), T("c", "3")});
  absl::StatusOr<TagSet> merged = base.With(added);
  ASSERT_THAT(merged, IsOk());
  EXPECT_EQ(*merged, *TagSet::Create({T("a", "1"), T("b", "20"), T("c", "3")}));
}
TEST(TagSet, WithPastTheLimitFails) {
  const TagSet base = *TagSet::Create(ManyTags(50));
  EXPECT_THAT(base.With(*TagSet::Create({T("extra", "1")})), HasErrorCode(ErrorCode::kTagLimitExceeded));
}
TEST(TagSet, WithoutRemovesKeys) {
  const TagSet base = *TagSet::Create({T("a", "1"), T("b", "2"), T("aws:x", "y")});
  EXPECT_EQ(base.Without({"a", "zzz"}), *TagSet::Create({T("b", "2"), T("aws:x", "y")}));
  EXPECT_EQ(base.UserTags(), *TagSet::Create({T("a", "1"), T("b", "2")}));
}
TEST(TagSet, HashAndEquality) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {TagSet(), *TagSet::Create({T("a", "1")}), *TagSet::Create({T("a", "2")}),
       *TagSet::Create({T("a", "1"), T("b", "1")})}));
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({T("a", "1"), T("a", ""), T("b", "1")}));
}

TEST(TagSet, CopiesShareTheirTagsAndCompareByContent) {
  const TagSet a = *TagSet::Create({T("b", "2"), T("a", "1")});
  const TagSet copy = a;
  EXPECT_EQ(&copy.tags(), &a.tags());
  const TagSet separate = *TagSet::Create({T("a", "1"), T("b", "2")});
  EXPECT_NE(&separate.tags(), &a.tags());
  EXPECT_EQ(separate, a);
  EXPECT_EQ(absl::Hash<TagSet>()(separate), absl::Hash<TagSet>()(a));
  EXPECT_NE(*TagSet::Create({T("a", "1"), T("b", "3")}), a);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.tags()[0].key(), "a");
  EXPECT_EQ(a.Find("b"), "2");
}
TEST(TagSet, NoTagsLeftIsTheEmptySet) {
  const TagSet none = TagSet(*TagSet::Create({T("a", "1")})).Without({"a"});
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.begin(), none.end());
  EXPECT_EQ(none, TagSet());
  EXPECT_EQ(absl::Hash<TagSet>()(none), absl::Hash<TagSet>()(TagSet()));
  EXPECT_EQ(none.Find("a"), std::nullopt);
  EXPECT_EQ(*TagSet::Create({}), TagSet());
}

}  // namespace
}  // namespace ami
