// LockEngine: acquisition with wake-up on release, release, extension.
#include "lock/lock_engine.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <optional>
#include <random>

#include <fmt/format.h>

#include "lock/deadlock_detector.hpp"
#include "lock/full_jitter.hpp"
#include "lock/owner_identity.hpp"
#include "lock/replica_ack.hpp"
#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

// A waiter's entry in the wait-for graph outlives this many deadlock check
// intervals without a refresh: a live waiter refreshes it every interval, a
// dead one drops out soon after.
constexpr int kWaitEntryLifetimeFactor = 3;

// Resends of one acquisition attempt after its connection broke, in a row.
constexpr int kMaxResends = 3;

using Clock = std::chrono::steady_clock;

// Forks seen by this process; a forked child has another pid (and its one
// thread another tid), so the owner identity cached per thread is rebuilt.
std::atomic<unsigned> forks_seen{0};

// This thread's host, pid and owner id, the same for every attempt it makes:
// built once per thread instead of with three system calls per attempt.
LockOwner thread_owner(const std::string& label) {
  struct Cached {
    unsigned forks = ~0u;
    std::string host;
    long pid = 0;
    std::string id;
  };
  static const bool watching_forks = [] {
    return pthread_atfork(nullptr, nullptr, [] { forks_seen.fetch_add(1, std::memory_order_relaxed); }) == 0;
  }();
  thread_local Cached cached;
  const unsigned forks = forks_seen.load(std::memory_order_relaxed);
  if (!watching_forks || cached.forks != forks) cached = {forks, host_name(), process_id(), owner_id()};
  return LockOwner{cached.host, cached.pid, label, cached.id};
}

void validate(const LockOptions& options) {
  if (options.ttl <= std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("lock ttl {} ms must be positive", options.ttl.count()));
  }
  check_at_most_max("lock ttl", options.ttl);
  if (options.retry.base_delay < std::chrono::milliseconds::zero() ||
      options.retry.max_delay < std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("lock retry delays {} ms / {} ms must not be negative",
                                      options.retry.base_delay.count(), options.retry.max_delay.count()));
  }
  check_at_most_max("lock retry base_delay", options.retry.base_delay);
  check_at_most_max("lock retry max_delay", options.retry.max_delay);
  check_at_most_max("lock replica_ack_timeout", options.replica_ack_timeout);
  if (options.retry.max_attempts < 0) {
    throw InvalidArgument(fmt::format("lock retry max_attempts {} must not be negative", options.retry.max_attempts));
  }
  validate_replica_acks(options);
}

}  // namespace

void check_at_most_max(std::string_view what, std::chrono::milliseconds value) {
  if (value > kMaxLockDuration) {
    throw InvalidArgument(fmt::format("{} {} ms is longer than the limit of {} ms (ten years)", what, value.count(),
                                      kMaxLockDuration.count()));
  }
}

namespace {

LockOutcome outcome_of(long long code) {
  if (code == 1) return LockOutcome::done;
  if (code == 0) return LockOutcome::not_owner;
  return LockOutcome::expired;
}

}  // namespace

LockEngine::LockEngine(Client client, LockServiceOptions options)
    : client_(client),
      options_(std::move(options)),
      metrics_(client, options_.prefix, options_.metrics_flush_interval),
      scheduler_(client, metrics_),
      waiters_(client) {
  if (options_.prefix.empty()) throw InvalidArgument("lock key prefix is empty");
  // Zero switches these off; a negative value is a mistake, not another way
  // of saying zero.
  if (options_.metrics_flush_interval < std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("lock metrics_flush_interval {} ms must not be negative",
                                      options_.metrics_flush_interval.count()));
  }
  check_at_most_max("lock metrics_flush_interval", options_.metrics_flush_interval);
  check_at_most_max("lock deadlock_check_interval", options_.deadlock_check_interval);
  if (options_.deadlock_check_interval < std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("lock deadlock_check_interval {} ms must not be negative",
                                      options_.deadlock_check_interval.count()));
  }
}

std::shared_ptr<LockState> LockEngine::make_state(const LockKind& kind, std::string name, LockOptions options) {
  validate_lock_name(name);
  validate(options);
  if (options.owner_label.empty()) options.owner_label = options_.owner_label;
  LockKeys keys(options_.prefix, name);
  return std::make_shared<LockState>(shared_from_this(), kind, std::move(name), std::move(keys), std::move(options));
}

