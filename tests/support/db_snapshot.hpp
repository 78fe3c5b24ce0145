// A snapshot of a whole Redis database, to prove that refused input left the
// server exactly as it was: every key (SCAN, never KEYS) with its type, its
// serialized value (DUMP) and whether it expires.
//
//   const DbSnapshot before = snapshot_db(client);
//   EXPECT_THROW(store.add("x", 1, NAN), InvalidArgument);
//   EXPECT_EQ(changes_since(before, snapshot_db(client)), "");
//
// The time left of an expiring key is not compared (it shrinks on its own),
// only that it expires; a key that gained or lost a TTL is a change.
#pragma once

#include <map>
#include <string>

#include "redkit/client.hpp"

namespace redkit::test {

struct KeyState {
  std::string type{};
  std::string dump{};
  bool expires = false;
  friend bool operator==(const KeyState&, const KeyState&) = default;
};

struct DbSnapshot {
  std::map<std::string, KeyState> keys{};
  friend bool operator==(const DbSnapshot&, const DbSnapshot&) = default;
};

// Every key of the client's database. Keys that vanish between SCAN and DUMP
// (expired meanwhile) are left out.
DbSnapshot snapshot_db(const Client& client);

// One line per key that was added, removed or changed from `before` to
// `after` ("added k (string)", "removed k", "changed k"); empty when equal.
std::string changes_since(const DbSnapshot& before, const DbSnapshot& after);

}  // namespace redkit::test
