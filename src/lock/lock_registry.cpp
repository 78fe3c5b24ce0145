// The registry: SCAN over holder keys, HGETALL + PTTL for each in one pipeline.
#include "lock/lock_registry.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "client/embedded_scripts.hpp"
#include "lock/lock_keys.hpp"

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

long long to_number(const std::string& text) {
  long long value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// "<prefix>lock:{name}" -> name
std::string name_of(const std::string& key, const std::string& prefix) {
  const std::size_t start = prefix.size() + std::string_view("lock:{").size();
  return key.substr(start, key.size() - start - 1);
}

std::optional<LockInfo> to_info(std::string name, const Reply& fields, const Reply& pttl) {
  if (!fields.is_array() || fields.as_array().empty() || !pttl.is_integer() || pttl.as_integer() < 0) {
    return std::nullopt;  // released or expired between SCAN and the read
  }
  std::map<std::string, std::string> f;
  const auto& items = fields.as_array();
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) f[items[i].as_string()] = items[i + 1].as_string();
  LockInfo info;
  info.name = std::move(name);
  info.kind = f["kind"];
  info.host = f["host"];
  info.pid = static_cast<long>(to_number(f["pid"]));
  info.label = f["label"];
  info.acquired_at_ms = to_number(f["acquired_at"]);
  info.ttl = std::chrono::milliseconds(to_number(f["ttl"]));
  info.ttl_left = std::chrono::milliseconds(pttl.as_integer());
  info.fence = FencingToken{static_cast<std::uint64_t>(to_number(f["fence"]))};
  return info;
}

std::vector<LockInfo> read_holders(const Client& client, const std::string& prefix,
                                   const std::vector<std::string>& keys) {
  std::vector<Command> commands;
  commands.reserve(keys.size() * 2);
  for (const auto& key : keys) {
    commands.push_back(std::move(Command("HGETALL").key(key)));
    commands.push_back(std::move(Command("PTTL").key(key)));
  }
  std::vector<Reply> replies = client.execute(commands);
  std::vector<LockInfo> out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (auto info = to_info(name_of(keys[i], prefix), replies[2 * i], replies[2 * i + 1])) {
      out.push_back(std::move(*info));
    }
  }
  return out;
}

}  // namespace

std::vector<LockInfo> list_locks(const Client& client, const std::string& prefix) {
  const std::string pattern = glob_escape(prefix) + "lock:{*}";
  std::vector<LockInfo> out;
  std::string cursor = "0";
  do {
    Command scan("SCAN");
    scan.arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000).arg("TYPE").arg("hash").mark_keyless();
    Reply reply = client.command(scan);
    const auto& parts = reply.as_array();
    cursor = parts.at(0).as_string();
    std::vector<std::string> keys;
    for (const Reply& key : parts.at(1).as_array()) keys.push_back(key.as_string());
    if (!keys.empty()) {
      auto batch = read_holders(client, prefix, keys);
      out.insert(out.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
    }
  } while (cursor != "0");
  std::sort(out.begin(), out.end(), [](const LockInfo& a, const LockInfo& b) { return a.name < b.name; });
  // SCAN may return a key twice when the table is resized meanwhile.
  out.erase(std::unique(out.begin(), out.end(), [](const LockInfo& a, const LockInfo& b) { return a.name == b.name; }),
            out.end());
  return out;
}

std::optional<LockInfo> lock_info(const Client& client, const std::string& prefix, const std::string& name) {
  validate_lock_name(name);
  auto found = read_holders(client, prefix, {LockKeys(prefix, name).holder});
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

bool force_release_lock(const Client& client, const std::string& prefix, const std::string& name) {
  validate_lock_name(name);
  LockKeys keys(prefix, name);
  const Script& script = embedded_script("lock_force_release");
  return !client.command(script.call({keys.holder, keys.state}, {keys.channel})).is_nil();
}

}  // namespace redkit::detail
