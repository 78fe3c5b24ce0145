// AlertEngine: every stored rule, or one, evaluated in this process
// (rule_evaluation.hpp does the work).
#include "alert/rule_evaluation.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::ts {

AlertEngine::AlertEngine(Client client, AlertRulesOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

std::vector<AlertNotification> AlertEngine::evaluate(Timestamp now) const {
  std::vector<AlertNotification> out;
  for (const AlertRule& rule : AlertRules(client_, options_).list()) {
    for (AlertNotification& notification : evaluate(rule, now)) out.push_back(std::move(notification));
  }
  return out;
}

std::vector<AlertNotification> AlertEngine::evaluate_rule(std::string_view rule, Timestamp now) const {
  return evaluate(AlertRules(client_, options_).get(rule), now);
}

std::vector<AlertNotification> AlertEngine::evaluate(const AlertRule& rule, Timestamp now) const {
  return alert::evaluate_rule(client_, options_, rule, now).notifications;
}

}  // namespace redkit::ts
