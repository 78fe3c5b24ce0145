// SinkDelivery: the history stream read through the sink's consumer group
// (sink_delivery.hpp). Every attempt goes through alert_sink_claim, which
// re-claims the entry only while this watcher holds it; retries are kept in
// memory and re-claimed within a third of the lease, so their idle time
// shows that this watcher is still on them.
#include "alert/sink_delivery.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "alert/alert_state.hpp"
#include "alert/notification_fields.hpp"
#include "alert/rule_evaluation.hpp"
#include "client/embedded_scripts.hpp"
#include "common/unix_time.hpp"

namespace redkit::alert {

using ::redkit::detail::embedded_script;
using ::redkit::detail::ScriptName;

namespace {

// Entries read or claimed per command.
constexpr long long kBatch = 100;

// The time an entry was recorded: the first part of its stream id.
long long recorded_ms(const std::string& id) {
  long long ms = 0;
  std::from_chars(id.data(), id.data() + id.find('-'), ms);
  return ms;
}

// Stream ids compare as (ms, sequence).
bool id_after(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& id) {
    long long ms = 0, seq = 0;
    const auto dash = id.find('-');
    std::from_chars(id.data(), id.data() + dash, ms);
    if (dash != std::string::npos) std::from_chars(id.data() + dash + 1, id.data() + id.size(), seq);
    return std::pair(ms, seq);
  };
  return parts(a) > parts(b);
}

}  // namespace

SinkDelivery::SinkDelivery(Client client, const ts::AlertWatcherOptions& options, std::shared_ptr<ts::AlertSink> sink,
                           std::string watcher, const std::atomic<bool>& stopping)
    : client_(std::move(client)),
      options_(options),
      sink_(std::move(sink)),
      watcher_(std::move(watcher)),
      stopping_(stopping),
      stream_(history_key(options.rules)),
      stats_(options.rules.prefix + "{alert}:sinks"),
      group_("sink:" + sink_->name()),
      last_id_(fmt::format("{}-0", ::redkit::detail::unix_ms_now())) {}

void SinkDelivery::ensure_group() {
  try {
    client_.command(Command("XGROUP").arg("CREATE").key(stream_).arg(group_).arg("$").arg("MKSTREAM"));
  } catch (const ReplyError& error) {
    if (error.code() != "BUSYGROUP") throw;
  }
}

// The group vanished while this watcher ran (Redis restarted without it, or
// restored an older snapshot): it starts again after the newest entry this
// watcher handled, or after the time it started, so whatever was recorded
// since then is delivered and nothing older is delivered again.
void SinkDelivery::recreate_group() {
  retries_.clear();
  unacknowledged_.clear();
  try {
    client_.command(Command("XGROUP").arg("CREATE").key(stream_).arg(group_).arg(last_id_).arg("MKSTREAM"));
  } catch (const ReplyError& error) {
    if (error.code() != "BUSYGROUP") throw;
  }
}

void SinkDelivery::pass(std::chrono::milliseconds wait) {
  try {
    retry_acknowledgements();
    retry_due();
    claim_abandoned();
    refresh_firing();
    read_new(wait);
  } catch (const ReplyError& error) {
    if (error.code() != "NOGROUP") throw;
    recreate_group();
  }
}

void SinkDelivery::offer_firing(std::vector<ts::AlertNotification> firing) {
  // Most sinks ignore refresh(): no snapshot, so no state reads either.
  if (!sink_->refreshes()) return;
  detail::MutexLock lock(firing_mutex_);
  firing_ = std::move(firing);
}

// A snapshot taken before another watcher resolved one of its alerts must
// not revive it: each alert is re-sent only if its stored state still says
// firing since the same time.
std::vector<ts::AlertNotification> SinkDelivery::still_firing(std::vector<ts::AlertNotification> firing) {
  if (firing.empty()) return firing;
  std::vector<Command> reads;
  reads.reserve(firing.size());
  for (const ts::AlertNotification& alert : firing) {
    reads.push_back(std::move(
        Command("HGET").key(states_key(options_.rules, alert.transition.rule)).arg(alert.transition.series)));
  }
  const std::vector<Reply> states = client_.execute(reads);
  std::vector<ts::AlertNotification> out;
  for (std::size_t i = 0; i < firing.size(); ++i) {
    const auto text = states[i].throw_if_error().as_optional_string();
    const auto state = text ? decode_state(*text) : std::nullopt;
    if (state && state->phase == AlertPhase::firing && state->since == firing[i].transition.active_since) {
      out.push_back(std::move(firing[i]));
    }
  }
  return out;
}

