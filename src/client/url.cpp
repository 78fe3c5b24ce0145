// ConnectionOptions from and to URLs, and validation of option values.
//
//   redis://[user[:password]@]host[:port][/db][?key=value&...]
//   rediss://...                                   TLS
//   unix://[user[:password]@]/path/to.sock[?db=N&...]
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "redkit/duration.hpp"
#include "redkit/error.hpp"
#include "redkit/options.hpp"

namespace redkit {
namespace {

// Where the credentials of a URL end: the '@' that closes the userinfo, or
// npos. Passwords may contain '/', '?' and '@' (base64 passwords often do), so
// the userinfo runs to the last '@' before the first '/' or '?' that follows
// the first '@'. An '@' in a query value must be written %40.
std::size_t userinfo_end(std::string_view rest) {
  auto first_at = rest.find('@');
  if (first_at == std::string_view::npos) return std::string_view::npos;
  auto authority_end = rest.find_first_of("/?", first_at);
  return rest.rfind('@', authority_end == std::string_view::npos ? rest.size() : authority_end - 1);
}

// The URL as it may appear in a message: everything after the user name up to
// the end of the userinfo replaced by ***, so no part of a password shows.
std::string redact(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    // Without a scheme there is no telling where a password would be.
    return url.find('@') == std::string_view::npos ? std::string(url) : std::string("<URL with credentials>");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  auto at = userinfo_end(rest);
  if (at == std::string_view::npos) return std::string(url);
  std::string_view userinfo = rest.substr(0, at);
  std::string_view user = userinfo.substr(0, std::min(userinfo.find(':'), userinfo.size()));
  if (user.size() == userinfo.size()) user = {};  // "secret@host": the whole userinfo is a password
  return std::string(url.substr(0, scheme_end + 3)) + std::string(user) + ":***" + std::string(rest.substr(at));
}

class UrlParser {
 public:
  explicit UrlParser(std::string_view url) : url_(url) {}

  ConnectionOptions parse() {
    ConnectionOptions options;
    auto scheme_end = url_.find("://");
    if (scheme_end == std::string_view::npos) fail("missing scheme (expected redis://, rediss:// or unix://)");
    std::string_view scheme = url_.substr(0, scheme_end);
    std::string_view rest = url_.substr(scheme_end + 3);

    std::string_view userinfo;
    if (auto at = userinfo_end(rest); at != std::string_view::npos) {
      userinfo = rest.substr(0, at);
      rest = rest.substr(at + 1);
      parse_userinfo(userinfo, options);
    }
    std::string_view query;
    if (auto q = rest.find('?'); q != std::string_view::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
    }
    if (scheme == "redis" || scheme == "rediss") {
      options.tls.enabled = scheme == "rediss";
      parse_network(rest, options);
    } else if (scheme == "unix") {
      options.transport = ConnectionOptions::Transport::unix_socket;
      parse_unix(rest, options);
    } else {
      fail(fmt::format("unknown scheme \"{}\" (expected redis, rediss or unix)", scheme));
    }
    parse_query(query, options);
    try {
      options.validate();
    } catch (const InvalidArgument& e) {
      fail(e.what());
    }
    return options;
  }

 private:
  [[noreturn]] void fail(std::string_view why) const {
    throw InvalidArgument(fmt::format("invalid Redis URL \"{}\": {}", redact(url_), why));
  }

  std::string decode(std::string_view text, std::string_view what) const {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '%') {
        out += text[i];
        continue;
      }
      unsigned value = 0;
      if (i + 2 >= text.size() ||
          std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr != text.data() + i + 3) {
        fail(fmt::format("bad percent-escape in {}", what));
      }
      out += static_cast<char>(value);
      i += 2;
    }
    return out;
  }

