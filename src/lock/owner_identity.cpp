// Tokens and owner identity.
#include "lock/owner_identity.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include <climits>
#include <cstdint>

#include "redkit/error.hpp"

namespace redkit::detail {

namespace {

// A per-thread generator seeded once from OpenSSL's CSPRNG. A token has to be
// unique and impossible to hit by accident, not secret: whoever can run
// commands on the server can read it anyway. Drawing every token from the
// CSPRNG cost a few microseconds per acquisition; this costs nanoseconds.
class TokenGenerator {
 public:
  // xoshiro256** (Blackman and Vigna): fast, 256 bits of state, and no
  // repetition within any realistic number of tokens.
  std::uint64_t next() {
    // A forked child inherits this state: without a fresh seed, parent and
    // children (or two children) would hand out the same tokens.
    if (seeded_by_ != getpid()) seed();
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  void seed() {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(state_), sizeof state_) != 1) {
      throw Error("no random bytes from OpenSSL to seed lock tokens");
    }
    seeded_by_ = getpid();
  }
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4] = {};
  pid_t seeded_by_ = -1;
};

}  // namespace

std::string random_token() {
  thread_local TokenGenerator generator;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = generator.next();
    for (int i = 0; i < 16; ++i) {
      token[static_cast<std::size_t>(half * 16 + i)] = kHex[bits & 0xf];
      bits >>= 4;
    }
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
