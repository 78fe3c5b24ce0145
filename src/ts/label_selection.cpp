#include "ts/label_selection.hpp"

#include "redkit/error.hpp"

namespace redkit::ts::detail {

void validate_selection(const LabelSelection& selection) {
  if (selection.mode != LabelSelection::Mode::only) {
    return;
  }
  if (selection.names.empty()) {
    throw InvalidArgument("the label selection names no label (select none to read no labels)");
  }
  for (const std::string& name : selection.names) {
    if (name.empty()) {
      throw InvalidArgument("a selected label name is empty");
    }
  }
}

std::optional<Command> labels_command(const std::string& labels_key, const LabelSelection& selection) {
  switch (selection.mode) {
    case LabelSelection::Mode::none:
      return std::nullopt;
    case LabelSelection::Mode::only: {
      Command read("HMGET");
      read.key(labels_key);
      for (const std::string& name : selection.names) {
        read.arg(name);
      }
      return read;
    }
    case LabelSelection::Mode::all:
      break;
  }
  return std::move(Command("HGETALL").key(labels_key));
}

Labels selected_labels(const Reply& reply, const LabelSelection& selection) {
  Labels labels;
  const ReplyArray& fields = reply.throw_if_error().as_array();
  if (selection.mode == LabelSelection::Mode::only) {
    // HMGET: a value (or nil) per selected name, in order.
    for (std::size_t i = 0; i < selection.names.size(); ++i) {
      const Reply& value = fields.at(i);
      if (!value.is_nil()) {
        labels.emplace(selection.names[i], value.as_string());
      }
    }
    return labels;
  }
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    labels.emplace(fields[i].as_string(), fields[i + 1].as_string());
  }
  return labels;
}

}  // namespace redkit::ts::detail
