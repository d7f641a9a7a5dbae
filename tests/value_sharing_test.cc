// A cloud keeps one copy of each distinct tag set, snapshot body and instance body: equal parts share storage
// whichever way the values arrived (generated and imported, launched, loaded from a state
// file), and the pool drops what no value holds any more.
#include "values/value_sharing.h"

#include "cloud/image_index.h"
#include "cloud/value_table.h"

#include <map>
#include <set>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "ami/cloud.h"
#include "ami/io/state_file.h"
#include "ami/tools/fleet.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::IsOk;
using ::testing::ElementsAre;

TEST(InternSet, EqualValuesShareOneCopy) {
  internal::InternSet<std::string> set;
  const auto first = set.Intern(std::make_shared<const std::string>("alpha"));
  const auto again = set.Intern(std::make_shared<const std::string>("alpha"));
  const auto other = set.Intern(std::make_shared<const std::string>("beta"));
  EXPECT_EQ(again.get(), first.get());
  EXPECT_NE(other.get(), first.get());
  EXPECT_EQ(set.size(), 2u);
}

TEST(InternSet, DropsWhatNoValueHoldsAndKeepsWhatOneDoes) {
  internal::InternSet<std::string> set;
  std::vector<std::shared_ptr<const std::string>> held;
  for (int i = 0; i < 100; ++i) {
    held.push_back(set.Intern(std::make_shared<const std::string>("held" + std::to_string(i))));
  }
  for (int i = 0; i < 20000; ++i) set.Intern(std::make_shared<const std::string>(std::to_string(i)));
  // Pruned whenever it doubled: never more than twice what was held at the last look, or 1024.
  EXPECT_LE(set.size(), 2048u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(set.Intern(std::make_shared<const std::string>("held" + std::to_string(i))).get(),
              held[i].get());
  }
}

// A value with an id, for ValueTable.
struct Named {
  int id() const { return number; }
  int number = 0;
  std::string text;
};

TEST(ValueTable, FindsAddsAndReplacesById) {
  internal::ValueTable<int, Named> table;
  EXPECT_EQ(table.Find(7), nullptr);
  EXPECT_FALSE(table.contains(7));
  for (int i = 0; i < 5000; ++i) table.Put(std::make_shared<const Named>(Named{i, "first"}));
  EXPECT_EQ(table.size(), 5000u);
  table.Put(std::make_shared<const Named>(Named{7, "second"}));
  EXPECT_EQ(table.size(), 5000u);
  ASSERT_NE(table.Find(7), nullptr);
  EXPECT_EQ(table.Find(7)->text, "second");
  EXPECT_EQ(table.Find(8)->text, "first");
  EXPECT_TRUE(table.contains(4999));
  EXPECT_FALSE(table.contains(5000));
  std::set<int> seen;
  for (const auto& value : table) seen.insert(value->id());
  EXPECT_EQ(seen.size(), 5000u);
  EXPECT_EQ(*seen.begin(), 0);
  EXPECT_EQ(*seen.rbegin(), 4999);
  const internal::ValueTable<int, Named> copy = table;
  EXPECT_EQ(copy.Find(7)->text, "second");
  EXPECT_EQ(copy.Find(7), table.Find(7));  // Copies share the values.
}

// For every distinct tag set and instance body among the cloud's instances and images, the
// number of copies stored (distinct addresses).
struct Copies {
  int tag_sets = 0, tag_copies = 0, bodies = 0, body_copies = 0;
  int snapshot_bodies = 0, snapshot_body_copies = 0;
};