Lock LockEngine::make(const LockKind& kind, std::string name, LockOptions options) {
  return Lock(make_state(kind, std::move(name), std::move(options)));
}

bool LockEngine::try_acquire(const std::shared_ptr<LockState>& state, const std::string& token,
                             std::chrono::milliseconds* holder_pttl, bool waited) {
  if (state->held.load()) {
    throw LockError(fmt::format("lock \"{}\" is already held by this handle", state->name));
  }
  // Nobody would renew the lock or notice its loss: refuse rather than hand
  // out a lock that silently expires.
  if (scheduler_.stopped()) {
    throw LockError(fmt::format("lock \"{}\": its LockService has been destroyed", state->name));
  }
  const LockOwner owner = thread_owner(state->options.owner_label);
  state->waited = waited;
  const auto sent_at = Clock::now();
  SelfTimer self_timer(SelfOp::lock_acquire);
  metrics_.add(MetricsRecorder::Counter::attempts);
  Reply reply = acquire_reply(*state, token, owner);
  const auto& parts = reply.as_array();
  if (parts.at(0).as_integer() != 1) {
    metrics_.contended(state->name);
    if (holder_pttl != nullptr) *holder_pttl = std::chrono::milliseconds(parts.at(1).as_integer());
    return false;
  }
  take(state, token, reply, sent_at);
  // A handoff is the gap between a release and a waiter taking over; an
  // acquisition that found the lock free at once waited for nobody.
  if (waited) {
    if (auto handoff = handoff_of(reply); handoff.count() >= 0) {
      metrics_.observe(MetricsRecorder::Histogram::handoff, handoff);
    }
  }
  return true;
}

Reply LockEngine::acquire_reply(const LockState& state, const std::string& token, const LockOwner& owner) {
  try {
    if (state.options.replica_acks > 0) return acquire_with_replica_acks(client_, state, token, owner);
    return client_.command(state.kind.acquire(state, token, owner));
  } catch (const ReplyError& e) {
    // A kind's script refuses a use that contradicts what is stored for the
    // name (a semaphore asked for another permit count) with "MISUSE ...":
    // the caller's mistake, not the server's failure.
    if (e.code() != "MISUSE") throw;
    const std::size_t space = e.message().find(' ');
    throw LockError(fmt::format("lock \"{}\": {}", state.name,
                                space == std::string::npos ? e.message() : e.message().substr(space + 1)));
  }
}

std::chrono::microseconds LockEngine::handoff_of(const Reply& acquired) const {
  const auto& parts = acquired.as_array();
  return std::chrono::microseconds(parts.size() > 2 ? parts[2].as_integer() : -1);
}

void LockEngine::take(const std::shared_ptr<LockState>& state, const std::string& token, const Reply& acquired,
                      Clock::time_point sent_at) {
  metrics_.add(MetricsRecorder::Counter::acquisitions);
  std::uint64_t generation = 0;
  {
    MutexLock lock(state->mutex);
    state->token = token;
    state->fence = FencingToken{static_cast<std::uint64_t>(acquired.as_array().at(1).as_integer())};
    state->acquired_at = Clock::now();
    // Validity counts from before the request left: the server's TTL started
    // at some point after that, so this never overstates what we hold.
    state->valid_until = sent_at + state->options.ttl;
    state->lease = state->options.ttl;
    generation = ++state->generation;
    state->stop_source = std::stop_source();
    state->lost = false;
    state->held = true;
  }
  if (state->options.auto_renew) scheduler_.schedule(state, generation, sent_at + renew_after(state->options.ttl));
}

