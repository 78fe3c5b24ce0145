// ConnectionOptions::from_url: every accepted form, and clear errors for bad
// URLs that never leak the password.
#include <gtest/gtest.h>

#include <cstdlib>

#include "redkit/error.hpp"
#include "redkit/options.hpp"

namespace redkit {
namespace {

using Transport = ConnectionOptions::Transport;

std::string error_of(std::string_view url) {
  try {
    ConnectionOptions::from_url(url);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no error";
}

TEST(UrlTest, HostOnlyUsesDefaults) {
  auto o = ConnectionOptions::from_url("redis://cache.internal");
  EXPECT_EQ(o.transport, Transport::tcp);
  EXPECT_EQ(o.host, "cache.internal");
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.db, 0);
  EXPECT_TRUE(o.user.empty());
  EXPECT_TRUE(o.password.empty());
  EXPECT_FALSE(o.tls.enabled);
}

TEST(UrlTest, FullFormWithUserPasswordPortAndDb) {
  auto o = ConnectionOptions::from_url("redis://app:s3cret@10.0.0.5:6380/3");
  EXPECT_EQ(o.user, "app");
  EXPECT_EQ(o.password, "s3cret");
  EXPECT_EQ(o.host, "10.0.0.5");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.db, 3);
  EXPECT_EQ(o.endpoint(), "10.0.0.5:6380");
  EXPECT_EQ(o.to_redacted_url(), "redis://app:***@10.0.0.5:6380/3");
}

TEST(UrlTest, PasswordOnlyForms) {
  auto with_colon = ConnectionOptions::from_url("redis://:pw@h");
  EXPECT_EQ(with_colon.user, "");
  EXPECT_EQ(with_colon.password, "pw");
  auto without_colon = ConnectionOptions::from_url("redis://pw@h");
  EXPECT_EQ(without_colon.password, "pw");
}

TEST(UrlTest, PercentEscapesInCredentials) {
  auto o = ConnectionOptions::from_url("redis://us%40er:p%3Aw%2F@h:1");
  EXPECT_EQ(o.user, "us@er");
  EXPECT_EQ(o.password, "p:w/");
}

TEST(UrlTest, Ipv6Host) {
  auto o = ConnectionOptions::from_url("redis://[::1]:7000");
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 7000);
  EXPECT_EQ(o.endpoint(), "[::1]:7000");
}

