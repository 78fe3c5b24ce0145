// AlertEngine::history: the capped stream of notifications, read newest
// first.
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "redkit/ts_alerts.hpp"

namespace redkit::ts {
namespace {

// Entries read per XREVRANGE while looking for one rule's.
constexpr std::size_t kHistoryPage = 1000;

AlertTransition entry_of(const std::string& id, const ReplyArray& fields) {
  std::map<std::string, std::string> by_name;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) by_name[fields[i].as_string()] = fields[i + 1].as_string();
  auto what = [&](const char* field) { return fmt::format("alert history entry {}: field '{}'", id, field); };
  auto integer = [&](const char* field) { return Reply::make_string(by_name[field]).integer_field(what(field)); };
  AlertTransition entry{.rule = by_name["rule"], .series = by_name["series"]};
  try {
    entry.event = parse_alert_event(by_name["event"]);
  } catch (const InvalidArgument& error) {
    throw ProtocolError(fmt::format("{}: {}", what("event"), error.what()));
  }
  entry.at = integer("at");
  entry.active_since = integer("since");
  if (!by_name["value"].empty()) {
    entry.value = Reply::make_string(by_name["value"]).double_field(what("value"));
  }
  return entry;
}

}  // namespace

std::vector<AlertTransition> AlertEngine::history(std::optional<std::string> rule, std::size_t limit) const {
  std::vector<AlertTransition> out;
  const std::string key = options_.prefix + "{alert}:history";
  std::string before = "+";
  while (out.size() < limit) {
    const Reply page = client_.command(
        Command("XREVRANGE").key(key).arg(before).arg("-").arg("COUNT").arg(static_cast<unsigned long long>(kHistoryPage)));
    const ReplyArray& entries = page.as_array();
    for (const Reply& entry : entries) {
      const ReplyArray& parts = entry.as_array();
      AlertTransition parsed = entry_of(parts.at(0).as_string(), parts.at(1).as_array());
      if (!rule || parsed.rule == *rule) out.push_back(std::move(parsed));
      if (out.size() == limit) break;
    }
    if (entries.size() < kHistoryPage) break;
    // The next page starts just below the last id read.
    before = "(" + entries.back().as_array().at(0).as_string();
  }
  return out;
}

}  // namespace redkit::ts
