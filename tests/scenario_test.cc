// Scenario files: every tests/scenarios/*.textproto passes; the failing ones fail as they should;
// parse errors name the file and line; step results carry who, where, what and how it went.
#include "ami/tools/scenario.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace ami {
namespace {

using ::ami::testing::IsOk;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

const std::filesystem::path kScenarioDir = std::filesystem::path(AMI_SOURCE_DIR) / "tests" / "scenarios";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every *.textproto directly in tests/scenarios, sorted.
std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarioDir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".textproto") {
      files.push_back(entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<ScenarioResult> RunFile(const std::filesystem::path& path) {
  absl::StatusOr<v1::Scenario> scenario = ParseScenario(ReadFile(path), path.string());
  if (!scenario.ok()) return scenario.status();
  return RunScenario(*scenario);
}

// A scenario text, parsed; fails the test when it does not parse.
v1::Scenario Parse(const std::string& text) {
  absl::StatusOr<v1::Scenario> scenario = ParseScenario(text, "inline.textproto");
  EXPECT_THAT(scenario, IsOk());
  return scenario.ok() ? *scenario : v1::Scenario();
}

class ScenarioFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioFileTest, Passes) {
  const absl::StatusOr<ScenarioResult> result = RunFile(kScenarioDir / GetParam());
  ASSERT_THAT(result, IsOk());
  EXPECT_TRUE(result->passed) << FormatScenarioResult(*result);
  EXPECT_FALSE(result->steps.empty());
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.find('.'));
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllFiles, ScenarioFileTest, ::testing::ValuesIn(ScenarioFiles()), TestName);

TEST(ScenarioFiles, AtLeastEightStories) { EXPECT_GE(ScenarioFiles().size(), 8u); }

TEST(ScenarioFiles, ExpectationMismatchFailsNamingTheStep) {
  const absl::StatusOr<ScenarioResult> result =
      RunFile(kScenarioDir / "failing" / "expectation_mismatch.textproto");
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->passed);
  EXPECT_THAT(result->first_mismatch, HasSubstr("step 3 \"B launches the private image\""));
  EXPECT_THAT(result->first_mismatch, HasSubstr("AuthFailure"));
  // The run stops at the failing step.
  EXPECT_EQ(result->steps.size(), 3u);
  EXPECT_FALSE(result->steps.back().expectation_met);
  EXPECT_THAT(FormatScenarioResult(*result), HasSubstr("FAIL"));
}

TEST(ScenarioFiles, ARunThatGoesOnReportsEveryMismatchAndTheirLines) {
  const std::filesystem::path path = kScenarioDir / "failing" / "expectation_mismatch.textproto";
  std::string text = ReadFile(path);
  // The last step now expects the wrong error too.
  const std::string from = "expect { error: \"AuthFailure\" }";
  text.replace(text.find(from), from.size(), "expect { error: \"InvalidAMIID.NotFound\" }");
  const v1::Scenario scenario = *ParseScenario(text, path.string());
  ScenarioRunOptions options;
  options.stop_at_first_mismatch = false;
  const absl::StatusOr<ScenarioResult> result = RunScenario(scenario, options, nullptr);
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->steps.size(), 4u);
  EXPECT_FALSE(result->passed);
  EXPECT_FALSE(result->steps[2].expectation_met);
  EXPECT_FALSE(result->steps[3].expectation_met);
  EXPECT_THAT(result->first_mismatch, HasSubstr("step 3"));
  // Stopping at the first mismatch (the default) runs three steps.
  EXPECT_EQ(RunScenario(scenario)->steps.size(), 3u);
  EXPECT_EQ(ScenarioStepLines(text), (std::vector<int>{6, 10, 21, 27}));
  EXPECT_TRUE(ScenarioStepLines("steps { acount: 1 }").empty());
}

TEST(ScenarioFiles, MalformedFailsToParseWithFileAndLine) {
  const std::filesystem::path path = kScenarioDir / "failing" / "malformed.textproto";
  const absl::StatusOr<v1::Scenario> scenario = ParseScenario(ReadFile(path), path.string());
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(scenario.status().message()), HasSubstr(path.string() + ":12:"));
}

