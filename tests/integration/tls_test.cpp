// rediss:// against redis-server's own TLS port with generated certificates.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <sstream>
#include <thread>
#include <filesystem>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "support/redis_server.hpp"
#include "support/tls_certs.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;

const test::TlsFiles& files() { return test::shared_tls_files(); }

std::string tls_error_of(const std::string& url) {
  try {
    Client client(url);
    client.command({"PING"});
  } catch (const TlsError& e) {
    return e.what();
  }
  return "no TlsError";
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new test::TlsRedis(test::start_tls_redis(files(), /*require_client_cert=*/false));
    mutual_ = new test::TlsRedis(test::start_tls_redis(files(), /*require_client_cert=*/true));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete mutual_;
  }
  static std::string url(const test::TlsRedis& server, const std::string& host, const std::string& query) {
    return "rediss://" + host + ":" + std::to_string(server.tls_port) + "?" + query;
  }
  static test::TlsRedis* server_;
  static test::TlsRedis* mutual_;
};

test::TlsRedis* TlsTest::server_ = nullptr;
test::TlsRedis* TlsTest::mutual_ = nullptr;

TEST_F(TlsTest, TrustedCaConnectsByIp) {
  Client client(url(*server_, "127.0.0.1", "ca_file=" + files().ca_cert.string()));
  client.command({"SET", "tls:k", "over tls"});
  EXPECT_EQ(client.command({"GET", "tls:k"}).as_string(), "over tls");
}

TEST_F(TlsTest, TrustedCaConnectsByHostNameWithSni) {
  Client client(url(*server_, "localhost", "ca_file=" + files().ca_cert.string()));
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
}

TEST_F(TlsTest, HashedCaDirectoryIsAccepted) {
  const auto dir = files().ca_cert.parent_path() / "hashed-ca";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(files().ca_cert, dir / "ca.pem", std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(std::system(("openssl rehash " + dir.string()).c_str()), 0);
  Client client(url(*server_, "127.0.0.1", "ca_dir=" + dir.string()));
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
}

TEST_F(TlsTest, WrongCaIsRefusedWithTheReason) {
  std::string message = tls_error_of(url(*server_, "127.0.0.1", "ca_file=" + files().other_ca_cert.string()));
  EXPECT_NE(message.find("server certificate rejected"), std::string::npos) << message;
  EXPECT_NE(message.find("127.0.0.1:" + std::to_string(server_->tls_port)), std::string::npos) << message;
}

TEST_F(TlsTest, NameNotInCertificateIsRefused) {
  std::string message =
      tls_error_of(url(*server_, "127.0.0.1", "ca_file=" + files().ca_cert.string() + "&sni=evil.example"));
  EXPECT_NE(message.find("server certificate rejected"), std::string::npos) << message;
  EXPECT_NE(message.find("mismatch"), std::string::npos) << message;
}

TEST_F(TlsTest, VerificationOffAcceptsAnyCertificate) {
  Client client(url(*server_, "127.0.0.1", "verify=no&ca_file=" + files().other_ca_cert.string()));
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
}

TEST_F(TlsTest, ServerRequiringClientCertificateRefusesNone) {
  // The server rejects the missing certificate after the TLS 1.3 handshake
  // completed on the client side, so the failure may surface at the first
  // command's read: either way it is a ConnectionError naming the endpoint.
  Client client(url(*mutual_, "127.0.0.1", "ca_file=" + files().ca_cert.string()));
  try {
    client.command({"PING"});
    FAIL() << "server accepted a client without certificate";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(mutual_->tls_port)), std::string::npos) << e.what();
  }
}

TEST_F(TlsTest, ClientCertificateIsPresented) {
  Client client(url(*mutual_, "127.0.0.1",
                    "ca_file=" + files().ca_cert.string() + "&cert=" + files().client_cert.string() +
                        "&key=" + files().client_key.string()));
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
}

TEST_F(TlsTest, ConnectionKilledDuringALargeWriteIsAConnectionErrorNotASignal) {
  // The server drops the connection while 64 MiB are being written to it.
  // Writes through OpenSSL's own socket BIO would raise SIGPIPE and kill
  // the process; redkit's report a ConnectionError.
  Client writer(url(*server_, "127.0.0.1", "name=big-writer&ca_file=" + files().ca_cert.string()));
  Client admin(server_->process->unix_url());
  std::atomic<int> outcome{0};  // 1: ConnectionError, 2: succeeded
  std::thread thread([&] {
    Command set("SET");
    set.key("tls:huge").arg(std::string(64 * 1024 * 1024, 'h'));
    try {
      writer.command(set);
      outcome = 2;
    } catch (const ConnectionError&) {
      outcome = 1;
    }
  });
  std::string id;
  bool seen = test::wait_for(
      [&] {
        std::istringstream lines(admin.command({"CLIENT", "LIST"}).as_string());
        for (std::string line; std::getline(lines, line);) {
          if (line.find("name=big-writer") != std::string::npos && line.find(" qbuf=0 ") == std::string::npos) {
            id = line.substr(3, line.find(' ') - 3);
            return true;
          }
        }
        return outcome.load() != 0;
      },
      10s);
  ASSERT_TRUE(seen);
  if (!id.empty()) admin.command({"CLIENT", "KILL", "ID", id});
  thread.join();
  EXPECT_EQ(outcome.load(), id.empty() ? 2 : 1);
}

TEST_F(TlsTest, MissingCaFileIsNamed) {
  try {
    Client client(url(*server_, "127.0.0.1", "ca_file=/nonexistent/ca.pem"));
    FAIL() << "no exception";
  } catch (const TlsError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos) << e.what();
  }
}

TEST_F(TlsTest, ManyCommandsAndPipelineOverTls) {
  Client client(url(*server_, "127.0.0.1", "ca_file=" + files().ca_cert.string()));
  Pipeline pipeline = client.pipeline();
  for (int i = 0; i < 5000; ++i) pipeline.add(std::move(Command("INCR").key("tls:counter")));
  auto replies = pipeline.exec();
  EXPECT_EQ(replies.back().as_integer() - replies.front().as_integer(), 4999);
  std::string big(2 * 1024 * 1024, 'q');
  Command set("SET");
  set.key("tls:big").arg(big);
  client.command(set);
  EXPECT_EQ(client.command({"GET", "tls:big"}).as_string(), big);
}

}  // namespace
}  // namespace redkit