Copies CountCopies(const Cloud& cloud) {
  std::map<std::vector<std::pair<std::string, std::string>>, std::set<const void*>> tags;
  std::map<std::tuple<std::string, std::string, std::string, bool, std::string>, std::set<const void*>>
      bodies;
  auto add_tags = [&tags](const TagSet& t) {
    if (t.empty()) return;
    std::vector<std::pair<std::string, std::string>> key;
    for (const Tag& tag : t) key.emplace_back(tag.key(), tag.value());
    tags[key].insert(&t.tags());
  };
  const std::vector<Instance> instances = cloud.ListInstances();
  const std::vector<Image> images = cloud.ListImages();
  const std::vector<Snapshot> snapshots = cloud.ListSnapshots();
  std::map<std::tuple<std::string, std::string, std::vector<AccountId>, bool>, std::set<const void*>>
      snapshot_bodies;
  cloud.Evaluate([&](const StateView& view) {
    for (const Instance& listed : instances) {
      const Instance& i = *view.FindInstance(listed.id());
      add_tags(i.tags());
      std::string codes;
      for (const ProductCode& c : i.product_codes()) codes += c.code + ",";
      codes += "|";
      for (const AttachedVolume& v : i.volumes()) codes += v.device_name + ",";
      bodies[{i.instance_type(), i.root_device_name(), i.platform_details(), i.imds_v2_required(),
              codes}]
          .insert(&i.instance_type());
    }
    for (const Image& listed : images) add_tags(view.FindImage(listed.id())->tags());
    for (const Snapshot& listed : snapshots) {
      const Snapshot& s = *view.FindSnapshot(listed.id());
      snapshot_bodies[{s.description(), s.state_message(), s.create_volume_permissions().accounts,
                       s.is_public()}]
          .insert(&s.description());
    }
    return Decision();
  });
  Copies c;
  for (const auto& [key, where] : tags) {
    ++c.tag_sets;
    c.tag_copies += static_cast<int>(where.size());
  }
  for (const auto& [key, where] : bodies) {
    ++c.bodies;
    c.body_copies += static_cast<int>(where.size());
  }
  for (const auto& [key, where] : snapshot_bodies) {
    ++c.snapshot_bodies;
    c.snapshot_body_copies += static_cast<int>(where.size());
  }
  return c;
}

TEST(ValueSharing, GeneratedAndLoadedCloudsKeepOneCopyOfEachTagSetAndBody) {
  FleetSpec spec;
  spec.accounts = 50;
  spec.images = 300;
  spec.instances = 3000;
  absl::StatusOr<Fleet> fleet = GenerateFleet(spec);
  ASSERT_THAT(fleet, IsOk());
  const Copies generated = CountCopies(*fleet->cloud);
  EXPECT_GT(generated.tag_sets, 50);
  EXPECT_GT(generated.bodies, 4);
  EXPECT_EQ(generated.tag_copies, generated.tag_sets);
  EXPECT_EQ(generated.body_copies, generated.bodies);
  EXPECT_GT(generated.snapshot_bodies, 10);
  EXPECT_EQ(generated.snapshot_body_copies, generated.snapshot_bodies);

  std::stringstream file;
  ASSERT_THAT(SaveState(*fleet->cloud, file), IsOk());
  absl::StatusOr<std::unique_ptr<Cloud>> loaded = LoadState(file);
  ASSERT_THAT(loaded, IsOk());
  ASSERT_TRUE((*loaded)->StateEquals(*fleet->cloud));
  const Copies reloaded = CountCopies(**loaded);
  EXPECT_EQ(reloaded.tag_sets, generated.tag_sets);
  EXPECT_EQ(reloaded.tag_copies, reloaded.tag_sets);
  EXPECT_EQ(reloaded.body_copies, reloaded.bodies);
  EXPECT_EQ(reloaded.snapshot_bodies, generated.snapshot_bodies);
  EXPECT_EQ(reloaded.snapshot_body_copies, reloaded.snapshot_bodies);
}

// ---- Tag index ----------------------------------------------------------------------------------

Snapshot TaggedSnapshot(uint32_t number, std::vector<std::pair<std::string, std::string>> tags) {
  std::vector<Tag> list;
  for (const auto& [k, v] : tags) list.push_back(*Tag::Create(k, v));
  return *Snapshot::Builder()
              .set_id(SnapshotId::Short(number))
              .set_owner(*AccountId::Parse("111122223333"))
              .set_region(*Region::Parse("us-east-1"))
              .set_tags(*TagSet::Create(std::move(list)))
              .Build();
}

