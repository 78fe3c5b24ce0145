// Names of the alerting enums, as the CLI and the stored rules spell them.
#include "common/enum_names.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::ts {
namespace {

constexpr ::redkit::detail::EnumNames<AlertCondition, 5> kConditions{{
    {AlertCondition::above, "above"},
    {AlertCondition::below, "below"},
    {AlertCondition::equal, "equal"},
    {AlertCondition::outside, "outside"},
    {AlertCondition::anomalous, "anomalous"},
}};

constexpr ::redkit::detail::EnumNames<AnomalyMethod, 3> kMethods{{
    {AnomalyMethod::z, "z"},
    {AnomalyMethod::mad, "mad"},
    {AnomalyMethod::ewma, "ewma"},
}};

constexpr ::redkit::detail::EnumNames<NoDataPolicy, 3> kNoData{{
    {NoDataPolicy::keep, "keep"},
    {NoDataPolicy::resolve, "resolve"},
    {NoDataPolicy::alert, "alert"},
}};

constexpr ::redkit::detail::EnumNames<AlertEventKind, 3> kEvents{{
    {AlertEventKind::fired, "fired"},
    {AlertEventKind::repeated, "repeated"},
    {AlertEventKind::resolved, "resolved"},
}};

}  // namespace

const char* to_string(AlertEventKind kind) noexcept { return ::redkit::detail::name_of(kEvents, kind); }
AlertEventKind parse_alert_event(std::string_view text) {
  return ::redkit::detail::parse_name(kEvents, text, "alert event");
}

const char* to_string(AlertCondition condition) noexcept { return ::redkit::detail::name_of(kConditions, condition); }
AlertCondition parse_alert_condition(std::string_view text) {
  return ::redkit::detail::parse_name(kConditions, text, "alert condition");
}

const char* to_string(AnomalyMethod method) noexcept { return ::redkit::detail::name_of(kMethods, method); }
AnomalyMethod parse_anomaly_method(std::string_view text) {
  return ::redkit::detail::parse_name(kMethods, text, "anomaly method");
}

const char* to_string(NoDataPolicy policy) noexcept { return ::redkit::detail::name_of(kNoData, policy); }
NoDataPolicy parse_no_data_policy(std::string_view text) {
  return ::redkit::detail::parse_name(kNoData, text, "no-data policy");
}

}  // namespace redkit::ts
