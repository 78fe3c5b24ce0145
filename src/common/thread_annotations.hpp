// Checked locking: clang's -Wthread-safety proves at compile time that every
// field marked GUARDED_BY(m) is touched only with m held and that REQUIRES(m)
// functions are called with it held. A comment "guarded by mutex_" is a
// promise; the attribute is checked by the CI's clang build.
//
//   class Queue {
//     void push(int v) EXCLUDES(mutex_) { MutexLock lock(mutex_); items_.push_back(v); }
//     void drain_locked() REQUIRES(mutex_);
//     Mutex mutex_;
//     std::vector<int> items_ GUARDED_BY(mutex_);
//   };
//
// libstdc++'s std::mutex carries no capability attributes, so guarded state
// uses Mutex and MutexLock below: std::mutex and std::unique_lock under names
// the analysis understands. Other compilers see plain std::mutex code.
#pragma once

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define REDKIT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define REDKIT_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) REDKIT_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY REDKIT_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) REDKIT_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) REDKIT_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) REDKIT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) REDKIT_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) REDKIT_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) REDKIT_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) REDKIT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define RETURN_CAPABILITY(x) REDKIT_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS REDKIT_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace redkit::detail {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mutex_.try_lock(); }

 private:
  friend class MutexLock;
  std::mutex mutex_;
};

// Holds a Mutex for its scope; unlock()/lock() drop and retake it inside the
// scope (around a callback, say), and wait() hands it to a condition
// variable, which holds it again when the wait returns. There are no waits
// with a predicate: a predicate lambda reads guarded fields where the
// analysis cannot see the lock, so callers loop instead.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : lock_(mutex.mutex_) {}
  ~MutexLock() RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void lock() ACQUIRE() { lock_.lock(); }
  void unlock() RELEASE() { lock_.unlock(); }

  void wait(std::condition_variable& condition) { condition.wait(lock_); }
  template <typename Duration>
  std::cv_status wait_for(std::condition_variable& condition, const Duration& timeout) {
    return condition.wait_for(lock_, timeout);
  }
  template <typename TimePoint>
  std::cv_status wait_until(std::condition_variable& condition, const TimePoint& deadline) {
    return condition.wait_until(lock_, deadline);
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace redkit::detail
