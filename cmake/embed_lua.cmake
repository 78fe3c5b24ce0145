# Embeds every lua/*.lua file into the library as a C++ array, so scripts are
# found without any file lookup at run time. The table is regenerated at build
# time whenever a script changes or one is added (CONFIGURE_DEPENDS).
#
# NAMES_HEADER gets, at configure time, one ScriptName enumerator per script
# (its index in the table), so code names a script with a constant and a
# misspelt or removed script fails the build instead of a test.
function(redkit_embed_lua)
  cmake_parse_arguments(ARG "" "OUTPUT;NAMES_HEADER;DIRECTORY" "" ${ARGN})
  file(GLOB scripts CONFIGURE_DEPENDS ${ARG_DIRECTORY}/*.lua)
  file(GLOB libraries CONFIGURE_DEPENDS ${ARG_DIRECTORY}/lib/*.lua)
  list(SORT scripts)
  set(enumerators "")
  foreach(script IN LISTS scripts)
    get_filename_component(name ${script} NAME_WE)
    string(APPEND enumerators "  ${name},\n")
  endforeach()
  list(LENGTH scripts count)
  file(CONFIGURE OUTPUT ${ARG_NAMES_HEADER} CONTENT
"// Generated from the names of lua/*.lua at configure time. Do not edit.
#pragma once

#include <cstddef>

namespace redkit::detail {

// One per lua/*.lua script, in file-name order: its index in kEmbeddedScripts.
enum class ScriptName : std::size_t {
${enumerators}};

inline constexpr std::size_t kEmbeddedScriptCount = ${count};

}  // namespace redkit::detail
")
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} "-DSCRIPTS=${scripts}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_lua_generate.cmake
    DEPENDS ${scripts} ${libraries} ${PROJECT_SOURCE_DIR}/cmake/embed_lua_generate.cmake
    COMMENT "Embedding Lua scripts"
    VERBATIM)
endfunction()
