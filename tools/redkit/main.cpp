// The redkit command-line tool: builds the command tree, runs the chosen
// command and turns whatever it throws into one line on stderr and an exit
// status (see exit_codes.hpp).
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "global_options.hpp"
#include "redkit/error.hpp"
#include "usage_error.hpp"

namespace {

using namespace redkit::cli;

constexpr std::string_view kConnectHint = "point redkit at Redis with --redis URL or REDIS_URL";
constexpr std::string_view kUsageHint = "run 'redkit --help' for usage";

// Scripts read stderr line by line, so a message that carries a server log or
// a multi-line reason is folded onto one line.
std::string one_line(std::string_view text) {
  std::string out;
  bool pending_break = false;
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      pending_break = !out.empty();
      continue;
    }
    if (pending_break) out += "; ";
    pending_break = false;
    out += c;
  }
  return out;
}

int report(int status, std::string_view message, std::string_view hint = {}) {
  std::cerr << "redkit: " << one_line(message);
  if (!hint.empty()) std::cerr << " (" << hint << ")";
  std::cerr << std::endl;
  return status;
}

int run(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return kExitSuccess;
  } catch (const CLI::ParseError& e) {
    // --help and friends are "errors" with status 0 that print to stdout.
    if (e.get_exit_code() == 0) return app.exit(e);
    // CLI11 reports a mistyped command as a missing one; name what was typed.
    if (app.get_subcommands().empty() && !app.remaining().empty()) {
      const std::string typed = app.remaining().front();
      const char* what = typed.starts_with('-') ? "unknown option" : "unknown command";
      return report(kExitUsage, fmt::format("{} '{}'", what, typed), kUsageHint);
    }
    return report(kExitUsage, e.what(), kUsageHint);
  } catch (const CommandExit& e) {
    if (!e.message.empty()) report(e.status, e.message);
    return e.status;
  } catch (const UsageError& e) {
    return report(kExitUsage, e.what(), kUsageHint);
  } catch (const redkit::ConnectionError& e) {
    return report(kExitFailure, e.what(), kConnectHint);
  } catch (const std::exception& e) {
    return report(kExitFailure, e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("redkit: distributed locks and time series on Redis", "redkit");
  GlobalOptions global;
  global.attach(app);
  // Lets global options follow the command too: `redkit ping --json`.
  app.fallthrough();
  app.require_subcommand(1);

  add_version_command(app, global);
  add_ping_command(app, global);
  add_demo_command(app, global);
  add_lock_commands(app, global);
  add_metrics_command(app, global);
  add_ts_commands(app, global);

  return run(app, argc, argv);
}
