// POSTing JSON to an http(s) URL: what the webhook and Alertmanager sinks
// share.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace redkit::alert {

struct HttpUrl {
  std::string origin{};  // scheme://host[:port]
  std::string path{};    // at least "/"
};

// http(s)://host[:port][/path]. Throws InvalidArgument naming the URL and
// what is wrong with it. `what` names the option in the message.
HttpUrl parse_http_url(const std::string& url, std::string_view what);

// POSTs body as application/json. Throws redkit::Error naming the URL with
// the transport error or a status outside 2xx (and the start of the body
// the server answered).
void post_json(const HttpUrl& url, const std::string& body, const std::map<std::string, std::string>& headers,
               std::chrono::milliseconds timeout);

}  // namespace redkit::alert
