// Who holds a lock, as the registry shows it, and the random tokens that
// tell holders apart.
#pragma once

#include <string>

namespace redkit::detail {

// 128 random bits as 32 hex digits, from a per-thread generator seeded by
// the operating system's CSPRNG: no two acquisitions anywhere share a token,
// so no client can release or extend another's lock by chance.
std::string random_token();

// This machine's host name (cached) and the current process id (not cached:
// a forked child is another owner).
const std::string& host_name();
long process_id();

// host/pid/thread of the calling thread: whoever waits for or holds a lock,
// as the wait-for graph of deadlock detection sees it.
std::string owner_id();

}  // namespace redkit::detail
