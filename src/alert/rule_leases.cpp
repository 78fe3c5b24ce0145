// RuleLeases: a heartbeat sorted set (watcher -> expiry) and one lease key
// per rule, all under {alert} so that one script sees every lease.
#include "alert/rule_leases.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"

namespace redkit::alert {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;

namespace {

std::string watchers_key(const ts::AlertRulesOptions& options) { return options.prefix + "{alert}:watchers"; }

std::string lease_key(const ts::AlertRulesOptions& options, std::string_view rule) {
  return fmt::format("{}{{alert}}:lease:{}", options.prefix, rule);
}

}  // namespace

RuleLeases::RuleLeases(Client client, ts::AlertRulesOptions options, std::string watcher,
                       std::chrono::milliseconds lease)
    : client_(std::move(client)), options_(std::move(options)), watcher_(std::move(watcher)), lease_(lease) {}

std::vector<std::string> RuleLeases::claim(const std::vector<std::string>& rules) {
  // Each watcher looks at the rules from its own starting point, so that
  // watchers starting together reach for different free rules first.
  std::vector<std::string> order = rules;
  std::sort(order.begin(), order.end());
  if (!order.empty()) {
    std::rotate(order.begin(), order.begin() + static_cast<long>(std::hash<std::string>{}(watcher_) % order.size()),
                order.end());
  }
  std::vector<std::string> keys{watchers_key(options_)};
  keys.reserve(order.size() + 1);
  for (const std::string& rule : order) keys.push_back(lease_key(options_, rule));
  const Reply held =
      client_.command(embedded_script(ScriptName::alert_leases).call(keys, {watcher_, std::to_string(lease_.count())}));
  std::vector<std::string> out;
  for (const Reply& index : held.as_array()) {
    const long long i = index.as_integer();
    if (i < 1 || i > static_cast<long long>(order.size())) {
      throw ProtocolError(fmt::format("alert_leases answered index {} of {} rules", i, order.size()));
    }
    out.push_back(order[static_cast<std::size_t>(i - 1)]);
  }
  return out;
}

void RuleLeases::release_all(const std::vector<std::string>& rules) noexcept {
  try {
    std::vector<Command> commands;
    for (const std::string& rule : rules) {
      commands.push_back(embedded_script(ScriptName::compare_and_delete).call({lease_key(options_, rule)}, {watcher_}));
    }
    commands.push_back(std::move(Command("ZREM").key(watchers_key(options_)).arg(watcher_)));
    client_.execute(commands);
  } catch (const std::exception&) {
    // The leases and the heartbeat then end with their time.
  }
}

std::vector<std::string> RuleLeases::live_watchers(const Client& client, const ts::AlertRulesOptions& options) {
  // The heartbeats are on the server's clock.
  const Reply time = client.command(Command::keyless({"TIME"}));
  const long long now =
      time.as_array().at(0).integer_field("TIME seconds") * 1000 + time.as_array().at(1).integer_field("TIME microseconds") / 1000;
  const Reply members = client.command(Command("ZRANGEBYSCORE")
                                           .key(watchers_key(options))
                                           .arg("(" + std::to_string(now))
                                           .arg("+inf"));
  std::vector<std::string> out;
  for (const Reply& member : members.as_array()) out.push_back(member.as_string());
  return out;
}

}  // namespace redkit::alert
