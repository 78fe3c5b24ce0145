// Builds the redis-server command line; see server_command.hpp.
#include "devserver/server_command.hpp"

namespace redkit::devserver {

std::vector<std::string> redis_server_arguments(const RedisProcessOptions& options,
                                                const std::filesystem::path& dir, int port) {
  std::vector<std::string> argv = {"redis-server"};
  // The bind address also applies to a tls-port given in extra_args, so even a
  // server without plain TCP stays on loopback.
  argv.insert(argv.end(), {"--bind", "127.0.0.1", "--port", std::to_string(port)});
  argv.insert(argv.end(), {"--unixsocket", (dir / "redis.sock").string(), "--unixsocketperm", "700"});
  argv.insert(argv.end(), {"--dir", dir.string()});
  // No RDB snapshots: a restart keeps data only when the AOF is on, which is
  // exactly what the persistence tests need to control.
  argv.insert(argv.end(), {"--save", ""});
  argv.insert(argv.end(), {"--appendonly", options.appendonly ? "yes" : "no"});
  argv.insert(argv.end(), {"--appendfsync", options.appendfsync});
  argv.insert(argv.end(), {"--daemonize", "no"});
  argv.insert(argv.end(), {"--logfile", (dir / "redis.log").string()});
  // Loopback and a 0700 socket only, so the server's default guard against
  // open unauthenticated access would only get in the way.
  argv.insert(argv.end(), {"--protected-mode", "no"});
  if (!options.requirepass.empty()) argv.insert(argv.end(), {"--requirepass", options.requirepass});
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  return argv;
}

}  // namespace redkit::devserver
