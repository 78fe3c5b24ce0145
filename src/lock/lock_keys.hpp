// The Redis keys and channel of one lock name, and the validation of names.
// All of them carry the hash tag {name}, so each lock lives in one cluster slot.
#pragma once

#include <string>
#include <string_view>

namespace redkit::detail {

// Throws InvalidArgument naming the value when name is empty, longer than
// kMaxLockNameBytes, or holds '{' or '}'.
void validate_lock_name(std::string_view name);
inline constexpr std::size_t kMaxLockNameBytes = 512;

struct LockKeys {
  LockKeys(std::string_view prefix, std::string_view name);
  std::string holder;   // <prefix>lock:{name}
  std::string state;    // <prefix>lock:{name}:state
  std::string channel;  // <prefix>lock:{name}:released
};

}  // namespace redkit::detail
