// Tests of the private redis-server launcher and the test harness around it,
// against real servers. They talk RESP directly or through redis-cli and
// openssl, never through the redkit client, so they vouch for the harness
// independently of the code it is used to test.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "devserver/net_probe.hpp"
#include "devserver/redis_process.hpp"
#include "support/key_prefix.hpp"
#include "support/raw_resp.hpp"
#include "support/redis_server.hpp"
#include "support/redis_test.hpp"
#include "support/subprocess.hpp"
#include "support/tls_certs.hpp"
#include "support/wait_for.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

std::string ping_unix(const RedisProcess& server, std::chrono::milliseconds timeout = 5s) {
  return raw_command_unix(server.socket_path(), {"PING"}, timeout).text;
}

TEST(RedisProcessTest, AnswersPingOnTcpAndUnixSocket) {
  const auto server = start_redis();
  ASSERT_TRUE(server->running());
  EXPECT_GT(server->port(), 0);
  EXPECT_EQ(raw_command_tcp(server->port(), {"PING"}).text, "PONG");
  EXPECT_EQ(ping_unix(*server), "PONG");
  EXPECT_TRUE(devserver::tcp_port_answers("127.0.0.1", server->port()));
  EXPECT_EQ(server->url(), "redis://127.0.0.1:" + std::to_string(server->port()));
  EXPECT_EQ(server->unix_url(), "unix://" + (server->dir() / "redis.sock").string());
}

TEST(RedisProcessTest, TwoServersAreIndependent) {
  const auto first = start_redis();
  const auto second = start_redis();
  EXPECT_NE(first->port(), second->port());
  EXPECT_NE(first->dir(), second->dir());
  EXPECT_NE(first->pid(), second->pid());
  EXPECT_EQ(raw_command_tcp(first->port(), {"SET", "k", "first"}).text, "OK");
  EXPECT_TRUE(raw_command_tcp(second->port(), {"GET", "k"}).nil);
}

TEST(RedisProcessTest, UnixOnlyServerHasNoTcpUrl) {
  const auto server = start_redis({.tcp = false});
  EXPECT_EQ(server->port(), 0);
  EXPECT_EQ(ping_unix(*server), "PONG");
  EXPECT_THROW(static_cast<void>(server->url()), std::logic_error);
}

TEST(RedisProcessTest, AppendOnlyFileSurvivesKillHard) {
  const auto server = start_redis({.appendonly = true, .appendfsync = "always"});
  const int port = server->port();
  ASSERT_EQ(raw_command_tcp(port, {"SET", "kept", "value"}).text, "OK");
  server->kill_hard();
  EXPECT_FALSE(server->running());
  EXPECT_FALSE(devserver::tcp_port_answers("127.0.0.1", port));
  server->start();
  EXPECT_EQ(server->port(), port);
  EXPECT_EQ(raw_command_tcp(port, {"GET", "kept"}).text, "value");
}

TEST(RedisProcessTest, RestartWithoutPersistenceLosesData) {
  const auto server = start_redis();
  const pid_t first_pid = server->pid();
  ASSERT_EQ(raw_command_tcp(server->port(), {"SET", "lost", "value"}).text, "OK");
  server->restart();
  EXPECT_NE(server->pid(), first_pid);
  EXPECT_FALSE(process_exists(first_pid));
  EXPECT_TRUE(raw_command_tcp(server->port(), {"GET", "lost"}).nil);
}

TEST(RedisProcessTest, SetAppendOnlyAppliesOnNextStart) {
  const auto server = start_redis();
  server->set_appendonly(true, "always");
  server->restart();
  const RawReply reply = raw_command_unix(server->socket_path(), {"CONFIG", "GET", "appendonly"});
  ASSERT_EQ(reply.elements.size(), 2U);
  EXPECT_EQ(reply.elements[1].text, "yes");
}

TEST(RedisProcessTest, PausedServerDoesNotAnswerUntilResumed) {
  const auto server = start_redis();
  server->pause();
  EXPECT_TRUE(server->paused());
  EXPECT_THROW(ping_unix(*server, 200ms), RawRespTimeout);
  EXPECT_THROW(raw_command_tcp(server->port(), {"PING"}, 200ms), RawRespTimeout);
  server->resume();
  EXPECT_FALSE(server->paused());
  EXPECT_TRUE(wait_for([&] { return ping_unix(*server, 1s) == "PONG"; }, 2s));
}

TEST(RedisProcessTest, StopIsIdempotentAndStartComesBack) {
  const auto server = start_redis();
  server->stop();
  EXPECT_FALSE(server->running());
  server->stop();
  server->kill_hard();
  EXPECT_THROW(server->pause(), std::logic_error);
  server->start();
  EXPECT_EQ(ping_unix(*server), "PONG");
}

