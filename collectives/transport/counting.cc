#include "collectives/transport/counting.h"

#include <algorithm>

#include "collectives/core/error.h"

namespace hockney {
namespace {

struct CountingStep : PendingStep {
  StepHandle inner;
  Cost startClock;
  std::vector<Recv> recvs;
  size_t sendBytes = 0;
  size_t recvBytes = 0;
  bool moves = false;
};

}  // namespace

void CountingLedger::post(int src, int dst, int tag, const Cost& clock) {
  std::lock_guard lock(mutex_);
  clocks_[(static_cast<size_t>(src) * size_ + dst) * kMaxTags + tag].push_back(clock);
}

Cost CountingLedger::take(int src, int dst, int tag) {
  std::lock_guard lock(mutex_);
  auto& q = clocks_[(static_cast<size_t>(src) * size_ + dst) * kMaxTags + tag];
  HOCKNEY_CHECK(!q.empty(), "no clock from rank {} to rank {}", src, dst);
  Cost c = q.front();
  q.pop_front();
  return c;
}

StepHandle CountingTransport::start(std::span<const Send> sends, std::span<const Recv> recvs) {
  auto step = std::make_unique<CountingStep>();
  step->startClock = clock_;
  for (const Send& s : sends) {
    ledger_.post(rank(), s.peer, s.tag, clock_);  // before the data, so a receiver always finds it
    step->sendBytes += s.bytes;
  }
  for (const Recv& r : recvs) {
    step->recvs.push_back(r);
    step->recvBytes += r.bytes;
  }
  step->moves = !sends.empty() || !recvs.empty();
  step->inner = inner_.start(sends, recvs);
  return step;
}

void CountingTransport::wait(StepHandle& handle) {
  auto& step = static_cast<CountingStep&>(*handle);
  inner_.wait(step.inner);
  if (step.moves) {
    Cost done = step.startClock;
    for (const Recv& r : step.recvs) done = maxCost(done, ledger_.take(r.peer, rank(), r.tag));
    done += Cost{1, static_cast<double>(std::max(step.sendBytes, step.recvBytes)), 0};
    clock_ = maxCost(clock_, done);
  }
  handle.reset();
}

void CountingTransport::reduce(void* dst, const void* src, size_t count, DataType type,
                               ReduceOp op) {
  inner_.reduce(dst, src, count, type, op);
  clock_.gammaBytes += static_cast<double>(count * elementSize(type));
}

Cost countCost(int size, const std::function<void(Transport&)>& body) {
  CountingLedger ledger(size);
  std::vector<Cost> clocks(static_cast<size_t>(size));
  runInprocWith(size, [&](InprocTransport& inner) {
    CountingTransport counting(inner, ledger);
    body(counting);
    clocks[static_cast<size_t>(inner.rank())] = counting.clock();
  });
  Cost total;
  for (const Cost& c : clocks) total = maxCost(total, c);
  return total;
}

}  // namespace hockney
