// AlertEngine: reads each rule's windows through the store, moves every
// alert instance's state (alert_state.hpp) and records each change with one
// checked script (lua/alert_transition.lua), so that concurrent evaluators
// never record, or notify, the same transition twice.
#include <map>
#include <set>

#include <fmt/format.h>

#include "alert/alert_condition.hpp"
#include "alert/alert_state.hpp"
#include "alert/annotation_template.hpp"
#include "client/embedded_scripts.hpp"
#include "redkit/time_series.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::ts {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;

namespace {

// History entries kept (approximately: the stream is trimmed by whole nodes).
constexpr long long kHistoryLength = 10'000;

// One series' window (and baseline) at an evaluation.
struct Reading {
  Labels labels{};
  std::optional<double> value{};
  std::vector<double> baseline{};
};

// A single bucket that is exactly the window (now − width, now].
RangeOptions window_query(Timestamp now, std::chrono::milliseconds width, Aggregator aggregator) {
  const Timestamp from = now - width.count() + 1;
  return {.from = from,
          .to = now,
          .aggregation = Aggregation{.aggregator = aggregator, .bucket = width, .align = from}};
}

// The baseline before the window, in window-wide buckets on the same grid,
// so each baseline value is comparable with the window's value (and a
// compaction rule of that width answers it).
RangeOptions baseline_query(const AlertRule& rule, Timestamp now) {
  const Timestamp window_from = now - rule.window.count() + 1;
  return {.from = window_from - rule.baseline.count(),
          .to = window_from - 1,
          .aggregation = Aggregation{.aggregator = rule.aggregator, .bucket = rule.window, .align = window_from}};
}

std::vector<double> values_of(const std::vector<Sample>& samples) {
  std::vector<double> out;
  out.reserve(samples.size());
  for (const Sample& sample : samples) out.push_back(sample.value);
  return out;
}

std::map<std::string, Reading> read_windows(const Store& store, const AlertRule& rule, Timestamp now) {
  std::map<std::string, Reading> readings;
  const RangeOptions window = window_query(now, rule.window, rule.aggregator);
  const bool anomalous = rule.condition == AlertCondition::anomalous;
  if (!rule.series.empty()) {
    try {
      Reading reading{.labels = store.info(rule.series).labels};
      const auto buckets = store.range(rule.series, window);
      if (!buckets.empty()) reading.value = buckets.back().value;
      if (anomalous) reading.baseline = values_of(store.range(rule.series, baseline_query(rule, now)));
      readings.emplace(rule.series, std::move(reading));
    } catch (const SeriesNotFound&) {
      // No series, no data: the rule's no-data policy decides.
    }
    return readings;
  }
  for (SeriesSamples& series : store.mrange(rule.filters, window, std::nullopt, LabelSelection::all())) {
    Reading& reading = readings[series.name];
    reading.labels = std::move(series.labels);
    if (!series.samples.empty()) reading.value = series.samples.back().value;
  }
  if (anomalous) {
    for (SeriesSamples& series : store.mrange(rule.filters, baseline_query(rule, now), std::nullopt,
                                              LabelSelection::none())) {
      const auto found = readings.find(series.name);
      if (found != readings.end()) found->second.baseline = values_of(series.samples);
    }
  }
  return readings;
}

AlertEventKind kind_of(alert::AlertEvent event) {
  switch (event) {
    case alert::AlertEvent::repeated:
      return AlertEventKind::repeated;
    case alert::AlertEvent::resolved:
      return AlertEventKind::resolved;
    default:
      return AlertEventKind::fired;
  }
}

AlertNotification notification_of(const AlertRule& rule, const std::string& series, const Reading& reading,
                                   AlertEventKind kind, Timestamp now, Timestamp active_since) {
  AlertNotification out{.transition = {.rule = rule.name,
                                       .series = series,
                                       .event = kind,
                                       .at = now,
                                       .value = reading.value,
                                       .active_since = active_since}};
  out.labels.insert(reading.labels.begin(), reading.labels.end());
  for (const auto& [name, value] : rule.labels) out.labels[name] = value;
  out.labels["alertname"] = rule.name;
  out.labels["series"] = series;
  const alert::TemplateValues values{.series = series, .value = reading.value, .labels = &reading.labels};
  for (const auto& [name, text] : rule.annotations) out.annotations[name] = alert::expand_template(text, values);
  return out;
}

}  // namespace

