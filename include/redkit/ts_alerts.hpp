// redkit/ts_alerts.hpp — alert rules over stored series, kept in Redis so
// that any process can evaluate them and they survive restarts.
//
//   redkit::ts::AlertRules rules(client);
//   rules.add({.name = "cpu-high", .filters = {"metric=cpu"},
//              .window = std::chrono::minutes(5), .condition = redkit::ts::AlertCondition::above,
//              .threshold = 90, .resolve_threshold = 85, .for_duration = std::chrono::minutes(2),
//              .labels = {{"severity", "page"}},
//              .annotations = {{"summary", "{{series}} at {{value}}"}}});
//
// A rule over label filters yields one alert instance per matching series,
// as a Prometheus rule over many series does.
//
// Thread-safety: AlertRules is safe to share between threads (it holds a
// Client, which is).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/ts_types.hpp"

namespace redkit::ts {

// When a rule's condition holds for the window's aggregate.
enum class AlertCondition {
  above,      // value > threshold
  below,      // value < threshold
  equal,      // |value − threshold| <= tolerance
  outside,    // value < threshold or value > threshold_high
  anomalous,  // the value is more than `sensitivity` spreads from the baseline
};
const char* to_string(AlertCondition condition) noexcept;
// "above", "below", "equal", "outside", "anomalous". Throws InvalidArgument
// naming the text otherwise.
AlertCondition parse_alert_condition(std::string_view text);

// How an anomaly is measured against the baseline.
enum class AnomalyMethod {
  z,     // mean and standard deviation
  mad,   // median and median absolute deviation: robust to spikes
  ewma,  // exponentially weighted mean and deviation: for drifting series
};
const char* to_string(AnomalyMethod method) noexcept;
AnomalyMethod parse_anomaly_method(std::string_view text);

// What an evaluation finding no sample in the window does.
enum class NoDataPolicy {
  keep,     // leave the alert as it is
  resolve,  // treat it as recovered
  alert,    // treat it as the condition holding: an "absent" alert
};
const char* to_string(NoDataPolicy policy) noexcept;
NoDataPolicy parse_no_data_policy(std::string_view text);

struct AlertRule {
  // Letters, digits and "_-.:", at most 200 bytes.
  std::string name{};
  // What the rule watches: one series by name, or every series whose
  // labels match all the filters (Store::query_index). Exactly one of the
  // two.
  std::string series{};
  std::vector<std::string> filters{};
  // Each evaluation aggregates the window that ends at the evaluation time.
  std::chrono::milliseconds window{std::chrono::minutes(1)};
  Aggregator aggregator = Aggregator::avg;
  // For Aggregator::percentile, the quantile in [0, 1] (0.99: the window's
  // p99, as in "p99 latency above 500 ms").
  double quantile = 0.5;
  AlertCondition condition = AlertCondition::above;
  // above, below: the line; equal: the expected value; outside: the low
  // end of the band.
  double threshold = 0;
  // outside: the high end of the band (at least threshold).
  double threshold_high = 0;
  // equal: how far from threshold still counts as equal (at least 0).
  double tolerance = 0;
  // above, below: once firing, the alert resolves only when the value is
  // past this line (for above at or below it, for below at or above it),
  // not as soon as the condition stops holding: fire above 90, resolve
  // below 85. It must not be past the threshold in the firing direction.
  std::optional<double> resolve_threshold{};
  // anomalous: the window's value is scored by `method` against the same
  // aggregate over window-wide buckets (on the epoch grid, so a compaction
  // rule of that width answers them) covering `baseline` before the
  // window; anomalous beyond `sensitivity` spreads.
  std::chrono::milliseconds baseline{std::chrono::hours(24)};
  AnomalyMethod method = AnomalyMethod::z;
  double sensitivity = 3;
  // The condition must hold this long before the alert fires.
  std::chrono::milliseconds for_duration{0};
  // A firing alert stays firing this long after the condition last held.
  std::chrono::milliseconds keep_firing_for{0};
  // A firing alert notifies again after this long; 0: only when it fires
  // and resolves.
  std::chrono::milliseconds repeat_interval{std::chrono::hours(4)};
  NoDataPolicy no_data = NoDataPolicy::keep;
  // Carried into every notification. Names: a letter or '_', then letters,
  // digits or '_' (as Alertmanager takes them). Annotation values may hold
  // {{series}}, {{value}} and {{label.NAME}}, filled in per alert.
  std::map<std::string, std::string> labels{};
  std::map<std::string, std::string> annotations{};

