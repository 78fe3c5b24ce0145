// `redkit metrics [--prometheus]`: redkit's own operation metrics (what the
// applications' SelfMonitors sent) and the lock metrics, summed over every
// process using this Redis, as a table, JSON (--json) or the Prometheus text
// exposition format.
#include <memory>
#include <string>

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "redkit/client.hpp"
#include "redkit/lock_metrics.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/self_metrics.hpp"

namespace redkit::cli {
namespace {

constexpr const char* kMetricsPrefix = "redkit:";

nlohmann::json histogram_summary_json(const LatencyHistogram& h) {
  return {{"count", h.count},
          {"sum_ms", h.sum_ms},
          {"mean_ms", mean_ms(h)},
          {"p50_ms", quantile_ms(h, 0.5)},
          {"p99_ms", quantile_ms(h, 0.99)},
          {"bounds_ms", h.bounds_ms},
          {"counts", h.counts}};
}

nlohmann::json lock_metrics_json(const LockMetrics& m) {
  nlohmann::json contended = nlohmann::json::array();
  for (const auto& [name, n] : m.most_contended) contended.push_back({{"name", name}, {"failed_attempts", n}});
  return {{"attempts", m.attempts},
          {"acquisitions", m.acquisitions},
          {"timeouts", m.timeouts},
          {"releases", m.releases},
          {"lost", m.lost},
          {"renewals", m.renewals},
          {"wait", histogram_summary_json(m.wait)},
          {"handoff", histogram_summary_json(m.handoff)},
          {"hold", histogram_summary_json(m.hold)},
          {"most_contended", contended}};
}

void print_metrics_table(const SelfMetrics& self, const LockMetrics& locks) {
  fmt::print("{:<18} {:>12} {:>8} {:>10} {:>10} {:>10}\n", "operation", "calls", "errors", "mean ms", "p50 ms",
             "p99 ms");
  for (const SelfOperationMetrics& op : self.operations) {
    fmt::print("{:<18} {:>12} {:>8} {:>10.3f} {:>10.3f} {:>10.3f}\n", to_string(op.op), op.calls, op.errors,
               mean_ms(op.latency), quantile_ms(op.latency, 0.5), quantile_ms(op.latency, 0.99));
  }
  fmt::print("\nlocks: attempts {}  acquisitions {}  timeouts {}  releases {}  lost {}  renewals {}\n", locks.attempts,
             locks.acquisitions, locks.timeouts, locks.releases, locks.lost, locks.renewals);
  fmt::print("locks: mean wait {:.3f} ms  mean handoff {:.3f} ms  mean hold {:.3f} ms\n", mean_ms(locks.wait),
             mean_ms(locks.handoff), mean_ms(locks.hold));
  for (const auto& [name, n] : locks.most_contended) {
    fmt::print("contended  {:<32} {} failed attempts\n", name, n);
  }
}

void run_metrics_command(const GlobalOptions& global, bool prometheus) {
  const Client client(ClientOptions{.connection = global.connection(), .pool = {}});
  const SelfMetrics self = read_self_metrics(client, kMetricsPrefix);
  LockService lock_service(client, {.prefix = kMetricsPrefix, .owner_label = {}, .metrics_flush_interval = {}});
  const LockMetrics locks = lock_service.metrics();
  if (prometheus) {
    fmt::print("{}{}", to_prometheus(self), to_prometheus(locks));
    return;
  }
  if (global.json()) {
    nlohmann::json out = nlohmann::json::parse(to_json(self));
    out["locks"] = lock_metrics_json(locks);
    fmt::print("{}\n", out.dump());
    return;
  }
  print_metrics_table(self, locks);
}

}  // namespace

void add_metrics_command(CLI::App& app, GlobalOptions& global) {
  auto prometheus = std::make_shared<bool>(false);
  CLI::App* metrics = app.add_subcommand(
      "metrics", "redkit's operation metrics (sent by applications' SelfMonitors) and the lock metrics, summed over "
                 "every process using this Redis");
  metrics->add_flag("--prometheus", *prometheus, "Print the Prometheus text exposition format");
  metrics->callback([&global, prometheus] { run_metrics_command(global, *prometheus); });
}

}  // namespace redkit::cli
