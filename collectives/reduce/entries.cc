// The reduce algorithms, as the registry lists them. count = the whole vector; only the root's
// output is defined afterwards.
#include <array>

#include "collectives/reduce/binomial.h"
#include "collectives/registry.h"

namespace hockney {
namespace {

constexpr Algorithm kBinomial{
    "reduce",
    "binomial",
    "binomial tree to the root, ceil(lg p) rounds",
    [](Transport& t, const CallShape& s, const CallBuffers& b) {
      t.copy(b.output, b.input, s.bytes());
      binomialReduce(t, b.output, s.count, s.type, s.op, s.options().root, b.scratch);
    },
    [](const CallShape& s) { return binomialReduceCost(s.ranks, s.count, s.type); },
    wholeVector,  // scratch: one vector to receive into
};

constexpr std::array kAlgorithms{kBinomial};

constexpr std::array kVendors{
    VendorCall{"mpi", "MPI_Reduce", "MPI_Reduce of the MPI library"},
    VendorCall{"nccl", "ncclReduce", "ncclReduce of the NCCL library"},
};

}  // namespace

const Pattern& reducePattern() {
  static const Pattern kPattern{
      "reduce",
      "the root ends with the reduction of all vectors",
      wholeVector,
      wholeVector,
      checkRoot,
      {},
      kAlgorithms,
      {.reduces = true, .reference = "binomial", .vendors = kVendors, .options = kRootOption}};
  return kPattern;
}

}  // namespace hockney