  void parse_userinfo(std::string_view userinfo, ConnectionOptions& options) const {
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      // redis://secret@host is how many tools write a password-only URL.
      options.password = decode(userinfo, "password");
      return;
    }
    options.user = decode(userinfo.substr(0, colon), "user name");
    options.password = decode(userinfo.substr(colon + 1), "password");
    if (!options.user.empty() && options.password.empty()) fail("user given without a password");
  }

  void parse_network(std::string_view rest, ConnectionOptions& options) const {
    std::string_view authority = rest;
    std::string_view path;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
      authority = rest.substr(0, slash);
      path = rest.substr(slash + 1);
    }
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
      auto close = authority.find(']');
      if (close == std::string_view::npos) fail("unclosed '[' in IPv6 host");
      host = authority.substr(1, close - 1);
      // "[[h]" would read as host "[h", which no URL could name again.
      if (host.find('[') != std::string_view::npos) fail("'[' inside IPv6 host");
      std::string_view after = authority.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') fail(fmt::format("unexpected \"{}\" after IPv6 host", after));
        port = after.substr(1);
        if (port.empty()) fail("empty port after IPv6 host");
      }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (host.empty()) fail("missing host");
    // A host name (letters, digits, '-', '.', '_') or, in brackets, an IPv6
    // address with an optional zone ("fe80::1%eth0"); any other byte could
    // not be written back into a URL that reads the same.
    const bool bracketed = authority.front() == '[';
    // Brackets hold an IPv6 address, which always has a ':' (and a URL is
    // printed with brackets only then).
    if (bracketed && host.find(':') == std::string_view::npos) {
      fail(fmt::format("host \"[{}]\" in brackets is not an IPv6 address", host));
    }
    for (const char c : host) {
      const bool name_byte = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
      const bool ipv6_byte = name_byte || c == ':' || c == '%' || c == '~';
      if (!(bracketed ? ipv6_byte : name_byte)) {
        fail(fmt::format("host \"{}\" holds '{}', which no host name{} can hold", host, c,
                         bracketed ? " or IPv6 address" : ""));
      }
    }
    options.host = std::string(host);
    if (!port.empty() || (!authority.empty() && authority.front() != '[' && authority.find(':') != std::string_view::npos)) {
      options.port = parse_int(port, "port", 1, 65535);
    }
    if (!path.empty()) options.db = parse_int(path, "database", 0, 1 << 30);
  }

  void parse_unix(std::string_view rest, ConnectionOptions& options) const {
    if (rest.empty() || rest.front() != '/') {
      fail("expected an absolute socket path (unix:///path/to.sock)");
    }
    options.path = decode(rest, "socket path");
    options.host.clear();
    options.port = 0;
  }

  void parse_query(std::string_view query, ConnectionOptions& options) const {
    bool tls_option_seen = false;
    while (!query.empty()) {
      auto amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) fail(fmt::format("query option \"{}\" has no value", pair));
      std::string_view key = pair.substr(0, eq);
      std::string value = decode(pair.substr(eq + 1), fmt::format("option {}", key));
      if (key == "db") {
        options.db = parse_int(value, "database", 0, 1 << 30);
      } else if (key == "name" || key == "client_name") {
        options.client_name = value;
      } else if (key == "connect_timeout") {
        options.connect_timeout = parse_time(value, key);
      } else if (key == "timeout" || key == "command_timeout") {
        options.command_timeout = parse_time(value, key);
      } else if (key == "keepalive") {
        options.keepalive = parse_bool(value, key);
      } else if (key == "ca_file") {
        options.tls.ca_file = value, tls_option_seen = true;
      } else if (key == "ca_dir") {
        options.tls.ca_dir = value, tls_option_seen = true;
      } else if (key == "cert") {
        options.tls.cert_file = value, tls_option_seen = true;
      } else if (key == "key") {
        options.tls.key_file = value, tls_option_seen = true;
      } else if (key == "sni") {
        options.tls.server_name = value, tls_option_seen = true;
      } else if (key == "verify") {
        options.tls.verify_peer = parse_bool(value, key), tls_option_seen = true;
      } else {
        fail(fmt::format("unknown option \"{}\" (known: db, name, connect_timeout, timeout, keepalive, "
                         "ca_file, ca_dir, cert, key, sni, verify)",
                         key));
      }
    }
    if (tls_option_seen && !options.tls.enabled) fail("TLS options need the rediss:// scheme");
  }

  int parse_int(std::string_view text, std::string_view what, int low, int high) const {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      fail(fmt::format("{} \"{}\" is not a number", what, text));
    }
    if (value < low || value > high) fail(fmt::format("{} {} is out of range ({}-{})", what, value, low, high));
    return value;
  }

  std::chrono::milliseconds parse_time(std::string_view text, std::string_view what) const {
    try {
      return parse_duration(text);
    } catch (const InvalidArgument& e) {
      fail(fmt::format("option {}: {}", what, e.what()));
    }
  }

  bool parse_bool(std::string_view text, std::string_view what) const {
    if (text == "yes" || text == "true" || text == "1") return true;
    if (text == "no" || text == "false" || text == "0") return false;
    fail(fmt::format("option {}: \"{}\" is not yes or no", what, text));
  }

  std::string_view url_;
};

}  // namespace

