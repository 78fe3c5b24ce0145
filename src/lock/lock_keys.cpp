// Lock key names and name validation.
#include "lock/lock_keys.hpp"

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::detail {

void validate_lock_name(std::string_view name) {
  if (name.empty()) throw InvalidArgument("lock name is empty");
  if (name.size() > kMaxLockNameBytes) {
    throw InvalidArgument(fmt::format("lock name \"{}...\" is {} bytes long; the limit is {}", name.substr(0, 32),
                                      name.size(), kMaxLockNameBytes));
  }
  if (name.find_first_of("{}") != std::string_view::npos) {
    throw InvalidArgument(fmt::format("lock name \"{}\" holds '{{' or '}}', which would break its key's hash tag",
                                      name));
  }
}

LockKeys::LockKeys(std::string_view prefix, std::string_view name)
    : holder(fmt::format("{}lock:{{{}}}", prefix, name)),
      state(holder + ":state"),
      channel(holder + ":released") {}

}  // namespace redkit::detail
