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

TEST(ScenarioAutomation, LifecyclePolicyImages) {
  ExpectMismatch("lifecycle_policy_images { policy_id: \"$nightly\" count: 4 }",
                 "lifecycle_policy_images { policy_id: \"$nightly\" count: 5 }", "step 12",
                 "` is 4, expected 5");
  ExpectMismatch("region: \"eu-west-1\" count: 0", "region: \"eu-west-1\" count: 1", "step 12",
                 "` in eu-west-1 is 0, expected 1");
  // A deleted policy's AMIs stay, counted by their tag.
  ExpectMismatch("  delete_lifecycle_policy { policy_id: \"$nightly\" }\n  expect { lifecycle_policy_images { policy_id: \"$nightly\" count: 4 } }",
                 "  delete_lifecycle_policy { policy_id: \"$nightly\" }\n  expect { lifecycle_policy_images { policy_id: \"$nightly\" count: 0 } }",
                 "step 35", "` is 4, expected 0");
  ExpectBroken("region: \"eu-west-1\" count: 0", "region: \"nowhere\" count: 0",
               "expect.lifecycle_policy_images region `nowhere` is not a region");
  ExpectBroken("region: \"eu-west-1\" count: 0", "region: \"eu-west-1\" count: -1",
               "expect.lifecycle_policy_images count `-1` is not a count");
  ExpectBroken("lifecycle_policy_images { policy_id: \"$nightly\" count: 4 }",
               "lifecycle_policy_images { policy_id: \"$nowhere\" count: 4 }", "unknown label `$nowhere`");
}

TEST(ScenarioAutomation, LifecyclePolicies) {
  ExpectMismatch("policy_id: \"$broken\" state: \"ERROR\"", "policy_id: \"$broken\" state: \"ENABLED\"",
                 "step 13", "state is \"ERROR\", expected \"ENABLED\"");
  ExpectMismatch("status_message_contains: \"missing\"", "status_message_contains: \"absent\"", "step 13",
                 "expected it to contain \"absent\"");
  ExpectMismatch("lifecycle_policies { policy_id: \"$nightly\" state: \"DISABLED\" }",
                 "lifecycle_policies { policy_id: \"$nightly\" state: \"ENABLED\" }", "step 15",
                 "state is \"DISABLED\", expected \"ENABLED\"");
  // A deleted policy is not found.
  ExpectMismatch("  delete_lifecycle_policy { policy_id: \"$broken\" }\n",
                 "  delete_lifecycle_policy { policy_id: \"$broken\" }\n"
                 "  expect { lifecycle_policies { policy_id: \"$broken\" } }\n",
                 "step 14", "does not exist in this account and Region");
  ExpectBroken("policy_id: \"$broken\" state: \"ERROR\"", "policy_id: \"$broken\" state: \"BROKEN\"",
               "expect.lifecycle_policies.state `BROKEN` is not a valid value");
}

TEST(ScenarioAutomation, BackupJobs) {
  ExpectMismatch("backup_jobs { state: \"RUNNING\" count: 1 }", "backup_jobs { state: \"RUNNING\" count: 2 }",
                 "step 19", "backup jobs RUNNING is 1, expected 2");
  ExpectMismatch("backup_jobs { state: \"COMPLETED\" count: 5 }", "backup_jobs { state: \"COMPLETED\" count: 4 }",
                 "step 24", "backup jobs COMPLETED is 5, expected 4");
  ExpectBroken("backup_jobs { state: \"RUNNING\" count: 1 }", "backup_jobs { state: \"DONE\" count: 1 }",
               "expect.backup_jobs.state `DONE` is not a valid value");
  ExpectBroken("backup_jobs { state: \"RUNNING\" count: 1 }", "backup_jobs { count: 1 }",
               "expect.backup_jobs needs a state");
  ExpectBroken("backup_jobs { state: \"RUNNING\" count: 1 }", "backup_jobs { state: \"RUNNING\" count: -1 }",
               "expect.backup_jobs count `-1` is not a count");
}

