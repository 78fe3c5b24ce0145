// Bad input to every lock entry point: each is refused with the exact
// exception type and a message naming the bad value, and the database is
// left exactly as it was (whole-database snapshot before and after).
// tests/BAD_INPUT.md lists what each test covers.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_names.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/redlock.hpp"
#include "support/db_snapshot.hpp"
#include "support/error_of.hpp"
#include "support/lock_service_test.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::error_of;

// Every test starts from a database holding a lock, a read lease and a
// key of someone else's, so "unchanged" means more than "still empty".
class BadInputLockTest : public test::LockServiceTest {
 protected:
  void SetUp() override {
    test::LockServiceTest::SetUp();
    held_ = std::make_unique<Lock>(locks().make("held", {.ttl = 60s, .auto_renew = false}));
    ASSERT_TRUE(held_->try_lock());
    reader_ = std::make_unique<Lock>(locks().make_reader("shared", {.ttl = 60s, .auto_renew = false}));
    ASSERT_TRUE(reader_->try_lock());
    client().command({"SET", prefix() + "unrelated", "v"});
    // The acquisitions' counts go to Redis now, not in the middle of a test.
    locks().flush_metrics();
    before_ = test::snapshot_db(client());
  }
  void TearDown() override {
    EXPECT_EQ(test::changes_since(before_, test::snapshot_db(client())), "");
    reader_.reset();
    held_.reset();
    test::LockServiceTest::TearDown();
  }

  std::unique_ptr<Lock> held_;
  std::unique_ptr<Lock> reader_;
  test::DbSnapshot before_;
};

// The snapshot without the shared lock metrics, which count refused
// acquisitions like any other attempt.
test::DbSnapshot without_metrics(test::DbSnapshot snapshot) {
  std::erase_if(snapshot.keys, [](const auto& key) { return key.first.find("{lock-metrics}") != std::string::npos; });
  return snapshot;
}

const std::string kLongName(600, 'x');
const std::string kLongNameMessage = "lock name \"" + std::string(32, 'x') + "...\" is 600 bytes long; the limit is 512";

TEST_F(BadInputLockTest, ServiceRefusesEmptyPrefixAndNegativeIntervals) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { LockService s(client(), {.prefix = ""}); }), "lock key prefix is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              LockService s(client(), {.prefix = prefix(), .owner_label = {}, .metrics_flush_interval = -1ms});
            }),
            "lock metrics_flush_interval -1 ms must not be negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              LockService s(client(), {.prefix = prefix(),
                                       .owner_label = {},
                                       .metrics_flush_interval = {},
                                       .deadlock_check_interval = -5ms});
            }),
            "lock deadlock_check_interval -5 ms must not be negative");
}

TEST_F(BadInputLockTest, MakeRefusesBadNamesAndOptions) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make(""); }), "lock name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make(kLongName); }), kLongNameMessage);
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make("a{b"); }),
            "lock name \"a{b\" holds '{' or '}', which would break its key's hash tag");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make("held}"); }),
            "lock name \"held}\" holds '{' or '}', which would break its key's hash tag");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make("n", {.ttl = 0ms}); }), "lock ttl 0 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make("held", {.ttl = -5ms}); }),
            "lock ttl -5 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make("n", {.retry = {.base_delay = -1ms}}); }),
            "lock retry delays -1 ms / 1000 ms must not be negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make("n", {.retry = {.max_delay = -2ms}}); }),
            "lock retry delays 10 ms / -2 ms must not be negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make("n", {.retry = {.max_attempts = -1}}); }),
            "lock retry max_attempts -1 must not be negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make("n", {.replica_acks = -2}); }),
            "lock replica_acks -2 must not be negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make("n", {.replica_acks = 1, .replica_ack_timeout = 0ms}); }),
            "lock replica_ack_timeout 0 ms must be positive when replica_acks is 1");
}

TEST_F(BadInputLockTest, ReaderAndWriterRefuseBadNamesAndOptions) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_reader(""); }), "lock name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_reader("sh{ared"); }),
            "lock name \"sh{ared\" holds '{' or '}', which would break its key's hash tag");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_reader("shared", {.ttl = 0ms}); }),
            "lock ttl 0 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_writer(kLongName); }), kLongNameMessage);
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_writer("shared", {.ttl = -1ms}); }),
            "lock ttl -1 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_writer("shared", {.retry = {.max_attempts = -3}}); }),
            "lock retry max_attempts -3 must not be negative");
}

