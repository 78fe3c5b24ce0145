// `redkit ts correlate` and `redkit ts outliers`: analysis across series
// (ts::SeriesAnalyzer), as a table or --json.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "option_args.hpp"
#include "redkit/client.hpp"
#include "redkit/ts_analytics.hpp"
#include "usage_error.hpp"

namespace redkit::cli {
namespace {

struct SelectionArgs {
  std::vector<std::string> series;
  std::vector<std::string> filters;
  std::string from = "-";
  std::string to = "+";
  std::string aggregation = "avg";
};

struct CorrelateArgs {
  SelectionArgs selection;
  std::string window = "1m";
  std::string method = "pearson";
  std::string against;
};

struct OutliersArgs {
  SelectionArgs selection;
  std::string window = "0s";
  std::string method = "iqr";
  std::string threshold;
};

void check_selection(const SelectionArgs& args) {
  if (args.series.empty() == args.filters.empty()) {
    throw UsageError("give series NAMEs or --filter, not both and not neither");
  }
}

void add_selection_options(CLI::App* command, SelectionArgs& args) {
  command->add_option("names", args.series, "The series (or use --filter)");
  command->add_option("--filter", args.filters, "Every series matching (k=v, k!=v, k=(a,b), ...)");
  command->add_option("--from", args.from, "Start, Unix ms or '-'")->capture_default_str();
  command->add_option("--to", args.to, "End, Unix ms or '+'")->capture_default_str();
  command->add_option("--agg", args.aggregation, "Aggregation of each window")->capture_default_str();
}

nlohmann::json json_or_null(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string coefficient_text(const ts::Correlation& cell) {
  return cell.coefficient ? fmt::format("{:+.3f}", *cell.coefficient) : "-";
}

void run_correlate(const GlobalOptions& global, const CorrelateArgs& args) {
  check_selection(args.selection);
  ts::CorrelationQuery query{.series = args.selection.series,
                             .filters = args.selection.filters,
                             .against = args.against,
                             .from = timestamp_argument(args.selection.from, "--from"),
                             .to = timestamp_argument(args.selection.to, "--to"),
                             .window = duration_option(args.window, "--window"),
                             .aggregator = aggregator_option(args.selection.aggregation, "--agg")};
  try {
    query.method = ts::parse_correlation_method(args.method);
  } catch (const InvalidArgument& error) {
    throw UsageError(fmt::format("--method: {}", error.what()));
  }
  const ts::SeriesAnalyzer analyzer(Client(ClientOptions{.connection = global.connection(), .pool = {}}));
  const ts::CorrelationMatrix matrix = analyzer.correlate(query);
  if (global.json()) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t r = 0; r < matrix.rows.size(); ++r) {
      nlohmann::json row = nlohmann::json::array();
      for (std::size_t c = 0; c < matrix.columns.size(); ++c) {
        const ts::Correlation& cell = matrix.at(r, c);
        row.push_back({{"coefficient", json_or_null(cell.coefficient)}, {"windows", cell.windows}});
      }
      rows.push_back(std::move(row));
    }
    fmt::print("{}\n", nlohmann::json{{"method", ts::to_string(query.method)},
                                      {"rows", matrix.rows},
                                      {"columns", matrix.columns},
                                      {"matrix", std::move(rows)}}
                           .dump());
    return;
  }
  // One line per row: the coefficient with each column and, in
  // parentheses, the windows it is over; '-' where it is undefined.
  std::size_t width = 0;
  for (const std::string& name : matrix.rows) width = std::max(width, name.size());
  fmt::print("{:<{}}", "", width);
  for (const std::string& column : matrix.columns) fmt::print("  {}", column);
  fmt::print("\n");
  for (std::size_t r = 0; r < matrix.rows.size(); ++r) {
    fmt::print("{:<{}}", matrix.rows[r], width);
    for (std::size_t c = 0; c < matrix.columns.size(); ++c) {
      const ts::Correlation& cell = matrix.at(r, c);
      fmt::print("  {} ({})", coefficient_text(cell), cell.windows);
    }
    fmt::print("\n");
  }
}

void run_outliers(const GlobalOptions& global, const OutliersArgs& args) {
  check_selection(args.selection);
  ts::OutlierQuery query{.series = args.selection.series,
                         .filters = args.selection.filters,
                         .from = timestamp_argument(args.selection.from, "--from"),
                         .to = timestamp_argument(args.selection.to, "--to"),
                         .window = duration_option(args.window, "--window"),
                         .aggregator = aggregator_option(args.selection.aggregation, "--agg")};
  try {
    query.method = ts::parse_outlier_method(args.method);
  } catch (const InvalidArgument& error) {
    throw UsageError(fmt::format("--method: {}", error.what()));
  }
  if (!args.threshold.empty()) query.threshold = number_argument(args.threshold, "--threshold");
  const ts::SeriesAnalyzer analyzer(Client(ClientOptions{.connection = global.connection(), .pool = {}}));
  const std::vector<ts::SeriesOutliers> found = analyzer.outliers(query);
  const bool iqr = query.method == ts::OutlierMethod::iqr;
  if (global.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const ts::SeriesOutliers& series : found) {
      nlohmann::json samples = nlohmann::json::array();
      for (const ts::Sample& sample : series.outliers) samples.push_back({sample.timestamp, sample.value});
      out.push_back({{"series", series.series},
                     {"values", series.values},
                     {"lower", json_or_null(series.lower)},
                     {"upper", json_or_null(series.upper)},
                     {iqr ? "q1" : "mean", json_or_null(series.first)},
                     {iqr ? "q3" : "stddev", json_or_null(series.second)},
                     {"outliers", std::move(samples)}});
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  for (const ts::SeriesOutliers& series : found) {
    if (!series.lower) {
      fmt::print("{}  {} values: too few for bounds\n", series.series, series.values);
      continue;
    }
    fmt::print("{}  {} values  bounds [{}, {}]  {} {}  {} {}  {} outliers\n", series.series, series.values,
               *series.lower, *series.upper, iqr ? "q1" : "mean", *series.first, iqr ? "q3" : "stddev",
               *series.second, series.outliers.size());
    for (const ts::Sample& sample : series.outliers) fmt::print("  {} {}\n", sample.timestamp, sample.value);
  }
}

}  // namespace

void add_ts_analytics_commands(CLI::App& ts, GlobalOptions& global) {
  auto correlate_args = std::make_shared<CorrelateArgs>();
  CLI::App* correlate =
      ts.add_subcommand("correlate", "Correlation of series aligned on common windows (a matrix, or each against one)");
  add_selection_options(correlate, correlate_args->selection);
  correlate->add_option("--window", correlate_args->window, "Window each series is aggregated over")
      ->capture_default_str();
  correlate->add_option("--method", correlate_args->method, "pearson (linear) or spearman (monotonic)")
      ->capture_default_str();
  correlate->add_option("--against", correlate_args->against, "Correlate each series with this one only");
  correlate->callback([&global, correlate_args] { run_correlate(global, *correlate_args); });

  auto outliers_args = std::make_shared<OutliersArgs>();
  CLI::App* outliers = ts.add_subcommand("outliers", "Values outside each series' IQR fences or z-score bounds");
  add_selection_options(outliers, outliers_args->selection);
  outliers->add_option("--window", outliers_args->window, "Aggregate over windows first; 0s: raw samples")
      ->capture_default_str();
  outliers->add_option("--method", outliers_args->method, "iqr or zscore")->capture_default_str();
  outliers->add_option("--threshold", outliers_args->threshold, "k: IQR multiple (default 1.5) or deviations (3)");
  outliers->callback([&global, outliers_args] { run_outliers(global, *outliers_args); });
}

}  // namespace redkit::cli
