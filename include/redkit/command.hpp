// redkit/command.hpp — one Redis command: its arguments, and which of them is
// the key that decides the command's cluster slot.
//
// Every command redkit sends knows its routing key, so slot-aware routing on
// Redis Cluster can be added without touching callers.
//
//   redkit::Command set("SET");
//   set.key("redkit:{job}:lock").arg(token).arg("NX").arg("PX").arg(30000);
//   redkit::Command ping = redkit::Command::keyless({"PING"});
//
// Thread-safety: a plain value.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redkit/script.hpp"

namespace redkit {

class Command {
 public:
  // How the command is routed on a cluster.
  enum class Routing {
    key,      // by the argument at routing_index()
    keyless,  // to any node (PING, SCRIPT LOAD, CLIENT ...)
    unknown,  // built from raw arguments; the caller did not say
  };

  // A command named `name` (for example "SET"), routing not yet known.
  explicit Command(std::string_view name);

  // Raw arguments, name first, routing unknown: for commands a user types.
  static Command raw(std::initializer_list<std::string_view> args);
  static Command raw(std::vector<std::string> args);
  // Raw arguments of a command that touches no key.
  static Command keyless(std::initializer_list<std::string_view> args);

  // Appends a key. The first key appended decides the routing.
  Command& key(std::string_view key);
  Command& arg(std::string_view value);
  Command& arg(const char* value) { return arg(std::string_view(value)); }
  Command& arg(const std::string& value) { return arg(std::string_view(value)); }
  Command& arg(long long value);
  Command& arg(int value) { return arg(static_cast<long long>(value)); }
  Command& arg(long value) { return arg(static_cast<long long>(value)); }
  Command& arg(unsigned long long value);
  Command& arg(unsigned long value) { return arg(static_cast<unsigned long long>(value)); }
  Command& arg(unsigned value) { return arg(static_cast<unsigned long long>(value)); }
  // A char would silently be sent as its code ("120" for 'x'); say what you mean.
  Command& arg(char value) = delete;
  // The shortest text that reads back as exactly the same double.
  Command& arg(double value);
  Command& mark_keyless();

  const std::vector<std::string>& args() const noexcept { return args_; }
  std::string_view name() const noexcept { return args_.front(); }
  Routing routing() const noexcept { return routing_; }
  // The routing key; throws ProtocolError unless routing() == Routing::key.
  std::string_view routing_key() const;
  std::size_t routing_index() const noexcept { return routing_index_; }

  // Set when this command is an EVALSHA of a known script, so that a NOSCRIPT
  // reply can be recovered from.
  const std::optional<Script>& script() const noexcept { return script_; }

  // The command in RESP, as it goes on the wire.
  void append_resp(std::string& out) const;
  // A readable rendering for error messages (arguments quoted, long ones cut).
  std::string to_display() const;

 private:
  friend class Script;
  std::vector<std::string> args_;
  Routing routing_ = Routing::unknown;
  std::size_t routing_index_ = 0;
  std::optional<Script> script_;
};

}  // namespace redkit
