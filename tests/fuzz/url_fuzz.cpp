// Redis URL parsing (ConnectionOptions::from_url). URLs come from REDIS_URL
// and command lines, so on any text it must return valid options or throw
// redkit::InvalidArgument. Two properties beyond not crashing:
//  - parsed options pass validate(), and their redacted URL parses back to
//    the same endpoint, database and transport;
//  - no error message and no redacted URL shows the password. The input's
//    authority is prefixed with a known password, and whatever the rest of
//    the URL does, that password must not appear in what the parser says.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "redkit/error.hpp"
#include "redkit/options.hpp"

namespace {

using redkit::ConnectionOptions;

constexpr std::string_view kPassword = "Pw9xQzSecret";

void check(bool ok) {
  if (!ok) std::abort();
}

void check_options(const ConnectionOptions& options) {
  options.validate();
  const std::string redacted = options.to_redacted_url();
  (void)options.endpoint();
  // The redacted URL is meant for reading: it writes the user name and
  // socket path raw, so a '%' or '@' in the user or path, or '?' in the path,
  // reads back differently. Hosts hold only bytes a URL can carry (the
  // parser refuses others). Every other parsed URL must read back.
  if (options.user.find_first_of("%@") != std::string::npos || options.path.find_first_of("%?@") != std::string::npos) {
    return;
  }
  ConnectionOptions again;
  try {
    again = ConnectionOptions::from_url(redacted);
  } catch (const redkit::InvalidArgument&) {
    std::abort();
  }
  check(again.transport == options.transport && again.host == options.host && again.port == options.port &&
        again.path == options.path && again.db == options.db && again.tls.enabled == options.tls.enabled);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  try {
    check_options(ConnectionOptions::from_url(url));
  } catch (const redkit::InvalidArgument&) {
  }

  // The same URL with "user:<password>@" right after the scheme.
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || url.find(kPassword) != std::string_view::npos) return 0;
  const std::string with_password = std::string(url.substr(0, scheme_end + 3)) + "user:" + std::string(kPassword) +
                                    "@" + std::string(url.substr(scheme_end + 3));
  try {
    const ConnectionOptions options = ConnectionOptions::from_url(with_password);
    check(options.password.starts_with(kPassword));
    check(options.to_redacted_url().find(kPassword) == std::string::npos);
    check(options.endpoint().find(kPassword) == std::string::npos);
  } catch (const redkit::InvalidArgument& e) {
    check(std::string_view(e.what()).find(kPassword) == std::string_view::npos);
  }
  return 0;
}
