// From a window's aggregate to what the state machine takes, per condition,
// with hysteresis; and annotation templates.
#include <gtest/gtest.h>

#include <vector>

#include "alert/alert_condition.hpp"
#include "alert/annotation_template.hpp"

namespace redkit::alert {
namespace {

using ts::AlertCondition;

struct Seen {
  bool breaching;
  bool recovered;
  friend bool operator==(const Seen&, const Seen&) = default;
};

Seen seen(const ts::AlertRule& rule, double value, const std::vector<double>& baseline = {}) {
  const Observation observation = observe(rule, value, baseline);
  EXPECT_EQ(observation.value, value);
  return {observation.breaching, observation.recovered};
}

TEST(AlertCondition, AboveAndBelowWithAndWithoutHysteresis) {
  const ts::AlertRule above{.condition = AlertCondition::above, .threshold = 90};
  EXPECT_EQ(seen(above, 90.5), (Seen{true, false}));
  EXPECT_EQ(seen(above, 90), (Seen{false, true}));  // strictly above
  const ts::AlertRule above_85{.condition = AlertCondition::above, .threshold = 90, .resolve_threshold = 85};
  EXPECT_EQ(seen(above_85, 95), (Seen{true, false}));
  EXPECT_EQ(seen(above_85, 88), (Seen{false, false}));  // between the lines
  EXPECT_EQ(seen(above_85, 85), (Seen{false, true}));
  const ts::AlertRule below_15{.condition = AlertCondition::below, .threshold = 10, .resolve_threshold = 15};
  EXPECT_EQ(seen(below_15, 9.99), (Seen{true, false}));
  EXPECT_EQ(seen(below_15, 12), (Seen{false, false}));
  EXPECT_EQ(seen(below_15, 15), (Seen{false, true}));
}

TEST(AlertCondition, EqualWithinAToleranceAndOutsideABand) {
  const ts::AlertRule equal{.condition = AlertCondition::equal, .threshold = 1, .tolerance = 0.25};
  EXPECT_EQ(seen(equal, 1.25), (Seen{true, false}));
  EXPECT_EQ(seen(equal, 0.75), (Seen{true, false}));
  EXPECT_EQ(seen(equal, 1.26), (Seen{false, true}));
  // Tolerance 0 is exact equality, not the seed's hard-coded 0.01.
  const ts::AlertRule exact{.condition = AlertCondition::equal, .threshold = 3};
  EXPECT_EQ(seen(exact, 3.005), (Seen{false, true}));
  EXPECT_EQ(seen(exact, 3), (Seen{true, false}));
  const ts::AlertRule band{.condition = AlertCondition::outside, .threshold = -10, .threshold_high = 45};
  EXPECT_EQ(seen(band, -10), (Seen{false, true}));
  EXPECT_EQ(seen(band, 45), (Seen{false, true}));
  EXPECT_EQ(seen(band, 45.5), (Seen{true, false}));
  EXPECT_EQ(seen(band, -11), (Seen{true, false}));
}

TEST(AlertCondition, AnomaliesAgainstTheBaselineAndATooShortOneAsNoData) {
  const ts::AlertRule rule{.condition = AlertCondition::anomalous, .method = ts::AnomalyMethod::mad, .sensitivity = 3};
  const std::vector<double> baseline{10, 11, 9, 10, 12, 10, 9, 11};
  EXPECT_EQ(seen(rule, 10.5, baseline), (Seen{false, true}));
  EXPECT_EQ(seen(rule, 30, baseline), (Seen{true, false}));
  const Observation short_baseline = observe(rule, 30, std::vector<double>{10});
  EXPECT_FALSE(short_baseline.value.has_value());
  const Observation nothing = observe(rule, std::nullopt, baseline);
  EXPECT_FALSE(nothing.value.has_value());
}

TEST(AnnotationTemplate, FillsSeriesValueAndLabels) {
  const ts::Labels labels{{"host", "web-1"}, {"dc", "eu"}};
  const TemplateValues values{.series = "cpu:web-1", .value = 97.25, .labels = &labels};
  EXPECT_EQ(expand_template("{{series}} at {{value}} on {{ label.host }} ({{label.dc}})", values),
            "cpu:web-1 at 97.25 on web-1 (eu)");
  EXPECT_EQ(expand_template("{{label.rack}}|{{value}}", {.series = "s"}), "|");
  // Unknown placeholders and unclosed braces are left as written.
  EXPECT_EQ(expand_template("{{sereis}} {{value", values), "{{sereis}} {{value");
  EXPECT_EQ(expand_template("no placeholders", values), "no placeholders");
  EXPECT_EQ(expand_template("{{value}}", {.value = 0.1 + 0.2}), "0.30000000000000004");
}

}  // namespace
}  // namespace redkit::alert
