// redkit/pipeline.hpp — commands collected and sent together in one round
// trip. A pipeline is not a transaction: other clients' commands may run
// between its commands. Script calls that meet NOSCRIPT are loaded and re-run
// after the rest of the pipeline, so entries of one pipeline should not
// depend on each other's order when they call scripts.
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

#include "redkit/command.hpp"
#include "redkit/reply.hpp"

namespace redkit {

class Client;

class Pipeline {
 public:
  explicit Pipeline(const Client& client);

  Pipeline& add(Command command);
  Pipeline& add(std::initializer_list<std::string_view> args);

  std::size_t size() const noexcept { return commands_.size(); }
  bool empty() const noexcept { return commands_.empty(); }

  // Sends everything, returns one reply per command in order (error replies
  // in place), and leaves the pipeline empty for reuse.
  std::vector<Reply> exec();

 private:
  const Client* client_;
  std::vector<Command> commands_;
};

}  // namespace redkit
