// Read-write locks against a real server: shared readers, exclusive writer,
// exclusion with exclusive locks, writer preference, fencing, the registry,
// the writer's release outcomes, bad input, and a concurrent run that counts
// overlaps. What read leases share with semaphore permits (renewal, expiry,
// loss, their outcomes) is in lease_test.cpp.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "client/embedded_scripts.hpp"
#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"
#include "support/lock_service_test.hpp"
#include "support/wait_for.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::wait_for;

class ReadWriteLockTest : public test::LockServiceTest {
 protected:
  std::string readers_key(const std::string& name) { return holder_key(name) + ":readers"; }
  std::string intents_key(const std::string& name) { return holder_key(name) + ":intents"; }
  long long count_readers(const std::string& name) {
    return client().command({"ZCARD", readers_key(name)}).as_integer();
  }
};

TEST_F(ReadWriteLockTest, ManyReadersHoldTheLockAtOnce) {
  std::vector<Lock> readers;
  for (int i = 0; i < 5; ++i) readers.push_back(locks().make_reader("doc"));
  for (Lock& reader : readers) EXPECT_TRUE(reader.try_lock());
  for (Lock& reader : readers) EXPECT_TRUE(reader.held());
  EXPECT_EQ(count_readers("doc"), 5);
  for (Lock& reader : readers) EXPECT_EQ(reader.release(), LockOutcome::done);
  // The last reader out leaves no key behind but the fencing counter.
  EXPECT_EQ(client().command({"EXISTS", readers_key("doc"), readers_key("doc") + ":owners"}).as_integer(), 0);
}

TEST_F(ReadWriteLockTest, WriterExcludesReadersAndReadersExcludeTheWriter) {
  Lock reader = locks().make_reader("doc");
  Lock other_reader = locks().make_reader("doc");
  Lock writer = locks().make_writer("doc");
  ASSERT_TRUE(reader.try_lock());
  EXPECT_FALSE(writer.try_lock());
  EXPECT_FALSE(writer.try_lock_for(100ms));
  EXPECT_FALSE(writer.held());
  reader.unlock();
  ASSERT_TRUE(writer.try_lock());
  EXPECT_EQ(client().command({"HGET", holder_key("doc"), "kind"}).as_string(), "write");
  // Who holds it, for the deadlock detector's wait-for graph, as for an exclusive holder.
  EXPECT_FALSE(client().command({"HGET", holder_key("doc"), "owner"}).is_nil());
  EXPECT_FALSE(reader.try_lock());
  EXPECT_FALSE(other_reader.try_lock_for(100ms));
  Lock second_writer = locks().make_writer("doc");
  EXPECT_FALSE(second_writer.try_lock());
  writer.unlock();
  EXPECT_TRUE(reader.try_lock());
  EXPECT_TRUE(other_reader.try_lock());
}

TEST_F(ReadWriteLockTest, ExclusiveLockAndWriterExcludeEachOther) {
  Lock exclusive = locks().make("doc");
  Lock writer = locks().make_writer("doc");
  Lock reader = locks().make_reader("doc");
  ASSERT_TRUE(exclusive.try_lock());
  EXPECT_FALSE(writer.try_lock());
  // Readers wait for an exclusive holder too.
  EXPECT_FALSE(reader.try_lock());
  exclusive.unlock();
  ASSERT_TRUE(writer.try_lock());
  EXPECT_FALSE(exclusive.try_lock());
  writer.unlock();
  EXPECT_TRUE(exclusive.try_lock());
}

TEST_F(ReadWriteLockTest, WaitingWriterIsWokenByTheLastReadersRelease) {
  Lock first = locks().make_reader("doc", {.ttl = 30s});
  Lock second = locks().make_reader("doc", {.ttl = 30s});
  // Retries that would come only after 20 s: only a wake-up can be in time.
  Lock writer = locks().make_writer("doc", {.ttl = 30s, .retry = {.base_delay = 20s, .max_delay = 20s}},
                                    {.writer_preference = false});
  ASSERT_TRUE(first.try_lock());
  ASSERT_TRUE(second.try_lock());
  std::atomic<bool> acquired{false};
  std::thread thread([&] { acquired = writer.try_lock_for(25s); });
  ASSERT_TRUE(wait_for(
      [&] {
        auto channels = client().command(Command::keyless({"PUBSUB", "NUMSUB"}).arg(holder_key("doc") + ":released"));
        return channels.as_array()[1].as_integer() == 1;
      },
      5s));
  first.unlock();
  std::this_thread::sleep_for(50ms);  // one reader is still inside: the writer must keep waiting
  EXPECT_FALSE(acquired.load());
  const auto released_at = Clock::now();
  second.unlock();
  thread.join();
  EXPECT_TRUE(acquired.load());
  EXPECT_LT(Clock::now() - released_at, 5s);
}

