// redkit/lock_registry.hpp — what the registry knows about a held lock.
//
// The registry is not a separate record: it reads the holder keys that the
// acquire and release scripts write and delete, which expire with the locks
// themselves, so it can never list a lock that is not held.
//
//   for (const redkit::LockInfo& held : locks.list()) {
//     std::cout << held.name << " held by " << held.host << ":" << held.pid << "\n";
//   }
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "redkit/lock.hpp"

namespace redkit {

struct LockInfo {
  std::string name{};
  std::string kind{};   // "exclusive" for Lock
  std::string host{};   // owner's host name
  long pid = 0;         // owner's process id
  std::string label{};  // owner's label, may be empty
  // Server time of the acquisition, Unix milliseconds.
  std::int64_t acquired_at_ms = 0;
  std::chrono::milliseconds ttl{0};       // as requested at acquisition or last extension
  std::chrono::milliseconds ttl_left{0};  // until expiry unless renewed
  FencingToken fence{};
  // Non-empty when this lock's keys could not be read (a key of another
  // type where the lock keeps one, a field that is not a number): what is
  // wrong, naming the key. kind is then "damaged" and only name is set; a
  // listing reports it and goes on with the other locks.
  std::string damaged{};
};

// Which locks find_by_owner() returns: the fields that are set must match.
struct OwnerFilter {
  std::string host{};
  long pid = 0;
  std::string label{};
};

// One edge of the wait-for graph: `owner` (host/pid/thread) has been waiting
// for `lock` since `since_us` (server clock, Unix µs).
struct LockWait {
  std::string owner{};
  std::string lock{};
  std::int64_t since_us = 0;
};

// A cycle of waits: each owner waits for a lock held by the next one, and the
// last waits for a lock held by the first.
struct Deadlock {
  std::vector<LockWait> cycle{};
};

}  // namespace redkit
