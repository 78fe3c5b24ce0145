// What one evaluation of a rule observes for one series: from the window's
// aggregate (and, for anomaly rules, the baseline's values) to the two
// answers the state machine takes — does the firing condition hold, has the
// alert recovered (alert_state.hpp).
#pragma once

#include <optional>
#include <span>

#include "alert/alert_state.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::alert {

// `value`: the window's aggregate, nullopt when the window holds no sample.
// `baseline`: the baseline's values in time order (anomalous rules only).
//
// above / below with a resolve_threshold recover only past that line
// (at or below it for above, at or above it for below); every other
// condition recovers as soon as it stops holding. An anomaly rule whose
// baseline is too short to judge observes no data, so the rule's no-data
// policy decides.
Observation observe(const ts::AlertRule& rule, std::optional<double> value, std::span<const double> baseline = {});

}  // namespace redkit::alert
