// RedlockCore: validation, one acquisition round, release on every master.
#include "lock/redlock_core.hpp"

#include "lock/lock_engine.hpp"

#include <cmath>
#include <condition_variable>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "lock/lock_engine.hpp"
#include "lock/lock_kind.hpp"
#include "lock/owner_identity.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

void validate(const std::vector<Client>& masters, const RedlockOptions& options) {
  if (masters.empty()) throw InvalidArgument("Redlock needs at least one master; the list of masters is empty");
  if (masters.size() % 2 == 0) {
    throw InvalidArgument(fmt::format(
        "Redlock over {} masters: the count must be odd ({} masters tolerate no more failures than {})",
        masters.size(), masters.size(), masters.size() - 1));
  }
  std::set<std::string> endpoints;
  for (const Client& master : masters) {
    const std::string endpoint = master.options().connection.endpoint();
    if (!endpoints.insert(endpoint).second) {
      throw InvalidArgument(fmt::format("Redlock masters must be independent: {} is given twice", endpoint));
    }
  }
  if (options.ttl <= std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("redlock ttl {} ms must be positive", options.ttl.count()));
  }
  check_at_most_max("redlock ttl", options.ttl);
  check_at_most_max("redlock retry base_delay", options.retry.base_delay);
  check_at_most_max("redlock retry max_delay", options.retry.max_delay);
  if (options.node_timeout <= std::chrono::milliseconds::zero() || options.node_timeout >= options.ttl) {
    throw InvalidArgument(fmt::format("redlock node_timeout {} ms must be positive and shorter than the ttl ({} ms)",
                                      options.node_timeout.count(), options.ttl.count()));
  }
  if (!(options.clock_drift_factor >= 0.0 && options.clock_drift_factor < 1.0)) {
    throw InvalidArgument(
        fmt::format("redlock clock_drift_factor {} must be at least 0 and below 1", options.clock_drift_factor));
  }
  if (options.retry.base_delay < std::chrono::milliseconds::zero() ||
      options.retry.max_delay < std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("redlock retry delays {} ms / {} ms must not be negative",
                                      options.retry.base_delay.count(), options.retry.max_delay.count()));
  }
  if (options.retry.max_attempts < 0) {
    throw InvalidArgument(
        fmt::format("redlock retry max_attempts {} must not be negative", options.retry.max_attempts));
  }
  if (options.prefix.empty()) throw InvalidArgument("redlock key prefix is empty");
}

// The answers of one round, filled in by the node threads. Shared with them,
// so an answer that arrives after the caller decided lands here harmlessly.
struct Round {
  enum class Answer { pending, yes, no };
  explicit Round(std::size_t nodes) : answers(nodes, Answer::pending), fences(nodes, 0) {}

  Mutex mutex;
  std::condition_variable changed;  // with mutex, at every answer
  std::vector<Answer> answers GUARDED_BY(mutex);
  std::vector<std::uint64_t> fences GUARDED_BY(mutex);  // the granting masters' fences
  std::size_t yes GUARDED_BY(mutex) = 0;
  std::size_t no GUARDED_BY(mutex) = 0;

  void record(std::size_t node, bool granted, std::uint64_t fence = 0) {
    {
      MutexLock lock(mutex);
      answers[node] = granted ? Answer::yes : Answer::no;
      fences[node] = fence;
      ++(granted ? yes : no);
    }
    changed.notify_all();
  }
};

// An acquire reply {1, fence, ...} grants; anything else (busy, an error
// reply, no reply) counts as a refusal.
RedlockNode::Done record_grant(std::shared_ptr<Round> round, std::size_t node) {
  return [round = std::move(round), node](std::vector<Reply> replies, std::exception_ptr error) {
    if (error || replies.empty() || replies.front().is_error()) return round->record(node, false);
    try {
      const auto& parts = replies.front().as_array();
      if (parts.at(0).as_integer() == 1) {
        return round->record(node, true, static_cast<std::uint64_t>(parts.at(1).as_integer()));
      }
    } catch (const Error&) {
      // A reply of another shape: a refusal like any other failure.
    }
    round->record(node, false);
  };
}

}  // namespace

RedlockCore::RedlockCore(std::vector<Client> masters, RedlockOptions options) : options_(std::move(options)) {
  validate(masters, options_);
  nodes_.reserve(masters.size());
  for (Client& master : masters) nodes_.push_back(std::make_unique<RedlockNode>(std::move(master)));
}

