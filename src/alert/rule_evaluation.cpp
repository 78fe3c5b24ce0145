// One evaluation of one rule (rule_evaluation.hpp): the windows read through
// ts::Store in multi-series reads, the state machine (alert_state.hpp) run
// per instance, and each change recorded by lua/alert_transition.lua only if
// the stored state is still the one read.
#include "alert/rule_evaluation.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "alert/alert_condition.hpp"
#include "alert/alert_state.hpp"
#include "alert/annotation_template.hpp"
#include "alert/notification_fields.hpp"
#include "alert/rule_windows.hpp"
#include "client/embedded_scripts.hpp"
#include "redkit/time_series.hpp"

namespace redkit::alert {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;
using namespace ::redkit::ts;

namespace {

// History entries kept (approximately: the stream is trimmed by whole nodes).
constexpr long long kHistoryLength = 10'000;

AlertEventKind kind_of(AlertEvent event) {
  switch (event) {
    case AlertEvent::repeated:
      return AlertEventKind::repeated;
    case AlertEvent::resolved:
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
  const TemplateValues values{.series = series, .value = reading.value, .labels = &reading.labels};
  for (const auto& [name, text] : rule.annotations) out.annotations[name] = expand_template(text, values);
  return out;
}

}  // namespace

std::string rule_key(const AlertRulesOptions& options, std::string_view rule) {
  return fmt::format("{}{{alert}}:rule:{}", options.prefix, rule);
}

std::string rule_names_key(const AlertRulesOptions& options) { return options.prefix + "{alert}:rules"; }

std::string states_key(const AlertRulesOptions& options, std::string_view rule) {
  return fmt::format("{}{{alert}}:state:{}", options.prefix, rule);
}

std::string history_key(const AlertRulesOptions& options) { return options.prefix + "{alert}:history"; }

RuleOutcome evaluate_rule(const Client& client, const AlertRulesOptions& options, const AlertRule& rule,
                          Timestamp now) {
  const Store store(client, StoreOptions{.prefix = options.prefix, .default_series = {}});
  const std::map<std::string, Reading> readings = read_windows(store, rule, now);
  const std::string states = states_key(options, rule.name);
  const std::string history = history_key(options);
  const std::string rule_hash = rule_key(options, rule.name);
  // Every instance: the series read now and those with a stored state (a
  // series that stopped matching or disappeared has no data now).
  std::map<std::string, std::string> stored;
  const Reply stored_reply = client.command(Command("HGETALL").key(states));
  const ReplyArray& fields = stored_reply.as_array();
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) stored[fields[i].as_string()] = fields[i + 1].as_string();
  std::set<std::string> instances;
  for (const auto& [series, reading] : readings) instances.insert(series);
  for (const auto& [series, text] : stored) instances.insert(series);

  const AlertTiming timing{.for_duration = rule.for_duration,
                           .keep_firing_for = rule.keep_firing_for,
                           .repeat_interval = rule.repeat_interval};
  const NoDataPolicy no_data = rule.no_data == ts::NoDataPolicy::resolve ? NoDataPolicy::resolve
                               : rule.no_data == ts::NoDataPolicy::alert ? NoDataPolicy::alert
                                                                         : NoDataPolicy::keep;
  struct Change {
    std::optional<AlertNotification> notification;
    std::optional<AlertNotification> firing;
  };
  RuleOutcome outcome;
  std::vector<Change> changes;
  std::vector<Command> writes;
  const Reading nothing{};
  for (const std::string& series : instances) {
    const auto found = readings.find(series);
    const Reading& reading = found == readings.end() ? nothing : found->second;
    const auto text = stored.find(series);
    AlertState before;
    if (text != stored.end()) {
      const auto decoded = decode_state(text->second);
      if (!decoded) {
        throw ProtocolError(fmt::format("alert rule '{}': the stored state of series '{}' is not a state: \"{}\"",
                                        rule.name, series, text->second));
      }
      before = *decoded;
    }
    const Evaluation evaluation =
        evaluate(before, observe(rule, reading.value, reading.baseline), now, timing, no_data);
    std::optional<AlertNotification> firing;
    if (evaluation.state.phase == AlertPhase::firing) {
      firing = notification_of(rule, series, reading, AlertEventKind::fired, now, evaluation.state.since);
    }
    // The value alone changing is not worth a write: notifications carry
    // the value read now. An inactive instance is not stored at all.
    AlertState compared = evaluation.state;
    compared.value = before.value;
    const bool inactive = evaluation.state.phase == AlertPhase::inactive;
    if (compared == before || (inactive && text == stored.end())) {
      if (firing) outcome.firing.push_back(std::move(*firing));
      continue;
    }
    std::optional<AlertNotification> notification;
    if (evaluation.event != AlertEvent::none) {
      const Timestamp active_since = evaluation.event == AlertEvent::resolved ? before.since : evaluation.state.since;
      notification = notification_of(rule, series, reading, kind_of(evaluation.event), now, active_since);
    }
    std::vector<std::string> args{series, text == stored.end() ? "" : text->second,
                                  inactive ? std::string() : encode_state(evaluation.state),
                                  notification ? "1" : "", std::to_string(kHistoryLength)};
    if (notification) {
      for (std::string& field : notification_fields(*notification)) args.push_back(std::move(field));
    }
    writes.push_back(embedded_script(ScriptName::alert_transition).call({states, history, rule_hash}, std::move(args)));
    changes.push_back({std::move(notification), std::move(firing)});
  }
  if (writes.empty()) {
    return outcome;
  }
  const std::vector<Reply> recorded = client.execute(writes);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    // 0: another evaluator changed this instance first; its notification
    // (and its view of whether the alert fires), not ours.
    if (recorded[i].throw_if_error().as_integer() != 1) {
      continue;
    }
    if (changes[i].notification) outcome.notifications.push_back(std::move(*changes[i].notification));
    if (changes[i].firing) outcome.firing.push_back(std::move(*changes[i].firing));
  }
  return outcome;
}

}  // namespace redkit::alert
