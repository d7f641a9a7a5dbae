# Installs the libami build at AMI_BUILD_DIR into AMI_STAGE_DIR, then configures, builds and runs
# the consumer project against it, as another project's find_package(ami) would.
file(REMOVE_RECURSE "${AMI_STAGE_DIR}" "${CONSUMER_BUILD_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

run(${CMAKE_COMMAND} --install "${AMI_BUILD_DIR}" --prefix "${AMI_STAGE_DIR}")
run(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BUILD_DIR}"
    -G "${CONSUMER_GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${AMI_STAGE_DIR}"
    "-DCMAKE_CXX_COMPILER=${CONSUMER_CXX_COMPILER}"
    "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_LINKER_FLAGS}")
run(${CMAKE_COMMAND} --build "${CONSUMER_BUILD_DIR}")
run("${CONSUMER_BUILD_DIR}/consumer")
