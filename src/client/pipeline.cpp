// Pipeline: a builder over Client::execute.
#include "redkit/pipeline.hpp"

#include "redkit/client.hpp"

namespace redkit {

Pipeline::Pipeline(Client client) : client_(std::move(client)) {}

Pipeline& Pipeline::add(Command command) {
  commands_.push_back(std::move(command));
  return *this;
}

Pipeline& Pipeline::add(std::initializer_list<std::string_view> args) { return add(Command::raw(args)); }

std::vector<Reply> Pipeline::exec() {
  std::vector<Command> commands = std::move(commands_);
  commands_.clear();
  return client_.execute(commands);
}

}  // namespace redkit
