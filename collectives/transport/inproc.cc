#include "collectives/transport/inproc.h"

#include <cstring>
#include <exception>
#include <thread>

#include "collectives/core/error.h"

namespace hockney {
namespace {

struct InprocStep : PendingStep {
  std::vector<Recv> recvs;
};

}  // namespace

InprocFabric::InprocFabric(int size, InprocOptions options)
    : size_(size), options_(options), queues_(static_cast<size_t>(size) * size * kMaxTags) {
  HOCKNEY_CHECK(size >= 1, "inproc fabric of {} ranks", size);
}

std::chrono::steady_clock::time_point InprocFabric::deadline() const {
  return std::chrono::steady_clock::now() + options_.timeout;
}

void InprocFabric::throwIfAborted() const {
  if (!abortReason_.empty()) HOCKNEY_THROW("aborted: {}", abortReason_);
}

std::deque<std::vector<std::byte>>& InprocFabric::queue(int src, int dst, int tag) {
  HOCKNEY_CHECK(tag >= 0 && tag < kMaxTags, "tag {} out of range", tag);
  return queues_[(static_cast<size_t>(src) * size_ + dst) * kMaxTags + tag];
}

void InprocFabric::post(int src, int dst, int tag, const void* data, size_t bytes) {
  HOCKNEY_CHECK(dst >= 0 && dst < size_, "rank {} sends to rank {} of {}", src, dst, size_);
  std::vector<std::byte> message(bytes);
  if (bytes > 0) std::memcpy(message.data(), data, bytes);
  {
    std::lock_guard lock(mutex_);
    queue(src, dst, tag).push_back(std::move(message));
  }
  cv_.notify_all();
}

void InprocFabric::take(int src, int dst, int tag, void* data, size_t bytes,
                        const std::function<std::string()>& what) {
  HOCKNEY_CHECK(src >= 0 && src < size_, "rank {} receives from rank {} of {}", dst, src, size_);
  std::unique_lock lock(mutex_);
  auto& q = queue(src, dst, tag);
  auto until = deadline();
  while (q.empty()) {
    throwIfAborted();
    if (cv_.wait_until(lock, until) == std::cv_status::timeout && q.empty()) {
      throwIfAborted();
      HOCKNEY_THROW("timeout: rank {} waited {} ms for a message from rank {} in {}", dst,
                    options_.timeout.count(), src, what());
    }
  }
  std::vector<std::byte> message = std::move(q.front());
  q.pop_front();
  lock.unlock();
  HOCKNEY_CHECK_EQ(message.size(), bytes, "message from rank {} to rank {} in {}", src, dst,
                   what());
  if (bytes > 0) std::memcpy(data, message.data(), bytes);
}

void InprocFabric::barrier(const std::function<std::string()>& what) {
  std::unique_lock lock(mutex_);
  throwIfAborted();
  long generation = barrierGeneration_;
  if (++barrierArrived_ == size_) {
    barrierArrived_ = 0;
    ++barrierGeneration_;
    cv_.notify_all();
    return;
  }
  auto until = deadline();
  while (barrierGeneration_ == generation) {
    throwIfAborted();
    if (cv_.wait_until(lock, until) == std::cv_status::timeout && barrierGeneration_ == generation)
      HOCKNEY_THROW("timeout in barrier after {}", what());
  }
}

void InprocFabric::abort(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (abortReason_.empty()) abortReason_ = why;
  }
  cv_.notify_all();
}

StepHandle InprocTransport::start(std::span<const Send> sends, std::span<const Recv> recvs) {
  progress_.record(sends, recvs);
  long step = progress_.step.load(std::memory_order_relaxed);
  if (!fabric_.options().fault.dropsSend(rank_, step))
    for (const Send& s : sends) fabric_.post(rank_, s.peer, s.tag, s.data, s.bytes);
  auto pending = std::make_unique<InprocStep>();
  pending->recvs.assign(recvs.begin(), recvs.end());
  return pending;
}

void InprocTransport::wait(StepHandle& step) {
  HOCKNEY_CHECK(step != nullptr, "wait on a step that was not started");
  auto& pending = static_cast<InprocStep&>(*step);
  auto what = [this] { return progress_.describe(); };
  for (const Recv& r : pending.recvs) fabric_.take(r.peer, rank_, r.tag, r.data, r.bytes, what);
  step.reset();
}

void InprocTransport::barrier() {
  fabric_.barrier([this] { return fmt::format("rank {} {}", rank_, progress_.describe()); });
}

void runInprocWith(int size, const std::function<void(InprocTransport&)>& body,
                   InprocOptions options) {
  InprocFabric fabric(size, options);
  std::mutex mutex;
  std::vector<std::exception_ptr> errors;  // in the order they happened
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(size));
  for (int r = 0; r < size; ++r) {
    threads.emplace_back([&, r] {
      try {
        InprocTransport transport(fabric, r);
        body(transport);
      } catch (const std::exception& e) {
        {
          std::lock_guard lock(mutex);
          errors.push_back(std::current_exception());
        }
        fabric.abort(fmt::format("rank {} failed: {}", r, e.what()));
      }
    });
  }
  for (auto& t : threads) t.join();
  if (!errors.empty()) std::rethrow_exception(errors.front());  // the cause; others followed it
}

void runInproc(int size, const std::function<void(Transport&)>& body, InprocOptions options) {
  runInprocWith(
      size, [&](InprocTransport& t) { body(t); }, options);
}

}  // namespace hockney
