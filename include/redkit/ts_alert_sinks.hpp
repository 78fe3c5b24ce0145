// redkit/ts_alert_sinks.hpp — where alert notifications go: a callback,
// Redis PUBLISH, an exec hook, a JSON webhook, or a Prometheus Alertmanager.
//
//   redkit::ts::AlertWatcherOptions options;
//   options.sinks.push_back(redkit::ts::alertmanager_sink({.url = "http://127.0.0.1:9093"}));
//   options.sinks.push_back(redkit::ts::publish_sink(client, "alerts"));
//
// A sink is handed one notification at a time by an AlertWatcher's delivery
// thread for that sink (ts_alert_watcher.hpp); throwing anything from
// deliver() means "not delivered": the watcher retries it with backoff and
// counts the failure, while evaluation and the other sinks go on.
//
// Thread-safety: the watcher calls a sink from one thread at a time; the
// sinks here hold nothing that another thread changes.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::ts {

class AlertSink {
 public:
  virtual ~AlertSink() = default;

  // Identifies the sink among the watchers of the same rules: watchers that
  // configure a sink of the same name share its deliveries (each
  // notification is delivered by one of them). The factories below derive
  // it from where the sink sends ("webhook:http://host/path").
  virtual std::string name() const = 0;

  // Delivers one notification, or throws.
  virtual void deliver(const AlertNotification& notification) = 0;

  // The longest one delivery may take (the sink gives up then); zero when
  // the sink sets no bound. A watcher's lease must be more than twice
  // this, so that no other watcher takes a notification over while it is
  // being delivered.
  virtual std::chrono::milliseconds timeout() const;

  // Every alert firing now among the rules this watcher evaluated, after
  // each evaluation round. Most sinks ignore it; the Alertmanager sink
  // re-sends them (as Prometheus does) so that Alertmanager keeps them
  // active and lets them expire if every watcher stops. Throwing is
  // counted as a failure and not retried: the next round sends again.
  virtual void refresh(const std::vector<AlertNotification>& firing);
  // Whether refresh() does anything: the watcher gathers and checks the
  // firing alerts only for sinks that say so. False by default.
  virtual bool refreshes() const;
};

// The notification as one JSON object, the payload of the publish, exec and
// webhook sinks:
//   {"rule": "...", "series": "...", "event": "fired|repeated|resolved",
//    "at": <Unix ms>, "value": <number or null>, "active_since": <Unix ms>,
//    "labels": {...}, "annotations": {...}}
std::string to_json(const AlertNotification& notification);

// Calls `callback` in the watcher's delivery thread; an exception it throws
// is a failed delivery. `name` identifies it as above.
std::shared_ptr<AlertSink> callback_sink(std::string name,
                                         std::function<void(const AlertNotification&)> callback);

// PUBLISH <channel> <to_json(notification)>. Name "publish:<channel>".
std::shared_ptr<AlertSink> publish_sink(Client client, std::string channel);

struct ExecSinkOptions {
  // The program and its arguments (argv[0] is looked up in PATH). It gets
  // the notification as JSON on stdin, and in its environment
  // REDKIT_ALERT_RULE, _SERIES, _EVENT, _VALUE (empty without data), _AT,
  // _ACTIVE_SINCE, and REDKIT_ALERT_LABEL_<NAME> per label. Exit status 0
  // means delivered.
  std::vector<std::string> command{};
  // Killed (SIGKILL) after this long, which counts as a failure.
  std::chrono::milliseconds timeout{10'000};
};
// Name "exec:<command joined by spaces>". Throws InvalidArgument for an
// empty command or a timeout that is not positive.
std::shared_ptr<AlertSink> exec_sink(ExecSinkOptions options);

struct WebhookSinkOptions {
  // http:// or https:// URL the JSON is POSTed to; any 2xx status means
  // delivered.
  std::string url{};
  // Extra request headers (e.g. Authorization).
  std::map<std::string, std::string> headers{};
  // For connecting and for the whole response.
  std::chrono::milliseconds timeout{5'000};
};
// Name "webhook:<url>". Throws InvalidArgument naming a URL that is not
// http(s)://host[:port][/path].
std::shared_ptr<AlertSink> webhook_sink(WebhookSinkOptions options);

struct AlertmanagerSinkOptions {
  // The Alertmanager's base URL (http://host:9093); alerts go to
  // <url>/api/v2/alerts.
  std::string url{};
  std::chrono::milliseconds timeout{5'000};
  // A firing alert is sent with endsAt this far after each send, and sent
  // again at every refresh (each watcher round): if every watcher stops,
  // Alertmanager resolves it once this passes. Keep it several rounds long.
  std::chrono::milliseconds hold{std::chrono::minutes(4)};
  // generatorURL of every alert (optional).
  std::string generator_url{};
};
// Firing: labels, annotations, startsAt = when it fired, endsAt = now +
// hold. Resolved: endsAt = when it resolved. Name "alertmanager:<url>".
// Throws InvalidArgument as webhook_sink.
std::shared_ptr<AlertSink> alertmanager_sink(AlertmanagerSinkOptions options);

}  // namespace redkit::ts
