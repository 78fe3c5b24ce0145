// The registry: SCAN over a prefix's lock keys; holder hashes are read with
// HGETALL + PTTL + PEXPIRETIME, read-write readers and semaphore permits with
// lua/rwlock_readers.lua (both keep a lease zset beside a hash of the same
// JSON owner details), each batch in one pipeline.
#include "lock/lock_registry.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "client/embedded_scripts.hpp"
#include "lock/lock_keys.hpp"
#include "lock/lock_kind.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

// SCAN MATCH treats * ? [ ] \ as pattern syntax; a prefix holding them must
// match itself literally.
std::string glob_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

LockInfo damaged(std::string name, std::string what) {
  LockInfo info;
  info.name = std::move(name);
  info.kind = "damaged";
  info.damaged = std::move(what);
  return info;
}

// "<prefix>lock:{name}<suffix>" -> name and suffix. Names hold no '}', so
// the first one closes the hash tag.
struct KeyParts {
  std::string name;
  std::string suffix;
};
std::optional<KeyParts> parts_of(const std::string& key, const std::string& prefix) {
  const std::size_t start = prefix.size() + std::string_view("lock:{").size();
  const std::size_t close = key.find('}', start);
  if (close == std::string::npos) return std::nullopt;
  return KeyParts{key.substr(start, close - start), key.substr(close + 1)};
}

std::optional<LockInfo> to_info(std::string name, const std::string& key, const Reply& fields, const Reply& pttl,
                                const Reply& expires_at) {
  if (fields.is_error()) return damaged(std::move(name), fmt::format("key {}: {}", key, fields.error_message()));
  if (!fields.is_array() || fields.as_array().empty() || !pttl.is_integer() || pttl.as_integer() < 0 ||
      !expires_at.is_integer()) {
    return std::nullopt;  // released or expired between SCAN and the read
  }
  // A missing field reads as an empty string, which a number field refuses.
  static const Reply missing = Reply::make_string("");
  std::map<std::string, const Reply*> f;
  const auto& items = fields.as_array();
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) f[items[i].as_string()] = &items[i + 1];
  const auto field = [&](const char* field_name) -> const Reply& {
    const auto found = f.find(field_name);
    return found == f.end() ? missing : *found->second;
  };
  LockInfo info;
  info.name = name;
  try {
    info.kind = field("kind").as_string();
    info.host = field("host").as_string();
    info.pid = static_cast<long>(field("pid").integer_field("field pid"));
    info.label = field("label").as_string();
    info.ttl = std::chrono::milliseconds(field("ttl").integer_field("field ttl"));
    // An exclusive lock records acquired_at only once its expiry has moved
    // (lua/lock_acquire.lua); until then the expiry is acquired_at + ttl.
    info.acquired_at_ms = f.contains("acquired_at") ? field("acquired_at").integer_field("field acquired_at")
                                                    : expires_at.as_integer() - info.ttl.count();
    info.ttl_left = std::chrono::milliseconds(pttl.as_integer());
    info.fence = FencingToken{static_cast<std::uint64_t>(field("fence").integer_field("field fence"))};
  } catch (const ProtocolError& bad) {
    return damaged(std::move(name), fmt::format("key {}: {}", key, bad.what()));
  }
  return info;
}

// One LockInfo per live lease (a reader's or a permit's), from
// lua/rwlock_readers.lua's reply.
void append_leases(const std::string& name, const std::string& key, const char* kind, const Reply& leases,
                   std::vector<LockInfo>& out) {
  if (leases.is_error()) {
    out.push_back(damaged(name, fmt::format("key {}: {}", key, leases.error_message())));
    return;
  }
  if (!leases.is_array()) return;
  for (const Reply& lease : leases.as_array()) {
    try {
      const auto& f = lease.as_array();
      LockInfo info;
      info.name = name;
      info.kind = kind;
      info.host = f.at(0).as_string();
      info.pid = static_cast<long>(f.at(1).integer_field("field pid"));
      info.label = f.at(2).as_string();
      info.fence = FencingToken{static_cast<std::uint64_t>(f.at(3).integer_field("field fence"))};
      info.acquired_at_ms = f.at(4).integer_field("field acquired_at");
      info.ttl = std::chrono::milliseconds(f.at(5).integer_field("field ttl"));
      info.ttl_left = std::chrono::milliseconds(f.at(6).as_integer());
      out.push_back(std::move(info));
    } catch (const Error& bad) {
      out.push_back(damaged(name, fmt::format("key {}: {}", key, bad.what())));
    }
  }
}

// The lock names whose holder hash, readers and semaphore permits to read.
struct Wanted {
  std::vector<std::string> holders;
  std::vector<std::string> readers;
  std::vector<std::string> permits;
};

