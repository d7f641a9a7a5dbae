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
  std::set<std::string> seen;
  int expected = 1;
  for (const ModellingChoice& c : ModellingChoices()) {
    while (kWithdrawn.count(expected) > 0) ++expected;
    EXPECT_EQ(c.id, "MC-" + std::to_string(expected++));
    EXPECT_TRUE(seen.insert(std::string(c.id)).second);
    EXPECT_FALSE(c.choice.empty()) << c.id;
  }
  EXPECT_GE(seen.size(), 15u);
}

// The README's "Modelling choices" list must carry every choice the code makes, word for word.
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