void SinkDelivery::refresh_firing() {
  std::optional<std::vector<ts::AlertNotification>> firing;
  {
    detail::MutexLock lock(firing_mutex_);
    firing.swap(firing_);
  }
  if (!firing) return;
  const std::vector<ts::AlertNotification> current = still_firing(std::move(*firing));
  try {
    sink_->refresh(current);
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
  if (options_.on_error) {
    try {
      options_.on_error(fmt::format("sink {}: {}", sink_->name(), text));
    } catch (...) {
      // A reporter that throws must not stop deliveries.
    }
  }
}

void SinkDelivery::acknowledge(const std::string& id) {
  retries_.erase(id);
  unacknowledged_.insert(id);
  client_.command(Command("XACK").key(stream_).arg(group_).arg(id));
  unacknowledged_.erase(id);
  if (id_after(id, last_id_)) last_id_ = id;
}

void SinkDelivery::drop(const std::string& id, const std::string& why) {
  acknowledge(id);
  count("dropped");
  record_failure(id, why);
}

void SinkDelivery::retry_acknowledgements() {
  const std::set<std::string> ids = unacknowledged_;
  for (const std::string& id : ids) acknowledge(id);
}

void SinkDelivery::take_and_attempt(const std::string& id) {
  const Reply taken =
      client_.command(embedded_script(ScriptName::alert_sink_claim).call({stream_}, {group_, watcher_, id}));
  const ReplyArray& answer = taken.as_array();
  const long long outcome = answer.at(0).as_integer();
  if (outcome == 1) {
    attempt(id, answer.at(1).as_array());
    return;
  }
  retries_.erase(id);
  if (outcome == -2) {
    count("dropped");
    record_failure(id, "trimmed from the history before it was delivered");
  }
}

void SinkDelivery::attempt(const std::string& id, const ReplyArray& fields) {
  std::optional<ts::AlertNotification> notification;
  try {
    notification = notification_from_fields(id, fields);
  } catch (const ProtocolError& error) {
    // An entry that cannot be read never will be.
    drop(id, error.what());
    return;
  }
  const long long age = ::redkit::detail::unix_ms_now() - recorded_ms(id);
  if (age >= options_.delivery.give_up_after.count()) {
    drop(id, fmt::format("not delivered within {} ms of being recorded", options_.delivery.give_up_after.count()));
    return;
  }
  std::string failure;
  try {
    sink_->deliver(*notification);
  } catch (const std::exception& error) {
    failure = error.what();
    if (failure.empty()) failure = "failed";
  } catch (...) {
    failure = "failed (not a std::exception)";
  }
  if (failure.empty()) {
    acknowledge(id);
    count("delivered");
    return;
  }
  count("failed");
  record_failure(id, failure);
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
    if (stopping_.load()) return;
    take_and_attempt(id);
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
                                              .arg(kBatch)
                                              .arg("JUSTID"));
    const ReplyArray& parts = claimed.as_array();
    cursor = parts.at(0).as_string();
    for (const Reply& id : parts.at(1).as_array()) {
      if (stopping_.load()) return;
      take_and_attempt(id.as_string());
    }
    // Entries trimmed while pending: XAUTOCLAIM has removed them.
    if (parts.size() > 2 && !parts.at(2).as_array().empty()) {
      const auto lost = static_cast<long long>(parts.at(2).as_array().size());
      count("dropped", lost);
      record_failure(parts.at(2).as_array().at(0).as_string(),
                     fmt::format("{} entr{} trimmed from the history before delivery", lost, lost == 1 ? "y" : "ies"));
    }
  } while (cursor != "0-0" && !stopping_.load());
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
  std::vector<std::string> ids;
  for (const Reply& stream : read.as_array()) {
    for (const Reply& entry : stream.as_array().at(1).as_array()) ids.push_back(entry.as_array().at(0).as_string());
  }
  // Each is taken again just before its attempt: one that waited in this
  // batch past the lease may have gone to another watcher meanwhile.
  for (const std::string& id : ids) {
    if (stopping_.load()) return;
    take_and_attempt(id);
  }
}

void SinkDelivery::leave() noexcept {
  try {
    const Reply mine = client_.command(Command("XPENDING").key(stream_).arg(group_).arg("-").arg("+").arg(1LL).arg(watcher_));
    if (mine.as_array().empty()) {
      client_.command(Command("XGROUP").arg("DELCONSUMER").key(stream_).arg(group_).arg(watcher_));
    }
  } catch (const std::exception&) {
    // The consumer stays listed; it holds nothing.
  }
}

}  // namespace redkit::alert