ConnectionOptions ConnectionOptions::from_url(std::string_view url) { return UrlParser(url).parse(); }

ConnectionOptions ConnectionOptions::from_env() {
  const char* url = std::getenv("REDIS_URL");
  if (url != nullptr && *url != '\0') return from_url(url);
  return ConnectionOptions{};
}

std::string ConnectionOptions::endpoint() const {
  if (transport == Transport::unix_socket) return "unix:" + path;
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (tls.enabled) return fmt::format("rediss://{}:{}", host_part, port);
  return fmt::format("{}:{}", host_part, port);
}

std::string ConnectionOptions::to_redacted_url() const {
  std::string userinfo;
  if (!password.empty()) userinfo = user + ":***@";
  std::string url;
  if (transport == Transport::unix_socket) {
    url = "unix://" + userinfo + path;
    if (db != 0) url += fmt::format("?db={}", db);
    return url;
  }
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  url = fmt::format("{}://{}{}:{}", tls.enabled ? "rediss" : "redis", userinfo, host_part, port);
  if (db != 0) url += fmt::format("/{}", db);
  return url;
}

void ConnectionOptions::validate() const {
  if (transport == Transport::unix_socket) {
    if (path.empty() || path.front() != '/') {
      throw InvalidArgument(fmt::format("unix socket path \"{}\" must be absolute", path));
    }
    if (tls.enabled) throw InvalidArgument("TLS is not supported over a unix socket");
  } else {
    if (host.empty()) throw InvalidArgument("host is empty");
    if (port < 1 || port > 65535) throw InvalidArgument(fmt::format("port {} is out of range (1-65535)", port));
  }
  if (db < 0) throw InvalidArgument(fmt::format("database {} is negative", db));
  if (connect_timeout <= std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("connect timeout {} ms must be positive", connect_timeout.count()));
  }
  if (command_timeout < std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("command timeout {} ms is negative", command_timeout.count()));
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    throw InvalidArgument("a TLS client certificate needs both a cert and a key file");
  }
  if (!user.empty() && password.empty()) {
    throw InvalidArgument(fmt::format("user \"{}\" has no password", user));
  }
}

void PoolOptions::validate() const {
  if (max_connections == 0) throw InvalidArgument("pool max_connections must be at least 1");
  if (acquire_timeout <= std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("pool acquire timeout {} ms must be positive", acquire_timeout.count()));
  }
  if (reconnect_backoff_min <= std::chrono::milliseconds::zero() ||
      reconnect_backoff_max < reconnect_backoff_min) {
    throw InvalidArgument(fmt::format("pool reconnect backoff {}..{} ms is not a positive range",
                                      reconnect_backoff_min.count(), reconnect_backoff_max.count()));
  }
}

}  // namespace redkit
