// `redkit ts watch`: an AlertWatcher as a daemon. It evaluates its share of
// the stored rules every --interval and delivers notifications to the sinks
// given; run several on the same rules and each transition still reaches
// each sink once. SIGINT or SIGTERM stops it cleanly: its leases are given
// up so the others take over at once.
#include <signal.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "option_args.hpp"
#include "redkit/client.hpp"
#include "redkit/self_metrics.hpp"
#include "redkit/ts_alert_watcher.hpp"
#include "usage_error.hpp"

namespace redkit::cli {
namespace {

struct WatchArgs {
  std::string interval = "10s";
  std::string lease = "30s";
  std::string id;
  std::vector<std::string> alertmanagers;
  std::vector<std::string> webhooks;
  std::vector<std::string> execs;
  std::vector<std::string> channels;
  std::string sink_timeout = "5s";
  std::string give_up_after = "1h";
  bool self_series = false;
};

// Lines from several threads, whole and flushed (the output is often a file
// or a pipe read while the watcher runs).
class Log {
 public:
  explicit Log(bool json) : json_(json) {}

  void delivered(const std::string& sink, const ts::AlertNotification& notification) {
    const ts::AlertTransition& t = notification.transition;
    if (json_) {
      write(stdout, nlohmann::json{{"sink", sink}, {"notification", nlohmann::json::parse(ts::to_json(notification))}}
                        .dump());
    } else {
      write(stdout, fmt::format("{} {} {} {} {} -> {}", t.at, ts::to_string(t.event), t.rule, t.series,
                                t.value ? fmt::format("{}", *t.value) : "-", sink));
    }
  }

  void note(std::string_view what) {
    write(stderr, json_ ? nlohmann::json{{"watch", what}}.dump() : fmt::format("watch: {}", what));
  }

 private:
  void write(std::FILE* to, const std::string& line) {
    std::lock_guard lock(mutex_);
    fmt::print(to, "{}\n", line);
    std::fflush(to);
  }

  bool json_;
  std::mutex mutex_;
};

// Says on the output what a sink delivered.
class LoggedSink final : public ts::AlertSink {
 public:
  LoggedSink(std::shared_ptr<ts::AlertSink> inner, std::shared_ptr<Log> log)
      : inner_(std::move(inner)), log_(std::move(log)) {}
  std::string name() const override { return inner_->name(); }
  std::chrono::milliseconds timeout() const override { return inner_->timeout(); }
  bool refreshes() const override { return inner_->refreshes(); }
  void deliver(const ts::AlertNotification& notification) override {
    inner_->deliver(notification);
    log_->delivered(inner_->name(), notification);
  }
  void refresh(const std::vector<ts::AlertNotification>& firing) override { inner_->refresh(firing); }

