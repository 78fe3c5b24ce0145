// Temporary directories; see temp_dir.hpp.
#include "devserver/temp_dir.hpp"

#include <sys/un.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <vector>

namespace redkit::devserver {
namespace {

// Room left in sun_path for "/<prefix>XXXXXX/redis.sock" and a little more.
constexpr std::size_t kRoomForSocketName = 48;

std::filesystem::path temp_base() {
  const char* tmpdir = std::getenv("TMPDIR");
  if (tmpdir == nullptr || *tmpdir == '\0') return "/tmp";
  const std::filesystem::path base(tmpdir);
  if (base.native().size() + kRoomForSocketName > sizeof(sockaddr_un::sun_path)) return "/tmp";
  return base;
}

}  // namespace

std::filesystem::path make_temp_dir(const std::string& prefix) {
  const std::string pattern = (temp_base() / (prefix + "XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  return std::filesystem::path(buffer.data());
}

}  // namespace redkit::devserver
