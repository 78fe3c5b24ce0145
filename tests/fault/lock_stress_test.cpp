// Randomized multi-process stress of the lock API: worker processes
// (lock_stress_worker.cpp) whose threads mix every lock kind over shared
// names from fixed seeds, then a check of everything they logged:
// - no two sections overlap on a name unless both are reads, or permits
//   within the semaphore's count, except where a holder's lease had already
//   run out by its own account (Lock::held() false when it left);
// - fencing tokens are distinct per name and increase from one exclusive
//   section to the next;
// - an auto-renewed acquisition whose release found it expired had been told
//   (its stop token fired), or its own validity had run out by then: the
//   lock never claimed time the server no longer gave it;
// - nothing threw;
// - afterwards, every key left is one docs/KEYS.md says is permanent, and
//   every other key disappears within its documented lifetime.
//
//   REDKIT_LOCK_STRESS_SECONDS=S   run the workers for S seconds instead of
//                                  the CI's fixed number of operations
//   REDKIT_LOCK_STRESS_SEED=N      the seed (default 1)
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "redkit/client.hpp"
#include "support/child_process.hpp"
#include "support/redis_test.hpp"
#include "support/wait_for.hpp"

namespace redkit::test {
namespace {

using namespace std::chrono_literals;

constexpr int kPermits = 2;  // the worker's semaphore

struct Section {
  int worker = 0;
  int thread = 0;
  int section = 0;
  std::string name;
  char mode = 'x';  // x exclusive-like, r read, p permit
  long long fence = 0;
  long long entered = 0;
  long long left = 0;
  bool exited = false;
  bool held_at_exit = false;
  bool lost = false;
  int outcome = -1;
  bool renewing = false;
  long long validity_ms = -1;  // Lock::validity() when leaving; -1 unknown
  long long released = 0;      // when the release returned
};

struct Findings {
  std::vector<Section> sections;
  std::vector<std::string> problems;
  int timeouts = 0;
};

Findings read_logs(const std::vector<std::filesystem::path>& logs) {
  Findings found;
  // (worker, thread, section) -> indexes of its sections (a multi has several)
  std::map<std::tuple<int, int, int>, std::vector<std::size_t>> by_id;
  for (const auto& path : logs) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      char kind = 0;
      int worker = 0, thread = 0, section = 0;
      fields >> kind >> worker >> thread >> section;
      const auto id = std::make_tuple(worker, thread, section);
      if (kind == 'A') {
        Section s;
        s.worker = worker;
        s.thread = thread;
        s.section = section;
        fields >> s.name >> s.mode >> s.fence >> s.entered;
        by_id[id].push_back(found.sections.size());
        found.sections.push_back(s);
      } else if (kind == 'X') {
        int held = 0, lost = 0;
        long long at = 0, validity = -1;
        fields >> held >> lost >> at >> validity;
        for (std::size_t i : by_id[id]) {
          found.sections[i].exited = true;
          found.sections[i].held_at_exit = held == 1;
          found.sections[i].lost = lost == 1;
          found.sections[i].left = at;
          found.sections[i].validity_ms = validity;
        }
      } else if (kind == 'R') {
        int outcome = 0, renewing = 0;
        long long at = 0;
        fields >> outcome >> renewing >> at;
        for (std::size_t i : by_id[id]) {
          found.sections[i].outcome = outcome;
          found.sections[i].renewing = renewing == 1;
          found.sections[i].released = at;
        }
      } else if (kind == 'T') {
        ++found.timeouts;
      } else if (kind == 'E') {
        found.problems.push_back("an operation threw: " + line);
      }
    }
  }
  return found;
}

std::string show(const Section& s) {
  return "worker " + std::to_string(s.worker) + " thread " + std::to_string(s.thread) + " section " +
         std::to_string(s.section) + " (" + s.name + " " + s.mode + ", fence " + std::to_string(s.fence) + ")";
}

void check(Findings& found) {
  std::map<std::string, std::vector<const Section*>> by_name;
  for (const Section& s : found.sections) {
    if (!s.exited) {
      found.problems.push_back("never left: " + show(s));
      continue;
    }
    by_name[s.name].push_back(&s);
    // The server may drop a renewed lock only once its holder's own view of
    // the lease has run out too (a holder stalled past it sees held() turn
    // false): never while validity() still promised time. Checked against
    // when the release returned, so a holder descheduled on its way out is
    // no finding.
    if (s.renewing && (s.outcome == 1 || s.outcome == 2) && !s.lost && s.validity_ms >= 0 &&
        s.released < s.left + s.validity_ms * 1'000'000) {
      found.problems.push_back("released as expired " + std::to_string((s.left + s.validity_ms * 1'000'000 - s.released) / 1'000'000) +
                               " ms before its validity ran out, no loss reported: " + show(s));
    }
  }
  for (auto& [name, sections] : by_name) {
    std::sort(sections.begin(), sections.end(), [](const Section* a, const Section* b) { return a->entered < b->entered; });
    std::map<long long, int> fences;
    for (const Section* s : sections) {
      if (++fences[s->fence] > 1) found.problems.push_back("fence given twice on " + name + ": " + show(*s));
    }
    // Overlaps among sections whose holders still held their lease when they
    // left. Logged intervals lie inside the real ones (entry is logged after
    // the acquisition returns, exit before the release), so an overlap seen
    // here is a real one.
    for (std::size_t i = 0; i < sections.size(); ++i) {
      const Section& a = *sections[i];
      if (!a.held_at_exit || a.mode == 'p') continue;
      for (std::size_t j = i + 1; j < sections.size() && sections[j]->entered < a.left; ++j) {
        const Section& b = *sections[j];
        if (!b.held_at_exit || (a.mode == 'r' && b.mode == 'r')) continue;
        found.problems.push_back("overlap on " + name + ": " + show(a) + " and " + show(b));
      }
    }
    // Permits: at no instant more than the semaphore grants.
    std::vector<std::pair<long long, int>> edges;
    for (const Section* s : sections) {
      if (s->mode != 'p' || !s->held_at_exit) continue;
      edges.emplace_back(s->entered, 1);
      edges.emplace_back(s->left, -1);
    }
    std::sort(edges.begin(), edges.end());  // at a tie the leaving (-1) comes first
    int inside = 0;
    for (const auto& [at, change] : edges) {
      inside += change;
      if (inside > kPermits) {
        found.problems.push_back(std::to_string(inside) + " permits of " + name + " held at once at " +
                                 std::to_string(at) + " ns");
      }
    }
    // Exclusive sections take increasing fences.
    long long previous = 0;
    for (const Section* s : sections) {
      if (s->mode != 'x') continue;
      if (s->fence <= previous) found.problems.push_back("fence did not increase: " + show(*s));
      previous = std::max(previous, s->fence);
    }
  }
}

