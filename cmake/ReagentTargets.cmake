# Helpers shared by every layer's CMakeLists.txt.

# Warnings for project code only (never for dependencies' headers).
function(reagent_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
    $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
    -Wnon-virtual-dtor -Wimplicit-fallthrough
    # Options structs are meant to be filled with designated initializers, naming only what
    # differs from the defaults.
    -Wno-missing-field-initializers)
  if(REAGENT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  # GCC 12 at -O3 (CMake's Release flags) reports overlapping memcpy inside libstdc++'s
  # std::string operator+/insert that cannot happen (GCC bug 105329, fixed in GCC 13). Only
  # that warning, only that compiler, only the Release configuration.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-Wno-restrict>)
  endif()
endfunction()

# reagent_layer(NAME DEPS libs... PRIVATE_DEPS libs...): the layer library reagent_<NAME>,
# exported as reagent::<NAME>, built from <layer>/src/*.cc (minus *_test.cc), public headers
# in <layer>/include. Its tests, <layer>/src/*_test.cc, form one binary reagent_<NAME>_tests.
# Globs with CONFIGURE_DEPENDS: adding a file needs no CMake edit. A layer without sources
# yet creates no target.
# reagent_glob_sources(DIR SOURCES_VAR TESTS_VAR): DIR/*.cc split into sources and the
# *_test.cc files beside them (CONFIGURE_DEPENDS: new files are picked up without edits).
function(reagent_glob_sources dir sources_var tests_var)
  file(GLOB sources CONFIGURE_DEPENDS "${dir}/*.cc")
  file(GLOB tests CONFIGURE_DEPENDS "${dir}/*_test.cc")
  if(tests)
    list(REMOVE_ITEM sources ${tests})
  endif()
  set(${sources_var} "${sources}" PARENT_SCOPE)
  set(${tests_var} "${tests}" PARENT_SCOPE)
endfunction()

function(reagent_layer name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS;TEST_DEPS" ${ARGN})
  reagent_glob_sources("${CMAKE_CURRENT_SOURCE_DIR}/src" sources tests)
  if(NOT sources)
    return()
  endif()
  add_library(reagent_${name} ${sources})
  add_library(reagent::${name} ALIAS reagent_${name})
  set_target_properties(reagent_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME reagent_${name})
  target_include_directories(reagent_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(reagent_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_features(reagent_${name} PUBLIC cxx_std_20)
  reagent_warnings(reagent_${name})
  if(REAGENT_INSTALL)
    install(TARGETS reagent_${name} EXPORT reagentTargets)
    install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
  if(tests)
    reagent_test(reagent_${name}_tests SOURCES ${tests} DEPS reagent::${name} ${ARG_TEST_DEPS})
  endif()
endfunction()

# reagent_test(NAME sources... DEPS libs...): one GoogleTest binary per layer; each test case
# becomes a ctest entry.
function(reagent_test name)
  if(NOT REAGENT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  reagent_warnings(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/tests")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120)
endfunction()

# reagent_embed(TARGET SYMBOL FILE): links FILE's bytes into TARGET as
#   extern "C" const unsigned char SYMBOL[]; extern "C" const unsigned char SYMBOL_end[];
# using the assembler's .incbin, so multi-megabyte data costs no compile time.
function(reagent_embed target symbol file)
  set(asm "${CMAKE_CURRENT_BINARY_DIR}/${symbol}.S")
  file(WRITE "${asm}"
    "  .section .rodata\n  .global ${symbol}\n  .global ${symbol}_end\n  .balign 16\n"
    "${symbol}:\n  .incbin \"${file}\"\n${symbol}_end:\n  .byte 0\n"
    "  .section .note.GNU-stack,\"\",@progbits\n")
  set_property(SOURCE "${asm}" APPEND PROPERTY OBJECT_DEPENDS "${file}")
  target_sources(${target} PRIVATE "${asm}")
endfunction()
