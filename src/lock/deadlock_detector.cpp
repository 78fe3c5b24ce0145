// The wait-for graph: reading it, walking it, and registering waits.
#include "lock/deadlock_detector.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "client/embedded_scripts.hpp"
#include "lock/lock_keys.hpp"
#include "lock/lock_kind.hpp"
#include "redkit/reply.hpp"

namespace redkit::detail {
namespace {

// A whole number inside a wait entry; ProtocolError naming the part otherwise.
long long wait_number(std::string_view text, std::string_view part) {
  return Reply::make_string(std::string(text)).integer_field(part);
}

}  // namespace

std::string waits_key(const std::string& prefix) { return prefix + "{lock-waits}"; }

WaitGraph WaitGraph::read(const Client& client, const std::string& prefix) {
  WaitGraph graph;
  auto replies = client.pipeline()
                     .add(Command::keyless({"TIME"}))
                     .add(std::move(Command("HGETALL").key(waits_key(prefix))))
                     .exec();
  for (const auto& r : replies) r.throw_if_error();
  const auto& time = replies[0].as_array();
  const long long now_ms = time.at(0).integer_field("TIME seconds") * 1000 + time.at(1).integer_field("TIME microseconds") / 1000;
  const auto& fields = replies[1].as_array();
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    // "name\nsince_us\nexpires_ms"
    const std::string& value = fields[i + 1].as_string();
    auto first = value.find('\n');
    auto second = value.find('\n', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string_view entry(value);
    if (wait_number(entry.substr(second + 1), "wait entry expiry") < now_ms) continue;  // its waiter is gone
    graph.waits_[fields[i].as_string()] =
        LockWait{fields[i].as_string(), value.substr(0, first),
                 wait_number(entry.substr(first + 1, second - first - 1), "wait entry start")};
  }
  std::set<std::string> names;
  for (const auto& [owner, wait] : graph.waits_) names.insert(wait.lock);
  if (names.empty()) return graph;
  std::vector<Command> lookups;
  const Script& holder_owners = embedded_script(ScriptName::lock_holder_owners);
  for (const auto& name : names) {
    const LockKeys keys(prefix, name);
    const ReadWriteKeys rw(keys.holder);
    lookups.push_back(holder_owners.call({keys.holder, rw.readers, rw.owners}, {}));
  }
  auto holders = client.execute(lookups);
  std::size_t i = 0;
  for (const auto& name : names) {
    holders[i].throw_if_error();
    std::vector<std::string> owners;
    for (const Reply& owner : holders[i].as_array()) owners.push_back(owner.as_string());
    if (!owners.empty()) graph.holders_[name] = std::move(owners);
    ++i;
  }
  return graph;
}

std::optional<Deadlock> WaitGraph::cycle_through(const std::string& owner) const {
  Deadlock deadlock;
  std::set<std::string> visited{owner};
  // True once a path of waits from `current` leads back to `owner`; the
  // path is left in deadlock.cycle.
  std::function<bool(const std::string&)> leads_back = [&](const std::string& current) {
    auto wait = waits_.find(current);
    if (wait == waits_.end()) return false;
    auto holders = holders_.find(wait->second.lock);
    if (holders == holders_.end()) return false;
    deadlock.cycle.push_back(wait->second);
    for (const std::string& holder : holders->second) {
      if (holder == owner) return true;
      // Seen before: either on this path (a cycle, but not through `owner`)
      // or already known not to lead back.
      if (visited.insert(holder).second && leads_back(holder)) return true;
    }
    deadlock.cycle.pop_back();
    return false;
  };
  if (!leads_back(owner)) return std::nullopt;
  return deadlock;
}

std::vector<Deadlock> WaitGraph::all_cycles() const {
  std::vector<Deadlock> cycles;
  std::set<std::string> reported;
  for (const auto& [owner, wait] : waits_) {
    if (reported.contains(owner)) continue;
    if (auto cycle = cycle_through(owner)) {
      for (const auto& w : cycle->cycle) reported.insert(w.owner);
      cycles.push_back(std::move(*cycle));
    }
  }
  return cycles;
}

const LockWait& WaitGraph::youngest(const Deadlock& deadlock) {
  return *std::max_element(deadlock.cycle.begin(), deadlock.cycle.end(), [](const LockWait& a, const LockWait& b) {
    return a.since_us != b.since_us ? a.since_us < b.since_us : a.owner < b.owner;
  });
}

WaitRegistration::WaitRegistration(Client client, std::string prefix, std::string owner, std::string lock,
                                   std::chrono::milliseconds valid_for)
    : client_(std::move(client)),
      key_(waits_key(prefix)),
      owner_(std::move(owner)),
      lock_(std::move(lock)),
      valid_for_(valid_for) {
  refresh();
}

WaitRegistration::~WaitRegistration() {
  try {
    client_.command(std::move(Command("HDEL").key(key_).arg(owner_)));
  } catch (...) {
    // Unreachable server: the entry expires on its own (valid_for_).
  }
}

void WaitRegistration::refresh() {
  client_.command(embedded_script(ScriptName::lock_wait_register)
                      .call({key_}, {owner_, lock_, std::to_string(valid_for_.count())}));
}

}  // namespace redkit::detail