TEST_F(BadInputLockTest, SemaphoreRefusesBadPermitsNamesAndOptions) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_semaphore("pool", 0); }),
            "semaphore \"pool\": permits 0 must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_semaphore("pool", -4); }),
            "semaphore \"pool\": permits -4 must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_semaphore("", 2); }), "lock name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_semaphore("pool", 2, {.ttl = 0ms}); }),
            "lock ttl 0 ms must be positive");
}

TEST_F(BadInputLockTest, SemaphoreRefusesAnotherPermitCountWhileHeld) {
  Lock three = locks().make_semaphore("pool", 3, {.ttl = 60s, .auto_renew = false});
  ASSERT_TRUE(three.try_lock());
  locks().flush_metrics();
  before_ = test::snapshot_db(client());
  Lock two = locks().make_semaphore("pool", 2);
  const std::string message = error_of<LockError>([&] { two.try_lock(); });
  EXPECT_NE(message.find("\"pool\""), std::string::npos) << message;
  EXPECT_NE(message.find('2'), std::string::npos) << message;
  EXPECT_NE(message.find('3'), std::string::npos) << message;
  // The refused attempt is counted like any other; only the counts may move.
  locks().flush_metrics();
  EXPECT_EQ(test::changes_since(without_metrics(before_), without_metrics(test::snapshot_db(client()))), "");
  three.unlock();
  before_ = test::snapshot_db(client());
}

TEST_F(BadInputLockTest, FairLockRefusesShortQueueTimeoutBadNamesAndOptions) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_fair("printer", {}, {.queue_timeout = 9ms}); }),
            "fair lock \"printer\": queue_timeout 9 ms must be at least 10 ms");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_fair("printer", {}, {.queue_timeout = -1ms}); }),
            "fair lock \"printer\": queue_timeout -1 ms must be at least 10 ms");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_fair("a}b"); }),
            "lock name \"a}b\" holds '{' or '}', which would break its key's hash tag");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_fair("printer", {.ttl = 0ms}); }),
            "lock ttl 0 ms must be positive");
}

TEST_F(BadInputLockTest, MultiLockRefusesNoNamesBadNamesAndReplicaAcks) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_multi({}); }), "a multi-lock needs at least one lock name");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_multi({"held", ""}); }), "lock name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_multi({"held", "b{a}d"}); }),
            "lock name \"b{a}d\" holds '{' or '}', which would break its key's hash tag");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_multi({"a", kLongName}); }), kLongNameMessage);
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_multi({"a", "b"}, {.ttl = 0ms}); }),
            "lock ttl 0 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().make_multi({"a", "b"}, {.replica_acks = 1}); }),
            "multi-lock replica_acks 1: replica acknowledgement is for single locks");
}

TEST_F(BadInputLockTest, WithLockRefusesBadNameWithoutRunningTheWork) {
  bool ran = false;
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().with_lock("", 1s, [&](std::stop_token) { ran = true; }); }),
            "lock name is empty");
  EXPECT_EQ(error_of<InvalidArgument>(
                [&] { locks().with_lock("job", 1s, [&](std::stop_token) { ran = true; }, {.ttl = 0ms}); }),
            "lock ttl 0 ms must be positive");
  EXPECT_FALSE(ran);
}

TEST_F(BadInputLockTest, HandleMisuseIsALockErrorNamingTheLock) {
  EXPECT_EQ(error_of<LockError>([&] { held_->try_lock(); }), "lock \"held\" is already held by this handle");
  EXPECT_EQ(error_of<InvalidArgument>([&] { held_->extend(0ms); }), "lock ttl 0 ms must be positive");
  EXPECT_EQ(error_of<InvalidArgument>([&] { held_->extend(-7ms); }), "lock ttl -7 ms must be positive");
  EXPECT_TRUE(held_->held());
  Lock idle = locks().make("idle");
  EXPECT_EQ(error_of<LockError>([&] { idle.release(); }), "lock \"idle\" is not held by this handle");
  EXPECT_EQ(error_of<LockError>([&] { idle.extend(1s); }), "lock \"idle\" is not held by this handle");
  MultiLock both = locks().make_multi({"m1", "m2"});
  EXPECT_EQ(error_of<LockError>([&] { both.release(); }), "lock \"m1\" is not held by this handle");
}

TEST_F(BadInputLockTest, RegistryQueriesRefuseBadNames) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().info(""); }), "lock name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().holders("x{y}"); }),
            "lock name \"x{y}\" holds '{' or '}', which would break its key's hash tag");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().force_release(""); }), "lock name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().force_release("held}"); }),
            "lock name \"held}\" holds '{' or '}', which would break its key's hash tag");
  EXPECT_EQ(error_of<InvalidArgument>([&] { locks().force_release(kLongName); }), kLongNameMessage);
  // A name nobody holds is not bad input: nothing to release.
  EXPECT_FALSE(locks().force_release("nobody"));
  EXPECT_FALSE(locks().info("nobody").has_value());
}