LockEngine::AllAttempt LockEngine::try_acquire_all(const std::vector<std::shared_ptr<LockState>>& states,
                                                   const std::string& token) {
  const LockOwner owner = thread_owner(states.front()->options.owner_label);
  std::vector<Command> commands;
  commands.reserve(states.size());
  for (const auto& state : states) commands.push_back(state->kind.acquire(*state, token, owner));
  metrics_.add(MetricsRecorder::Counter::attempts, states.size());
  const auto sent_at = Clock::now();
  std::optional<SelfTimer> self_timer(std::in_place, SelfOp::lock_acquire);
  std::vector<Reply> replies = client_.execute(commands);
  self_timer.reset();
  AllAttempt attempt;
  attempt.acquired = true;
  std::vector<Command> rollback;
  const Reply* failed = nullptr;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (replies[i].is_error()) {
      // Looked at after the others: the locks this round did grant must
      // be handed back first.
      if (failed == nullptr) failed = &replies[i];
      attempt.acquired = false;
      continue;
    }
    const auto& parts = replies[i].as_array();
    if (parts.at(0).as_integer() == 1) {
      const HeldLock granted{token, FencingToken{static_cast<std::uint64_t>(parts.at(1).integer_field("fence"))}};
      rollback.push_back(states[i]->kind.release(*states[i], granted));
    } else if (attempt.acquired) {
      attempt.acquired = false;
      attempt.busy = i;
      attempt.busy_pttl = std::chrono::milliseconds(parts.at(1).as_integer());
    }
  }
  if (!attempt.acquired) {
    // Never hold some while waiting for others: that is what makes opposite
    // orders in two processes unable to deadlock.
    if (!rollback.empty()) {
      try {
        client_.execute(rollback);
      } catch (const Error&) {
        // The grants expire by their TTL; the reason to report is below.
        if (failed == nullptr) throw;
      }
    }
    if (failed != nullptr) failed->throw_if_error();
    return attempt;
  }
  for (std::size_t i = 0; i < states.size(); ++i) {
    take(states[i], token, replies[i], sent_at);
  }
  return attempt;
}

bool LockEngine::acquire_all(const std::vector<std::shared_ptr<LockState>>& states, std::chrono::milliseconds wait) {
  for (const auto& state : states) {
    if (state->held.load()) throw LockError(fmt::format("lock \"{}\" is already held by this handle", state->name));
  }
  if (scheduler_.stopped()) {
    throw LockError(fmt::format("lock \"{}\": its LockService has been destroyed", states.front()->name));
  }
  check_at_most_max("lock wait", wait);
  const bool forever = wait < std::chrono::milliseconds::zero();
  const auto started = Clock::now();
  SelfTimer wait_timer(SelfOp::lock_wait);  // an error when it ends without the locks
  const auto deadline = forever ? Clock::time_point::max() : started + wait;
  const std::string token = random_token();
  const RetryPolicy& retry = states.front()->options.retry;
  std::optional<ReleaseWaiters::Ticket> ticket;
  std::string ticket_channel;
  // Metrics count each lock of the set as the single-lock path does
  // (attempts, acquisitions, hold time), and the set's wait once.
  for (int attempt = 1;; ++attempt) {
    const std::uint64_t seen = ticket ? ticket->generation() : 0;
    AllAttempt result = try_acquire_all(states, token);
    if (result.acquired) {
      metrics_.observe(MetricsRecorder::Histogram::wait,
                       std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started));
      return true;
    }
    metrics_.contended(states[result.busy]->name);
    const auto now = Clock::now();
    // lock() (forever) waits as long as it takes: max_attempts bounds waits
    // with a deadline only, so lock() never returns without the locks.
    if ((!forever && retry.max_attempts > 0 && attempt >= retry.max_attempts) || now >= deadline) {
      metrics_.add(MetricsRecorder::Counter::timeouts);
      wait_timer.fail();
      return false;
    }
    const std::string& channel = states[result.busy]->keys.channel;
    if (!ticket || ticket_channel != channel) {
      // Listen on the lock that was busy, then try again at once: a release
      // between the attempt and the subscription would otherwise be missed.
      ticket.reset();
      ticket.emplace(waiters_.enter(channel));
      ticket_channel = channel;
      continue;
    }
    auto wake = now + full_jitter(retry, attempt);
    if (result.busy_pttl >= std::chrono::milliseconds::zero()) wake = std::min(wake, now + result.busy_pttl);
    ticket->wait(seen, std::min(wake, deadline));
  }
}

