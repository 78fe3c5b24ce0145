// Bad input to the self-metrics API (redkit/self_metrics.hpp): refused with
// the exact error, before anything reaches Redis (whole-database snapshot
// before and after).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <optional>

#include "redkit/client.hpp"
#include "redkit/error.hpp"
#include "redkit/self_metrics.hpp"
#include "support/db_snapshot.hpp"
#include "support/error_of.hpp"
#include "support/redis_test.hpp"

namespace redkit {
namespace {

using namespace std::chrono_literals;
using test::error_of;

class BadInputSelfMetricsTest : public test::RedisTest {
 protected:
  void SetUp() override {
    test::RedisTest::SetUp();
    client_.emplace(redis().url());
    client_->command({"HSET", prefix() + "{self-metrics}", "ts_add:calls", "7"});
    before_ = test::snapshot_db(*client_);
  }
  void TearDown() override { EXPECT_EQ(test::changes_since(before_, test::snapshot_db(*client_)), ""); }
  Client& client() { return *client_; }

  std::optional<Client> client_;
  test::DbSnapshot before_;
};

TEST_F(BadInputSelfMetricsTest, MonitorRefusesEmptyPrefixAndNegativeDurations) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { SelfMonitor m(client(), {.prefix = ""}); }),
            "self metrics key prefix is empty");
  EXPECT_EQ(error_of<InvalidArgument>([&] { SelfMonitor m(client(), {.prefix = prefix(), .flush_interval = -1ms}); }),
            "self monitor flush_interval -1 ms must not be negative");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              SelfMonitor m(client(), {.prefix = prefix(), .flush_interval = 0ms, .record_series = true,
                                       .series_retention = -5ms});
            }),
            "self monitor series_retention -5 ms must not be negative");
}

TEST_F(BadInputSelfMetricsTest, ReadRefusesEmptyPrefixAndAtAMissingOperation) {
  EXPECT_EQ(error_of<InvalidArgument>([&] { read_self_metrics(client(), ""); }), "self metrics key prefix is empty");
  EXPECT_EQ(read_self_metrics(client(), prefix()).at(SelfOp::ts_add).calls, 7u);
  EXPECT_EQ(error_of<InvalidArgument>([&] { (void)SelfMetrics{}.at(SelfOp::lock_wait); }),
            "self metrics hold no entry for operation lock_wait");
}

TEST_F(BadInputSelfMetricsTest, QuantilesClampTheirArgument) {
  LatencyHistogram h{.bounds_ms = {1, 2}, .counts = {1, 1, 0}, .count = 2, .sum_ms = 2};
  EXPECT_DOUBLE_EQ(quantile_ms(h, -1), quantile_ms(h, 0));
  EXPECT_DOUBLE_EQ(quantile_ms(h, 7), quantile_ms(h, 1));
  EXPECT_DOUBLE_EQ(quantile_ms(h, std::nan("")), quantile_ms(h, 0));
}

}  // namespace
}  // namespace redkit
