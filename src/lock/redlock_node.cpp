// RedlockNode: a master's request queue and the thread that drains it.
#include "lock/redlock_node.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "redkit/error.hpp"

namespace redkit::detail {

RedlockNode::RedlockNode(Client client)
    : client_(std::move(client)), endpoint_(client_.options().connection.endpoint()), thread_([this] { run(); }) {}

RedlockNode::~RedlockNode() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void RedlockNode::submit(std::vector<Command> commands, Clock::time_point send_by, std::chrono::milliseconds timeout,
                         Done done) {
  {
    MutexLock lock(mutex_);
    queue_.push_back(Request{std::move(commands), send_by, timeout, std::move(done)});
  }
  wake_.notify_one();
}

void RedlockNode::run() {
  MutexLock lock(mutex_);
  for (;;) {
    while (!stopping_ && queue_.empty()) lock.wait(wake_);
    if (queue_.empty()) return;  // stopping, and everything queued was served
    Request request = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    serve(request);
    lock.lock();
  }
}

void RedlockNode::serve(Request& request) noexcept {
  std::vector<Reply> replies;
  std::exception_ptr error;
  if (Clock::now() >= request.send_by) {
    error = std::make_exception_ptr(
        TimeoutError(endpoint_, fmt::format("request to {} not sent: its attempt was already decided", endpoint_)));
  } else {
    try {
      replies = client_.execute(request.commands, std::max(request.timeout, std::chrono::milliseconds(1)));
    } catch (...) {
      error = std::current_exception();
    }
  }
  try {
    request.done(std::move(replies), error);
  } catch (...) {
    // A completion must not throw; if one does, the node thread must survive it.
  }
}

}  // namespace redkit::detail
