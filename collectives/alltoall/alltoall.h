#pragma once
// All-to-all (MoE expert dispatch/combine). Uniform: p equal blocks in, p out. Variable
// (alltoallv): per-peer byte counts, as a top-k router produces.
#include <vector>

#include "collectives/core/block.h"
#include "collectives/core/cost.h"
#include "collectives/transport/transport.h"

namespace hockney {

// The pairwise schedule: in step s = 1..p-1, rank r sends to `to` and receives from `from`
// (r XOR s for powers of two, r+s and r-s otherwise).
struct PairwisePeers {
  int to;
  int from;
};
PairwisePeers pairwisePeers(int rank, int step, int p);

// bytes[src][dst]: what each rank sends each other rank (the diagonal stays local).
using TrafficMatrix = std::vector<std::vector<size_t>>;

struct AlltoallvLayout {
  std::vector<size_t> sendBytes, sendOffset;  // per destination, in the input
  std::vector<size_t> recvBytes, recvOffset;  // per source, in the output
};
AlltoallvLayout alltoallvLayout(const TrafficMatrix& bytes, int rank);

void pairwiseAlltoallv(Transport& t, const AlltoallvLayout& layout, const void* input,
                       void* output);
// Exact critical path of the pairwise schedule for this matrix (a Lamport recurrence over the
// p-1 steps: rank r's step s waits for its own step s-1 and its sender's step s-1).
Cost pairwiseAlltoallvCost(const TrafficMatrix& bytes);

}  // namespace hockney
