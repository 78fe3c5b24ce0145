// Low-level failures to redkit exceptions.
#include "client/error_translation.hpp"

#include <openssl/err.h>

#include <cstring>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::detail {

void throw_system_error(const std::string& endpoint, std::string_view action, int error_number) {
  throw ConnectionError(endpoint, fmt::format("{} {}: {}", action, endpoint, std::strerror(error_number)));
}

void throw_timeout(const std::string& endpoint, std::string_view action, std::chrono::milliseconds timeout) {
  throw TimeoutError(endpoint, fmt::format("{} {}: timed out after {} ms", action, endpoint, timeout.count()));
}

void throw_connection_closed(const std::string& endpoint, std::string_view action) {
  throw ConnectionError(endpoint, fmt::format("{} {}: connection closed by the server", action, endpoint));
}

std::string openssl_error_queue() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out;
}

void throw_tls_error(const std::string& endpoint, std::string_view action, std::string detail) {
  std::string queue = openssl_error_queue();
  if (detail.empty()) detail = queue.empty() ? "unknown TLS error" : queue;
  throw TlsError(endpoint, fmt::format("{} {}: {}", action, endpoint, detail));
}

}  // namespace redkit::detail
