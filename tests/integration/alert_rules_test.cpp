// Alert rules in Redis: stored whole and read back equal, listed by name,
// replaced only when asked, removed; every field of a bad rule refused by
// name with nothing stored.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "redkit/ts_alerts.hpp"
#include "support/ts_store_test.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;
using ts::AlertCondition;
using ts::AlertRule;

class AlertRulesTest : public TsStoreTest {
 protected:
  void SetUp() override {
    TsStoreTest::SetUp();
    rules_ = std::make_unique<ts::AlertRules>(client(), ts::AlertRulesOptions{.prefix = prefix()});
  }
  ts::AlertRules& rules() { return *rules_; }
  static AlertRule cpu_high() {
    return {.name = "cpu-high",
            .filters = {"metric=cpu", "dc!=(test,lab)"},
            .window = 5min,
            .aggregator = ts::Aggregator::max,
            .condition = AlertCondition::above,
            .threshold = 90.5,
            .resolve_threshold = 85.25,
            .for_duration = 2min,
            .keep_firing_for = 30s,
            .repeat_interval = 1h,
            .no_data = ts::NoDataPolicy::alert,
            .labels = {{"severity", "page"}, {"team", "infra"}},
            .annotations = {{"summary", "{{series}} at {{value}}"}, {"runbook", "https://example.test/cpu\nline 2"}}};
  }

 private:
  std::unique_ptr<ts::AlertRules> rules_;
};

TEST_F(AlertRulesTest, ARuleReadsBackExactlyAsStored) {
  const AlertRule high = cpu_high();
  rules().add(high);
  EXPECT_EQ(rules().get("cpu-high"), high);
  const AlertRule odd{.name = "load.anomaly:1",
                      .series = "load:web-1",
                      .window = 1min,
                      .condition = AlertCondition::anomalous,
                      .threshold = 0.1 + 0.2,  // a double that needs all its digits
                      .baseline = 6h,
                      .method = ts::AnomalyMethod::mad,
                      .sensitivity = 3.5,
                      .repeat_interval = 0ms};
  rules().add(odd);
  EXPECT_EQ(rules().get("load.anomaly:1"), odd);
  const AlertRule band{.name = "temp",
                       .series = "temp",
                       .condition = AlertCondition::outside,
                       .threshold = -10,
                       .threshold_high = 45};
  rules().add(band);
  EXPECT_EQ(rules().list(), (std::vector<AlertRule>{high, odd, band}));
}

TEST_F(AlertRulesTest, AddRefusesAnExistingRuleUnlessReplacing) {
  rules().add(cpu_high());
  AlertRule changed = cpu_high();
  changed.threshold = 95;
  changed.labels = {{"severity", "ticket"}};
  EXPECT_THROW(rules().add(changed), ts::AlertRuleExists);
  EXPECT_EQ(rules().get("cpu-high"), cpu_high());
  rules().add(changed, true);
  // Replaced whole: no label of the old rule is left over.
  EXPECT_EQ(rules().get("cpu-high"), changed);
}

TEST_F(AlertRulesTest, RemoveForgetsTheRule) {
  rules().add(cpu_high());
  EXPECT_TRUE(rules().remove("cpu-high"));
  EXPECT_FALSE(rules().remove("cpu-high"));
  EXPECT_THROW(rules().get("cpu-high"), ts::AlertRuleNotFound);
  EXPECT_TRUE(rules().list().empty());
  EXPECT_TRUE(keys_under_prefix().empty());
}

