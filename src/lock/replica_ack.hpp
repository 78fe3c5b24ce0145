// Replica acknowledgement of an acquisition (LockOptions::replica_acks): the
// acquire command and `WAIT n timeout` go out together on one connection, so
// WAIT counts the replicas that have the acquisition's write, in the same
// round trip. See redkit/lock.hpp for what this does and does not promise.
#pragma once

#include <string>

#include "lock/lock_kind.hpp"
#include "redkit/client.hpp"
#include "redkit/lock.hpp"
#include "redkit/reply.hpp"

namespace redkit::detail {

struct LockState;

// Throws InvalidArgument naming the value for replica_acks < 0, or a
// replica_ack_timeout <= 0 while replica_acks > 0 (WAIT 0 would wait forever).
void validate_replica_acks(const LockOptions& options);

// The kind's acquire reply, after the replicas acknowledged it. When the lock
// was granted but fewer than options.replica_acks replicas acknowledged within
// options.replica_ack_timeout, releases it again and throws LockError naming
// the required and the acknowledged counts. An error reply of the acquire
// command throws ReplyError, as Client::command does.
Reply acquire_with_replica_acks(const Client& client, const LockState& state, const std::string& token,
                                const LockOwner& owner);

}  // namespace redkit::detail