std::vector<LockOutcome> LockEngine::release_all(const std::vector<std::shared_ptr<LockState>>& states) {
  std::vector<Command> commands;
  std::vector<std::string> tokens;
  for (const auto& state : states) {
    MutexLock lock(state->mutex);
    if (state->token.empty()) throw LockError(fmt::format("lock \"{}\" is not held by this handle", state->name));
    tokens.push_back(state->token);
    commands.push_back(state->kind.release(*state, HeldLock{state->token, state->fence}));
    metrics_.observe(MetricsRecorder::Histogram::hold,
                     std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - state->acquired_at));
    self_record(SelfOp::lock_hold, Clock::now() - state->acquired_at, true);
  }
  metrics_.add(MetricsRecorder::Counter::releases, states.size());
  std::vector<Reply> replies;
  std::exception_ptr unsent;
  try {
    SelfTimer self_timer(SelfOp::lock_release);
    replies = client_.execute(commands);
  } catch (const Error&) {
    unsent = std::current_exception();  // the locks expire by their TTL
  }
  // Every handle is done with its acquisition whatever the server said, so
  // none stays marked held; the first failure is reported after that.
  std::vector<LockOutcome> outcomes;
  const Reply* failed = nullptr;
  for (std::size_t i = 0; i < states.size(); ++i) {
    {
      MutexLock lock(states[i]->mutex);
      if (states[i]->token == tokens[i]) {
        states[i]->token.clear();
        states[i]->held = false;
        ++states[i]->generation;
      }
    }
    scheduler_.cancel(states[i].get());
    if (unsent) continue;
    if (replies[i].is_error()) {
      if (failed == nullptr) failed = &replies[i];
      continue;
    }
    outcomes.push_back(outcome_of(replies[i].as_integer()));
  }
  if (unsent) std::rethrow_exception(unsent);
  if (failed != nullptr) failed->throw_if_error();
  return outcomes;
}

bool LockEngine::acquire(const std::shared_ptr<LockState>& state, std::chrono::milliseconds wait) {
  check_at_most_max("lock wait", wait);
  const bool forever = wait < std::chrono::milliseconds::zero();
  const auto deadline = forever ? Clock::time_point::max() : Clock::now() + wait;
  std::chrono::milliseconds holder_pttl{-1};
  // One token for the whole wait: a retry after a lost reply is recognised
  // as the same request, and a queue (fair lock) keeps our place. Each new
  // acquisition gets a fresh one, so nothing meant for an earlier one can
  // touch it.
  const std::string token = random_token();
  const auto started = Clock::now();
  SelfTimer wait_timer(SelfOp::lock_wait);  // an error when it ends without the lock
  auto acquired = [&] {
    metrics_.observe(MetricsRecorder::Histogram::wait,
                     std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started));
    return true;
  };
  auto gave_up = [&] {
    metrics_.add(MetricsRecorder::Counter::timeouts);
    wait_timer.fail();
    abandon(*state, token);
    return false;
  };
  // A connection that broke under a request leaves us not knowing whether
  // the script ran. The same token goes again: every kind's script answers a
  // repeat of a granted request with the grant, so a lost reply does not
  // leave behind a lock that nobody renews or releases. Resends stop at the
  // deadline (a zero wait still gets one) and after a few in a row; TLS and
  // AUTH failures are configuration errors and are not resent.
  auto send_attempt = [&](bool waited) {
    for (int resent = 0;; ++resent) {
      try {
        return try_acquire(state, token, &holder_pttl, waited);
      } catch (const TlsError&) {
        throw;
      } catch (const AuthError&) {
        throw;
      } catch (const ConnectionError&) {
        if (resent >= kMaxResends || (resent > 0 && Clock::now() >= deadline)) throw;
      }
    }
  };
  // The uncontended path costs one round trip and no subscription.
  if (send_attempt(false)) return acquired();
  if (!forever && Clock::now() >= deadline) return gave_up();

  // Subscribe before the next attempt: a release published after it is then
  // heard, whatever the timing.
  ReleaseWaiters::Ticket ticket =
      waiters_.enter(state->keys.channel, state->kind.registers_waiters ? token : std::string());
  const RetryPolicy& retry = state->options.retry;
  // A waiter that has waited a check interval may be part of a deadlock: it
  // records its wait in the wait-for graph and looks for a cycle through
  // itself at every interval. Shorter waits cost nothing extra.
  const auto check_interval = options_.deadlock_check_interval;
  std::optional<WaitRegistration> registration;
  auto next_check = check_interval > std::chrono::milliseconds::zero() ? Clock::now() + check_interval
                                                                       : Clock::time_point::max();
  for (int attempt = 1;; ++attempt) {
    const std::uint64_t seen = ticket.generation();
    if (send_attempt(/*waited=*/true)) return acquired();
    const auto now = Clock::now();
    // lock() (a negative wait) waits as long as it takes: max_attempts bounds
    // waits with a deadline only, so lock() never returns without the lock.
    if ((!forever && retry.max_attempts > 0 && attempt + 1 >= retry.max_attempts) ||
        now >= deadline) {
      return gave_up();
    }
    if (now >= next_check) {
      if (registration) {
        registration->refresh();
      } else {
        registration.emplace(client_, options_.prefix, owner_id(), state->name,
                             std::min(kWaitEntryLifetimeFactor * check_interval, kMaxLockDuration));
      }
      check_for_deadlock(*state, token);
      next_check = now + check_interval;
    }
    // Wake at a release, at the holder's expiry (which publishes nothing),
    // or after the jittered backoff, whichever comes first.
    auto wake = now + full_jitter(retry, attempt);
    if (holder_pttl >= std::chrono::milliseconds::zero()) wake = std::min(wake, now + holder_pttl);
    ticket.wait(seen, std::min({wake, deadline, next_check}));
  }
}

