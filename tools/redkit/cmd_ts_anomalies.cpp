// `redkit ts anomalies NAME | --filter F ...`: is the newest value of each
// series unusual against its baseline? (ts::AnomalyDetector)
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "option_args.hpp"
#include "redkit/client.hpp"
#include "redkit/ts_anomalies.hpp"
#include "usage_error.hpp"

namespace redkit::cli {
namespace {

struct AnomaliesArgs {
  std::string series;
  std::vector<std::string> filters;
  std::string window = "24h";
  std::string sensitivity = "3";
  std::string method = "z";
  std::string step = "1m";
  std::string aggregation = "avg";
  std::size_t min_baseline = 10;
  long long at = 0;
  bool only_anomalous = false;
};

ts::AnomalyQuery query_of(const AnomaliesArgs& args) {
  if (args.series.empty() == args.filters.empty()) {
    throw UsageError("give a series NAME or --filter, not both and not neither");
  }
  ts::AnomalyQuery query{.series = args.series, .filters = args.filters};
  query.baseline = duration_option(args.window, "--window");
  query.sensitivity = number_argument(args.sensitivity, "--sensitivity");
  try {
    query.method = ts::parse_anomaly_method(args.method);
  } catch (const InvalidArgument& error) {
    throw UsageError(fmt::format("--method: {}", error.what()));
  }
  query.step = duration_option(args.step, "--step");
  query.aggregator = aggregator_option(args.aggregation, "--agg");
  query.min_baseline = args.min_baseline;
  if (args.at != 0) query.at = args.at;
  return query;
}

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

void add_ts_anomalies_command(CLI::App& ts, GlobalOptions& global) {
  auto args = std::make_shared<AnomaliesArgs>();
  CLI::App* anomalies = ts.add_subcommand("anomalies", "Score each series' newest value against its baseline");
  anomalies->add_option("name", args->series, "The series (or use --filter)");
  anomalies->add_option("--filter", args->filters, "Every series matching (k=v, k!=v, k=(a,b), ...)");
  anomalies->add_option("--window", args->window, "How far back the baseline reaches")->capture_default_str();
  anomalies->add_option("--sensitivity", args->sensitivity, "Anomalous beyond this many spreads")
      ->capture_default_str();
  anomalies->add_option("--method", args->method, "z, mad (robust) or ewma (drifting series)")->capture_default_str();
  anomalies->add_option("--step", args->step, "Score the last step's aggregate against step-wide buckets; 0s: raw")
      ->capture_default_str();
  anomalies->add_option("--agg", args->aggregation, "Aggregation of each step")->capture_default_str();
  anomalies->add_option("--min-baseline", args->min_baseline, "Fewer baseline values: insufficient_baseline")
      ->check(CLI::Range(std::size_t{2}, std::size_t{1'000'000'000}))
      ->capture_default_str();
  anomalies->add_option("--at", args->at, "Unix ms to score at (default now)");
  anomalies->add_flag("--anomalous-only", args->only_anomalous, "List only the anomalous series");
  anomalies->callback([&global, args] {
    const ts::AnomalyQuery query = query_of(*args);
    const ts::AnomalyDetector detector(Client(ClientOptions{.connection = global.connection(), .pool = {}}));
    std::vector<ts::AnomalyFinding> findings = detector.check(query);
    if (args->only_anomalous) {
      std::erase_if(findings, [](const auto& f) { return f.verdict != ts::AnomalyVerdict::anomalous; });
    }
    if (global.json()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& f : findings) {
        out.push_back({{"series", f.series},
                       {"verdict", ts::to_string(f.verdict)},
                       {"value", optional_json(f.value)},
                       {"timestamp", f.timestamp},
                       {"score", optional_json(f.score)},
                       {"centre", f.centre},
                       {"spread", f.spread},
                       {"baseline_count", f.baseline_count},
                       {"flat", f.flat},
                       {"labels", f.labels}});
      }
      fmt::print("{}\n", out.dump());
      return;
    }
    for (const auto& f : findings) {
      fmt::print("{}  {}  value {}  score {}  centre {}  spread {}  baseline {}{}\n", f.series,
                 ts::to_string(f.verdict), f.value ? fmt::format("{}", *f.value) : "-",
                 f.score ? fmt::format("{:.2f}", *f.score) : "-", f.centre, f.spread, f.baseline_count,
                 f.flat ? " (flat)" : "");
    }
  });
}

}  // namespace redkit::cli
