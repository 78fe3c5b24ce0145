// Pub/sub: delivery, patterns, cancellation, binary payloads, and
// resubscription after the server restarts.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "support/redis_server.hpp"
#include "support/redis_test.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;
using test::wait_for;

class PubSubTest : public RedisTest {};

struct Inbox {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> messages;
  Subscriber::Handler handler() {
    return [this](std::string_view channel, std::string_view message) {
      std::lock_guard lock(mutex);
      messages.emplace_back(channel, message);
    };
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
  std::pair<std::string, std::string> at(std::size_t i) {
    std::lock_guard lock(mutex);
    return messages.at(i);
  }
};

long long publish(const Client& client, const std::string& channel, const std::string& message) {
  Command publish = Command::keyless({"PUBLISH"});
  publish.arg(channel).arg(message);
  return client.command(publish).as_integer();
}

TEST_F(PubSubTest, SubscribedBeforeReturnSoNothingIsMissed) {
  Client client(redis().url());
  Inbox inbox;
  auto subscription = client.subscriber().subscribe(prefix() + "news", inbox.handler());
  // subscribe() returned after the server confirmed: one receiver, at once.
  EXPECT_EQ(publish(client, prefix() + "news", "first"), 1);
  ASSERT_TRUE(wait_for([&] { return inbox.size() == 1; }, 2s));
  EXPECT_EQ(inbox.at(0), std::make_pair(prefix() + "news", std::string("first")));
}

TEST_F(PubSubTest, PatternSubscriptionReportsTheChannel) {
  Client client(redis().url());
  Inbox inbox;
  auto subscription = client.subscriber().psubscribe(prefix() + "events.*", inbox.handler());
  EXPECT_EQ(publish(client, prefix() + "events.login", "alice"), 1);
  ASSERT_TRUE(wait_for([&] { return inbox.size() == 1; }, 2s));
  EXPECT_EQ(inbox.at(0).first, prefix() + "events.login");
  EXPECT_EQ(inbox.at(0).second, "alice");
}

TEST_F(PubSubTest, BinaryPayloadArrivesIntact) {
  Client client(redis().url());
  Inbox inbox;
  auto subscription = client.subscriber().subscribe(prefix() + "bin", inbox.handler());
  std::string payload("\0\1\2\r\n\0", 6);
  publish(client, prefix() + "bin", payload);
  ASSERT_TRUE(wait_for([&] { return inbox.size() == 1; }, 2s));
  EXPECT_EQ(inbox.at(0).second, payload);
}

TEST_F(PubSubTest, TwoHandlersOneServerSubscriptionAndCancel) {
  Client client(redis().url());
  Inbox a;
  Inbox b;
  auto first = client.subscriber().subscribe(prefix() + "c", a.handler());
  auto second = client.subscriber().subscribe(prefix() + "c", b.handler());
  EXPECT_EQ(publish(client, prefix() + "c", "1"), 1);  // one connection subscribed
  ASSERT_TRUE(wait_for([&] { return a.size() == 1 && b.size() == 1; }, 2s));
  first.cancel();
  publish(client, prefix() + "c", "2");
  ASSERT_TRUE(wait_for([&] { return b.size() == 2; }, 2s));
  EXPECT_EQ(a.size(), 1u);  // cancel() returned: the handler never runs again
  second.cancel();
  // The last handler gone, the server-side subscription goes too.
  ASSERT_TRUE(wait_for([&] { return publish(client, prefix() + "c", "3") == 0; }, 2s));
}

TEST_F(PubSubTest, ManyMessagesInOrder) {
  Client client(redis().url());
  Inbox inbox;
  auto subscription = client.subscriber().subscribe(prefix() + "seq", inbox.handler());
  Pipeline pipeline = client.pipeline();
  for (int i = 0; i < 1000; ++i) {
    pipeline.add(std::move(Command::keyless({"PUBLISH"}).arg(prefix() + "seq").arg(i)));
  }
  pipeline.exec();
  ASSERT_TRUE(wait_for([&] { return inbox.size() == 1000; }, 5s));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(inbox.at(static_cast<std::size_t>(i)).second, std::to_string(i));
}

TEST_F(PubSubTest, ResubscribesAfterRestartAndTellsReconnectHandlers) {
  Client client(redis().url());
  Inbox inbox;
  std::atomic<int> reconnected{0};
  auto on_reconnect = client.subscriber().on_reconnect([&] { reconnected.fetch_add(1); });
  auto subscription = client.subscriber().subscribe(prefix() + "r", inbox.handler());
  redis().restart();
  ASSERT_TRUE(wait_for([&] { return reconnected.load() == 1; }, 5s));
  EXPECT_EQ(client.subscriber().reconnects(), 1u);
  // The reconnect handler runs once every subscription is restored.
  EXPECT_EQ(publish(client, prefix() + "r", "after restart"), 1);
  ASSERT_TRUE(wait_for([&] { return inbox.size() == 1; }, 2s));
  EXPECT_EQ(inbox.at(0).second, "after restart");
}

TEST_F(PubSubTest, SubscribeToDownServerFailsWithConnectionError) {
  redis().stop();
  Client client(redis().url());
  Inbox inbox;
  EXPECT_THROW(client.subscriber().subscribe(prefix() + "x", inbox.handler()), ConnectionError);
}

TEST_F(PubSubTest, HandlerMaySubscribeAndCancelFromTheSubscriberThread) {
  Client client(redis().url());
  Inbox inbox;
  Subscription inner;
  std::mutex inner_mutex;
  auto outer = client.subscriber().subscribe(prefix() + "outer", [&](std::string_view, std::string_view) {
    std::lock_guard lock(inner_mutex);
    inner = client.subscriber().subscribe(prefix() + "inner", inbox.handler());
  });
  publish(client, prefix() + "outer", "go");
  ASSERT_TRUE(wait_for([&] { return publish(client, prefix() + "inner", "hello") == 1; }, 2s));
  ASSERT_TRUE(wait_for([&] { return inbox.size() >= 1; }, 2s));
  Subscription taken;
  {
    std::lock_guard lock(inner_mutex);
    taken = std::move(inner);
  }
  // Cancelled outside inner_mutex: cancel() waits for a running handler, and
  // the outer handler takes inner_mutex (see subscriber.hpp).
  taken.cancel();
}

}  // namespace
}  // namespace redkit