class LockStress : public RedisTest {};

TEST_F(LockStress, RandomProcessesAndThreadsKeepEveryLockPromise) {
  const char* seconds = std::getenv("REDKIT_LOCK_STRESS_SECONDS");
  const char* seed_text = std::getenv("REDKIT_LOCK_STRESS_SEED");
  const std::string seed = seed_text != nullptr && *seed_text != '\0' ? seed_text : "1";
  const auto dir = std::filesystem::path(::testing::TempDir()) /
                   ("lock-stress-" + std::to_string(::getpid()) + "-" + prefix().substr(0, prefix().size() - 1));
  std::filesystem::create_directories(dir);
  std::vector<std::unique_ptr<ChildProcess>> workers;
  std::vector<std::filesystem::path> logs;
  for (int w = 1; w <= 3; ++w) {
    logs.push_back(dir / ("worker-" + std::to_string(w) + ".log"));
    std::vector<std::string> argv{LOCK_STRESS_WORKER_PATH, "--url", redis().url(), "--prefix", prefix(),
                                  "--log", logs.back().string(), "--worker", std::to_string(w),
                                  "--threads", "3", "--seed", seed};
    if (seconds != nullptr && *seconds != '\0') {
      argv.insert(argv.end(), {"--seconds", seconds});
    } else {
      argv.insert(argv.end(), {"--operations", "24"});
    }
    workers.push_back(std::make_unique<ChildProcess>(argv, dir / ("worker-" + std::to_string(w) + ".out")));
  }
  const auto limit = seconds != nullptr && *seconds != '\0' ? std::chrono::seconds(std::atoi(seconds) + 120) : 100s;
  for (auto& worker : workers) {
    const auto status = worker->wait_exit(std::chrono::duration_cast<std::chrono::milliseconds>(limit));
    ASSERT_EQ(status, 0) << worker->output();
  }

  Findings found = read_logs(logs);
  check(found);
  std::string problems;
  for (std::size_t i = 0; i < found.problems.size() && i < 20; ++i) problems += found.problems[i] + "\n";
  EXPECT_EQ(found.problems.size(), 0u) << "seed " << seed << ":\n" << problems;
  // The run did what it is for: many sections of every mode.
  std::map<char, int> modes;
  for (const Section& s : found.sections) ++modes[s.mode];
  EXPECT_GT(modes['x'], 20);
  EXPECT_GT(modes['r'], 5);
  EXPECT_GT(modes['p'], 5);
  RecordProperty("sections", static_cast<int>(found.sections.size()));

  // Afterwards only the keys docs/KEYS.md calls permanent stay: the fencing
  // counters, the metrics and the most contended names; the released-token
  // logs of readers and permits last 60 s; everything else goes with its TTL.
  Client client(redis().url());
  auto leftovers = [&] {
    std::vector<std::string> left;
    std::string cursor = "0";
    do {
      const Reply reply = client.command({"SCAN", cursor, "MATCH", prefix() + "*", "COUNT", "1000"});
      cursor = reply.as_array().at(0).as_string();
      for (const Reply& key : reply.as_array().at(1).as_array()) {
        const std::string& k = key.as_string();
        const bool permanent = k.ends_with(":state") || k == prefix() + "{lock-metrics}" ||
                               k == prefix() + "{lock-metrics}:contention";
        const bool slow = k.ends_with(":readers:released") || k.ends_with(":permits:released");
        if (permanent) continue;
        const long long ttl = client.command({"PTTL", k}).as_integer();
        if (ttl == -1) {
          left.push_back(k + " (no expiry)");
        } else if (!slow && ttl > 0) {
          left.push_back(k);
        } else if (slow && ttl > 60'000) {
          left.push_back(k + " (expires later than 60 s)");
        }
      }
    } while (cursor != "0");
    return left;
  };
  std::vector<std::string> left;
  EXPECT_TRUE(wait_for([&] { return (left = leftovers()).empty(); }, 20s)) << [&] {
    std::string all;
    for (const auto& k : left) all += k + "\n";
    return all;
  }();
}

}  // namespace
}  // namespace redkit::test
