// Scenario steps and checks of the automation layer: tests/scenarios/automation.textproto passes
// (here and in scenario_test); each automation check is broken in turn and must report what
// differs, and a check or step that cannot apply is a broken scenario.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ami/tools/scenario.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::IsOk;
using ::testing::HasSubstr;

const std::filesystem::path kFile =
    std::filesystem::path(AMI_SOURCE_DIR) / "tests" / "scenarios" / "automation.textproto";

std::string Story() {
  std::ifstream in(kFile);
  EXPECT_TRUE(in.good()) << "cannot read " << kFile;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The story with the first `from` replaced by `to`, run.
absl::StatusOr<ScenarioResult> RunWith(const std::string& from, const std::string& to) {
  std::string text = Story();
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  const absl::StatusOr<v1::Scenario> scenario = ParseScenario(text, kFile.string());
  EXPECT_THAT(scenario, IsOk());
  if (!scenario.ok()) return scenario.status();
  return RunScenario(*scenario);
}

// The story broken by the replacement fails at `step` with `mismatch`.
void ExpectMismatch(const std::string& from, const std::string& to, const std::string& step,
                    const std::string& mismatch) {
  const absl::StatusOr<ScenarioResult> result = RunWith(from, to);
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->passed);
  EXPECT_THAT(result->first_mismatch, HasSubstr(step + " ")) << result->first_mismatch;
  EXPECT_THAT(result->first_mismatch, HasSubstr(mismatch)) << result->first_mismatch;
}

// The story broken by the replacement cannot run: `error`.
void ExpectBroken(const std::string& from, const std::string& to, const std::string& error) {
  const absl::StatusOr<ScenarioResult> result = RunWith(from, to);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(error));
}

TEST(ScenarioAutomation, TheStoryPasses) {
  const absl::StatusOr<ScenarioResult> result = RunWith("seed: 41", "seed: 41");
  ASSERT_THAT(result, IsOk());
  EXPECT_TRUE(result->passed) << FormatScenarioResult(*result);
}

//@@TESTS@@

}  // namespace
}  // namespace ami
