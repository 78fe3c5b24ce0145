// How tests await something that happens in the background (a server coming
// back, a lock expiring, a message arriving) without fixed sleeps: poll the
// condition with a short step until it holds or the timeout passes.
//
//   ASSERT_TRUE(wait_for([&] { return received.load() == 3; }, 2s));
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace redkit::test {

// True as soon as condition() returns true; false when it still does not
// after timeout (it is checked once more at the deadline).
inline bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                     std::chrono::milliseconds step = std::chrono::milliseconds(2)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

}  // namespace redkit::test
