// Each notification sink against a real receiver: PUBLISH to a subscriber
// on the test's server, an exec hook (stdin, environment, exit status,
// timeout), a webhook into an HTTP server in the test, and a real
// Alertmanager read back through its v2 API.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "redkit/ts_alert_sinks.hpp"
#include "support/alertmanager_process.hpp"
#include "support/error_of.hpp"
#include "support/redis_test.hpp"
#include "support/wait_for.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;
using ts::AlertEventKind;
using ts::AlertNotification;

AlertNotification sample_notification(AlertEventKind event = AlertEventKind::fired) {
  return {.transition = {.rule = "cpu-high",
                         .series = "cpu:web-1",
                         .event = event,
                         .at = 1'700'000'120'000,
                         .value = 97.5,
                         .active_since = 1'700'000'060'000},
          .labels = {{"alertname", "cpu-high"}, {"host", "web-1"}, {"series", "cpu:web-1"}},
          .annotations = {{"summary", "cpu:web-1 at 97.5"}}};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/redkit-sink-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A loopback port that refuses connections for as long as this lives: a
// socket bound to it that never listens, so no other program can take the
// port meanwhile.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot bind a loopback port");
    }
    port_ = ntohs(address.sin_port);
  }
  ~ClosedPort() { ::close(fd_); }
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// An HTTP server on a free loopback port that records the bodies POSTed to
// /hook and answers `status`.
class HookServer {
 public:
  explicit HookServer(int status = 200) : status_(status) {
    server_.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        bodies_.push_back(request.body);
        authorization_ = request.get_header_value("Authorization");
      }
      response.status = status_;
      response.set_content(status_ == 200 ? "ok" : "receiver is down", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("the hook server cannot bind a loopback port");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~HookServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::string authorization() {
    std::lock_guard lock(mutex_);
    return authorization_;
  }

 private:
  int status_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::string authorization_;
};

class AlertSinksTest : public RedisTest {};

TEST(AlertSinkJson, CarriesEveryFieldOfTheNotification) {
  const auto json = nlohmann::json::parse(ts::to_json(sample_notification()));
  EXPECT_EQ(json["rule"], "cpu-high");
  EXPECT_EQ(json["series"], "cpu:web-1");
  EXPECT_EQ(json["event"], "fired");
  EXPECT_EQ(json["at"], 1'700'000'120'000);
  EXPECT_EQ(json["value"], 97.5);
  EXPECT_EQ(json["active_since"], 1'700'000'060'000);
  EXPECT_EQ(json["labels"]["host"], "web-1");
  EXPECT_EQ(json["annotations"]["summary"], "cpu:web-1 at 97.5");
  AlertNotification absent = sample_notification();
  absent.transition.value.reset();
  EXPECT_TRUE(nlohmann::json::parse(ts::to_json(absent))["value"].is_null());
}

TEST_F(AlertSinksTest, PublishSinkPublishesTheJsonOnItsChannel) {
  Client client(redis().unix_url());
  std::mutex mutex;
  std::vector<std::string> received;
  const std::string channel = prefix() + "alerts";
  auto subscription = client.subscriber().subscribe(channel, [&](std::string_view, std::string_view message) {
    std::lock_guard lock(mutex);
    received.emplace_back(message);
  });
  auto sink = ts::publish_sink(client, channel);
  EXPECT_EQ(sink->name(), "publish:" + channel);
  sink->deliver(sample_notification());
  ASSERT_TRUE(wait_for(
      [&] {
        std::lock_guard lock(mutex);
        return !received.empty();
      },
      5s));
  std::lock_guard lock(mutex);
  EXPECT_EQ(received, std::vector<std::string>{ts::to_json(sample_notification())});
}

TEST(AlertExecSink, GivesTheJsonOnStdinAndTheAlertInTheEnvironment) {
  TempDir dir;
  const auto out = dir.path() / "stdin.json";
  const auto env = dir.path() / "env.txt";
  auto sink = ts::exec_sink(
      {.command = {"sh", "-c", "cat > " + out.string() + "; env | grep '^REDKIT_ALERT_' | sort > " + env.string()}});
  sink->deliver(sample_notification());
  EXPECT_EQ(read_file(out), ts::to_json(sample_notification()) + "\n");
  EXPECT_EQ(read_file(env),
            "REDKIT_ALERT_ACTIVE_SINCE=1700000060000\n"
            "REDKIT_ALERT_AT=1700000120000\n"
            "REDKIT_ALERT_EVENT=fired\n"
            "REDKIT_ALERT_LABEL_ALERTNAME=cpu-high\n"
            "REDKIT_ALERT_LABEL_HOST=web-1\n"
            "REDKIT_ALERT_LABEL_SERIES=cpu:web-1\n"
            "REDKIT_ALERT_RULE=cpu-high\n"
            "REDKIT_ALERT_SERIES=cpu:web-1\n"
            "REDKIT_ALERT_VALUE=97.5\n");
}

TEST(AlertExecSink, AFailingStatusIsAFailedDelivery) {
  auto sink = ts::exec_sink({.command = {"sh", "-c", "cat > /dev/null; exit 3"}});
  const std::string message = error_of<Error>([&] { sink->deliver(sample_notification()); });
  EXPECT_NE(message.find("exited with status 3"), std::string::npos) << message;
}

TEST(AlertExecSink, AHookThatHangsIsKilledAtItsTimeout) {
  // The hook never reads its stdin and never exits on its own.
  auto sink = ts::exec_sink({.command = {"sleep", "600"}, .timeout = 200ms});
  const std::string message = error_of<Error>([&] { sink->deliver(sample_notification()); });
  EXPECT_NE(message.find("was killed"), std::string::npos) << message;
}

TEST(AlertExecSink, AProgramThatDoesNotExistIsAFailedDelivery) {
  auto sink = ts::exec_sink({.command = {"/nonexistent/redkit-hook"}});
  EXPECT_THROW(sink->deliver(sample_notification()), Error);
}

TEST(AlertExecSink, RefusesAnEmptyCommandAndATimeoutThatIsNotPositive) {
  EXPECT_THROW(ts::exec_sink({}), InvalidArgument);
  const std::string message = error_of<InvalidArgument>([] { ts::exec_sink({.command = {"true"}, .timeout = 0ms}); });
  EXPECT_NE(message.find("0 ms"), std::string::npos) << message;
}

TEST(AlertWebhookSink, PostsTheJsonWithItsHeaders) {
  HookServer server;
  auto sink = ts::webhook_sink({.url = server.url(), .headers = {{"Authorization", "Bearer t0ken"}}});
  EXPECT_EQ(sink->name(), "webhook:" + server.url());
  sink->deliver(sample_notification(AlertEventKind::resolved));
  EXPECT_EQ(server.bodies(), std::vector<std::string>{ts::to_json(sample_notification(AlertEventKind::resolved))});
  EXPECT_EQ(server.authorization(), "Bearer t0ken");
}

TEST(AlertWebhookSink, AStatusOutside2xxIsAFailedDeliveryNamingIt) {
  HookServer server(503);
  auto sink = ts::webhook_sink({.url = server.url()});
  const std::string message = error_of<Error>([&] { sink->deliver(sample_notification()); });
  EXPECT_NE(message.find("status 503"), std::string::npos) << message;
  EXPECT_NE(message.find("receiver is down"), std::string::npos) << message;
}

TEST(AlertWebhookSink, NothingListeningIsAFailedDelivery) {
  ClosedPort closed;
  auto sink = ts::webhook_sink({.url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/hook", .timeout = 1s});
  EXPECT_THROW(sink->deliver(sample_notification()), Error);
}

TEST(AlertWebhookSink, RefusesUrlsItCannotPostTo) {
  for (const std::string url : {"", "127.0.0.1:8080/hook", "ftp://host/x", "http:///path", "http://host:0/",
                                "http://host:99999/", "http://host:80x/", "http://user:pw@host/"}) {
    const std::string message = error_of<InvalidArgument>([&] { ts::webhook_sink({.url = url}); });
    EXPECT_NE(message.find("'" + url + "'"), std::string::npos) << message;
  }
  EXPECT_THROW(ts::alertmanager_sink({.url = "localhost:9093"}), InvalidArgument);
}

// The sink against a real Alertmanager: a fired notification becomes an
// active alert with our labels, annotations and start; the resolved one
// ends it.
TEST(AlertmanagerSink, FiresAndResolvesAnAlertInARealAlertmanager) {
  AlertmanagerProcess alertmanager;
  auto sink = ts::alertmanager_sink({.url = alertmanager.url(), .generator_url = "http://redkit.example/rules"});
  EXPECT_EQ(sink->name(), "alertmanager:" + alertmanager.url());
  AlertNotification fired = sample_notification();
  const ts::Timestamp now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  fired.transition.active_since = now - 60'000;
  fired.transition.at = now;
  sink->deliver(fired);
  nlohmann::json alerts = alertmanager.alerts();
  ASSERT_EQ(alerts.size(), 1u) << alerts.dump();
  EXPECT_EQ(alerts[0]["labels"], nlohmann::json({{"alertname", "cpu-high"}, {"host", "web-1"}, {"series", "cpu:web-1"}}));
  EXPECT_EQ(alerts[0]["annotations"]["summary"], "cpu:web-1 at 97.5");
  EXPECT_EQ(alerts[0]["status"]["state"], "active");
  EXPECT_EQ(alerts[0]["generatorURL"], "http://redkit.example/rules");

  // Re-sending while it fires (refresh) keeps one alert, not two.
  sink->refresh({fired});
  EXPECT_EQ(alertmanager.alerts().size(), 1u);

  AlertNotification resolved = fired;
  resolved.transition.event = AlertEventKind::resolved;
  sink->deliver(resolved);
  EXPECT_TRUE(alertmanager.alerts().empty()) << alertmanager.alerts().dump();
}

TEST(AlertmanagerSink, AnAlertmanagerThatIsDownIsAFailedDelivery) {
  ClosedPort closed;
  auto sink = ts::alertmanager_sink({.url = "http://127.0.0.1:" + std::to_string(closed.port()), .timeout = 1s});
  EXPECT_THROW(sink->deliver(sample_notification()), Error);
}

}  // namespace
}  // namespace redkit::test
