// History stream entries <-> notifications. Labels and annotations are kept
// as one JSON object each: a stream entry's fields are flat, and a label may
// be named anything.
#include "alert/notification_fields.hpp"

#include <map>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace redkit::alert {
namespace {

std::string json_of(const std::map<std::string, std::string>& pairs) { return nlohmann::json(pairs).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::map<std::string, std::string> pairs_of(const std::string& text, const std::string& what) {
  if (text.empty()) return {};
  try {
    return nlohmann::json::parse(text).get<std::map<std::string, std::string>>();
  } catch (const nlohmann::json::exception& error) {
    throw ProtocolError(fmt::format("{} is not a JSON object of strings: {}", what, error.what()));
  }
}

}  // namespace

std::vector<std::string> notification_fields(const ts::AlertNotification& notification) {
  const ts::AlertTransition& t = notification.transition;
  return {"rule",
          t.rule,
          "series",
          t.series,
          "event",
          ts::to_string(t.event),
          "at",
          std::to_string(t.at),
          "value",
          t.value ? fmt::format("{}", *t.value) : std::string(),
          "since",
          std::to_string(t.active_since),
          "labels",
          json_of(notification.labels),
          "annotations",
          json_of(notification.annotations)};
}

ts::AlertNotification notification_from_fields(const std::string& id, const ReplyArray& fields) {
  std::map<std::string, std::string> by_name;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) by_name[fields[i].as_string()] = fields[i + 1].as_string();
  auto what = [&](const char* field) { return fmt::format("alert history entry {}: field '{}'", id, field); };
  auto integer = [&](const char* field) { return Reply::make_string(by_name[field]).integer_field(what(field)); };
  ts::AlertNotification out;
  ts::AlertTransition& entry = out.transition;
  entry.rule = by_name["rule"];
  entry.series = by_name["series"];
  try {
    entry.event = ts::parse_alert_event(by_name["event"]);
  } catch (const InvalidArgument& error) {
    throw ProtocolError(fmt::format("{}: {}", what("event"), error.what()));
  }
  entry.at = integer("at");
  entry.active_since = integer("since");
  if (!by_name["value"].empty()) {
    entry.value = Reply::make_string(by_name["value"]).double_field(what("value"));
  }
  out.labels = pairs_of(by_name["labels"], what("labels"));
  out.annotations = pairs_of(by_name["annotations"], what("annotations"));
  return out;
}

}  // namespace redkit::alert
