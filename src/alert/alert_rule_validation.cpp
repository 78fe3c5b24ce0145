// validate(AlertRule): every field checked before anything is stored, each
// refusal naming the rule and the field.
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "redkit/ts_alerts.hpp"
#include "ts/label_filter.hpp"
#include "ts/validation.hpp"

namespace redkit::ts {
namespace {

constexpr std::size_t kMaxRuleNameBytes = 200;

[[noreturn]] void refuse(const AlertRule& rule, const std::string& what) {
  throw InvalidArgument(fmt::format("alert rule '{}': {}", rule.name, what));
}

bool is_rule_name_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':'; }

// A letter or '_', then letters, digits or '_': what Alertmanager accepts.
bool is_label_name(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '_')) {
      return false;
    }
  }
  return true;
}

void check_names(const AlertRule& rule, const std::map<std::string, std::string>& entries, const char* field) {
  for (const auto& [name, value] : entries) {
    if (!is_label_name(name)) {
      refuse(rule, fmt::format("{} name '{}' is not a letter or '_' followed by letters, digits or '_'", field,
                               name));
    }
  }
}

void check_duration(const AlertRule& rule, std::chrono::milliseconds value, const char* field, bool positive) {
  if (positive ? value.count() <= 0 : value.count() < 0) {
    refuse(rule, fmt::format("{} {} ms is {}", field, value.count(), positive ? "not positive" : "negative"));
  }
}

void check_finite(const AlertRule& rule, double value, const char* field) {
  if (!std::isfinite(value)) {
    refuse(rule, fmt::format("{} {} is not a finite number", field, value));
  }
}

}  // namespace

void validate(const AlertRule& rule) {
  if (rule.name.empty()) {
    throw InvalidArgument("alert rule name is empty");
  }
  if (rule.name.size() > kMaxRuleNameBytes) {
    throw InvalidArgument(fmt::format("alert rule name '{}...' is {} bytes, over the limit of {}",
                                      rule.name.substr(0, 32), rule.name.size(), kMaxRuleNameBytes));
  }
  for (unsigned char c : rule.name) {
    if (!is_rule_name_char(c)) {
      throw InvalidArgument(fmt::format("alert rule name '{}' holds '{}': use letters, digits and _-.:", rule.name,
                                        std::isprint(c) ? std::string(1, static_cast<char>(c))
                                                        : fmt::format("\\x{:02x}", c)));
    }
  }
  if (rule.series.empty() == rule.filters.empty()) {
    refuse(rule, rule.series.empty() ? "give a series or label filters to watch"
                                     : "give a series or label filters, not both");
  }
  try {
    if (!rule.series.empty()) {
      detail::validate_series_name(rule.series);
    }
    for (const std::string& filter : rule.filters) {
      detail::parse_label_filter(filter);
    }
  } catch (const InvalidArgument& error) {
    refuse(rule, error.what());
  }
  check_duration(rule, rule.window, "window", true);
  if (std::string_view(to_string(rule.aggregator)) == "unknown") {
    refuse(rule, fmt::format("aggregator {} is not one of the store's", static_cast<int>(rule.aggregator)));
  }
  if (rule.aggregator == Aggregator::percentile && !(rule.quantile >= 0 && rule.quantile <= 1)) {
    refuse(rule, fmt::format("percentile quantile {} is not in [0, 1]", rule.quantile));
  }
  check_finite(rule, rule.threshold, "threshold");
  switch (rule.condition) {
    case AlertCondition::above:
    case AlertCondition::below:
      if (rule.resolve_threshold) {
        check_finite(rule, *rule.resolve_threshold, "resolve_threshold");
        const bool above = rule.condition == AlertCondition::above;
        if (above ? *rule.resolve_threshold > rule.threshold : *rule.resolve_threshold < rule.threshold) {
          refuse(rule, fmt::format("resolve_threshold {} is {} threshold {}: an alert {} {} resolves {} a line {} it",
                                   *rule.resolve_threshold, above ? "above" : "below", rule.threshold,
                                   above ? "above" : "below", rule.threshold, above ? "below" : "above",
                                   above ? "at or below" : "at or above"));
        }
      }
      break;
    case AlertCondition::equal:
      check_finite(rule, rule.tolerance, "tolerance");
      if (rule.tolerance < 0) {
        refuse(rule, fmt::format("tolerance {} is negative", rule.tolerance));
      }
      break;
    case AlertCondition::outside:
      check_finite(rule, rule.threshold_high, "threshold_high");
      if (rule.threshold_high < rule.threshold) {
        refuse(rule, fmt::format("threshold_high {} is below threshold {}: the band is [threshold, threshold_high]",
                                 rule.threshold_high, rule.threshold));
      }
      break;
    case AlertCondition::anomalous:
      check_duration(rule, rule.baseline, "baseline", true);
      if (!(rule.sensitivity > 0) || !std::isfinite(rule.sensitivity)) {
        refuse(rule, fmt::format("sensitivity {} is not a positive number of spreads", rule.sensitivity));
      }
      if (std::string_view(to_string(rule.method)) == "unknown") {
        refuse(rule, fmt::format("anomaly method {} is not z, mad or ewma", static_cast<int>(rule.method)));
      }
      break;
    default:
      refuse(rule, fmt::format("condition {} is not above, below, equal, outside or anomalous",
                               static_cast<int>(rule.condition)));
  }
  if (rule.resolve_threshold && rule.condition != AlertCondition::above && rule.condition != AlertCondition::below) {
    refuse(rule, fmt::format("resolve_threshold applies to above and below, not {}", to_string(rule.condition)));
  }
  check_duration(rule, rule.for_duration, "for", false);
  check_duration(rule, rule.keep_firing_for, "keep_firing_for", false);
  check_duration(rule, rule.repeat_interval, "repeat_interval", false);
  if (std::string_view(to_string(rule.no_data)) == "unknown") {
    refuse(rule, fmt::format("no-data policy {} is not keep, resolve or alert", static_cast<int>(rule.no_data)));
  }
  check_names(rule, rule.labels, "label");
  check_names(rule, rule.annotations, "annotation");
}

}  // namespace redkit::ts
