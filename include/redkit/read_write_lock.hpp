// redkit/read_write_lock.hpp — shared readers or one writer on a named lock.
//
// LockService::make_reader() and make_writer() return ordinary Lock handles
// (kinds "read" and "write"): try_lock, lock, unlock, extend, fence,
// stop_token and renewal work exactly as for an exclusive Lock.
//
//   redkit::Lock reader = locks.make_reader("doc");
//   redkit::Lock writer = locks.make_writer("doc", {.ttl = std::chrono::seconds(10)});
//   if (reader.try_lock_for(std::chrono::seconds(1))) { render(reader.fence()); reader.unlock(); }
//   std::scoped_lock guard(writer);  // waits until every reader has left
//   save();
//
// Semantics:
// - Any number of readers, or one writer; every transition is one script.
// - Each reader holds its own lease with its own TTL (renewed like any lock),
//   so a reader that died stops blocking writers once its TTL has passed.
// - A writer and an exclusive Lock of the same name exclude each other: both
//   live in the lock's holder hash. Readers also wait for an exclusive Lock of
//   the same name, and an exclusive Lock waits for the read leases, so it
//   excludes readers as the writer side does.
// - Every acquisition, read or write, takes the next value of the name's one
//   fencing counter, so fences order readers and writers together.
// - The registry (LockService::list, holders) shows each reader as its own
//   LockInfo of kind "read", and the writer as kind "write".
//
// Thread-safety: as for Lock.
#pragma once

namespace redkit {

struct WriterOptions {
  // Writer preference (default on): while this writer waits, new readers are
  // refused, so a stream of overlapping readers cannot starve it; readers
  // already inside finish, and the writer gets in when the last one leaves.
  // The waiting writer records an intent that lapses within a second unless
  // it keeps trying, so a writer that died holds readers back for at most
  // that long, and one that gives up (a try_lock() that fails, a wait that
  // runs out) withdraws it at once. Two preferring writers taking turns
  // back to back keep readers out meanwhile: writers, not readers, are the
  // side that cannot starve. Off: the writer gets in only at a moment when no
  // reader holds the lock, which under a steady read load may never come.
  bool writer_preference = true;
};

}  // namespace redkit
