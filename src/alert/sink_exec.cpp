// exec_sink: the notification on a hook's stdin and in its environment.
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "alert/exec_hook.hpp"
#include "redkit/ts_alert_sinks.hpp"

namespace redkit::ts {
namespace {

// Label names may hold only [A-Za-z0-9_] (validate()); series labels are
// freer, so anything else becomes '_' and the name is upper-cased.
std::string env_name(std::string_view label) {
  std::string out = "REDKIT_ALERT_LABEL_";
  for (const char c : label) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                                                       : '_';
  }
  return out;
}

class ExecSink final : public AlertSink {
 public:
  explicit ExecSink(ExecSinkOptions options) : options_(std::move(options)) {}
  std::string name() const override { return fmt::format("exec:{}", fmt::join(options_.command, " ")); }
  std::chrono::milliseconds timeout() const override { return options_.timeout; }

  void deliver(const AlertNotification& notification) override {
    const AlertTransition& t = notification.transition;
    std::vector<std::pair<std::string, std::string>> environment{
        {"REDKIT_ALERT_RULE", t.rule},
        {"REDKIT_ALERT_SERIES", t.series},
        {"REDKIT_ALERT_EVENT", to_string(t.event)},
        {"REDKIT_ALERT_VALUE", t.value ? fmt::format("{}", *t.value) : std::string()},
        {"REDKIT_ALERT_AT", std::to_string(t.at)},
        {"REDKIT_ALERT_ACTIVE_SINCE", std::to_string(t.active_since)}};
    for (const auto& [label, value] : notification.labels) environment.emplace_back(env_name(label), value);
    const alert::HookResult result =
        alert::run_hook(options_.command, environment, to_json(notification) + "\n", options_.timeout);
    if (result.timed_out) {
      throw Error(fmt::format("exec hook '{}' still ran after {} ms and was killed", options_.command.front(),
                              options_.timeout.count()));
    }
    if (result.status != 0) {
      throw Error(fmt::format("exec hook '{}' exited with status {}", options_.command.front(), result.status));
    }
  }

 private:
  ExecSinkOptions options_;
};

}  // namespace

std::shared_ptr<AlertSink> exec_sink(ExecSinkOptions options) {
  if (options.command.empty() || options.command.front().empty()) {
    throw InvalidArgument("exec_sink: the command is empty");
  }
  if (options.timeout.count() <= 0) {
    throw InvalidArgument(fmt::format("exec_sink: timeout {} ms is not positive", options.timeout.count()));
  }
  return std::make_shared<ExecSink>(std::move(options));
}

}  // namespace redkit::ts
