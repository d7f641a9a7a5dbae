#include "ami/tools/modelling_choices.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ami {
namespace {

std::string ReadReadme() {
  std::ifstream in(std::string(AMI_SOURCE_DIR) + "/README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Numbers of withdrawn choices, never reused: MC-12 (a process-wide limit on distinct KMS key ids).
const std::set<int> kWithdrawn = {12};

TEST(ModellingChoices, IdsAreUniqueAndInOrder) {
  // Numbers only grow: the list may skip one, but never goes back, repeats, or reuses a
  // withdrawn one.
  std::set<std::string> seen;
  int last = 0;
  for (const ModellingChoice& c : ModellingChoices()) {
    ASSERT_EQ(c.id.substr(0, 3), "MC-") << c.id;
    const int n = std::stoi(std::string(c.id.substr(3)));
    EXPECT_EQ(c.id, "MC-" + std::to_string(n));
    EXPECT_GT(n, last) << c.id;
    EXPECT_EQ(kWithdrawn.count(n), 0u) << c.id;
    last = n;
    EXPECT_TRUE(seen.insert(std::string(c.id)).second);
    EXPECT_FALSE(c.choice.empty()) << c.id;
  }
  EXPECT_GE(seen.size(), 15u);
}

TEST(ModellingChoices, ReadmeListsEveryChoice) {
  const std::string readme = ReadReadme();
  ASSERT_FALSE(readme.empty());
  for (const ModellingChoice& c : ModellingChoices()) {
    const std::string line = "- **" + std::string(c.id) + "** (" + std::string(c.rules) + "): " +
                             std::string(c.choice);
    EXPECT_NE(readme.find(line), std::string::npos) << "README.md lacks: " << line;
  }
}

}  // namespace
}  // namespace ami
