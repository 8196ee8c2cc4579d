#pragma once
// The narrow interface every algorithm runs on. A step is a batch of sends and receives that
// run concurrently; start() posts it and wait() completes it, so an algorithm may overlap local
// work (a reduction of the previous segment) with a step in flight. MPI runs a step as
// Isend/Irecv + Waitall; the in-process transport as mailbox copies; NCCL as one group on a
// stream (transport/nccl/). No algorithm calls MPI or NCCL itself.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "collectives/core/datatype.h"

namespace hockney {

// Messages between two ranks with the same tag arrive in the order they were sent; tags
// (0 <= tag < kMaxTags) keep independent streams between the same pair apart.
inline constexpr int kMaxTags = 4;
// The harness's control traffic (barriers, agreeing on counts, gathering results) uses the last
// tag, with host memory on every transport: a device transport sends it over its host side.
inline constexpr int kControlTag = kMaxTags - 1;

struct Send {
  int peer;
  const void* data;
  size_t bytes;
  int tag = 0;
};

struct Recv {
  int peer;
  void* data;
  size_t bytes;
  int tag = 0;
};

// A step in flight; what it holds is the transport's business.
class PendingStep {
 public:
  virtual ~PendingStep() = default;
};
using StepHandle = std::unique_ptr<PendingStep>;

// What a transport is doing right now, readable from another thread: the watchdog names the
// step that stalled from this.
struct StepProgress {
  static constexpr int kPeers = 4;
  std::atomic<long> step{0};  // steps started since the last reset
  std::atomic<int> sends{0};
  std::atomic<int> recvs{0};
  std::atomic<int> sendPeer[kPeers] = {};
  std::atomic<int> recvPeer[kPeers] = {};
  std::atomic<bool> armed{false};  // inside a watched collective call (set by the watchdog)

  void reset() {
    step.store(0, std::memory_order_relaxed);
    sends.store(0, std::memory_order_relaxed);
    recvs.store(0, std::memory_order_relaxed);
  }
  void record(std::span<const Send> s, std::span<const Recv> r);
  // "step 7 (send to 1; recv from 3)": what the rank was doing.
  std::string describe() const;
};

// Test hook: from step `atStep` on (counted from the last progress reset), `rank` posts no
// sends, so its peers stall. This is how tests prove the watchdog names the stalled step. The
// MPI transport applies it only inside watched calls, never to the harness's own traffic.
struct FaultInjection {
  int rank = -1;
  long atStep = 0;
  bool dropsSend(int myRank, long step) const { return myRank == rank && step >= atStep; }
};

// The memory a device transport's algorithms work on (GPU memory) and how the harness reaches
// it: test data is made and checked on the host and copied across outside the timed region;
// the timed region is timed on the device's stream. Host transports have none.
class Device {
 public:
  virtual ~Device() = default;
  virtual void* allocate(size_t bytes) = 0;  // zero-filled; throws std::bad_alloc when full
  virtual void release(void* p) noexcept = 0;
  virtual void upload(void* dst, const void* src, size_t bytes) = 0;  // host to device, waits
  virtual void download(void* dst, const void* src, size_t bytes) = 0;
  virtual size_t freeBytes() = 0;
  // Device time between the two calls, from events on the stream; timerStop() waits for it.
  virtual void timerStart() = 0;
  virtual double timerStop() = 0;
  // Records what `calls` enqueues (a CUDA graph) without running it; replay() enqueues it again.
  virtual void capture(const std::function<void()>& calls) = 0;
  virtual void replay() = 0;
  // What the reports record: the device's name, bus id, library and driver versions.
  virtual std::vector<std::pair<std::string, std::string>> facts() const = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string_view backend() const = 0;

  virtual StepHandle start(std::span<const Send> sends, std::span<const Recv> recvs) = 0;
  virtual void wait(StepHandle& step) = 0;

  // start + wait.
  void exchange(std::span<const Send> sends, std::span<const Recv> recvs) {
    StepHandle h = start(sends, recvs);
    wait(h);
  }
  void send(int peer, const void* data, size_t bytes) {
    Send s{peer, data, bytes};
    exchange({&s, 1}, {});
  }
  void recv(int peer, void* data, size_t bytes) {
    Recv r{peer, data, bytes};
    exchange({}, {&r, 1});
  }
  void sendRecv(int sendPeer, const void* sendData, size_t sendBytes, int recvPeer, void* recvData,
                size_t recvBytes) {
    Send s{sendPeer, sendData, sendBytes};
    Recv r{recvPeer, recvData, recvBytes};
    exchange({&s, 1}, {&r, 1});
  }

  // Local work. dst[i] = dst[i] op src[i]; on the host by default.
  virtual void reduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op);
  virtual void copy(void* dst, const void* src, size_t bytes);

  virtual void barrier() = 0;

  // Device memory the algorithms' buffers must live in, or null (host memory).
  virtual Device* device() { return nullptr; }

  StepProgress& progress() { return progress_; }

 protected:
  StepProgress progress_;
};

// One control message (kControlTag, host memory), sent or received alone.
inline void controlSend(Transport& t, int peer, const void* data, size_t bytes) {
  Send s{peer, data, bytes, kControlTag};
  t.exchange({&s, 1}, {});
}
inline void controlRecv(Transport& t, int peer, void* data, size_t bytes) {
  Recv r{peer, data, bytes, kControlTag};
  t.exchange({}, {&r, 1});
}

}  // namespace hockney
