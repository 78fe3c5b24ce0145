// The state of one alert instance (a rule over one series) and how an
// evaluation moves it, in the mould of Prometheus alerting rules:
//
//   inactive --breaching--> pending --breaching for `for`--> firing
//   pending  --not breaching--> inactive        (silently: nothing fired)
//   firing   --recovered, and no breach for keep_firing_for--> inactive
//
// Hysteresis comes from the caller saying two things per evaluation: whether
// the firing condition holds (breaching) and whether the resolving one
// holds (recovered). Fire above 90, resolve below 85: breaching is
// value > 90, recovered is value < 85, and between the two a firing alert
// stays firing. Without hysteresis, recovered is simply !breaching.
//
// An alert notifies when it fires, when it resolves, and while firing again
// every repeat_interval (0: never) — never at every evaluation. Times are
// explicit (Unix ms of the evaluation), so the machine is a pure function of
// its inputs: tests drive it without sleeping, and several evaluators that
// hand the state to each other (stored in Redis) make the same decisions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace redkit::alert {

using Millis = std::int64_t;  // Unix ms

enum class AlertPhase { inactive, pending, firing };

// What an evaluation with no data for the series does.
enum class NoDataPolicy {
  keep,     // leave the state as it is (a firing alert stays firing)
  resolve,  // as if the condition did not hold and had recovered
  alert,    // as if the condition held: "absent" alerts
};

struct AlertTiming {
  std::chrono::milliseconds for_duration{0};
  std::chrono::milliseconds keep_firing_for{0};
  std::chrono::milliseconds repeat_interval{0};
};

struct AlertState {
  AlertPhase phase = AlertPhase::inactive;
  // When the current phase began (pending: the first breach; firing: when it
  // fired). 0 while inactive.
  Millis since = 0;
  // The last evaluation whose condition held.
  Millis last_breach = 0;
  // The last notification (fired or repeated).
  Millis last_notified = 0;
  // The value seen at the last evaluation that had data.
  std::optional<double> value{};

  friend bool operator==(const AlertState&, const AlertState&) = default;
};

// What one evaluation observed.
struct Observation {
  std::optional<double> value{};  // nullopt: no data for the series
  bool breaching = false;
  bool recovered = true;
};

// A notification an evaluation calls for.
enum class AlertEvent { none, fired, repeated, resolved };

struct Evaluation {
  AlertState state{};
  AlertEvent event = AlertEvent::none;
};

// The state after evaluating `observation` at time `now`. Evaluations of
// one instance must come with non-decreasing times.
Evaluation evaluate(const AlertState& state, const Observation& observation, Millis now, const AlertTiming& timing,
                    NoDataPolicy no_data);

// The state as stored in Redis ("PHASE SINCE LAST_BREACH LAST_NOTIFIED
// VALUE", VALUE '-' when unknown), and back; nullopt for text that is not
// such a state.
std::string encode_state(const AlertState& state);
std::optional<AlertState> decode_state(std::string_view text);


}  // namespace redkit::alert
