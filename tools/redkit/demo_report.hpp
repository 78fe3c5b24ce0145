// The demo's output: each step as a line as soon as it is done, or all steps
// as one JSON object at the end (--json).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/core.h>

#include <nlohmann/json.hpp>

namespace redkit::cli {

class Report {
 public:
  explicit Report(bool json) : json_(json) {}

  // `key` names the step in JSON output, `label` on the terminal.
  void step(std::string_view key, std::string_view label, std::string_view text, nlohmann::json value) {
    if (json_) {
      out_[std::string(key)] = std::move(value);
    } else {
      fmt::print("{:<9} {}\n", label, text);
      std::fflush(stdout);
    }
  }

  void finish() const {
    if (json_) fmt::print("{}\n", out_.dump());
  }

 private:
  bool json_;
  nlohmann::json out_ = nlohmann::json::object();
};

}  // namespace redkit::cli