namespace redkit {
namespace {

TEST_F(PubSubTest, IdleSubscriberWithoutSubscriptionsStaysConnected) {
  Client client(redis().url());
  Inbox inbox;
  client.subscriber().subscribe(prefix() + "once", inbox.handler()).cancel();
  // With nothing subscribed the server answers the health PING with +PONG;
  // that must count as healthy, not as a broken connection.
  EXPECT_FALSE(wait_for([&] { return client.subscriber().reconnects() > 0; }, 2500ms));
}

TEST_F(PubSubTest, HandlerMayDropTheLastClientCopy) {
  Inbox inbox;
  std::atomic<bool> ran{false};
  {
    auto client = std::make_shared<Client>(redis().url());
    auto subscription = std::make_shared<Subscription>();
    // The handler owns the only remaining Client copy and its own
    // subscription: cancelling from inside it releases the client, whose
    // subscriber thread then ends without joining itself.
    *subscription = client->subscriber().subscribe(
        prefix() + "last", [client_copy = *client, subscription, &ran](std::string_view, std::string_view) mutable {
          subscription->cancel();
          ran = true;
        });
    Client publisher(redis().url());
    publish(publisher, prefix() + "last", "bye");
    client.reset();
    ASSERT_TRUE(wait_for([&] { return ran.load(); }, 2s));
  }
  SUCCEED();
}

TEST_F(PubSubTest, CancellingAHandlerThatOwnsAnotherSubscriptionDoesNotDeadlock) {
  Client client(redis().url());
  Inbox inbox;
  auto inner = std::make_shared<Subscription>(client.subscriber().subscribe(prefix() + "b", inbox.handler()));
  auto outer = client.subscriber().subscribe(prefix() + "a", [inner](std::string_view, std::string_view) {});
  inner.reset();  // only the outer handler owns it now
  outer.cancel();  // destroys the handler, which cancels the inner subscription
  ASSERT_TRUE(wait_for([&] { return publish(client, prefix() + "b", "x") == 0; }, 2s));
}

class PubSubAclTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::RedisProcessOptions options;
    test::add_acl_user(options, "app", "pw", {"~*", "&allowed:*", "+@all"});
    server_ = test::start_redis(options).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::string url() { return "redis://app:pw@127.0.0.1:" + std::to_string(server_->port()); }
  static devserver::RedisProcess* server_;
};

devserver::RedisProcess* PubSubAclTest::server_ = nullptr;

TEST_F(PubSubAclTest, RefusedChannelFailsAloneWithTheServersError) {
  Client client(url());
  Inbox inbox;
  auto allowed = client.subscriber().subscribe("allowed:1", inbox.handler());
  try {
    client.subscriber().subscribe("forbidden:1", inbox.handler());
    FAIL() << "subscription was not refused";
  } catch (const ReplyError& e) {
    EXPECT_EQ(e.code(), "NOPERM") << e.what();
  }
  // The refusal concerned that channel only: the connection and the other
  // subscription live on.
  EXPECT_EQ(publish(client, "allowed:1", "still here"), 1);
  ASSERT_TRUE(wait_for([&] { return inbox.size() == 1; }, 2s));
  EXPECT_EQ(client.subscriber().reconnects(), 0u);
}

}  // namespace
}  // namespace redkit
