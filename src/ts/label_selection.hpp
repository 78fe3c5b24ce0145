// Reading the labels a multi-series query selects (LabelSelection): which
// command reads them and how its reply becomes Labels.
#pragma once

#include <optional>
#include <string>

#include "redkit/command.hpp"
#include "redkit/reply.hpp"
#include "redkit/ts_types.hpp"

namespace redkit::ts::detail {

// Throws InvalidArgument for Mode::only without names or with an empty name.
void validate_selection(const LabelSelection& selection);

// The command reading the selected labels from a series' labels hash
// (HGETALL, or HMGET of the named ones); none for Mode::none.
std::optional<Command> labels_command(const std::string& labels_key, const LabelSelection& selection);

// The labels in the reply to labels_command.
Labels selected_labels(const Reply& reply, const LabelSelection& selection);

}  // namespace redkit::ts::detail
