// The Lua scripts of lua/, embedded at build time, and their Script objects.
#pragma once

#include <span>
#include <string_view>

#include "client/embedded_script_names.hpp"
#include "redkit/script.hpp"

namespace redkit::detail {

struct EmbeddedScriptSource {
  std::string_view name;  // file name without .lua
  std::string_view source;
};

// Generated table; ends with an entry whose name is empty.
extern const EmbeddedScriptSource kEmbeddedScripts[];

// The script built from lua/<name>.lua.
const Script& embedded_script(ScriptName name);

// Every embedded script, in file-name order.
std::span<const Script> embedded_scripts();

}  // namespace redkit::detail
