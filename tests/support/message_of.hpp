// What an InvalidArgument thrown by fn says, or "no InvalidArgument": bad-input
// tests assert that the message names the bad value.
#pragma once

#include <string>

#include "redkit/error.hpp"

namespace redkit::test {

template <typename Fn>
std::string message_of(Fn&& fn) {
  try {
    fn();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no InvalidArgument";
}

}  // namespace redkit::test
