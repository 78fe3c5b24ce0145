// A notification as the fields of a history stream entry, and back. The
// entry holds everything a sink needs (labels and filled-in annotations
// included), so a notification is delivered from its entry alone, by any
// watcher, even after the rule changed or the process that recorded it died.
#pragma once

#include <string>
#include <vector>

#include "redkit/reply.hpp"
#include "redkit/ts_alerts.hpp"

namespace redkit::alert {

// field, value, field, value, ...
std::vector<std::string> notification_fields(const ts::AlertNotification& notification);

// The entry `id`'s fields. Throws ProtocolError naming the entry and the
// field that is missing or malformed. Entries written before labels and
// annotations were recorded read with both empty.
ts::AlertNotification notification_from_fields(const std::string& id, const ReplyArray& fields);

}  // namespace redkit::alert
