// Pairwise-exchange all-to-all: p-1 steps, one peer each (XOR pairs for powers of two, r ± s
// otherwise), the own block copied locally.
// Cost (uniform): (p-1)·α + (p-1)·b·β, b = block bytes ((p-1)/p·n). Variable counts: each step
// costs the larger of what a rank sends and receives in it; cost() evaluates that recurrence.
// No scratch. Reference: MPICH alltoall pairwise; Thakur et al. 2005.
#include <algorithm>

#include "collectives/alltoall/alltoall.h"
#include "collectives/core/chunk.h"

namespace hockney {

PairwisePeers pairwisePeers(int rank, int step, int p) {
  if (isPowerOfTwo(static_cast<size_t>(p))) return {rank ^ step, rank ^ step};
  return {(rank + step) % p, (rank - step + p) % p};
}

AlltoallvLayout alltoallvLayout(const TrafficMatrix& bytes, int rank) {
  const size_t p = bytes.size();
  AlltoallvLayout l;
  l.sendBytes = bytes[static_cast<size_t>(rank)];
  l.sendOffset.resize(p);
  l.recvBytes.resize(p);
  l.recvOffset.resize(p);
  size_t so = 0, ro = 0;
  for (size_t q = 0; q < p; ++q) {
    l.sendOffset[q] = so;
    so += l.sendBytes[q];
    l.recvBytes[q] = bytes[q][static_cast<size_t>(rank)];
    l.recvOffset[q] = ro;
    ro += l.recvBytes[q];
  }
  return l;
}

void pairwiseAlltoallv(Transport& t, const AlltoallvLayout& l, const void* input, void* output) {
  const int p = t.size();
  const int r = t.rank();
  const auto* in = static_cast<const std::byte*>(input);
  auto* out = static_cast<std::byte*>(output);
  const auto me = static_cast<size_t>(r);
  t.copy(out + l.recvOffset[me], in + l.sendOffset[me], l.sendBytes[me]);
  for (int s = 1; s < p; ++s) {
    PairwisePeers peers = pairwisePeers(r, s, p);
    const auto to = static_cast<size_t>(peers.to);
    const auto from = static_cast<size_t>(peers.from);
    t.sendRecv(peers.to, in + l.sendOffset[to], l.sendBytes[to], peers.from,
               out + l.recvOffset[from], l.recvBytes[from]);
  }
}

Cost pairwiseAlltoallvCost(const TrafficMatrix& bytes) {
  const int p = static_cast<int>(bytes.size());
  std::vector<Cost> clock(static_cast<size_t>(p)), next(static_cast<size_t>(p));
  for (int s = 1; s < p; ++s) {
    for (int r = 0; r < p; ++r) {
      PairwisePeers peers = pairwisePeers(r, s, p);
      const size_t sent = bytes[static_cast<size_t>(r)][static_cast<size_t>(peers.to)];
      const size_t got = bytes[static_cast<size_t>(peers.from)][static_cast<size_t>(r)];
      next[static_cast<size_t>(r)] =
          maxCost(clock[static_cast<size_t>(r)], clock[static_cast<size_t>(peers.from)]) +
          Cost{1, static_cast<double>(std::max(sent, got)), 0};
    }
    clock = next;
  }
  Cost total;
  for (const Cost& c : clock) total = maxCost(total, c);
  return total;
}

void pairwiseAlltoall(Transport& t, const BlockShape& s, const void* input, void* output, void*) {
  if (s.block == 0) return;  // nothing to move: no messages either
  const int p = s.p;
  const int r = t.rank();
  const size_t bb = s.blockBytes();
  const auto* in = static_cast<const std::byte*>(input);
  auto* out = static_cast<std::byte*>(output);
  t.copy(out + static_cast<size_t>(r) * bb, in + static_cast<size_t>(r) * bb, bb);
  for (int step = 1; step < p; ++step) {
    PairwisePeers peers = pairwisePeers(r, step, p);
    t.sendRecv(peers.to, in + static_cast<size_t>(peers.to) * bb, bb, peers.from,
               out + static_cast<size_t>(peers.from) * bb, bb);
  }
}

Cost pairwiseAlltoallCost(const BlockShape& s) {
  if (s.p == 1 || s.block == 0) return {};
  return {static_cast<double>(s.p - 1), static_cast<double>((s.p - 1) * s.blockBytes()), 0};
}

size_t pairwiseAlltoallScratch(const BlockShape&) {
  return 0;
}

}  // namespace hockney
