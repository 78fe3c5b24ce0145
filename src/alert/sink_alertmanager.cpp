// alertmanager_sink: Alertmanager's v2 API (POST /api/v2/alerts), used the
// way Prometheus uses it. A firing alert carries endsAt = now + hold and is
// re-sent every round, so Alertmanager keeps it while a watcher lives and
// resolves it by itself when none does; a resolved one carries the time it
// resolved as endsAt.
#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "alert/http_post.hpp"
#include "common/unix_time.hpp"
#include "redkit/ts_alert_sinks.hpp"

namespace redkit::ts {
namespace {

// RFC 3339 in UTC with milliseconds, as Alertmanager parses it.
std::string rfc3339(Timestamp ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000);
}

// Alertmanager takes label names [a-zA-Z_][a-zA-Z0-9_]*; series labels may
// be freer, so other characters become '_' (as Prometheus does for metric
// names). An empty value means "no such label" there, so it is left out.
nlohmann::json alertmanager_labels(const std::map<std::string, std::string>& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : labels) {
    if (value.empty() || name.empty()) continue;
    std::string clean = name;
    for (char& c : clean) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
      if (!ok) c = '_';
    }
    if (clean[0] >= '0' && clean[0] <= '9') clean.insert(clean.begin(), '_');
    out[clean] = value;
  }
  return out;
}


class AlertmanagerSink final : public AlertSink {
 public:
  AlertmanagerSink(AlertmanagerSinkOptions options, alert::HttpUrl url)
      : options_(std::move(options)), url_(std::move(url)) {
    // The API lives under the base URL's path, which may be a route prefix.
    if (url_.path.empty() || url_.path.back() != '/') url_.path += '/';
    url_.path += "api/v2/alerts";
  }
  std::string name() const override { return "alertmanager:" + options_.url; }
  std::chrono::milliseconds timeout() const override { return options_.timeout; }
  bool refreshes() const override { return true; }

  void deliver(const AlertNotification& notification) override { send({&notification}); }

  void refresh(const std::vector<AlertNotification>& firing) override {
    std::vector<const AlertNotification*> all;
    for (const AlertNotification& notification : firing) all.push_back(&notification);
    if (!all.empty()) send(all);
  }

 private:
  void send(const std::vector<const AlertNotification*>& notifications) {
    nlohmann::json alerts = nlohmann::json::array();
    const Timestamp now = ::redkit::detail::unix_ms_now();
    for (const AlertNotification* notification : notifications) {
      const AlertTransition& t = notification->transition;
      nlohmann::json alert{{"labels", alertmanager_labels(notification->labels)},
                           {"annotations", notification->annotations},
                           {"startsAt", rfc3339(t.active_since)}};
      alert["endsAt"] = rfc3339(t.event == AlertEventKind::resolved ? t.at : now + options_.hold.count());
      if (!options_.generator_url.empty()) alert["generatorURL"] = options_.generator_url;
      alerts.push_back(std::move(alert));
    }
    alert::post_json(url_, alerts.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {},
                     options_.timeout);
  }

  AlertmanagerSinkOptions options_;
  alert::HttpUrl url_;
};

}  // namespace

std::shared_ptr<AlertSink> alertmanager_sink(AlertmanagerSinkOptions options) {
  alert::HttpUrl url = alert::parse_http_url(options.url, "alertmanager_sink: url");
  if (options.timeout.count() <= 0 || options.hold.count() <= 0) {
    throw InvalidArgument("alertmanager_sink: the timeout and the hold must be positive");
  }
  return std::make_shared<AlertmanagerSink>(std::move(options), std::move(url));
}

}  // namespace redkit::ts
