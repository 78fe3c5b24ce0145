// AlertEngine::history: the capped stream of notifications, read newest
// first.
#include "alert/notification_fields.hpp"
#include "alert/rule_evaluation.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::ts {
namespace {

// Entries read per XREVRANGE while looking for one rule's.
constexpr std::size_t kHistoryPage = 1000;

}  // namespace

std::vector<AlertTransition> AlertEngine::history(std::optional<std::string> rule, std::size_t limit) const {
  std::vector<AlertTransition> out;
  const std::string key = alert::history_key(options_);
  std::string before = "+";
  while (out.size() < limit) {
    const Reply page = client_.command(
        Command("XREVRANGE").key(key).arg(before).arg("-").arg("COUNT").arg(static_cast<unsigned long long>(kHistoryPage)));
    const ReplyArray& entries = page.as_array();
    for (const Reply& entry : entries) {
      const ReplyArray& parts = entry.as_array();
      AlertTransition parsed = alert::notification_from_fields(parts.at(0).as_string(), parts.at(1).as_array()).transition;
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
