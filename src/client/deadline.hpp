// Deadline: a point on the monotonic clock, or none (wait forever). Every
// blocking step of a connection is bounded by one.
#pragma once

#include <chrono>
#include <optional>

namespace redkit::detail {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  static Deadline never() { return Deadline(); }
  static Deadline after(std::chrono::milliseconds timeout) {
    return timeout.count() == 0 ? Deadline() : Deadline(Clock::now() + timeout);
  }

  bool expired() const { return at_ && Clock::now() >= *at_; }
  // Milliseconds left for poll(): -1 for none, 0 when expired.
  int poll_timeout_ms() const {
    if (!at_) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*at_ - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
  }
  std::optional<Clock::time_point> at() const { return at_; }

 private:
  Deadline() = default;
  explicit Deadline(Clock::time_point at) : at_(at) {}
  std::optional<Clock::time_point> at_;
};

}  // namespace redkit::detail
