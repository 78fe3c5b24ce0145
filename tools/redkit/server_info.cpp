// Reads INFO server and picks out the fields the CLI prints.
#include "server_info.hpp"

#include <string_view>

namespace redkit::cli {

std::string redis_version(const redkit::Client& client) {
  const std::string info = client.command({"INFO", "server"}).as_string();
  constexpr std::string_view kField = "redis_version:";
  std::string_view rest = info;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with(kField)) return std::string(line.substr(kField.size()));
  }
  return "unknown";
}

}  // namespace redkit::cli
