// Whole-database snapshots for bad-input tests; see db_snapshot.hpp.
#include "support/db_snapshot.hpp"

#include <vector>

namespace redkit::test {

DbSnapshot snapshot_db(const Client& client) {
  std::vector<std::string> names;
  std::string cursor = "0";
  do {
    const Reply reply = client.command({"SCAN", cursor, "MATCH", "*", "COUNT", "1000"});
    cursor = reply.as_array().at(0).as_string();
    for (const Reply& key : reply.as_array().at(1).as_array()) names.push_back(key.as_string());
  } while (cursor != "0");

  // One round trip for all keys: TYPE, DUMP and PTTL of each.
  std::vector<Command> commands;
  for (const std::string& name : names) {
    commands.push_back(Command("TYPE").key(name));
    commands.push_back(Command("DUMP").key(name));
    commands.push_back(Command("PTTL").key(name));
  }
  const std::vector<Reply> replies = client.execute(commands);
  DbSnapshot snapshot;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Reply& type = replies.at(3 * i).throw_if_error();
    const Reply& dump = replies.at(3 * i + 1).throw_if_error();
    const long long pttl = replies.at(3 * i + 2).throw_if_error().as_integer();
    // SCAN may list a key twice, and a key may expire between SCAN and DUMP.
    if (dump.is_nil() || pttl == -2) continue;
    snapshot.keys[names[i]] = KeyState{type.as_string(), dump.as_string(), pttl >= 0};
  }
  return snapshot;
}

std::string changes_since(const DbSnapshot& before, const DbSnapshot& after) {
  std::string out;
  for (const auto& [name, state] : before.keys) {
    const auto now = after.keys.find(name);
    if (now == after.keys.end()) {
      out += "removed " + name + "\n";
    } else if (now->second != state) {
      out += "changed " + name + " (" + state.type + (state.expires ? ", expiring" : "") + " -> " +
             now->second.type + (now->second.expires ? ", expiring" : "") + ")\n";
    }
  }
  for (const auto& [name, state] : after.keys) {
    if (!before.keys.contains(name)) out += "added " + name + " (" + state.type + ")\n";
  }
  return out;
}

}  // namespace redkit::test
