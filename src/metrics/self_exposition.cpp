// Self metrics as text: operation names, quantile estimates, the Prometheus
// text exposition and JSON.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "redkit/lock_metrics.hpp"
#include "redkit/self_metrics.hpp"

namespace redkit {
namespace {

constexpr std::string_view kSelfOpNames[kSelfOpCount] = {
    "ts_add",       "ts_add_many",  "ts_range",     "ts_latest",         "ts_mget",        "ts_mrange",
    "ts_seal",      "ts_rule_update", "lock_acquire", "lock_wait",       "lock_hold",      "lock_renew",
    "lock_release", "client_round_trip", "client_connect", "client_reconnect"};

// A double as both formats accept it: shortest round-trip form, never NaN
// or infinite (the inputs are finite sums and bounds).
std::string self_number(double value) { return fmt::format("{}", value); }

void self_prometheus_family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n", name, help, type);
}

}  // namespace

std::string_view to_string(SelfOp op) noexcept {
  const auto index = static_cast<std::size_t>(op);
  return index < kSelfOpCount ? kSelfOpNames[index] : std::string_view("unknown");
}

double mean_ms(const LatencyHistogram& h) noexcept {
  return h.count == 0 ? 0.0 : h.sum_ms / static_cast<double>(h.count);
}

double quantile_ms(const LatencyHistogram& h, double q) noexcept {
  std::uint64_t total = 0;
  for (std::uint64_t n : h.counts) total += n;
  if (total == 0 || h.bounds_ms.empty()) return 0.0;
  const double rank = (q >= 0.0 ? std::min(q, 1.0) : 0.0) * static_cast<double>(total);  // NaN: 0
  std::uint64_t below = 0;
  for (std::size_t b = 0; b < h.counts.size(); ++b) {
    const std::uint64_t in_bucket = h.counts[b];
    if (in_bucket > 0 && static_cast<double>(below + in_bucket) >= rank) {
      if (b >= h.bounds_ms.size()) return h.bounds_ms.back();  // +Inf: the highest bound is all we know
      const double lower = b == 0 ? 0.0 : h.bounds_ms[b - 1];
      const double upper = h.bounds_ms[b];
      const double fraction = (rank - static_cast<double>(below)) / static_cast<double>(in_bucket);
      return lower + (upper - lower) * std::clamp(fraction, 0.0, 1.0);
    }
    below += in_bucket;
  }
  return h.bounds_ms.back();
}

std::string to_prometheus(const SelfMetrics& m) {
  std::string out;
  self_prometheus_family(out, "redkit_operation_calls_total", "counter",
                         "Calls of a redkit operation (redkit/self_metrics.hpp lists them).");
  for (const SelfOperationMetrics& op : m.operations) {
    out += fmt::format("redkit_operation_calls_total{{op=\"{}\"}} {}\n", to_string(op.op), op.calls);
  }
  self_prometheus_family(out, "redkit_operation_errors_total", "counter",
                         "Calls of a redkit operation that ended with an error.");
  for (const SelfOperationMetrics& op : m.operations) {
    out += fmt::format("redkit_operation_errors_total{{op=\"{}\"}} {}\n", to_string(op.op), op.errors);
  }
  self_prometheus_family(out, "redkit_operation_seconds", "histogram", "Duration of a redkit operation.");
  for (const SelfOperationMetrics& op : m.operations) {
    const LatencyHistogram& h = op.latency;
    if (h.count == 0) continue;
    const std::string_view name = to_string(op.op);
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < h.counts.size(); ++b) {
      cumulative += h.counts[b];
      // Twelve digits: ms / 1000 may land a hair off the bound's shortest
      // form (2.5000000000000001e-05), and le values are compared as text.
      const std::string le = b < h.bounds_ms.size() ? fmt::format("{:.12g}", h.bounds_ms[b] / 1000.0) : "+Inf";
      out += fmt::format("redkit_operation_seconds_bucket{{op=\"{}\",le=\"{}\"}} {}\n", name, le, cumulative);
    }
    out += fmt::format("redkit_operation_seconds_sum{{op=\"{}\"}} {}\n", name, self_number(h.sum_ms / 1000.0));
    out += fmt::format("redkit_operation_seconds_count{{op=\"{}\"}} {}\n", name, cumulative);
  }
  return out;
}

std::string to_json(const SelfMetrics& m) {
  std::string out = "{\"bounds_ms\":[";
  const auto bounds = self_latency_bounds_ms();
  for (std::size_t i = 0; i < bounds.size(); ++i) out += (i == 0 ? "" : ",") + self_number(bounds[i]);
  out += "],\"operations\":{";
  bool first = true;
  for (const SelfOperationMetrics& op : m.operations) {
    const LatencyHistogram& h = op.latency;
    out += fmt::format("{}\"{}\":{{\"calls\":{},\"errors\":{},\"sum_ms\":{},\"mean_ms\":{},\"p50_ms\":{},\"p99_ms\":{},"
                       "\"buckets\":[{}]}}",
                       first ? "" : ",", to_string(op.op), op.calls, op.errors, self_number(h.sum_ms),
                       self_number(mean_ms(h)), self_number(quantile_ms(h, 0.5)), self_number(quantile_ms(h, 0.99)),
                       fmt::join(h.counts, ","));
    first = false;
  }
  out += "}}";
  return out;
}

}  // namespace redkit