TEST(ParseScenario, SyntaxErrorNamesLineAndColumn) {
  const absl::StatusOr<v1::Scenario> scenario =
      ParseScenario("name: \"x\"\nsteps {\n  nme: \"typo\"\n}\n", "typo.textproto");
  ASSERT_FALSE(scenario.ok());
  EXPECT_THAT(std::string(scenario.status().message()), ContainsRegex("typo\\.textproto:3:[0-9]+: "));
  EXPECT_THAT(std::string(scenario.status().message()), HasSubstr("nme"));
}

TEST(RunScenario, UnknownLabelIsAnError) {
  const v1::Scenario scenario = Parse(R"pb(
    name: "unknown label"
    steps {
      name: "launch what was never saved"
      account: "111122223333"
      region: "us-east-1"
      run_instances { image_id: "$nowhere" }
    }
  )pb");
  const absl::StatusOr<ScenarioResult> result = RunScenario(scenario);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("step 1 \"launch what was never saved\""));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("unknown label `$nowhere`"));
}

TEST(RunScenario, LabelOfAFailedStepIsAnError) {
  const v1::Scenario scenario = Parse(R"pb(
    steps {
      account: "111122223333"
      region: "us-east-1"
      run_instances { image_id: "ami-0123456789abcdef0" }
      save_as: "web"
      expect { error: "InvalidAMIID.NotFound" }
    }
    steps {
      account: "111122223333"
      region: "us-east-1"
      stop_instances { instance_ids: "$web" }
    }
  )pb");
  const absl::StatusOr<ScenarioResult> result = RunScenario(scenario);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("label `$web` was not saved: step 1 failed"));
}

TEST(RunScenario, StepWithoutOperationIsAnError) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(steps { name: "empty" })pb"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("no operation"));
}

TEST(RunScenario, UnknownErrorCodeIsAnError) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(
    steps {
      account: "111122223333"
      region: "us-east-1"
      enable_ebs_encryption_by_default {}
      expect { error: "NoSuchCode" }
    }
  )pb"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("`NoSuchCode` is not an error code"));
}

TEST(RunScenario, StepResultsCarryCallerRegionOperationOutcome) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(
    name: "results"
    seed: 7
    steps {
      name: "create a key"
      account: "111122223333"
      region: "eu-west-1"
      create_key { description: "k" }
      save_as: "key"
    }
    steps {
      name: "launch a missing image"
      account: "444455556666"
      region: "us-east-1"
      run_instances { image_id: "ami-0123456789abcdef0" }
      expect { error: "InvalidAMIID.NotFound" }
    }
    steps {
      name: "dry run"
      account: "444455556666"
      region: "us-east-1"
      dry_run: true
      enable_ebs_encryption_by_default {}
      expect { error: "DryRunOperation" }
    }
  )pb"));
  ASSERT_THAT(result, IsOk());
  EXPECT_TRUE(result->passed) << FormatScenarioResult(*result);
  ASSERT_EQ(result->steps.size(), 3u);
  const ScenarioStepResult& key = result->steps[0];
  EXPECT_EQ(key.index, 1);
  EXPECT_EQ(key.name, "create a key");
  EXPECT_EQ(key.caller, "111122223333");
  EXPECT_EQ(key.region, "eu-west-1");
  EXPECT_EQ(key.operation, "create_key");
  EXPECT_THAT(key.outcome, HasSubstr("ok arn:aws:kms:eu-west-1:111122223333:key/"));
  EXPECT_TRUE(key.expectation_met);
  const ScenarioStepResult& launch = result->steps[1];
  EXPECT_EQ(launch.caller, "444455556666");
  EXPECT_EQ(launch.region, "us-east-1");
  EXPECT_EQ(launch.operation, "run_instances");
  EXPECT_THAT(launch.outcome, HasSubstr("InvalidAMIID.NotFound: "));
  EXPECT_THAT(launch.outcome, HasSubstr("ami-0123456789abcdef0"));
  EXPECT_THAT(result->steps[2].outcome, HasSubstr("DryRunOperation"));
  const std::string report = FormatScenarioResult(*result);
  EXPECT_THAT(report, ContainsRegex("step 2 +444455556666 +us-east-1 +run_instances +InvalidAMIID\\.NotFound"));
  EXPECT_THAT(report, HasSubstr("PASS results (3 steps)"));
}

TEST(RunScenario, SameSeedSameIds) {
  const v1::Scenario scenario = Parse(R"pb(
    seed: 42
    steps { account: "111122223333" region: "us-east-1" create_key {} }
  )pb");
  const absl::StatusOr<ScenarioResult> a = RunScenario(scenario);
  const absl::StatusOr<ScenarioResult> b = RunScenario(scenario);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(a->steps[0].outcome, b->steps[0].outcome);
}

