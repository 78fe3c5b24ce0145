// One registration function per command group. Each adds its subcommand(s) to
// the app and sets their callbacks, which run during parsing; exceptions they
// throw reach main(), which maps them to exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include "global_options.hpp"

namespace redkit::cli {

void add_version_command(CLI::App& app, GlobalOptions& global);
void add_ping_command(CLI::App& app, GlobalOptions& global);
void add_demo_command(CLI::App& app, GlobalOptions& global);
// lock exec | list | info | release | metrics
void add_lock_commands(CLI::App& app, GlobalOptions& global);
// `redkit metrics [--prometheus]`: the operation and lock metrics.
void add_metrics_command(CLI::App& app, GlobalOptions& global);
// ts create | alter | add | import | range | revrange | mrange | mget | get | info |
// rule add|list|del|backfill | preset retention | del | correlate | outliers
void add_ts_commands(CLI::App& app, GlobalOptions& global);
// `redkit ts alert ...`, under the ts command.
void add_ts_alert_commands(CLI::App& ts, GlobalOptions& global);
// `redkit ts watch`, under the ts command.
void add_ts_watch_command(CLI::App& ts, GlobalOptions& global);
// `redkit ts anomalies`, under the ts command.
void add_ts_anomalies_command(CLI::App& ts, GlobalOptions& global);
// `redkit ts correlate` and `redkit ts outliers`, under the ts command.
void add_ts_analytics_commands(CLI::App& ts, GlobalOptions& global);

}  // namespace redkit::cli
