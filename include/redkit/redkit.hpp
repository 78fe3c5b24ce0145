// redkit/redkit.hpp — the whole public API in one include.
//
//   #include <redkit/redkit.hpp>
//   redkit::Client client;   // $REDIS_URL, else redis://127.0.0.1:6379
//   client.command({"PING"});
#pragma once

#include "redkit/client.hpp"
#include "redkit/command.hpp"
#include "redkit/duration.hpp"
#include "redkit/error.hpp"
#include "redkit/fair_lock.hpp"
#include "redkit/lock.hpp"
#include "redkit/lock_names.hpp"
#include "redkit/lock_registry.hpp"
#include "redkit/multi_lock.hpp"
#include "redkit/lock_service.hpp"
#include "redkit/options.hpp"
#include "redkit/pipeline.hpp"
#include "redkit/read_write_lock.hpp"
#include "redkit/redlock.hpp"
#include "redkit/reply.hpp"
#include "redkit/script.hpp"
#include "redkit/self_metrics.hpp"
#include "redkit/subscriber.hpp"
#include "redkit/time_series.hpp"
#include "redkit/ts_alert_sinks.hpp"
#include "redkit/ts_alert_watcher.hpp"
#include "redkit/ts_alerts.hpp"
#include "redkit/ts_analytics.hpp"
#include "redkit/ts_anomalies.hpp"
#include "redkit/ts_types.hpp"
#include "redkit/version.hpp"
