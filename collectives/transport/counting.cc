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

namespace {

struct PricedStep : PendingStep {
  StepHandle inner;
  double startClock = 0;
  size_t index = 0;
  double netSent = 0, netReceived = 0;
  bool network = false;
  std::vector<Recv> recvs;
  size_t sendBytes = 0, recvBytes = 0;
  bool moves = false;
};

// Zero-byte messages still need somewhere to point.
std::byte gNowhere[1];

}  // namespace

size_t PricedTransport::slot(int src, int dst, int tag) const {
  return (static_cast<size_t>(src) * static_cast<size_t>(size()) + static_cast<size_t>(dst)) *
             kMaxTags +
         static_cast<size_t>(tag);
}

StepHandle PricedTransport::start(std::span<const Send> sends, std::span<const Recv> recvs) {
  auto step = std::make_unique<PricedStep>();
  step->startClock = clock_;
  step->index = steps_++;
  const int me = rank();
  auto remote = [&](int peer) {
    return nodeOfRank_.at(static_cast<size_t>(peer)) != nodeOfRank_.at(static_cast<size_t>(me));
  };
  std::vector<Send> dry;
  std::vector<Recv> dryRecvs;
  {
    std::lock_guard lock(mutex_);
    for (const Send& s : sends) ledger_[slot(me, s.peer, s.tag)].push_back(clock_);
  }
  for (const Send& s : sends) {
    step->sendBytes += s.bytes;
    if (remote(s.peer)) step->netSent += static_cast<double>(s.bytes);
    step->network = step->network || remote(s.peer);
    dry.push_back({s.peer, gNowhere, 0, s.tag});
  }
  for (const Recv& r : recvs) {
    step->recvs.push_back(r);
    step->recvBytes += r.bytes;
    if (remote(r.peer)) step->netReceived += static_cast<double>(r.bytes);
    step->network = step->network || remote(r.peer);
    dryRecvs.push_back({r.peer, gNowhere, 0, r.tag});
  }
  const size_t host = static_cast<size_t>(nodeOfRank_.at(static_cast<size_t>(me)));
  if (record_ != nullptr && step->network) {
    std::lock_guard lock(mutex_);
    auto& load = (*record_)[host];
    if (load.size() <= step->index) load.resize(step->index + 1);
    load[step->index].first += step->netSent;
    load[step->index].second += step->netReceived;
  }
  step->moves = !sends.empty() || !recvs.empty();
  step->inner = inner_.start(dry, dryRecvs);
  return step;
}

void PricedTransport::wait(StepHandle& handle) {
  auto& step = static_cast<PricedStep&>(*handle);
  inner_.wait(step.inner);
  if (step.moves) {
    double done = step.startClock;
    {
      std::lock_guard lock(mutex_);
      for (const Recv& r : step.recvs) {
        auto& q = ledger_[slot(r.peer, rank(), r.tag)];
        HOCKNEY_CHECK(!q.empty(), "no clock from rank {} to rank {}", r.peer, rank());
        done = std::max(done, q.front());
        q.pop_front();
      }
    }
    const LevelPrice& p = step.network ? prices_.network : prices_.node;
    double bytes = static_cast<double>(std::max(step.sendBytes, step.recvBytes));
    if (step.network && load_ != nullptr) {
      // The host's link carries what all its ranks send (and receive) across in this step.
      const auto& load = (*load_)[static_cast<size_t>(nodeOfRank_.at(static_cast<size_t>(rank())))];
      if (step.index < load.size())
        bytes = std::max(bytes, std::max(load[step.index].first, load[step.index].second));
    }
    done += p.alpha + bytes * p.beta;
    clock_ = std::max(clock_, done);
  }
  handle.reset();
}

void PricedTransport::reduce(void*, const void*, size_t count, DataType type, ReduceOp) {
  clock_ += static_cast<double>(count * elementSize(type)) * prices_.node.gamma;
}

double pricedSeconds(int size, const std::vector<int>& nodeOfRank, const LevelPrices& prices,
                     const std::function<void(Transport&)>& body) {
  HOCKNEY_CHECK(static_cast<int>(nodeOfRank.size()) == size, "placement of {} ranks for {}",
                nodeOfRank.size(), size);
  const int hosts = *std::max_element(nodeOfRank.begin(), nodeOfRank.end()) + 1;
  PricedTransport::HostLoad load(static_cast<size_t>(hosts));
  auto run = [&](PricedTransport::HostLoad* record, const PricedTransport::HostLoad* read) {
    std::vector<std::deque<double>> ledger(static_cast<size_t>(size) * size * kMaxTags);
    std::mutex mutex;
    std::vector<double> clocks(static_cast<size_t>(size));
    runInprocWith(size, [&](InprocTransport& inner) {
      PricedTransport priced(inner, ledger, mutex, nodeOfRank, prices, record, read);
      body(priced);
      clocks[static_cast<size_t>(inner.rank())] = priced.clock();
    });
    return *std::max_element(clocks.begin(), clocks.end());
  };
  if (!prices.sharedHostLink) return run(nullptr, nullptr);
  run(&load, nullptr);  // what each host's ranks send across, step by step
  return run(nullptr, &load);
}

}  // namespace hockney
