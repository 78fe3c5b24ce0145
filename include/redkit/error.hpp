// redkit/error.hpp — the exception hierarchy of redkit.
//
// Every failure redkit reports is an exception derived from redkit::Error, so
// `catch (const redkit::Error&)` catches all of them. Expected outcomes (a lock
// held by someone else, a wait that timed out) are return values, not
// exceptions.
//
//   try {
//     client.command({"GET", "k"});
//   } catch (const redkit::ConnectionError& e) {
//     std::cerr << e.what() << "\n";   // names the endpoint that failed
//   }
//
// Thread-safety: exception objects are immutable after construction.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace redkit {

// Root of every exception redkit throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value given to redkit is malformed or out of range. The message names the
// value. Nothing was sent to Redis.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// The server could not be reached, or the connection broke while a command was
// in flight. The message names the endpoint. A command whose connection broke
// may or may not have been executed by the server.
class ConnectionError : public Error {
 public:
  ConnectionError(std::string endpoint, const std::string& what)
      : Error(what), endpoint_(std::move(endpoint)) {}
  const std::string& endpoint() const noexcept { return endpoint_; }

 private:
  std::string endpoint_;
};

// A connect or a command took longer than its configured timeout. The
// connection involved is discarded, since a late reply could still arrive.
class TimeoutError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};

// TLS handshake or certificate verification failed.
class TlsError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};

// AUTH was refused (wrong password, unknown user) or required but not given.
class AuthError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};

// The server answered with an error reply. message() is the server's text,
// for example "WRONGTYPE Operation against a key holding the wrong kind of value".
class ReplyError : public Error {
 public:
  explicit ReplyError(const std::string& server_message)
      : Error(server_message), message_(server_message) {}
  const std::string& message() const noexcept { return message_; }
  // The first word of the server's message ("ERR", "WRONGTYPE", "NOSCRIPT", ...).
  std::string code() const { return message_.substr(0, message_.find(' ')); }

 private:
  std::string message_;
};

// The server sent bytes that are not valid RESP, or a reply of a shape the
// caller did not expect (an integer where a string was required, ...).
class ProtocolError : public Error {
 public:
  using Error::Error;
};

// A waiting acquisition was chosen to break a deadlock: it waited for a lock
// whose holder (through a chain of holders) waits for a lock this owner
// holds, and it was the youngest wait of that cycle. Releasing what the owner
// holds (RAII guards do it while this propagates) lets the others proceed.
class DeadlockError : public Error {
 public:
  DeadlockError(const std::string& what, std::vector<std::string> cycle) : Error(what), cycle_(std::move(cycle)) {}
  // "OWNER waits for LOCK" for each wait of the cycle, starting with ours.
  const std::vector<std::string>& cycle() const noexcept { return cycle_; }

 private:
  std::vector<std::string> cycle_;
};

// A lock used against its state: acquiring a handle that already holds, or
// renewing one that does not.
class LockError : public Error {
 public:
  using Error::Error;
};

}  // namespace redkit
