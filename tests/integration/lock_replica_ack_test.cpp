// LockOptions::replica_acks against a real master with one real replica:
// enough acknowledgements acquire, too few release the lock again and throw
// LockError naming both counts, a paused replica fails within the timeout.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"
#include "support/lock_service_test.hpp"
#include "support/redis_server.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::RedisProcess;

class LockReplicaAckTest : public test::LockServiceTest {
 protected:
  static void SetUpTestSuite() { LockServiceTest::SetUpTestSuite(); }
  static void TearDownTestSuite() {
    replica_slot().reset();
    LockServiceTest::TearDownTestSuite();
  }
  void SetUp() override {
    LockServiceTest::SetUp();
    auto& replica = replica_slot();
    Client master_admin(redis().unix_url());
    if (!replica) {
      // The initial sync would otherwise wait 5 s for more replicas to join.
      master_admin.command({"CONFIG", "SET", "repl-diskless-sync-delay", "0"});
      replica = test::start_redis(
          {.extra_args = {"--replicaof", "127.0.0.1", std::to_string(redis().port())}});
    }
    if (replica->paused()) replica->resume();
    // Replication is asynchronous to set up: await the link before testing,
    // and then the command stream itself (after a full sync the master
    // starts streaming at the replica's first acknowledgement, up to a
    // second later), shown by a write the replica acknowledges.
    ASSERT_TRUE(test::wait_for([&] { return online_replicas(master_admin) == 1; }, 10s))
        << master_admin.command({"INFO", "replication"}).as_string();
    const std::array<Command, 2> probe{Command::raw({"SET", prefix() + "replication-probe", "1"}),
                                       Command::keyless({"WAIT", "1", "100"})};
    ASSERT_TRUE(test::wait_for([&] { return master_admin.execute(probe).at(1).as_integer() == 1; }, 10s))
        << master_admin.command({"INFO", "replication"}).as_string();
  }

  static std::unique_ptr<RedisProcess>& replica_slot() {
    static std::unique_ptr<RedisProcess> replica;
    return replica;
  }
  static RedisProcess& replica() { return *replica_slot(); }

  // Replicas listed with state=online by INFO replication: connected_slaves
  // also counts a replica still loading the initial sync, which cannot
  // acknowledge anything yet.
  static int online_replicas(const Client& admin) {
    const std::string info = admin.command({"INFO", "replication"}).as_string();
    int online = 0;
    for (auto at = info.find("state=online"); at != std::string::npos; at = info.find("state=online", at + 1)) {
      ++online;
    }
    return online;
  }
  LockOptions acked(int replicas, std::chrono::milliseconds timeout = 500ms) const {
    return LockOptions{.ttl = 10s,
                       .auto_renew = false,
                       .owner_label = "",
                       .retry = {},
                       .on_lost = {},
                       .replica_acks = replicas,
                       .replica_ack_timeout = timeout};
  }
  std::string lock_error_of(Lock& lock) {
    try {
      lock.try_lock();
    } catch (const LockError& e) {
      return e.what();
    }
    return "no LockError";
  }
};

TEST_F(LockReplicaAckTest, AcquiresWhenEnoughReplicasAcknowledge) {
  Lock lock = locks().make("acked", acked(1));
  ASSERT_TRUE(lock.try_lock());
  EXPECT_TRUE(lock.held());
  // Acknowledged means the replica has the holder already.
  Client replica_client(replica().unix_url());
  EXPECT_EQ(replica_client.command({"HGET", holder_key("acked"), "token"}).is_string(), true);
  // A contender also waits for the replicas, and is refused as usual.
  Lock rival = locks().make("acked", acked(1));
  EXPECT_FALSE(rival.try_lock());
  EXPECT_EQ(lock.release(), LockOutcome::done);
}

TEST_F(LockReplicaAckTest, TooFewReplicasReleaseAndThrowNamingTheCounts) {
  Lock lock = locks().make("short", acked(2, 200ms));
  auto start = Clock::now();
  EXPECT_EQ(lock_error_of(lock),
            "lock \"short\" was acquired but only 1 of the 2 required replicas acknowledged it within 200 ms; "
            "released again");
  EXPECT_GE(Clock::now() - start, 200ms);
  EXPECT_FALSE(lock.held());
  // Nothing left behind: another holder gets it at once.
  EXPECT_EQ(client().command({"EXISTS", holder_key("short")}).as_integer(), 0);
  Lock plain = locks().make("short", {.ttl = 10s});
  EXPECT_TRUE(plain.try_lock());
}

TEST_F(LockReplicaAckTest, PausedReplicaFailsWithinTheTimeout) {
  replica().pause();
  Lock lock = locks().make("paused", acked(1, 300ms));
  auto start = Clock::now();
  EXPECT_NE(lock_error_of(lock).find("only 0 of the 1 required replicas"), std::string::npos);
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 300ms + 700ms);
  EXPECT_EQ(client().command({"EXISTS", holder_key("paused")}).as_integer(), 0);
  replica().resume();
}

TEST_F(LockReplicaAckTest, WaitingAcquisitionAlsoAcknowledges) {
  Lock holder = locks().make("queue", {.ttl = 10s});
  ASSERT_TRUE(holder.try_lock());
  Lock waiter = locks().make("queue", acked(1));
  std::jthread releaser([&] {
    // Release once the waiter is waiting (it subscribed to the release channel).
    test::wait_for([&] { return client().command({"PUBSUB", "NUMSUB", holder_key("queue") + ":released"})
                                    .as_array()
                                    .at(1)
                                    .as_integer() > 0; },
                   5s);
    holder.unlock();
  });
  EXPECT_TRUE(waiter.try_lock_for(5s));
  releaser.join();
  EXPECT_TRUE(waiter.held());
}

TEST_F(LockReplicaAckTest, RefusesBadInputNamingIt) {
  EXPECT_NE(message_of([&] { locks().make("n", acked(-1)); }).find("replica_acks -1"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make("n", acked(1, 0ms)); }).find("replica_ack_timeout 0 ms"),
            std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_multi({"a", "b"}, acked(1)); }).find("replica_acks 1"),
            std::string::npos);
  // Off (the default) needs no timeout.
  EXPECT_NO_THROW(locks().make("n", acked(0, 0ms)));
}

}  // namespace
}  // namespace redkit
