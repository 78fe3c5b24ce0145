# Embeds every lua/*.lua file into the library as a C++ array, so scripts are
# found without any file lookup at run time. The table is regenerated at build
# time whenever a script changes or one is added (CONFIGURE_DEPENDS).
function(redkit_embed_lua)
  cmake_parse_arguments(ARG "" "OUTPUT;DIRECTORY" "" ${ARGN})
  file(GLOB scripts CONFIGURE_DEPENDS ${ARG_DIRECTORY}/*.lua)
  file(GLOB libraries CONFIGURE_DEPENDS ${ARG_DIRECTORY}/lib/*.lua)
  list(SORT scripts)
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} "-DSCRIPTS=${scripts}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_lua_generate.cmake
    DEPENDS ${scripts} ${libraries} ${PROJECT_SOURCE_DIR}/cmake/embed_lua_generate.cmake
    COMMENT "Embedding Lua scripts"
    VERBATIM)
endfunction()
