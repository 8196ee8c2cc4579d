#pragma once
// Ranks as threads in one process, for tests: a send copies into the peer's mailbox at once
// (so no step can deadlock on buffering), a receive blocks until its message is there or the
// timeout passes. Messages between a pair arrive in order, as MPI's do.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "collectives/transport/transport.h"

namespace hockney {

struct InprocOptions {
  std::chrono::milliseconds timeout{60000};
  FaultInjection fault;
};

class InprocFabric {
 public:
  InprocFabric(int size, InprocOptions options);
  int size() const { return size_; }
  const InprocOptions& options() const { return options_; }

  void post(int src, int dst, int tag, const void* data, size_t bytes);
  // Blocks until the next message from src to dst arrives; throws Error on timeout, size
  // mismatch or abort. `what` describes the waiting step for the message.
  void take(int src, int dst, int tag, void* data, size_t bytes,
            const std::function<std::string()>& what);
  void barrier(const std::function<std::string()>& what);
  // Wakes every waiter with an error: one rank failed, the others must not hang.
  void abort(const std::string& why);

 private:
  std::chrono::steady_clock::time_point deadline() const;
  void throwIfAborted() const;

  int size_;
  InprocOptions options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::vector<std::byte>>& queue(int src, int dst, int tag);
  std::vector<std::deque<std::vector<std::byte>>> queues_;  // [(src * size + dst) * tags + tag]
  int barrierArrived_ = 0;
  long barrierGeneration_ = 0;
  std::string abortReason_;
};

class InprocTransport : public Transport {
 public:
  InprocTransport(InprocFabric& fabric, int rank) : fabric_(fabric), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return fabric_.size(); }
  std::string_view backend() const override { return "inproc"; }
  StepHandle start(std::span<const Send> sends, std::span<const Recv> recvs) override;
  void wait(StepHandle& step) override;
  void barrier() override;

 private:
  InprocFabric& fabric_;
  int rank_;
};

// Runs body(transport) on `size` threads, one per rank; rethrows the first rank's error after
// all threads have ended.
void runInproc(int size, const std::function<void(Transport&)>& body, InprocOptions options = {});

// The same with the caller choosing the transport each rank sees (the counting transport
// wraps the in-process one).
void runInprocWith(int size, const std::function<void(InprocTransport&)>& body,
                   InprocOptions options = {});

}  // namespace hockney
