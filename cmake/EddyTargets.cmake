# Helpers that give every Eddy target the same warnings, include root and test wiring.

set(EDDY_WARNINGS -Wall -Wextra -Werror -Wno-missing-field-initializers)
# GCC 12's flow-sensitive warnings misfire at -O2/-O3 inside libstdc++ (std::set in StatusOr,
# string operator+; GCC bugs 105329, 105562): in optimized builds they stay warnings, not errors. Debug
# builds (CI's) keep them fatal.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND EDDY_WARNINGS
    $<$<NOT:$<CONFIG:Debug>>:-Wno-error=maybe-uninitialized>
    $<$<NOT:$<CONFIG:Debug>>:-Wno-error=restrict>
    $<$<NOT:$<CONFIG:Debug>>:-Wno-error=stringop-overflow>
    $<$<NOT:$<CONFIG:Debug>>:-Wno-error=array-bounds>)
endif()

# eddy_library(NAME SOURCES ... DEPS ...): a static library with the repo root as include root.
function(eddy_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/gen)
  target_compile_options(${name} PRIVATE ${EDDY_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# eddy_binary(NAME SOURCES ... DEPS ...): an executable (daemon, tool or benchmark).
function(eddy_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/gen)
  target_compile_options(${name} PRIVATE ${EDDY_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# eddy_test(NAME SOURCES ... DEPS ... [LABEL unit|integration] [TIMEOUT s]): a GoogleTest binary
# registered with CTest under its label (`ctest -L unit`).
function(eddy_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/gen)
  target_compile_options(${name} PRIVATE ${EDDY_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} eddy_testing GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT})
endfunction()
