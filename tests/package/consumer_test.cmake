# Installs dtf into a temporary prefix, builds examples/embedding against the
# installed package (find_package(dtf), dtf::runtime) and runs it.
# cmake -DDTF_BUILD_DIR=... -DDTF_SOURCE_DIR=... -DWORK_DIR=... [-DDTF_SANITIZE=ON] -P consumer_test.cmake
foreach(var DTF_BUILD_DIR DTF_SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "${var} is not set")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} failed (${rc}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step("cmake --install" ${CMAKE_COMMAND} --install "${DTF_BUILD_DIR}" --prefix "${prefix}")
foreach(installed bin/dtf include/dtf/runtime.hpp include/dtf/actors/runtime.hpp lib/cmake/dtf/dtfConfig.cmake
                  lib/cmake/dtf/dtfConfigVersion.cmake lib/cmake/dtf/dtfTargets.cmake)
  if(NOT EXISTS "${prefix}/${installed}")
    message(FATAL_ERROR "cmake --install did not install ${installed}")
  endif()
endforeach()
step("installed dtf --version" "${prefix}/bin/dtf" --version)

set(launcher)
find_program(CCACHE ccache)
if(CCACHE)
  set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE})
endif()
# A sanitized build installs sanitized libraries: the consumer links the same runtimes.
set(sanitize)
if(DTF_SANITIZE)
  set(sanitize "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
endif()
step("configure the consumer" ${CMAKE_COMMAND} -S "${DTF_SOURCE_DIR}/examples/embedding" -B "${WORK_DIR}/build"
     -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}" ${launcher} ${sanitize})
step("build the consumer" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
step("run the consumer" "${WORK_DIR}/build/dtf_embedding_example")
if(NOT step_output MATCHES "6 of 6 tasks succeeded on 2 workers")
  message(FATAL_ERROR "the consumer's output is not what it should be:\n${step_output}")
endif()
message(STATUS "the installed package works:\n${step_output}")
file(REMOVE_RECURSE "${WORK_DIR}")