TEST_F(ReadWriteLockTest, ConcurrentReadersAndWritersNeverOverlap) {
  constexpr int kReaders = 6;
  constexpr int kWriters = 2;
  const std::string data = prefix() + "data";
  std::atomic<int> readers_in{0};
  std::atomic<int> writers_in{0};
  std::atomic<int> violations{0};
  std::atomic<int> reads{0};
  std::atomic<int> writes{0};
  std::atomic<int> timeouts{0};
  std::atomic<bool> stop{false};
  std::mutex fences_mutex;
  std::vector<std::uint64_t> fences;  // guarded by fences_mutex
  auto record = [&](FencingToken fence) {
    std::lock_guard lock(fences_mutex);
    fences.push_back(fence.value);
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kReaders; ++t) {
    threads.emplace_back([&] {
      Lock reader = locks().make_reader("shared", {.ttl = 5s});
      while (!stop.load()) {
        if (!reader.try_lock_for(5s)) {
          timeouts.fetch_add(1);
          continue;
        }
        readers_in.fetch_add(1);
        if (writers_in.load() != 0) violations.fetch_add(1);
        // The server agrees: no writer in the holder hash; and no writer
        // changes the data while we read it.
        if (!client().command({"HGET", holder_key("shared"), "kind"}).is_nil()) violations.fetch_add(1);
        auto before = client().command({"GET", data}).as_optional_string();
        std::this_thread::sleep_for(1ms);
        auto after = client().command({"GET", data}).as_optional_string();
        if (before != after) violations.fetch_add(1);
        if (writers_in.load() != 0) violations.fetch_add(1);
        readers_in.fetch_sub(1);
        record(reader.fence());
        reads.fetch_add(1);
        reader.unlock();
      }
    });
  }
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&] {
      Lock writer = locks().make_writer("shared", {.ttl = 5s});
      while (!stop.load()) {
        if (!writer.try_lock_for(5s)) {
          timeouts.fetch_add(1);
          continue;
        }
        if (writers_in.fetch_add(1) != 0 || readers_in.load() != 0) violations.fetch_add(1);
        if (client().command({"ZCARD", readers_key("shared")}).as_integer() != 0) violations.fetch_add(1);
        // Read-modify-write in two round trips: only the lock makes it safe.
        auto value = client().command({"GET", data}).as_optional_string();
        const int next = value ? std::stoi(*value) + 1 : 1;
        client().command({"SET", data, std::to_string(next)});
        if (readers_in.load() != 0) violations.fetch_add(1);
        writers_in.fetch_sub(1);
        record(writer.fence());
        writes.fetch_add(1);
        writer.unlock();
        // Two preferring writers taking turns back to back would keep the
        // readers out (that is what preference means); leave them a gap.
        std::this_thread::sleep_for(5ms);
      }
    });
  }
  std::this_thread::sleep_for(3s);
  stop = true;
  for (auto& t : threads) t.join();

  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(timeouts.load(), 0);
  EXPECT_GT(reads.load(), 50);
  EXPECT_GT(writes.load(), 20);
  EXPECT_EQ(client().command({"GET", data}).as_string(), std::to_string(writes.load()));
  // Every acquisition, read or write, took its own fencing token.
  std::set<std::uint64_t> distinct(fences.begin(), fences.end());
  EXPECT_EQ(distinct.size(), fences.size());
  EXPECT_EQ(fences.size(), static_cast<std::size_t>(reads.load() + writes.load()));
  EXPECT_TRUE(locks().holders("shared").empty());
}

