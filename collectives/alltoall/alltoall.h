#pragma once
// All-to-all (MoE expert dispatch/combine). Uniform: p equal blocks in, p out. Variable
// (alltoallv): per-peer byte counts (CallShape::traffic), as a top-k router produces. One file
// per algorithm (pairwise.cc, bruck.cc); entries.cc lists them for the registry.
#include "collectives/core/block.h"
#include "collectives/core/cost.h"
#include "collectives/reduce_scatter/reduce_scatter.h"
#include "collectives/registry.h"
#include "collectives/transport/transport.h"

namespace hockney {

HOCKNEY_DECLARE_BLOCK_ALGORITHM(pairwiseAlltoall)
HOCKNEY_DECLARE_BLOCK_ALGORITHM(bruckAlltoall)

// The pairwise schedule: in step s = 1..p-1, rank r sends to `to` and receives from `from`
// (r XOR s for powers of two, r+s and r-s otherwise).
struct PairwisePeers {
  int to;
  int from;
};
PairwisePeers pairwisePeers(int rank, int step, int p);

AlltoallvLayout alltoallvLayout(const TrafficMatrix& bytes, int rank);

void pairwiseAlltoallv(Transport& t, const AlltoallvLayout& layout, const void* input,
                       void* output);
// Exact critical path of the pairwise schedule for this matrix (a Lamport recurrence over the
// p-1 steps: rank r's step s waits for its own step s-1 and its sender's step s-1).
Cost pairwiseAlltoallvCost(const TrafficMatrix& bytes);

}  // namespace hockney
