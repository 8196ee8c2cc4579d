#pragma once
// Turns a hang into a clear failure. A background thread watches a deadline that the harness
// arms around every collective call; when it passes, the watchdog reports what stalled
// (pattern, algorithm, size, iteration, and the transport's current step with its peers) and
// calls the abort action (MPI_Abort under MPI), so no job sits silently until its walltime.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "collectives/transport/transport.h"

namespace hockney {

struct WatchContext {
  std::string pattern;
  std::string algorithm;
  size_t bytes = 0;
};

class Watchdog {
 public:
  // onStall gets the message; it should not return (abort the job).
  Watchdog(std::chrono::duration<double> timeout, StepProgress& progress, int rank,
           std::function<void(const std::string&)> onStall);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void setContext(WatchContext context);
  // Cheap: two atomic stores and a progress reset; called around each timed call.
  void arm(long iteration);
  void disarm();
  std::string describe(long iteration) const;

 private:
  void watch();

  std::chrono::nanoseconds timeout_;
  StepProgress& progress_;
  int rank_;
  std::function<void(const std::string&)> onStall_;
  mutable std::mutex mutex_;
  WatchContext context_;
  std::atomic<long> deadlineNs_{0};  // steady clock ns; 0 = disarmed
  std::atomic<long> iteration_{0};
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace hockney