  friend bool operator==(const AlertRule&, const AlertRule&) = default;
};

// Throws InvalidArgument naming the rule and the field that is wrong.
void validate(const AlertRule& rule);

// The named rule does not exist, or (add without replace) already does.
class AlertRuleNotFound : public Error {
 public:
  using Error::Error;
};
class AlertRuleExists : public Error {
 public:
  using Error::Error;
};

struct AlertRulesOptions {
  // Prepended to every key, as StoreOptions::prefix.
  std::string prefix = "redkit:";
};

// The rules, stored under <prefix>{alert}: (docs/KEYS.md).
class AlertRules {
 public:
  explicit AlertRules(Client client, AlertRulesOptions options = {});

  // Stores the rule after validate(): atomically, so a refused or failed
  // add leaves nothing behind. Throws AlertRuleExists when a rule of that
  // name exists, unless `replace`.
  void add(const AlertRule& rule, bool replace = false) const;
  // Throws AlertRuleNotFound.
  AlertRule get(std::string_view name) const;
  // Every rule, by name.
  std::vector<AlertRule> list() const;
  // False when there was no such rule. The state of its alerts goes too,
  // without resolved notifications (an Alertmanager lets them expire).
  bool remove(std::string_view name) const;

 private:
  Client client_;
  AlertRulesOptions options_;
};

// A notification an evaluation calls for: an alert instance (a rule over
// one series) fired, is still firing after the repeat interval, or resolved.
enum class AlertEventKind { fired, repeated, resolved };
const char* to_string(AlertEventKind kind) noexcept;
AlertEventKind parse_alert_event(std::string_view text);

// One change of an alert instance worth telling: what history records.
struct AlertTransition {
  std::string rule{};
  std::string series{};
  AlertEventKind event = AlertEventKind::fired;
  // The evaluation that decided it.
  Timestamp at = 0;
  // The window's aggregate then; nullopt when the window held no sample.
  std::optional<double> value{};
  // When the alert fired (for resolved: the firing that ends now).
  Timestamp active_since = 0;

  friend bool operator==(const AlertTransition&, const AlertTransition&) = default;
};

// A transition as a notification sink receives it.
struct AlertNotification {
  AlertTransition transition{};
  // The series' labels and the rule's, plus alertname (the rule) and
  // series.
  std::map<std::string, std::string> labels{};
  // The rule's annotations with their templates filled in.
  std::map<std::string, std::string> annotations{};

  friend bool operator==(const AlertNotification&, const AlertNotification&) = default;
};

// Evaluates the stored rules against the series (through ts::Store, same
// prefix). The state of each alert instance is kept in Redis, and every
// change of it is made by one script that first checks the state is still
// the one this evaluation read: of several evaluators deciding the same
// transition, exactly one records it and gets its notification; the others
// get none. Each notification is also appended to a capped history stream.
class AlertEngine {
 public:
  explicit AlertEngine(Client client, AlertRulesOptions options = {});

  // Evaluates every rule at `now` (Unix ms): the window (now − window,
  // now] of each series the rule watches, aggregated. Returns the
  // notifications this call recorded.
  std::vector<AlertNotification> evaluate(Timestamp now) const;
  // Only the named rule. Throws AlertRuleNotFound.
  std::vector<AlertNotification> evaluate_rule(std::string_view rule, Timestamp now) const;

  // The recorded notifications, newest first: at most `limit`, of one rule
  // when `rule` is set. The history keeps about the last 10,000.
  std::vector<AlertTransition> history(std::optional<std::string> rule = std::nullopt,
                                       std::size_t limit = 100) const;

 private:
  std::vector<AlertNotification> evaluate(const AlertRule& rule, Timestamp now) const;

  Client client_;
  AlertRulesOptions options_;
};

}  // namespace redkit::ts
