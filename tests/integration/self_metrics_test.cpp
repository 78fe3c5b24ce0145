// Self metrics against a real server: the library's operations counted
// exactly, sent by SelfMonitors without double counting, kept when a flush
// fails, and written as redkit:self: series without counting those writes.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/self_recording.hpp"
#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/self_metrics.hpp"
#include "redkit/time_series.hpp"
#include "support/redis_test.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::RedisTest;

class SelfMetricsTest : public RedisTest {
 protected:
  SelfMonitorOptions monitor_options(bool record_series = false) {
    return {.prefix = prefix(), .flush_interval = 0ms, .record_series = record_series};
  }
};

std::uint64_t calls(const SelfMetrics& m, SelfOp op) { return m.at(op).calls; }

// later - earlier for every operation's calls and errors.
struct Delta {
  std::vector<std::uint64_t> calls;
  std::vector<std::uint64_t> errors;
};
Delta delta(const SelfMetrics& earlier, const SelfMetrics& later) {
  Delta d;
  for (std::size_t i = 0; i < kSelfOpCount; ++i) {
    const auto op = static_cast<SelfOp>(i);
    d.calls.push_back(later.at(op).calls - earlier.at(op).calls);
    d.errors.push_back(later.at(op).errors - earlier.at(op).errors);
  }
  return d;
}
std::uint64_t of(const std::vector<std::uint64_t>& v, SelfOp op) { return v[static_cast<std::size_t>(op)]; }

TEST_F(SelfMetricsTest, TwoMonitorsSendEveryCountOnceAndRedisHoldsTheExactSums) {
  Client client(redis().url());
  SelfMonitor first(client, monitor_options());
  SelfMonitor second(client, monitor_options());
  first.flush();  // whatever this process counted before
  const SelfMetrics base = first.read();
  const SelfMetrics local_base = snapshot_self_metrics();

  ts::Store store(client, {.prefix = prefix(), .default_series = {}});
  store.create("cpu", {.retention = 0ms, .duplicate_policy = ts::DuplicatePolicy::block, .labels = {{"host", "a"}}});
  store.add("cpu", 1000, 1);
  store.add("cpu", 2000, 2);
  store.add("cpu", 3000, 3);
  EXPECT_THROW(store.add("cpu", 3000, 9), ts::SampleRejected);  // a duplicate: an error
  store.add_many("cpu", std::vector<ts::Sample>{{4000, 4}, {5000, 5}});
  EXPECT_EQ(store.range("cpu", {}).size(), 5u);
  EXPECT_EQ(store.reverse_range("cpu", {}).size(), 5u);
  EXPECT_EQ(store.latest("cpu")->value, 5);
  EXPECT_EQ(store.mget({"host=a"}).size(), 1u);
  EXPECT_EQ(store.mrange({"host=a"}).size(), 1u);

  LockService locks(client, {.prefix = prefix(), .owner_label = {}, .metrics_flush_interval = 0ms,
                             .deadlock_check_interval = 0ms});
  Lock lock = locks.make("job", {.ttl = 60s});
  ASSERT_TRUE(lock.try_lock());
  EXPECT_EQ(lock.release(), LockOutcome::done);

  // Counted in memory at once, before any flush.
  const Delta local = delta(local_base, snapshot_self_metrics());
  EXPECT_EQ(of(local.calls, SelfOp::ts_add), 4u);
  EXPECT_EQ(of(local.errors, SelfOp::ts_add), 1u);

  second.flush();
  first.flush();  // nothing left for it: the second took everything
  const Delta sent = delta(base, first.read());
  EXPECT_EQ(of(sent.calls, SelfOp::ts_add), 4u);
  EXPECT_EQ(of(sent.errors, SelfOp::ts_add), 1u);
  EXPECT_EQ(of(sent.calls, SelfOp::ts_add_many), 1u);
  EXPECT_EQ(of(sent.calls, SelfOp::ts_range), 2u);
  EXPECT_EQ(of(sent.calls, SelfOp::ts_latest), 1u);
  EXPECT_EQ(of(sent.calls, SelfOp::ts_mget), 1u);
  EXPECT_EQ(of(sent.calls, SelfOp::ts_mrange), 1u);
  EXPECT_EQ(of(sent.calls, SelfOp::lock_acquire), 1u);
  EXPECT_EQ(of(sent.calls, SelfOp::lock_wait), 1u);
  EXPECT_EQ(of(sent.calls, SelfOp::lock_hold), 1u);
  EXPECT_EQ(of(sent.calls, SelfOp::lock_release), 1u);
  EXPECT_EQ(of(sent.calls, SelfOp::lock_renew), 0u);
  EXPECT_GE(of(sent.calls, SelfOp::client_round_trip), 10u);
  for (SelfOp op : {SelfOp::ts_add_many, SelfOp::ts_range, SelfOp::ts_latest, SelfOp::ts_mget, SelfOp::ts_mrange,
                    SelfOp::lock_acquire, SelfOp::lock_wait, SelfOp::lock_hold, SelfOp::lock_release}) {
    EXPECT_EQ(of(sent.errors, op), 0u) << to_string(op);
  }
  // Every call has its latency in the histogram.
  const SelfMetrics all = first.read();
  const auto& adds = all.at(SelfOp::ts_add);
  EXPECT_EQ(adds.latency.count, adds.calls);
  EXPECT_GT(adds.latency.sum_ms, 0.0);
  // And what Redis holds is what the one monitor's read returns to anyone.
  EXPECT_EQ(calls(read_self_metrics(client, prefix()), SelfOp::ts_add), calls(all, SelfOp::ts_add));
}

