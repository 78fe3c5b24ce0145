# Run by the consumer.find_package test (cmake -P). Every step must succeed:
#   1. cmake --install BUILD_DIR into WORK_DIR/prefix
#   2. configure, build and run PROJECT_DIR against it with find_package
#   3. compile and run the same program with `pkg-config --cflags --libs redkit`
#      (plus --static when libredkit is a static library)
#   4. run the installed redkit program, when one was installed
foreach(var BUILD_DIR PROJECT_DIR WORK_DIR LIBDIR BINDIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# Runs a command, fails the test with its output when it fails, and returns
# its stdout in OUT_VAR when given.
function(step name)
  cmake_parse_arguments(ARG "" "OUT_VAR" "COMMAND" ${ARGN})
  message(STATUS "consumer: ${name}")
  execute_process(COMMAND ${ARG_COMMAND}
                  RESULT_VARIABLE result
                  OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    string(JOIN " " line ${ARG_COMMAND})
    message(FATAL_ERROR "consumer: ${name} failed (${result}): ${line}\n${out}\n${err}")
  endif()
  if(ARG_OUT_VAR)
    set(${ARG_OUT_VAR} "${out}" PARENT_SCOPE)
  endif()
endfunction()

function(expect_ok name output)
  if(NOT output MATCHES "^consumer ok: ")
    message(FATAL_ERROR "consumer: ${name} printed unexpected output:\n${output}")
  endif()
  message(STATUS "consumer: ${name}: ${output}")
endfunction()

set(install_args --install ${BUILD_DIR} --prefix ${prefix})
if(CONFIG)
  list(APPEND install_args --config ${CONFIG})
endif()
step("install" COMMAND ${CMAKE_COMMAND} ${install_args})

set(build_type_args "")
if(CONFIG)
  set(build_type_args -DCMAKE_BUILD_TYPE=${CONFIG})
endif()
step("configure with find_package" COMMAND ${CMAKE_COMMAND}
     -S ${PROJECT_DIR} -B ${consumer_build} -G ${GENERATOR}
     -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
     -DCMAKE_PREFIX_PATH=${prefix}
     "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}"
     "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}"
     ${build_type_args})
step("build with find_package" COMMAND ${CMAKE_COMMAND} --build ${consumer_build})
step("run the find_package build" COMMAND ${consumer_build}/app OUT_VAR output)
expect_ok("find_package build" "${output}")

# pkg-config: the flags alone must be enough to compile and link. A static
# libredkit needs its private dependencies too, which --static adds.
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
set(pc_args --cflags --libs redkit)
if(LIBRARY_TYPE STREQUAL "STATIC_LIBRARY")
  list(PREPEND pc_args --static)
endif()
string(JOIN " " pc_line ${pc_args})
step("pkg-config ${pc_line}" COMMAND pkg-config ${pc_args} OUT_VAR pc_flags)
string(STRIP "${pc_flags}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
separate_arguments(extra_flags UNIX_COMMAND "${EXTRA_FLAGS}")
step("build with pkg-config" COMMAND ${CXX_COMPILER} -std=c++20 ${extra_flags}
     ${PROJECT_DIR}/main.cpp -o ${WORK_DIR}/app-pkg-config ${pc_flags}
     -Wl,-rpath,${prefix}/${LIBDIR})
step("run the pkg-config build" COMMAND ${WORK_DIR}/app-pkg-config OUT_VAR output)
expect_ok("pkg-config build" "${output}")

if(EXISTS ${prefix}/${BINDIR}/redkit)
  step("run the installed redkit" COMMAND ${prefix}/${BINDIR}/redkit version OUT_VAR output)
  if(NOT output MATCHES "^redkit [0-9]+\\.[0-9]+\\.[0-9]+")
    message(FATAL_ERROR "consumer: installed redkit version printed:\n${output}")
  endif()
  message(STATUS "consumer: installed ${output}")
endif()
