// The JSON form of a notification shared by the publish, exec and webhook
// sinks, and the default (ignored) refresh.
#include <nlohmann/json.hpp>

#include "redkit/ts_alert_sinks.hpp"

namespace redkit::ts {

void AlertSink::refresh(const std::vector<AlertNotification>& /*firing*/) {}

bool AlertSink::refreshes() const { return false; }

std::chrono::milliseconds AlertSink::timeout() const { return std::chrono::milliseconds(0); }

std::string to_json(const AlertNotification& notification) {
  const AlertTransition& t = notification.transition;
  nlohmann::json out{{"rule", t.rule},
                     {"series", t.series},
                     {"event", to_string(t.event)},
                     {"at", t.at},
                     {"value", nullptr},
                     {"active_since", t.active_since},
                     {"labels", notification.labels},
                     {"annotations", notification.annotations}};
  if (t.value) out["value"] = *t.value;
  // Label values are bytes; invalid UTF-8 becomes U+FFFD, not an error.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace redkit::ts
