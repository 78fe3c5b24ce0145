// One evaluation of one rule: read its windows through the store, move each
// alert instance's state, and record every change with one checked script
// (lua/alert_transition.lua), so that concurrent evaluators never record, or
// notify, the same transition twice. Shared by AlertEngine and AlertWatcher.
#pragma once

#include <vector>

#include "redkit/client.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::alert {

struct RuleOutcome {
  // The transitions this evaluation recorded (and must notify).
  std::vector<ts::AlertNotification> notifications{};
  // Every instance of the rule firing after this evaluation, as a "fired"
  // notification (at: this evaluation, active_since: when it fired): what
  // an Alertmanager is re-sent so that it keeps the alert active.
  std::vector<ts::AlertNotification> firing{};
};

RuleOutcome evaluate_rule(const Client& client, const ts::AlertRulesOptions& options, const ts::AlertRule& rule,
                          ts::Timestamp now);

// The keys under <prefix>{alert}: (docs/KEYS.md).
std::string rule_key(const ts::AlertRulesOptions& options, std::string_view rule);
std::string rule_names_key(const ts::AlertRulesOptions& options);
std::string states_key(const ts::AlertRulesOptions& options, std::string_view rule);
std::string history_key(const ts::AlertRulesOptions& options);

}  // namespace redkit::alert
