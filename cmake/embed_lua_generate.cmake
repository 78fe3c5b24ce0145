# cmake -P helper of embed_lua.cmake: writes OUTPUT, a C++ file defining
# redkit::detail::kEmbeddedScripts from the .lua files in SCRIPTS. Bytes are
# written as numbers so any script text (quotes, backslashes, non-ASCII) is
# embedded exactly. A line "--! include NAME" is replaced by the text of
# lua/lib/NAME.lua, so scripts share local functions (EVAL scripts cannot
# call each other).
set(body "// Generated from lua/*.lua at build time. Do not edit.\n#include \"client/embedded_scripts.hpp\"\n\nnamespace redkit::detail {\nnamespace {\n")
set(table "")
set(index 0)
foreach(script IN LISTS SCRIPTS)
  get_filename_component(name ${script} NAME_WE)
  file(READ ${script} text)
  get_filename_component(directory ${script} DIRECTORY)
  # Libraries may include libraries; each is inserted once, where it is
  # first named, so a script naming one its library already holds gets no
  # second copy.
  set(included "")
  string(REGEX MATCH "--! include [a-z_]+\n" line "${text}")
  while(line)
    string(REGEX REPLACE "--! include ([a-z_]+)\n" "\\1" library "${line}")
    list(FIND included ${library} already)
    if(already GREATER -1)
      set(library_text "")
    else()
      file(READ ${directory}/lib/${library}.lua library_text)
      list(APPEND included ${library})
    endif()
    string(FIND "${text}" "${line}" at)
    string(LENGTH "${line}" line_length)
    string(SUBSTRING "${text}" 0 ${at} before)
    math(EXPR after_at "${at} + ${line_length}")
    string(SUBSTRING "${text}" ${after_at} -1 after)
    set(text "${before}${library_text}${after}")
    string(REGEX MATCH "--! include [a-z_]+\n" line "${text}")
  endwhile()
  string(HEX "${text}" hex)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND body "constexpr char kScript${index}[] = {${bytes}};\n")
  string(APPEND table "    {\"${name}\", std::string_view(kScript${index}, ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
string(APPEND body "}  // namespace\n\nconst EmbeddedScriptSource kEmbeddedScripts[] = {\n${table}    {{}, {}},\n};\n\n}  // namespace redkit::detail\n")
file(WRITE ${OUTPUT}.tmp "${body}")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
