// `redkit ts alert add | list | show | del | history`: alert rules from the shell.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "option_args.hpp"
#include "redkit/client.hpp"
#include "redkit/duration.hpp"
#include "redkit/ts_alert_watcher.hpp"
#include "redkit/ts_alerts.hpp"
#include "usage_error.hpp"

namespace redkit::cli {
namespace {

struct AlertArgs {
  std::string name;
  std::string series;
  std::vector<std::string> filters;
  std::string window = "1m";
  std::string aggregation = "avg";
  std::string above, below, equal, tolerance = "0", outside;
  bool anomalous = false;
  std::string resolve;
  std::string baseline = "24h";
  std::string method = "z";
  std::string sensitivity = "3";
  std::string for_duration = "0s";
  std::string keep_firing_for = "0s";
  std::string repeat = "4h";
  std::string no_data = "keep";
  std::vector<std::string> labels;
  std::vector<std::string> annotations;
  bool replace = false;
};

ts::AlertRules make_rules(const GlobalOptions& global) {
  return ts::AlertRules(Client(ClientOptions{.connection = global.connection(), .pool = {}}));
}

template <typename Parse>
auto enum_option(Parse parse, const std::string& text, std::string_view option) {
  try {
    return parse(text);
  } catch (const InvalidArgument& e) {
    throw UsageError(fmt::format("{}: {}", option, e.what()));
  }
}

// NAME=VALUE, split at the first '=' (values may hold more).
std::map<std::string, std::string> pairs_option(const std::vector<std::string>& items, std::string_view option) {
  std::map<std::string, std::string> out;
  for (const std::string& item : items) {
    const auto equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw UsageError(fmt::format("{} '{}' is not NAME=VALUE", option, item));
    }
    out[item.substr(0, equals)] = item.substr(equals + 1);
  }
  return out;
}

ts::AlertRule rule_of(const AlertArgs& args) {
  ts::AlertRule rule{.name = args.name, .series = args.series, .filters = args.filters};
  rule.window = duration_option(args.window, "--window");
  ts::Aggregation aggregation;
  aggregation_option(args.aggregation, "--agg", aggregation);
  rule.aggregator = aggregation.aggregator;
  rule.quantile = aggregation.quantile;
  const int conditions = !args.above.empty() + !args.below.empty() + !args.equal.empty() + !args.outside.empty() +
                         static_cast<int>(args.anomalous);
  if (conditions != 1) {
    throw UsageError("give exactly one condition: --above X, --below X, --equal X, --outside LOW,HIGH or --anomalous");
  }
  if (!args.above.empty()) {
    rule.condition = ts::AlertCondition::above;
    rule.threshold = number_argument(args.above, "--above");
  } else if (!args.below.empty()) {
    rule.condition = ts::AlertCondition::below;
    rule.threshold = number_argument(args.below, "--below");
  } else if (!args.equal.empty()) {
    rule.condition = ts::AlertCondition::equal;
    rule.threshold = number_argument(args.equal, "--equal");
    rule.tolerance = number_argument(args.tolerance, "--tolerance");
  } else if (!args.outside.empty()) {
    rule.condition = ts::AlertCondition::outside;
    const auto comma = args.outside.find(',');
    if (comma == std::string::npos) {
      throw UsageError(fmt::format("--outside '{}' is not LOW,HIGH", args.outside));
    }
    rule.threshold = number_argument(args.outside.substr(0, comma), "--outside");
    rule.threshold_high = number_argument(args.outside.substr(comma + 1), "--outside");
  } else {
    rule.condition = ts::AlertCondition::anomalous;
  }
  if (!args.resolve.empty()) {
    rule.resolve_threshold = number_argument(args.resolve, "--resolve");
  }
  rule.baseline = duration_option(args.baseline, "--baseline");
  rule.method = enum_option(ts::parse_anomaly_method, args.method, "--method");
  rule.sensitivity = number_argument(args.sensitivity, "--sensitivity");
  rule.for_duration = duration_option(args.for_duration, "--for");
  rule.keep_firing_for = duration_option(args.keep_firing_for, "--keep-firing-for");
  rule.repeat_interval = duration_option(args.repeat, "--repeat");
  rule.no_data = enum_option(ts::parse_no_data_policy, args.no_data, "--no-data");
  rule.labels = pairs_option(args.labels, "--label");
  rule.annotations = pairs_option(args.annotations, "--annotation");
  return rule;
}

// What the rule tests, as a person would say it.
std::string condition_text(const ts::AlertRule& rule) {
  const std::string value =
      fmt::format("{}({})", ts::aggregator_name({.aggregator = rule.aggregator, .quantile = rule.quantile}),
                  format_duration(rule.window));
  switch (rule.condition) {
    case ts::AlertCondition::above:
      return fmt::format("{} > {}{}", value, rule.threshold,
                         rule.resolve_threshold ? fmt::format(" (resolves <= {})", *rule.resolve_threshold) : "");
    case ts::AlertCondition::below:
      return fmt::format("{} < {}{}", value, rule.threshold,
                         rule.resolve_threshold ? fmt::format(" (resolves >= {})", *rule.resolve_threshold) : "");
    case ts::AlertCondition::equal:
      return fmt::format("{} = {} ± {}", value, rule.threshold, rule.tolerance);
    case ts::AlertCondition::outside:
      return fmt::format("{} outside [{}, {}]", value, rule.threshold, rule.threshold_high);
    case ts::AlertCondition::anomalous:
      return fmt::format("{} anomalous ({} > {} spreads over {})", value, ts::to_string(rule.method),
                         rule.sensitivity, format_duration(rule.baseline));
  }
  return value;
}

std::string target_text(const ts::AlertRule& rule) {
  if (!rule.series.empty()) return rule.series;
  std::string out;
  for (const std::string& filter : rule.filters) out += (out.empty() ? "" : " ") + filter;
  return out;
}

nlohmann::json rule_json(const ts::AlertRule& rule) {
  nlohmann::json out = {
      {"name", rule.name},
      {"window_ms", rule.window.count()},
      {"aggregation", ts::aggregator_name({.aggregator = rule.aggregator, .quantile = rule.quantile})},
      {"condition", ts::to_string(rule.condition)},
      {"threshold", rule.threshold},
      {"for_ms", rule.for_duration.count()},
      {"keep_firing_for_ms", rule.keep_firing_for.count()},
      {"repeat_interval_ms", rule.repeat_interval.count()},
      {"no_data", ts::to_string(rule.no_data)},
      {"labels", rule.labels},
      {"annotations", rule.annotations},
  };
  if (!rule.series.empty()) {
    out["series"] = rule.series;
  } else {
    out["filters"] = rule.filters;
  }
  if (rule.condition == ts::AlertCondition::equal) out["tolerance"] = rule.tolerance;
  if (rule.condition == ts::AlertCondition::outside) out["threshold_high"] = rule.threshold_high;
  if (rule.resolve_threshold) out["resolve_threshold"] = *rule.resolve_threshold;
  if (rule.condition == ts::AlertCondition::anomalous) {
    out["baseline_ms"] = rule.baseline.count();
    out["method"] = ts::to_string(rule.method);
    out["sensitivity"] = rule.sensitivity;
  }
  return out;
}

void print_rule(const ts::AlertRule& rule) {
  fmt::print("{}\n  watches    {}\n  fires when {}{}\n", rule.name, target_text(rule), condition_text(rule),
             rule.for_duration.count() > 0 ? fmt::format(" for {}", format_duration(rule.for_duration)) : "");
  if (rule.keep_firing_for.count() > 0) {
    fmt::print("  keeps firing {} after the condition last held\n", format_duration(rule.keep_firing_for));
  }
  fmt::print("  repeats    {}\n  no data    {}\n",
             rule.repeat_interval.count() > 0 ? "every " + format_duration(rule.repeat_interval) : "never",
             ts::to_string(rule.no_data));
  for (const auto& [name, value] : rule.labels) fmt::print("  label      {}={}\n", name, value);
  for (const auto& [name, value] : rule.annotations) fmt::print("  annotation {}={}\n", name, value);
}

}  // namespace

