// callback_sink and publish_sink: the two sinks that need nothing beyond
// the process and its Redis connection.
#include <fmt/format.h>

#include "redkit/ts_alert_sinks.hpp"

namespace redkit::ts {
namespace {

class CallbackSink final : public AlertSink {
 public:
  CallbackSink(std::string name, std::function<void(const AlertNotification&)> callback)
      : name_(std::move(name)), callback_(std::move(callback)) {}
  std::string name() const override { return name_; }
  void deliver(const AlertNotification& notification) override { callback_(notification); }

 private:
  std::string name_;
  std::function<void(const AlertNotification&)> callback_;
};

class PublishSink final : public AlertSink {
 public:
  PublishSink(Client client, std::string channel) : client_(std::move(client)), channel_(std::move(channel)) {}
  std::string name() const override { return "publish:" + channel_; }
  void deliver(const AlertNotification& notification) override {
    client_.command(Command::keyless({"PUBLISH", channel_, to_json(notification)}));
  }

 private:
  Client client_;
  std::string channel_;
};

}  // namespace

std::shared_ptr<AlertSink> callback_sink(std::string name, std::function<void(const AlertNotification&)> callback) {
  if (name.empty() || !callback) {
    throw InvalidArgument("callback_sink: give a name and a callback");
  }
  return std::make_shared<CallbackSink>(std::move(name), std::move(callback));
}

std::shared_ptr<AlertSink> publish_sink(Client client, std::string channel) {
  if (channel.empty()) {
    throw InvalidArgument("publish_sink: the channel is empty");
  }
  return std::make_shared<PublishSink>(std::move(client), std::move(channel));
}

}  // namespace redkit::ts