TEST(TagIndex, FindsByTagAndKeyAndForgetsStringsNoEntryUses) {
  internal::SnapshotIndex index;
  const AccountId owner = *AccountId::Parse("111122223333");
  const AccountId other = *AccountId::Parse("444455556666");
  const Region east = *Region::Parse("us-east-1");
  const Snapshot a = TaggedSnapshot(1, {{"env", "prod"}, {"team", "web"}});
  const Snapshot b = TaggedSnapshot(2, {{"env", "prod"}});
  const Snapshot c = TaggedSnapshot(3, {{"env", "dev"}});
  index.Update(nullptr, &a);
  index.Update(nullptr, &b);
  index.Update(nullptr, &c);
  ASSERT_NE(index.ByTag(owner, east, "env", "prod"), nullptr);
  EXPECT_THAT(*index.ByTag(owner, east, "env", "prod"), ElementsAre(a.id(), b.id()));
  EXPECT_THAT(*index.ByTag(owner, east, "env", "dev"), ElementsAre(c.id()));
  EXPECT_THAT(*index.ByTagKey(owner, east, "env"), ElementsAre(a.id(), b.id(), c.id()));
  EXPECT_THAT(*index.ByTagKey(owner, east, "team"), ElementsAre(a.id()));
  EXPECT_EQ(index.ByTag(owner, east, "env", "test"), nullptr);
  EXPECT_EQ(index.ByTag(other, east, "env", "prod"), nullptr);
  EXPECT_EQ(index.ByTagKey(owner, east, "nope"), nullptr);
  EXPECT_EQ(index.tag_strings(), 5u);  // env, prod, dev, team, web.
  // Another account's tags on `c` (SHARE-13) are its own.
  index.AddTags(other, east, c.id(), *TagSet::Create({*Tag::Create("env", "prod")}));
  EXPECT_THAT(*index.ByTag(other, east, "env", "prod"), ElementsAre(c.id()));
  EXPECT_THAT(*index.ByTag(owner, east, "env", "prod"), ElementsAre(a.id(), b.id()));
  // Retagging replaces: the old value's entry goes, its string with it once nothing uses it.
  const Snapshot c2 = TaggedSnapshot(3, {{"env", "test"}});
  index.Update(&c, &c2);
  EXPECT_EQ(index.ByTag(owner, east, "env", "dev"), nullptr);
  EXPECT_THAT(*index.ByTag(owner, east, "env", "test"), ElementsAre(c.id()));
  EXPECT_EQ(index.tag_strings(), 5u);  // dev gone, test new.
  index.Update(&a, nullptr);
  EXPECT_EQ(index.ByTagKey(owner, east, "team"), nullptr);
  EXPECT_EQ(index.tag_strings(), 3u);  // env, prod, test.
  index.RemoveTags(other, east, c.id(), *TagSet::Create({*Tag::Create("env", "prod")}));
  index.Update(&b, nullptr);
  EXPECT_EQ(index.ByTag(owner, east, "env", "prod"), nullptr);
  EXPECT_EQ(index.tag_strings(), 2u);  // env, test.
  index.Update(&c2, nullptr);
  EXPECT_EQ(index.tag_strings(), 0u);
  EXPECT_EQ(index.ByTagKey(owner, east, "env"), nullptr);
  // Numbers of forgotten strings are reused, and the answers stay right.
  index.Update(nullptr, &b);
  index.Update(nullptr, &c);
  EXPECT_THAT(*index.ByTag(owner, east, "env", "prod"), ElementsAre(b.id()));
  EXPECT_THAT(*index.ByTag(owner, east, "env", "dev"), ElementsAre(c.id()));
  EXPECT_EQ(index.tag_strings(), 3u);
}

}  // namespace
}  // namespace ami
