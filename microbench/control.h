#pragma once
// The harness's own small collectives (agreeing on iteration counts, the max over ranks of
// per-iteration times, gathering host names and check results), built on the Transport's steps
// so the harness runs unchanged on MPI and on in-process ranks. Binomial trees rooted at rank 0:
// ⌈lg p⌉ rounds each way, so a job of thousands of ranks spends no time in bookkeeping. They run
// outside timed regions only.
#include <span>
#include <string>
#include <vector>

#include "collectives/transport/transport.h"

namespace hockney {

void broadcastFromZero(Transport& t, void* data, size_t bytes);
// Every rank gets the elementwise maximum.
void maxOverRanks(Transport& t, std::span<double> values);
// What a sample is across ranks (--rank-stat): the slowest rank (max, hockney's default: a
// collective lasts as long as its slowest rank), the mean of ranks (avg, as OSU reports and
// nccl-tests' default -a 1), the fastest (min) or rank 0's own (rank0). Every rank gets it.
inline constexpr const char* kRankStats[] = {"max", "avg", "min", "rank0"};
void combineOverRanks(Transport& t, std::span<double> values, const std::string& stat);
// Rank 0 gets every rank's string, in rank order; other ranks get an empty vector.
std::vector<std::string> gatherToZero(Transport& t, const std::string& mine);

}  // namespace hockney