TEST(RedisProcessTest, DestructorLeavesNoProcessAndNoDirectory) {
  auto server = start_redis();
  const pid_t pid = server->pid();
  const std::filesystem::path dir = server->dir();
  ASSERT_TRUE(process_exists(pid));
  server.reset();
  errno = 0;
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(RedisProcessTest, DestructorStopsAPausedServer) {
  auto server = start_redis();
  const pid_t pid = server->pid();
  server->pause();
  server.reset();
  EXPECT_FALSE(process_exists(pid));
}

TEST(RedisProcessTest, GivenDirectoryIsKept) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("redkit-given-dir-" + std::to_string(::getpid()));
  {
    const auto server = start_redis({.dir = dir});
    EXPECT_EQ(server->dir(), dir);
    EXPECT_EQ(ping_unix(*server), "PONG");
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "redis.log"));
  std::filesystem::remove_all(dir);
}

TEST(RedisProcessTest, BadArgumentFailsWithCommandAndLog) {
  try {
    start_redis({.extra_args = {"--no-such-directive", "1"}});
    FAIL() << "redis-server started with an unknown directive";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("during startup"), std::string::npos) << message;
    EXPECT_NE(message.find("--no-such-directive"), std::string::npos) << message;
    EXPECT_NE(message.find("Bad directive or wrong number of arguments"), std::string::npos) << message;
  }
}

TEST(RedisProcessTest, FixedPortInUseFails) {
  const auto holder = start_redis();
  EXPECT_THROW(start_redis({.port = holder->port()}), std::runtime_error);
}

TEST(RedisProcessTest, PasswordProtectedServerStarts) {
  const auto server = start_redis({.requirepass = "hunter2"});
  const RawReply denied = raw_command_unix(server->socket_path(), {"PING"});
  EXPECT_EQ(denied.type, '-');
  EXPECT_TRUE(denied.text.starts_with("NOAUTH")) << denied.text;
  EXPECT_EQ(raw_command_unix(server->socket_path(), {"AUTH", "hunter2"}).text, "OK");
}

TEST(RedisProcessTest, PasswordProtectedServerHasLoadedItsDataWhenStartReturns) {
  const auto server = start_redis({.appendonly = true, .requirepass = "hunter2"});
  // redis-cli, because raw_command opens a connection per command and this
  // needs AUTH first on each.
  const auto cli = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"redis-cli", "-s", server->socket_path().string(),
                                     "--pass", "hunter2", "--no-auth-warning"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, 5s).output;
  };
  ASSERT_EQ(cli({"SET", "kept", "value"}), "OK\n");
  server->kill_hard();
  server->start();
  EXPECT_EQ(cli({"GET", "kept"}), "value\n");
}

TEST(RedisServerHelpersTest, AclUserCanAuthenticate) {
  RedisProcessOptions options;
  add_acl_user(options, "app", "secret");
  add_acl_user(options, "reader", "words", {"~*", "+@read"});
  const auto server = start_redis(options);
  EXPECT_EQ(raw_command_unix(server->socket_path(), {"AUTH", "app", "secret"}).text, "OK");
  EXPECT_EQ(raw_command_unix(server->socket_path(), {"AUTH", "app", "wrong"}).type, '-');

  const CommandResult denied =
      run_command({"redis-cli", "-s", server->socket_path().string(), "--user", "reader", "--pass", "words",
                   "--no-auth-warning", "SET", "k", "v"},
                  5s);
  EXPECT_NE(denied.output.find("NOPERM"), std::string::npos) << denied.output;
}