TEST_F(SelfMetricsTest, SealsAndRuleUpdatesAreCounted) {
  Client client(redis().url());
  SelfMonitor monitor(client, monitor_options());
  monitor.flush();
  const SelfMetrics base = monitor.read();
  ts::Store store(client, {.prefix = prefix(), .default_series = {}});
  store.create("raw");
  store.create("per_second");
  store.create_rule("raw", "per_second", ts::Aggregation{.aggregator = ts::Aggregator::avg, .bucket = 1s});
  std::vector<ts::Sample> samples;
  for (int i = 0; i < 300; ++i) samples.push_back({1000 + 10 * i, static_cast<double>(i)});
  store.add_many("raw", samples);  // fills the head past a seal, closes buckets
  monitor.flush();
  const Delta sent = delta(base, monitor.read());
  EXPECT_GE(of(sent.calls, SelfOp::ts_seal), 1u);
  EXPECT_GE(of(sent.calls, SelfOp::ts_rule_update), 1u);
  EXPECT_EQ(of(sent.errors, SelfOp::ts_seal), 0u);
  EXPECT_EQ(of(sent.errors, SelfOp::ts_rule_update), 0u);
}

TEST_F(SelfMetricsTest, AFailedFlushKeepsTheCountsForTheNextOne) {
  Client client(redis().url());
  SelfMonitor good(client, monitor_options());
  good.flush();
  const SelfMetrics base = good.read();
  ts::Store store(client, {.prefix = prefix(), .default_series = {}});
  store.add("s", 1000, 1);
  {
    Client nowhere("redis://127.0.0.1:1");
    SelfMonitor dead(nowhere, monitor_options());
    EXPECT_THROW(dead.flush(), ConnectionError);
  }  // its destructor's flush fails too, and gives the counts back again
  good.flush();
  const Delta sent = delta(base, good.read());
  EXPECT_EQ(of(sent.calls, SelfOp::ts_add), 1u);
  // The failed flushes' connects happened with recording paused.
  EXPECT_EQ(of(sent.errors, SelfOp::client_connect), 0u);
}

TEST_F(SelfMetricsTest, AConnectionThatBrokeIsCountedAsAReconnect) {
  Client client(redis().url());
  Client admin(redis().url());
  const long long id = client.command({"CLIENT", "ID"}).as_integer();
  admin.command({"PING"});  // connected before counting starts
  const SelfMetrics before = snapshot_self_metrics();
  EXPECT_EQ(admin.command({"CLIENT", "KILL", "ID", std::to_string(id)}).as_integer(), 1);
  // The pool notices the closed connection before using it, or the command
  // on it fails and it is discarded; either way the next one reconnects.
  try {
    client.command({"PING"});
  } catch (const ConnectionError&) {
  }
  EXPECT_EQ(client.command({"PING"}).as_string(), "PONG");
  const Delta d = delta(before, snapshot_self_metrics());
  EXPECT_EQ(of(d.calls, SelfOp::client_reconnect), 1u);
  EXPECT_EQ(of(d.errors, SelfOp::client_reconnect), 0u);
  EXPECT_EQ(of(d.calls, SelfOp::client_connect), 1u);
  EXPECT_EQ(client.pool_stats().discarded, 1u);
}

TEST_F(SelfMetricsTest, RecordedSeriesChartTheIntervalWithoutCountingTheirOwnWrites) {
  Client client(redis().url());
  SelfMonitor drain(client, monitor_options());
  drain.flush();  // earlier counts go to the hash only
  SelfMonitor monitor(client, monitor_options(/*record_series=*/true));
  ts::Store store(client, {.prefix = prefix(), .default_series = {}});
  store.add("s", 1000, 1);
  store.add("s", 2000, 2);
  const SelfMetrics before_flush = snapshot_self_metrics();
  monitor.flush();
  // The flush's round trips and series writes were not counted.
  const Delta own = delta(before_flush, snapshot_self_metrics());
  for (std::size_t i = 0; i < kSelfOpCount; ++i) {
    EXPECT_EQ(own.calls[i], 0u) << to_string(static_cast<SelfOp>(i));
  }

  const auto adds = store.latest("redkit:self:ts_add:calls");
  ASSERT_TRUE(adds.has_value());
  EXPECT_EQ(adds->value, 2);
  EXPECT_EQ(store.latest("redkit:self:ts_add:errors")->value, 0);
  EXPECT_GT(store.latest("redkit:self:ts_add:mean_ms")->value, 0);
  EXPECT_GT(store.latest("redkit:self:ts_add:p99_ms")->value, 0);
  const ts::SeriesInfo info = store.info("redkit:self:ts_add:calls");
  EXPECT_EQ(info.labels, (ts::Labels{{"redkit_self", "1"}, {"op", "ts_add"}, {"measure", "calls"}}));
  EXPECT_EQ(info.retention, 24h);
  // Operations not called in the interval get no samples.
  EXPECT_FALSE(store.exists("redkit:self:lock_renew:calls"));
  // The series are found by label like any others.
  const auto by_label = store.mget({"redkit_self=1", "op=ts_add"});
  EXPECT_EQ(by_label.size(), 4u);
}

TEST_F(SelfMetricsTest, RefusesBadOptions) {
  Client client(redis().url());
  EXPECT_THROW(SelfMonitor(client, {.prefix = ""}), InvalidArgument);
  EXPECT_THROW(SelfMonitor(client, {.prefix = prefix(), .flush_interval = -1ms}), InvalidArgument);
  EXPECT_THROW(SelfMonitor(client, {.prefix = prefix(), .flush_interval = 0ms, .record_series = true,
                                    .series_retention = -1ms}),
               InvalidArgument);
}

}  // namespace
}  // namespace redkit