TEST_F(BadInputLockTest, NameHelpersRefuseBadParts) {
  using namespace lock_names;
  EXPECT_EQ(error_of<InvalidArgument>([] { resource("account", ""); }), "part 3 of lock name \"resource:account:\" is empty");
  EXPECT_EQ(error_of<InvalidArgument>([] { user(""); }), "part 2 of lock name \"user:\" is empty");
  EXPECT_EQ(error_of<InvalidArgument>([] { operation("transfer", "a:b"); }),
            "lock name part \"a:b\" holds ':', '{' or '}'");
  EXPECT_EQ(error_of<InvalidArgument>([] { hierarchical({}); }), "a lock name needs at least one part");
  EXPECT_EQ(error_of<InvalidArgument>([] { hierarchical({"x", "{y}"}); }),
            "lock name part \"{y}\" holds ':', '{' or '}'");
  EXPECT_EQ(error_of<InvalidArgument>([] { user(std::string(600, 'u')); }),
            "lock name \"user:" + std::string(27, 'u') + "...\" is 605 bytes long; the limit is 512");
}

// Redlock over the suite's one server (N = 1 is allowed).
class BadInputRedlockTest : public BadInputLockTest {
 protected:
  RedlockOptions options() const {
    RedlockOptions o;
    o.ttl = 10s;
    o.prefix = prefix();
    return o;
  }
};

TEST_F(BadInputRedlockTest, ConstructorRefusesBadMastersAndOptions) {
  const Client master(redis().url());
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({}, options()); }),
            "Redlock needs at least one master; the list of masters is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master, Client(redis().unix_url())}, options()); }),
            "Redlock over 2 masters: the count must be odd (2 masters tolerate no more failures than 1)");
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master, master, Client(redis().unix_url())}, options()); }),
            "Redlock masters must be independent: " + master.options().connection.endpoint() + " is given twice");
  auto bad = options();
  bad.ttl = 0ms;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master}, bad); }), "redlock ttl 0 ms must be positive");
  bad = options();
  bad.node_timeout = 10s;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master}, bad); }),
            "redlock node_timeout 10000 ms must be positive and shorter than the ttl (10000 ms)");
  bad = options();
  bad.node_timeout = 0ms;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master}, bad); }),
            "redlock node_timeout 0 ms must be positive and shorter than the ttl (10000 ms)");
  bad = options();
  bad.clock_drift_factor = 1.0;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master}, bad); }),
            "redlock clock_drift_factor 1 must be at least 0 and below 1");
  bad.clock_drift_factor = std::nan("");
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master}, bad); }),
            "redlock clock_drift_factor nan must be at least 0 and below 1");
  bad = options();
  bad.retry.base_delay = -1ms;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master}, bad); }),
            "redlock retry delays -1 ms / 500 ms must not be negative");
  bad = options();
  bad.retry.max_attempts = -1;
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master}, bad); }),
            "redlock retry max_attempts -1 must not be negative");
  bad = options();
  bad.prefix = "";
  EXPECT_EQ(error_of<InvalidArgument>([&] { Redlock r({master}, bad); }), "redlock key prefix is empty");
}

TEST_F(BadInputRedlockTest, AcquireAndExtendRefuseBadNamesAndTtls) {
  Redlock redlock({Client(redis().url())}, options());
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)redlock.try_lock(""); }), "lock name is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)redlock.try_lock_for("a{b}", 1s); }),
            "lock name \"a{b}\" holds '{' or '}', which would break its key's hash tag");
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)redlock.lock(kLongName); }), kLongNameMessage);

  auto lease = redlock.try_lock("report");
  ASSERT_TRUE(lease.has_value());
  before_ = test::snapshot_db(client());
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)lease->extend(0ms); }),
            "redlock ttl 0 ms must be positive and longer than the node_timeout (100 ms)");
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)lease->extend(100ms); }),
            "redlock ttl 100 ms must be positive and longer than the node_timeout (100 ms)");
  EXPECT_EQ(test::changes_since(before_, test::snapshot_db(client())), "");
  lease->release();
  before_ = test::snapshot_db(client());
  EXPECT_EQ(error_of<LockError>([&] { (void)lease->extend(1s); }), "redlock \"report\" was released");
  EXPECT_EQ(error_of<LockError>([&] { (void)lease->release(); }), "redlock \"report\" was released");
}

}  // namespace
}  // namespace redkit
