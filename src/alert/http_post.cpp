// post_json with cpp-httplib (the Debian package, built with OpenSSL, so
// https works), one connection per request: notifications are rare, and a
// sink must not keep a socket to a server that may be gone by the next one.
#include "alert/http_post.hpp"

#include <charconv>

#include <fmt/format.h>

#include <httplib.h>

#include "redkit/error.hpp"

namespace redkit::alert {
namespace {

// Of an error body, this much is quoted in the message.
constexpr std::size_t kQuotedBody = 200;

void set_timeouts(httplib::Client& client, std::chrono::milliseconds timeout) {
  const auto seconds = static_cast<time_t>(timeout.count() / 1000);
  const auto micros = static_cast<time_t>((timeout.count() % 1000) * 1000);
  client.set_connection_timeout(seconds, micros);
  client.set_read_timeout(seconds, micros);
  client.set_write_timeout(seconds, micros);
}

}  // namespace

HttpUrl parse_http_url(const std::string& url, std::string_view what) {
  auto refuse = [&](std::string_view why) {
    return InvalidArgument(fmt::format("{} '{}' is not an http(s) URL: {}", what, url, why));
  };
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw refuse("it has no scheme://");
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") throw refuse(fmt::format("the scheme '{}' is not http or https", scheme));
  const std::size_t host_start = scheme_end + 3;
  const std::size_t path_start = url.find('/', host_start);
  const std::string authority = url.substr(host_start, path_start == std::string::npos ? std::string::npos
                                                                                       : path_start - host_start);
  const std::size_t colon = authority.rfind(':');
  const std::string host = authority.substr(0, colon);
  if (host.empty()) throw refuse("the host is empty");
  if (authority.find('@') != std::string::npos) throw refuse("credentials belong in a header, not the URL");
  if (colon != std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    int number = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
      throw refuse(fmt::format("the port '{}' is not a number from 1 to 65535", port));
    }
  }
  return {.origin = url.substr(0, host_start + authority.size()),
          .path = path_start == std::string::npos ? "/" : url.substr(path_start)};
}

void post_json(const HttpUrl& url, const std::string& body, const std::map<std::string, std::string>& headers,
               std::chrono::milliseconds timeout) {
  httplib::Client client(url.origin);
  set_timeouts(client, timeout);
  httplib::Headers request_headers;
  for (const auto& [name, value] : headers) request_headers.emplace(name, value);
  const httplib::Result result = client.Post(url.path, request_headers, body, "application/json");
  if (!result) {
    throw Error(fmt::format("POST {}{}: {}", url.origin, url.path, httplib::to_string(result.error())));
  }
  if (result->status < 200 || result->status > 299) {
    throw Error(fmt::format("POST {}{}: status {}: {}", url.origin, url.path, result->status,
                            result->body.substr(0, kQuotedBody)));
  }
}

}  // namespace redkit::alert
