// Uses an installed redkit without a server: parses a duration and a URL and
// prints one line the packaging test checks.
#include <chrono>
#include <cstdio>
#include <exception>

#include <redkit/duration.hpp>
#include <redkit/error.hpp>
#include <redkit/options.hpp>
#include <redkit/version.hpp>

int main() {
  try {
    const auto ttl = redkit::parse_duration("1h30m");
    const auto options = redkit::ConnectionOptions::from_url("redis://cache.example:6380/2");
    if (ttl != std::chrono::minutes(90) || options.endpoint() != "cache.example:6380" || options.db != 2) {
      std::fprintf(stderr, "unexpected values: %lld ms, %s, db %d\n",
                   static_cast<long long>(ttl.count()), options.endpoint().c_str(), options.db);
      return 1;
    }
    std::printf("consumer ok: redkit %s (headers %s), ttl %s, endpoint %s\n", redkit::version(),
                REDKIT_VERSION_STRING, redkit::format_duration(ttl).c_str(), options.endpoint().c_str());
  } catch (const redkit::Error& e) {
    std::fprintf(stderr, "redkit error: %s\n", e.what());
    return 1;
  }
  return 0;
}
