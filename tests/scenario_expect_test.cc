// Scenario expectations beyond states: tests/scenarios/expectations.textproto passes (in
// scenario_test); here each of its checks is broken in turn and must report what differs, and a
// check that cannot apply is a broken scenario.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "ami/tools/scenario.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::IsOk;
using ::testing::HasSubstr;

const std::filesystem::path kFile =
    std::filesystem::path(AMI_SOURCE_DIR) / "tests" / "scenarios" / "expectations.textproto";

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
  EXPECT_THAT(result->first_mismatch, HasSubstr(step)) << result->first_mismatch;
  EXPECT_THAT(result->first_mismatch, HasSubstr(mismatch)) << result->first_mismatch;
}

// The story broken by the replacement cannot run: `error`.
void ExpectBroken(const std::string& from, const std::string& to, const std::string& error) {
  const absl::StatusOr<ScenarioResult> result = RunWith(from, to);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(error));
}

TEST(ScenarioExpect, TheStoryPasses) {
  const absl::StatusOr<ScenarioResult> result = RunWith("seed: 17", "seed: 17");
  ASSERT_THAT(result, IsOk());
  EXPECT_TRUE(result->passed) << FormatScenarioResult(*result);
}

TEST(ScenarioExpect, Region) {
  ExpectMismatch("region: \"us-east-1\"\n    availability_zone",
                 "region: \"eu-west-1\"\n    availability_zone", "step 7",
                 "region is \"us-east-1\", expected \"eu-west-1\"");
  ExpectMismatch("expect { region: \"us-east-1\" create_volume",
                 "expect { region: \"us-west-2\" create_volume", "step 3",
                 "region is \"us-east-1\", expected \"us-west-2\"");
}

TEST(ScenarioExpect, AvailabilityZone) {
  ExpectMismatch("availability_zone: \"us-east-1b\"\n", "availability_zone: \"us-east-1a\"\n", "step 7",
                 "availability_zone is \"us-east-1b\", expected \"us-east-1a\"");
  ExpectBroken("expect { region: \"us-east-1\" create_volume",
               "expect { availability_zone: \"us-east-1a\" create_volume",
               "expect.availability_zone does not apply to a snapshot");
}

TEST(ScenarioExpect, Image) {
  ExpectMismatch("image: \"$app\"", "image: \"ami-0e0e0e0e0e0e0e002\"", "step 7",
                 "image is \"ami-0e0e0e0e0e0e0e001\", expected \"ami-0e0e0e0e0e0e0e002\"");
  ExpectBroken("image: \"$app\"", "image: \"$nowhere\"", "nowhere");
}

TEST(ScenarioExpect, Volumes) {
  // A device name, the encryption, the key, and the count.
  ExpectMismatch("volumes { device_name: \"/dev/sdf\"", "volumes { device_name: \"/dev/sdg\"", "step 7",
                 "volumes is \"/dev/sdf encrypted=true kms_key=arn:aws:kms:us-east-1:111122223333:key/");
  ExpectMismatch("device_name: \"/dev/xvda\" encrypted: true }",
                 "device_name: \"/dev/xvda\" encrypted: false }", "step 7",
                 "/dev/xvda encrypted=true\", expected \"");
  ExpectMismatch("kms_key: \"alias/aws/ebs\"", "kms_key: \"none\"", "step 7", "kms_key=none, /dev/xvda");
  ExpectMismatch("    volumes { device_name: \"/dev/xvda\" encrypted: true }\n", "", "step 7",
                 ", /dev/xvda\", expected \"/dev/sdf encrypted=true kms_key=");
  ExpectBroken("mapping_count: 2", "volumes { device_name: \"/dev/xvda\" }",
               "expect.volumes does not apply to a image");
}

TEST(ScenarioExpect, DeviceNamesAndMappingCount) {
  ExpectMismatch("device_names: [\"/dev/xvda\", \"/dev/sdf\"]", "device_names: [\"/dev/sdf\", \"/dev/xvda\"]",
                 "step 5", "device_names is \"/dev/xvda,/dev/sdf\", expected \"/dev/sdf,/dev/xvda\"");
  ExpectMismatch("mapping_count: 2", "mapping_count: 1", "step 5", "mapping_count is \"2\", expected \"1\"");
  ExpectBroken("image: \"$app\"", "mapping_count: 2", "expect.mapping_count does not apply to a instance");
  ExpectBroken("image: \"$app\"", "device_names: \"/dev/xvda\"",
               "expect.device_names does not apply to a instance");
}

