// Tokens and owner identity.
#include "lock/owner_identity.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include <climits>
#include <stdexcept>

namespace redkit::detail {

std::string random_token() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes from OpenSSL");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token(32, '0');
  for (std::size_t i = 0; i < sizeof bytes; ++i) {
    token[2 * i] = kHex[bytes[i] >> 4];
    token[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return token;
}

const std::string& host_name() {
  static const std::string name = [] {
    char buffer[HOST_NAME_MAX + 1] = {};
    if (gethostname(buffer, sizeof buffer - 1) != 0) return std::string("unknown-host");
    return std::string(buffer);
  }();
  return name;
}

long process_id() { return static_cast<long>(getpid()); }

std::string owner_id() {
  // The kernel's thread id: unique on the host while the thread lives, and
  // readable next to ps/top output, unlike std::thread::id.
  return host_name() + "/" + std::to_string(process_id()) + "/" + std::to_string(static_cast<long>(gettid()));
}

}  // namespace redkit::detail
