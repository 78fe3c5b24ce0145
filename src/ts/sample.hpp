// Sample: one point of a time series, the unit the codec and the store trade
// in. The codec uses the public type itself, so decoded samples reach the
// caller without a conversion copy.
#pragma once

#include "redkit/ts_types.hpp"

namespace redkit::ts::detail {

// Timestamp: Unix milliseconds, may be negative. The codec takes any double,
// NaN payloads and -0.0 included.
using Sample = redkit::ts::Sample;

}  // namespace redkit::ts::detail
