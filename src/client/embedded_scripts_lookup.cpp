// Script objects for the embedded sources, built once on first use.
#include <string>
#include <vector>

#include "client/embedded_scripts.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

const std::vector<Script>& all_scripts() {
  static const std::vector<Script> scripts = [] {
    std::vector<Script> built;
    for (const EmbeddedScriptSource* s = kEmbeddedScripts; !s->name.empty(); ++s) {
      built.emplace_back(std::string(s->name), std::string(s->source));
    }
    // The names header and the table are generated from one sorted list.
    if (built.size() != kEmbeddedScriptCount) {
      throw Error("embedded scripts: the table and the names header disagree; rebuild");
    }
    return built;
  }();
  return scripts;
}

}  // namespace

const Script& embedded_script(ScriptName name) { return all_scripts()[static_cast<std::size_t>(name)]; }

std::span<const Script> embedded_scripts() { return all_scripts(); }

}  // namespace redkit::detail