TEST(RunScenario, MalformedIdIsTheStepsOutcome) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(
    steps {
      account: "111122223333"
      region: "us-east-1"
      run_instances { image_id: "ami-XYZ" }
      expect { error: "InvalidAMIID.Malformed" }
    }
    steps {
      account: "1111-2222-3333"
      region: "us-east-1"
      enable_ebs_encryption_by_default {}
      expect { error: "InvalidUserID.Malformed" }
    }
    steps {
      account: "111122223333"
      region: "us-nowhere-9"
      enable_ebs_encryption_by_default {}
      expect { error: "InvalidRegion" }
    }
  )pb"));
  ASSERT_THAT(result, IsOk());
  EXPECT_TRUE(result->passed) << FormatScenarioResult(*result);
}

TEST(RunScenario, CheckThatDoesNotApplyIsAnError) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(
    steps {
      account: "111122223333"
      region: "us-east-1"
      create_key {}
      expect { image_state: "available" }
    }
  )pb"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("image_state does not apply to a kms key"));
}

TEST(RunScenario, OperationWithoutAccountIsAnError) {
  const absl::StatusOr<ScenarioResult> result =
      RunScenario(Parse(R"pb(steps { create_key {} })pb"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("create_key is made as an account in a region"));
}

TEST(RunScenario, BadAdvanceIsAnError) {
  const absl::StatusOr<ScenarioResult> result =
      RunScenario(Parse(R"pb(steps { advance: "soon" check {} })pb"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("`soon` is not a duration"));
}

TEST(RunScenario, StateMismatchNamesWhatDiffers) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(
    steps {
      name: "A's snapshot"
      import_snapshot { snapshot_id: "snap-0123456789abcdef0" owner_id: "111122223333" region: "us-east-1" volume_size: 8 }
    }
    steps {
      name: "A registers an image"
      account: "111122223333"
      region: "us-east-1"
      register_image {
        name: "registered"
        block_device_mappings { device_name: "/dev/xvda" snapshot_id: "snap-0123456789abcdef0" }
      }
      save_as: "image"
      expect { image_state: "available" owner: "111122223333" }
    }
  )pb"));
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->passed);
  EXPECT_THAT(result->first_mismatch,
              HasSubstr("step 2 \"A registers an image\": image_state is \"pending\", expected \"available\""));
}

TEST(RunScenario, SnapshotReferenceAndDefaultResource) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(
    steps {
      import_snapshot { snapshot_id: "snap-0123456789abcdef0" owner_id: "111122223333" region: "us-east-1" volume_size: 8 }
      save_as: "snap"
    }
    steps {
      account: "111122223333"
      region: "us-east-1"
      register_image {
        name: "registered"
        block_device_mappings { device_name: "/dev/xvda" snapshot_id: "$snap" }
      }
      save_as: "image"
    }
    steps {
      account: "111122223333"
      region: "us-east-1"
      modify_snapshot_attribute { snapshot_id: "$image.snapshot[0]" operation_type: "add" user_ids: "444455556666" }
      expect { owner: "111122223333" kms_key: "none" public: false }
    }
    steps {
      account: "111122223333"
      region: "us-east-1"
      delete_snapshot { snapshot_id: "$image.snapshot" }
      expect { error: "InvalidSnapshot.InUse" exists: true }
    }
  )pb"));
  ASSERT_THAT(result, IsOk());
  EXPECT_TRUE(result->passed) << FormatScenarioResult(*result);
}

TEST(RunScenario, OutOfRangeReferenceIsAnError) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(
    steps {
      import_snapshot { snapshot_id: "snap-0123456789abcdef0" owner_id: "111122223333" region: "us-east-1" volume_size: 8 }
      save_as: "snap"
    }
    steps { check {} expect { resource: "$snap[1]" exists: true } }
  )pb"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("label `$snap` holds 1 id(s)"));
}

TEST(RunScenario, UnexpectedSuccessIsAMismatch) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(
    name: "too lucky"
    steps {
      name: "enable"
      account: "111122223333"
      region: "us-east-1"
      enable_ebs_encryption_by_default {}
      expect { error: "AuthFailure" }
    }
  )pb"));
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->passed);
  EXPECT_EQ(result->first_mismatch, "step 1 \"enable\": expected AuthFailure, got ok");
}

