// SinkDelivery: the history stream read through the sink's consumer group
// (sink_delivery.hpp), with retries kept in memory and re-claimed in Redis
// so that the pending entry's idle time shows this watcher is still on it.
#include "alert/sink_delivery.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "alert/notification_fields.hpp"
#include "alert/rule_evaluation.hpp"
#include "common/unix_time.hpp"

namespace redkit::alert {
namespace {

// Entries read or claimed per command.
constexpr long long kBatch = 100;


// The time an entry was recorded: the first part of its stream id.
long long recorded_ms(const std::string& id) {
  long long ms = 0;
  std::from_chars(id.data(), id.data() + id.find('-'), ms);
  return ms;
}

bool is_nogroup(const ReplyError& error) { return error.code() == "NOGROUP"; }

}  // namespace

SinkDelivery::SinkDelivery(Client client, const ts::AlertWatcherOptions& options, std::shared_ptr<ts::AlertSink> sink,
                           std::string watcher)
    : client_(std::move(client)),
      options_(options),
      sink_(std::move(sink)),
      watcher_(std::move(watcher)),
      stream_(history_key(options.rules)),
      stats_(options.rules.prefix + "{alert}:sinks"),
      group_("sink:" + sink_->name()) {}

void SinkDelivery::ensure_group(std::string_view from) {
  try {
    client_.command(Command("XGROUP").arg("CREATE").key(stream_).arg(group_).arg(from).arg("MKSTREAM"));
  } catch (const ReplyError& error) {
    if (error.code() != "BUSYGROUP") throw;
  }
}

void SinkDelivery::pass(std::chrono::milliseconds wait) {
  try {
    retry_due();
    claim_abandoned();
    refresh_firing();
    read_new(wait);
  } catch (const ReplyError& error) {
    // The stream or the group went away (a Redis restart without
    // persistence, a FLUSHALL): start again from what comes next.
    if (!is_nogroup(error)) throw;
    retries_.clear();
    ensure_group("0");
  }
}

void SinkDelivery::offer_firing(std::vector<ts::AlertNotification> firing) {
  detail::MutexLock lock(firing_mutex_);
  firing_ = std::move(firing);
}

void SinkDelivery::refresh_firing() {
  std::optional<std::vector<ts::AlertNotification>> firing;
  {
    detail::MutexLock lock(firing_mutex_);
    firing.swap(firing_);
  }
  if (!firing) return;
  try {
    sink_->refresh(*firing);
  } catch (const std::exception& error) {
    count("failed");
    record_failure("refresh", error.what());
  }
}

std::chrono::milliseconds SinkDelivery::backoff(int attempts) const {
  const auto cap = std::min(options_.delivery.max_retry, options_.lease / 3);
  auto wait = options_.delivery.first_retry;
  for (int i = 1; i < attempts && wait < cap; ++i) wait *= 2;
  return std::min(wait, cap);
}

void SinkDelivery::count(std::string_view what, long long by) {
  client_.command(Command("HINCRBY").key(stats_).arg(fmt::format("{}:{}", what, sink_->name())).arg(by));
}

void SinkDelivery::record_failure(const std::string& id, const std::string& error) {
  const std::string text = fmt::format("{}: {}", id, error);
  client_.command(Command("HSET")
                      .key(stats_)
                      .arg("last_error:" + sink_->name())
                      .arg(text)
                      .arg("last_error_at:" + sink_->name())
                      .arg(::redkit::detail::unix_ms_now()));
  if (options_.on_error) options_.on_error(fmt::format("sink {}: {}", sink_->name(), text));
}

void SinkDelivery::attempt(const std::string& id, const ReplyArray& fields) {
  std::string failure;
  try {
    sink_->deliver(notification_from_fields(id, fields));
  } catch (const ProtocolError& error) {
    // An entry that cannot be read never will be: drop it now.
    client_.command(Command("XACK").key(stream_).arg(group_).arg(id));
    retries_.erase(id);
    count("dropped");
    record_failure(id, error.what());
    return;
  } catch (const std::exception& error) {
    failure = error.what();
  }
  if (failure.empty()) {
    client_.command(Command("XACK").key(stream_).arg(group_).arg(id));
    retries_.erase(id);
    count("delivered");
    return;
  }
  count("failed");
  record_failure(id, failure);
  if (::redkit::detail::unix_ms_now() - recorded_ms(id) >= options_.delivery.give_up_after.count()) {
    client_.command(Command("XACK").key(stream_).arg(group_).arg(id));
    retries_.erase(id);
    count("dropped");
    return;
  }
  Retry& retry = retries_[id];
  ++retry.attempts;
  retry.next = std::chrono::steady_clock::now() + backoff(retry.attempts);
}

void SinkDelivery::retry_due() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> due;
  for (const auto& [id, retry] : retries_) {
    if (retry.next <= now) due.push_back(id);
  }
  for (const std::string& id : due) {
    // Claiming it again resets its idle time (this watcher is on it) and
    // gives it back if it was trimmed or acknowledged meanwhile.
    const Reply claimed = client_.command(
        Command("XCLAIM").key(stream_).arg(group_).arg(watcher_).arg(0LL).arg(id));
    const ReplyArray& entries = claimed.as_array();
    if (entries.empty() || entries.at(0).is_nil()) {
      retries_.erase(id);
      continue;
    }
    attempt(id, entries.at(0).as_array().at(1).as_array());
  }
}

void SinkDelivery::claim_abandoned() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_claim_) return;
  next_claim_ = now + options_.lease / 3;
  std::string cursor = "0-0";
  do {
    const Reply claimed = client_.command(Command("XAUTOCLAIM")
                                              .key(stream_)
                                              .arg(group_)
                                              .arg(watcher_)
                                              .arg(static_cast<long long>(options_.lease.count()))
                                              .arg(cursor)
                                              .arg("COUNT")
                                              .arg(kBatch));
    const ReplyArray& parts = claimed.as_array();
    cursor = parts.at(0).as_string();
    for (const Reply& entry : parts.at(1).as_array()) {
      if (entry.is_nil()) continue;
      const std::string id = entry.as_array().at(0).as_string();
      // Our own retries are re-claimed well within the lease; one found here
      // is someone else's (or ours from before a long stall): try it now.
      attempt(id, entry.as_array().at(1).as_array());
    }
    if (parts.size() > 2 && !parts.at(2).as_array().empty()) {
      count("dropped", static_cast<long long>(parts.at(2).as_array().size()));
    }
  } while (cursor != "0-0");
}

void SinkDelivery::read_new(std::chrono::milliseconds wait) {
  const Reply read = client_.command(Command("XREADGROUP")
                                         .arg("GROUP")
                                         .arg(group_)
                                         .arg(watcher_)
                                         .arg("COUNT")
                                         .arg(kBatch)
                                         .arg("BLOCK")
                                         .arg(std::max(1LL, static_cast<long long>(wait.count())))
                                         .arg("STREAMS")
                                         .key(stream_)
                                         .arg(">"));
  if (read.is_nil()) return;
  for (const Reply& stream : read.as_array()) {
    for (const Reply& entry : stream.as_array().at(1).as_array()) {
      attempt(entry.as_array().at(0).as_string(), entry.as_array().at(1).as_array());
    }
  }
}

}  // namespace redkit::alert