void add_ts_alert_commands(CLI::App& ts, GlobalOptions& global) {
  CLI::App* alert = ts.add_subcommand("alert", "Alert rules over series, stored in Redis");
  alert->require_subcommand(1);

  auto args = std::make_shared<AlertArgs>();
  CLI::App* add = alert->add_subcommand("add", "Store a rule (refused if NAME exists, unless --replace)");
  add->add_option("name", args->name, "Rule name (letters, digits, _-.:)")->required();
  add->add_option("--series", args->series, "The one series to watch");
  add->add_option("--filter", args->filters, "Watch every series matching (k=v, k!=v, k=(a,b), ...)");
  add->add_option("--window", args->window, "Window aggregated at each evaluation")->capture_default_str();
  add->add_option("--agg", args->aggregation, "Aggregation of the window (avg, max, ..., p99)")->capture_default_str();
  add->add_option("--above", args->above, "Fire when the value is above this");
  add->add_option("--below", args->below, "Fire when the value is below this");
  add->add_option("--equal", args->equal, "Fire when the value equals this (within --tolerance)");
  add->add_option("--tolerance", args->tolerance, "With --equal")->capture_default_str();
  add->add_option("--outside", args->outside, "Fire when the value leaves LOW,HIGH");
  add->add_flag("--anomalous", args->anomalous, "Fire when the value is anomalous against --baseline");
  add->add_option("--resolve", args->resolve, "With --above/--below: resolve only past this line");
  add->add_option("--baseline", args->baseline, "With --anomalous: the baseline before the window")
      ->capture_default_str();
  add->add_option("--method", args->method, "With --anomalous: z, mad or ewma")->capture_default_str();
  add->add_option("--sensitivity", args->sensitivity, "With --anomalous: spreads from the baseline")
      ->capture_default_str();
  add->add_option("--for", args->for_duration, "The condition must hold this long")->capture_default_str();
  add->add_option("--keep-firing-for", args->keep_firing_for, "Stay firing this long after it last held")
      ->capture_default_str();
  add->add_option("--repeat", args->repeat, "Notify a firing alert again after this (0s: never)")
      ->capture_default_str();
  add->add_option("--no-data", args->no_data, "keep, resolve or alert")->capture_default_str();
  add->add_option("--label", args->labels, "NAME=VALUE carried into notifications");
  add->add_option("--annotation", args->annotations, "NAME=VALUE, may hold {{series}} {{value}} {{label.NAME}}");
  add->add_flag("--replace", args->replace, "Replace a rule of the same name");
  add->callback([&global, args] {
    const ts::AlertRule rule = rule_of(*args);
    make_rules(global).add(rule, args->replace);
    if (global.json()) {
      fmt::print("{}\n", rule_json(rule).dump());
    } else {
      fmt::print("{} {}\n", args->replace ? "stored" : "added", rule.name);
    }
  });

  CLI::App* list = alert->add_subcommand("list", "Every rule");
  list->callback([&global] {
    const auto rules = make_rules(global).list();
    if (global.json()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& rule : rules) out.push_back(rule_json(rule));
      fmt::print("{}\n", out.dump());
      return;
    }
    for (const auto& rule : rules) {
      fmt::print("{}  {}  {}\n", rule.name, target_text(rule), condition_text(rule));
    }
  });

  auto show_name = std::make_shared<std::string>();
  CLI::App* show = alert->add_subcommand("show", "One rule in full");
  show->add_option("name", *show_name, "Rule name")->required();
  show->callback([&global, show_name] {
    const ts::AlertRule rule = make_rules(global).get(*show_name);
    if (global.json()) {
      fmt::print("{}\n", rule_json(rule).dump());
    } else {
      print_rule(rule);
    }
  });

  auto history_rule = std::make_shared<std::string>();
  auto history_limit = std::make_shared<std::size_t>(100);
  CLI::App* history = alert->add_subcommand("history", "Notifications recorded, newest first");
  history->add_option("--rule", *history_rule, "Only this rule's");
  history->add_option("--limit", *history_limit, "At most this many")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}))
      ->capture_default_str();
  history->callback([&global, history_rule, history_limit] {
    const ts::AlertEngine engine(Client(ClientOptions{.connection = global.connection(), .pool = {}}));
    const auto entries = engine.history(history_rule->empty() ? std::nullopt : std::optional(*history_rule),
                                        *history_limit);
    if (global.json()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& entry : entries) {
        out.push_back({{"rule", entry.rule},
                       {"series", entry.series},
                       {"event", ts::to_string(entry.event)},
                       {"at", entry.at},
                       {"value", entry.value ? nlohmann::json(*entry.value) : nlohmann::json(nullptr)},
                       {"active_since", entry.active_since}});
      }
      fmt::print("{}\n", out.dump());
      return;
    }
    for (const auto& entry : entries) {
      fmt::print("{} {} {} {} {}\n", entry.at, entry.rule, entry.series, ts::to_string(entry.event),
                 entry.value ? fmt::format("{}", *entry.value) : "-");
    }
  });

  CLI::App* sinks = alert->add_subcommand("sinks", "Deliveries per sink over every watcher, and the live watchers");
  sinks->callback([&global] {
    const Client client(ClientOptions{.connection = global.connection(), .pool = {}});
    const auto stats = ts::AlertWatcher::sink_stats(client);
    const auto watchers = ts::AlertWatcher::live_watchers(client);
    if (global.json()) {
      nlohmann::json out{{"watchers", watchers}, {"sinks", nlohmann::json::array()}};
      for (const auto& sink : stats) {
        out["sinks"].push_back({{"sink", sink.sink},
                                {"delivered", sink.delivered},
                                {"failed_attempts", sink.failed_attempts},
                                {"dropped", sink.dropped},
                                {"pending", sink.pending},
                                {"last_error", sink.last_error},
                                {"last_error_at", sink.last_error_at}});
      }
      fmt::print("{}\n", out.dump());
      return;
    }
    fmt::print("{} live watcher(s){}{}\n", watchers.size(), watchers.empty() ? "" : ": ", fmt::join(watchers, ", "));
    for (const auto& sink : stats) {
      fmt::print("{}\n  delivered {}, failed attempts {}, dropped {}, pending {}\n", sink.sink, sink.delivered,
                 sink.failed_attempts, sink.dropped, sink.pending);
      if (!sink.last_error.empty()) fmt::print("  last error at {}: {}\n", sink.last_error_at, sink.last_error);
    }
  });

  auto del_name = std::make_shared<std::string>();
  CLI::App* del = alert->add_subcommand("del", "Remove a rule");
  del->add_option("name", *del_name, "Rule name")->required();
  del->callback([&global, del_name] {
    if (!make_rules(global).remove(*del_name)) {
      throw ts::AlertRuleNotFound(fmt::format("alert rule '{}' does not exist", *del_name));
    }
    fmt::print("{}\n", global.json() ? nlohmann::json{{"removed", *del_name}}.dump() : "removed " + *del_name);
  });
}

}  // namespace redkit::cli