// A standalone account with a role that may launch only from 203.0.113.0/24, and its image.
constexpr char kIamSetup[] = R"pb(
  steps { account: "111122223333" add_account {} }
  steps {
    import_snapshot { snapshot_id: "snap-0a1b2c3d4e5f60718" owner_id: "111122223333" region: "us-east-1" volume_size: 8 }
  }
  steps {
    import_image {
      image_id: "ami-0a1b2c3d4e5f60718" name: "app" owner_id: "111122223333" region: "us-east-1"
      root_device_name: "/dev/xvda"
      block_device_mappings { device_name: "/dev/xvda" ebs { snapshot_id: "snap-0a1b2c3d4e5f60718" volume_size: 8 } }
    }
  }
  steps {
    put_principal {
      account: "111122223333" type: "role" name: "dev"
      policies {
        name: "Office"
        document: "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}]}"
      }
    }
    save_as: "dev"
  }
)pb";

TEST(RunScenario, IAM_7_PrincipalContextAndResidualExpectationsHold) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(std::string(kIamSetup) + R"pb(
    steps {
      name: "no address" account: "111122223333" region: "us-east-1" principal: "$dev"
      run_instances { image_id: "ami-0a1b2c3d4e5f60718" }
      expect { error: "UnauthorizedOperation" message_contains: "is not authorized" residual: "AWS:SOURCEIP" }
    }
    steps {
      name: "office" account: "111122223333" region: "us-east-1" principal: "$dev"
      context { key: "aws:SourceIp" value: "203.0.113.7" }
      run_instances { image_id: "ami-0a1b2c3d4e5f60718" }
    }
  )pb"));
  ASSERT_THAT(result, IsOk());
  EXPECT_TRUE(result->passed) << result->first_mismatch;
  EXPECT_EQ(result->steps[3].operation, "put_principal");
  EXPECT_EQ(result->steps[3].outcome, "ok arn:aws:iam::111122223333:role/dev");
}

TEST(RunScenario, IAM_7_ResidualExpectationThatDoesNotHoldIsAMismatch) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(std::string(kIamSetup) + R"pb(
    steps {
      name: "no address" account: "111122223333" region: "us-east-1" principal: "$dev"
      run_instances { image_id: "ami-0a1b2c3d4e5f60718" }
      expect { error: "UnauthorizedOperation" residual: "aws:MultiFactorAuthPresent" }
    }
  )pb"));
  ASSERT_THAT(result, IsOk());
  EXPECT_FALSE(result->passed);
  EXPECT_THAT(result->first_mismatch,
              HasSubstr("step 5 \"no address\": expected a residual condition on "
                        "aws:MultiFactorAuthPresent, got UnauthorizedOperation: "));
  // A residual check needs an expected error.
  const absl::StatusOr<ScenarioResult> bad = RunScenario(Parse(std::string(kIamSetup) + R"pb(
    steps {
      account: "111122223333" region: "us-east-1" principal: "$dev"
      context { key: "aws:SourceIp" value: "203.0.113.7" }
      run_instances { image_id: "ami-0a1b2c3d4e5f60718" }
      expect { residual: "aws:SourceIp" }
    }
  )pb"));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("expect.residual needs expect.error"));
}

TEST(RunScenario, PrincipalOnASetupStepIsAnError) {
  const absl::StatusOr<ScenarioResult> result = RunScenario(Parse(R"pb(
    steps { account: "111122223333" principal: "arn:aws:iam::111122223333:role/x" add_account {} }
  )pb"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("principal and context apply only to operations made as an account"));
}

TEST(ParseScenario, UnknownFieldIsAnError) {
  const absl::StatusOr<v1::Scenario> parsed = ParseScenario(R"pb(
    steps { account: "111122223333" region: "us-east-1" principle: "arn" check {} }
  )pb", "typo.textproto");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("principle"));
  const absl::StatusOr<v1::Scenario> in_expect = ParseScenario(R"pb(
    steps { check {} expect { error: "UnauthorizedOperation" expect_residual: "aws:SourceIp" } }
  )pb", "typo.textproto");
  ASSERT_FALSE(in_expect.ok());
  EXPECT_THAT(std::string(in_expect.status().message()), HasSubstr("expect_residual"));
}

}  // namespace
}  // namespace ami
