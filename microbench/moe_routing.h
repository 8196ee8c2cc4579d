#pragma once
// MoE expert routing for the all-to-all benchmark: a seeded top-k router decides how many tokens
// each rank sends each other rank, so blocks are unequal as real expert traffic is.
#include <cstddef>
#include <vector>

#include "collectives/alltoall/alltoall.h"
#include "microbench/cases.h"

namespace hockney {

struct RoutingResult {
  TrafficMatrix bytes;  // [src][dst]
  size_t tokensPerRank = 0;
  size_t droppedTokens = 0;  // over capacity, summed over ranks
  size_t capacityPerExpert = 0;
};

// Uniform: every block count/p elements. topk: tokens = bytes / (hidden × element size) per
// rank; each token picks top_k distinct experts from a Zipf(s) popularity (s = 0: uniform);
// an expert takes at most capacity = ceil(capacity_factor × tokens × top_k / experts) tokens
// from one rank (GShard's per-group capacity), the rest are dropped; expert e lives on rank
// e mod p. Deterministic for a seed, the same on every rank.
RoutingResult routeTokens(const PatternOptions& o, int p, size_t bytes, DataType type);

// What routeTokens allocates on p ranks, whatever the size (its experts and the p x p matrix).
size_t routerBytes(const PatternOptions& o, int p);
// The most one rank can send after routing `bytes` of tokens: every token to k experts, each
// expert taking at most its capacity (SIZE_MAX when it does not fit).
size_t routedBytesBound(const PatternOptions& o, int p, size_t bytes, DataType type);

// Throws UsageError for options no router can satisfy on p ranks.
void checkRoutingOptions(const PatternOptions& o, int p);

}  // namespace hockney
