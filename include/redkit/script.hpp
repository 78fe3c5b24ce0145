// redkit/script.hpp — a server-side Lua script identified by its SHA1.
//
// Scripts are sent with EVALSHA. Each connection loads a script (SCRIPT LOAD,
// in the same write) before its first call, so a restarted server is never a
// problem; if the cache is flushed under a live connection (SCRIPT FLUSH), the
// NOSCRIPT reply is answered by re-sending the call with its source. Callers
// see neither, except inside MULTI/EXEC after a SCRIPT FLUSH, where the
// transaction's reply carries the NOSCRIPT error.
//
//   static const redkit::Script kIncrIfEqual{"incr_if_equal",
//       "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('INCR', KEYS[2]) end return 0"};
//   client.command(kIncrIfEqual.call({"a", "b"}, {"x"}));
//
// Thread-safety: immutable after construction; copies share the source.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace redkit {

class Command;

class Script {
 public:
  // Throws InvalidArgument if name or source is empty.
  Script(std::string name, std::string source);

  const std::string& name() const noexcept;
  const std::string& source() const noexcept;
  // Lower-case hex SHA1 of the source, as SCRIPT LOAD returns it.
  const std::string& sha1() const noexcept;

  // An EVALSHA command for this script. Its first key decides the cluster
  // slot, so every key of one call must share a hash tag on Redis Cluster.
  Command call(std::vector<std::string> keys, std::vector<std::string> args) const;

 private:
  struct Data;
  std::shared_ptr<const Data> data_;
};

}  // namespace redkit
