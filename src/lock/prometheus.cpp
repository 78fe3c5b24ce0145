// Lock metrics in the Prometheus text exposition format.
#include <fmt/format.h>

#include "redkit/lock_metrics.hpp"

namespace redkit {
namespace {

void counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t value) {
  out += fmt::format("# HELP redkit_lock_{0}_total {1}\n# TYPE redkit_lock_{0}_total counter\nredkit_lock_{0}_total {2}\n",
                     name, help, value);
}

void histogram(std::string& out, std::string_view name, std::string_view help, const LatencyHistogram& h) {
  out += fmt::format("# HELP redkit_lock_{0}_seconds {1}\n# TYPE redkit_lock_{0}_seconds histogram\n", name, help);
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < h.counts.size(); ++b) {
    cumulative += h.counts[b];
    std::string le = b < h.bounds_ms.size() ? fmt::format("{}", h.bounds_ms[b] / 1000.0) : "+Inf";
    out += fmt::format("redkit_lock_{}_seconds_bucket{{le=\"{}\"}} {}\n", name, le, cumulative);
  }
  out += fmt::format("redkit_lock_{0}_seconds_sum {1}\nredkit_lock_{0}_seconds_count {2}\n", name, h.sum_ms / 1000.0,
                     h.count);
}

// Label values escape backslash, double quote and newline.
std::string label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string to_prometheus(const LockMetrics& m) {
  std::string out;
  counter(out, "attempts", "Lock acquisition attempts sent to Redis.", m.attempts);
  counter(out, "acquisitions", "Successful lock acquisitions.", m.acquisitions);
  counter(out, "timeouts", "Lock waits that ended without the lock.", m.timeouts);
  counter(out, "releases", "Lock releases.", m.releases);
  counter(out, "lost", "Locks found lost while held.", m.lost);
  counter(out, "renewals", "Successful lock renewals.", m.renewals);
  histogram(out, "wait", "Time from the start of an acquisition to getting the lock.", m.wait);
  histogram(out, "handoff", "Time from a release to the acquisition by a waiter (server clock).", m.handoff);
  histogram(out, "hold", "Time a lock was held, from acquisition to release.", m.hold);
  out += "# HELP redkit_lock_contention_total Failed acquisition attempts of the most contended locks.\n"
         "# TYPE redkit_lock_contention_total counter\n";
  for (const auto& [name, n] : m.most_contended) {
    out += fmt::format("redkit_lock_contention_total{{lock=\"{}\"}} {}\n", label_value(name), n);
  }
  return out;
}

}  // namespace redkit
