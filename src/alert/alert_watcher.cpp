// AlertWatcher: a round thread (leases, evaluation) and one delivery thread
// per sink, so that neither a slow sink nor a slow rule holds up the rest.
#include "redkit/ts_alert_watcher.hpp"

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "alert/rule_evaluation.hpp"
#include "alert/rule_leases.hpp"
#include "alert/sink_delivery.hpp"
#include "common/thread_annotations.hpp"
#include "common/unix_time.hpp"
#include "lock/owner_identity.hpp"

namespace redkit::ts {
namespace {

// Longest a delivery thread blocks reading the stream: how long stop()
// may take to be noticed there (besides a delivery in progress).
constexpr std::chrono::milliseconds kDeliveryWait{200};
// After an error (Redis unreachable, say) a thread waits this long before
// trying again.
constexpr std::chrono::milliseconds kErrorPause{500};

AlertWatcherOptions checked(AlertWatcherOptions options) {
  if (options.interval.count() <= 0) {
    throw InvalidArgument(fmt::format("alert watcher: interval {} ms is not positive", options.interval.count()));
  }
  if (options.lease <= options.interval) {
    throw InvalidArgument(fmt::format("alert watcher: lease {} ms must be longer than the interval ({} ms)",
                                      options.lease.count(), options.interval.count()));
  }
  if (options.delivery.first_retry.count() <= 0 || options.delivery.max_retry.count() <= 0 ||
      options.delivery.give_up_after.count() <= 0) {
    throw InvalidArgument("alert watcher: delivery first_retry, max_retry and give_up_after must be positive");
  }
  std::set<std::string> names;
  for (const auto& sink : options.sinks) {
    if (!sink) throw InvalidArgument("alert watcher: a sink is null");
    if (!names.insert(sink->name()).second) {
      throw InvalidArgument(fmt::format("alert watcher: two sinks are named '{}'", sink->name()));
    }
    if (options.lease <= 2 * sink->timeout()) {
      throw InvalidArgument(fmt::format("alert watcher: lease {} ms must be more than twice the timeout of sink '{}' "
                                        "({} ms)",
                                        options.lease.count(), sink->name(), sink->timeout().count()));
    }
  }
  if (options.id.empty()) {
    options.id = fmt::format("{}:{}:{}", detail::host_name(), detail::process_id(), detail::random_token().substr(0, 8));
  }
  return options;
}

}  // namespace

struct AlertWatcher::Impl {
  Impl(Client c, AlertWatcherOptions o)
      : client(std::move(c)), options(checked(std::move(o))), leases(client, options.rules, options.id, options.lease) {
    for (const auto& sink : options.sinks) {
      deliveries.push_back(std::make_unique<alert::SinkDelivery>(client, options, sink, options.id, stopping));
    }
  }

  void report(std::string_view what) const noexcept {
    if (!options.on_error) return;
    try {
      options.on_error(what);
    } catch (...) {
      // A reporter that throws must not stop the watcher.
    }
  }

  // Sleeps up to `time`; false once stop() was called.
  bool pause(std::chrono::milliseconds time) {
    detail::MutexLock lock(mutex);
    if (stopping.load()) return false;
    lock.wait_for(wake, time);
    return !stopping.load();
  }

  void deliver_loop(alert::SinkDelivery& delivery) {
    // A peer that closes a connection mid-write (an https receiver, say)
    // must fail that delivery, not end the process.
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
    while (!stopping.load()) {
      try {
        delivery.pass(kDeliveryWait);
      } catch (const std::exception& error) {
        report(fmt::format("sink {}: {}", delivery.group(), error.what()));
        pause(kErrorPause);
      }
    }
    delivery.leave();
  }

  void round() {
    std::vector<std::string> names;
    const Reply members = client.command(Command("SMEMBERS").key(alert::rule_names_key(options.rules)));
    for (const Reply& member : members.as_array()) names.push_back(member.as_string());
    // Leases (and the heartbeat) first: a rule that cannot be read must not
    // cost this watcher its place.
    held = leases.claim(names);
    const AlertRules rules(client, options.rules);
    std::vector<AlertNotification> firing;
    for (const std::string& name : held) {
      if (stopping.load()) return;
      try {
        alert::RuleOutcome outcome = alert::evaluate_rule(client, options.rules, rules.get(name), now());
        for (AlertNotification& alert : outcome.firing) firing.push_back(std::move(alert));
      } catch (const AlertRuleNotFound&) {
        // Removed since the names were read.
      } catch (const std::exception& error) {
        report(fmt::format("rule {}: {}", name, error.what()));
      }
    }
    for (auto& delivery : deliveries) delivery->offer_firing(firing);
  }

  static Timestamp now() { return detail::unix_ms_now(); }

