// Which rules this watcher evaluates: watchers announce themselves with a
// heartbeat, each takes a share of the rules (ceil(rules / live watchers))
// by holding a lease per rule, and a watcher that stops renewing (killed,
// cut off) loses its leases and its place after the lease time, so the
// others take its rules over within one round plus the lease time.
//
// Leases only spread the work: correctness does not rest on them. Two
// watchers evaluating the same rule (a lease lost to a pause, say) still
// record each transition once (lua/alert_transition.lua).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::alert {

class RuleLeases {
 public:
  RuleLeases(Client client, ts::AlertRulesOptions options, std::string watcher, std::chrono::milliseconds lease);

  // Renews this watcher's heartbeat, then renews or takes leases on its
  // share of `rules` (names, in any order), all by the server's clock.
  // Returns the rules it holds.
  std::vector<std::string> claim(const std::vector<std::string>& rules);

  // Gives up every lease and the heartbeat, so the others take over at once
  // instead of after the lease time. Never throws.
  void release_all(const std::vector<std::string>& rules) noexcept;

  // The watchers whose heartbeat is live now.
  static std::vector<std::string> live_watchers(const Client& client, const ts::AlertRulesOptions& options);

 private:
  Client client_;
  ts::AlertRulesOptions options_;
  std::string watcher_;
  std::chrono::milliseconds lease_;
};

}  // namespace redkit::alert