TEST_F(ReadWriteLockTest, WriterPreferenceLetsAWriterInDespiteAStreamOfReaders) {
  constexpr int kReaders = 4;
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::atomic<int> readers_in{0};
  std::atomic<int> overlaps{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kReaders; ++t) {
    threads.emplace_back([&, t] {
      Lock reader = locks().make_reader("busy", {.ttl = 5s});
      // Each reader re-enters at once and holds for its own time, so the
      // readers drift apart and overlap: without preference the lock is
      // almost never free of them.
      const auto hold = 30ms + t * 11ms;
      while (!stop.load()) {
        if (!reader.try_lock_for(5s)) continue;
        readers_in.fetch_add(1);
        reads.fetch_add(1);
        std::this_thread::sleep_for(hold);
        readers_in.fetch_sub(1);
        reader.unlock();
      }
    });
  }
  ASSERT_TRUE(wait_for([&] { return reads.load() >= 20; }, 5s));
  Lock writer = locks().make_writer("busy", {.ttl = 5s});
  const auto start = Clock::now();
  const bool acquired = writer.try_lock_for(2s);
  const auto waited = Clock::now() - start;
  if (acquired && readers_in.load() != 0) overlaps.fetch_add(1);
  const long long readers_inside = count_readers("busy");
  if (acquired) writer.unlock();
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_TRUE(acquired);
  EXPECT_LT(waited, 2s);
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(readers_inside, 0);
}

TEST_F(ReadWriteLockTest, WaitingWriterHoldsNewReadersBackOnlyWithPreference) {
  Lock reader = locks().make_reader("doc");
  Lock newcomer = locks().make_reader("doc");
  ASSERT_TRUE(reader.try_lock());

  Lock plain = locks().make_writer("doc", {}, {.writer_preference = false});
  std::thread waiting_plain([&] { EXPECT_FALSE(plain.try_lock_for(300ms)); });
  std::this_thread::sleep_for(100ms);  // the writer is waiting by now
  EXPECT_EQ(client().command({"EXISTS", intents_key("doc")}).as_integer(), 0);
  EXPECT_TRUE(newcomer.try_lock());
  newcomer.unlock();
  waiting_plain.join();

  Lock preferring = locks().make_writer("doc");
  std::thread waiting([&] { EXPECT_FALSE(preferring.try_lock_for(300ms)); });
  ASSERT_TRUE(wait_for([&] { return client().command({"EXISTS", intents_key("doc")}).as_integer() == 1; }, 2s));
  EXPECT_FALSE(newcomer.try_lock());
  waiting.join();
  // A writer that gives up withdraws its intent at once.
  EXPECT_EQ(client().command({"EXISTS", intents_key("doc")}).as_integer(), 0);
  EXPECT_TRUE(newcomer.try_lock());
}

