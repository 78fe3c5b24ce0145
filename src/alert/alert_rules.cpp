// AlertRules: the rules' hashes and the set of their names, all under the
// hash tag {alert} so that one script updates both (and one cluster node
// holds them).
#include <algorithm>

#include <fmt/format.h>

#include "alert/alert_rule_fields.hpp"
#include "alert/rule_evaluation.hpp"
#include "client/embedded_scripts.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::ts {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;


AlertRules::AlertRules(Client client, AlertRulesOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

void AlertRules::add(const AlertRule& rule, bool replace) const {
  validate(rule);
  std::vector<std::string> args{replace ? "replace" : "add", rule.name};
  for (std::string& field : alert::rule_fields(rule)) {
    args.push_back(std::move(field));
  }
  try {
    client_.command(
        embedded_script(ScriptName::alert_rule_put).call({alert::rule_key(options_, rule.name), alert::rule_names_key(options_)}, args));
  } catch (const ReplyError& error) {
    if (error.code() == "EXISTS") {
      throw AlertRuleExists(fmt::format("alert rule '{}' exists (replace it, or remove it first)", rule.name));
    }
    throw;
  }
}

AlertRule AlertRules::get(std::string_view name) const {
  const Reply fields = client_.command(Command("HGETALL").key(alert::rule_key(options_, name)));
  if (fields.as_array().empty()) {
    throw AlertRuleNotFound(fmt::format("alert rule '{}' does not exist", name));
  }
  return alert::rule_from_fields(fields.as_array());
}

std::vector<AlertRule> AlertRules::list() const {
  std::vector<std::string> names;
  const Reply members = client_.command(Command("SMEMBERS").key(alert::rule_names_key(options_)));
  for (const Reply& member : members.as_array()) {
    names.push_back(member.as_string());
  }
  std::sort(names.begin(), names.end());
  std::vector<Command> reads;
  reads.reserve(names.size());
  for (const std::string& name : names) {
    reads.push_back(std::move(Command("HGETALL").key(alert::rule_key(options_, name))));
  }
  std::vector<AlertRule> rules;
  const std::vector<Reply> replies = reads.empty() ? std::vector<Reply>{} : client_.execute(reads);
  for (const Reply& reply : replies) {
    // A rule removed between the two reads is simply not listed.
    if (!reply.throw_if_error().as_array().empty()) {
      rules.push_back(alert::rule_from_fields(reply.as_array()));
    }
  }
  return rules;
}

bool AlertRules::remove(std::string_view name) const {
  const std::vector<Command> transaction{
      Command::keyless({"MULTI"}),
      std::move(Command("DEL").key(alert::rule_key(options_, name))),
      std::move(Command("SREM").key(alert::rule_names_key(options_)).arg(name)),
      // Its alerts go with it: a rule added again under the name starts
      // from inactive instead of inheriting firing instances.
      std::move(Command("DEL").key(alert::states_key(options_, name))),
      Command::keyless({"EXEC"}),
  };
  const std::vector<Reply> replies = client_.execute(transaction);
  return replies.back().throw_if_error().as_array().at(0).as_integer() == 1;
}

}  // namespace redkit::ts