  Client client;
  AlertWatcherOptions options;
  alert::RuleLeases leases;
  std::atomic<bool> stopping{false};
  std::vector<std::unique_ptr<alert::SinkDelivery>> deliveries;
  std::vector<std::string> held;
  detail::Mutex mutex;
  std::condition_variable wake;
  // Whether run() is under way, so the destructor can wait for its end.
  bool running GUARDED_BY(mutex) = false;
  std::condition_variable ended;
};

AlertWatcher::AlertWatcher(Client client, AlertWatcherOptions options)
    : impl_(std::make_unique<Impl>(std::move(client), std::move(options))) {}

AlertWatcher::~AlertWatcher() {
  stop();
  detail::MutexLock lock(impl_->mutex);
  while (impl_->running) lock.wait(impl_->ended);
}

const std::string& AlertWatcher::id() const noexcept { return impl_->options.id; }

void AlertWatcher::stop() noexcept {
  detail::MutexLock lock(impl_->mutex);
  impl_->stopping.store(true);
  impl_->wake.notify_all();
}

void AlertWatcher::run() {
  Impl& impl = *impl_;
  {
    detail::MutexLock lock(impl.mutex);
    if (impl.running) throw Error("alert watcher: run() is already under way");
    impl.running = true;
  }
  std::vector<std::jthread> threads;
  // Whatever happens below, the threads stop, the leases go and the
  // destructor is told.
  struct Finish {
    Impl& impl;
    std::vector<std::jthread>& threads;
    ~Finish() {
      impl.stopping.store(true);
      threads.clear();
      impl.leases.release_all(impl.held);
      detail::MutexLock lock(impl.mutex);
      impl.running = false;
      impl.ended.notify_all();
    }
  } finish{impl, threads};
  // The groups exist before the first round records anything, so nothing
  // recorded from now on is missed by a sink.
  for (auto& delivery : impl.deliveries) {
    while (!impl.stopping.load()) {
      try {
        delivery->ensure_group();
        break;
      } catch (const std::exception& error) {
        impl.report(fmt::format("sink {}: {}", delivery->group(), error.what()));
        impl.pause(kErrorPause);
      }
    }
  }
  for (auto& delivery : impl.deliveries) {
    threads.emplace_back([&impl, &delivery] { impl.deliver_loop(*delivery); });
  }
  while (!impl.stopping.load()) {
    const auto started = std::chrono::steady_clock::now();
    try {
      impl.round();
    } catch (const std::exception& error) {
      impl.report(fmt::format("round: {}", error.what()));
    }
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (!impl.pause(std::max(std::chrono::milliseconds(1), impl.options.interval - spent))) break;
  }
}

std::vector<std::string> AlertWatcher::live_watchers(const Client& client, const AlertRulesOptions& options) {
  return alert::RuleLeases::live_watchers(client, options);
}

std::vector<AlertSinkStats> AlertWatcher::sink_stats(const Client& client, const AlertRulesOptions& options) {
  std::map<std::string, AlertSinkStats> by_sink;
  auto stats_of = [&](const std::string& sink) -> AlertSinkStats& {
    AlertSinkStats& stats = by_sink[sink];
    stats.sink = sink;
    return stats;
  };
  const Reply counters = client.command(Command("HGETALL").key(options.prefix + "{alert}:sinks"));
  const ReplyArray& fields = counters.as_array();
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& field = fields[i].as_string();
    const std::size_t colon = field.find(':');
    if (colon == std::string::npos) continue;
    const std::string what = field.substr(0, colon);
    AlertSinkStats& stats = stats_of(field.substr(colon + 1));
    const Reply& value = fields[i + 1];
    if (what == "delivered") stats.delivered = static_cast<unsigned long long>(value.integer_field(field));
    if (what == "failed") stats.failed_attempts = static_cast<unsigned long long>(value.integer_field(field));
    if (what == "dropped") stats.dropped = static_cast<unsigned long long>(value.integer_field(field));
    if (what == "last_error") stats.last_error = value.as_string();
    if (what == "last_error_at") stats.last_error_at = value.integer_field(field);
  }
  try {
    const Reply groups = client.command(Command("XINFO").arg("GROUPS").key(alert::history_key(options)));
    for (const Reply& group : groups.as_array()) {
      const ReplyArray& info = group.as_array();
      std::string name;
      long long pending = 0;
      for (std::size_t i = 0; i + 1 < info.size(); i += 2) {
        if (info[i].as_string() == "name") name = info[i + 1].as_string();
        if (info[i].as_string() == "pending") pending = info[i + 1].as_integer();
      }
      if (name.rfind("sink:", 0) == 0) stats_of(name.substr(5)).pending = static_cast<unsigned long long>(pending);
    }
  } catch (const ReplyError&) {
    // No history stream yet: nothing pending anywhere.
  }
  std::vector<AlertSinkStats> out;
  for (auto& [sink, stats] : by_sink) out.push_back(std::move(stats));
  return out;
}

}  // namespace redkit::ts