TEST_F(ReadWriteLockTest, IntentOfAWriterThatDiedLapsesWithinASecond) {
  Lock reader = locks().make_reader("doc");
  ASSERT_TRUE(reader.try_lock());
  // A writer that recorded its intent and then died: one refused attempt,
  // never repeated, never withdrawn.
  const Script& acquire = detail::embedded_script(detail::ScriptName::rwlock_write_acquire);
  auto refused = client().command(acquire.call(
      {holder_key("doc"), holder_key("doc") + ":state", readers_key("doc"), readers_key("doc") + ":owners",
       intents_key("doc")},
      {"ghost", "10000", "h", "1", "", "write", "1000", "h/1/1"}));
  ASSERT_EQ(refused.as_array()[0].as_integer(), 0);
  // Asked to come back within a third of the intent's TTL.
  EXPECT_LE(refused.as_array()[1].as_integer(), 333);
  Lock newcomer = locks().make_reader("doc", {.retry = {.base_delay = 20s, .max_delay = 20s}});
  EXPECT_FALSE(newcomer.try_lock());
  const auto start = Clock::now();
  EXPECT_TRUE(newcomer.try_lock_for(3s));
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST_F(ReadWriteLockTest, FencesIncreaseAcrossReadersAndWriters) {
  Lock r1 = locks().make_reader("fenced");
  Lock r2 = locks().make_reader("fenced");
  Lock w = locks().make_writer("fenced");
  Lock e = locks().make("fenced");
  std::vector<std::uint64_t> fences;
  ASSERT_TRUE(r1.try_lock());
  fences.push_back(r1.fence().value);
  ASSERT_TRUE(r2.try_lock());
  fences.push_back(r2.fence().value);
  r1.unlock();
  r2.unlock();
  ASSERT_TRUE(w.try_lock());
  fences.push_back(w.fence().value);
  w.unlock();
  ASSERT_TRUE(e.try_lock());
  fences.push_back(e.fence().value);
  e.unlock();
  ASSERT_TRUE(r1.try_lock());
  fences.push_back(r1.fence().value);
  for (std::size_t i = 1; i < fences.size(); ++i) EXPECT_LT(fences[i - 1], fences[i]) << "at " << i;
}

TEST_F(ReadWriteLockTest, RegistryShowsEachReaderAndTheWriter) {
  Lock first = locks().make_reader("doc", {.ttl = 20s, .owner_label = "reader one"});
  Lock second = locks().make_reader("doc", {.ttl = 30s, .owner_label = "reader two"});
  Lock other = locks().make("other");
  ASSERT_TRUE(first.try_lock());
  ASSERT_TRUE(second.try_lock());
  ASSERT_TRUE(other.try_lock());

  auto held = locks().list();
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(held[0].name, "doc");
  EXPECT_EQ(held[0].kind, "read");
  EXPECT_EQ(held[0].label, "reader one");
  EXPECT_EQ(held[0].pid, static_cast<long>(::getpid()));
  EXPECT_EQ(held[0].fence, first.fence());
  EXPECT_EQ(held[0].ttl, 20s);
  EXPECT_GT(held[0].ttl_left, 15s);
  EXPECT_GT(held[0].acquired_at_ms, 0);
  EXPECT_EQ(held[1].name, "doc");
  EXPECT_EQ(held[1].kind, "read");
  EXPECT_EQ(held[1].label, "reader two");
  EXPECT_EQ(held[1].fence, second.fence());
  EXPECT_EQ(held[2].name, "other");
  EXPECT_EQ(held[2].kind, "exclusive");

  auto holders = locks().holders("doc");
  ASSERT_EQ(holders.size(), 2u);
  EXPECT_EQ(holders[0].label, "reader one");
  ASSERT_TRUE(locks().info("doc").has_value());
  EXPECT_EQ(locks().info("doc")->fence, first.fence());
  // An extension shows in the registry.
  EXPECT_EQ(first.extend(40s), LockOutcome::done);
  EXPECT_EQ(locks().holders("doc")[0].ttl, 40s);
  EXPECT_EQ(locks().find_by_owner({.label = "reader two"}).size(), 1u);

  first.unlock();
  second.unlock();
  EXPECT_TRUE(locks().holders("doc").empty());
  EXPECT_FALSE(locks().info("doc").has_value());
  Lock writer = locks().make_writer("doc", {.owner_label = "editor"});
  ASSERT_TRUE(writer.try_lock());
  auto info = locks().info("doc");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, "write");
  EXPECT_EQ(info->label, "editor");
  EXPECT_EQ(info->fence, writer.fence());
  EXPECT_EQ(locks().list().size(), 2u);
}

TEST_F(ReadWriteLockTest, ForceReleaseEndsReadersAndWakesWaiters) {
  Lock reader = locks().make_reader("doc", {.ttl = 300ms});
  ASSERT_TRUE(reader.try_lock());
  std::stop_token stop = reader.stop_token();
  EXPECT_TRUE(locks().force_release("doc"));
  EXPECT_TRUE(locks().holders("doc").empty());
  EXPECT_FALSE(locks().force_release("doc"));
  ASSERT_TRUE(wait_for([&] { return stop.stop_requested(); }, 2s));
  Lock writer = locks().make_writer("doc");
  EXPECT_TRUE(writer.try_lock());
}

// The reader's outcomes are LeaseTest's (lease_test.cpp).
TEST_F(ReadWriteLockTest, WriterReleaseAndExtendReportWhatTheyFound) {
  Lock other = locks().make_reader("outcomes", {.ttl = 10s});
  Lock writer = locks().make_writer("outcomes", {.ttl = 100ms, .auto_renew = false});
  ASSERT_TRUE(writer.try_lock());
  ASSERT_TRUE(wait_for([&] { return client().command({"EXISTS", holder_key("outcomes")}).as_integer() == 0; }, 2s));
  EXPECT_EQ(writer.extend(1s), LockOutcome::expired);
  ASSERT_TRUE(writer.try_lock());
  ASSERT_TRUE(wait_for([&] { return other.try_lock(); }, 2s));
  EXPECT_EQ(writer.release(), LockOutcome::not_owner);
}

