// A real Prometheus Alertmanager (the Debian package), started on a free
// loopback port with a temporary configuration and storage directory, and
// stopped by its PID: the peer the Alertmanager sink is tested against.
//
//   AlertmanagerProcess alertmanager;
//   sink = alertmanager_sink({.url = alertmanager.url()});
//   auto alerts = alertmanager.alerts();   // GET /api/v2/alerts
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace redkit::test {

class AlertmanagerProcess {
 public:
  // Starts it and waits until /-/ready answers. Throws std::runtime_error
  // with the log's end when it does not come up.
  AlertmanagerProcess();
  // SIGTERM, SIGKILL after 5 s; removes the directory. Never throws.
  ~AlertmanagerProcess();
  AlertmanagerProcess(const AlertmanagerProcess&) = delete;
  AlertmanagerProcess& operator=(const AlertmanagerProcess&) = delete;

  std::string url() const;  // http://127.0.0.1:<port>
  int port() const noexcept { return port_; }
  // The alerts it holds that have not ended (GET /api/v2/alerts). Throws
  // std::runtime_error when it does not answer 200.
  nlohmann::json alerts() const;

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace redkit::test
