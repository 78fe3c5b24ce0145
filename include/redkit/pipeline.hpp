// redkit/pipeline.hpp — commands collected and sent together in one round
// trip. A pipeline is not a transaction: other clients' commands may run
// between its commands (MULTI ... EXEC inside one pipeline makes one). The
// commands run in the order given; the one exception is a script call that
// meets NOSCRIPT because the script cache was flushed under a live connection
// (SCRIPT FLUSH): it is re-run with its source after the rest.
//
//   auto replies = client.pipeline()
//                      .add({"SET", "a", "1"})
//                      .add(redkit::Command("INCRBY").key("a").arg(41))
//                      .exec();
//   replies[1].as_integer();   // 42
//
// Thread-safety: a Pipeline is built by one thread; exec() uses the client's
// pool and may run concurrently with other pipelines.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/command.hpp"
#include "redkit/reply.hpp"

namespace redkit {

class Pipeline {
 public:
  // Keeps a copy of the client (a shared handle), so a pipeline may outlive
  // the Client object it came from.
  explicit Pipeline(Client client);

  Pipeline& add(Command command);
  Pipeline& add(std::initializer_list<std::string_view> args);

  std::size_t size() const noexcept { return commands_.size(); }
  bool empty() const noexcept { return commands_.empty(); }

  // Sends everything, returns one reply per command in order (error replies
  // in place), and leaves the pipeline empty for reuse.
  std::vector<Reply> exec();

 private:
  Client client_;
  std::vector<Command> commands_;
};

}  // namespace redkit
