// RedlockNode: one master of a Redlock, with a thread of its own that sends
// that master's requests in the order they were queued. A Redlock attempt
// queues one request on every node and waits for the answers together, so it
// costs one round trip; a master that hangs holds up only its own thread,
// never the caller beyond its deadline.
//
// Per-node order matters: a release queued after an acquisition runs after
// it on that master, even when the acquisition's answer came too late to be
// waited for.
//
// Thread-safety: submit() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/command.hpp"
#include "redkit/reply.hpp"
#include "common/thread_annotations.hpp"

namespace redkit::detail {

class RedlockNode {
 public:
  using Clock = std::chrono::steady_clock;
  // Gets the replies, or the exception that stood for them (error replies
  // are returned in place, as Client::execute does). Runs on the node's
  // thread: it must not block.
  using Done = std::function<void(std::vector<Reply> replies, std::exception_ptr error)>;

  explicit RedlockNode(Client client);
  // Sends what is still queued (releases must reach the master), then stops.
  // Bounded by the client's connect and command timeouts per request.
  ~RedlockNode();
  RedlockNode(const RedlockNode&) = delete;
  RedlockNode& operator=(const RedlockNode&) = delete;

  // Queues commands for this master, sent together. A request still queued
  // at `send_by` is not sent at all (done gets a TimeoutError): a grant that
  // arrives after the caller stopped waiting is of no use. `timeout` bounds
  // the wait for the replies once sent (> 0).
  void submit(std::vector<Command> commands, Clock::time_point send_by, std::chrono::milliseconds timeout,
              Done done);

  const std::string& endpoint() const noexcept { return endpoint_; }

 private:
  struct Request {
    std::vector<Command> commands;
    Clock::time_point send_by;
    std::chrono::milliseconds timeout;
    Done done;
  };
  void run();
  void serve(Request& request) noexcept;

  const Client client_;
  const std::string endpoint_;
  Mutex mutex_;
  std::condition_variable wake_;    // signalled with mutex_ on submit and stop
  std::deque<Request> queue_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;              // last: starts once the rest is ready
};

}  // namespace redkit::detail