 private:
  std::shared_ptr<ts::AlertSink> inner_;
  std::shared_ptr<Log> log_;
};

std::vector<std::shared_ptr<ts::AlertSink>> sinks_of(const WatchArgs& args, const Client& client,
                                                     const std::shared_ptr<Log>& log) {
  const auto timeout = duration_option(args.sink_timeout, "--sink-timeout");
  std::vector<std::shared_ptr<ts::AlertSink>> sinks;
  auto usage = [](auto make) {
    try {
      return make();
    } catch (const InvalidArgument& error) {
      throw UsageError(error.what());
    }
  };
  for (const std::string& url : args.alertmanagers) {
    sinks.push_back(usage([&] { return ts::alertmanager_sink({.url = url, .timeout = timeout}); }));
  }
  for (const std::string& url : args.webhooks) {
    sinks.push_back(usage([&] { return ts::webhook_sink({.url = url, .headers = {}, .timeout = timeout}); }));
  }
  for (const std::string& command : args.execs) {
    sinks.push_back(usage([&] { return ts::exec_sink({.command = {"sh", "-c", command}, .timeout = timeout}); }));
  }
  for (const std::string& channel : args.channels) {
    sinks.push_back(usage([&] { return ts::publish_sink(client, channel); }));
  }
  std::vector<std::shared_ptr<ts::AlertSink>> logged;
  for (auto& sink : sinks) logged.push_back(std::make_shared<LoggedSink>(std::move(sink), log));
  if (logged.empty()) {
    // Without a sink the notifications are printed: shared under one name,
    // so with several watchers each is printed by one of them.
    logged.push_back(ts::callback_sink("log", [log](const ts::AlertNotification& n) { log->delivered("log", n); }));
  }
  return logged;
}

void watch(const WatchArgs& args, const GlobalOptions& global) {
  // Blocked here, before any thread starts, so every thread inherits the
  // mask and the signals wait for the sigtimedwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const Client client(ClientOptions{.connection = global.connection(), .pool = {}});
  auto log = std::make_shared<Log>(global.json());
  ts::AlertWatcherOptions options{.interval = duration_option(args.interval, "--interval"),
                                  .lease = duration_option(args.lease, "--lease"),
                                  .sinks = sinks_of(args, client, log),
                                  .id = args.id};
  options.delivery.give_up_after = duration_option(args.give_up_after, "--give-up-after");
  options.on_error = [log](std::string_view what) { log->note(what); };
  // The watcher's own operation counts go to Redis once a second (and at
  // exit), for `redkit metrics`; destroyed after the watcher, so its last
  // round is counted.
  const SelfMonitor self_monitor(client, {.prefix = "redkit:", .record_series = args.self_series});
  std::unique_ptr<ts::AlertWatcher> watcher;
  try {
    watcher = std::make_unique<ts::AlertWatcher>(client, std::move(options));
  } catch (const InvalidArgument& error) {
    throw UsageError(error.what());
  }

  std::atomic<bool> finished{false};
  std::thread signals([&] {
    const timespec step{0, 100'000'000};
    while (!finished.load()) {
      const int signal = sigtimedwait(&stop_signals, nullptr, &step);
      if (signal > 0) {
        log->note(fmt::format("{} received, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM"));
        watcher->stop();
      }
    }
  });
  log->note(fmt::format("watching as {} every {}", watcher->id(), args.interval));
  // The signal thread ends whether run() returns or throws.
  struct JoinSignals {
    std::atomic<bool>& finished;
    std::thread& thread;
    ~JoinSignals() {
      finished.store(true);
      thread.join();
    }
  } join_signals{finished, signals};
  watcher->run();
  log->note("stopped");
}

}  // namespace

void add_ts_watch_command(CLI::App& ts, GlobalOptions& global) {
  auto args = std::make_shared<WatchArgs>();
  CLI::App* watch_command = ts.add_subcommand(
      "watch", "Evaluate the alert rules every interval and deliver notifications, until SIGINT/SIGTERM");
  watch_command->add_option("--interval", args->interval, "Time between evaluation rounds")->capture_default_str();
  watch_command->add_option("--lease", args->lease, "How long a dead watcher's rules stay with it")
      ->capture_default_str();
  watch_command->add_option("--id", args->id, "This watcher's name (default host:pid:random)");
  watch_command->add_flag("--self-series", args->self_series,
                          "Also chart redkit's own operation metrics as redkit:self:* series");
  watch_command->add_option("--alertmanager", args->alertmanagers, "Alertmanager base URL (repeatable)");
  watch_command->add_option("--webhook", args->webhooks, "URL the notification JSON is POSTed to (repeatable)");
  watch_command->add_option("--exec", args->execs, "Shell command run per notification, JSON on stdin (repeatable)");
  watch_command->add_option("--publish", args->channels, "Redis channel the JSON is published on (repeatable)");
  watch_command->add_option("--sink-timeout", args->sink_timeout, "Per delivery, for HTTP and exec sinks")
      ->capture_default_str();
  watch_command->add_option("--give-up-after", args->give_up_after, "Drop a notification undelivered this long")
      ->capture_default_str();
  watch_command->callback([&global, args] { watch(*args, global); });
}

}  // namespace redkit::cli