void LockEngine::check_for_deadlock(const LockState& state, const std::string& token) {
  const std::string me = owner_id();
  auto deadlock = WaitGraph::read(client_, options_.prefix).cycle_through(me);
  if (!deadlock || WaitGraph::youngest(*deadlock).owner != me) return;
  std::vector<std::string> cycle;
  for (const LockWait& wait : deadlock->cycle) cycle.push_back(wait.owner + " waits for " + wait.lock);
  metrics_.add(MetricsRecorder::Counter::timeouts);
  abandon(state, token);
  std::string chain;
  for (const auto& step : cycle) chain += (chain.empty() ? "" : ", ") + step;
  throw DeadlockError(fmt::format("deadlock while waiting for lock \"{}\": {}; this wait, the youngest, gives up",
                                  state.name, chain),
                      std::move(cycle));
}

LockOutcome LockEngine::release(LockState& state) {
  HeldLock held;
  {
    MutexLock lock(state.mutex);
    if (state.token.empty()) {
      throw LockError(fmt::format("lock \"{}\" is not held by this handle", state.name));
    }
    held = HeldLock{state.token, state.fence};
    metrics_.observe(MetricsRecorder::Histogram::hold,
                     std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - state.acquired_at));
    self_record(SelfOp::lock_hold, Clock::now() - state.acquired_at, true);
  }
  metrics_.add(MetricsRecorder::Counter::releases);
  std::optional<SelfTimer> self_timer(std::in_place, SelfOp::lock_release);
  Reply reply = client_.command(state.kind.release(state, held));
  self_timer.reset();
  {
    // Done with this acquisition whatever the answer: renewals stop, and a
    // later loss report for it is ignored.
    MutexLock lock(state.mutex);
    if (state.token == held.token) {
      state.token.clear();
      state.held = false;
      ++state.generation;
    }
  }
  scheduler_.cancel(&state);
  return outcome_of(reply.as_integer());
}

LockOutcome LockEngine::extend(const std::shared_ptr<LockState>& state, std::chrono::milliseconds ttl) {
  if (ttl <= std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("lock ttl {} ms must be positive", ttl.count()));
  }
  check_at_most_max("lock ttl", ttl);
  std::string token;
  std::uint64_t generation = 0;
  {
    MutexLock lock(state->mutex);
    if (!state->held.load()) throw LockError(fmt::format("lock \"{}\" is not held by this handle", state->name));
    token = state->token;
    generation = state->generation;
    ++state->lease_epoch;
  }
  const auto sent_at = Clock::now();
  Reply reply = client_.command(state->kind.extend(*state, token, ttl));
  LockOutcome outcome = outcome_of(reply.as_integer());
  if (outcome == LockOutcome::done) {
    bool current = false;
    {
      MutexLock lock(state->mutex);
      current = state->generation == generation;
      if (current) {
        state->valid_until = sent_at + ttl;
        // Renewals keep this lease from now on, at a third of it.
        state->lease = ttl;
      }
    }
    if (current && state->options.auto_renew) scheduler_.schedule(state, generation, sent_at + renew_after(ttl));
  } else {
    mark_lost(*state, generation, metrics_);
  }
  return outcome;
}

void LockEngine::abandon(const LockState& state, const std::string& token) noexcept {
  if (!state.kind.abandon) return;
  // A registering waiter is registered only by attempts made while it waited
  // for releases: a try_lock() that failed has nothing to withdraw.
  if (state.kind.registers_waiters && !state.waited) return;
  try {
    client_.command(state.kind.abandon(state, token));
  } catch (...) {
    // A waiter that cannot say it left is dropped by the kind's own expiry
    // (queue slots and intents carry a TTL).
  }
}

void LockEngine::shutdown() noexcept { scheduler_.stop(); }

}  // namespace redkit::detail
