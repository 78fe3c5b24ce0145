// Annotation templates: "{{series}} at {{value}} on {{label.host}}" filled
// in per alert instance. A placeholder names the series, the value (the
// shortest text that reads back exactly; empty without data) or one of the
// series' labels (empty when the series lacks it). Spaces inside the braces
// are allowed; anything else in braces is left as written, so a typo shows
// in the notification instead of vanishing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "redkit/ts_types.hpp"

namespace redkit::alert {

struct TemplateValues {
  std::string_view series{};
  std::optional<double> value{};
  const ts::Labels* labels = nullptr;
};

std::string expand_template(std::string_view text, const TemplateValues& values);

}  // namespace redkit::alert
