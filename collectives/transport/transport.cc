#include "collectives/transport/transport.h"

#include <algorithm>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "collectives/core/reduce.h"

namespace hockney {

void StepProgress::record(std::span<const Send> s, std::span<const Recv> r) {
  step.fetch_add(1, std::memory_order_relaxed);
  sends.store(static_cast<int>(s.size()), std::memory_order_relaxed);
  recvs.store(static_cast<int>(r.size()), std::memory_order_relaxed);
  for (size_t i = 0; i < std::min<size_t>(s.size(), kPeers); ++i)
    sendPeer[i].store(s[i].peer, std::memory_order_relaxed);
  for (size_t i = 0; i < std::min<size_t>(r.size(), kPeers); ++i)
    recvPeer[i].store(r[i].peer, std::memory_order_relaxed);
}

std::string StepProgress::describe() const {
  auto list = [](const std::atomic<int>* peers, int n) {
    std::string out;
    for (int i = 0; i < std::min(n, kPeers); ++i)
      out += fmt::format("{}{}", i ? "," : "", peers[i].load(std::memory_order_relaxed));
    if (n > kPeers) out += ",...";
    return out;
  };
  int s = sends.load(std::memory_order_relaxed);
  int r = recvs.load(std::memory_order_relaxed);
  return fmt::format("step {} (send to [{}]; recv from [{}])", step.load(std::memory_order_relaxed),
                     list(sendPeer, s), list(recvPeer, r));
}

void Transport::reduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op) {
  hostReduce(dst, src, count, type, op);
}

void Transport::copy(void* dst, const void* src, size_t bytes) {
  if (bytes > 0 && dst != src) std::memcpy(dst, src, bytes);
}

}  // namespace hockney