TEST_F(ReadWriteLockTest, RepeatedReadAcquireAndReleaseOfTheSameTokenAreAnswered) {
  // What a client does when a reply was lost: send the request again.
  const Script& acquire = detail::embedded_script(detail::ScriptName::rwlock_read_acquire);
  const Script& release = detail::embedded_script(detail::ScriptName::rwlock_read_release);
  const std::string holder = holder_key("retry");
  const std::vector<std::string> acquire_keys{holder, holder + ":state", readers_key("retry"),
                                              readers_key("retry") + ":owners", intents_key("retry")};
  const std::vector<std::string> release_keys{holder, readers_key("retry"), readers_key("retry") + ":owners",
                                              readers_key("retry") + ":released"};
  const std::string channel = holder + ":released";
  auto acquired = client().command(acquire.call(acquire_keys, {"t1", "10000", "h", "1", ""}));
  ASSERT_EQ(acquired.as_array()[0].as_integer(), 1);
  auto again = client().command(acquire.call(acquire_keys, {"t1", "10000", "h", "1", ""}));
  EXPECT_EQ(again.as_array()[0].as_integer(), 1);
  EXPECT_EQ(again.as_array()[1].as_integer(), acquired.as_array()[1].as_integer());
  EXPECT_EQ(count_readers("retry"), 1);
  EXPECT_EQ(client().command(release.call(release_keys, {"t1", channel})).as_integer(), 1);
  EXPECT_EQ(client().command(release.call(release_keys, {"t1", channel})).as_integer(), 1);
  EXPECT_EQ(client().command(release.call(release_keys, {"other", channel})).as_integer(), -1);
  // The record of released tokens stays bounded.
  for (int i = 0; i < 100; ++i) {
    const std::string token = "t" + std::to_string(i + 2);
    client().command(acquire.call(acquire_keys, {token, "10000", "h", "1", ""}));
    client().command(release.call(release_keys, {token, channel}));
  }
  EXPECT_EQ(client().command({"ZCARD", readers_key("retry") + ":released"}).as_integer(), 64);
  EXPECT_GT(client().command({"PTTL", readers_key("retry") + ":released"}).as_integer(), 0);
}

TEST_F(ReadWriteLockTest, BadInputNamesTheValueAndWritesNothing) {
  EXPECT_NE(message_of([&] { locks().make_reader(""); }).find("lock name is empty"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_writer(""); }).find("lock name is empty"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_reader("a{b}"); }).find("\"a{b}\""), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_writer("a}b"); }).find("\"a}b\""), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_reader(std::string(600, 'x')); }).find("600 bytes"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_reader("n", {.ttl = 0ms}); }).find("ttl 0 ms"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_writer("n", {.ttl = -5ms}); }).find("ttl -5 ms"), std::string::npos);
  EXPECT_NE(message_of([&] { locks().make_writer("n", {.retry = {.max_delay = -1ms}}); }).find("-1 ms"),
            std::string::npos);
  EXPECT_NE(message_of([&] { locks().holders(""); }).find("lock name is empty"), std::string::npos);
  Lock reader = locks().make_reader("n");
  EXPECT_NE(message_of([&] {
              reader.try_lock();
              reader.extend(0ms);
            }).find("ttl 0 ms"),
            std::string::npos);
  EXPECT_THROW(reader.try_lock(), LockError);
  reader.unlock();
  EXPECT_THROW(reader.release(), LockError);
  auto keys = client().command(Command::keyless({"SCAN", "0", "MATCH"}).arg(prefix() + "*").arg("COUNT").arg(1000));
  // Only the one valid acquisition above left keys behind: the fencing
  // counter and the record of released tokens.
  std::set<std::string> found;
  for (const Reply& key : keys.as_array()[1].as_array()) found.insert(key.as_string());
  EXPECT_EQ(found, (std::set<std::string>{prefix() + "lock:{n}:state", prefix() + "lock:{n}:readers:released"}));
}

}  // namespace
}  // namespace redkit
