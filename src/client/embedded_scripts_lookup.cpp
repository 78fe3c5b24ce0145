// Script objects for the embedded sources, built once on first use.
#include <algorithm>
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
    return built;
  }();
  return scripts;
}

}  // namespace

const Script& embedded_script(std::string_view name) {
  const auto& scripts = all_scripts();
  auto it = std::find_if(scripts.begin(), scripts.end(),
                         [name](const Script& s) { return s.name() == name; });
  if (it == scripts.end()) {
    throw InvalidArgument("no embedded script named \"" + std::string(name) + "\"");
  }
  return *it;
}

std::span<const Script> embedded_scripts() { return all_scripts(); }

}  // namespace redkit::detail