std::vector<LockInfo> read_holders(const Client& client, const std::string& prefix, const Wanted& wanted) {
  std::vector<Command> commands;
  commands.reserve(wanted.holders.size() * 3 + wanted.readers.size() + wanted.permits.size());
  for (const auto& name : wanted.holders) {
    const LockKeys keys(prefix, name);
    commands.push_back(std::move(Command("HGETALL").key(keys.holder)));
    commands.push_back(std::move(Command("PTTL").key(keys.holder)));
    commands.push_back(std::move(Command("PEXPIRETIME").key(keys.holder)));
  }
  const Script& readers = embedded_script(ScriptName::rwlock_readers);
  for (const auto& name : wanted.readers) {
    const ReadWriteKeys rw(LockKeys(prefix, name).holder);
    commands.push_back(readers.call({rw.readers, rw.owners}, {}));
  }
  for (const auto& name : wanted.permits) {
    const SemaphoreKeys semaphore(LockKeys(prefix, name).holder);
    commands.push_back(readers.call({semaphore.permits, semaphore.owners}, {}));
  }
  if (commands.empty()) return {};
  std::vector<Reply> replies = client.execute(commands);
  std::vector<LockInfo> out;
  std::size_t at = 0;
  // A key of the wrong type (someone else's, or a damaged one) makes that
  // name "damaged"; the other locks are listed all the same.
  for (const auto& name : wanted.holders) {
    if (auto info = to_info(name, LockKeys(prefix, name).holder, replies[at], replies[at + 1], replies[at + 2])) {
      out.push_back(std::move(*info));
    }
    at += 3;
  }
  for (const auto& name : wanted.readers) {
    append_leases(name, ReadWriteKeys(LockKeys(prefix, name).holder).readers, "read", replies[at++], out);
  }
  for (const auto& name : wanted.permits) {
    append_leases(name, SemaphoreKeys(LockKeys(prefix, name).holder).permits, "permit", replies[at++], out);
  }
  return out;
}

bool by_name_then_fence(const LockInfo& a, const LockInfo& b) {
  return a.name != b.name ? a.name < b.name : a.fence < b.fence;
}

}  // namespace

std::vector<LockInfo> list_locks(const Client& client, const std::string& prefix) {
  // One pattern for every key of every lock; the suffix tells a holder hash
  // (""), a read-write lock's readers (":readers") and a semaphore's permits
  // (":permits") from the rest.
  const std::string pattern = glob_escape(prefix) + "lock:{*}*";
  std::vector<LockInfo> out;
  std::string cursor = "0";
  do {
    Command scan("SCAN");
    scan.arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000).mark_keyless();
    Reply reply = client.command(scan);
    const auto& parts = reply.as_array();
    cursor = parts.at(0).as_string();
    Wanted wanted;
    for (const Reply& key : parts.at(1).as_array()) {
      auto key_parts = parts_of(key.as_string(), prefix);
      if (!key_parts) continue;
      if (key_parts->suffix.empty()) wanted.holders.push_back(std::move(key_parts->name));
      if (key_parts->suffix == ":readers") wanted.readers.push_back(std::move(key_parts->name));
      if (key_parts->suffix == ":permits") wanted.permits.push_back(std::move(key_parts->name));
    }
    auto batch = read_holders(client, prefix, wanted);
    out.insert(out.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
  } while (cursor != "0");
  std::sort(out.begin(), out.end(), by_name_then_fence);
  // SCAN may return a key twice when the table is resized meanwhile; every
  // acquisition of a name has its own fence.
  out.erase(std::unique(out.begin(), out.end(),
                        [](const LockInfo& a, const LockInfo& b) { return a.name == b.name && a.fence == b.fence; }),
            out.end());
  return out;
}

std::vector<LockInfo> lock_holders(const Client& client, const std::string& prefix, const std::string& name) {
  validate_lock_name(name);
  auto found = read_holders(client, prefix, Wanted{{name}, {name}, {name}});
  // The holder hash's owner (exclusive, fair or writer) first, then the
  // leases (readers, permits) by fence.
  auto is_lease = [](const LockInfo& info) { return info.kind == "read" || info.kind == "permit"; };
  std::stable_sort(found.begin(), found.end(), [&](const LockInfo& a, const LockInfo& b) {
    return is_lease(a) != is_lease(b) ? !is_lease(a) : a.fence < b.fence;
  });
  return found;
}

std::optional<LockInfo> lock_info(const Client& client, const std::string& prefix, const std::string& name) {
  auto found = lock_holders(client, prefix, name);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

bool force_release_lock(const Client& client, const std::string& prefix, const std::string& name) {
  validate_lock_name(name);
  LockKeys keys(prefix, name);
  const ReadWriteKeys rw(keys.holder);
  const SemaphoreKeys semaphore(keys.holder);
  // rwlock_force_release.lua ends every lease of a zset and its owners hash,
  // so it serves the permits as well as the readers.
  const std::vector<Command> commands{
      embedded_script(ScriptName::lock_force_release).call({keys.holder, keys.state}, {keys.channel}),
      embedded_script(ScriptName::rwlock_force_release).call({rw.readers, rw.owners}, {keys.channel}),
      embedded_script(ScriptName::rwlock_force_release).call({semaphore.permits, semaphore.owners}, {keys.channel}),
  };
  std::vector<Reply> replies = client.execute(commands);
  for (const Reply& reply : replies) reply.throw_if_error();
  return !replies[0].is_nil() || replies[1].as_integer() > 0 || replies[2].as_integer() > 0;
}

}  // namespace redkit::detail
