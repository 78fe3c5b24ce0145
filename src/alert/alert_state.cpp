#include "alert/alert_state.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include <fmt/format.h>

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

std::string encode_state(const AlertState& state) {
  return fmt::format("{} {} {} {} {}", static_cast<int>(state.phase), state.since, state.last_breach,
                     state.last_notified, state.value ? fmt::format("{}", *state.value) : "-");
}

std::optional<AlertState> decode_state(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() != 5) {
    return std::nullopt;
  }
  auto integer = [](std::string_view part, Millis& out) {
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), out);
    return !part.empty() && error == std::errc() && end == part.data() + part.size();
  };
  AlertState state;
  Millis phase = 0;
  if (!integer(parts[0], phase) || phase < 0 || phase > static_cast<Millis>(AlertPhase::firing) ||
      !integer(parts[1], state.since) || !integer(parts[2], state.last_breach) ||
      !integer(parts[3], state.last_notified)) {
    return std::nullopt;
  }
  state.phase = static_cast<AlertPhase>(phase);
  if (parts[4] != "-") {
    double value = 0;
    const auto [end, error] = std::from_chars(parts[4].data(), parts[4].data() + parts[4].size(), value);
    if (parts[4].empty() || error != std::errc() || end != parts[4].data() + parts[4].size()) {
      return std::nullopt;
    }
    state.value = value;
  }
  return state;
}

}  // namespace redkit::alert
