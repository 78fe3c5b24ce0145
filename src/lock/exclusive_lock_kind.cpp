// The exclusive lock: lua/lock_acquire.lua, lock_release.lua, lock_extend.lua.
#include "client/embedded_scripts.hpp"
#include "lock/lock_kind.hpp"
#include "lock/lock_state.hpp"

namespace redkit::detail {

const LockKind& exclusive_lock_kind() {
  // Looked up once: every acquisition and release builds one of these.
  static const Script& acquire = embedded_script("lock_acquire");
  static const Script& release = embedded_script("lock_release");
  static const Script& extend = embedded_script("lock_extend");
  static const LockKind kind{
      .name = "exclusive",
      .acquire =
          [](const LockState& state, const std::string& token, const LockOwner& owner) {
            return acquire.call({state.keys.holder, state.keys.state, ReadWriteKeys(state.keys.holder).readers},
                                {token, std::to_string(state.options.ttl.count()), owner.host,
                                 std::to_string(owner.pid), owner.label, "exclusive", owner.id,
                                 state.waited ? "1" : "0"});
          },
      .release =
          [](const LockState& state, const std::string& token) {
            return release.call({state.keys.holder, state.keys.state}, {token, state.keys.channel});
          },
      .extend =
          [](const LockState& state, const std::string& token, std::chrono::milliseconds ttl) {
            return extend.call({state.keys.holder}, {token, std::to_string(ttl.count())});
          },
      .abandon = {},
  };
  return kind;
}

}  // namespace redkit::detail
