// webhook_sink: the notification's JSON POSTed to a URL.
#include "alert/http_post.hpp"
#include "redkit/ts_alert_sinks.hpp"

namespace redkit::ts {
namespace {

class WebhookSink final : public AlertSink {
 public:
  WebhookSink(WebhookSinkOptions options, alert::HttpUrl url) : options_(std::move(options)), url_(std::move(url)) {}
  std::string name() const override { return "webhook:" + options_.url; }
  std::chrono::milliseconds timeout() const override { return options_.timeout; }
  void deliver(const AlertNotification& notification) override {
    alert::post_json(url_, to_json(notification), options_.headers, options_.timeout);
  }

 private:
  WebhookSinkOptions options_;
  alert::HttpUrl url_;
};

}  // namespace

std::shared_ptr<AlertSink> webhook_sink(WebhookSinkOptions options) {
  alert::HttpUrl url = alert::parse_http_url(options.url, "webhook_sink: url");
  if (options.timeout.count() <= 0) {
    throw InvalidArgument("webhook_sink: the timeout is not positive");
  }
  return std::make_shared<WebhookSink>(std::move(options), std::move(url));
}

}  // namespace redkit::ts