TEST(ScenarioAutomation, RecoveryPoints) {
  ExpectMismatch("status: \"COMPLETED\" count: 1", "status: \"COMPLETED\" count: 2", "step 20",
                 "recovery points of vault `Default` COMPLETED is 1, expected 2");
  ExpectMismatch("recovery_points { backup_vault_name: \"Default\" count: 3 }",
                 "recovery_points { backup_vault_name: \"Default\" count: 4 }", "step 24",
                 "recovery points of vault `Default` is 3, expected 4");
  ExpectMismatch("recovery_points { backup_vault_name: \"Default\" count: 2 }",
                 "recovery_points { backup_vault_name: \"Default\" count: 3 }", "step 25",
                 "recovery points of vault `Default` is 2, expected 3");
  ExpectBroken("status: \"COMPLETED\" count: 1", "status: \"GONE\" count: 1",
               "expect.recovery_points.status `GONE` is not a valid value");
}

TEST(ScenarioAutomation, History) {
  ExpectMismatch("error_code: \"UnauthorizedOperation\" count: 8", "error_code: \"UnauthorizedOperation\" count: 7",
                 "step 13", " UnauthorizedOperation is 8, expected 7");
  ExpectMismatch("id: \"on-demand\" action: \"CreateImage\" error_code: \"OK\" count: 1",
                 "id: \"on-demand\" action: \"CreateImage\" error_code: \"OK\" count: 0", "step 20",
                 "history of backup:on-demand CreateImage OK is 1, expected 0");
  ExpectMismatch("action: \"CreateImage\" error_code: \"UnauthorizedOperation\" count: 7",
                 "action: \"CreateImage\" error_code: \"UnauthorizedOperation\" count: 6", "step 30",
                 "history of events:broken CreateImage UnauthorizedOperation is 7, expected 6");
  ExpectBroken("service: \"events\" id: \"broken\" error_code: \"OK\"",
               "service: \"ec2\" id: \"broken\" error_code: \"OK\"",
               "expect.history service `ec2` is not dlm, backup or events");
}

TEST(ScenarioAutomation, RebootCountAndConsistencyOfTheScheduledImage) {
  ExpectMismatch("expect { reboot_count: 1 resource: \"$web[0]\" }",
                 "expect { reboot_count: 0 resource: \"$web[0]\" }", "step 31",
                 "reboot_count is \"1\", expected \"0\"");
  // Without a reboot, the scheduled image is crash-consistent.
  ExpectMismatch("      name_prefix: \"weekly\"\n", "      name_prefix: \"weekly\"\n      no_reboot: true\n",
                 "step 31", "reboot_count is \"0\", expected \"1\"");
}

TEST(ScenarioAutomation, ChecksNeedTheStepsAccountAndRegion) {
  ExpectBroken("  region: \"us-east-1\"\n  advance: \"48h\"\n  check {}", "  advance: \"48h\"\n  check {}",
               "the automation checks of expect need the step's account and region");
}

TEST(ScenarioAutomation, StepsTakeNoDryRunAndKnownActionKinds) {
  ExpectBroken("name: \"A deletes the broken schedule\"", "name: \"A deletes the broken schedule\" dry_run: true",
               "dry_run does not apply to delete_schedule");
  ExpectBroken("kind: \"CreateImage\"\n      instance_ids: \"$web[0]\"",
               "kind: \"Reboot\"\n      instance_ids: \"$web[0]\"",
               "put_schedule action kind `Reboot` is not CreateImage, CopyImage or DeregisterOlderThan");
}

TEST(ScenarioAutomation, ARefusedDefinitionIsTheStepsOutcome) {
  // The refused policy saved no label: a later use names the failed step.
  ExpectBroken("get_lifecycle_policy { policy_id: \"$nightly\" }\n  expect { returned",
               "get_lifecycle_policy { policy_id: \"$refused\" }\n  expect { returned",
               "label `$refused` was not saved: step 7 failed");
  ExpectMismatch("message_contains: \"EBS_SNAPSHOT_MANAGEMENT\" unchanged: true",
                 "message_contains: \"EBS_SNAPSHOT_MANAGEMENT\" unchanged: false", "step 7",
                 "expected the step to change the cloud, got no change");
  // A valid policy type is made.
  ExpectMismatch("policy_type: \"EBS_SNAPSHOT_MANAGEMENT\"", "policy_type: \"IMAGE_MANAGEMENT\"", "step 7",
                 "expected InvalidRequestException, got ok policy-");
}

}  // namespace
}  // namespace ami