TEST(UrlTest, TlsSchemeAndOptions) {
  auto o = ConnectionOptions::from_url(
      "rediss://cache:6380?ca_file=/etc/ca.pem&cert=/c.pem&key=/k.pem&sni=redis.example&verify=yes");
  EXPECT_TRUE(o.tls.enabled);
  EXPECT_EQ(o.tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(o.tls.cert_file, "/c.pem");
  EXPECT_EQ(o.tls.key_file, "/k.pem");
  EXPECT_EQ(o.tls.server_name, "redis.example");
  EXPECT_TRUE(o.tls.verify_peer);
  EXPECT_EQ(o.endpoint(), "rediss://cache:6380");
}

TEST(UrlTest, UnixSocketWithDbAndPassword) {
  auto o = ConnectionOptions::from_url("unix:///run/redis/redis.sock?db=2");
  EXPECT_EQ(o.transport, Transport::unix_socket);
  EXPECT_EQ(o.path, "/run/redis/redis.sock");
  EXPECT_EQ(o.db, 2);
  EXPECT_EQ(o.endpoint(), "unix:/run/redis/redis.sock");
  auto with_auth = ConnectionOptions::from_url("unix://app:pw@/tmp/r.sock");
  EXPECT_EQ(with_auth.user, "app");
  EXPECT_EQ(with_auth.password, "pw");
  EXPECT_EQ(with_auth.path, "/tmp/r.sock");
}

TEST(UrlTest, TimeoutsAndNameFromQuery) {
  auto o = ConnectionOptions::from_url("redis://h?connect_timeout=250ms&timeout=2s&name=worker-1");
  EXPECT_EQ(o.connect_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(o.command_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(o.client_name, "worker-1");
}

TEST(UrlTest, BadUrlsNameTheProblem) {
  EXPECT_NE(error_of("localhost:6379").find("missing scheme"), std::string::npos);
  EXPECT_NE(error_of("http://h").find("unknown scheme \"http\""), std::string::npos);
  EXPECT_NE(error_of("redis://h:99999").find("port 99999 is out of range"), std::string::npos);
  EXPECT_NE(error_of("redis://h:abc").find("port \"abc\" is not a number"), std::string::npos);
  EXPECT_NE(error_of("redis://h:").find("port \"\" is not a number"), std::string::npos);
  EXPECT_NE(error_of("redis://h/x").find("database \"x\" is not a number"), std::string::npos);
  EXPECT_NE(error_of("redis://:6379").find("missing host"), std::string::npos);
  EXPECT_NE(error_of("redis://[::1").find("unclosed '['"), std::string::npos);
  // Bytes no host can hold (a URL printed back would not read the same).
  EXPECT_NE(error_of("redis://ca[che:6379").find("host \"ca[che\" holds '['"), std::string::npos);
  EXPECT_NE(error_of("redis://a b").find("host \"a b\" holds ' '"), std::string::npos);
  EXPECT_NE(error_of("redis://[::1]x]:1").find("after IPv6 host"), std::string::npos);
  EXPECT_NE(error_of("redis://[::1 ]").find("which no host name or IPv6 address can hold"), std::string::npos);
  EXPECT_NE(error_of("redis://[~01]:80/1").find("host \"[~01]\" in brackets is not an IPv6 address"),
            std::string::npos);
  EXPECT_EQ(ConnectionOptions::from_url("redis://[fe80::1%eth0]:7000").host, "fe80::1%eth0");
  EXPECT_EQ(ConnectionOptions::from_url("redis://my_cache-1.internal").host, "my_cache-1.internal");
  EXPECT_NE(error_of("redis://h?colour=blue").find("unknown option \"colour\""), std::string::npos);
  EXPECT_NE(error_of("redis://h?ca_file=/x").find("TLS options need the rediss:// scheme"), std::string::npos);
  EXPECT_NE(error_of("redis://h?timeout=soon").find("invalid duration \"soon\""), std::string::npos);
  EXPECT_NE(error_of("unix://relative.sock").find("expected an absolute socket path"), std::string::npos);
  EXPECT_NE(error_of("redis://u%zz:p@h").find("bad percent-escape in user name"), std::string::npos);
  EXPECT_NE(error_of("rediss://h?cert=/c.pem").find("both a cert and a key"), std::string::npos);
  EXPECT_NE(error_of("redis://h?connect_timeout=0").find("connect timeout 0 ms must be positive"),
            std::string::npos);
}

TEST(UrlTest, PasswordsMayHoldSlashQuestionMarkAndAt) {
  auto o = ConnectionOptions::from_url("redis://app:pa/ss?w@rd@h:6380/1?name=x");
  EXPECT_EQ(o.user, "app");
  EXPECT_EQ(o.password, "pa/ss?w@rd");
  EXPECT_EQ(o.host, "h");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.db, 1);
  EXPECT_EQ(o.client_name, "x");
  auto unix_socket = ConnectionOptions::from_url("unix://:pa/ss@/tmp/r.sock");
  EXPECT_EQ(unix_socket.password, "pa/ss");
  EXPECT_EQ(unix_socket.path, "/tmp/r.sock");
}

TEST(UrlTest, Ipv6HostWithoutPort) {
  auto o = ConnectionOptions::from_url("redis://[::1]/2");
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.db, 2);
}

TEST(UrlTest, NoPartOfAPasswordEverAppearsInErrors) {
  for (const char* url : {"redis://user:Zq7/Xw@host:0", "redis://user:Zq7?Xw@host:x", "redis://:Zq7@Xw@host/x",
                          "unix://:Zq7/Xw@relative", "redis://u:Zq7/Xw@h?colour=1", "redis://Zq7/Xw@h:0",
                          "bogus://user:Zq7/Xw@h"}) {
    std::string message = error_of(url);
    EXPECT_NE(message, "no error") << url;
    EXPECT_EQ(message.find("Zq7"), std::string::npos) << message;
    EXPECT_EQ(message.find("Xw"), std::string::npos) << message;
  }
}

TEST(UrlTest, ErrorsQuoteTheUrlButNeverThePassword) {
  std::string message = error_of("redis://app:topsecret@h:0");
  EXPECT_NE(message.find("redis://app:***@h:0"), std::string::npos) << message;
  EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
}

TEST(UrlTest, FromEnvPrefersRedisUrl) {
  ::setenv("REDIS_URL", "redis://from-env:7777", 1);
  EXPECT_EQ(ConnectionOptions::from_env().endpoint(), "from-env:7777");
  ::setenv("REDIS_URL", "", 1);
  EXPECT_EQ(ConnectionOptions::from_env().endpoint(), "127.0.0.1:6379");
  ::unsetenv("REDIS_URL");
  EXPECT_EQ(ConnectionOptions::from_env().endpoint(), "127.0.0.1:6379");
}

}  // namespace
}  // namespace redkit
