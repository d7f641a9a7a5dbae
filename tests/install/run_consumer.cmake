# Installs the libami build at AMI_BUILD_DIR into AMI_STAGE_DIR, checks that exactly the listed
# headers were installed, then configures, builds and runs two consumer projects against it, as
# another project's find_package(ami) would: one using only the core, with Protocol Buffers
# hidden from it, and one using the proto, tools and testing components as well, whose unit test
# written with the testing kit must pass. When the examples were
# built (AMI_EXPECT_AMICTL), the installed bin/amictl must run and print AMI_VERSION.
file(REMOVE_RECURSE "${AMI_STAGE_DIR}" "${CONSUMER_BUILD_DIR}" "${CONSUMER_BUILD_DIR}-core"
     "${CONSUMER_BUILD_DIR}-policy")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

# The installed headers: twelve core headers, the umbrella, the IAM headers and the schedule
# header (ami::ami), the
# proto component's (ami::proto, with the generated ami/v1/*.pb.h) and the tools' (ami::tools, with
# the rule catalogue ami/rules.h) and the testing kit's (ami::testing).
set(core_headers ami.h arns.h attributes.h cloud.h errors.h ids.h image.h instance.h kms_key.h
    policy.h requests.h snapshot.h state_view.h iam/iam.h iam/simulation.h automation/automation.h
    automation/schedule.h)
set(proto_headers io/aws_import.h io/proto.h io/state_file.h v1/ami.pb.h v1/aws_cli.pb.h
    v1/audit.pb.h v1/automation.pb.h v1/automation_backup.pb.h
    v1/automation_events.pb.h v1/aws_cli_automation.pb.h v1/scenario.pb.h v1/scenario_automation.pb.h v1/state.pb.h)
set(tools_headers rules.h tools/audit.h tools/config_fleet.h tools/config_rules.h tools/fleet.h tools/launch_table.h tools/modelling_choices.h
    tools/scenario.h)
set(testing_headers testing/matchers.h testing/no_change.h testing/world.h)
set(expected ${core_headers} ${proto_headers} ${tools_headers} ${testing_headers})
list(SORT expected)

run(${CMAKE_COMMAND} --install "${AMI_BUILD_DIR}" --prefix "${AMI_STAGE_DIR}")
file(GLOB_RECURSE installed RELATIVE "${AMI_STAGE_DIR}/include/ami" "${AMI_STAGE_DIR}/include/ami/*")
list(SORT installed)
if(NOT installed STREQUAL expected)
  message(FATAL_ERROR "installed headers differ from the list\n  installed: ${installed}\n"
                      "  expected: ${expected}")
endif()

if(AMI_EXPECT_AMICTL)
  execute_process(COMMAND "${AMI_STAGE_DIR}/${AMI_INSTALL_BINDIR}/amictl" --version
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out STREQUAL "amictl ${AMI_VERSION}\n")
    message(FATAL_ERROR "installed amictl --version: exit ${rc}, printed `${out}` `${err}`; "
                        "expected `amictl ${AMI_VERSION}`")
  endif()
endif()

function(consumer source_dir build_dir)
  run(${CMAKE_COMMAND} -S "${source_dir}" -B "${build_dir}"
      -G "${CONSUMER_GENERATOR}"
      "-DCMAKE_PREFIX_PATH=${AMI_STAGE_DIR}"
      "-DCMAKE_CXX_COMPILER=${CONSUMER_CXX_COMPILER}"
      "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}"
      "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_LINKER_FLAGS}"
      ${ARGN})
  run(${CMAKE_COMMAND} --build "${build_dir}")
endfunction()

# The core alone: find_package(Protobuf) and find_package(GTest) are disabled, as if neither were
# installed.
consumer("${CONSUMER_SOURCE_DIR}_core" "${CONSUMER_BUILD_DIR}-core"
         -DCMAKE_DISABLE_FIND_PACKAGE_Protobuf=ON -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON)
run("${CONSUMER_BUILD_DIR}-core/core_consumer")
consumer("${CONSUMER_SOURCE_DIR}" "${CONSUMER_BUILD_DIR}")
run("${CONSUMER_BUILD_DIR}/consumer")
run("${CONSUMER_BUILD_DIR}/policy_test")
# examples/policy_tests, the project a platform team copies: its AMI policy tests, written with
# the testing kit and scenario files, built against the installed package and run.
consumer("${POLICY_TESTS_SOURCE_DIR}" "${CONSUMER_BUILD_DIR}-policy")
run("${CONSUMER_BUILD_DIR}-policy/policy_tests")
