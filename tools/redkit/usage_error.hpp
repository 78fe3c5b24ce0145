// An error in what the user typed that is only found after parsing (a value
// CLI11 cannot check on its own). main() reports it with kExitUsage.
#pragma once

#include <stdexcept>

namespace redkit::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace redkit::cli
