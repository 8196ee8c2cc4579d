#include "collectives/transport/counting.h"

#include <algorithm>

#include "collectives/core/error.h"

namespace hockney {
namespace {

struct CountingStep : PendingStep {
  StepHandle inner;
  LevelCost startClock;
  bool network = false;
  std::vector<Recv> recvs;
  size_t sendBytes = 0;
  size_t recvBytes = 0;
  bool moves = false;
};

}  // namespace

void CountingLedger::post(int src, int dst, int tag, const LevelCost& clock) {
  std::lock_guard lock(mutex_);
  clocks_[(static_cast<size_t>(src) * size_ + dst) * kMaxTags + tag].push_back(clock);
}

LevelCost CountingLedger::take(int src, int dst, int tag) {
  std::lock_guard lock(mutex_);
  auto& q = clocks_[(static_cast<size_t>(src) * size_ + dst) * kMaxTags + tag];
  HOCKNEY_CHECK(!q.empty(), "no clock from rank {} to rank {}", src, dst);
  LevelCost c = q.front();
  q.pop_front();
  return c;
}

StepHandle CountingTransport::start(std::span<const Send> sends, std::span<const Recv> recvs) {
  auto step = std::make_unique<CountingStep>();
  step->startClock = clock_;
  auto remote = [&](int peer) {
    return nodeOfRank_ != nullptr && nodeOfRank_->at(peer) != nodeOfRank_->at(rank());
  };
  for (const Send& s : sends) {
    ledger_.post(rank(), s.peer, s.tag, clock_);  // before the data, so a receiver always finds it
    step->sendBytes += s.bytes;
    step->network = step->network || remote(s.peer);
  }
  for (const Recv& r : recvs) {
    step->recvs.push_back(r);
    step->recvBytes += r.bytes;
    step->network = step->network || remote(r.peer);
  }
  step->moves = !sends.empty() || !recvs.empty();
  step->inner = inner_.start(sends, recvs);
  return step;
}

void CountingTransport::wait(StepHandle& handle) {
  auto& step = static_cast<CountingStep&>(*handle);
  inner_.wait(step.inner);
  if (step.moves) {
    LevelCost done = step.startClock;
    for (const Recv& r : step.recvs) done = maxCost(done, ledger_.take(r.peer, rank(), r.tag));
    const Cost round{1, static_cast<double>(std::max(step.sendBytes, step.recvBytes)), 0};
    (step.network ? done.network : done.node) += round;
    clock_ = maxCost(clock_, done);
  }
  handle.reset();
}

void CountingTransport::reduce(void* dst, const void* src, size_t count, DataType type,
                               ReduceOp op) {
  inner_.reduce(dst, src, count, type, op);
  clock_.node.gammaBytes += static_cast<double>(count * elementSize(type));
}

namespace {

LevelCost countWith(int size, const std::vector<int>* nodeOfRank,
                    const std::function<void(Transport&)>& body) {
  CountingLedger ledger(size);
  std::vector<LevelCost> clocks(static_cast<size_t>(size));
  runInprocWith(size, [&](InprocTransport& inner) {
    CountingTransport counting(inner, ledger, nodeOfRank);
    body(counting);
    clocks[static_cast<size_t>(inner.rank())] = counting.clock();
  });
  LevelCost total;
  for (const LevelCost& c : clocks) total = maxCost(total, c);
  return total;
}

}  // namespace

Cost countCost(int size, const std::function<void(Transport&)>& body) {
  return countWith(size, nullptr, body).node;
}

LevelCost countLevelCost(int size, const std::vector<int>& nodeOfRank,
                         const std::function<void(Transport&)>& body) {
  HOCKNEY_CHECK(static_cast<int>(nodeOfRank.size()) == size, "placement of {} ranks for {}",
                nodeOfRank.size(), size);
  return countWith(size, &nodeOfRank, body);
}

}  // namespace hockney