TEST(RedisServerHelpersTest, RedisCliReachesTheServer) {
  const auto server = start_redis();
  const CommandResult result =
      run_command({"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(server->port()), "PING"}, 5s);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, "PONG\n");
}

TEST(RedisServerHelpersTest, RunCommandKillsAHungCommand) {
  const auto server = start_redis();
  server->pause();
  const auto started = std::chrono::steady_clock::now();
  const CommandResult result =
      run_command({"redis-cli", "-s", server->socket_path().string(), "PING"}, 300ms);
  EXPECT_TRUE(result.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(TlsCertsTest, ServerCertificateVerifiesForLocalhostAndLoopbackOnly) {
  const TlsFiles& files = shared_tls_files();
  EXPECT_EQ(&files, &shared_tls_files());
  const CommandResult good =
      run_command({"openssl", "verify", "-CAfile", files.ca_cert.string(), "-verify_hostname", "localhost",
                   "-verify_ip", "127.0.0.1", files.server_cert.string()});
  EXPECT_EQ(good.exit_code, 0) << good.output;
  const CommandResult client =
      run_command({"openssl", "verify", "-CAfile", files.ca_cert.string(), "-purpose", "sslclient",
                   files.client_cert.string()});
  EXPECT_EQ(client.exit_code, 0) << client.output;
  const CommandResult other_host =
      run_command({"openssl", "verify", "-CAfile", files.ca_cert.string(), "-verify_hostname",
                   "example.com", files.server_cert.string()});
  EXPECT_NE(other_host.exit_code, 0);
  const CommandResult wrong_ca = run_command(
      {"openssl", "verify", "-CAfile", files.other_ca_cert.string(), files.server_cert.string()});
  EXPECT_NE(wrong_ca.exit_code, 0);
}

std::vector<std::string> redis_cli_tls(int port, const std::filesystem::path& ca) {
  return {"redis-cli", "--tls", "-h", "127.0.0.1", "-p", std::to_string(port), "--cacert", ca.string()};
}

TEST(TlsServerTest, PingsWithClientCertificate) {
  const TlsFiles& files = shared_tls_files();
  const TlsRedis server = start_tls_redis(files, /*require_client_cert=*/true);
  EXPECT_EQ(server.process->port(), 0);
  EXPECT_EQ(ping_unix(*server.process), "PONG");
  const RawReply bind = raw_command_unix(server.process->socket_path(), {"CONFIG", "GET", "bind"});
  ASSERT_EQ(bind.elements.size(), 2U);
  EXPECT_EQ(bind.elements[1].text, "127.0.0.1");

  std::vector<std::string> with_cert = redis_cli_tls(server.tls_port, files.ca_cert);
  with_cert.insert(with_cert.end(),
                   {"--cert", files.client_cert.string(), "--key", files.client_key.string(), "PING"});
  const CommandResult pinged = run_command(with_cert, 5s);
  EXPECT_EQ(pinged.output, "PONG\n");

  std::vector<std::string> without_cert = redis_cli_tls(server.tls_port, files.ca_cert);
  without_cert.push_back("PING");
  EXPECT_EQ(run_command(without_cert, 5s).output.find("PONG"), std::string::npos);

  const CommandResult plain =
      run_command({"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(server.tls_port), "PING"}, 5s);
  EXPECT_EQ(plain.output.find("PONG"), std::string::npos);
}

TEST(TlsServerTest, RejectsCertificateFromAnotherCa) {
  const TlsFiles& files = shared_tls_files();
  const TlsRedis server = start_tls_redis(files, /*require_client_cert=*/false);
  std::vector<std::string> trusted = redis_cli_tls(server.tls_port, files.ca_cert);
  trusted.push_back("PING");
  EXPECT_EQ(run_command(trusted, 5s).output, "PONG\n");

  std::vector<std::string> wrong_ca = redis_cli_tls(server.tls_port, files.other_ca_cert);
  wrong_ca.push_back("PING");
  const CommandResult rejected = run_command(wrong_ca, 5s);
  EXPECT_EQ(rejected.output.find("PONG"), std::string::npos) << rejected.output;
}

TEST(TlsServerTest, KeepsItsPortAcrossRestart) {
  const TlsRedis server = start_tls_redis(shared_tls_files(), /*require_client_cert=*/false);
  server.process->kill_hard();
  EXPECT_FALSE(devserver::tcp_port_answers("127.0.0.1", server.tls_port));
  server.process->start();
  EXPECT_TRUE(devserver::tcp_port_answers("127.0.0.1", server.tls_port));
}

TEST(KeyPrefixTest, NamesTheRunningTest) {
  EXPECT_EQ(key_prefix(), "redkit:test:KeyPrefixTest.NamesTheRunningTest:");
}

TEST(WaitForTest, ReturnsOnceTheConditionHoldsOrAtTheDeadline) {
  int calls = 0;
  EXPECT_TRUE(wait_for([&] { return ++calls == 3; }, 1s));
  EXPECT_EQ(calls, 3);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(wait_for([] { return false; }, 50ms));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
}

class SharedServerTest : public RedisTest {};

TEST_F(SharedServerTest, GivesEachTestItsOwnPrefix) {
  EXPECT_EQ(prefix(), "redkit:test:SharedServerTest.GivesEachTestItsOwnPrefix:");
  EXPECT_EQ(raw_command_unix(redis().socket_path(), {"SET", prefix() + "k", "v"}).text, "OK");
}

// Run in one process, the next test finds the server this one killed
// running again; run alone, each still passes.
TEST_F(SharedServerTest, MayKillTheServer) {
  EXPECT_EQ(ping_unix(redis()), "PONG");
  redis().kill_hard();
}

TEST_F(SharedServerTest, FindsTheServerRunningAfterAnEarlierKill) {
  EXPECT_TRUE(redis().running());
  EXPECT_EQ(ping_unix(redis()), "PONG");
}

}  // namespace
}  // namespace redkit::test