AlertEngine::AlertEngine(Client client, AlertRulesOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

std::vector<AlertNotification> AlertEngine::evaluate(Timestamp now) const {
  std::vector<AlertNotification> out;
  for (const AlertRule& rule : AlertRules(client_, options_).list()) {
    for (AlertNotification& notification : evaluate(rule, now)) out.push_back(std::move(notification));
  }
  return out;
}

std::vector<AlertNotification> AlertEngine::evaluate_rule(std::string_view rule, Timestamp now) const {
  return evaluate(AlertRules(client_, options_).get(rule), now);
}

std::vector<AlertNotification> AlertEngine::evaluate(const AlertRule& rule, Timestamp now) const {
  const Store store(client_, StoreOptions{.prefix = options_.prefix, .default_series = {}});
  const std::map<std::string, Reading> readings = read_windows(store, rule, now);
  const std::string states_key = fmt::format("{}{{alert}}:state:{}", options_.prefix, rule.name);
  const std::string history_key = options_.prefix + "{alert}:history";
  // Every instance: the series read now and those with a stored state (a
  // series that stopped matching or disappeared has no data now).
  std::map<std::string, std::string> stored;
  const Reply states = client_.command(Command("HGETALL").key(states_key));
  const ReplyArray& fields = states.as_array();
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) stored[fields[i].as_string()] = fields[i + 1].as_string();
  std::set<std::string> instances;
  for (const auto& [series, reading] : readings) instances.insert(series);
  for (const auto& [series, text] : stored) instances.insert(series);

  const alert::AlertTiming timing{.for_duration = rule.for_duration,
                                  .keep_firing_for = rule.keep_firing_for,
                                  .repeat_interval = rule.repeat_interval};
  const alert::NoDataPolicy no_data = rule.no_data == NoDataPolicy::resolve ? alert::NoDataPolicy::resolve
                                      : rule.no_data == NoDataPolicy::alert ? alert::NoDataPolicy::alert
                                                                            : alert::NoDataPolicy::keep;
  struct Change {
    std::string series;
    alert::Evaluation evaluation;
    Timestamp active_since = 0;
  };
  std::vector<Change> changes;
  std::vector<Command> writes;
  const Reading nothing{};
  for (const std::string& series : instances) {
    const auto found = readings.find(series);
    const Reading& reading = found == readings.end() ? nothing : found->second;
    const auto text = stored.find(series);
    alert::AlertState before;
    if (text != stored.end()) {
      const auto decoded = alert::decode_state(text->second);
      if (!decoded) {
        throw ProtocolError(fmt::format("alert rule '{}': the stored state of series '{}' is not a state: \"{}\"",
                                        rule.name, series, text->second));
      }
      before = *decoded;
    }
    const alert::Evaluation evaluation =
        alert::evaluate(before, alert::observe(rule, reading.value, reading.baseline), now, timing, no_data);
    // The value alone changing is not worth a write: notifications carry
    // the value read now. An inactive instance is not stored at all.
    alert::AlertState compared = evaluation.state;
    compared.value = before.value;
    const bool inactive = evaluation.state.phase == alert::AlertPhase::inactive;
    if (compared == before || (inactive && text == stored.end())) {
      continue;
    }
    const Timestamp active_since = evaluation.event == alert::AlertEvent::resolved ? before.since
                                   : evaluation.state.phase == alert::AlertPhase::firing ? evaluation.state.since
                                                                                         : 0;
    std::vector<std::string> args{series, text == stored.end() ? "" : text->second,
                                  inactive ? std::string() : alert::encode_state(evaluation.state),
                                  evaluation.event == alert::AlertEvent::none ? "" : to_string(kind_of(evaluation.event)),
                                  std::to_string(kHistoryLength)};
    if (evaluation.event != alert::AlertEvent::none) {
      args.insert(args.end(), {"rule", rule.name, "series", series, "event", to_string(kind_of(evaluation.event)),
                               "at", std::to_string(now), "value",
                               reading.value ? fmt::format("{}", *reading.value) : std::string(), "since",
                               std::to_string(active_since)});
    }
    writes.push_back(embedded_script(ScriptName::alert_transition).call({states_key, history_key}, std::move(args)));
    changes.push_back({series, evaluation, active_since});
  }
  std::vector<AlertNotification> out;
  if (writes.empty()) {
    return out;
  }
  const std::vector<Reply> recorded = client_.execute(writes);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const Change& change = changes[i];
    // 0: another evaluator changed this instance first; its notification,
    // not ours.
    if (recorded[i].throw_if_error().as_integer() != 1 || change.evaluation.event == alert::AlertEvent::none) {
      continue;
    }
    const auto found = readings.find(change.series);
    out.push_back(notification_of(rule, change.series, found == readings.end() ? nothing : found->second,
                                  kind_of(change.evaluation.event), now, change.active_since));
  }
  return out;
}

}  // namespace redkit::ts
