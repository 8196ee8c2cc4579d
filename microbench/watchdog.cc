#include "microbench/watchdog.h"

#include <fmt/format.h>

namespace hockney {
namespace {

long nowNs() {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count());
}

}  // namespace

Watchdog::Watchdog(std::chrono::duration<double> timeout, StepProgress& progress, int rank,
                   std::function<void(const std::string&)> onStall)
    : timeout_(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout)),
      progress_(progress),
      rank_(rank),
      onStall_(std::move(onStall)),
      thread_([this] { watch(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::setContext(WatchContext context) {
  std::lock_guard lock(mutex_);
  context_ = std::move(context);
}

void Watchdog::arm(long iteration) {
  progress_.reset();
  progress_.armed.store(true, std::memory_order_relaxed);
  iteration_.store(iteration, std::memory_order_relaxed);
  deadlineNs_.store(nowNs() + static_cast<long>(timeout_.count()), std::memory_order_release);
}

void Watchdog::disarm() {
  deadlineNs_.store(0, std::memory_order_release);
  progress_.armed.store(false, std::memory_order_relaxed);
}

std::string Watchdog::describe(long iteration) const {
  std::lock_guard lock(mutex_);
  return fmt::format(
      "watchdog: {}/{} at {} bytes did not finish within {:g} s on rank {}: iteration {}, "
      "stalled in {}",
      context_.pattern, context_.algorithm, context_.bytes,
      std::chrono::duration<double>(timeout_).count(), rank_, iteration, progress_.describe());
}

void Watchdog::watch() {
  std::unique_lock lock(mutex_);
  const auto tick =
      std::min<std::chrono::nanoseconds>(timeout_ / 4, std::chrono::milliseconds(100));
  while (!stop_) {
    cv_.wait_for(lock, std::max<std::chrono::nanoseconds>(tick, std::chrono::milliseconds(1)));
    if (stop_) break;
    long deadline = deadlineNs_.load(std::memory_order_acquire);
    if (deadline != 0 && nowNs() > deadline) {
      long iteration = iteration_.load(std::memory_order_relaxed);
      lock.unlock();
      onStall_(describe(iteration));
      return;
    }
  }
}

}  // namespace hockney
