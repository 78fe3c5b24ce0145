// The scenarios of `redkit demo`: the seed's lock and time-series patterns,
// each run with the properties the seed's versions lack checked at the end.
#pragma once

#include <string>

#include "demo_report.hpp"
#include "redkit/client.hpp"

namespace redkit::cli {

// RetryLock / SafeLockManager: threads doing read-modify-write under one lock.
void show_locked_counter(Report& report, const redkit::Client& client, const std::string& prefix);
// MultiLockCoordinator: transfers between accounts locked in pairs.
void show_bank_transfers(Report& report, const redkit::Client& client, const std::string& prefix);
// RenewableLock: a job that outlives its TTL many times over.
void show_renewal(Report& report, const redkit::Client& client, const std::string& prefix);
// ReadWriteLock: readers and writers that never overlap.
void show_read_write(Report& report, const redkit::Client& client, const std::string& prefix);

// LockRegistry, deadlock detection and lock metrics: the holders listed, a
// deadlock between two workers found and broken, the metrics summed.
void show_registry_and_deadlock(Report& report, const redkit::Client& client, const std::string& prefix);

// TimeSeriesManager / TimeSeriesAggregator: a day of samples, compressed,
// queried, aggregated, with a late sample (demo_series.cpp).
void show_series_store(Report& report, const redkit::Client& client, const std::string& prefix);
// DataRetentionManager and multi-metric queries: the retention preset fed by
// rules, and series found and grouped by label.
void show_retention_and_labels(Report& report, const redkit::Client& client, const std::string& prefix);

// MultiMetricAnalyzer and TimeSeriesMonitor: correlation of related and
// unrelated metrics, outliers, a counter's rate across a reset, a rule
// backfilled from history, and the store's storage stats
// (demo_analytics.cpp).
void show_analysis(Report& report, const redkit::Client& client, const std::string& prefix);

// TimeSeriesAlertManager and AnomalyDetector: a threshold rule with
// hysteresis firing and resolving through two watchers and a PUBLISH sink,
// and an anomaly found against a day's baseline (demo_alerts.cpp).
void show_alerting(Report& report, const redkit::Client& client, const std::string& prefix);

}  // namespace redkit::cli