std::shared_ptr<LockState> RedlockCore::make_state(const std::string& name, std::chrono::milliseconds ttl) const {
  validate_lock_name(name);
  LockOptions lock_options;
  lock_options.ttl = ttl;
  lock_options.auto_renew = false;
  lock_options.owner_label = options_.owner_label.empty() ? "redlock" : options_.owner_label;
  // No engine: the exclusive kind's commands only read the keys and options.
  return std::make_shared<LockState>(nullptr, exclusive_lock_kind(), name, LockKeys(options_.prefix, name),
                                     std::move(lock_options));
}

std::chrono::microseconds RedlockCore::drift(std::chrono::milliseconds ttl) const {
  const auto share = std::llround(static_cast<double>(ttl.count()) * 1000.0 * options_.clock_drift_factor);
  return std::chrono::microseconds(share) + std::chrono::milliseconds(2);
}

RedlockCore::Attempt RedlockCore::attempt(const LockState& state, const std::string& token,
                                          bool release_on_failure) {
  const LockOwner owner{host_name(), process_id(), state.options.owner_label, owner_id()};
  const Command acquire = state.kind.acquire(state, token, owner);
  auto round = std::make_shared<Round>(nodes_.size());
  const std::size_t needed = quorum();
  const std::size_t can_fail = nodes_.size() - needed;

  // Validity counts from before the first request leaves.
  const auto started = Clock::now();
  const auto decide_by = started + options_.node_timeout;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i]->submit({acquire}, decide_by, options_.node_timeout, record_grant(round, i));
  }
  Attempt result;
  {
    MutexLock lock(round->mutex);
    // Decided as soon as a majority granted or can no longer grant: a slow
    // master then costs nothing, and a late grant is released like any other.
    while (round->yes < needed && round->no <= can_fail) {
      if (lock.wait_until(round->changed, decide_by) == std::cv_status::timeout) break;
    }
    result.granted = round->yes;
    result.granted_by.resize(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      result.granted_by[i] = round->answers[i] == Round::Answer::yes;
      if (result.granted_by[i]) result.fence.value = std::max(result.fence.value, round->fences[i]);
    }
  }
  result.valid_until = started + state.options.ttl - drift(state.options.ttl);
  result.acquired = result.granted >= needed && Clock::now() < result.valid_until;
  if (!result.acquired && release_on_failure) {
    // Every master, also those that did not answer: their grant may only
    // have been late. Each release follows this round's request on its
    // master, so it cannot overtake it.
    const Command release = state.kind.release(state, HeldLock{token, result.fence});
    for (auto& node : nodes_) {
      node->submit({release}, Clock::time_point::max(), options_.node_timeout,
                   [](std::vector<Reply>, std::exception_ptr) {});
    }
  }
  return result;
}

void RedlockCore::raise_fence(const LockState& state, const std::string& token, FencingToken fence,
                              const std::vector<bool>& granted_by) {
  const Command raise = embedded_script(ScriptName::redlock_fence_raise)
                            .call({state.keys.holder, state.keys.state}, {token, std::to_string(fence.value)});
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (!granted_by[i]) continue;
    nodes_[i]->submit({raise}, Clock::time_point::max(), options_.node_timeout,
                      [](std::vector<Reply>, std::exception_ptr) {});
  }
}

std::size_t RedlockCore::release(const LockState& state, const HeldLock& held) {
  const Command release = state.kind.release(state, held);
  auto round = std::make_shared<Round>(nodes_.size());
  const auto give_up_at = Clock::now() + options_.node_timeout;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i]->submit({release}, Clock::time_point::max(), options_.node_timeout,
                      [round, i](std::vector<Reply> replies, std::exception_ptr error) {
                        // 1: released now or before (a repeated release); 0 / -1: not ours any more.
                        bool released = !error && !replies.empty() && replies.front().is_integer() &&
                                        replies.front().as_integer() == 1;
                        round->record(i, released);
                      });
  }
  MutexLock lock(round->mutex);
  while (round->yes + round->no < nodes_.size()) {
    if (lock.wait_until(round->changed, give_up_at) == std::cv_status::timeout) break;
  }
  return round->yes;
}

}  // namespace redkit::detail
