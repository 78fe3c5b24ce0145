#include "support/alertmanager_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <httplib.h>

#include "devserver/net_probe.hpp"

extern char** environ;

namespace redkit::test {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(20);

// Notifications need a receiver; one that sends nowhere is enough, since the
// tests read alerts back through the API.
constexpr const char* kConfig = R"(route:
  receiver: blackhole
receivers:
  - name: blackhole
)";

std::string log_tail(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace

AlertmanagerProcess::AlertmanagerProcess() {
  char pattern[] = "/tmp/redkit-alertmanager-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("alertmanager: mkdtemp failed");
  dir_ = pattern;
  std::ofstream(dir_ / "alertmanager.yml") << kConfig;
  const std::filesystem::path log = dir_ / "alertmanager.log";
  for (int attempt = 0; attempt < 3 && pid_ < 0; ++attempt) {
    port_ = devserver::pick_free_port();
    std::vector<std::string> args{"prometheus-alertmanager",
                                  "--config.file=" + (dir_ / "alertmanager.yml").string(),
                                  "--storage.path=" + (dir_ / "data").string(),
                                  "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                  // A single instance: no gossip port to collide on.
                                  "--cluster.listen-address=",
                                  "--log.level=warn"};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = -1;
    const int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      throw std::runtime_error("alertmanager: cannot start prometheus-alertmanager (scripts/bootstrap.sh installs it)");
    }
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;  // exited: most likely the port was taken; try another
        break;
      }
      httplib::Client client("127.0.0.1", port_);
      client.set_connection_timeout(0, 200'000);
      const auto ready = client.Get("/-/ready");
      if (ready && ready->status == 200) {
        pid_ = pid;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (pid_ < 0 && pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      break;
    }
  }
  if (pid_ < 0) {
    const std::string tail = log_tail(log);
    std::filesystem::remove_all(dir_);
    throw std::runtime_error("alertmanager did not come up:\n" + tail);
  }
}

AlertmanagerProcess::~AlertmanagerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string AlertmanagerProcess::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

nlohmann::json AlertmanagerProcess::alerts() const {
  httplib::Client client("127.0.0.1", port_);
  const auto reply = client.Get("/api/v2/alerts");
  if (!reply || reply->status != 200) throw std::runtime_error("alertmanager: GET /api/v2/alerts failed");
  return nlohmann::json::parse(reply->body);
}

}  // namespace redkit::test
