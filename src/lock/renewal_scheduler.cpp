// RenewalScheduler: batched renewals on one thread.
#include "lock/renewal_scheduler.hpp"

#include <algorithm>

#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

// How far ahead of its time a lock may be renewed to join a round.
constexpr std::chrono::milliseconds kCoalesceWindow{50};
// After a failed round (server unreachable), retry this often within the
// remaining validity.
std::chrono::milliseconds retry_interval(std::chrono::milliseconds ttl) {
  return std::clamp(ttl / 10, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
}

}  // namespace

void mark_lost(LockState& state, std::uint64_t generation, MetricsRecorder& metrics) noexcept {
  std::function<void()> callback;
  {
    MutexLock lock(state.mutex);
    if (state.generation != generation || state.lost.load()) return;
    metrics.add(MetricsRecorder::Counter::lost);
    state.lost = true;
    state.held = false;
    state.stop_source.request_stop();
    callback = state.options.on_lost;
  }
  if (callback) {
    try {
      callback();
    } catch (...) {
      // The callback's failure has nowhere to go; the stop token already fired.
    }
  }
}

RenewalScheduler::RenewalScheduler(Client client, MetricsRecorder& metrics)
    : client_(std::move(client)), metrics_(metrics) {
  thread_ = std::thread([this] { run(); });
}

RenewalScheduler::~RenewalScheduler() { stop(); }

void RenewalScheduler::stop() noexcept {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void RenewalScheduler::schedule(const std::shared_ptr<LockState>& state, std::uint64_t generation,
                                Clock::time_point at) {
  bool sooner = false;
  {
    MutexLock lock(mutex_);
    if (auto it = pending_.find(state.get()); it != pending_.end()) {
      // A renewal (or its retry) of an earlier acquisition must never
      // displace the entry of a later one: the later lock would silently
      // stop being renewed.
      if (it->second->second.generation > generation) return;
      queue_.erase(it->second);
      pending_.erase(it);
    }
    auto entry = queue_.emplace(at, Entry{state, generation, state.get()});
    pending_.emplace(state.get(), entry);
    sooner = entry == queue_.begin();
  }
  // The thread sleeps until the earliest entry is due: waking it for a later
  // one costs a context switch per acquisition and changes nothing.
  if (sooner) changed_.notify_all();
}

void RenewalScheduler::cancel(const LockState* state) noexcept {
  MutexLock lock(mutex_);
  if (auto it = pending_.find(state); it != pending_.end()) {
    queue_.erase(it->second);
    pending_.erase(it);
  }
}

std::optional<std::uint64_t> RenewalScheduler::pending_generation(const LockState* state) const {
  MutexLock lock(mutex_);
  const auto it = pending_.find(state);
  if (it == pending_.end()) return std::nullopt;
  return it->second->second.generation;
}

bool RenewalScheduler::stopped() const noexcept {
  MutexLock lock(mutex_);
  return stopping_;
}

std::uint64_t RenewalScheduler::rounds() const noexcept {
  MutexLock lock(mutex_);
  return rounds_;
}

std::uint64_t RenewalScheduler::renewals() const noexcept {
  MutexLock lock(mutex_);
  return renewals_;
}

void RenewalScheduler::run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      lock.wait(changed_);
      continue;
    }
    const auto next = queue_.begin()->first;
    if (Clock::now() < next) {
      lock.wait_until(changed_, next);
      continue;
    }
    std::vector<Entry> due;
    // Locks due a little later ride along: renewing them early costs
    // nothing, and locks acquired at scattered moments then share rounds
    // instead of each paying a round trip of its own.
    const auto now = Clock::now();
    while (!queue_.empty() && queue_.begin()->first <= now + kCoalesceWindow) {
      due.push_back(queue_.begin()->second);
      pending_.erase(due.back().key);
      queue_.erase(queue_.begin());
    }
    lock.unlock();
    renew(due);
    lock.lock();
  }
}

void RenewalScheduler::renew(std::vector<Entry>& due) {
  struct Job {
    std::shared_ptr<LockState> state;
    std::uint64_t generation;
    std::uint64_t lease_epoch;
    std::chrono::milliseconds lease;
    Clock::time_point valid_until;
  };
  std::vector<Job> jobs;
  std::vector<Command> commands;
  for (Entry& entry : due) {
    auto state = entry.state.lock();
    if (!state) continue;
    MutexLock lock(state->mutex);
    if (state->generation != entry.generation || !state->held.load() || state->lost.load()) continue;
    // The current lease: extend() may have set a shorter or longer one.
    jobs.push_back(Job{state, entry.generation, state->lease_epoch, state->lease, state->valid_until});
    commands.push_back(state->kind.extend(*state, state->token, state->lease));
  }
  if (jobs.empty()) return;

  const auto sent_at = Clock::now();
  // A renewal that answers after the lock's validity is worthless: wait no
  // longer than the most urgent lock of the round has left.
  auto earliest = std::min_element(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
                    return a.valid_until < b.valid_until;
                  })->valid_until;
  auto timeout = std::max(std::chrono::ceil<std::chrono::milliseconds>(earliest - sent_at),
                          std::chrono::milliseconds(10));
  std::vector<Reply> replies;
  bool reached = true;
  try {
    replies = client_.execute(commands, timeout);
  } catch (const Error&) {
    reached = false;
  }
  std::uint64_t renewed = 0;
  const auto round_time = Clock::now() - sent_at;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    Job& job = jobs[i];
    const bool answered = reached && replies[i].is_integer();
    self_record(SelfOp::lock_renew, round_time, answered && replies[i].as_integer() == 1);
    if (answered && replies[i].as_integer() != 1) {
      mark_lost(*job.state, job.generation, metrics_);  // expired, or someone else holds it now
      continue;
    }
    if (answered) {
      ++renewed;
      bool current = false;
      std::chrono::milliseconds lease{0};
      {
        MutexLock lock(job.state->mutex);
        current = job.state->generation == job.generation;
        // An extend() began since this renewal was sent: the server may have
        // taken the extension's lease after ours, and the extension's reply
        // sets valid_until. Renewals go on either way.
        if (current && job.state->lease_epoch == job.lease_epoch) job.state->valid_until = sent_at + job.lease;
        lease = job.state->lease;
      }
      // The handle released (and maybe took the lock again) meanwhile: this
      // reply belongs to an acquisition that is over.
      if (current) schedule(job.state, job.generation, sent_at + renew_after(lease));
      continue;
    }
    // Unreachable server or an error reply: try again while the lock may
    // still be valid, and give it up once it surely is not.
    const auto now = Clock::now();
    if (now >= job.valid_until) {
      mark_lost(*job.state, job.generation, metrics_);
    } else {
      schedule(job.state, job.generation, std::min(now + retry_interval(job.lease), job.valid_until));
    }
  }
  metrics_.add(MetricsRecorder::Counter::renewals, renewed);
  MutexLock lock(mutex_);
  ++rounds_;
  renewals_ += renewed;
}

}  // namespace redkit::detail
