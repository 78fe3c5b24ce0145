// ReleaseWaiters: wakes the threads waiting for a lock the moment its holder
// releases it, through one pub/sub subscription per contended lock name,
// shared by all of this client's waiters for that name and dropped when the
// last one leaves.
//
//   auto ticket = waiters.enter(keys.channel, token);  // subscribed when this returns
//   auto seen = ticket.generation();
//   if (!try_acquire()) ticket.wait(seen, retry_at);   // returns early on a release
//
// A release message is either "released", which wakes every ticket, or the
// tokens of the registered waiters the release chose (lua/lock_release.lua,
// at most two, space-separated): it wakes those waiters' tickets and the
// tickets entered without a token (waiters that do not register, such as a
// MultiLock's), and leaves the other registered waiters asleep, since the
// lock is meant for the chosen ones.
//
// Thread-safety: all members may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "redkit/client.hpp"
#include "common/thread_annotations.hpp"

namespace redkit::detail {

class ReleaseWaiters {
  struct Channel;

 public:
  explicit ReleaseWaiters(Client client);
  ~ReleaseWaiters();

  class Ticket {
   public:
    Ticket(ReleaseWaiters* owner, std::string name, std::string token, std::shared_ptr<Channel> channel)
        : owner_(owner), name_(std::move(name)), token_(std::move(token)), channel_(std::move(channel)) {}
    Ticket(Ticket&&) noexcept = default;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();
    // Counts the releases that concern this ticket (and reconnects, after
    // which a release may have been missed).
    std::uint64_t generation() const;
    // Until the generation moves past `seen` or `until` passes.
    void wait(std::uint64_t seen, std::chrono::steady_clock::time_point until) const;

   private:
    std::uint64_t generation_locked() const REQUIRES(channel_->mutex);
    ReleaseWaiters* owner_;
    std::string name_;
    std::string token_;  // empty: woken by every release
    std::shared_ptr<Channel> channel_;
  };

  // Subscribes on first use of the channel; returns once the subscription is
  // confirmed, so no release published after this call is missed. `token`:
  // the waiter's lock token if its attempts register it as a waiter (then
  // only releases meant for it, or for everyone, wake it), else empty.
  // Throws ConnectionError if the subscription cannot be made.
  Ticket enter(const std::string& channel, const std::string& token = {});

 private:
  struct Channel {
    Mutex mutex;
    std::condition_variable changed;
    std::uint64_t generation GUARDED_BY(mutex) = 0;  // releases for everyone, and reconnects
    std::uint64_t chosen GUARDED_BY(mutex) = 0;  // releases that chose one registered waiter
    std::map<std::string, std::uint64_t> woken GUARDED_BY(mutex);  // token -> times chosen, per ticket
    int untargeted GUARDED_BY(mutex) = 0;  // tickets without a token
    bool ready GUARDED_BY(mutex) = false;  // subscription confirmed
    bool failed GUARDED_BY(mutex) = false;
    int users = 0;                 // guarded by ReleaseWaiters::mutex_
    Subscription subscription GUARDED_BY(mutex);  // set by the first entering thread
  };
  void leave(const std::string& name, const std::string& token, const std::shared_ptr<Channel>& channel) noexcept;
  static void bump(Channel& channel);
  static void deliver(Channel& channel, std::string_view message);

  Client client_;
  Mutex mutex_;
  std::map<std::string, std::shared_ptr<Channel>> channels_ GUARDED_BY(mutex_);
  Subscription reconnect_;
};

}  // namespace redkit::detail
