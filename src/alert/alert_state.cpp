#include "alert/alert_state.hpp"

namespace redkit::alert {
namespace {

// What a missing value counts as, by the rule's policy; nullopt: keep the
// state untouched.
std::optional<Observation> effective(const Observation& observation, NoDataPolicy no_data) {
  if (observation.value) {
    return observation;
  }
  switch (no_data) {
    case NoDataPolicy::keep:
      return std::nullopt;
    case NoDataPolicy::resolve:
      return Observation{.value = std::nullopt, .breaching = false, .recovered = true};
    case NoDataPolicy::alert:
      return Observation{.value = std::nullopt, .breaching = true, .recovered = false};
  }
  return std::nullopt;
}

}  // namespace

Evaluation evaluate(const AlertState& state, const Observation& observation, Millis now, const AlertTiming& timing,
                    NoDataPolicy no_data) {
  Evaluation out{.state = state, .event = AlertEvent::none};
  const std::optional<Observation> seen = effective(observation, no_data);
  if (!seen) {
    return out;
  }
  AlertState& next = out.state;
  if (seen->value) {
    next.value = seen->value;
  }
  if (seen->breaching) {
    next.last_breach = now;
  }
  switch (state.phase) {
    case AlertPhase::inactive:
      if (!seen->breaching) {
        break;
      }
      next.phase = AlertPhase::pending;
      next.since = now;
      [[fallthrough]];
    case AlertPhase::pending:
      if (!seen->breaching) {
        // A pending alert that stops breaching never fired: nothing to say.
        next = AlertState{.value = next.value};
        break;
      }
      if (now - next.since >= timing.for_duration.count()) {
        next.phase = AlertPhase::firing;
        next.since = now;
        next.last_notified = now;
        out.event = AlertEvent::fired;
      }
      break;
    case AlertPhase::firing:
      if (seen->recovered && !seen->breaching && now - next.last_breach >= timing.keep_firing_for.count()) {
        next = AlertState{.value = next.value};
        out.event = AlertEvent::resolved;
        break;
      }
      if (timing.repeat_interval.count() > 0 && now - state.last_notified >= timing.repeat_interval.count()) {
        next.last_notified = now;
        out.event = AlertEvent::repeated;
      }
      break;
  }
  return out;
}

std::string_view to_string(AlertPhase phase) noexcept {
  switch (phase) {
    case AlertPhase::inactive:
      return "inactive";
    case AlertPhase::pending:
      return "pending";
    case AlertPhase::firing:
      return "firing";
  }
  return "inactive";
}

std::string_view to_string(AlertEvent event) noexcept {
  switch (event) {
    case AlertEvent::none:
      return "none";
    case AlertEvent::fired:
      return "fired";
    case AlertEvent::repeated:
      return "repeated";
    case AlertEvent::resolved:
      return "resolved";
  }
  return "none";
}

}  // namespace redkit::alert
