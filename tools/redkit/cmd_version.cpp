// `redkit version`: the version of the tool and of the library it runs with,
// which differ when an older or newer libredkit.so is found at run time.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "redkit/version.hpp"

namespace redkit::cli {

void add_version_command(CLI::App& app, GlobalOptions& global) {
  CLI::App* command = app.add_subcommand("version", "Print the versions of redkit and libredkit");
  command->callback([&global] {
    if (global.json()) {
      const nlohmann::json out = {{"version", REDKIT_VERSION_STRING},
                                  {"library_version", redkit::version()}};
      fmt::print("{}\n", out.dump());
    } else {
      fmt::print("redkit {} (libredkit {})\n", REDKIT_VERSION_STRING, redkit::version());
    }
  });
}

}  // namespace redkit::cli
