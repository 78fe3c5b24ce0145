// Acquire + WAIT in one round trip, and the release when replicas fall short.
#include "lock/replica_ack.hpp"

#include <array>

#include <fmt/format.h>

#include "lock/lock_state.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {

void validate_replica_acks(const LockOptions& options) {
  if (options.replica_acks < 0) {
    throw InvalidArgument(fmt::format("lock replica_acks {} must not be negative", options.replica_acks));
  }
  if (options.replica_acks > 0 && options.replica_ack_timeout <= std::chrono::milliseconds::zero()) {
    throw InvalidArgument(fmt::format("lock replica_ack_timeout {} ms must be positive when replica_acks is {}",
                                      options.replica_ack_timeout.count(), options.replica_acks));
  }
}

Reply acquire_with_replica_acks(const Client& client, const LockState& state, const std::string& token,
                                const LockOwner& owner) {
  const auto& options = state.options;
  // One execute() is one connection: WAIT then counts the replicas that
  // have everything this connection wrote, the acquisition included.
  const std::array<Command, 2> commands{
      state.kind.acquire(state, token, owner),
      Command::keyless({"WAIT", std::to_string(options.replica_acks),
                        std::to_string(options.replica_ack_timeout.count())}),
  };
  // The server holds the reply of WAIT up to its timeout: allow for it on
  // top of the usual reply time (0 stays "wait forever").
  const auto command_timeout = client.options().connection.command_timeout;
  const auto timeout = command_timeout.count() == 0 ? command_timeout : command_timeout + options.replica_ack_timeout;
  std::vector<Reply> replies = client.execute(commands, timeout);
  replies[0].throw_if_error();
  const auto& parts = replies[0].as_array();
  if (parts.at(0).as_integer() != 1) return std::move(replies[0]);  // not granted: nothing to acknowledge
  replies[1].throw_if_error();
  const long long acknowledged = replies[1].as_integer();
  if (acknowledged >= options.replica_acks) return std::move(replies[0]);
  // Not held as asked: give it back at once rather than leave it to block
  // others until its TTL.
  try {
    const FencingToken fence{static_cast<std::uint64_t>(parts.at(1).integer_field("fence"))};
    client.command(state.kind.release(state, HeldLock{token, fence}));
  } catch (const Error&) {
    // Then it expires by its TTL.
  }
  throw LockError(fmt::format(
      "lock \"{}\" was acquired but only {} of the {} required replicas acknowledged it within {} ms; released again",
      state.name, acknowledged, options.replica_acks, options.replica_ack_timeout.count()));
}

}  // namespace redkit::detail