TEST(ScenarioExpect, RebootCount) {
  ExpectMismatch("reboot_count: 0", "reboot_count: 1", "step 7", "reboot_count is \"0\", expected \"1\"");
  ExpectBroken("mapping_count: 2", "reboot_count: 2", "expect.reboot_count does not apply to a image");
  ExpectBroken("reboot_count: 0", "reboot_count: -1", "expect.reboot_count `-1` is not a count");
}

TEST(ScenarioExpect, SnapshotIds) {
  ExpectMismatch("snapshot_ids { ids: [\"$root\", \"$data\"] }",
                 "snapshot_ids { ids: [\"$data\", \"$root\"] }", "step 5",
                 "snapshot_ids is \"snap-0e0e0e0e0e0e0e001,snap-0e0e0e0e0e0e0e002\", "
                 "expected \"snap-0e0e0e0e0e0e0e002,snap-0e0e0e0e0e0e0e001\"");
  ExpectBroken("image: \"$app\"", "snapshot_ids {}", "expect.snapshot_ids does not apply to a instance");
}

TEST(ScenarioExpect, LaunchPermissionOrganizationsAndOus) {
  ExpectMismatch(
      "launch_permission_organizations { arns: "
      "[\"arn:aws:organizations::222233334444:organization/o-a1b2c3d4e5\"] }",
      "launch_permission_organizations {}", "step 5",
      "launch_permission_organizations is \"arn:aws:organizations::222233334444:organization/o-a1b2c3d4e5\", "
      "expected \"\"");
  ExpectMismatch("launch_permission_ous { arns: [",
                 "launch_permission_ous { arns: "
                 "[\"arn:aws:organizations::222233334444:ou/o-a1b2c3d4e5/ou-ab12-22222222\", ",
                 "step 5",
                 "launch_permission_ous is "
                 "\"arn:aws:organizations::222233334444:ou/o-a1b2c3d4e5/ou-ab12-11111111\", expected");
  ExpectBroken("image: \"$app\"", "launch_permission_ous {}",
               "expect.launch_permission_ous does not apply to a instance");
}

TEST(ScenarioExpect, CreateVolumePermissionAccounts) {
  ExpectMismatch(
      "create_volume_permission_accounts { accounts: [\"444455556666\"] }",
      "create_volume_permission_accounts { accounts: [\"444455556666\", \"111122223333\"] }", "step 6",
      "create_volume_permission_accounts is \"444455556666\", expected \"111122223333,444455556666\"");
  ExpectMismatch("create_volume_permission_accounts {} }",
                 "create_volume_permission_accounts { accounts: \"444455556666\" } }", "step 3",
                 "create_volume_permission_accounts is \"\", expected \"444455556666\"");
  ExpectBroken("mapping_count: 2", "create_volume_permission_accounts {}",
               "expect.create_volume_permission_accounts does not apply to a image");
}

TEST(ScenarioExpect, ReturnedContainsExcludesAndCount) {
  ExpectMismatch("returned_contains { ids: [\"$app\"] }",
                 "returned_contains { ids: [\"ami-0123456789abcdef0\"] }", "step 8",
                 "expected `ami-0123456789abcdef0` among the returned ids, got ami-0e0e0e0e0e0e0e001");
  ExpectMismatch("returned_excludes { ids: [\"ami-0123456789abcdef0\"] }",
                 "returned_excludes { ids: [\"$app\"] }", "step 8",
                 "expected `ami-0e0e0e0e0e0e0e001` not to be returned, got it");
  ExpectMismatch("returned_count: 1", "returned_count: 0", "step 8", "expected 0 returned ids, got 1");
  // A step returning no ids returns none.
  ExpectMismatch("expect { error: \"AuthFailure\" unchanged: true }",
                 "expect { error: \"AuthFailure\" returned_count: 1 }", "step 9",
                 "expected 1 returned ids, got 0");
  ExpectBroken("returned_contains { ids: [\"$app\"] }", "returned_contains { ids: [\"$nowhere\"] }",
               "nowhere");
}

