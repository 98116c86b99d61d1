# Runs a libFuzzer binary for SECONDS over a fresh copy of the seeds in SEED_DIRS.
#   cmake -DFUZZER=… -DWORK_DIR=… -DSEED_DIRS="a;b" -DDICT=… -DSECONDS=30 -P runfuzz.cmake
# A crash, leak, timeout (10 s for one input) or more than 1 GiB of memory fails the test;
# the input that did it is left in WORK_DIR/artifacts.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/corpus ${WORK_DIR}/artifacts)
foreach(dir IN LISTS SEED_DIRS)
  file(GLOB seeds ${dir}/*.json)
  file(COPY ${seeds} DESTINATION ${WORK_DIR}/corpus)
endforeach()
execute_process(
  COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=1024
          -max_len=65536 -dict=${DICT} -print_final_stats=1
          -artifact_prefix=${WORK_DIR}/artifacts/ ${WORK_DIR}/corpus
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "fuzz_tracereader failed (${result}); see ${WORK_DIR}/artifacts")
endif()