TEST_F(AlertRulesTest, EveryBadFieldIsRefusedByNameAndNothingIsStored) {
  const std::vector<std::pair<std::function<void(AlertRule&)>, std::string>> cases{
      {[](AlertRule& r) { r.name = ""; }, "alert rule name is empty"},
      {[](AlertRule& r) { r.name = "cpu high"; }, "alert rule name 'cpu high' holds ' ': use letters, digits and _-.:"},
      {[](AlertRule& r) { r.name = std::string(201, 'a'); },
       "alert rule name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is 201 bytes, over the limit of 200"},
      {[](AlertRule& r) { r.series = "cpu"; }, "alert rule 'cpu-high': give a series or label filters, not both"},
      {[](AlertRule& r) { r.filters.clear(); }, "alert rule 'cpu-high': give a series or label filters to watch"},
      {[](AlertRule& r) { r.filters = {"metric"}; },
       "alert rule 'cpu-high': label filter 'metric' is not label=value, label!=value, label=(a,b) or label="},
      {[](AlertRule& r) {
         r.filters.clear();
         r.series = "a{b}";
       },
       "alert rule 'cpu-high': series name 'a{b}' holds '{', which is not allowed in a name"},
      {[](AlertRule& r) { r.window = 0ms; }, "alert rule 'cpu-high': window 0 ms is not positive"},
      {[](AlertRule& r) { r.aggregator = static_cast<ts::Aggregator>(99); },
       "alert rule 'cpu-high': aggregator 99 is not one of the store's"},
      {[](AlertRule& r) { r.threshold = NAN; }, "alert rule 'cpu-high': threshold nan is not a finite number"},
      {[](AlertRule& r) { r.resolve_threshold = 95; },
       "alert rule 'cpu-high': resolve_threshold 95 is above threshold 90.5: an alert above 90.5 resolves below a "
       "line at or below it"},
      {[](AlertRule& r) { r.resolve_threshold = INFINITY; },
       "alert rule 'cpu-high': resolve_threshold inf is not a finite number"},
      {[](AlertRule& r) {
         r.condition = AlertCondition::below;
         r.resolve_threshold = 80;
       },
       "alert rule 'cpu-high': resolve_threshold 80 is below threshold 90.5: an alert below 90.5 resolves above a "
       "line at or above it"},
      {[](AlertRule& r) {
         r.condition = AlertCondition::equal;
         r.resolve_threshold.reset();
         r.tolerance = -0.5;
       },
       "alert rule 'cpu-high': tolerance -0.5 is negative"},
      {[](AlertRule& r) {
         r.condition = AlertCondition::outside;
         r.resolve_threshold.reset();
         r.threshold_high = 10;
       },
       "alert rule 'cpu-high': threshold_high 10 is below threshold 90.5: the band is [threshold, threshold_high]"},
      {[](AlertRule& r) { r.condition = AlertCondition::outside; },
       "alert rule 'cpu-high': threshold_high 0 is below threshold 90.5: the band is [threshold, threshold_high]"},
      {[](AlertRule& r) {
         r.condition = AlertCondition::anomalous;
         r.resolve_threshold.reset();
         r.sensitivity = 0;
       },
       "alert rule 'cpu-high': sensitivity 0 is not a positive number of spreads"},
      {[](AlertRule& r) {
         r.condition = AlertCondition::anomalous;
         r.resolve_threshold.reset();
         r.baseline = -1h;
       },
       "alert rule 'cpu-high': baseline -3600000 ms is not positive"},
      {[](AlertRule& r) {
         r.condition = AlertCondition::anomalous;
       },
       "alert rule 'cpu-high': resolve_threshold applies to above and below, not anomalous"},
      {[](AlertRule& r) { r.condition = static_cast<AlertCondition>(7); },
       "alert rule 'cpu-high': condition 7 is not above, below, equal, outside or anomalous"},
      {[](AlertRule& r) { r.for_duration = -1s; }, "alert rule 'cpu-high': for -1000 ms is negative"},
      {[](AlertRule& r) { r.keep_firing_for = -1s; }, "alert rule 'cpu-high': keep_firing_for -1000 ms is negative"},
      {[](AlertRule& r) { r.repeat_interval = -1s; }, "alert rule 'cpu-high': repeat_interval -1000 ms is negative"},
      {[](AlertRule& r) { r.no_data = static_cast<ts::NoDataPolicy>(5); },
       "alert rule 'cpu-high': no-data policy 5 is not keep, resolve or alert"},
      {[](AlertRule& r) { r.labels = {{"9lives", "x"}}; },
       "alert rule 'cpu-high': label name '9lives' is not a letter or '_' followed by letters, digits or '_'"},
      {[](AlertRule& r) { r.annotations = {{"run-book", "x"}}; },
       "alert rule 'cpu-high': annotation name 'run-book' is not a letter or '_' followed by letters, digits or '_'"},
  };
  for (const auto& [spoil, message] : cases) {
    AlertRule rule = cpu_high();
    spoil(rule);
    EXPECT_EQ(message_of([&] { rules().add(rule); }), message);
  }
  EXPECT_TRUE(keys_under_prefix().empty());
  EXPECT_EQ(message_of([] { ts::parse_alert_condition("over"); }),
            "unknown alert condition 'over' (expected one of: above, below, equal, outside, anomalous)");
  EXPECT_EQ(message_of([] { ts::parse_no_data_policy("ignore"); }),
            "unknown no-data policy 'ignore' (expected one of: keep, resolve, alert)");
}

TEST_F(AlertRulesTest, ADamagedStoredRuleIsReportedByField) {
  rules().add(cpu_high());
  client().command({"HSET", prefix() + "{alert}:rule:cpu-high", "window", "soon"});
  try {
    rules().get("cpu-high");
    FAIL() << "a damaged rule was read";
  } catch (const ProtocolError& error) {
    EXPECT_STREQ(error.what(), "alert rule 'cpu-high': stored field 'window': expected a whole number, got \"soon\"");
  }
}

}  // namespace
}  // namespace redkit::test
