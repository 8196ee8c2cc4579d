// The all-to-all algorithms, as the registry lists them. count = the whole send vector (p
// blocks) when uniform; with a traffic matrix the layout gives each rank's sizes.
#include <array>
#include <numeric>

#include "collectives/alltoall/alltoall.h"
#include "collectives/block_entries.h"

namespace hockney {
namespace {

size_t sum(const std::vector<size_t>& v) {
  return std::accumulate(v.begin(), v.end(), size_t{0});
}

size_t inputBytes(const CallShape& s, int rank) {
  return s.layout ? sum(s.layout->sendBytes) : allBlocks(s, rank);
}
size_t outputBytes(const CallShape& s, int rank) {
  return s.layout ? sum(s.layout->recvBytes) : allBlocks(s, rank);
}

constexpr Algorithm kPairwise{
    "alltoall",
    "pairwise",
    "p-1 steps, one peer each (XOR pairs for powers of two); any per-peer sizes",
    [](Transport& t, const CallShape& s, const CallBuffers& b) {
      if (s.layout)
        pairwiseAlltoallv(t, *s.layout, b.input, b.output);
      else
        pairwiseAlltoall(t, blockShapeOf(s), b.input, b.output, b.scratch);
    },
    [](const CallShape& s) {
      return s.traffic ? pairwiseAlltoallvCost(*s.traffic) : pairwiseAlltoallCost(blockShapeOf(s));
    },
    [](const CallShape& s, int) { return pairwiseAlltoallScratch(blockShapeOf(s)); },
};

constexpr Algorithm bruck() {
  Algorithm a = blockEntry<bruckAlltoall, bruckAlltoallCost, bruckAlltoallScratch>(
      "alltoall", "bruck", "ceil(lg p) store-and-forward steps (uniform blocks only)");
  a.unavailable = [](const CallShape& s) -> std::optional<std::string> {
    if (s.traffic) return std::string("bruck moves equal blocks only (--routing uniform)");
    return std::nullopt;
  };
  return a;
}

constexpr std::array kAlgorithms{kPairwise, bruck()};

constexpr std::array kVendors{
    VendorCall{"mpi", "MPI_Alltoallv", "MPI_Alltoallv of the MPI library"},
    VendorCall{"nccl", "ncclSend/ncclRecv",
               "NCCL grouped ncclSend/ncclRecv, one pair per peer (as nccl-tests)"},
};

}  // namespace

const Pattern& alltoallPattern() {
  // Blocks: uniform traffic is p equal blocks (a routed call's per-peer sizes come with it).
  static const Pattern kPattern{
      "alltoall",
      "every rank sends a block to every rank (MoE dispatch/combine)",
      inputBytes,
      outputBytes,
      noCheck,
      {},
      kAlgorithms,
      {.blocks = true, .busFactor = blockBusFactor, .reference = "pairwise", .vendors = kVendors}};
  return kPattern;
}

}  // namespace hockney