TEST(ScenarioExpect, DeletedSnapshots) {
  ExpectMismatch("snapshot_id: \"$data\" return_code: \"success\"",
                 "snapshot_id: \"$data\" return_code: \"skipped\"", "step 10",
                 "deleted_snapshots is \"snap-0e0e0e0e0e0e0e001:success,snap-0e0e0e0e0e0e0e002:success\", "
                 "expected \"snap-0e0e0e0e0e0e0e001:success,snap-0e0e0e0e0e0e0e002:skipped\"");
  ExpectMismatch("      snapshots { snapshot_id: \"$root\" return_code: \"success\" }\n", "", "step 10",
                 "expected \"snap-0e0e0e0e0e0e0e002:success\"");
  // The refused call deleted nothing.
  ExpectMismatch("expect { error: \"AuthFailure\" unchanged: true }",
                 "expect { error: \"AuthFailure\" deleted_snapshots { snapshots { snapshot_id: \"$root\" "
                 "return_code: \"success\" } } }",
                 "step 9", "deleted_snapshots is \"\", expected \"snap-0e0e0e0e0e0e0e001:success\"");
  ExpectBroken("returned_count: 1", "deleted_snapshots {}",
               "expect.deleted_snapshots needs a deregister_image step");
}

TEST(ScenarioExpect, ReturnedContainsShowsTheNumberOfManyIds) {
  // Nine snapshots instead of one image: more than a mismatch lists.
  std::string nine;
  for (int i = 1; i <= 9; ++i) {
    absl::StrAppend(&nine, "steps { import_snapshot { snapshot_id: \"snap-0f0f0f0f0f0f0f00", i,
                    "\" owner_id: \"111122223333\" region: \"us-east-1\" volume_size: 1 } }\n");
  }
  std::string text = Story();
  text.replace(text.find("steps {\n  name: \"A finds its image among its own\""), 5, nine + "steps");
  text.replace(text.find("describe_images { owners: [\"self\"] }"), 36,
               "describe_snapshots { owner_ids: [\"self\"] }");
  const absl::StatusOr<v1::Scenario> scenario = ParseScenario(text, kFile.string());
  ASSERT_THAT(scenario, IsOk());
  const absl::StatusOr<ScenarioResult> result = RunScenario(*scenario);
  ASSERT_THAT(result, IsOk());
  EXPECT_THAT(result->first_mismatch,
              HasSubstr("expected `ami-0e0e0e0e0e0e0e001` among the returned ids, got 11 other ids"));
  ExpectMismatch("describe_images { owners: [\"self\"] }", "describe_snapshots { owner_ids: [\"self\"] }",
                 "step 8",
                 "expected `ami-0e0e0e0e0e0e0e001` among the returned ids, got "
                 "snap-0e0e0e0e0e0e0e001,snap-0e0e0e0e0e0e0e002");
}

TEST(ScenarioExpect, NegativeCountsAreErrors) {
  ExpectBroken("returned_count: 1", "returned_count: -1", "expect.returned_count `-1` is not a count");
  ExpectBroken("mapping_count: 2", "mapping_count: -2", "expect.mapping_count `-2` is not a count");
}

TEST(ScenarioExpect, Unchanged) {
  // The step's own clock move comes before the copy: the refused call still changed nothing.
  const absl::StatusOr<ScenarioResult> advanced =
      RunWith("account: \"444455556666\"\n  region: \"us-east-1\"\n  deregister_image",
              "account: \"444455556666\"\n  region: \"us-east-1\"\n  advance: \"1h\"\n  deregister_image");
  ASSERT_THAT(advanced, IsOk());
  EXPECT_TRUE(advanced->passed) << FormatScenarioResult(*advanced);
  ExpectMismatch("expect { error: \"AuthFailure\" unchanged: true }",
                 "expect { error: \"AuthFailure\" unchanged: false }", "step 9",
                 "expected the step to change the cloud, got no change");
  ExpectMismatch("    unchanged: false\n", "    unchanged: true\n", "step 10",
                 "expected the step to change nothing, got a changed cloud");
  // A read changes nothing.
  ExpectMismatch("returned_count: 1", "returned_count: 1 unchanged: false", "step 8",
                 "expected the step to change the cloud, got no change");
}

}  // namespace
}  // namespace ami
